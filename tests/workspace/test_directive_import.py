"""A visit's directives and tasks from a spreadsheet: template, preview with each row's errors and the
reach warnings, confirm; every hostile input names its sheet, row and column and writes nothing."""

from __future__ import annotations

import gc
import io
import re
import warnings
import zipfile
from datetime import date, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from models import AuditEntry, Directive, Organization, Task, db
from models.enums import VisitStatus
from workflows.clock import local_today
from workflows.workdays import due_in_working_days

HEADER = ["Số yêu cầu", "Nội dung yêu cầu", "Văn bản trích dẫn", "Nhiệm vụ", "Mã đơn vị chủ trì",
          "Mã đơn vị phối hợp", "Hạn"]  # fmt: skip
BODY = "Tổ chức quán triệt Quy định số 85-QĐ/TW đến toàn thể cán bộ, đảng viên."


def sheet_bytes(rows: list[list[object]], setup=None, title: str = "Yêu cầu") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if setup:
        setup(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, visit, data: bytes, name: str = "yeu-cau.xlsx"):
    return client.post(
        f"/visits/{visit.id}/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def confirm(client, visit, page: str):
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    return client.post(f"/visits/{visit.id}/import/confirm", data={"token": token, "filename": "x.xlsx"})


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(Directive.id))) or 0,
        db.session.scalar(select(func.count(Task.id))) or 0,
    )


def test_the_template_has_the_headers_the_reader_looks_for(login_as, world, create_visit):
    visit = create_visit()
    db.session.commit()
    client = login_as(world.inspector)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert f'href="/visits/{visit.id}/import"' in page
    response = client.get(f"/visits/{visit.id}/import/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in workbook.worksheets[0][1]][:2] == ["Số yêu cầu *", "Nội dung yêu cầu"]
    assert "Hướng dẫn" in workbook.sheetnames


def test_directives_and_tasks_are_previewed_then_saved_through_the_workflows(login_as, world, create_visit):
    visit = create_visit()
    db.session.commit()
    client = login_as(world.inspector)
    rows = [
        ["Danh sách yêu cầu sau kiểm tra"],  # a title above the header
        HEADER,
        [1, BODY, "85-QĐ/TW; Kết luận số 21-KL/TW", "Hội nghị quán triệt", "btghu-budop", "VHTT-BUDOP",
         date(2099, 9, 30)],
        [1, "", "", "Báo cáo kết quả", "BTGHU-BUDOP", "", "15 ngày làm việc"],
        [2, "Rà soát, bổ sung quy chế làm việc.", "", "", "", "", ""],
    ]  # fmt: skip
    preview = upload(client, visit, sheet_bytes(rows))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page
    assert "Sẽ thêm 4, sửa 0, giữ nguyên 0. Chưa có gì được ghi." in page
    assert "BTGHU-BUDOP – Ban Tuyên giáo Huyện ủy Bù Đốp" in page
    db.session.expire_all()
    assert counts() == (0, 0)  # the preview keeps nothing
    done = confirm(client, visit, page)
    assert done.status_code == 200 and "Đã ghi: thêm 4" in done.get_data(as_text=True)
    db.session.expire_all()
    first, second = visit.directives
    assert (first.number, second.number) == (1, 2)
    assert sorted(d.code for d in first.citations) == ["21-KL/TW", "85-QĐ/TW"]
    meeting, report = first.tasks
    assert meeting.title == "Hội nghị quán triệt" and meeting.lead_org == world.district_office
    assert meeting.coordinating_orgs == [world.district_culture]
    assert meeting.due_on == date(2099, 9, 30) and meeting.due_working_days is None
    assert report.due_working_days == 15
    assert report.due_on == due_in_working_days(local_today(), 15)
    assert second.tasks == []
    issued = db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "directive.issued")
    )
    assert issued == 2
    # The confirmation's file is gone: a second confirm finds nothing to save.
    again = confirm(client, visit, page)
    assert "đã hết hạn hoặc đã được nhập" in again.get_data(as_text=True)
    assert counts() == (2, 2)


