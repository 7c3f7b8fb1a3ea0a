"""Visit workflows: the delegation, findings, numbered directives, citations, conclusion, closing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from models import AuditEntry, Directive, LegalDocument, Person, db
from models.enums import DelegationRole, DelegationSide, FindingKind, TaskStatus, VisitStatus
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.clock import parse_date
from workflows.errors import InvalidState, OutOfScope, PermissionDenied, ValidationFailed


def test_a_visit_is_planned_with_its_bodies_and_audited(create_visit, world):
    visit = create_visit()
    db.session.commit()
    assert visit.status is VisitStatus.PLANNED
    assert visit.inspecting_org is world.board
    assert visit.head.person is world.head
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == visit.id)).all()
    assert "visit.created" in actions


def test_an_office_user_cannot_create_a_visit(world):
    with pytest.raises(PermissionDenied):
        visit_flow.create_visit(
            world.office,
            title="x",
            subject="y",
            visited_on=date(2023, 6, 14),
            inspecting_org=world.board,
            inspected_org=world.district,
        )


def test_a_visit_of_a_body_and_itself_is_refused(world):
    with pytest.raises(ValidationFailed, match="khác nhau"):
        visit_flow.create_visit(
            world.inspector,
            title="x",
            subject="y",
            visited_on=date(2023, 6, 14),
            inspecting_org=world.board,
            inspected_org=world.board,
        )


def test_a_visit_to_a_body_abolished_before_that_day_is_refused(world):
    world.district.valid_to = date(2025, 6, 30)
    with pytest.raises(ValidationFailed, match="không còn hoạt động"):
        visit_flow.create_visit(
            world.inspector,
            title="Kiểm tra",
            subject="tuyên giáo",
            visited_on=date(2025, 7, 2),
            inspecting_org=world.board,
            inspected_org=world.district,
        )


def test_a_second_head_of_delegation_is_refused(create_visit, world):
    visit = create_visit()
    other = Person(full_name="Nguyễn Văn An", position="Trưởng phòng")
    db.session.add(other)
    with pytest.raises(ValidationFailed, match="đã có Trưởng Đoàn"):
        visit_flow.add_delegation_member(visit, world.inspector, person=other, role=DelegationRole.HEAD)


def test_host_members_go_on_the_host_side_with_their_position_that_day(create_visit, world):
    visit = create_visit()
    member = visit_flow.add_delegation_member(
        visit,
        world.inspector,
        person=world.host,
        role=DelegationRole.HOST_CHAIR,
        position_on_day="TUV, Bí thư Huyện ủy",
    )
    world.host.position = "Nguyên Bí thư Huyện ủy"  # later career changes do not rewrite the visit
    db.session.commit()
    assert member.side is DelegationSide.HOST
    assert member.position_on_day == "TUV, Bí thư Huyện ủy"


def test_findings_keep_their_order_within_a_kind(create_visit, world):
    visit = create_visit()
    first = visit_flow.add_finding(visit, world.inspector, kind=FindingKind.ACHIEVEMENT, text="Một")
    second = visit_flow.add_finding(visit, world.inspector, kind=FindingKind.ACHIEVEMENT, text="Hai")
    limitation = visit_flow.add_finding(visit, world.inspector, kind=FindingKind.LIMITATION, text="Ba")
    assert (first.order, second.order, limitation.order) == (0, 1, 0)
    assert first.is_public is False


def test_an_empty_finding_is_refused(create_visit, world):
    with pytest.raises(ValidationFailed):
        visit_flow.add_finding(create_visit(), world.inspector, kind=FindingKind.CAUSE, text="   ")


def test_directives_are_numbered_one_by_one_and_read_as_mot_la(create_visit, world):
    visit = create_visit()
    directives = [visit_flow.issue_directive(visit, world.inspector, body=f"Nội dung {n}") for n in range(9)]
    db.session.commit()
    assert [d.number for d in directives] == list(range(1, 10))
    assert directives[0].ordinal == "Một là"
    assert directives[8].ordinal == "Chín là"
    assert visit.directive_counter == 9


def test_a_withdrawn_directive_number_is_never_given_again(create_visit, world):
    visit = create_visit()
    visit_flow.issue_directive(visit, world.inspector, body="Một")
    second = visit_flow.issue_directive(visit, world.inspector, body="Hai")
    visit_flow.withdraw_directive(second, world.inspector)
    third = visit_flow.issue_directive(visit, world.inspector, body="Ba")
    db.session.commit()
    assert third.number == 3
    numbers = db.session.scalars(select(Directive.number).where(Directive.visit_id == visit.id)).all()
    assert sorted(numbers) == [1, 3]


def test_an_empty_directive_is_refused_and_uses_no_number(create_visit, world):
    visit = create_visit()
    with pytest.raises(ValidationFailed, match="không được để trống"):
        visit_flow.issue_directive(visit, world.inspector, body=" \n ")
    assert visit_flow.issue_directive(visit, world.inspector, body="Nội dung").number == 1


def test_a_directive_due_before_the_visit_is_refused(create_visit, world):
    with pytest.raises(ValidationFailed, match="trước ngày kiểm tra"):
        visit_flow.issue_directive(create_visit(), world.inspector, body="X", due_on=date(2023, 6, 1))


def test_cited_codes_are_parsed_into_the_registry_once(create_visit, world):
    visit = create_visit()
    first = visit_flow.issue_directive(
        visit,
        world.inspector,
        body="Thực hiện Quy định 85.",
        citations=["Quy định số 85-QĐ/TW ngày 07/10/2022 của Ban Bí thư", "Chỉ thị 05-CT/TW"],
    )
    second = visit_flow.issue_directive(visit, world.inspector, body="Lại 85.", citations=["85-qđ/tw"])
    db.session.commit()
    assert [d.code for d in first.citations] == ["05-CT/TW", "85-QĐ/TW"]
    assert second.citations == [first.citations[1]]
    document = db.session.scalar(select(LegalDocument).where(LegalDocument.code == "85-QĐ/TW"))
    assert document.issued_on == date(2022, 10, 7)
    assert document.issuer_name == "Ban Bí thư"
    assert db.session.scalar(select(func.count(LegalDocument.id))) == 2


def test_a_secret_document_is_flagged(create_visit, world):
    directive = visit_flow.issue_directive(create_visit(), world.inspector, body="Tổ 03.")
    document = visit_flow.cite_document(
        directive, world.inspector, "Đề án số 03-ĐA/TU ngày 16/3/2022 của Tỉnh ủy (Mật)"
    )
    assert document.is_secret is True
    assert directive.citations == [document]


def test_a_malformed_code_is_refused_with_a_message_and_adds_nothing(create_visit, world):
    visit = create_visit()
    with pytest.raises(ValidationFailed, match="05-CT"):
        visit_flow.issue_directive(visit, world.inspector, body="X", citations=["05-CT"])
    assert visit.directive_counter == 0
    assert db.session.scalar(select(func.count(LegalDocument.id))) == 0


def test_conclusion_freezes_the_directives(create_visit, world):
    visit = create_visit()
    visit_flow.issue_directive(visit, world.inspector, body="Một")
    visit_flow.conclude_visit(visit, world.inspector)
    assert visit.status is VisitStatus.CONCLUDED
    assert visit.concluded_at is not None
    with pytest.raises(InvalidState):
        visit_flow.issue_directive(visit, world.inspector, body="Hai")
    with pytest.raises(InvalidState):
        visit_flow.withdraw_directive(visit.directives[0], world.inspector)


def test_a_visit_without_a_head_cannot_be_concluded(world):
    visit = visit_flow.create_visit(
        world.inspector,
        title="K",
        subject="S",
        visited_on=date(2023, 6, 14),
        inspecting_org=world.board,
        inspected_org=world.district,
    )
    with pytest.raises(ValidationFailed, match="Trưởng Đoàn"):
        visit_flow.conclude_visit(visit, world.inspector)


def test_a_visit_closes_only_when_every_task_is_finished_and_evaluated(create_visit, world):
    visit = create_visit()
    directive = visit_flow.issue_directive(visit, world.inspector, body="Một")
    visit_flow.conclude_visit(visit, world.inspector)
    task = task_flow.assign_task(directive, world.inspector, lead_org=world.district_office, due_on=None)
    with pytest.raises(InvalidState, match="1 nhiệm vụ"):
        visit_flow.close_visit(visit, world.inspector, evaluation="Tốt.")
    task_flow.cancel_task(task, world.inspector, reason="Trùng nhiệm vụ khác.")
    with pytest.raises(ValidationFailed, match="đánh giá"):
        visit_flow.close_visit(visit, world.inspector, evaluation="")
    visit_flow.close_visit(visit, world.inspector, evaluation="Đơn vị thực hiện nghiêm túc.")
    db.session.commit()
    assert visit.status is VisitStatus.CLOSED
    assert task.status is TaskStatus.CANCELLED


def test_an_inspector_of_another_body_does_not_see_the_visit(create_visit, world):
    visit = create_visit()
    with pytest.raises(OutOfScope):
        visit_flow.issue_directive(visit, world.other_inspector, body="X")


def test_a_leader_reads_but_does_not_edit(create_visit, world):
    visit = create_visit()
    assert visit.can_view(world.leader)
    with pytest.raises(PermissionDenied):
        visit_flow.add_finding(visit, world.leader, kind=FindingKind.CAUSE, text="X")


@pytest.mark.parametrize("typed", ["31/02/2023", "32/01/2023", "29/02/2023"])
def test_a_date_that_is_not_on_the_calendar_is_refused(typed):
    with pytest.raises(ValidationFailed, match="không có trên lịch"):
        parse_date(typed)


@pytest.mark.parametrize("typed", ["14-6-2023", "14/06/2023", "2023-06-14", " 14.06.2023 "])
def test_dates_are_read_day_first(typed):
    assert parse_date(typed) == date(2023, 6, 14)


def test_a_date_in_the_wrong_shape_is_refused_with_an_example():
    with pytest.raises(ValidationFailed, match="14/06/2023"):
        parse_date("hôm qua")


def test_a_delegation_side_and_the_findings_stop_at_bounds_no_real_visit_reaches(create_visit, world):
    visit = create_visit()
    already = sum(1 for member in visit.members if member.side is DelegationSide.INSPECTING)
    for n in range(visit_flow.MAX_MEMBERS_PER_SIDE - already):
        person = Person(full_name=f"Cán bộ {n}", organization=world.board)
        db.session.add(person)
        visit_flow.add_delegation_member(visit, world.inspector, person=person, role=DelegationRole.MEMBER)
    one_more = Person(full_name="Cán bộ thừa", organization=world.board)
    db.session.add(one_more)
    with pytest.raises(ValidationFailed, match="Mỗi bên có tối đa 60 người"):
        visit_flow.add_delegation_member(visit, world.inspector, person=one_more, role=DelegationRole.MEMBER)
    for n in range(visit_flow.MAX_FINDINGS - len(visit.findings)):
        visit_flow.add_finding(visit, world.inspector, kind=FindingKind.ACHIEVEMENT, text=f"Nhận xét {n}.")
    with pytest.raises(ValidationFailed, match="tối đa 200 nhận xét"):
        visit_flow.add_finding(visit, world.inspector, kind=FindingKind.ACHIEVEMENT, text="Thừa.")
