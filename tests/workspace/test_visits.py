"""Visits in the browser's terms: the list, the form, the dossier, conclusion and closing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import Directive, LegalDocument, Person, Task, Visit, db
from models.enums import DelegationRole, DelegationSide, FindingKind, TaskStatus, VisitStatus
from tests.conftest import at
from tests.workspace.forms import edit_form, visit_form
from workflows import tasks as task_flow
from workflows import visits as visit_flow


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


# --- The list --------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["bu dop", "BÙ ĐỐP", "Bu Đop", "dop bu", "huyen uy bu"])
def test_searching_without_tone_marks_finds_bu_dop(login_as, world, create_visit, query):
    create_visit()
    create_visit(title="Kiểm tra công tác dân vận", inspected_org=world.other_district)
    db.session.commit()
    page = login_as(world.inspector).get("/visits", query_string={"q": query}).get_data(as_text=True)
    assert "Kiểm tra công tác tuyên giáo 6 tháng đầu năm 2023" in page
    assert "Kiểm tra công tác dân vận" not in page


def test_searching_finds_a_visit_by_its_head_and_its_reference(login_as, world, create_visit):
    visit = create_visit(reference="KT-BTGTU-2023-BUDOP")
    create_visit(title="Một đợt khác")
    visit.members[0].role = DelegationRole.HEAD
    db.session.commit()
    client = login_as(world.inspector)
    assert "Một đợt khác" in client.get("/visits?q=mac+dinh+huan").get_data(as_text=True)
    found = client.get("/visits?q=kt-btgtu-2023").get_data(as_text=True)
    assert visit.title in found and "Một đợt khác" not in found


def test_a_search_with_wildcards_matches_them_literally(login_as, world, create_visit):
    create_visit()
    db.session.commit()
    page = login_as(world.inspector).get("/visits?q=%25").get_data(as_text=True)
    assert "Không có đợt kiểm tra nào khớp" in page


def test_the_list_shows_only_visits_in_the_users_scope(login_as, world, create_visit):
    create_visit()
    visit_flow.create_visit(
        world.other_inspector,
        title="Kiểm tra của Ủy ban Kiểm tra",
        subject="công tác kiểm tra",
        visited_on=date(2023, 7, 1),
        inspecting_org=world.other_inspector.organization,
        inspected_org=world.other_district,
    )
    db.session.commit()
    inspector_page = login_as(world.inspector).get("/visits").get_data(as_text=True)
    assert "Kiểm tra của Ủy ban Kiểm tra" not in inspector_page
    assert "Kiểm tra công tác tuyên giáo" in inspector_page


def test_filters_by_status_unit_head_and_period(login_as, world, create_visit):
    first = create_visit(visited_on=date(2023, 6, 14))
    second = create_visit(
        title="Đợt ở Lộc Ninh", inspected_org=world.other_district, visited_on=date(2023, 9, 1)
    )
    visit_flow.conclude_visit(second, world.inspector)
    db.session.commit()
    client = login_as(world.inspector)

    def titles(**args):
        page = client.get("/visits", query_string=args).get_data(as_text=True)
        return {v.title for v in (first, second) if v.title in page}

    assert titles(status="concluded") == {"Đợt ở Lộc Ninh"}
    assert titles(unit=world.district.id) == {first.title}
    assert titles(unit=world.province.id) == {first.title, second.title}
    assert titles(date_from="01/08/2023") == {"Đợt ở Lộc Ninh"}
    assert titles(date_to="30/06/2023") == {first.title}
    assert titles(head="huấn") == {first.title, second.title}
    assert titles(head="khong co ai") == set()


def test_a_wrong_date_in_the_filters_is_explained_not_fatal(login_as, world, create_visit):
    create_visit()
    db.session.commit()
    response = login_as(world.inspector).get("/visits?date_from=31/02/2023")
    assert response.status_code == 200
    assert "không có trên lịch" in response.get_data(as_text=True)


def test_the_list_sorts_by_date_and_by_unit(login_as, world, create_visit):
    create_visit(title="Đợt A", visited_on=date(2023, 3, 1), inspected_org=world.other_district)
    create_visit(title="Đợt B", visited_on=date(2023, 5, 1))
    db.session.commit()
    client = login_as(world.inspector)

    def order(sort):
        page = client.get("/visits", query_string={"sort": sort}).get_data(as_text=True)
        return sorted(["Đợt A", "Đợt B"], key=page.index)

    assert order("-date") == ["Đợt B", "Đợt A"]
    assert order("date") == ["Đợt A", "Đợt B"]
    assert order("unit") == ["Đợt B", "Đợt A"]  # Bù Đốp before Lộc Ninh


def test_the_list_is_paginated(login_as, world, create_visit):
    for n in range(25):
        create_visit(title=f"Đợt số {n:02d}", visited_on=date(2023, 1, 1) + timedelta(days=n))
    db.session.commit()
    client = login_as(world.inspector)
    first = client.get("/visits?per_page=20").get_data(as_text=True)
    assert "Đợt số 24" in first and "Đợt số 04" not in first
    assert "Hiển thị 1–20 trong 25" in first
    second = client.get("/visits?per_page=20&page=2").get_data(as_text=True)
    assert "Đợt số 04" in second and "Đợt số 24" not in second
    beyond = client.get("/visits?per_page=20&page=9").get_data(as_text=True)
    assert "Đợt số 00" in beyond


# --- Creating ----------------------------------------------------------------------------------


def test_an_inspector_records_a_whole_visit_in_one_form(login_as, world):
    client = login_as(world.inspector)
    response = client.post("/visits/new", data=visit_form(world))
    assert response.status_code == 302, response.get_data(as_text=True)
    visit = db.session.scalar(select(Visit))
    assert response.headers["Location"] == f"/visits/{visit.id}"
    assert visit.visited_on == date(2023, 6, 14)
    inspecting = [(m.person.full_name, m.role) for m in visit.members if m.side is DelegationSide.INSPECTING]
    hosts = [(m.person.full_name, m.role) for m in visit.members if m.side is DelegationSide.HOST]
    assert inspecting == [("Mạc Đình Huấn", DelegationRole.HEAD), ("Phan Duy Khiêm", DelegationRole.MEMBER)]
    assert hosts == [
        ("Dương Thanh Huân", DelegationRole.HOST_CHAIR),
        ("Lê Thị Hoa", DelegationRole.HOST_PARTICIPANT),
    ]
    new_person = db.session.scalar(select(Person).where(Person.full_name == "Lê Thị Hoa"))
    assert new_person.organization_id == world.district.id
    assert [f.kind for f in visit.findings] == [FindingKind.ACHIEVEMENT, FindingKind.LIMITATION]
    assert visit.findings[0].is_public and not visit.findings[1].is_public
    assert [d.number for d in visit.directives] == [1, 2, 3]
    assert [d.code for d in visit.directives[1].citations] == ["85-QĐ/TW", "99-HD/BTGTW"]
    assert [d.code for d in visit.directives[2].citations] == ["04-QC/BTGTU"]
    registered = db.session.scalar(select(LegalDocument).where(LegalDocument.code == "04-QC/BTGTU"))
    assert registered.issued_on == date(2023, 3, 20)
    tasks = [t for d in visit.directives for t in d.tasks]
    assert len(tasks) == 3
    assert {t.lead_org_id for t in tasks} == {world.district_office.id}
    assert all([o.id for o in t.coordinating_orgs] == [world.district_culture.id] for t in tasks)
    assert tasks[1].due_on == date(2023, 9, 30)


def test_the_new_visit_form_opens_with_empty_rows_and_the_own_body(login_as, world):
    page = login_as(world.inspector).get("/visits/new").get_data(as_text=True)
    assert 'name="inspecting-2-person_id"' in page
    assert 'name="directives-1-tasks-0-lead_org_id"' in page
    assert f'<option selected value="{world.board.id}">' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Chưa nhập tiêu đề."),
        ("visited_on", "", "Chưa nhập ngày kiểm tra."),
        ("visited_on", "31/02/2023", "không có trên lịch"),
        ("visited_on", "14-6-23", "không đúng dạng ngày/tháng/năm"),
        ("period_end_on", "01/12/2022", "Ngày kết thúc kỳ kiểm tra không được trước ngày bắt đầu."),
        ("inspected_org_id", "board", "Cơ quan kiểm tra và đơn vị được kiểm tra phải khác nhau."),
        ("directives-1-due_on", "01/06/2023", "Hạn thực hiện không được trước ngày kiểm tra."),
        ("directives-0-tasks-0-due_on", "13/06/2023", "Hạn thực hiện không được trước ngày kiểm tra."),
        ("directives-0-tasks-0-lead_org_id", "", "Chưa chọn đơn vị chủ trì."),
        ("directives-1-citations", "Quy định 85/TW", "85/TW"),
        ("directives-1-body", "", "Nội dung yêu cầu không được để trống."),
        ("inspecting-1-role", "head", "Đoàn chỉ có một Trưởng Đoàn."),
        ("hosts-0-role", "head", "Lựa chọn không hợp lệ"),
        ("hosts-1-person_id", "hosts-0", "Người này đã có trong danh sách."),
        ("findings-1-text", "", None),
    ],
)
def test_bad_input_gets_a_message_on_the_form_and_saves_nothing(login_as, world, field, value, message):
    if value == "board":
        value = str(world.board.id)
    if value == "hosts-0":
        value = str(world.host.id)
    data = visit_form(world, **{field: value})
    if field == "hosts-1-person_id":
        data.pop("hosts-1-new_name")
    response = login_as(world.inspector).post("/visits/new", data=data)
    page = response.get_data(as_text=True)
    if message is None:  # an emptied row is simply left out
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert message in page
    assert "Chưa lưu" in page
    assert _count(Visit) == 0
    assert "Quán triệt kịp thời các nghị quyết" in page  # what was typed is still there


def test_a_citation_that_does_not_parse_says_what_is_wrong(login_as, world):
    data = visit_form(world, **{"directives-0-citations": "05-CT/TW; Chỉ thị 17-CT"})
    page = login_as(world.inspector).post("/visits/new", data=data).get_data(as_text=True)
    assert "Số hiệu văn bản thiếu cơ quan ban hành: Chỉ thị 17-CT" in page
    assert 'class="form-control is-invalid' in page


def test_a_code_picked_from_the_registry_is_cited(login_as, world):
    data = visit_form(world, **{"directives-0-citation_pick": "17-CT/TU"})
    login_as(world.inspector).post("/visits/new", data=data)
    directive = db.session.scalar(select(Directive).where(Directive.number == 1))
    assert [d.code for d in directive.citations] == ["17-CT/TU"]


def test_html_typed_in_text_fields_is_shown_escaped(login_as, world):
    data = visit_form(
        world,
        title="<script>alert('x')</script> Bù Đốp",
        **{"findings-0-text": "<b>đậm</b>", "directives-0-body": "<img src=x onerror=alert(1)>"},
    )
    client = login_as(world.inspector)
    location = client.post("/visits/new", data=data).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<b>đậm</b>" not in page and "&lt;b&gt;đậm&lt;/b&gt;" in page
    assert "<img src=x" not in page
    listing = client.get("/visits?q=bu+dop").get_data(as_text=True)
    assert "<script>alert" not in listing


def test_text_is_stored_in_nfc(login_as, world):
    decomposed = "Kie\u0302\u0309m tra Bu\u0300 Đo\u0302\u0301p"
    login_as(world.inspector).post("/visits/new", data=visit_form(world, title=decomposed))
    assert db.session.scalar(select(Visit.title)) == "Kiểm tra Bù Đốp"


def test_adding_a_row_shows_the_form_again_without_saving(login_as, world):
    data = visit_form(world, action="add:inspecting")
    page = login_as(world.inspector).post("/visits/new", data=data).get_data(as_text=True)
    assert 'name="inspecting-2-person_id"' in page
    assert "Phan Duy Khiêm" in page
    assert _count(Visit) == 0


def test_adding_a_task_row_to_one_directive(login_as, world):
    data = visit_form(world, action="add:directives-1-tasks")
    page = login_as(world.inspector).post("/visits/new", data=data).get_data(as_text=True)
    assert 'name="directives-1-tasks-1-lead_org_id"' in page
    assert 'name="directives-0-tasks-1-lead_org_id"' not in page


def test_findings_move_up_and_down_and_keep_that_order(login_as, world):
    data = visit_form(
        world,
        **{"findings-1-kind": "achievement", "findings-1-text": "Thứ hai", "findings-0-text": "Thứ nhất"},
        action="up:findings-1",
    )
    client = login_as(world.inspector)
    page = client.post("/visits/new", data=data).get_data(as_text=True)
    assert page.index("Thứ hai") < page.index("Thứ nhất")
    resend = edit_form(page)
    assert resend["findings-0-text"] == "Thứ hai"
    client.post("/visits/new", data=resend)
    visit = db.session.scalar(select(Visit))
    assert [f.text for f in visit.findings] == ["Thứ hai", "Thứ nhất"]


# --- Editing -----------------------------------------------------------------------------------


def _saved_visit(client, world):
    client.post("/visits/new", data=visit_form(world))
    return db.session.scalar(select(Visit))


def test_editing_changes_rows_and_never_reuses_a_number(login_as, world):
    client = login_as(world.inspector)
    visit = _saved_visit(client, world)
    directive_3 = visit.directives[2]
    db.session.execute(Task.__table__.delete().where(Task.directive_id == directive_3.id))
    db.session.commit()
    data = edit_form(client.get(f"/visits/{visit.id}/edit").get_data(as_text=True))
    data["title"] = "Tiêu đề mới"
    data["inspecting-1-remove"] = "y"
    data["findings-2-kind"] = "cause"
    data["findings-2-text"] = "Nguồn nhân lực còn mỏng."
    data["directives-0-body"] = "Bám sát chương trình công tác năm 2023 (sửa)."
    data["directives-2-remove"] = "y"
    data["directives-3-body"] = "Đẩy mạnh kiểm tra, giám sát ở cơ sở."
    response = client.post(f"/visits/{visit.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    visit = db.session.get(Visit, visit.id)
    assert visit.title == "Tiêu đề mới"
    assert [m.person.full_name for m in visit.members if m.side is DelegationSide.INSPECTING] == [
        "Mạc Đình Huấn"
    ]
    assert sorted(f.kind for f in visit.findings) == [
        FindingKind.ACHIEVEMENT,
        FindingKind.CAUSE,
        FindingKind.LIMITATION,
    ]
    assert [d.number for d in visit.directives] == [1, 2, 4]
    assert visit.directives[0].body.endswith("(sửa).")


def test_a_directive_with_tasks_cannot_be_withdrawn(login_as, world):
    client = login_as(world.inspector)
    visit = _saved_visit(client, world)
    data = edit_form(client.get(f"/visits/{visit.id}/edit").get_data(as_text=True))
    data["directives-0-remove"] = "y"
    response = client.post(f"/visits/{visit.id}/edit", data=data)
    assert response.status_code == 200
    assert "hãy hủy các nhiệm vụ trước" in response.get_data(as_text=True)
    assert len(db.session.get(Visit, visit.id).directives) == 3


def test_the_head_can_be_handed_to_another_member(login_as, world):
    client = login_as(world.inspector)
    visit = _saved_visit(client, world)
    data = edit_form(client.get(f"/visits/{visit.id}/edit").get_data(as_text=True))
    data["inspecting-0-role"] = "member"
    data["inspecting-1-role"] = "head"
    assert client.post(f"/visits/{visit.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).head.person.full_name == "Phan Duy Khiêm"


def test_an_unstarted_task_is_corrected_and_a_started_one_is_left_alone(login_as, world):
    client = login_as(world.inspector)
    visit = _saved_visit(client, world)
    started = visit.directives[1].tasks[0]
    task_flow.start_task(started, world.office)
    db.session.commit()
    page = client.get(f"/visits/{visit.id}/edit").get_data(as_text=True)
    assert "Nhiệm vụ đã bắt đầu" in page
    data = edit_form(page)
    data["directives-0-tasks-0-due_on"] = "15/11/2023"
    data["directives-0-tasks-0-lead_org_id"] = str(world.district_culture.id)
    assert client.post(f"/visits/{visit.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    corrected = db.session.get(Visit, visit.id).directives[0].tasks[0]
    assert corrected.due_on == corrected.original_due_on == date(2023, 11, 15)
    assert corrected.lead_org_id == world.district_culture.id
    assert corrected.coordinating_orgs == []  # a lead unit does not coordinate itself
    assert db.session.get(Task, started.id).status is TaskStatus.IN_PROGRESS


def test_a_task_row_can_be_cancelled_from_the_form(login_as, world):
    client = login_as(world.inspector)
    visit = _saved_visit(client, world)
    data = edit_form(client.get(f"/visits/{visit.id}/edit").get_data(as_text=True))
    data["directives-2-tasks-0-remove"] = "y"
    assert client.post(f"/visits/{visit.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).directives[2].tasks[0].status is TaskStatus.CANCELLED


def test_a_stale_form_overwrites_nothing_and_keeps_what_was_typed(app, login_as, world):
    client = login_as(world.inspector)
    visit_id = _saved_visit(client, world).id
    mine = edit_form(client.get(f"/visits/{visit_id}/edit").get_data(as_text=True))
    theirs = dict(mine, title="Tiêu đề của người khác")
    colleague = app.test_client()
    db.session.commit()  # end the test's transaction: SQLite writers take the lock at BEGIN
    with app.app_context():
        colleague.post("/login", data={"username": "inspector", "password": "mật-khẩu-thử"})
        assert colleague.post(f"/visits/{visit_id}/edit", data=theirs).status_code == 302
    visit = db.session.get(Visit, visit_id)
    mine["title"] = "Tiêu đề của tôi"
    mine["findings-2-text"] = "Một nhận xét tôi vừa gõ."
    response = client.post(f"/visits/{visit.id}/edit", data=mine)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Chưa có gì bị ghi đè" in page
    assert "Tiêu đề của tôi" in page and "Một nhận xét tôi vừa gõ." in page
    db.session.expire_all()
    saved = db.session.get(Visit, visit.id)
    assert saved.title == "Tiêu đề của người khác"
    assert len(saved.findings) == 2
    again = edit_form(page)
    assert client.post(f"/visits/{visit.id}/edit", data=again).status_code == 302
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).title == "Tiêu đề của tôi"


def test_a_visit_concluded_meanwhile_keeps_the_typing_and_saves_nothing(login_as, world):
    client = login_as(world.inspector)
    visit = _saved_visit(client, world)
    data = edit_form(client.get(f"/visits/{visit.id}/edit").get_data(as_text=True))
    visit_flow.conclude_visit(visit, world.inspector)
    db.session.commit()
    data["title"] = "Tiêu đề gõ dở"
    response = client.post(f"/visits/{visit.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Tiêu đề gõ dở" in page and "không thể lưu các thay đổi này" in page
    assert 'id="save"' not in page
    assert db.session.get(Visit, visit.id).title != "Tiêu đề gõ dở"


def test_a_form_without_its_version_counts_as_stale(login_as, world):
    client = login_as(world.inspector)
    visit = _saved_visit(client, world)
    data = edit_form(client.get(f"/visits/{visit.id}/edit").get_data(as_text=True))
    data["version"] = "abc"
    assert client.post(f"/visits/{visit.id}/edit", data=data).status_code == 409


# --- The dossier, conclusion and closing -------------------------------------------------------


def test_the_dossier_reads_like_a_file(login_as, world, full_visit):
    visit = full_visit()
    task = visit.directives[0].tasks[0]
    task_flow.record_progress(
        task, world.office, note="Đã xây dựng kế hoạch.", progress=40, now=at(date(2023, 7, 1))
    )
    db.session.commit()
    page = login_as(world.leader).get(f"/visits/{visit.id}").get_data(as_text=True)
    for text in (
        "Mạc Đình Huấn",
        "Trưởng Đoàn",
        "Dương Thanh Huân",
        "Chủ trì",
        "Kết quả đạt được",
        "Hạn chế, khuyết điểm",
        "Một là,",
        "Ba là,",
        "85-QĐ/TW",
        "Ban Tuyên giáo Huyện ủy Bù Đốp",
        "Phòng Văn hóa và Thông tin huyện Bù Đốp",
        "40%",
        "Đã xây dựng kế hoạch.",
        "01/07/2023",
    ):
        assert text in page, text
    assert page.index("Kết quả đạt được") < page.index("Hạn chế, khuyết điểm")
    assert "Sửa</a>" not in page  # a leader reads but does not edit


def test_the_dossier_links_tasks_to_the_board_when_it_exists(app, login_as, world, full_visit, monkeypatch):
    visit = full_visit(directives=1)
    task_id = visit.directives[0].tasks[0].id
    client = login_as(world.inspector)
    monkeypatch.setitem(app.view_functions, "board.task_detail", lambda task_id: "")
    if "board.task_detail" not in {rule.endpoint for rule in app.url_map.iter_rules()}:
        monkeypatch.setattr("app.workspace.url_for", lambda endpoint, task_id: f"/tasks/{task_id}")
    assert f'href="/tasks/{task_id}"' in client.get(f"/visits/{visit.id}").get_data(as_text=True)


def test_an_inspector_concludes_a_visit_and_it_can_no_longer_be_edited(login_as, world, full_visit):
    visit = full_visit()
    client = login_as(world.inspector)
    response = client.post(f"/visits/{visit.id}/conclude", data={"version": visit.version})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status is VisitStatus.CONCLUDED
    edit = client.get(f"/visits/{visit.id}/edit", follow_redirects=True).get_data(as_text=True)
    assert "Đợt kiểm tra đã kết luận" in edit


def test_a_visit_without_a_head_cannot_be_concluded(login_as, world, create_visit):
    visit = create_visit()
    db.session.delete(visit.members[0])
    db.session.commit()
    client = login_as(world.inspector)
    page = client.post(
        f"/visits/{visit.id}/conclude", data={"version": visit.version}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Cần ghi Trưởng Đoàn trước khi kết luận." in page


def test_a_visit_closes_only_when_its_tasks_are_finished(login_as, world, full_visit):
    visit = full_visit(directives=1)
    visit_flow.conclude_visit(visit, world.inspector)
    db.session.commit()
    client = login_as(world.inspector)
    page = client.post(
        f"/visits/{visit.id}/close",
        data={"version": visit.version, "evaluation": "Đã xong."},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Còn 1 nhiệm vụ chưa hoàn thành" in page
    task = visit.directives[0].tasks[0]
    task_flow.report_task_done(task, world.office, note="Đã tổ chức hội nghị.", now=at(date(2023, 9, 1)))
    task_flow.verify_task(task, world.inspector, now=at(date(2023, 9, 2)))
    db.session.commit()
    missing = client.post(f"/visits/{visit.id}/close", data={"version": visit.version, "evaluation": " "})
    assert missing.status_code == 302
    assert db.session.get(Visit, visit.id).status is VisitStatus.CONCLUDED
    client.post(
        f"/visits/{visit.id}/close", data={"version": visit.version, "evaluation": "Đơn vị đã khắc phục."}
    )
    db.session.expire_all()
    closed = db.session.get(Visit, visit.id)
    assert closed.status is VisitStatus.CLOSED
    assert closed.closing_evaluation == "Đơn vị đã khắc phục."


def test_one_more_task_can_be_given_after_the_conclusion(login_as, world, full_visit):
    visit = full_visit(directives=1)
    visit_flow.conclude_visit(visit, world.inspector)
    db.session.commit()
    directive = visit.directives[0]
    url = f"/visits/{visit.id}/directives/{directive.id}/tasks/new"
    client = login_as(world.inspector)
    assert client.get(url).status_code == 200
    bad = client.post(url, data={"lead_org_id": world.district_culture.id, "due_on": "01/01/2020"})
    assert "Hạn thực hiện không được trước ngày kiểm tra." in bad.get_data(as_text=True)
    done = client.post(
        url,
        data={
            "lead_org_id": world.district_culture.id,
            "coordinating_ids": [world.district_office.id],
            "due_on": "31/03/2024",
            "title": "Báo cáo kết quả khắc phục",
        },
    )
    assert done.status_code == 302
    tasks = db.session.scalars(select(Task).where(Task.directive_id == directive.id).order_by(Task.id)).all()
    assert tasks[-1].title == "Báo cáo kết quả khắc phục"
    assert tasks[-1].due_on == date(2024, 3, 31)


def test_a_directive_of_another_visit_is_not_found(login_as, world, full_visit):
    first = full_visit(directives=1)
    second = full_visit(directives=1)
    url = f"/visits/{first.id}/directives/{second.directives[0].id}/tasks/new"
    assert login_as(world.inspector).get(url).status_code == 404


def test_a_visit_saved_after_its_day_with_findings_is_recorded_as_held(login_as, world):
    client = login_as(world.inspector)
    client.post("/visits/new", data=visit_form(world))  # 14/06/2023, two findings
    held = db.session.scalars(select(Visit).order_by(Visit.id.desc())).first()
    assert held.status is VisitStatus.CONDUCTED
    no_findings = visit_form(
        world, title="Đợt chưa ghi nhận xét", **{"findings-0-text": "", "findings-1-text": ""}
    )
    client.post("/visits/new", data=no_findings)
    planned = db.session.scalars(select(Visit).order_by(Visit.id.desc())).first()
    assert planned.title == "Đợt chưa ghi nhận xét"
    assert planned.status is VisitStatus.PLANNED  # nothing says the meeting took place yet


def test_an_ended_unit_is_reported_in_the_first_round_with_the_other_errors(login_as, world):
    world.district.valid_to = date(2023, 1, 1)  # merged before the visit of 14/06/2023
    db.session.commit()
    data = visit_form(world, title="")
    response = login_as(world.inspector).post("/visits/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "không còn hoạt động vào ngày 14/06/2023" in page  # the unit, in the same round …
    assert 'id="title-error"' in page  # … as the empty title
    assert 'href="#inspected_org_id"' in page  # and the summary at the top links to the unit's field
    assert db.session.scalar(select(func.count(Visit.id))) == 0
