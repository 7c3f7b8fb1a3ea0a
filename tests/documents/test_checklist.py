"""Checklist of the measurable rules of each document type, read from the .docx XML as a clerk
would check the printed page: who is named, which deadlines, which words, which form of "Nơi nhận"."""

from __future__ import annotations

from datetime import date

from docx.oxml.ns import qn

from exports.conclusion import build_conclusion
from exports.letterhead import body_date
from exports.visit_report import build_visit_report
from models.enums import INSPECTING_ROLES, TaskStatus
from tests.documents.conftest import body_texts, open_docx, paragraph_starting, tables


def _directive_paragraphs(document, directives):
    return {d.number: paragraph_starting(document, f"{d.ordinal}, ").text for d in directives}


def test_the_visit_report_names_every_member_of_the_delegation(demo):
    visit = demo["visit"]
    texts = body_texts(open_docx(build_visit_report(visit, issued_on=date(2023, 6, 14))))
    start = texts.index("Thành phần Đoàn kiểm tra gồm các đồng chí:")
    listed = texts[start + 1 : texts.index("Đoàn kiểm tra báo cáo kết quả như sau:")]
    members = [m for m in visit.members if m.role in INSPECTING_ROLES]
    assert len(members) >= 2 and len(listed) == len(members)
    for member in members:
        assert any(member.person.full_name in line for line in listed), member.person.full_name
    assert listed[0].endswith("– Trưởng Đoàn")


def test_each_directive_prints_the_deadlines_the_tracker_counts(demo):
    visit = demo["visit"]
    for build in (
        lambda: build_visit_report(visit, issued_on=date(2023, 6, 14)),
        lambda: build_conclusion(visit, issued_on=date(2023, 6, 20), report_due_on=date(2023, 7, 20)),
    ):
        paragraphs = _directive_paragraphs(open_docx(build()), visit.directives)
        checked = 0
        for directive in visit.directives:
            for task in directive.tasks:
                if task.due_on is not None and task.status is not TaskStatus.CANCELLED:
                    assert body_date(task.due_on) in paragraphs[directive.number], directive.ordinal
                    checked += 1
        assert checked >= 3


def test_the_conclusion_addresses_one_body_and_a_board_asks_a_committee_rather_than_orders(demo):
    visit = demo["visit"]
    document = open_docx(
        build_conclusion(visit, issued_on=date(2023, 6, 20), report_due_on=date(2023, 7, 20))
    )
    texts = body_texts(document)
    addressee = "Ban Thường vụ Huyện ủy Bù Đốp"
    lead_in = next(t for t in texts if "tập trung thực hiện tốt" in t)
    assert lead_in.startswith(f"{visit.inspecting_org.name} đề nghị {addressee}")
    assert not any(" yêu cầu Ban Thường vụ" in t for t in texts)
    recipients = tables(document)[-1][0][0]
    assert f"- {addressee} (để thực hiện)," in recipients


def test_noi_nhan_takes_the_party_form_underlined_upright_recipients_ending_in_commas(demo):
    document = open_docx(build_visit_report(demo["visit"], issued_on=date(2023, 6, 14)))
    closing = document.tables[-1].rows[0].cells[0]
    label = closing.paragraphs[0].runs[0]
    assert label.text == "Nơi nhận:"
    assert label.underline and not label.bold and not label.italic
    lines = [p.text for p in closing.paragraphs]
    assert all(line.startswith("- ") and line.endswith(",") for line in lines[1:-1])
    assert lines[-1].startswith("- Lưu ") and lines[-1].endswith(".") and ":" not in lines[-1]
    fonts = label._r.find(qn("w:rPr"))
    assert fonts is None or fonts.find(qn("w:b")) is None
