# ruff: noqa: E501 - the sheets' rows read best one to a line
"""Past visits back-filled from a spreadsheet: each task keeps its real days, so the timeliness counts
of past years come out as they happened; every step is marked as back-filled; bad input writes nothing."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from models import AuditEntry, Notification, Task, TaskEvent, Visit, db
from models.enums import TaskStatus, VisitStatus
from workflows.backfill import BACKFILLED
from workflows.timeliness import Period, count_tasks

HEADER = ["Số hiệu đợt kiểm tra", "Tên đợt kiểm tra", "Ngày kiểm tra", "Mã đơn vị được kiểm tra", "Số yêu cầu",
          "Nội dung yêu cầu", "Văn bản trích dẫn", "Nhiệm vụ", "Mã đơn vị chủ trì", "Mã đơn vị phối hợp", "Hạn",
          "Ngày giao", "Ngày báo cáo hoàn thành", "Ngày xác nhận hoàn thành", "Tiến độ (%)"]  # fmt: skip
VISIT = ["KT-2023-07", "Kiểm tra công tác tuyên giáo năm 2023", "14/06/2023", "HU-BUDOP"]
YEAR_2023 = Period(date(2023, 1, 1), date(2023, 12, 31))


def sheet_bytes(rows: list[list[object]], title: str = "Lịch sử") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str = "lich-su.xlsx"):
    return client.post(
        "/visits/import-history", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def confirm(client, page: str):
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    return client.post("/visits/import-history/confirm", data={"token": token, "filename": "x.xlsx"})


def task_row(
    number, title, due, assigned, reported="", verified="", progress="", body="", lead="BTGHU-BUDOP", cited=""
):
    return [*VISIT, number, body, cited, title, lead, "", due, assigned, reported, verified, progress]


ROWS = [
    HEADER,
    # Reported before its due date and verified a week later: on time.
    task_row(1, "Hội nghị quán triệt", "30/09/2023", "20/06/2023", "25/09/2023", "02/10/2023", body="Quán triệt 85-QĐ/TW.", cited="85-QĐ/TW"),
    # Reported after its due date: late, though verified the same week.
    task_row(1, "Báo cáo kết quả", "31/08/2023", "20/06/2023", "15/11/2023", "20/11/2023"),
    # Never reported in 2023: overdue at the end of 2023.
    task_row(2, "Rà soát quy chế", "31/10/2023", "20/06/2023", progress="40", body="Rà soát quy chế làm việc."),
]  # fmt: skip


def test_a_back_filled_year_counts_by_its_real_days(login_as, world):
    client = login_as(world.inspector)
    assert 'href="/visits/import-history"' in client.get("/visits").get_data(as_text=True)
    preview = upload(client, sheet_bytes(ROWS))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page
    assert "Sẽ thêm 4, sửa 0, giữ nguyên 0." in page  # one visit and three tasks
    assert db.session.scalar(select(func.count(Task.id))) == 0
    done = confirm(client, page)
    assert done.status_code == 200, done.get_data(as_text=True)
    visit = db.session.scalar(select(Visit).where(Visit.reference == "KT-2023-07"))
    assert visit.visited_on == date(2023, 6, 14) and visit.status is VisitStatus.CONDUCTED
    assert [d.number for d in visit.directives] == [1, 2]
    assert [d.code for d in visit.directives[0].citations] == ["85-QĐ/TW"]
    counts = count_tasks(db.session, None, YEAR_2023, date(2023, 12, 31))[()]
    assert (counts.on_time, counts.late, counts.overdue, counts.total) == (1, 1, 1, 3)
    assert counts.done == 2
    # Before the late report, at the end of September, the second task was overdue and the first waiting.
    september = count_tasks(db.session, None, YEAR_2023, date(2023, 9, 30))[()]
    assert (september.awaiting_on_time, september.overdue, september.open_within) == (1, 1, 1)
    meeting, report = visit.directives[0].tasks
    assert meeting.status is TaskStatus.DONE and meeting.completed_on == date(2023, 9, 25)
    assert report.completed_on == date(2023, 11, 15)
    survey = visit.directives[1].tasks[0]
    assert survey.status is TaskStatus.IN_PROGRESS and survey.progress == 40
    notes = [e.note for e in meeting.events]
    assert len(notes) == 3 and all(note.startswith(BACKFILLED) for note in notes)
    assert meeting.events[0].actor == world.inspector
    backfilled = db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "task.backfilled")
    )
    assert backfilled == 3
    assert db.session.scalar(select(func.count(Notification.id))) == 0  # no office hears of 2023 tasks


def test_the_audit_page_names_the_back_fill(login_as, world):
    client = login_as(world.inspector)
    confirm(client, upload(client, sheet_bytes(ROWS)).get_data(as_text=True))
    page = login_as(world.admin).get("/admin/audit").get_data(as_text=True)
    assert "Nhập bù lịch sử nhiệm vụ" in page and "Nhập bù đợt kiểm tra đã qua" in page


@pytest.mark.parametrize(
    ("row", "message", "column"),
    [
        (task_row(1, "A", "30/09/2023", "20/06/2023", progress="150"), "Tiến độ 150% không hợp lệ", "O «Tiến độ (%)»"),
        (task_row(1, "A", "30/09/2023", "20/06/2023", "10/06/2023"), "Ngày báo cáo 10/06/2023 trước ngày giao 20/06/2023.", "M «Ngày báo cáo hoàn thành»"),
        (task_row(1, "A", "30/09/2023", "20/06/2023", "", "02/10/2023"), "cần ngày đơn vị báo cáo", "M «Ngày báo cáo hoàn thành»"),
        (task_row(1, "A", "31/02/2023", "20/06/2023"), "Ngày «31/02/2023» không đọc được", "K «Hạn»"),
        (task_row(1, "A", "01/06/2023", "20/06/2023"), "Hạn 01/06/2023 trước ngày kiểm tra 14/06/2023.", "K «Hạn»"),
        (task_row(1, "A", "30/09/2023", "=DATE(2023,6,20)"), "Ô chứa công thức", "L «Ngày giao»"),
        (task_row(1, "A", "30/09/2023", "20/06/2023", lead="KHONG-CO"), "Không có đơn vị mã KHONG-CO", "I «Mã đơn vị chủ trì»"),
        (task_row(1, "A", "30/09/2023", "20/06/2023", lead="BTGHU-LOCNINH"), "không hoạt động vào ngày 20/06/2023", "I «Mã đơn vị chủ trì»"),
        (task_row(1, "A", "30/09/2023", "20/06/2023", lead=""), "Chưa có giá trị.", "I «Mã đơn vị chủ trì»"),
        (["", "Đợt tương lai", "01/01/2999", "HU-BUDOP", 1, "Nội dung", "", "", "BTGHU-BUDOP", "", "", "02/01/2999", "", "", ""],
         "chưa qua", "C «Ngày kiểm tra»"),
    ],
)  # fmt: skip
def test_a_bad_history_cell_names_its_row_and_column_and_nothing_is_written(
    login_as, world, row, message, column
):
    world.other_office.valid_to = date(2023, 1, 1)
    db.session.commit()
    first = task_row(1, "Đúng", "30/09/2023", "20/06/2023", body="Nội dung")
    page = upload(login_as(world.inspector), sheet_bytes([HEADER, first, row])).get_data(as_text=True)
    assert message in page, page
    assert column in page
    assert "Trang tính «Lịch sử»" in page
    assert 'name="token"' not in page
    assert db.session.scalar(select(func.count(Visit.id))) == 0
    assert db.session.scalar(select(func.count(TaskEvent.id))) == 0


def test_a_reference_already_used_is_refused_and_only_inspectors_back_fill(login_as, world, create_visit):
    create_visit(reference="KT-2023-07")
    db.session.commit()
    page = upload(login_as(world.inspector), sheet_bytes(ROWS)).get_data(as_text=True)
    assert "Số hiệu đợt kiểm tra KT-2023-07 đã có." in page and "A «Số hiệu đợt kiểm tra»" in page
    for user in (world.office, world.leader, world.admin):
        assert login_as(user).get("/visits/import-history").status_code == 403
    assert db.session.scalar(select(func.count(Task.id))) == 0


def test_the_command_line_back_fills_as_a_named_inspector(runner, world, tmp_path):
    path = tmp_path / "lich-su.xlsx"
    path.write_bytes(sheet_bytes(ROWS))
    dry = runner.invoke(args=["import-history", str(path), "--as", "inspector", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "không ghi gì" in dry.output and db.session.scalar(select(func.count(Task.id))) == 0
    refused = runner.invoke(args=["import-history", str(path), "--as", "office"])
    assert refused.exit_code != 0 and "Chỉ cán bộ kiểm tra" in refused.output
    result = runner.invoke(args=["import-history", str(path), "--as", "inspector"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    counts = count_tasks(db.session, None, YEAR_2023, date(2023, 12, 31))[()]
    assert (counts.on_time, counts.late, counts.overdue) == (1, 1, 1)


def test_the_back_filled_year_reads_the_same_in_the_dashboards_download(login_as, world):
    """Round trip: a history sheet in → the leader's dashboard .xlsx for 2023 out → the same counts."""
    client = login_as(world.inspector)
    confirm(client, upload(client, sheet_bytes(ROWS)).get_data(as_text=True))
    from tests.board.test_downloads import download, sheet_rows

    leader = login_as(world.leader)
    url = "/dashboard.xlsx?period_from=01/01/2023&period_to=31/12/2023&as_of=31/12/2023"
    above, header, rows, _ = sheet_rows(download(leader, url))
    assert "Số liệu tính đến ngày 31/12/2023" in above
    line = {row[0]: row for row in rows}[world.district_office.name]
    named = dict(zip(header, line, strict=False))
    assert named["Tổng số"] == 3
    assert named["Đã hoàn thành – đúng hạn"] == 1
    assert named["Đã hoàn thành – quá hạn"] == 1
    assert named["Chưa hoàn thành – quá hạn"] == 1


def test_an_english_inspector_reads_the_pages_and_the_errors_in_english(login_as, world):
    world.inspector.locale = "en"
    db.session.commit()
    client = login_as(world.inspector)
    start = client.get("/visits/import-history").get_data(as_text=True)
    assert "Back-fill inspection history from a spreadsheet" in start
    assert "The day the unit reported the task done; timeliness is counted from this day." in start
    bad = task_row(1, "A", "30/09/2023", "20/06/2023", "10/06/2023", progress="150", body="Nội dung")
    page = upload(client, sheet_bytes([HEADER, bad])).get_data(as_text=True)
    assert "Report date 10/06/2023 is before the assignment date 20/06/2023." in page
    assert "M «Ngày báo cáo hoàn thành»" in page  # the column as the sheet names it
    good = upload(client, sheet_bytes(ROWS)).get_data(as_text=True)
    assert "Would add 4, change 0, leave 0 unchanged. Nothing has been saved yet." in good
