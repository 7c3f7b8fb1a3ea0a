"""Imports from the command line and from the admin pages: preview, confirm, and every refusal."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import AuditEntry, Organization, Person, User, db
from tests.adopt.sheets import csv_bytes, nfd, office_tree_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _counts() -> tuple[int, ...]:
    counts = tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Organization, Person, User, AuditEntry)
    )
    db.session.rollback()
    return counts


def _org(code: str) -> Organization | None:
    found = db.session.scalar(select(Organization).where(Organization.code == code))
    return found


# --- Command line ------------------------------------------------------------------------------


def test_import_orgs_dry_run_shows_the_changes_and_writes_nothing_then_the_real_run_writes(
    runner, world, tmp_path
):
    db.session.commit()
    path = tmp_path / "cơ quan.xlsx"
    path.write_bytes(office_tree_xlsx())
    before = _counts()
    dry = runner.invoke(args=["import-orgs", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "UBND-BUDOP" in dry.output and "không ghi gì" in dry.output
    assert _counts() == before
    real = runner.invoke(args=["import-orgs", str(path)])
    assert real.exit_code == 0, real.output
    assert _org("UBND-BUDOP").parent.code == "HU-BUDOP"


def test_import_orgs_refuses_a_bad_file_naming_row_and_column(runner, world, tmp_path):
    db.session.commit()
    path = tmp_path / "tree.csv"
    path.write_bytes(csv_bytes("Mã,Tên cơ quan,Mã cấp trên\nA,Cơ quan A,TU-BP\nB,Cơ quan B,KHONG-CO\n"))
    before = _counts()
    result = runner.invoke(args=["import-orgs", str(path)])
    assert result.exit_code != 0
    assert "Dòng 3, cột C «Mã cấp trên»: Không có cơ quan cấp trên mã KHONG-CO" in result.output
    assert "không ghi gì" in result.output
    assert _counts() == before


def test_import_orgs_refuses_a_50_mb_file_and_a_file_that_is_not_a_spreadsheet(runner, world, tmp_path):
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK\x03\x04" + b"0" * (50 * 1024 * 1024))
    result = runner.invoke(args=["import-orgs", str(big)])
    assert result.exit_code != 0 and "quá giới hạn" in result.output
    text = tmp_path / "notes.xlsx"
    text.write_text("không phải bảng tính")
    result = runner.invoke(args=["import-orgs", str(text)])
    assert result.exit_code != 0 and "không phải bảng tính" in result.output


def test_import_people_prints_the_generated_first_passwords_once(runner, world, tmp_path):
    db.session.commit()
    path = tmp_path / "people.csv"
    path.write_bytes(
        csv_bytes("Họ và tên,Mã cơ quan,Tên đăng nhập,Vai trò\nTrần Thị Lan,HU-BUDOP,lan.tt,Lãnh đạo\n")
    )
    result = runner.invoke(args=["import-people", str(path)])
    assert result.exit_code == 0, result.output
    password = result.output.rsplit(": ", 1)[1].strip()
    user = db.session.scalar(select(User).where(User.username == "lan.tt"))
    assert user.check_password(password) and user.person.full_name == "Trần Thị Lan"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.created"))
    assert "kiemtra import-people" in entry.details


# --- Admin pages -------------------------------------------------------------------------------


def test_the_upload_page_lists_the_columns_and_offers_a_template(login_as, world):
    client = login_as(world.admin)
    page = client.get("/admin/import/orgs").get_data(as_text=True)
    assert "Mã cấp trên" in page and "template.xlsx" in page
    template = client.get("/admin/import/people/template.xlsx")
    assert template.status_code == 200 and template.mimetype == XLSX
    headers = [c.value for c in load_workbook(io.BytesIO(template.data)).worksheets[0][1]]
    assert headers[:3] == ["Họ và tên *", "Chức vụ", "Mã cơ quan, đơn vị *"]


def test_upload_previews_without_writing_and_confirm_writes_everything(login_as, world, app):
    db.session.commit()
    client = login_as(world.admin)
    before = _counts()
    data = {"file": (io.BytesIO(office_tree_xlsx()), "co-quan.xlsx")}
    preview = client.post("/admin/import/orgs", data=data, content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Sẽ thêm 1, sửa 2, giữ nguyên 0" in html and "UBND-BUDOP" in html
    assert _counts() == before
    token = html.split('name="token" value="', 1)[1].split('"', 1)[0]
    done = client.post("/admin/import/orgs/confirm", data={"token": token})
    assert done.status_code == 200
    assert "Đã ghi: thêm 1, sửa 2" in done.get_data(as_text=True)
    assert _org("UBND-BUDOP") is not None
    again = client.post("/admin/import/orgs/confirm", data={"token": token})
    assert "đã được nhập" in again.get_data(as_text=True)  # a confirmation cannot run twice


def test_a_bad_upload_shows_each_rows_errors_and_no_confirm_button(login_as, world):
    db.session.commit()
    client = login_as(world.admin)
    before = _counts()
    body = (
        "Họ và tên,Mã cơ quan,Tên đăng nhập,Vai trò,Mật khẩu ban đầu\n"
        "Lê Văn A,BTGTU-BP,inspector,Lãnh đạo,mat-khau-dai\n"
        "Lê Văn B,BTGTU-BP,le.b,Chủ tịch,ngan\n"
    )
    data = {"file": (io.BytesIO(csv_bytes(body)), "nguoi.csv")}
    response = client.post("/admin/import/people", data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert "3 lỗi" in html
    assert "Tên đăng nhập inspector đã có." in html
    assert "Vai trò «Chủ tịch» không có" in html and "Mật khẩu phải có ít nhất 8 ký tự." in html
    assert 'name="token"' not in html
    assert _counts() == before


def test_a_non_spreadsheet_and_a_50_mb_upload_are_refused_with_a_message(login_as, world):
    client = login_as(world.admin)
    data = {"file": (io.BytesIO(b"%PDF-1.7"), "tree.pdf")}
    response = client.post("/admin/import/orgs", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "Chỉ nhận bảng tính .xlsx hoặc .csv." in response.get_data(
        as_text=True
    )
    # A body given as bytes stays in memory; the client would otherwise spool it to a temporary file.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="tree.xlsx"\r\n\r\n'
        + b"0" * (50 * 1024 * 1024)
        + b"\r\n--b--\r\n"
    )
    response = client.post("/admin/import/orgs", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413 and "quá giới hạn 5 MB" in response.get_data(as_text=True)


def test_the_english_page_speaks_english(login_as, world):
    world.admin.locale = "en"
    db.session.commit()
    client = login_as(world.admin)
    data = {"file": (io.BytesIO(csv_bytes("Mã,Tên cơ quan,Mã cấp trên\nA,Cơ quan A,KHONG-CO\n")), "t.csv")}
    html = client.post("/admin/import/orgs", data=data, content_type="multipart/form-data").get_data(
        as_text=True
    )
    assert "No parent organisation with code KHONG-CO" in html


@pytest.mark.parametrize("role", ["inspector", "office", "leader"])
def test_only_administrators_import(login_as, world, role):
    client = login_as(getattr(world, role))
    assert client.get("/admin/import/orgs").status_code == 403
    assert client.get("/admin/import/orgs/template.xlsx").status_code == 403


# --- LibreOffice-made spreadsheets -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_spreadsheet_saved_by_libreoffice_with_nfd_text_and_dates_imports(runner, world, tmp_path):
    source = tmp_path / "don-vi.csv"
    source.write_text(
        "Mã,Tên cơ quan,Mã cấp trên,Hiệu lực từ ngày,Hiệu lực đến ngày\n"
        f"MTTQ-BUDOP,{nfd('Ủy ban Mặt trận Tổ quốc huyện Bù Đốp ')},HU-BUDOP,2000-01-01,\n"
        f"HU-PHUOCLONG,{nfd('Huyện ủy Phước Long')},TU-BP,1988-03-01,2025-06-30\n",
        encoding="utf-8",
    )
    converted = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    target = tmp_path / "don-vi.xlsx"
    assert target.exists(), converted.stderr
    # LibreOffice turned the ISO dates into real date cells.
    assert load_workbook(target).active["D2"].is_date
    db.session.commit()
    result = runner.invoke(args=["import-orgs", str(target)])
    assert result.exit_code == 0, result.output
    front = _org("MTTQ-BUDOP")
    assert (
        front.name == "Ủy ban Mặt trận Tổ quốc huyện Bù Đốp" and front.valid_from.isoformat() == "2000-01-01"
    )
    assert _org("HU-PHUOCLONG").valid_to.isoformat() == "2025-06-30"
