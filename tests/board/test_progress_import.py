"""Bulk progress from a spreadsheet: download, edit with openpyxl, upload, preview, confirm; conflicts
per row when a task changed since the download; bad input names its row and column and writes nothing."""

from __future__ import annotations

import gc
import io
import re
import warnings
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import Task, TaskEvent, db
from models.enums import TaskStatus
from workflows import tasks as task_flow
from workflows.clock import local_today
from workflows.timeliness import EVERYTHING, count_tasks


def downloaded(client) -> tuple[object, object, dict[int, int]]:
    """The office's sheet as a workbook, its sheet, and each task's row number."""
    response = client.get("/tasks/progress.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook.worksheets[0]
    header = int(sheet.freeze_panes[1:]) - 1
    assert [c.value for c in sheet[header]][:6] == [
        "Mã nhiệm vụ",
        "Phiên bản",
        "Nhiệm vụ",
        "Tiến độ (%)",
        "Ghi chú",
        "Hoàn thành",
    ]
    rows = {sheet.cell(r, 1).value: r for r in range(header + 1, sheet.max_row + 1) if sheet.cell(r, 1).value}
    return workbook, sheet, rows


def saved(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str = "tien-do.xlsx"):
    return client.post(
        "/tasks/progress-import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def confirm(client, page: str):
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    return client.post("/tasks/progress-import/confirm", data={"token": token, "filename": "tien-do.xlsx"})


def events_of(task: Task) -> int:
    return db.session.scalar(select(func.count(TaskEvent.id)).where(TaskEvent.task_id == task.id)) or 0


def test_an_office_round_trips_its_progress_and_a_report(login_as, world, create_task):
    first, second, third = create_task(), create_task(), create_task(due_on=date(2099, 1, 1))
    db.session.commit()
    client = login_as(world.office)
    assert 'href="/tasks/progress-import"' in client.get("/tasks").get_data(as_text=True)
    workbook, sheet, rows = downloaded(client)
    assert set(rows) == {first.id, second.id, third.id}
    sheet.cell(rows[first.id], 4).value = 60
    sheet.cell(rows[first.id], 5).value = "Đã xây dựng kế hoạch"
    sheet.cell(rows[second.id], 5).value = "Đã tổ chức hội nghị ngày 10/3"
    sheet.cell(rows[second.id], 6).value = "x"
    before = events_of(first)
    preview = upload(client, saved(workbook))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page
    assert "Sẽ thêm 0, sửa 2, giữ nguyên 1. Chưa có gì được ghi." in page
    db.session.expire_all()
    assert first.progress == 0 and events_of(first) == before and second.status is TaskStatus.ASSIGNED
    done = confirm(client, page)
    assert done.status_code == 200 and "Đã ghi: thêm 0, sửa 2, giữ nguyên 1." in done.get_data(as_text=True)
    db.session.expire_all()
    assert first.progress == 60 and events_of(first) > before
    assert first.events[-1].note == "Đã xây dựng kế hoạch" and first.events[-1].actor_id == world.office.id
    assert second.status is TaskStatus.REPORTED
    # The counts see the report the sheet made, like one made on the page.
    counts = count_tasks(db.session, world.district_office, EVERYTHING, local_today())[()]
    assert counts.awaiting == 1 and counts.total == 3
    # The downloaded sheet now carries the new versions and the new progress.
    _, sheet, rows = downloaded(client)
    assert sheet.cell(rows[first.id], 2).value == first.version and sheet.cell(rows[first.id], 4).value == 60
    assert second.id not in rows  # reported: no longer worked on


def test_a_task_changed_since_the_download_is_a_conflict_and_nothing_is_written(
    login_as, client_for, world, create_task, office2
):
    first, second = create_task(), create_task()
    db.session.commit()
    mine = login_as(world.office)
    workbook, sheet, rows = downloaded(mine)
    # Another officer of the same unit saves progress on the first task after the download.
    task_flow.record_progress(first, office2, note="Cập nhật từ trang", progress=30)
    db.session.commit()
    sheet.cell(rows[first.id], 4).value = 80
    sheet.cell(rows[second.id], 4).value = 50
    page = upload(mine, saved(workbook)).get_data(as_text=True)
    assert "Xung đột: nhiệm vụ" in page and "phiên bản trong tệp 1, hiện nay 2" in page
    assert f'<td class="num">{rows[first.id]}</td>' in page and "B «Phiên bản»" in page
    assert 'name="token"' not in page  # nothing to confirm
    db.session.expire_all()
    assert first.progress == 30 and second.progress == 0


def test_a_task_given_twice_in_one_file_conflicts_with_itself(login_as, world, create_task):
    task = create_task()
    db.session.commit()
    client = login_as(world.office)
    workbook, sheet, rows = downloaded(client)
    row = rows[task.id]
    sheet.append([task.id, task.version, task.title, 70, "Lần hai", None])
    sheet.cell(row, 4).value = 40
    page = upload(client, saved(workbook)).get_data(as_text=True)
    assert "Xung đột" in page and 'name="token"' not in page
    db.session.expire_all()
    assert task.progress == 0


def test_the_preview_is_checked_again_at_confirmation(login_as, world, create_task, office2):
    task = create_task()
    db.session.commit()
    client = login_as(world.office)
    workbook, sheet, rows = downloaded(client)
    sheet.cell(rows[task.id], 4).value = 80
    page = upload(client, saved(workbook)).get_data(as_text=True)
    task_flow.record_progress(task, office2, note="Sửa giữa chừng", progress=10)
    db.session.commit()
    answer = confirm(client, page)
    assert answer.status_code == 409 and "Xung đột" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert task.progress == 10


def _sheet_with(values: list[list[object]], setup=None) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tiến độ"
    for row in values:
        sheet.append(row)
    if setup:
        setup(workbook)
    return saved(workbook)


HEADER = ["Mã nhiệm vụ", "Phiên bản", "Nhiệm vụ", "Tiến độ (%)", "Ghi chú", "Hoàn thành"]


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"progress": 150}, "Tiến độ 150% không hợp lệ: phải từ 0 đến 100."),
        ({"progress": "=50+10"}, "Ô chứa công thức"),
        ({"progress": "nhiều"}, "«nhiều» không phải số nguyên."),
        ({"done": "có lẽ"}, "Ghi «x» hoặc «có» để báo cáo hoàn thành"),
        ({"done": "x"}, "Cần ghi kết quả thực hiện khi báo cáo hoàn thành."),
        ({"id": 999999}, "Không có nhiệm vụ mã 999999 trong phạm vi của bạn."),
    ],
)
def test_a_bad_cell_names_its_sheet_row_and_column_and_nothing_is_written(
    login_as, world, create_task, cells, message
):
    task, other = create_task(), create_task()
    db.session.commit()
    good = [other.id, other.version, other.title, 20, "Dòng đúng", None]
    bad = [cells.get("id", task.id), task.version, task.title, cells.get("progress"), None, cells.get("done")]
    response = upload(login_as(world.office), _sheet_with([HEADER, good, bad]))
    page = response.get_data(as_text=True)
    assert message in page
    assert "Trang tính «Tiến độ»" in page
    assert '<td class="num">3</td>' in page  # the bad row, as the spreadsheet numbers it
    assert 'name="token"' not in page
    db.session.expire_all()
    assert other.progress == 0 and task.progress == 0