def test_rows_continue_a_visits_numbering_and_add_tasks_to_an_existing_directive(login_as, world, full_visit):
    visit = full_visit(directives=2)
    db.session.commit()
    before = len(visit.directives[0].tasks)
    client = login_as(world.inspector)
    wrong = upload(client, visit, sheet_bytes([HEADER, [5, "Yêu cầu mới", "", "", "", "", ""]]))
    assert "Yêu cầu mới phải đánh số tiếp theo: số 3, không phải 5." in wrong.get_data(as_text=True)
    rows = [HEADER, [1, "", "", "Việc bổ sung", "BTGHU-BUDOP", "", "31/12/2099"],
            [3, "Yêu cầu mới", "", "", "", "", ""]]  # fmt: skip
    page = upload(client, visit, sheet_bytes(rows)).get_data(as_text=True)
    assert confirm(client, visit, page).status_code == 200
    db.session.expire_all()
    assert len(visit.directives[0].tasks) == before + 1
    assert [d.number for d in visit.directives] == [1, 2, 3]


def test_units_that_will_not_act_are_warned_about_before_saving(login_as, world, create_visit):
    visit = create_visit()
    world.district_culture.valid_to = date(2099, 1, 1)
    db.session.commit()
    client = login_as(world.inspector)
    # HU-BUDOP has no office account; VHTT-BUDOP ends before the due date.
    rows = [HEADER, [1, BODY, "", "", "HU-BUDOP", "", "31/12/2099"],
            [1, "", "", "Phối hợp", "VHTT-BUDOP", "", "31/12/2099"]]  # fmt: skip
    page = upload(client, visit, sheet_bytes(rows)).get_data(as_text=True)
    assert 'id="import-warnings"' in page
    assert "Huyện ủy Bù Đốp chưa có tài khoản văn phòng nào đang hoạt động" in page
    assert "Phòng Văn hóa và Thông tin huyện Bù Đốp ngừng hoạt động từ 01/01/2099" in page
    assert 'name="token"' in page  # a warning does not block the save
    assert confirm(client, visit, page).status_code == 200
    assert counts() == (1, 2)


def _ended_unit() -> Organization:
    return db.session.scalar(select(Organization).where(Organization.code == "BTGHU-LOCNINH"))


def _hide_sheet(workbook: Workbook) -> None:
    workbook.create_sheet("Ghi chú riêng").sheet_state = "hidden"


def _good(due: object = "31/12/2099", lead: object = "BTGHU-BUDOP") -> list[object]:
    return [1, BODY, "85-QĐ/TW", "Hội nghị", lead, "", due]


@pytest.mark.parametrize(
    ("rows", "message", "column"),
    [
        ([[2, "Nội dung", "", "", "BTGHU-BUDOP", "", ""]], "phải đánh số tiếp theo: số 1", "A «Số yêu cầu»"),
        ([_good(lead="KHONG-CO")], "Không có đơn vị mã KHONG-CO", "E «Mã đơn vị chủ trì»"),
        ([_good(lead="BTGHU-LOCNINH")], "không hoạt động vào ngày", "E «Mã đơn vị chủ trì»"),
        ([_good(due="31/02/2023")], "Hạn «31/02/2023» không đọc được", "G «Hạn»"),
        ([_good(due=date(2023, 6, 1))], "Hạn 01/06/2023 trước ngày kiểm tra 14/06/2023.", "G «Hạn»"),
        ([_good(due="=TODAY()+30")], "Ô chứa công thức", "G «Hạn»"),
        ([_good(due="900 ngày làm việc")], "số ngày làm việc từ 1 đến 365", "G «Hạn»"),
        (
            [[1, BODY, "Quy định số 85", "", "BTGHU-BUDOP", "", ""]],
            "Không tìm thấy số hiệu văn bản",
            "C «Văn bản trích dẫn»",
        ),
        ([[2, "", "", "", "BTGHU-BUDOP", "", ""]], "Yêu cầu số 2 chưa có nội dung", "B «Nội dung yêu cầu»"),
        ([[1, BODY, "", "", "BTGHU-BUDOP, HU-BUDOP", "", ""]], "một đơn vị chủ trì", "E «Mã đơn vị chủ trì»"),
        ([["một", BODY, "", "", "BTGHU-BUDOP", "", ""]], "không phải số nguyên dương", "A «Số yêu cầu»"),
    ],
)
def test_a_bad_cell_names_its_sheet_row_and_column_and_nothing_is_written(
    login_as, world, create_visit, rows, message, column
):
    _ended_unit().valid_to = local_today() - timedelta(days=1)
    visit = create_visit()
    db.session.commit()
    data = sheet_bytes([HEADER, [1, BODY, "", "Một việc đúng", "BTGHU-BUDOP", "", ""], *rows])
    if (
        rows[0][:2] == [2, "Nội dung"] or rows[0][0] == "một"
    ):  # these rows stand alone: the good row would take number 1
        data = sheet_bytes([HEADER, *rows])
    response = upload(login_as(world.inspector), visit, data)
    page = response.get_data(as_text=True)
    assert message in page, page
    assert "Trang tính «Yêu cầu»" in page
    assert column in page
    assert re.search(r'<td class="num">[23]</td>', page)  # the row as the spreadsheet numbers it
    assert 'name="token"' not in page
    assert counts() == (0, 0)


