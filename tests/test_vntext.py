"""Vietnamese text: search keys, ordinals and official dates."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from models import Organization, db
from models.enums import OrgKind
from models.vntext import nfc, official_date_line, ordinal_la, search_key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Bù Đốp", "bu dop"),
        ("  HUYỆN ỦY   Bù   Đốp ", "huyen uy bu dop"),
        ("Đồng Xoài", "dong xoai"),
        ("Thiện Hưng", "thien hung"),
        (unicodedata.normalize("NFD", "Lộc Ninh"), "loc ninh"),
    ],
)
def test_the_search_key_ignores_case_tone_marks_and_folds_d(text, key):
    assert search_key(text) == key


def test_names_are_stored_in_nfc_with_their_search_key(world):
    org = Organization(
        code="du-tt",
        doc_code="ĐU",
        name=unicodedata.normalize("NFD", "Đảng ủy xã Tân Tiến"),
        kind=OrgKind.OTHER,
    )
    org.place_path(world.province)
    db.session.add(org)
    db.session.commit()
    assert org.name == unicodedata.normalize("NFC", "Đảng ủy xã Tân Tiến")
    assert org.search_key == "dang uy xa tan tien"


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "Một là"),
        (4, "Bốn là"),
        (9, "Chín là"),
        (10, "Mười là"),
        (15, "Mười lăm là"),
        (21, "Hai mươi mốt là"),
        (24, "Hai mươi tư là"),
        (25, "Hai mươi lăm là"),
        (11, "Mười một là"),
        (100, "Một trăm là"),
        (105, "Một trăm lẻ năm là"),
        (115, "Một trăm mười lăm là"),
        (121, "Một trăm hai mươi mốt là"),
        (1005, "Một nghìn không trăm lẻ năm là"),
    ],
)
def test_directive_ordinals_follow_spoken_vietnamese(n, words):
    assert ordinal_la(n) == words


@pytest.mark.parametrize(
    ("day", "line"),
    [
        (date(2023, 6, 14), "Bình Phước, ngày 14 tháng 6 năm 2023"),
        (date(2025, 2, 5), "Bình Phước, ngày 05 tháng 02 năm 2025"),
        (date(2023, 1, 9), "Bình Phước, ngày 09 tháng 01 năm 2023"),
        (date(2023, 12, 1), "Bình Phước, ngày 01 tháng 12 năm 2023"),
    ],
)
def test_the_official_date_line_pads_days_below_10_and_the_first_two_months(day, line):
    assert official_date_line("Bình Phước", day) == line


def test_nfc_keeps_none_and_trims():
    assert nfc(None) is None
    assert nfc("  Hòa  ") == "Hòa"
