"""The audit page: who did what to which record and when, filtered, and exported as .xlsx and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models import AuditEntry, db
from tests.conftest import _user
from workflows import admin as admin_flow
from workflows import audit
from workflows.system import SystemActor


@pytest.fixture
def trail(world, create_visit):
    """A visit created by the inspector, an organisation changed by the admin, an account opened by a
    server command, on known days."""
    visit = create_visit()
    admin_flow.update_organization(
        world.district_office,
        world.admin,
        code="BTGHU-BUDOP",
        doc_code="BTGHU",
        name="Ban Tuyên giáo và Dân vận Huyện ủy Bù Đốp",
        kind=world.district_office.kind,
        parent=world.district,
    )
    audit.record(
        SystemActor("kiemtra create-user", os_user="root"), "user.created", world.office, username="office"
    )
    days = {
        "visit.created": datetime(2025, 3, 1, 3, tzinfo=UTC),
        "organization.updated": datetime(2025, 3, 5, 3, tzinfo=UTC),
    }
    for entry in db.session.scalars(select(AuditEntry)):
        entry.created_at = days.get(entry.action, datetime(2025, 3, 9, 3, tzinfo=UTC))
    db.session.commit()
    return visit


def _rows(html: str) -> str:
    return html.split('id="audit"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_the_page_says_who_did_what_to_which_record_and_when(login_as, world, trail):
    html = _rows(login_as(world.admin).get("/admin/audit").get_data(as_text=True))
    assert "Sửa cơ quan, đơn vị" in html and "admin" in html and "05/03/2025 10:00:00" in html
    assert "Tạo đợt kiểm tra" in html and "inspector" in html
    assert "Hệ thống: kiemtra create-user (root)" in html
    assert f'href="/visits/{trail.id}"' in html


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("actor=inspector", "Tạo đợt kiểm tra", "Sửa cơ quan, đơn vị"),
        ("action=organization.updated", "Sửa cơ quan, đơn vị", "Tạo đợt kiểm tra"),
        ("record=visit", "Tạo đợt kiểm tra", "Sửa cơ quan, đơn vị"),
        ("from=04/03/2025&to=05/03/2025", "Sửa cơ quan, đơn vị", "Tạo đợt kiểm tra"),
        ("actor=create-user", "Hệ thống", "Tạo đợt kiểm tra"),
    ],
)
def test_filters_by_person_action_record_and_period(login_as, world, trail, query, present, absent):
    html = _rows(login_as(world.admin).get(f"/admin/audit?{query}").get_data(as_text=True))
    assert present in html and absent not in html


def test_a_record_number_finds_who_changed_that_record(login_as, world, trail):
    url = f"/admin/audit?record=organization&record_id={world.district_office.id}"
    html = _rows(login_as(world.admin).get(url).get_data(as_text=True))
    assert "Sửa cơ quan, đơn vị" in html and "code: BTGHU-BUDOP" in html
    assert html.count("<tr>") == 1


def test_a_bad_date_filter_gets_a_message_not_an_error(login_as, world, trail):
    response = login_as(world.admin).get("/admin/audit?from=31/02/2025&record_id=abc")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "31/02/2025" in page and "Số bản ghi phải là số." in page


def test_the_export_holds_the_filtered_entries_as_xlsx_and_csv(login_as, world, trail):
    client = login_as(world.admin)
    xlsx = client.get("/admin/audit/export.xlsx?action=organization.updated")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Thời điểm", "Người làm", "Việc", "Bản ghi", "Số", "Chi tiết")
    assert len(rows) == 2 and rows[1][2] == "Sửa cơ quan, đơn vị" and rows[1][4] == world.district_office.id
    text = client.get("/admin/audit/export.csv").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert len(lines) == 1 + db.session.query(AuditEntry).count()
    assert any("Hệ thống: kiemtra create-user (root)" in line for line in lines)


def test_a_district_administrator_sees_only_what_their_subtree_did(login_as, world, trail):
    district_admin = _user("qt-budop", world.admin.role, world.district)
    db.session.commit()
    html = _rows(login_as(district_admin).get("/admin/audit").get_data(as_text=True))
    assert "<tr>" not in html  # the inspector, the provincial admin and the server are above it


@pytest.mark.parametrize("role", ["inspector", "office", "leader"])
def test_only_administrators_see_the_audit_log(login_as, world, role):
    client = login_as(getattr(world, role))
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit/export.csv").status_code == 403