def test_a_file_that_cannot_be_trusted_is_refused_whole(login_as, world, create_visit):
    visit = create_visit()
    db.session.commit()
    client = login_as(world.inspector)
    good = [HEADER, _good()]
    hidden = upload(client, visit, sheet_bytes(good, setup=_hide_sheet))
    assert hidden.status_code == 400
    assert "trang tính bị ẩn (Ghi chú riêng)" in hidden.get_data(as_text=True)
    missing = upload(client, visit, sheet_bytes([["Nội dung yêu cầu", "Hạn"], [BODY, "31/12/2099"]]))
    assert missing.status_code == 400
    assert "Không thấy cột «Số yêu cầu»" in missing.get_data(as_text=True)
    macro = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(sheet_bytes(good))) as source, zipfile.ZipFile(macro, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00macro")
    assert "có macro" in upload(client, visit, macro.getvalue(), "yeu-cau.xlsm").get_data(as_text=True)
    assert "có macro" in upload(client, visit, macro.getvalue()).get_data(as_text=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        big = upload(client, visit, b"PK\x03\x04" + b"0" * (20 * 1024 * 1024))
        status, text = big.status_code, big.get_data(as_text=True)
        big.close()
        del big
        gc.collect()
    assert status == 413 and "Tệp lớn quá giới hạn 5 MB." in text
    assert counts() == (0, 0)


def test_a_concluded_visit_takes_no_import_and_only_its_inspectors_import(login_as, world, create_visit):
    visit = create_visit()
    db.session.commit()
    for user in (world.office, world.leader, world.admin):
        assert login_as(user).get(f"/visits/{visit.id}/import").status_code == 403
    assert login_as(world.other_inspector).get(f"/visits/{visit.id}/import").status_code in (403, 404)
    visit.status = VisitStatus.CONCLUDED
    visit.concluded_at = visit.created_at
    db.session.commit()
    client = login_as(world.inspector)
    assert client.get(f"/visits/{visit.id}/import").status_code == 409
    refused = upload(client, visit, sheet_bytes([HEADER, _good()]))
    assert refused.status_code == 409 and "Đợt kiểm tra đã kết luận" in refused.get_data(as_text=True)
    assert counts() == (0, 0)


def test_imported_tasks_read_back_the_same_in_the_visits_download(login_as, world, create_visit):
    """Round trip: import → the visit's .xlsx → the same numbers, units and due dates."""
    visit = create_visit()
    db.session.commit()
    client = login_as(world.inspector)
    rows = [HEADER, _good(due=date(2099, 3, 31)),
            [1, "", "", "Báo cáo", "VHTT-BUDOP", "BTGHU-BUDOP", "31/12/2099"],
            [2, "Rà soát quy chế.", "", "Rà soát", "BTGHU-BUDOP", "", "10 ngày làm việc"]]  # fmt: skip
    assert (
        confirm(client, visit, upload(client, visit, sheet_bytes(rows)).get_data(as_text=True)).status_code
        == 200
    )
    workbook = load_workbook(io.BytesIO(client.get(f"/visits/{visit.id}/tasks.xlsx").data))
    sheet = workbook.worksheets[0]
    header = int(sheet.freeze_panes[1:]) - 1
    names = [c.value for c in sheet[header]]
    read = [
        dict(zip(names, (c.value for c in row), strict=False))
        for row in sheet.iter_rows(min_row=header + 1)
        if row[0].value is not None
    ]
    assert [(r["Chỉ đạo số"], r["Nhiệm vụ"], r["Đơn vị chủ trì"]) for r in read] == [
        (1, "Hội nghị", "Ban Tuyên giáo Huyện ủy Bù Đốp"),
        (1, "Báo cáo", "Phòng Văn hóa và Thông tin huyện Bù Đốp"),
        (2, "Rà soát", "Ban Tuyên giáo Huyện ủy Bù Đốp"),
    ]
    assert [r["Hạn"].date() for r in read] == [
        date(2099, 3, 31),
        date(2099, 12, 31),
        due_in_working_days(local_today(), 10),
    ]
    assert read[0]["Văn bản trích dẫn"] == "85-QĐ/TW"


def _download_rows(client, visit) -> tuple[object, object, int, list[dict[str, object]]]:
    workbook = load_workbook(io.BytesIO(client.get(f"/visits/{visit.id}/tasks.xlsx").data))
    sheet = workbook.worksheets[0]
    header = int(sheet.freeze_panes[1:]) - 1
    names = [c.value for c in sheet[header]]
    rows = [
        dict(zip(names, (c.value for c in row), strict=False))
        for row in sheet.iter_rows(min_row=header + 1)
        if row[0].value is not None
    ]
    return workbook, sheet, header, rows


def test_a_visits_download_edited_with_openpyxl_imports_into_another_visit(login_as, world, create_visit):
    """Round trip: one visit's .xlsx (unit names, not codes) → a due date edited → imported into a new
    visit → its own download reads the same directives, units and dates, with the edit."""
    source = create_visit()
    target = create_visit(
        title="Kiểm tra công tác tuyên giáo 6 tháng cuối năm 2023", visited_on=date(2023, 12, 1)
    )
    db.session.commit()
    client = login_as(world.inspector)
    rows = [HEADER, _good(due=date(2099, 3, 31)),
            [1, "", "", "Báo cáo", "VHTT-BUDOP", "BTGHU-BUDOP", "31/12/2099"],
            [2, "Rà soát quy chế.", "21-KL/TW", "Rà soát", "BTGHU-BUDOP", "", "30/06/2099"]]  # fmt: skip
    confirm(client, source, upload(client, source, sheet_bytes(rows)).get_data(as_text=True))
    workbook, sheet, header, before = _download_rows(client, source)
    due_column = [c.value for c in sheet[header]].index("Hạn") + 1
    sheet.cell(header + 3, due_column).value = date(2099, 9, 30)  # the third task's due date moves
    out = io.BytesIO()
    workbook.save(out)
    page = upload(client, target, out.getvalue(), "chi-dao.xlsx").get_data(as_text=True)
    assert "Sẽ thêm 5" in page, page  # two directives and three tasks
    assert confirm(client, target, page).status_code == 200
    _, _, _, after = _download_rows(client, target)
    keys = (
        "Chỉ đạo số",
        "Nội dung chỉ đạo",
        "Văn bản trích dẫn",
        "Nhiệm vụ",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
    )
    assert [[r[k] for k in keys] for r in after] == [[r[k] for k in keys] for r in before]
    assert [r["Hạn"].date() for r in after] == [date(2099, 3, 31), date(2099, 12, 31), date(2099, 9, 30)]
    assert [r["Tiến độ"] for r in after] == [0, 0, 0]


def test_a_unit_name_two_units_bear_asks_for_the_code(login_as, world, create_visit):
    visit = create_visit()
    twin = Organization(
        code="BTGHU-TWIN", doc_code="BTGHU", name=world.district_office.name, kind=world.district_office.kind
    )
    twin.place_path(world.other_district)
    db.session.add(twin)
    db.session.commit()
    rows = [HEADER, [1, BODY, "", "", world.district_office.name, "", ""],
            [1, "", "", "Việc khác", "Phòng không có thật", "", ""]]  # fmt: skip
    page = upload(login_as(world.inspector), visit, sheet_bytes(rows)).get_data(as_text=True)
    assert "Có nhiều đơn vị tên «Ban Tuyên giáo Huyện ủy Bù Đốp»; hãy ghi mã đơn vị." in page
    assert "Không có đơn vị tên «Phòng không có thật»; hãy ghi mã đơn vị." in page
    assert counts() == (0, 0)
