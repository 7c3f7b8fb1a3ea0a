"""The task list and the dashboard as .xlsx: the same numbers as the pages, counted by count_tasks."""

from __future__ import annotations

import re
from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from models import Task, db
from models.enums import Timeliness
from models.labels import label
from tests.board.test_dashboard import COLUMNS, TODAY, province_tasks, row_numbers  # noqa: F401
from workflows import tasks as task_flow
from workflows.timeliness import EVERYTHING, count_tasks

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_rows(data: bytes, index: int = 0) -> tuple[list[str], list[str], list[list[object]], object]:
    """The title and notes above the table, its header, its rows, and the sheet."""
    sheet = load_workbook(BytesIO(data)).worksheets[index]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header_at = int(sheet.freeze_panes[1:]) - 2  # the frozen pane starts below the header
    above = [row[0] for row in values[:header_at] if row and row[0] is not None]
    return above, values[header_at], values[header_at + 1 :], sheet


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data


def test_the_dashboard_sheet_holds_the_page_numbers_and_the_shared_count(login_as, world, province_tasks):  # noqa: F811
    client = login_as(world.leader)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'id="dashboard-xlsx"' in page
    above, header, rows, sheet = sheet_rows(download(client, "/dashboard.xlsx"))
    assert header[0] == "Đơn vị chủ trì" and header[1] == "Tổng số"
    assert f"Số liệu tính đến ngày {TODAY:%d/%m/%Y}" in above
    assert any("Tỉnh ủy Bình Phước" in line for line in above)
    assert sheet.auto_filter.ref.startswith(f"A{len(above) + 2}")
    by_name = {row[0]: row for row in rows}
    shared = count_tasks(db.session, world.province, EVERYTHING, TODAY, group_by=[Task.lead_org_id])
    for lead in (world.district_office, world.district_culture, world.other_office):
        line = by_name[lead.name]
        assert line[1:7] == row_numbers(page, f'data-org="{lead.id}"')
        counts = shared[(lead.id,)]
        assert line[1:7] == [getattr(counts, c) for c in COLUMNS]
        assert all(isinstance(n, int) for n in line[1:7])  # numbers, not text
    total = by_name["Tổng cộng"]
    assert total[1:7] == row_numbers(page, 'id="total-row"')
    everything = count_tasks(db.session, world.province, EVERYTHING, TODAY)[()]
    assert total[7] == pytest.approx(everything.completion_rate) and total[8] == pytest.approx(
        everything.share("done")
    )
    assert sheet.cell(row=len(above) + 3, column=8).number_format == "0.0%"

    above, header, trend, _ = sheet_rows(download(client, "/dashboard.xlsx"), 1)
    page_trend = re.findall(r"<th scope=\"row\" class=\"fw-normal\">(\d\d/\d{4})</th>", page)
    assert [row[0] for row in trend] == page_trend
    assert all(isinstance(row[1], datetime) for row in trend)  # a real date cell

    _, header, overdue, _ = sheet_rows(download(client, "/dashboard.xlsx"), 2)
    assert len(overdue) == everything.overdue == 3
    assert [row[5] for row in overdue] == sorted((row[5] for row in overdue), reverse=True)


def test_the_dashboard_sheet_follows_the_chosen_unit_and_period(login_as, world, province_tasks):  # noqa: F811
    client = login_as(world.leader)
    url = f"/dashboard.xlsx?org={world.district.id}&period_from=01/01/2000&period_to={TODAY:%d/%m/%Y}"
    above, _, rows, _ = sheet_rows(download(client, url))
    assert any(line.startswith("Huyện ủy Bù Đốp — nhiệm vụ giao từ 01/01/2000") for line in above)
    names = [row[0] for row in rows]
    assert world.other_office.name not in names and names[-1] == "Tổng cộng"
    shared = count_tasks(db.session, world.district, EVERYTHING, TODAY)[()]
    assert rows[-1][1] == shared.total == 7


def test_an_office_may_not_download_the_dashboard(login_as, world, province_tasks):  # noqa: F811
    assert login_as(world.office).get("/dashboard.xlsx").status_code == 403


