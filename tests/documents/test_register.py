"""The register of issued documents: numbers from 01, the issued files kept and downloadable again,
cancelled numbers kept with their reason, unusual dates explained, file properties."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from exports.visit_report import build_visit_report
from models import AuditEntry, IssuedDocument, IssuedFile, db
from models.issued_document import ImmutableRecord
from tests.documents.conftest import open_docx, tables
from workflows import documents as flow
from workflows.documents import DocumentKind
from workflows.errors import InvalidState, PermissionDenied, ValidationFailed
from workflows.issuing import cancel_document, issue_document

ISSUED_ON = date(2023, 6, 20)


def _issue(visit, actor, issued_on=ISSUED_ON, today=ISSUED_ON, **options):
    return issue_document(
        actor,
        DocumentKind.VISIT_REPORT,
        issuer=visit.inspecting_org,
        issued_on=issued_on,
        visit=visit,
        subject=visit.inspected_org.name,
        build=lambda symbol: build_visit_report(visit, issued_on=issued_on, number=symbol),
        today=today,
        **options,
    )


def test_numbers_below_ten_print_with_a_leading_zero_and_ten_without(world, conducted_visit):
    visit = conducted_visit()
    documents = [_issue(visit, world.inspector) for _ in range(10)]
    assert [d.symbol for d in documents[:2]] == ["01-BC/BTGTU", "02-BC/BTGTU"]
    assert documents[9].symbol == "10-BC/BTGTU"
    assert tables(open_docx(documents[0].file("docx").data))[0][1][0] == "Số 01-BC/BTGTU"


def test_the_issued_word_file_is_kept_with_its_hash_and_cannot_be_changed(world, conducted_visit):
    visit = conducted_visit()
    document = _issue(visit, world.inspector)
    db.session.commit()
    kept = db.session.scalar(select(IssuedFile).where(IssuedFile.document_id == document.id))
    assert kept.format == "docx" and kept.size == len(kept.data)
    assert kept.sha256 == document.file_sha256 == hashlib.sha256(kept.data).hexdigest()
    kept.data = b"forged"
    with pytest.raises(ImmutableRecord):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(IssuedFile, kept.id))
    with pytest.raises(ImmutableRecord):
        db.session.flush()
    db.session.rollback()


def test_the_file_says_who_issued_it_and_when(world, conducted_visit):
    visit = conducted_visit()
    properties = open_docx(_issue(visit, world.inspector).file("docx").data).core_properties
    assert properties.author == "Ban Tuyên giáo Tỉnh ủy" == visit.inspecting_org.name
    assert properties.created.date() == ISSUED_ON and properties.modified.date() == ISSUED_ON
    assert properties.title.startswith("BÁO CÁO kết quả kiểm tra")


def test_a_number_dated_into_a_closed_term_needs_a_reason_kept_in_the_audit_trail(world, conducted_visit):
    visit = conducted_visit()
    with pytest.raises(ValidationFailed, match="Nhiệm kỳ 2020-2025 đã kết thúc"):
        _issue(visit, world.inspector, today=date(2026, 1, 5))
    db.session.rollback()
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == 0
    document = _issue(visit, world.inspector, today=date(2026, 1, 5), reason="  Bổ sung hồ sơ   năm 2023 ")
    assert document.number == 1 and document.exception_reason == "Bổ sung hồ sơ năm 2023"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "document.issued"))
    details = json.loads(entry.details)
    assert details["reason"] == "Bổ sung hồ sơ năm 2023" and "2020-2025" in details["unusual"][0]


def test_a_date_before_the_series_last_date_needs_a_reason(world, conducted_visit):
    visit = conducted_visit()
    _issue(visit, world.inspector, issued_on=date(2023, 7, 1), today=date(2023, 7, 1))
    db.session.commit()
    with pytest.raises(ValidationFailed, match="trước ngày của văn bản đã cấp số gần nhất"):
        _issue(visit, world.inspector, issued_on=date(2023, 6, 25), today=date(2023, 7, 2))
    db.session.rollback()
    visit = flow.load_visit(visit.id)
    later = _issue(visit, world.inspector, issued_on=date(2023, 7, 2), today=date(2023, 7, 2))
    assert later.number == 2 and later.exception_reason is None


def test_a_cancelled_number_stays_in_the_register_with_its_reason(world, conducted_visit):
    visit = conducted_visit()
    document = _issue(visit, world.inspector)
    with pytest.raises(ValidationFailed):
        cancel_document(document, world.inspector, "   ")
    with pytest.raises(PermissionDenied):
        cancel_document(document, world.admin, "Không dùng")
    cancel_document(document, world.inspector, "Ghi nhầm ngày ban hành")
    db.session.commit()
    assert document.is_cancelled and document.cancelled_by == world.inspector
    with pytest.raises(InvalidState):
        cancel_document(document, world.inspector, "lần nữa")
    assert _issue(visit, world.inspector).number == 2  # a cancelled number is never given again


def test_the_register_lists_issued_files_for_download_and_keeps_cancelled_numbers(
    world, login_as, conducted_visit
):
    visit = conducted_visit()
    document = _issue(visit, world.inspector)
    db.session.commit()
    inspector = login_as(world.inspector)
    page = inspector.get("/van-ban/so-van-ban").get_data(as_text=True)
    assert "01-BC/BTGTU" in page and f"/van-ban/so-van-ban/{document.id}.docx" in page
    download = inspector.get(f"/van-ban/so-van-ban/{document.id}.docx")
    assert download.status_code == 200 and download.data == document.file("docx").data
    assert inspector.get(f"/van-ban/so-van-ban/{document.id}.pdf").status_code == 302  # no PDF kept here
    refused = inspector.post(f"/van-ban/so-van-ban/{document.id}/huy", data={"ly_do": ""})
    assert refused.status_code == 302
    assert "Hãy ghi lý do hủy số văn bản." in inspector.get(refused.location).get_data(as_text=True)
    assert not db.session.get(IssuedDocument, document.id).is_cancelled
    inspector.post(f"/van-ban/so-van-ban/{document.id}/huy", data={"ly_do": "Trùng nội dung"})
    page = inspector.get("/van-ban/so-van-ban").get_data(as_text=True)
    assert "01-BC/BTGTU" in page and "Đã hủy" in page and "Trùng nội dung" in page
    assert inspector.get(f"/van-ban/so-van-ban/{document.id}.docx").data == document.file("docx").data


def test_the_register_hides_documents_outside_the_readers_scope(world, login_as, conducted_visit):
    visit = conducted_visit()
    document = _issue(visit, world.inspector)
    db.session.commit()
    outsider = login_as(world.other_inspector)
    assert "01-BC/BTGTU" not in outsider.get("/van-ban/so-van-ban").get_data(as_text=True)
    assert outsider.get(f"/van-ban/so-van-ban/{document.id}.docx").status_code == 404
    assert outsider.post(f"/van-ban/so-van-ban/{document.id}/huy", data={"ly_do": "x"}).status_code == 404
    assert not db.session.get(IssuedDocument, document.id).is_cancelled
