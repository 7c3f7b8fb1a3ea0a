"""Issue 18: what the press really publishes, read without a silent guess, in Vietnamese and in English."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tests.intake.expected import article_paths, parse_file
from workflows.intake import LOW_CONFIDENCE, parse_article, period_end_on

ARTICLES = article_paths()
ENGLISH = [p for p in ARTICLES if "english" in p.stem]

# Each construction of the issue and the articles written for it (two or more, in different styles).
CONSTRUCTIONS = {
    "team before the name": ("18_", "19_"),
    "rank before the name": ("20_", "21_"),
    "head as the subject": ("22_", "23_"),
    "small teams": ("24_", "25_"),
    "host first": ("26_", "27_"),
    "codes with dashes": ("28_", "29_"),
    "dates next to years": ("30_", "31_"),
    "units without với/tại": ("32_", "33_"),
    "articles without a lead": ("34_", "35_"),
    "words broken across paragraphs": ("36_", "37_"),
    "English editions": ("38_", "39_"),
}


def test_each_construction_has_two_articles_in_different_styles():
    for name, prefixes in CONSTRUCTIONS.items():
        paths = [p for p in ARTICLES if p.name.startswith(prefixes)]
        assert len(paths) >= 2, name
        assert len({p.read_text(encoding="utf-8")[:80] for p in paths}) == len(paths), name


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_a_value_read_without_certainty_always_carries_a_warning(path):
    draft = parse_file(path)
    for name, how, confidence, _others in draft.checks():
        if confidence < LOW_CONFIDENCE:
            assert how, name
            found = {
                "visited_on": draft.visited_on,
                "inspecting_org": draft.inspecting_body,
                "inspected_org": draft.inspected_unit,
                "subject": draft.subject,
            }.get(name)
            value = found.value if found else draft.head.name if draft.head else ""
            text = value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)
            assert any(text in w for w in draft.warnings), (name, text, draft.warnings)


def test_every_field_read_says_how_it_was_found():
    draft = parse_file(next(p for p in ARTICLES if p.name.startswith("22_")))
    checks = {name: (how, confidence) for name, how, confidence, _ in draft.checks()}
    assert "dẫn đầu" in checks["head"][0] and checks["head"][1] < checks["inspecting_org"][1]
    assert checks["visited_on"][0] and checks["inspected_org"][0] and checks["subject"][0]
    assert [c[2] for c in draft.checks()] == sorted(c[2] for c in draft.checks())


def test_a_unit_picked_among_several_lists_the_others_and_warns():
    text = (
        "Kiểm tra tại huyện Phú Riềng\n"
        "Sáng 4/9/2023, tại Hội trường UBND huyện Phú Riềng, Đoàn kiểm tra của Ban Dân vận Tỉnh ủy "
        "do đồng chí Điểu Minh Khang, Phó Trưởng Ban Dân vận Tỉnh ủy làm Trưởng đoàn đã kiểm tra "
        "công tác dân vận năm 2023 đối với Đảng ủy xã Long Hưng và làm việc với Đảng ủy xã Bù Nho.\n"
    )
    draft = parse_article(text)
    assert draft.inspected_unit.value == "Đảng ủy xã Long Hưng"
    assert "Đảng ủy xã Bù Nho" in draft.inspected_unit.others
    assert any("Đảng ủy xã Bù Nho" in w and "Long Hưng" in w for w in draft.warnings)


def test_a_deadline_is_never_taken_for_the_visit_date():
    text = (
        "Kiểm tra công tác kiểm tra, giám sát\n"
        "Theo kế hoạch năm 2019, Đoàn kiểm tra của Ủy ban Kiểm tra Huyện ủy do đồng chí Lê Văn Tâm, "
        "Chủ nhiệm Ủy ban Kiểm tra Huyện ủy làm Trưởng đoàn đã kiểm tra Đảng ủy xã Tân Hòa.\n"
        "Đoàn đề nghị Đảng ủy xã gửi báo cáo khắc phục trước ngày 30/6/2019.\n"
    )
    draft = parse_article(text)
    assert draft.visited_on is None
    assert any("Không thấy ngày kiểm tra" in w for w in draft.warnings)


def test_a_code_with_an_en_dash_reaches_the_draft_with_its_span():
    text = (
        "Sáng 3/5/2024, Đoàn kiểm tra của Ban Bí thư do đồng chí Phạm Văn Dũng, Phó Trưởng Ban Tổ chức Trung "
        "ương làm Trưởng đoàn đã làm việc với Ban Thường vụ Tỉnh ủy Kon Tum về việc thực hiện Kết luận số "
        "64 – KL/TW và Chỉ thị số 05 –CT/TW của Bộ Chính trị.\n"
    )
    draft = parse_article(text)
    spans = {c.code: draft.text[c.span[0] : c.span[1]] for c in draft.citations}
    assert spans == {"64-KL/TW": "Kết luận số 64 – KL/TW", "05-CT/TW": "Chỉ thị số 05 –CT/TW"}


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.stem)
def test_an_english_edition_reads_into_the_same_draft_with_vietnamese_warnings(path):
    draft = parse_file(path)
    assert draft.head and draft.inspecting_body and draft.inspected_unit and draft.visited_on
    assert len(draft.directives) >= 3
    assert all(re.search(r"[À-ỹ]|Bài|Không", w) for w in draft.warnings)  # msgids, shown translated


def test_a_period_gives_the_last_day_of_what_it_names():
    assert period_end_on("6 tháng cuối năm 2023", None) == date(2023, 12, 31)
    assert period_end_on("quý III/2023", None) == date(2023, 9, 30)
    assert period_end_on("6 tháng đầu năm", 2024) == date(2024, 6, 30)
    assert period_end_on("thời gian tới", 2024) is None


def test_the_robustness_run_covers_the_new_articles():
    assert {p.name[:3] for p in ARTICLES} >= {f"{n}_" for n in range(18, 40)}
    assert Path(__file__).with_name("test_robustness.py").exists()


def test_listed_results_and_shortcomings_are_one_finding_each_and_empty_remarks_are_left_out():
    text = (
        "Kiểm tra công tác dân vận tại huyện Hớn Quản\n"
        "Sáng 5/7/2023, Đoàn kiểm tra của Ban Dân vận Tỉnh ủy do đồng chí Lê Thị Xuân Trang, Trưởng Ban "
        "Dân vận Tỉnh ủy làm Trưởng đoàn đã kiểm tra công tác dân vận năm 2023 tại Ban Thường vụ "
        "Huyện ủy Hớn Quản.\n"
        "Đoàn ghi nhận những kết quả nổi bật như: 100% chi bộ xây dựng mô hình dân vận khéo; hoàn thành sớm "
        "kế hoạch đối thoại; vận động nhân dân hiến 12 ha đất làm đường.\n"
        "Đơn vị cũng mạnh dạn chỉ ra nhiều khó khăn, hạn chế như đã nêu trong báo cáo.\n"
        "Tuy nhiên, còn một số hạn chế như: việc nắm tình hình ở cơ sở còn chậm; tổ dân vận ở một số ấp hoạt "
        "động hình thức.\n"
        "Đồng chí Trưởng đoàn đề nghị: Một là, nhân rộng mô hình dân vận khéo. "
        "Hai là, củng cố các tổ dân vận.\n"
    )
    draft = parse_article(text)
    assert [(f.kind.value, f.text) for f in draft.findings] == [
        ("achievement", "100% chi bộ xây dựng mô hình dân vận khéo"),
        ("achievement", "Hoàn thành sớm kế hoạch đối thoại"),
        ("achievement", "Vận động nhân dân hiến 12 ha đất làm đường"),
        ("limitation", "Việc nắm tình hình ở cơ sở còn chậm"),
        ("limitation", "Tổ dân vận ở một số ấp hoạt động hình thức"),
    ]
    for finding in draft.findings:
        assert draft.text[finding.span[0] : finding.span[1]].lower() == finding.text.lower()


def test_a_year_written_at_the_start_of_the_sentence_completes_the_visit_day():
    text = (
        "Năm 2022, ngày 15/8, Đoàn giám sát của Ban Thường vụ Huyện ủy do đồng chí Hồ Văn Nam, Phó Bí thư "
        "Thường trực Huyện ủy làm Trưởng đoàn đã giám sát việc thực hiện Quy định số 69-QĐ/TW tại Đảng ủy "
        "thị trấn Đức Phổ.\n"
    )
    draft = parse_article(text)
    assert draft.visited_on.value == date(2022, 8, 15)
    assert any("năm 2022 lấy từ nội dung bài" in w for w in draft.warnings)