def test_another_units_task_reads_as_missing(login_as, world, create_task):
    task = create_task(lead_org=world.other_office)
    db.session.commit()
    page = upload(
        login_as(world.office), _sheet_with([HEADER, [task.id, task.version, task.title, 50, "x", None]])
    ).get_data(as_text=True)
    assert f"Không có nhiệm vụ mã {task.id} trong phạm vi của bạn." in page
    db.session.expire_all()
    assert task.progress == 0


def test_a_file_that_cannot_be_trusted_is_refused_whole(login_as, world, create_task):
    task = create_task()
    db.session.commit()
    client = login_as(world.office)
    row = [task.id, task.version, task.title, 50, "Ghi chú", None]

    def hide(workbook):
        workbook.create_sheet("Ẩn").sheet_state = "hidden"

    hidden = upload(client, _sheet_with([HEADER, row], setup=hide))
    assert hidden.status_code == 400 and "trang tính bị ẩn (Ẩn)" in hidden.get_data(as_text=True)
    missing = upload(client, _sheet_with([["Mã nhiệm vụ", "Tiến độ (%)"], [task.id, 50]]))
    assert missing.status_code == 400 and "Không thấy cột «Phiên bản»" in missing.get_data(as_text=True)
    macro = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_sheet_with([HEADER, row]))) as source,
        zipfile.ZipFile(macro, "w") as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00macro")
    assert "macro" in upload(client, macro.getvalue(), "tien-do.xlsm").get_data(as_text=True)
    assert "macro" in upload(client, macro.getvalue()).get_data(as_text=True)
    with warnings.catch_warnings():
        # Werkzeug's test client spools the 20 MB body to a file the garbage collector closes: let it go here.
        warnings.simplefilter("ignore", ResourceWarning)
        big = upload(client, b"PK\x03\x04" + b"0" * (20 * 1024 * 1024))
        status, text = big.status_code, big.get_data(as_text=True)
        big.close()
        del big
        gc.collect()
    assert status == 413 and "Tệp lớn quá giới hạn 5 MB." in text
    db.session.expire_all()
    assert task.progress == 0 and events_of(task) == 1


