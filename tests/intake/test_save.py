"""A reviewed draft becomes a planned visit; organisations are matched, never invented."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from models import LegalDocument, Organization, Person, Visit, db
from models.enums import DelegationRole, FindingKind, OrgKind, VisitStatus
from workflows.errors import PermissionDenied, ValidationFailed
from workflows.intake import parse_article
from workflows.intake_save import (
    ReviewedDirective,
    find_organisation,
    organisations,
    review_from_draft,
    save_visit,
)


def _reviewed(world, text):
    reviewed, problems = review_from_draft(parse_article(text), world.inspector)
    assert problems == []
    return reviewed


def test_a_reviewed_article_becomes_a_planned_visit_with_its_people_findings_and_directives(
    world, article_text
):
    visit = save_visit(world.inspector, _reviewed(world, article_text))
    db.session.commit()
    assert visit.status is VisitStatus.PLANNED
    assert (visit.inspecting_org, visit.inspected_org) == (world.board, world.district)
    assert (visit.visited_on, visit.subject, visit.period_label) == (
        date(2023, 6, 14),
        "công tác tuyên giáo",
        "6 tháng đầu năm 2023",
    )
    assert visit.head.person is world.head  # the registered person, not a copy
    roles = {(m.person.full_name, m.role, m.position_on_day) for m in visit.members}
    assert ("Dương Thanh Huân", DelegationRole.HOST_CHAIR, "Bí thư Huyện ủy") in roles
    assert (
        "Phan Duy Khiêm",
        DelegationRole.MEMBER,
        "Trưởng phòng Thông tin - Khoa giáo, Ban Tuyên giáo Tỉnh ủy",
    ) in roles
    new_member = db.session.scalar(select(Person).where(Person.full_name == "Phan Duy Khiêm"))
    assert new_member.organization is world.board
    assert [(f.kind, f.is_public) for f in visit.findings] == [
        (FindingKind.ACHIEVEMENT, True),
        (FindingKind.LIMITATION, True),
    ]
    assert [d.number for d in visit.directives] == [1, 2, 3]
    assert [[c.code for c in d.citations] for d in visit.directives] == [["85-QĐ/TW"], ["03-ĐA/TU"], []]
    assert visit.directives[2].due_on == date(2023, 9, 30)
    assert visit.directives[0].due_period_label == "6 tháng cuối năm 2023"
    plan = db.session.scalar(select(LegalDocument).where(LegalDocument.code == "03-ĐA/TU"))
    assert plan.is_secret and plan.issued_on == date(2022, 3, 16)


def test_a_gap_in_the_article_numbering_is_kept_when_saving(world, article_text):
    reviewed = _reviewed(
        world, article_text.replace("Hai là, phát huy", "Bốn là, phát huy").replace("Ba là,", "Năm là,")
    )
    visit = save_visit(world.inspector, reviewed)
    assert [d.number for d in visit.directives] == [1, 4, 5]
    assert visit.directive_counter == 5


def test_numbers_that_go_down_are_refused(world, article_text):
    reviewed = _reviewed(world, article_text)
    directives = (
        ReviewedDirective(body="Việc thứ nhất.", number=2),
        ReviewedDirective(body="Việc thứ hai.", number=1),
    )
    with pytest.raises(ValidationFailed, match="tăng dần"):
        save_visit(world.inspector, replace(reviewed, directives=directives))


def test_an_unknown_unit_is_reported_and_no_organisation_is_created(world, article_text):
    before = db.session.scalar(select(func.count(Organization.id)))
    reviewed, problems = review_from_draft(
        parse_article(article_text.replace("huyện Bù Đốp.", "huyện Đồng Phú.")), world.inspector
    )
    assert reviewed is None
    assert problems == [
        "Đơn vị được kiểm tra: Không tìm thấy «huyện Đồng Phú» trong danh mục cơ quan, đơn vị; hãy chọn "
        "đơn vị có sẵn hoặc nhờ quản trị viên thêm vào danh mục."
    ]
    assert db.session.scalar(select(func.count(Organization.id))) == before


def test_an_inspector_of_another_body_cannot_file_the_visit_under_a_body_outside_their_scope(
    world, article_text
):
    reviewed, problems = review_from_draft(parse_article(article_text), world.other_inspector)
    assert reviewed is None
    assert problems[0].startswith("Cơ quan kiểm tra: Không tìm thấy «Ban Tuyên giáo Tỉnh ủy»")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("huyện Bù Đốp", "Huyện ủy Bù Đốp"),
        ("Huyện uỷ Bù Đốp", "Huyện ủy Bù Đốp"),
        ("Ban Thường vụ Huyện ủy Bù Đốp", "Huyện ủy Bù Đốp"),
        ("BTV Huyện ủy Bù Đốp", "Huyện ủy Bù Đốp"),
        ("HUYỆN ỦY BÙ ĐỐP", "Huyện ủy Bù Đốp"),
        ("Ban Tuyên giáo Huyện ủy Bù Đốp", "Ban Tuyên giáo Huyện ủy Bù Đốp"),
        ("Tỉnh ủy", "Tỉnh ủy Bình Phước"),
    ],
)
def test_the_names_an_article_uses_find_the_registry_entry(world, written, expected):
    match = find_organisation(written, organisations(), prefer=world.province)
    assert match.organization is not None and match.organization.name == expected


def test_a_name_that_fits_several_entries_lists_them(world):
    for code, name in (("UBND-A", "Ủy ban nhân dân huyện Hớn Quản"), ("HU-A", "Huyện ủy Hớn Quản")):
        org = Organization(code=code, doc_code=code[:4], name=name, kind=OrgKind.GOVERNMENT)
        org.place_path(world.province)
        db.session.add(org)
    db.session.flush()
    match = find_organisation("Ban Tuyên giáo", organisations())
    assert match.organization is None
    assert {o.name for o in match.candidates} == {
        "Ban Tuyên giáo Tỉnh ủy",
        "Ban Tuyên giáo Huyện ủy Bù Đốp",
        "Ban Tuyên giáo Huyện ủy Lộc Ninh",
    }
    assert "có thể là nhiều đơn vị" in match.problem
    assert find_organisation("huyện Hớn Quản", organisations()).organization.name == "Huyện ủy Hớn Quản"


def test_an_abolished_unit_is_not_matched_after_its_end(world):
    world.district.valid_to = date(2025, 6, 30)
    db.session.flush()
    assert find_organisation("huyện Bù Đốp", organisations(), on=date(2025, 8, 1)).organization is None
    assert (
        find_organisation("huyện Bù Đốp", organisations(), on=date(2023, 6, 14)).organization
        is world.district
    )


def test_the_same_article_saved_twice_is_refused_unless_asked(world, article_text):
    save_visit(world.inspector, _reviewed(world, article_text))
    with pytest.raises(ValidationFailed, match="có thể đã được nhập"):
        save_visit(world.inspector, _reviewed(world, article_text))
    save_visit(world.inspector, _reviewed(world, article_text), allow_duplicate=True)
    assert db.session.scalar(select(func.count(Visit.id))) == 2


def test_only_inspectors_save_articles(world, article_text):
    reviewed = _reviewed(world, article_text)
    with pytest.raises(PermissionDenied):
        save_visit(world.office, reviewed)


def test_two_heads_are_refused(world, article_text):
    reviewed = _reviewed(world, article_text)
    people = tuple(
        replace(p, role=DelegationRole.HEAD) if p.name == "Phan Duy Khiêm" else p for p in reviewed.people
    )
    with pytest.raises(ValidationFailed, match="một Trưởng Đoàn"):
        save_visit(world.inspector, replace(reviewed, people=people))


def test_a_bad_citation_stops_the_save_and_leaves_nothing_once_rolled_back(world, article_text):
    reviewed = _reviewed(world, article_text)
    bad = (ReviewedDirective(body="Thực hiện văn bản.", citations=("Quy định số 85/TW",)),)
    with pytest.raises(ValidationFailed):
        save_visit(world.inspector, replace(reviewed, directives=bad))
    db.session.rollback()
    assert db.session.scalar(select(func.count(Visit.id))) == 0


def test_the_place_of_the_meeting_is_kept_apart_from_the_inspected_unit(world, article_text):
    text = article_text.replace("Sáng ngày 14 - 6, Đoàn", "Sáng ngày 14 - 6, tại thị trấn Thanh Bình, Đoàn")
    draft = parse_article(text)
    assert draft.place.value == "thị trấn Thanh Bình"
    assert draft.inspected_unit.value == "huyện Bù Đốp"
    visit = save_visit(world.inspector, _reviewed(world, text))
    assert (visit.place, visit.inspected_org) == ("thị trấn Thanh Bình", world.district)
