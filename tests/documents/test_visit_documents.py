"""The visit report and the conclusion notice, reopened with python-docx and read as a person would."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from exports.conclusion import build_conclusion
from exports.letterhead import Signature
from exports.visit_report import build_visit_report
from models.enums import FindingKind, OrgKind
from models.vntext import ordinal_la
from tests.documents.conftest import blocks, body_texts, open_docx, paragraph_starting, tables
from workflows.demo import SEED_DIRECTIVES

THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
FONT_SLOTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")


def _header_cells(document):
    table = next(b for b in blocks(document) if hasattr(b, "rows"))
    (left, right), (number, date_line) = (row.cells for row in table.rows)
    return left, right, number, date_line


def test_the_seed_report_has_the_party_letterhead(demo):
    document = open_docx(build_visit_report(demo["visit"], issued_on=date(2023, 6, 14), number="12-BC/BTGTU"))
    left, right, number, date_line = _header_cells(document)
    assert [p.text for p in left.paragraphs] == ["TỈNH ỦY BÌNH PHƯỚC", "BAN TUYÊN GIÁO", "*"]
    assert left.paragraphs[1].runs[0].bold
    assert not left.paragraphs[0].runs[0].bold
    assert right.paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert right.paragraphs[0].runs[0].bold
    assert right.paragraphs[0].runs[0].font.size == Pt(15)
    assert right.paragraphs[0]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")) is not None  # the rule
    assert number.text == "Số 12-BC/BTGTU"
    assert ":" not in number.text
    assert date_line.text == "Bình Phước, ngày 14 tháng 6 năm 2023"
    assert date_line.paragraphs[0].runs[0].italic
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for c in (left, right) for p in c.paragraphs)


@pytest.mark.parametrize(
    ("issued_on", "expected"),
    [
        (date(2024, 2, 5), "Bình Phước, ngày 05 tháng 02 năm 2024"),
        (date(2023, 6, 14), "Bình Phước, ngày 14 tháng 6 năm 2023"),
        (date(2023, 1, 31), "Bình Phước, ngày 31 tháng 01 năm 2023"),
        (date(2023, 12, 9), "Bình Phước, ngày 09 tháng 12 năm 2023"),
    ],
)
def test_the_date_line_pads_days_below_ten_and_the_first_two_months(conducted_visit, issued_on, expected):
    document = open_docx(build_visit_report(conducted_visit(), issued_on=issued_on))
    assert _header_cells(document)[3].text == expected


def test_a_draft_leaves_the_number_blank_and_says_it_is_a_draft(conducted_visit):
    document = open_docx(build_visit_report(conducted_visit(), issued_on=date(2023, 6, 20)))
    number = _header_cells(document)[2].text
    assert re.fullmatch(r"Số +-BC/BTGTU", number)
    section = document.sections[0]
    assert "DỰ THẢO" in section.first_page_header.paragraphs[0].text
    assert "DỰ THẢO" not in " ".join(body_texts(document))


def test_the_page_is_a4_with_the_party_margins(conducted_visit):
    section = open_docx(build_visit_report(conducted_visit(), issued_on=date(2023, 6, 20))).sections[0]
    measured = [section.page_width, section.page_height, section.top_margin, section.bottom_margin]
    measured += [section.left_margin, section.right_margin]
    assert [round(length.mm, 1) for length in measured] == [210, 297, 20, 20, 30, 15]


def test_times_new_roman_is_set_on_all_four_slots_and_no_theme_font_remains(conducted_visit):
    document = open_docx(build_visit_report(conducted_visit(), issued_on=date(2023, 6, 20)))
    section = document.sections[0]
    parts = [
        document.styles.element,
        document.element,
        section.header._element,
        section.first_page_header._element,
    ]
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")) is not None
    checked = 0
    for part in parts:
        for fonts in part.iter(qn("w:rFonts")):
            checked += 1
            assert [fonts.get(qn(slot)) for slot in FONT_SLOTS] == ["Times New Roman"] * 4
            assert not [a for a in THEME_ATTRIBUTES if fonts.get(qn(a)) is not None]
    assert checked > 10
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_the_title_is_sixteen_point_bold_and_the_body_fourteen_point_justified_with_an_indent(demo):
    document = open_docx(build_visit_report(demo["visit"], issued_on=date(2023, 6, 14)))
    title = paragraph_starting(document, "BÁO CÁO")
    assert title.runs[0].bold and title.runs[0].font.size == Pt(16)
    texts = body_texts(document)
    assert "kết quả kiểm tra công tác tuyên giáo 6 tháng đầu năm 2023" in texts
    assert "tại Huyện ủy Bù Đốp" in texts
    opening = paragraph_starting(document, "Thực hiện")
    style = opening.style
    assert style.font.size == Pt(14)
    assert style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert style.paragraph_format.first_line_indent > Mm(10)
    assert "Mạc Đình Huấn, Phó Trưởng Ban Tuyên giáo Tỉnh ủy làm Trưởng Đoàn" in opening.text
    assert "Dương Thanh Huân, TUV, Bí thư Huyện ủy Bù Đốp" in opening.text


def test_page_numbers_start_on_page_two(conducted_visit):
    section = open_docx(build_visit_report(conducted_visit(), issued_on=date(2023, 6, 20))).sections[0]
    assert section.different_first_page_header_footer
    instructions = [t.text.strip() for t in section.header._element.iter(qn("w:instrText"))]
    assert instructions == ["PAGE"]
    assert section.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert not list(section.first_page_header._element.iter(qn("w:instrText")))


def test_the_nine_seed_directives_come_in_order_with_their_ordinal_words(demo):
    document = open_docx(build_visit_report(demo["visit"], issued_on=date(2023, 6, 14)))
    texts = body_texts(document)
    positions = []
    for number, (title, body, _codes) in enumerate(SEED_DIRECTIVES, start=1):
        prefix = f"{ordinal_la(number)}, "
        index = next(i for i, text in enumerate(texts) if text.startswith(prefix))
        positions.append(index)
        assert title[1:] in texts[index] and body[1:] in texts[index]
        paragraph = paragraph_starting(document, prefix)
        assert paragraph.runs[0].bold and paragraph.runs[0].text == prefix
    assert positions == sorted(positions)
    assert texts[positions[0]].startswith("Một là, bám sát chương trình")
    assert texts[positions[-1]].startswith("Chín là, tăng cường kiểm tra")


def test_the_report_speaks_and_signs_for_the_delegation_and_lists_its_recipients(demo):
    document = open_docx(build_visit_report(demo["visit"], issued_on=date(2023, 6, 14)))
    closing = tables(document)[-1][0]
    recipients, signature = closing
    assert recipients.splitlines()[0] == "Nơi nhận:"
    assert "- Huyện ủy Bù Đốp," in recipients
    assert recipients.splitlines()[-1] == "- Lưu Văn phòng Ban."
    lines = [line for line in signature.splitlines() if line]
    assert lines == ["T/M ĐOÀN KIỂM TRA", "TRƯỞNG ĐOÀN", "Mạc Đình Huấn"]
    assert "Đoàn kiểm tra báo cáo kết quả như sau:" in body_texts(document)


def test_the_conclusion_speaks_and_signs_for_the_board_led_by_its_deputy_head(demo):
    document = open_docx(
        build_conclusion(demo["visit"], issued_on=date(2023, 6, 20), report_due_on=date(2023, 7, 20))
    )
    lines = [line for line in tables(document)[-1][0][1].splitlines() if line]
    assert lines == ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Mạc Đình Huấn"]


def test_the_report_lists_findings_by_kind(conducted_visit):
    visit = conducted_visit(
        findings={
            FindingKind.ACHIEVEMENT: ["Duy trì bản tin thời sự hằng tháng."],
            FindingKind.LIMITATION: ["Trang thông tin cập nhật chậm."],
            FindingKind.CAUSE: ["Thiếu cán bộ chuyên trách."],
            FindingKind.DIFFICULTY: ["Địa bàn rộng, dân cư phân tán."],
            FindingKind.HOST_REQUEST: ["Đề nghị hỗ trợ kinh phí in tài liệu."],
        }
    )
    texts = body_texts(open_docx(build_visit_report(visit, issued_on=date(2023, 6, 20))))
    order = [
        "I- KẾT QUẢ KIỂM TRA",
        "- Địa bàn rộng, dân cư phân tán.",
        "II- NHẬN XÉT, ĐÁNH GIÁ",
        "1. Ưu điểm",
        "- Duy trì bản tin thời sự hằng tháng.",
        "2. Hạn chế, khuyết điểm",
        "- Trang thông tin cập nhật chậm.",
        "3. Nguyên nhân",
        "- Thiếu cán bộ chuyên trách.",
        "III- ĐỀ XUẤT, KIẾN NGHỊ",
        "- Đề nghị hỗ trợ kinh phí in tài liệu.",
    ]
    assert [texts.index(line) for line in order] == sorted(texts.index(line) for line in order)


def test_a_visit_without_limitations_or_directives_says_so(conducted_visit):
    visit = conducted_visit(findings={FindingKind.ACHIEVEMENT: ["Làm tốt công tác nắm dư luận."]})
    texts = body_texts(open_docx(build_visit_report(visit, issued_on=date(2023, 6, 20))))
    limitation = texts.index("2. Hạn chế, khuyết điểm")
    assert texts[limitation + 1] == "Đoàn kiểm tra không ghi nhận nội dung này."
    assert "3. Nguyên nhân" not in texts
    assert any("không có yêu cầu khác" in text for text in texts)
    assert not any(text.startswith("Một là") for text in texts)


def test_user_text_with_markup_quotes_control_characters_and_long_paragraphs_survives(conducted_visit):
    long_text = 'Tuyên truyền viên cơ sở <chưa> được tập huấn & bồi dưỡng "thường xuyên". ' * 80
    visit = conducted_visit(
        findings={
            FindingKind.LIMITATION: ['Số liệu <b>báo cáo</b> & "thực tế" chưa khớp\x0b nhau.', long_text]
        },
        directives=[("Rà soát <số liệu> & báo cáo", 'Đối chiếu "sổ sách" với thực tế < 30 ngày & báo cáo.')],
        title='Kiểm tra <đặc biệt> & "đột xuất"',
    )
    data = build_visit_report(visit, issued_on=date(2023, 6, 20))
    texts = body_texts(open_docx(data))
    assert '- Số liệu <b>báo cáo</b> & "thực tế" chưa khớp nhau.' in texts
    assert f"- {long_text.strip()}" in texts
    directive = next(text for text in texts if text.startswith("Một là, "))
    assert directive.startswith(
        'Một là, rà soát <số liệu> & báo cáo. Đối chiếu "sổ sách" với thực tế < 30 ngày'
    )


def test_the_same_records_give_the_same_file(conducted_visit):
    visit = conducted_visit(findings={FindingKind.ACHIEVEMENT: ["Một việc làm tốt."]})
    first = build_visit_report(visit, issued_on=date(2023, 6, 20), number="4-BC/BTGTU")
    second = build_visit_report(visit, issued_on=date(2023, 6, 20), number="4-BC/BTGTU")
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_the_conclusion_repeats_the_directives_and_sets_the_report_deadline(demo):
    data = build_conclusion(
        demo["visit"], issued_on=date(2023, 6, 20), report_due_on=date(2023, 7, 20), number="3-TB/BTGTU"
    )
    document = open_docx(data)
    texts = body_texts(document)
    assert _header_cells(document)[2].text == "Số 3-TB/BTGTU"
    assert "THÔNG BÁO" in texts
    assert "kết luận kiểm tra công tác tuyên giáo 6 tháng đầu năm 2023" in texts
    assert "đối với Huyện ủy Bù Đốp" in texts
    headings = ["1. Ưu điểm", "2. Hạn chế, khuyết điểm", "3. Yêu cầu trong thời gian tới"]
    assert [texts.index(h) for h in headings] == sorted(texts.index(h) for h in headings)
    ordinals = [t.split(",")[0] for t in texts if t.split(",")[0].endswith(" là")]
    assert ordinals == [ordinal_la(n) for n in range(1, 10)]
    assert any(
        "báo cáo kết quả thực hiện về Ban Tuyên giáo Tỉnh ủy trước ngày 20/07/2023" in t for t in texts
    )
    recipients, signature = tables(document)[-1][0]
    assert "- Ban Thường vụ Huyện ủy Bù Đốp (để thực hiện)," in recipients
    assert [line for line in signature.splitlines() if line] == [
        "K/T TRƯỞNG BAN",
        "PHÓ TRƯỞNG BAN",
        "Mạc Đình Huấn",
    ]


def test_a_committee_signs_on_behalf_of_its_standing_board(world, conducted_visit):
    visit = conducted_visit()
    visit.inspecting_org = world.province  # as if the committee itself issued the notice
    assert world.province.kind is OrgKind.PARTY_COMMITTEE
    signature = Signature(authority="T/M BAN THƯỜNG VỤ", title="PHÓ BÍ THƯ", name="Trần Văn A")
    document = open_docx(
        build_conclusion(
            visit, issued_on=date(2023, 7, 1), report_due_on=date(2023, 8, 1), signature=signature
        )
    )
    left = _header_cells(document)[0]
    assert [p.text for p in left.paragraphs] == ["TỈNH ỦY BÌNH PHƯỚC", "*"]
    lines = [line for line in tables(document)[-1][0][1].splitlines() if line]
    assert lines == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Trần Văn A"]
    assert "Lưu Văn phòng Tỉnh ủy." in tables(document)[-1][0][0]


def test_a_head_who_does_not_lead_the_board_signs_for_the_delegation(world, conducted_visit):
    visit = conducted_visit()
    visit.head.position_on_day = "Trưởng phòng Thông tin - Khoa giáo, Ban Tuyên giáo Tỉnh ủy"
    document = open_docx(build_visit_report(visit, issued_on=date(2023, 6, 20)))
    lines = [line for line in tables(document)[-1][0][1].splitlines() if line]
    assert lines == ["T/M ĐOÀN KIỂM TRA", "TRƯỞNG ĐOÀN", "Mạc Đình Huấn"]
