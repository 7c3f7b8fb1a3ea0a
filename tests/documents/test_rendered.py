"""Every document type rendered as an office prints it: LibreOffice to PDF, the text read back with
pdftotext, and every page drawn to PNG under /tmp/documents-render for people to look at."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from exports.conclusion import build_conclusion
from exports.followup import build_followup
from exports.pdf import docx_to_pdf
from exports.summary import build_summary
from exports.visit_report import build_visit_report
from models import Organization, db
from workflows.documents import followup_facts, summary_facts, units_with_overdue_tasks

pytestmark = pytest.mark.slow
RENDER = Path("/tmp/documents-render")  # noqa: S108 - for people to look at


def _render(name: str, docx: bytes) -> str:
    """Convert to PDF, draw each page to PNG, and return the text laid out as printed."""
    RENDER.mkdir(exist_ok=True)
    pdf = RENDER / f"{name}.pdf"
    pdf.write_bytes(docx_to_pdf(docx))
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(RENDER / name)], check=True)
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_every_document_type_prints_with_its_rules_visible(demo):
    visit = demo["visit"]
    today = demo["today"]
    report = _render(
        "visit-report", build_visit_report(visit, issued_on=date(2023, 6, 14), number="01-BC/BTGTU")
    )
    assert "Số 01-BC/BTGTU" in report and "Thành phần Đoàn kiểm tra gồm các đồng chí:" in report
    assert "T/M ĐOÀN KIỂM TRA" in report and "Nơi nhận:" in report
    notice = _render(
        "conclusion",
        build_conclusion(
            visit, issued_on=date(2023, 6, 20), report_due_on=date(2023, 7, 20), number="01-TB/BTGTU"
        ),
    )
    assert "K/T TRƯỞNG BAN" in notice and "đề nghị Ban Thường vụ Huyện ủy Bù Đốp" in " ".join(notice.split())
    province = db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))
    facts = summary_facts(province, date(2023, 1, 1), today, today)
    summary = _render("summary", build_summary(facts, issuer=province, issued_on=today, number="01-BC/TU"))
    assert "V- KIẾN NGHỊ, ĐỀ XUẤT" in summary and "trong Đảng bộ tỉnh" in summary
    # Each rate is printed whole on one line: "100,0%", "62,5%" never split in two.
    for line in facts.units:
        for rate in (line.counts.completion_rate, line.counts.share("done")):
            if rate is not None:
                assert f"{rate * 100:.1f}%".replace(".", ",") in summary
    unit = next(org for org, _ in units_with_overdue_tasks(province, today))
    letter_facts = followup_facts(unit, today)
    letter = _render(
        "followup",
        build_followup(
            letter_facts,
            issuer=visit.inspecting_org,
            issued_on=today,
            report_due_on=today,
            number="01-CV/BTGTU",
        ),
    )
    assert "Số 01-CV/BTGTU" in letter and "Kính gửi:" in letter
    assert sorted(p.name for p in RENDER.glob("*-1.png"))