def test_only_offices_update_progress_by_sheet(login_as, world):
    for user in (world.inspector, world.leader):
        client = login_as(user)
        assert client.get("/tasks/progress-import").status_code == 403
        assert client.get("/tasks/progress.xlsx").status_code == 403


def test_an_english_office_reads_the_conflict_in_english(login_as, world, create_task, office2):
    task = create_task()
    world.office.locale = "en"
    db.session.commit()
    client = login_as(world.office)
    workbook, sheet, rows = downloaded(client)  # the headers stay Vietnamese: the reader looks for them
    task_flow.record_progress(task, office2, note="Cập nhật từ trang", progress=30)
    db.session.commit()
    sheet.cell(rows[task.id], 4).value = 80
    page = upload(client, saved(workbook)).get_data(as_text=True)
    assert "Conflict: the task" in page and "version 1 in the file, 2 now" in page
    assert "Sheet «" in page


def test_two_officers_upload_the_same_download_and_the_second_is_a_conflict(
    client_for, world, create_task, office2
):
    """Round trip with two people: both download, both edit with openpyxl, the first saves, the
    second's row is a conflict; the lead's list then shows the first one's figures."""
    task, other = create_task(), create_task()
    db.session.commit()
    first, second = client_for(world.office), client_for(office2)
    mine, my_sheet, my_rows = downloaded(first)
    theirs, their_sheet, their_rows = downloaded(second)
    my_sheet.cell(my_rows[task.id], 4).value = 60
    my_sheet.cell(my_rows[other.id], 4).value = 25
    their_sheet.cell(their_rows[task.id], 4).value = 90
    assert confirm(first, upload(first, saved(mine)).get_data(as_text=True)).status_code == 200
    page = upload(second, saved(theirs)).get_data(as_text=True)
    assert "Xung đột: nhiệm vụ" in page and "phiên bản trong tệp 1, hiện nay 2" in page
    assert 'name="token"' not in page
    # The same numbers come back out: a fresh download holds the saved progress and the new version.
    _, sheet, rows = downloaded(second)
    assert sheet.cell(rows[task.id], 4).value == 60 and sheet.cell(rows[task.id], 2).value == 2
    assert sheet.cell(rows[other.id], 4).value == 25
    db.session.expire_all()
    assert (task.progress, other.progress) == (60, 25)


def test_a_coordinating_office_writes_notes_by_sheet_but_not_the_lead_units_progress(
    client_for, world, create_task
):
    task = create_task(coordinating=[world.district_culture])
    db.session.commit()
    coordinator = client_for(world.coordinator)
    workbook, sheet, rows = downloaded(coordinator)
    sheet.cell(rows[task.id], 4).value = 70
    page = upload(coordinator, saved(workbook)).get_data(as_text=True)
    assert "Đơn vị phối hợp chỉ ghi ý kiến, không cập nhật tỷ lệ hoàn thành." in page
    assert "D «Tiến độ (%)»" in page and 'name="token"' not in page
    workbook, sheet, rows = downloaded(coordinator)
    sheet.cell(rows[task.id], 5).value = "Phòng đã cử người phối hợp."
    answer = confirm(coordinator, upload(coordinator, saved(workbook)).get_data(as_text=True))
    assert answer.status_code == 200
    db.session.expire_all()
    assert task.progress == 0 and task.events[-1].note == "Phòng đã cử người phối hợp."
