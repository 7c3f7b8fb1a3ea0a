"""The task page: the directive, the deadline, the history, and the forms of each side."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

from sqlalchemy import select

from models import Task, TaskEvent, db
from models.enums import ExtensionStatus, TaskEventKind, TaskStatus
from tests.board.conftest import post_files
from tests.conftest import at
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.clock import local_today


def reload(task: Task) -> Task:
    db.session.expire_all()
    return db.session.get(Task, task.id)


def test_the_page_shows_the_directive_it_comes_from(login_as, world, create_visit):
    visit = create_visit()
    directive = visit_flow.issue_directive(
        visit,
        world.inspector,
        title="Quán triệt Quy định 85",
        body="Tổ chức hội nghị quán triệt Quy định 85-QĐ/TW đến toàn thể đảng viên.",
        citations=["85-QĐ/TW"],
    )
    directive2 = visit_flow.issue_directive(visit, world.inspector, body="Kiện toàn đội ngũ báo cáo viên.")
    task = task_flow.assign_task(
        directive2,
        world.inspector,
        lead_org=world.district_office,
        coordinating=[world.district_culture],
        due_on=date(2023, 12, 31),
        now=at(date(2023, 6, 20)),
    )
    assert directive.number == 1
    db.session.commit()
    page = login_as(world.office).get(f"/tasks/{task.id}").get_data(as_text=True)
    assert visit.title in page
    assert visit.reference in page
    assert "14/06/2023" in page
    assert "Yêu cầu số 2" in page
    assert "Hai là," in page
    assert "Kiện toàn đội ngũ báo cáo viên." in page
    assert "31/12/2023" in page
    assert world.district_culture.name in page
    assert "Giao nhiệm vụ" in page  # the first line of the history


def test_cited_documents_are_listed(login_as, world, create_visit):
    visit = create_visit()
    directive = visit_flow.issue_directive(
        visit, world.inspector, body="Thực hiện Chỉ thị 05-CT/TW.", citations=["05-CT/TW", "85-QĐ/TW"]
    )
    task = task_flow.assign_task(directive, world.inspector, lead_org=world.district_office, due_on=None)
    db.session.commit()
    page = login_as(world.office).get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "05-CT/TW" in page and "85-QĐ/TW" in page
    assert "Văn bản viện dẫn" in page


def test_an_extended_deadline_keeps_the_original_beside_it(login_as, world, create_task):
    task = create_task(due_on=date(2023, 10, 31))
    extension = task_flow.request_extension(
        task, world.office, new_due_on=date(2024, 1, 15), reason="Chờ số liệu năm học."
    )
    task_flow.decide_extension(extension, world.inspector, approve=True)
    db.session.commit()
    page = login_as(world.office).get(f"/tasks/{task.id}").get_data(as_text=True)
    due = re.search(r'id="due">(.*?)</dd>', page, re.S).group(1)
    assert "15/01/2024" in due and "hạn ban đầu 31/10/2023" in due
    assert "Chờ số liệu năm học." in page
    assert "Đồng ý gia hạn đến 15/01/2024" in page


def test_the_lead_office_records_progress_with_a_percentage(login_as, world, create_task):
    task = create_task()
    db.session.commit()
    client = login_as(world.office)
    response = post_files(
        client, f"/tasks/{task.id}/progress", "progress", task, note="Đã xây dựng kế hoạch.", progress="30"
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/tasks/{task.id}#lich-su")
    task = reload(task)
    assert task.progress == 30
    assert task.status is TaskStatus.IN_PROGRESS
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Đã ghi tiến độ." in page
    assert "Đã xây dựng kế hoạch." in page
    assert "Cập nhật tiến độ · 30%" in page


def test_a_percentage_out_of_range_is_refused_on_the_form(login_as, world, create_task):
    task = create_task()
    db.session.commit()
    response = post_files(
        login_as(world.office),
        f"/tasks/{task.id}/progress",
        "progress",
        task,
        note="Ghi chú.",
        progress="130",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Tỷ lệ hoàn thành là một số từ 0 đến 100." in page
    assert "Ghi chú." in page
    assert reload(task).progress == 0


def test_an_empty_note_is_refused_on_the_form(login_as, world, create_task):
    task = create_task()
    db.session.commit()
    response = post_files(login_as(world.office), f"/tasks/{task.id}/report", "report", task, note="   ")
    assert response.status_code == 400
    assert "Cần ghi kết quả thực hiện khi báo cáo hoàn thành." in response.get_data(as_text=True)
    assert reload(task).status is TaskStatus.ASSIGNED


def test_a_coordinating_unit_adds_a_note_but_cannot_report(login_as, world, create_task):
    task = create_task(coordinating=[world.district_culture])
    db.session.commit()
    client = login_as(world.coordinator)
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Ghi ý kiến phối hợp" in page
    assert 'id="report-form"' not in page
    assert 'name="progress-progress"' not in page
    response = post_files(
        client,
        f"/tasks/{task.id}/progress",
        "progress",
        task,
        note="Phòng đã cung cấp tài liệu.",
        progress="90",
    )
    assert response.status_code == 302
    task = reload(task)
    assert task.progress == 0  # coordinating units only write notes
    assert task.events[-1].kind is TaskEventKind.COMMENT
    assert post_files(client, f"/tasks/{task.id}/report", "report", task, note="Xong.").status_code == 403
    assert reload(task).status is TaskStatus.ASSIGNED


def test_the_office_reports_done_and_the_page_says_it_waits(login_as, world, create_task):
    task = create_task()
    db.session.commit()
    client = login_as(world.office)
    response = post_files(client, f"/tasks/{task.id}/report", "report", task, note="Đã tổ chức hội nghị.")
    assert response.status_code == 302
    assert reload(task).status is TaskStatus.REPORTED
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "đang chờ cơ quan kiểm tra xác nhận" in page
    assert 'id="report-form"' not in page


def test_reporting_twice_is_refused_with_a_message(login_as, world, create_task):
    task = create_task()
    task_flow.report_task_done(task, world.office, note="Xong.")
    db.session.commit()
    response = post_files(login_as(world.office), f"/tasks/{task.id}/report", "report", task, note="Lần hai.")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "không thể báo cáo hoàn thành" in page
    assert "Lần hai." in page


def test_the_office_asks_for_an_extension_with_a_reason(login_as, world, create_task):
    task = create_task(due_on=date(2023, 12, 31))
    db.session.commit()
    client = login_as(world.office)
    response = post_files(
        client,
        f"/tasks/{task.id}/extension",
        "extension",
        task,
        new_due_on="31/03/2024",
        reason="Chờ kinh phí in tài liệu.",
    )
    assert response.status_code == 302
    (extension,) = reload(task).extensions
    assert extension.requested_due_on == date(2024, 3, 31)
    assert extension.status is ExtensionStatus.PENDING
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "đang chờ cơ quan kiểm tra quyết định" in page


def test_an_impossible_or_earlier_extension_date_gets_a_message(login_as, world, create_task):
    task = create_task(due_on=date(2023, 12, 31))
    db.session.commit()
    client = login_as(world.office)
    bad = post_files(
        client, f"/tasks/{task.id}/extension", "extension", task, new_due_on="31/02/2024", reason="Lý do."
    )
    assert bad.status_code == 400
    assert "không có trên lịch" in bad.get_data(as_text=True)
    earlier = post_files(
        client, f"/tasks/{task.id}/extension", "extension", task, new_due_on="01/12/2023", reason="Lý do rõ."
    )
    assert earlier.status_code == 400
    page = earlier.get_data(as_text=True)
    assert "Hạn mới phải sau hạn hiện tại (31/12/2023)" in page
    assert "Lý do rõ." in page
    assert reload(task).extensions == []


def test_the_inspector_returns_a_report_and_the_note_shows_on_top(login_as, client_for, world, create_task):
    task = create_task()
    task_flow.report_task_done(task, world.office, note="Đã làm.")
    db.session.commit()
    inspector = client_for(world.inspector)
    assert 'id="return-button"' in inspector.get(f"/tasks/{task.id}").get_data(as_text=True)
    response = post_files(
        inspector, f"/tasks/{task.id}/return", "verify", task, note="Thiếu danh sách đảng viên dự hội nghị."
    )
    assert response.status_code == 302
    assert reload(task).status is TaskStatus.RETURNED
    page = client_for(world.office).get(f"/tasks/{task.id}").get_data(as_text=True)
    top = page.index('id="returned-note"')
    assert top < page.index('id="directive"')
    assert "Thiếu danh sách đảng viên dự hội nghị." in page[top : page.index('id="directive"')]
    assert 'id="report-form"' in page  # the office can report again


def test_the_return_note_stays_on_top_while_the_office_works_and_goes_once_it_reports(
    client_for, world, create_task
):
    task = create_task()
    task_flow.report_task_done(task, world.office, note="Đã làm.")
    task_flow.return_task(task, world.inspector, note="Bổ sung biên bản.")
    task_flow.record_progress(task, world.office, note="Đang bổ sung.", progress=80)
    db.session.commit()
    office = client_for(world.office)
    assert 'id="returned-note"' in office.get(f"/tasks/{task.id}").get_data(as_text=True)
    task_flow.report_task_done(reload(task), world.office, note="Đã bổ sung.")
    db.session.commit()
    assert 'id="returned-note"' not in office.get(f"/tasks/{task.id}").get_data(as_text=True)


def test_the_inspector_accepts_a_report(login_as, world, create_task):
    task = create_task()
    task_flow.report_task_done(task, world.office, note="Đã làm.")
    db.session.commit()
    response = post_files(login_as(world.inspector), f"/tasks/{task.id}/verify", "verify", task, note="")
    assert response.status_code == 302
    task = reload(task)
    assert task.status is TaskStatus.DONE
    assert task.completed_on == local_today()


def test_returning_without_a_reason_is_refused(login_as, world, create_task):
    task = create_task()
    task_flow.report_task_done(task, world.office, note="Đã làm.")
    db.session.commit()
    response = post_files(login_as(world.inspector), f"/tasks/{task.id}/return", "verify", task, note="")
    assert response.status_code == 400
    assert "Cần ghi lý do trả lại." in response.get_data(as_text=True)
    assert reload(task).status is TaskStatus.REPORTED


def test_an_inspector_of_another_body_cannot_accept(login_as, world, create_task):
    task = create_task()
    task_flow.report_task_done(task, world.office, note="Đã làm.")
    db.session.commit()
    response = post_files(login_as(world.other_inspector), f"/tasks/{task.id}/verify", "verify", task)
    assert response.status_code == 404
    assert reload(task).status is TaskStatus.REPORTED


def test_the_leader_reads_the_page_without_any_form(login_as, world, create_task):
    task = create_task()
    db.session.commit()
    page = login_as(world.leader).get(f"/tasks/{task.id}").get_data(as_text=True)
    assert task.title in page
    assert '<form method="post" enctype' not in page
    assert 'id="verify-form"' not in page


def test_user_text_is_shown_escaped(login_as, world, create_task):
    task = create_task()
    task_flow.record_progress(task, world.office, note="<script>alert('x')</script> & «ok»")
    db.session.commit()
    page = login_as(world.office).get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_the_history_lists_every_change_newest_first_with_dates(login_as, world, create_task):
    task = create_task(due_on=date(2023, 12, 31))
    task_flow.record_progress(task, world.office, note="Bước một.", progress=20, now=at(date(2023, 7, 1), 8))
    task_flow.record_progress(task, world.office, note="Bước hai.", progress=60, now=at(date(2023, 8, 1), 15))
    db.session.commit()
    page = login_as(world.office).get(f"/tasks/{task.id}").get_data(as_text=True)
    assert page.index("Bước hai.") < page.index("Bước một.")
    assert "01/08/2023 15:00" in page and "01/07/2023 08:00" in page
    assert len(re.findall(r'class="list-group-item history-entry"', page)) == len(reload(task).events)


def test_the_page_runs_the_same_number_of_queries_however_long_the_history(
    login_as, world, create_task, query_counter, sample
):
    from tests.board.conftest import pdf_bytes

    task = create_task(coordinating=[world.district_culture])
    db.session.commit()
    client = login_as(world.office)

    def measure() -> int:
        # The test client shares this test's session: start every request from the same state.
        db.session.commit()
        db.session.expire_all()
        with query_counter() as counted:
            assert client.get(f"/tasks/{task.id}").status_code == 200
        return counted.count

    short = measure()
    for number in range(25):
        response = post_files(
            client,
            f"/tasks/{task.id}/progress",
            "progress",
            reload(task),
            files=[(pdf_bytes(), f"Minh chứng {number}.pdf")],
            note=f"Bước {number}.",
            progress=str(number),
        )
        assert response.status_code == 302
    assert db.session.scalar(select(TaskEvent.id).order_by(TaskEvent.id.desc()).limit(1))
    assert measure() == short


def test_a_success_is_announced_politely_and_a_stale_save_as_an_alert(login_as, world, create_task):
    task = create_task()
    db.session.commit()
    client = login_as(world.office)
    before = SimpleNamespace(version=task.version)  # the form as it was before the first save
    post_files(client, f"/tasks/{task.id}/progress", "progress", task, note="Đã họp.")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert re.search(r'role="status">Đã ghi tiến độ\.</div>', page)
    assert not re.search(r'role="alert">Đã ghi tiến độ', page)
    stale = post_files(client, f"/tasks/{task.id}/progress", "progress", before, note="Bản cũ.")
    assert stale.status_code == 409
    assert re.search(r'role="alert">Nhiệm vụ vừa được người khác cập nhật', stale.get_data(as_text=True))


def _every_column_statement(dialect: str):
    """The task page's statement as it was before the columns the page never shows were left out: each
    unit and the visit read whole (the many-to-many collections joined on PostgreSQL as the page joins
    them; on SQLite, and for the history, left to the page's own statements)."""
    from sqlalchemy import bindparam
    from sqlalchemy.orm import joinedload

    from models import Directive, Visit

    return (
        select(Task)
        .where(Task.id == bindparam("task_id"))
        .options(
            joinedload(Task.lead_org),
            joinedload(Task.directive)
            .joinedload(Directive.visit)
            .options(joinedload(Visit.inspecting_org), joinedload(Visit.inspected_org)),
            *(
                (
                    joinedload(Task.directive).joinedload(Directive.citations),
                    joinedload(Task.coordinating_orgs),
                )
                if dialect == "postgresql"
                else ()
            ),
            joinedload(Task.extensions),
        )
    )


def _every_column_collections():
    """The statements of the task page's collections with each unit and each author read whole."""
    from sqlalchemy import bindparam
    from sqlalchemy.orm import joinedload

    from models import LegalDocument, Organization, TaskEvent
    from models.directive import directive_citation
    from models.task import task_coordinator

    return {
        "events": select(TaskEvent)
        .where(TaskEvent.task_id == bindparam("task_id"))
        .order_by(TaskEvent.id)
        .options(joinedload(TaskEvent.actor), joinedload(TaskEvent.attachments)),
        "coordinating_orgs": select(Organization)
        .select_from(task_coordinator)
        .join(Organization, Organization.id == task_coordinator.c.organization_id)
        .where(task_coordinator.c.task_id == bindparam("task_id")),
        "citations": select(LegalDocument)
        .select_from(directive_citation)
        .join(LegalDocument, LegalDocument.id == directive_citation.c.legal_document_id)
        .where(directive_citation.c.directive_id == bindparam("directive_id"))
        .order_by(LegalDocument.code),
    }


def test_the_page_read_without_its_unshown_columns_is_the_page_read_whole_in_as_many_statements(
    login_as, client_for, world, create_task, query_counter, monkeypatch
):
    from app.board import views

    task = create_task(coordinating=[world.district_culture])
    task_flow.record_progress(task, world.office, note="Bước một.", progress=20, now=at(date(2023, 7, 1), 8))
    task_flow.request_extension(
        task, world.office, new_due_on=date(2024, 3, 31), reason="Chờ hội nghị.", now=at(date(2023, 7, 2), 9)
    )
    task_flow.report_task_done(task, world.office, note="Đã xong.", now=at(date(2023, 7, 3), 10))
    task_flow.return_task(task, world.inspector, note="Thiếu biên bản.", now=at(date(2023, 7, 4), 11))
    db.session.commit()
    clients = {
        "leader": login_as(world.leader),
        "office": client_for(world.office),
        "coordinator": client_for(world.coordinator),
        "inspector": client_for(world.inspector),
    }

    def pages() -> dict[str, tuple[str, int]]:
        shown = {}
        for name, client in clients.items():
            db.session.commit()
            db.session.expire_all()
            with query_counter() as counted:
                response = client.get(f"/tasks/{task.id}")
            assert response.status_code == 200
            page = re.sub(r'(csrf_token" type="hidden" value=")[^"]+', r"\1", response.get_data(as_text=True))
            shown[name] = (page, counted.count)
        return shown

    pages()  # a first visit each: the header reads its badges with the session check from the second on
    trimmed = pages()
    monkeypatch.setattr(views, "_task_page_statement", _every_column_statement)
    monkeypatch.setattr(views, "_task_collections", _every_column_collections)
    assert pages() == trimmed  # the same page, and no left-out column read afterwards