def test_the_task_list_sheet_has_every_task_the_filters_select(login_as, world, province_tasks):  # noqa: F811
    client = login_as(world.leader)
    page = client.get("/tasks?timeliness=overdue").get_data(as_text=True)
    shown = int(re.search(r'id="task-total">(\d+)<', page).group(1))
    assert 'href="/tasks.xlsx?timeliness=overdue"' in page
    above, header, rows, _ = sheet_rows(download(client, "/tasks.xlsx?timeliness=overdue"))
    assert above[1] == "Bộ lọc: Thời hạn: Chưa hoàn thành, quá hạn"
    assert f"Số nhiệm vụ: {shown}" in above
    overdue = count_tasks(db.session, world.province, EVERYTHING, TODAY)[()].overdue
    assert len(rows) == shown == overdue == 3
    assert header[:3] == ["STT", "Mã nhiệm vụ", "Nhiệm vụ"]
    column = {name: index for index, name in enumerate(header)}
    for row in rows:
        assert row[column["Thời hạn"]] == "Quá hạn"
        assert isinstance(row[column["Hạn"]], datetime)
        assert isinstance(row[column["Tiến độ"]], (int, float))
        task = db.session.get(Task, row[column["Mã nhiệm vụ"]])
        assert row[column["Số ngày quá hạn"]] == (TODAY - task.due_on).days
        assert row[column["Hạn"]].date() == task.due_on
    # Most urgent first, as on the page: the longest overdue on top.
    assert [row[column["Số ngày quá hạn"]] for row in rows] == sorted(
        (row[column["Số ngày quá hạn"]] for row in rows), reverse=True
    )


def test_the_task_list_sheet_has_all_pages_and_the_page_order(login_as, world, province_tasks):  # noqa: F811
    client = login_as(world.leader)
    _, _, rows, _ = sheet_rows(download(client, "/tasks.xlsx"))
    counted = count_tasks(db.session, world.province, EVERYTHING, TODAY)[()]
    assert len(rows) == counted.total == 11
    assert [row[0] for row in rows] == list(range(1, 12))
    page = client.get("/tasks").get_data(as_text=True)
    ids = [int(n) for n in re.findall(r'href="/tasks/(\d+)"', page)]
    ids = list(dict.fromkeys(ids))
    assert [row[1] for row in rows] == ids


def test_an_office_downloads_only_its_unit_tasks(login_as, world, province_tasks):  # noqa: F811
    client = login_as(world.other_office_user)
    _, _, rows, _ = sheet_rows(download(client, "/tasks.xlsx"))
    visible = [t for t in province_tasks if t.lead_org_id == world.other_office.id]
    assert sorted(row[1] for row in rows) == sorted(t.id for t in visible)
    # A subtree outside the user's answers as on the page.
    assert client.get(f"/tasks.xlsx?scope={world.district.id}").status_code == 404


def test_a_title_like_a_formula_stays_text(login_as, world, create_task):
    task = create_task(title='=HYPERLINK("http://x","bấm")')
    db.session.commit()
    _, _, rows, sheet = sheet_rows(download(login_as(world.office), "/tasks.xlsx"))
    assert rows[0][2] == task.title
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_english_headers_for_an_english_interface(login_as, world, province_tasks):  # noqa: F811
    world.leader.locale = "en"
    db.session.commit()
    client = login_as(world.leader)
    above, header, rows, _ = sheet_rows(download(client, "/tasks.xlsx?status=done"))
    assert header[:3] == ["No.", "Task ID", "Task"]
    assert any(line.startswith("Figures as of") for line in above)
    assert {row[header.index("Deadline")] for row in rows} <= {"Done on time", "Done late"}
    done = count_tasks(db.session, world.province, EVERYTHING, TODAY)[()].done
    assert len(rows) == done
    above, header, _, _ = sheet_rows(download(client, "/dashboard.xlsx"))
    assert header[:2] == ["Lead unit", "Total"]


def test_a_reported_task_is_shown_waiting_with_its_timeliness(login_as, world, create_task):
    task = create_task(due_on=date(2023, 12, 31))
    task_flow.report_task_done(task, world.office, note="Xong.")
    db.session.commit()
    _, header, rows, _ = sheet_rows(download(login_as(world.office), "/tasks.xlsx"))
    assert rows[0][header.index("Trạng thái")] == label(task.status)
    assert rows[0][header.index("Thời hạn")] == label(Timeliness.AWAITING_LATE)  # reported after its due date
    assert rows[0][header.index("Số ngày quá hạn")] == 0
