"""The unit's report as a Word document: what a reader of it sees."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import docx

from exports.report_back import build_report_back
from models import db
from tests.conftest import at
from workflows import report_back
from workflows import tasks as task_flow
from workflows import visits as visit_flow


def _text(data: bytes) -> str:
    document = docx.Document(BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def test_the_report_is_issued_by_the_unit_to_the_inspecting_body(full_visit, world, unit_office):
    visit = full_visit(directives=2)
    first = visit.directives[0].tasks[0]
    task_flow.record_progress(
        first, world.office, note="Đã tổ chức hội nghị quán triệt", progress=80, now=at(date(2023, 7, 1))
    )
    visit_flow.conclude_visit(
        visit, world.inspector, report_due_on=date(2023, 7, 20), now=at(date(2023, 6, 20))
    )
    db.session.commit()
    task = report_back.task_of(visit)
    second = visit.directives[1]
    report_back.save_draft(
        task,
        unit_office,
        general="Ban Thường vụ Huyện ủy đã quán triệt Thông báo kết luận.",
        texts={second.id: "Đang rà soát, cập nhật trang thông tin."},
    )
    db.session.commit()

    data = build_report_back(report_back.report_facts(task, unit_office), issued_on=date(2023, 7, 10))
    text = _text(data)
    assert "HUYỆN ỦY BÙ ĐỐP" in text  # the unit's letterhead, not the board's
    assert "-BC/HU" in text
    assert "BÁO CÁO" in text
    assert "kết quả thực hiện Thông báo kết luận kiểm tra ngày 20/06/2023" in text
    assert "Kính gửi: Ban Tuyên giáo Tỉnh ủy" in text
    assert "Ban Thường vụ Huyện ủy đã quán triệt Thông báo kết luận." in text
    assert "1. Một là" in text
    assert "Yêu cầu: Yêu cầu thứ 1: triển khai Quy định 85-QĐ/TW ở cơ sở." in text
    # the unit's own words where it wrote them, else its tasks' recorded progress
    assert "Đang rà soát, cập nhật trang thông tin." in text
    assert "Đã tổ chức hội nghị quán triệt" in text
    assert "Ban Tuyên giáo Huyện ủy Bù Đốp | 31/12/2023 | Đang thực hiện (80%)" in text
    assert "T/M BAN THƯỜNG VỤ" in text
    assert "Lưu Văn phòng Huyện ủy" in "\n".join(
        cell.text for table in docx.Document(BytesIO(data)).tables for row in table.rows for cell in row.cells
    )


def test_the_conclusion_notice_asks_for_the_report_by_the_recorded_date(full_visit, world):
    from app.documents import service
    from workflows.documents import DocumentKind

    visit = full_visit(directives=1)
    visit_flow.conclude_visit(
        visit, world.inspector, report_due_on=date(2023, 8, 15), now=at(date(2023, 6, 20))
    )
    db.session.commit()
    data = service.visit_builder(DocumentKind.CONCLUSION, visit, date(2023, 6, 21))(None)
    assert "báo cáo kết quả thực hiện về Ban Tuyên giáo Tỉnh ủy trước ngày 15/08/2023." in _text(data)
