"""Tests of workflows.citations: parsing, normalising, finding and formatting document citations."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from workflows.citations import (
    TYPE_NAMES,
    Citation,
    canonical_code,
    find_citations,
    format_citation,
    parse_citation,
)
from workflows.errors import ValidationFailed


def party(code, number, type_code, issuer, *, on=None, type_name=None, by=None, secret=False):
    """A Party citation; its year follows the issue date."""
    return Citation(
        code, "party", number, type_code, issuer, on.year if on else None, on, type_name, by, secret
    )


def state(code, number, year, type_code, issuer, *, on=None, type_name=None, by=None):
    """A State citation; its year comes from the code."""
    return Citation(code, "state", number, type_code, issuer, year, on, type_name, by, False)


SEEDS: dict[str, Citation] = {
    "Chỉ thị 05-CT/TW": party("05-CT/TW", "05", "CT", "TW", type_name="Chỉ thị"),
    "05-CT/TW": party("05-CT/TW", "05", "CT", "TW", type_name="Chỉ thị"),
    "Quy định số 85-QĐ/TW ngày 07/10/2022": party(
        "85-QĐ/TW", "85", "QĐ", "TW", on=date(2022, 10, 7), type_name="Quy định"
    ),
    "08-QĐi/TW": party("08-QĐi/TW", "08", "QĐi", "TW", type_name="Quy định"),
    "Đề án số 03-ĐA/TU ngày 16/3/2022 của Tỉnh ủy (Mật)": party(
        "03-ĐA/TU",
        "03",
        "ĐA",
        "TU",
        on=date(2022, 3, 16),
        type_name="Đề án",
        by="Tỉnh ủy",
        secret=True,
    ),
    "Chỉ thị 17-CT/TU ngày 14/7/2022 của Ban Thường vụ Tỉnh ủy": party(
        "17-CT/TU",
        "17",
        "CT",
        "TU",
        on=date(2022, 7, 14),
        type_name="Chỉ thị",
        by="Ban Thường vụ Tỉnh ủy",
    ),
    "Hướng dẫn số 99-HD/BTGTW ngày 20/3/2023 của Ban Tuyên giáo Trung ương": party(
        "99-HD/BTGTW",
        "99",
        "HD",
        "BTGTW",
        on=date(2023, 3, 20),
        type_name="Hướng dẫn",
        by="Ban Tuyên giáo Trung ương",
    ),
    "Quy chế số 04-QC/BTGTU ngày 20/3/2023": party(
        "04-QC/BTGTU", "04", "QC", "BTGTU", on=date(2023, 3, 20), type_name="Quy chế"
    ),
    "Nghị định 30/2020/NĐ-CP": state("30/2020/NĐ-CP", "30", 2020, "NĐ", "CP", type_name="Nghị định"),
    "Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ": state(
        "30/2020/NĐ-CP",
        "30",
        2020,
        "NĐ",
        "CP",
        on=date(2020, 3, 5),
        type_name="Nghị định",
        by="Chính phủ",
    ),
    "Quyết định 42/2014/QĐ-TTg": state("42/2014/QĐ-TTg", "42", 2014, "QĐ", "TTg", type_name="Quyết định"),
    "Số 12-BC/BTGTU": party("12-BC/BTGTU", "12", "BC", "BTGTU", type_name="Báo cáo"),
    "Số: 05/CT-TTg": state("05/CT-TTg", "05", None, "CT", "TTg", type_name="Chỉ thị"),
}

PARAGRAPH = (
    "Tổ chức thực hiện nghiêm Chỉ thị 17-CT/TU ngày 14/7/2022 của Ban Thường vụ Tỉnh ủy về việc "
    "định hướng thông tin trên mạng xã hội giai đoạn 2022 – 2025. Triển khai Quy định số "
    "85-QĐ/TW ngày 07/10/2022 của Ban Bí thư và Hướng dẫn số 99-HD/BTGTW ngày 20/3/2023 của "
    "Ban Tuyên giáo Trung ương; Đề án số 03-ĐA/TU ngày 16/3/2022 của Tỉnh ủy (Mật); theo "
    "Nghị định 30/2020/NĐ-CP."
)


# --- parse_citation -------------------------------------------------------------------------


@pytest.mark.parametrize("text", list(SEEDS))
def test_each_seed_citation_parses_to_the_expected_fields(text):
    assert parse_citation(text) == SEEDS[text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05 - CT / TW", "05-CT/TW"),
        ("05\u2013CT/TW", "05-CT/TW"),  # en dash
        ("05 \u2014 CT/TW", "05-CT/TW"),  # em dash
        ("05-ct/tw", "05-CT/TW"),
        ("  Chỉ thị số 05-Ct/Tw  ", "05-CT/TW"),
        ("08-Qđi/TW", "08-QĐi/TW"),
        ("08-QĐI/TW", "08-QĐi/TW"),
        ("08-qđi/tw", "08-QĐi/TW"),
        ("10-ctr/tu", "10-CTr/TU"),
        ("03-\u00d0A/TU", "03-ĐA/TU"),
        ("03-D\u0336A/TU", "03-ĐA/TU"),
        (unicodedata.normalize("NFD", "Đề án số 03-ĐA/TU"), "03-ĐA/TU"),
        (unicodedata.normalize("NFD", "Nghị định 30/2020/NĐ-CP"), "30/2020/NĐ-CP"),
        ("Nghị định 30 / 2020 / N\u00d0 \u2013 CP", "30/2020/NĐ-CP"),
        ("42/2014/qđ-ttg", "42/2014/QĐ-TTg"),
        ("số: 05/ct-ttg", "05/CT-TTg"),
        ("05-XYZ/TW", "05-XYZ/TW"),
        ("05-xyz/bchđ", "05-XYZ/BCHĐ"),
    ],
)
def test_messy_variants_normalise_to_the_canonical_code(text, expected):
    assert canonical_code(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Quy định 85-QĐ/TW ngày 07/10/2022",
        "Quy định 85-QĐ/TW ngày 7-10-2022",
        "Quy định 85-QĐ/TW ngày 7.10.2022",
        "Quy định 85-QĐ/TW ngày 07 tháng 10 năm 2022",
        "Quy định 85-QĐ/TW, ngày 7 tháng 10 năm 2022",
    ],
)
def test_every_date_form_gives_the_same_issue_date(text):
    citation = parse_citation(text)
    assert (citation.issued_on, citation.year) == (date(2022, 10, 7), 2022)


@pytest.mark.parametrize("marking", ["(Mật)", "(mật)", "(MẬT)", "( Mật )", "(Tối mật)"])
def test_a_secrecy_marking_in_any_case_makes_the_citation_secret(marking):
    assert parse_citation(f"Đề án số 03-ĐA/TU {marking}").is_secret


def test_a_citation_without_a_secrecy_marking_is_not_secret():
    assert not parse_citation("Đề án số 03-ĐA/TU ngày 16/3/2022 của Tỉnh ủy").is_secret


def test_the_type_word_wins_over_the_table_and_is_recapitalised():
    assert parse_citation("quy định số 85-QĐ/TW").type_name == "Quy định"
    assert parse_citation("85-QĐ/TW").type_name == "Quyết định"


def test_a_state_tt_is_a_circular_while_a_party_tt_is_a_notice():
    assert parse_citation("01/2020/TT-BTC").type_name == "Thông tư"
    assert parse_citation("01-TT/TW").type_name == "Thông tri"


def test_an_unknown_type_code_is_kept_without_a_name():
    citation = parse_citation("05-XYZ/TW")
    assert (citation.type_code, citation.type_name) == ("XYZ", None)


def test_a_state_code_without_year_takes_the_year_of_its_date():
    assert parse_citation("Số: 05/CT-TTg ngày 01/02/2020").year == 2020


def test_the_subject_after_a_citation_is_ignored():
    text = "Chỉ thị 05-CT/TW ngày 15/5/2016 của Bộ Chính trị về đẩy mạnh học tập"
    citation = parse_citation(text)
    assert (citation.code, citation.issuer_name) == ("05-CT/TW", "Bộ Chính trị")


def test_blank_input_asks_for_a_code():
    for text in ("", "   ", "\t\n"):
        with pytest.raises(ValidationFailed) as caught:
            parse_citation(text)
        assert caught.value.message == "Chưa nhập số hiệu văn bản."


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "Chỉ thị",
        "Chỉ thị số",
        "14/7/2022",
        "-CT/TW",
        "05-CT/",
        "05-CT",
        "30/2020/NĐ",
        "ab-CT/TW",
        "0-CT/TW",
        "000-CT/TW",
        "30/1944/NĐ-CP",
        "30/2101/NĐ-CP",
        "30/20/NĐ-CP",
        "05-/TW",
        "05-ABCDEF/TW",
        "05-CT/ABCDEFGHIJKLM",
        "01/2015/TTLT-BTC-BNV",
        "05-CT/TW/XX",
        "05-CT/TW abc",
        "Thông cáo báo chí 05-CT/TW",
        "05-CT/TW ngày 07/10",
    ],
)
def test_malformed_input_is_rejected_with_a_message_quoting_it(text):
    with pytest.raises(ValidationFailed) as caught:
        parse_citation(text)
    assert text in caught.value.message


@pytest.mark.parametrize(
    ("text", "bad_date"),
    [
        ("Quy định số 85-QĐ/TW ngày 31/02/2023", "31/02/2023"),
        ("85-QĐ/TW ngày 32/1/2023", "32/1/2023"),
        ("85-QĐ/TW ngày 29/2/2023", "29/2/2023"),
        ("85-QĐ/TW ngày 10 tháng 13 năm 2023", "10 tháng 13 năm 2023"),
    ],
)
def test_an_impossible_date_is_reported_as_not_a_real_date(text, bad_date):
    with pytest.raises(ValidationFailed) as caught:
        parse_citation(text)
    assert "không phải là ngày có thật" in caught.value.message
    assert bad_date in caught.value.message


def test_the_message_names_the_faulty_part():
    cases = {
        "-CT/TW": "thiếu số thứ tự",
        "05-CT/": "thiếu cơ quan ban hành",
        "ab-CT/TW": "phải là chữ số",
        "0-CT/TW": "lớn hơn 0",
        "30/1944/NĐ-CP": "từ 1945 đến 2100",
        "abc": "Không tìm thấy số hiệu",
    }
    for text, phrase in cases.items():
        with pytest.raises(ValidationFailed) as caught:
            parse_citation(text)
        assert phrase in caught.value.message, text


# --- find_citations -------------------------------------------------------------------------


def test_find_citations_returns_the_five_codes_of_the_paragraph_in_order():
    assert [c.code for c in find_citations(PARAGRAPH)] == [
        "17-CT/TU",
        "85-QĐ/TW",
        "99-HD/BTGTW",
        "03-ĐA/TU",
        "30/2020/NĐ-CP",
    ]


def test_find_citations_reads_the_date_issuer_and_secrecy_after_each_code():
    assert find_citations(PARAGRAPH) == [
        SEEDS["Chỉ thị 17-CT/TU ngày 14/7/2022 của Ban Thường vụ Tỉnh ủy"],
        party("85-QĐ/TW", "85", "QĐ", "TW", on=date(2022, 10, 7), type_name="Quy định", by="Ban Bí thư"),
        SEEDS["Hướng dẫn số 99-HD/BTGTW ngày 20/3/2023 của Ban Tuyên giáo Trung ương"],
        SEEDS["Đề án số 03-ĐA/TU ngày 16/3/2022 của Tỉnh ủy (Mật)"],
        SEEDS["Nghị định 30/2020/NĐ-CP"],
    ]


def test_find_citations_accepts_a_decomposed_paragraph():
    nfd = unicodedata.normalize("NFD", PARAGRAPH)
    assert find_citations(nfd) == find_citations(PARAGRAPH)


@pytest.mark.parametrize(
    "text",
    [
        "Ngày 14/7/2022, Ban Thường vụ họp.",
        "giai đoạn 2022 \u2013 2025",
        "giai đoạn 2022-2025/2030",
        "nhiệm kỳ 20/02/2003 \u2013 20/02/2023",
        "từ 1/1/2023 - 31/12/2023 và 7.10.2022",
        "Liên hệ 0912-345-678, lúc 14h30-15h/ngày.",
        "tiêu chí 3-a/b của mục 2",
        "Chỉ thị của Tỉnh ủy về việc này",
        "",
    ],
)
def test_dates_ranges_and_plain_words_are_not_mistaken_for_citations(text):
    assert find_citations(text) == []


def test_malformed_fragments_are_skipped_without_an_exception():
    text = (
        "Theo -CT/TW, 05-CT/, ab-CT/TW, 0-CT/TW, 30/1900/NĐ-CP, 01/2015/TTLT-BTC-BNV, "
        "05-ABCDEF/TW và Báo cáo số 12-BC/BTGTU."
    )
    assert [c.code for c in find_citations(text)] == ["12-BC/BTGTU"]


def test_an_impossible_date_in_a_paragraph_is_dropped_but_the_code_kept():
    (citation,) = find_citations("Thực hiện Chỉ thị 05-CT/TW ngày 31/02/2023 của Bộ Chính trị.")
    assert (citation.code, citation.issued_on, citation.issuer_name) == ("05-CT/TW", None, "Bộ Chính trị")


def test_a_repeated_code_is_reported_once_with_the_later_date_and_secrecy_merged_in():
    text = "Chỉ thị 05-CT/TW đã nêu; nay nhắc lại Chỉ thị số 05-CT/TW ngày 15/5/2016 (Mật)."
    assert find_citations(text) == [
        party("05-CT/TW", "05", "CT", "TW", on=date(2016, 5, 15), type_name="Chỉ thị", secret=True)
    ]


def test_the_first_occurrence_wins_when_both_carry_a_date():
    text = "Chỉ thị 05-CT/TW ngày 15/5/2016; Chỉ thị 05-CT/TW ngày 01/01/2020 của Bộ Chính trị."
    (citation,) = find_citations(text)
    assert (citation.issued_on, citation.issuer_name) == (date(2016, 5, 15), "Bộ Chính trị")


def test_a_lowercase_body_in_running_text_is_not_taken_for_the_issuer():
    (citation,) = find_citations("Việc thực hiện Chỉ thị 05-CT/TW của các cấp ủy còn hạn chế.")
    assert citation.issuer_name is None


# --- format_citation ------------------------------------------------------------------------


def test_format_citation_writes_the_party_style():
    citation = parse_citation("Quy định số 85-QĐ/TW ngày 7/10/2022 của Ban Bí thư")
    assert format_citation(citation) == "Quy định số 85-QĐ/TW ngày 07/10/2022 của Ban Bí thư"


def test_format_citation_marks_a_secret_document():
    citation = SEEDS["Đề án số 03-ĐA/TU ngày 16/3/2022 của Tỉnh ủy (Mật)"]
    assert format_citation(citation) == "Đề án số 03-ĐA/TU ngày 16/03/2022 của Tỉnh ủy (Mật)"


def test_format_citation_without_a_type_name_starts_with_so():
    assert format_citation(parse_citation("05-XYZ/TW")) == "Số 05-XYZ/TW"


@pytest.mark.parametrize("text", list(SEEDS))
def test_format_citation_round_trips_each_seed_citation(text):
    citation = parse_citation(text)
    assert parse_citation(format_citation(citation)) == citation


# --- TYPE_NAMES -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("CT", "Chỉ thị"),
        ("NQ", "Nghị quyết"),
        ("QĐ", "Quyết định"),
        ("QĐi", "Quy định"),
        ("KL", "Kết luận"),
        ("QC", "Quy chế"),
        ("TT", "Thông tri"),
        ("HD", "Hướng dẫn"),
        ("TB", "Thông báo"),
        ("BC", "Báo cáo"),
        ("KH", "Kế hoạch"),
        ("CTr", "Chương trình"),
        ("ĐA", "Đề án"),
        ("CV", "Công văn"),
        ("NĐ", "Nghị định"),
        ("TTr", "Tờ trình"),
        ("BB", "Biên bản"),
    ],
)
def test_type_names_cover_the_common_document_types(code, name):
    assert TYPE_NAMES[code] == name
