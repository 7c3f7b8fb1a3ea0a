"""Bulk organisations and people from spreadsheets: what real files contain, and every refusal."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from exports.import_template import import_template
from models import AuditEntry, Organization, Person, User, db
from models.enums import OrgKind, Role
from tests.adopt.sheets import csv_bytes, nfd, office_tree_xlsx, xlsx
from workflows.imports import organizations, people
from workflows.imports.sheet import MAX_BYTES, SheetRefused, read_sheet


def _orgs(data: bytes, name: str = "orgs.xlsx", actor=None, world=None):
    return organizations.import_organizations(
        actor or world.admin, read_sheet(data, name, organizations.SPEC)
    )


def _people(data: bytes, world, name: str = "people.csv"):
    return people.import_people(world.admin, read_sheet(data, name, people.SPEC))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _messages(result) -> list[str]:
    return [p.located() for p in result.problems]


# --- Reading real-world sheets -----------------------------------------------------------------


def test_merged_two_row_headers_nfd_text_and_both_kinds_of_dates_are_read(world):
    sheet = read_sheet(office_tree_xlsx(), "cơ quan.xlsx", organizations.SPEC)
    assert sheet.problems == []
    first, second, third = sheet.rows
    assert first.number == 4
    assert first.get("name") == "Huyện ủy Bù Đốp"  # NFC, trailing blanks gone
    assert second.get("name") == "Ban Tuyên giáo Huyện ủy Bù Đốp"  # doubled space made single
    assert first.get("valid_from") == date(2000, 1, 1)  # an Excel date cell
    assert second.get("valid_to") == date(2025, 6, 30)  # a dd/mm/yyyy text
    assert third.get("valid_from") is None
    assert sheet.where("valid_to") == "F «Hiệu lực đến ngày»"


def test_headers_are_found_in_any_order_without_tone_marks_and_with_a_required_star(world):
    data = csv_bytes("ten co quan, don vi *;MA *;ma cap tren\nHuyện ủy Lộc Ninh 2;HU-LN2;TU-BP\n")
    sheet = read_sheet(data, "x.csv", organizations.SPEC)
    assert sheet.problems == []
    assert sheet.rows[0].values["code"] == "HU-LN2"
    assert sheet.rows[0].values["parent_code"] == "TU-BP"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4 not a sheet", "tree.pdf", "Chỉ nhận bảng tính .xlsx hoặc .csv."),
        (b"plain text renamed", "tree.xlsx", "không phải bảng tính"),
        (b"PK\x03\x04broken zip", "tree.xlsx", "không phải bảng tính"),
        (b"\xd0\xcf\x11\xe0\x00\x00", "tree.xls", "Excel 97-2003"),
        (b"PK\x03\x04", "tree.xlsm", "macro"),
        ("Mã,Tên\nA,Bình\n".encode("latin-1"), "tree.csv", "UTF-8"),
        (b"", "tree.csv", "Tệp rỗng."),
    ],
)
def test_a_file_that_is_not_a_usable_spreadsheet_is_refused_with_a_clear_message(data, name, message):
    with pytest.raises(SheetRefused) as refused:
        read_sheet(data, name, organizations.SPEC)
    assert message in refused.value.message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    with pytest.raises(SheetRefused) as refused:
        read_sheet(b"0" * (50 * 1024 * 1024), "tree.xlsx", organizations.SPEC)
    assert "50 MB" in refused.value.message and f"{MAX_BYTES // 1024 // 1024} MB" in refused.value.message


def test_a_workbook_with_macros_is_refused_even_when_named_xlsx():
    import io
    import zipfile

    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx([["Mã", "Tên cơ quan"]]))) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00macro")
    with pytest.raises(SheetRefused) as refused:
        read_sheet(buffer.getvalue(), "tree.xlsx", organizations.SPEC)
    assert "macro" in refused.value.message


def test_a_hidden_sheet_is_refused():
    def hide(workbook):
        workbook.create_sheet("Lương").sheet_state = "hidden"

    with pytest.raises(SheetRefused) as refused:
        read_sheet(xlsx([["Mã", "Tên cơ quan"], ["A", "B"]], setup=hide), "tree.xlsx", organizations.SPEC)
    assert "Lương" in refused.value.message


def test_a_formula_where_a_value_is_expected_names_its_row_and_column():
    data = xlsx([["Mã", "Tên cơ quan", "Mã cấp trên"], ["HU-X", '=CONCAT("Huyện ", "X")', "TU-BP"]])
    sheet = read_sheet(data, "tree.xlsx", organizations.SPEC)
    assert [p.located() for p in sheet.problems] == [
        "Dòng 2, cột B «Tên cơ quan, đơn vị»: Ô chứa công thức; hãy dán giá trị (Paste Special → Values).",
        "Dòng 2, cột B «Tên cơ quan, đơn vị»: Chưa có giá trị.",
    ]


def test_a_hidden_row_and_a_malformed_date_are_problems_of_their_row():
    def hide(workbook):
        workbook.active.row_dimensions[3].hidden = True

    rows = [
        ["Mã", "Tên cơ quan", "Hiệu lực từ ngày"],
        ["A", "Cơ quan A", "31/02/2020"],
        ["B", "Cơ quan B", None],
    ]
    sheet = read_sheet(xlsx(rows, setup=hide), "tree.xlsx", organizations.SPEC)
    assert [p.located() for p in sheet.problems] == [
        "Dòng 2, cột C «Hiệu lực từ ngày»: Ngày «31/02/2020» không đọc được; hãy ghi dạng dd/mm/yyyy.",
        "Dòng 3: Dòng này đang bị ẩn; hãy bỏ ẩn để xem lại trước khi nhập.",
    ]


def test_a_sheet_without_the_required_headers_names_them():
    with pytest.raises(SheetRefused) as refused:
        read_sheet(csv_bytes("Họ tên,Ngày sinh\nA,01/01/1990\n"), "x.csv", organizations.SPEC)
    assert "«Mã»" in refused.value.message and "«Tên cơ quan, đơn vị»" in refused.value.message


def test_the_template_has_the_headers_the_reader_looks_for():
    for spec in (organizations.SPEC, people.SPEC):
        data = import_template(spec)
        sheet = load_workbook(__import__("io").BytesIO(data)).worksheets[0]
        assert [c.value.removesuffix(" *") for c in sheet[1]] == [c.header for c in spec.columns]
        assert read_sheet(data, "mau.xlsx", spec).rows == []


# --- Organisations -----------------------------------------------------------------------------


def test_an_office_tree_is_created_parents_first_with_its_dates_kinds_and_an_audit_entry(world):
    result = _orgs(office_tree_xlsx(), world=world)
    assert result.ok, _messages(result)
    assert [c.action for c in result.changes] == ["update", "update", "create"]  # two bodies already exist
    board = db.session.scalar(select(Organization).where(Organization.code == "BTGHU-BUDOP"))
    assert board is not None and board.parent.code == "HU-BUDOP"
    assert board.path == "/TU-BP/HU-BUDOP/BTGHU-BUDOP/"
    assert (board.valid_from, board.valid_to) == (date(2000, 1, 1), date(2025, 6, 30))
    assert board.kind is OrgKind.PARTY_BOARD and board.place_name == "Bù Đốp"
    ubnd = db.session.scalar(select(Organization).where(Organization.code == "UBND-BUDOP"))
    assert ubnd.kind is OrgKind.GOVERNMENT
    audited = db.session.execute(select(AuditEntry.action, AuditEntry.object_id)).all()
    assert {("organization.updated", board.id), ("organization.created", ubnd.id)} <= set(audited)


def test_children_may_come_before_their_parent_in_the_file(world):
    data = csv_bytes("Mã,Tên cơ quan,Mã cấp trên\nX-CHILD,Chi bộ X,X-PARENT\nX-PARENT,Đảng ủy X,TU-BP\n")
    result = _orgs(data, "x.csv", world=world)
    assert result.ok, _messages(result)
    child = db.session.scalar(select(Organization).where(Organization.code == "X-CHILD"))
    assert child.parent.code == "X-PARENT" and child.path == "/TU-BP/X-PARENT/X-CHILD/"


def test_importing_the_same_file_twice_changes_nothing_the_second_time(world):
    assert _orgs(office_tree_xlsx(), world=world).ok
    again = _orgs(office_tree_xlsx(), world=world)
    assert [c.action for c in again.changes] == ["unchanged"] * 3


def test_a_column_the_file_lacks_leaves_that_field_as_it_is(world):
    result = _orgs(csv_bytes("Mã,Tên cơ quan\nHU-BUDOP,Huyện ủy Bù Đốp mới\n"), "x.csv", world=world)
    assert result.ok
    assert [(f.label, f.before, f.after) for f in result.changes[0].fields] == [
        ("Tên cơ quan, đơn vị", "Huyện ủy Bù Đốp", "Huyện ủy Bù Đốp mới")
    ]
    assert world.district.place_name == "Bù Đốp" and world.district.parent is world.province


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mã,Tên cơ quan,Mã cấp trên\nA,Cơ quan A,B\nB,Cơ quan B,A\n",
            [
                "Dòng 2, cột C «Mã cấp trên»: Vòng lặp trong cây tổ chức: A → B → A.",
                "Dòng 3, cột C «Mã cấp trên»: Vòng lặp trong cây tổ chức: A → B → A.",
            ],
        ),
        (
            "Mã,Tên cơ quan,Mã cấp trên\nA,Cơ quan A,KHONG-CO\n",
            [
                "Dòng 2, cột C «Mã cấp trên»: Không có cơ quan cấp trên mã KHONG-CO, "
                "trong tệp hay trong hệ thống."
            ],
        ),
        (
            "Mã,Tên cơ quan,Mã cấp trên\nA,Cơ quan A,TU-BP\na,Cơ quan A lần nữa,TU-BP\n",
            ["Dòng 3, cột A «Mã»: Mã A đã có ở dòng 3."],
        ),
        (
            "Mã,Tên cơ quan,Mã cấp trên\nA B,Cơ quan A,TU-BP\n",
            ["Dòng 2, cột A «Mã»: Mã cơ quan, đơn vị không được chứa dấu / hay khoảng trắng."],
        ),
        (
            "Mã,Tên cơ quan,Mã cấp trên,Hiệu lực từ ngày,Hiệu lực đến ngày\n"
            "A,Cơ quan A,TU-BP,01/02/2025,01/01/2025\n",
            ["Dòng 2, cột E «Hiệu lực đến ngày»: Ngày hết hiệu lực không được trước ngày bắt đầu hiệu lực."],
        ),
        (
            "Mã,Tên cơ quan,Mã cấp trên\nHU-BUDOP,Huyện ủy Bù Đốp,BTGHU-BUDOP\n",
            [
                "Dòng 2, cột C «Mã cấp trên»: Không thể đặt một cơ quan dưới chính nó "
                "hoặc đơn vị cấp dưới của nó."
            ],
        ),
        (
            "Mã,Tên cơ quan,Mã cấp trên,Loại\nA,Cơ quan A,TU-BP,Bộ\n",
            [
                "Dòng 2, cột D «Loại»: Loại «Bộ» không có; hãy ghi một trong: Cấp ủy, Ban đảng, Chính quyền, "
                "Cơ quan nhà nước, Mặt trận đoàn thể, Khác."
            ],
        ),
    ],
    ids=["cycle", "unknown-parent", "duplicate-code", "bad-code", "dates", "cycle-with-the-tree", "kind"],
)
def test_a_bad_organisation_row_names_its_row_and_column_and_nothing_is_written(world, text, expected):
    db.session.commit()
    before = (_count(Organization), _count(AuditEntry))
    header, rest = text.split("\n", 1)
    columns = header.count(",") + 1
    good = ",".join(["OK-1", "Cơ quan tốt", "TU-BP", *[""] * (columns - 3)]) + "\n"
    result = _orgs(csv_bytes(f"{header}\n{good}{rest}"), "x.csv", world=world)
    shifted = [
        m.replace(f"Dòng {n}", f"Dòng {n + 1}") for m in expected for n in [int(m.split()[1].rstrip(","))]
    ]
    assert sorted(_messages(result)) == sorted(shifted)
    db.session.rollback()  # what the command and the page do with a result that has problems
    assert (_count(Organization), _count(AuditEntry)) == before
    assert db.session.scalar(select(Organization).where(Organization.code == "OK-1")) is None


def test_an_administrator_of_a_district_cannot_import_outside_their_subtree(world):
    district_admin = User(
        username="qt-budop", role=Role.ADMIN, organization=world.district, password_hash="x"
    )
    db.session.add(district_admin)
    data = csv_bytes("Mã,Tên cơ quan,Mã cấp trên\nX,Cơ quan X,HU-LOCNINH\nY,Cơ quan Y,\n")
    result = _orgs(data, "x.csv", actor=district_admin, world=world)
    assert _messages(result) == [
        "Dòng 2, cột C «Mã cấp trên»: Không tìm thấy cơ quan, đơn vị.",
        "Dòng 3, cột C «Mã cấp trên»: Chỉ quản trị viên cấp cao nhất được tạo cơ quan gốc.",
    ]


# --- People and accounts -----------------------------------------------------------------------


PEOPLE = (
    "Họ và tên,Chức vụ,Mã cơ quan,Tên đăng nhập,Vai trò,Thư điện tử,Mật khẩu ban đầu\n"
    f"{nfd('Nguyễn Văn Tư ')},Chuyên viên,BTGTU-BP,tu.nv,Cán bộ kiểm tra,tu@example.vn,mat-khau-tu-1\n"
    "Trần Thị Lan,Chánh Văn phòng,Huyện ủy Bù Đốp,lan.tt,van phong don vi,,\n"
    "Mạc Đình Huấn,Trưởng Ban Tuyên giáo Tỉnh ủy,BTGTU-BP,,,,\n"
)


def test_people_are_added_with_accounts_linked_to_them(world):
    result = _people(csv_bytes(PEOPLE), world)
    assert result.ok, _messages(result)
    assert [c.action for c in result.changes] == ["create", "create", "update"]
    tu = db.session.scalar(select(User).where(User.username == "tu.nv"))
    assert tu.person.full_name == "Nguyễn Văn Tư" and tu.person.position == "Chuyên viên"
    assert tu.role is Role.INSPECTOR and tu.organization is world.board and tu.check_password("mat-khau-tu-1")
    lan = db.session.scalar(select(User).where(User.username == "lan.tt"))
    assert (
        lan.role is Role.OFFICE
        and lan.organization is world.district
        and lan.person.full_name == "Trần Thị Lan"
    )
    generated = result.changes[1].note
    assert generated and lan.check_password(generated) and result.changes[0].note is None
    assert world.head.position == "Trưởng Ban Tuyên giáo Tỉnh ủy"  # the existing person, not a second one
    assert _count(Person) == 4


def test_importing_the_same_people_again_changes_nothing(world):
    assert _people(csv_bytes(PEOPLE), world).ok
    again = _people(csv_bytes(PEOPLE), world)
    assert again.ok, _messages(again)
    assert [c.action for c in again.changes] == ["unchanged"] * 3


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "Lê Văn A,,BTGTU-BP,inspector,Cán bộ kiểm tra,,",
            "Dòng 3, cột D «Tên đăng nhập»: Tên đăng nhập inspector đã có.",
        ),
        (
            "Lê Văn A,,BTGTU-BP,le.a,Thủ trưởng,,",
            "Dòng 3, cột E «Vai trò»: Vai trò «Thủ trưởng» không có; hãy ghi "
            "một trong: Quản trị, Cán bộ kiểm tra, Văn phòng đơn vị, Lãnh đạo.",
        ),
        (
            "Lê Văn A,,BTGTU-BP,le.a,Lãnh đạo,,1234567",
            "Dòng 3, cột G «Mật khẩu ban đầu»: Mật khẩu phải có ít nhất 8 ký tự.",
        ),
        (
            "Lê Văn A,,BTGTU-BP,le.a,Lãnh đạo,,LE.A",
            "Dòng 3, cột G «Mật khẩu ban đầu»: Mật khẩu phải có ít nhất 8 ký tự.",
        ),
        (
            "Lê Văn A,,BTGTU-BP,le.ab,Lãnh đạo,,Le.Ab",
            "Dòng 3, cột G «Mật khẩu ban đầu»: Mật khẩu phải có ít nhất 8 ký tự.",
        ),
        (
            "Lê Văn A,,BTGTU-BP,levana01,Lãnh đạo,,LEVANA01",
            "Dòng 3, cột G «Mật khẩu ban đầu»: Mật khẩu không được trùng tên đăng nhập.",
        ),
        (
            "Lê Văn A,,KHONG-CO,le.a,Lãnh đạo,,",
            "Dòng 3, cột C «Mã cơ quan»: Không có cơ quan, đơn vị «KHONG-CO».",
        ),
        ("Lê Văn A,,BTGTU-BP,le.a,,,", "Dòng 3, cột E «Vai trò»: Có tên đăng nhập thì cần vai trò."),
        (
            "Lê Văn A,,BTGTU-BP,le.a,Lãnh đạo,khong-phai-thu,",
            "Dòng 3, cột F «Thư điện tử»: Thư điện tử «khong-phai-thu» không đúng dạng.",
        ),
        (
            "Lê Văn A,,BTGTU-BP,tu.nv,Lãnh đạo,,",
            "Dòng 3, cột D «Tên đăng nhập»: Tên đăng nhập tu.nv đã có ở dòng 2.",
        ),
    ],
    ids=[
        "username-taken",
        "unknown-role",
        "short",
        "short2",
        "short3",
        "password-is-username",
        "unknown-org",
        "no-role",
        "email",
        "duplicate-in-file",
    ],
)
def test_a_bad_person_row_names_its_row_and_column_and_nothing_is_written(world, row, expected):
    db.session.commit()
    before = (_count(Person), _count(User), _count(AuditEntry))
    header = "Họ và tên,Chức vụ,Mã cơ quan,Tên đăng nhập,Vai trò,Thư điện tử,Mật khẩu ban đầu\n"
    good = "Nguyễn Văn Tư,Chuyên viên,BTGTU-BP,tu.nv,Cán bộ kiểm tra,,mat-khau-tu-1\n"
    result = _people(csv_bytes(header + good + row + "\n"), world)
    assert _messages(result) == [expected.replace("cột C «Mã cơ quan»", "cột C «Mã cơ quan, đơn vị»")]
    db.session.rollback()
    assert (_count(Person), _count(User), _count(AuditEntry)) == before


def test_dates_written_as_excel_serial_numbers_are_read(world):
    rows = [["Mã", "Tên cơ quan", "Mã cấp trên", "Hiệu lực từ ngày"], ["A", "Cơ quan A", "TU-BP", 45658]]
    sheet = read_sheet(xlsx(rows), "x.xlsx", organizations.SPEC)
    assert sheet.rows[0].get("valid_from") == date(2025, 1, 1)  # serial 45658 in Excel's 1900 system
