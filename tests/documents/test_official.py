"""The names, signatures and sentences of the official layout."""

from __future__ import annotations

import pytest

from exports.letterhead import (
    addressed,
    archive_line,
    continue_sentence,
    header_name,
    party_organisation_name,
    signature_for,
    superior_name,
)


def test_a_board_is_named_without_its_committee_under_the_committee(world):
    assert header_name(world.board) == "Ban Tuyên giáo"
    assert superior_name(world.board) == "Tỉnh ủy Bình Phước"
    assert header_name(world.district_office) == "Ban Tuyên giáo"
    assert superior_name(world.district_office) == "Huyện ủy Bù Đốp"


def test_a_lower_committee_stands_under_the_party_organisation_above_it(world):
    assert header_name(world.district) == "Huyện ủy Bù Đốp"
    assert superior_name(world.district) == "Đảng bộ tỉnh Bình Phước"
    assert superior_name(world.province) is None
    assert party_organisation_name(world.district) == "Đảng bộ huyện Bù Đốp"


@pytest.mark.parametrize(
    ("position", "lines"),
    [
        ("Phó Trưởng Ban Tuyên giáo Tỉnh ủy", ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"]),
        ("Trưởng Ban Tuyên giáo Tỉnh ủy", ["TRƯỞNG BAN"]),
        (None, ["TRƯỞNG BAN"]),
    ],
)
def test_a_board_is_signed_by_its_head_or_for_its_head(world, position, lines):
    assert signature_for(world.board, "Mạc Đình Huấn", position).lines == lines


def test_a_committee_signs_for_its_standing_board(world):
    assert signature_for(world.province, "A", "Phó Bí thư Thường trực Tỉnh ủy").lines == [
        "T/M BAN THƯỜNG VỤ",
        "PHÓ BÍ THƯ",
    ]
    assert addressed(world.district) == "Ban Thường vụ Huyện ủy Bù Đốp"
    assert addressed(world.district_office) == "Ban Tuyên giáo Huyện ủy Bù Đốp"
    assert archive_line(world.province) == "Lưu Văn phòng Tỉnh ủy"
    assert archive_line(world.board) == "Lưu Văn phòng Ban"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lấy chương trình làm căn cứ", "lấy chương trình làm căn cứ"),
        ("Ban Thường vụ Huyện ủy chỉ đạo", "Ban Thường vụ Huyện ủy chỉ đạo"),
        ("UBND huyện rà soát", "UBND huyện rà soát"),
        ("Đẩy mạnh kiểm tra", "đẩy mạnh kiểm tra"),
    ],
)
def test_a_directive_continues_the_ordinal_without_lowering_proper_names(text, expected):
    assert continue_sentence(text) == expected
