"""The parser's rules: never invent, report gaps, tolerate page furniture, refuse what is not an article."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from models.enums import DelegationRole
from workflows.errors import ValidationFailed
from workflows.intake import MAX_BYTES, parse_article

LEAD = (
    "Kiểm tra công tác dân vận tại xã Tân Lập\n"
    "Thứ hai - 11/09/2023 08:00\n"
    "Chiều 8/9, Đoàn kiểm tra của Ban Dân vận Huyện ủy do đồng chí Hồ Văn Tám, Trưởng Ban Dân vận Huyện ủy "
    "làm Trưởng đoàn đã kiểm tra công tác dân vận năm 2023 tại Đảng ủy xã Tân Lập.\n"
)


def article(tail: str) -> str:
    return LEAD + tail


def test_an_article_without_numbered_requests_has_no_directives_and_says_so():
    draft = parse_article(
        article(
            "Đồng chí Trưởng đoàn đề nghị xã tiếp tục phát huy kết quả, quan tâm hơn đến việc đối thoại "
            "với Nhân dân và sớm khắc phục những hạn chế đã được chỉ ra.\n"
        )
    )
    assert draft.directives == []
    assert any("không có yêu cầu được đánh số" in w for w in draft.warnings)


def test_a_sequence_with_a_gap_keeps_its_numbers_and_is_reported():
    draft = parse_article(
        article(
            "Đồng chí Trưởng đoàn đề nghị xã thực hiện tốt các nhiệm vụ sau:\n"
            "Một là, tổ chức đối thoại với Nhân dân mỗi quý một lần.\n"
            "Ba là, nâng cao chất lượng hoạt động của Ban Công tác Mặt trận ở các ấp.\n"
        )
    )
    assert [d.number for d in draft.directives] == [1, 3]
    assert [d.marker for d in draft.directives] == ["Một là", "Ba là"]
    assert any("không liên tục" in w and "Ba là" in w for w in draft.warnings)


def test_a_list_that_does_not_start_at_one_is_reported():
    draft = parse_article(
        article(
            "Đồng chí Trưởng đoàn yêu cầu xã tập trung:\n"
            "Hai là, rà soát các tổ dân vận ở ấp.\n"
            "Ba là, tổng kết mô hình dân vận khéo.\n"
        )
    )
    assert [d.number for d in draft.directives] == [2, 3]
    assert any("bắt đầu từ «Hai là»" in w for w in draft.warnings)


def test_lessons_alone_are_not_directives():
    draft = parse_article(
        article(
            "Qua kiểm tra, đồng chí Trưởng đoàn rút ra một số bài học kinh nghiệm:\n"
            "Thứ nhất, cấp ủy phải sâu sát cơ sở.\n"
            "Thứ hai, người đứng đầu phải gương mẫu đối thoại với dân.\n"
        )
    )
    assert draft.directives == []
    assert any("Thứ nhất … Thứ hai" in w for w in draft.warnings)


def test_dashes_after_a_request_are_numbered_in_order():
    draft = parse_article(
        article(
            "Kết luận buổi kiểm tra, đồng chí Hồ Văn Tám đề nghị Đảng ủy xã:\n"
            "- Tăng cường đối thoại với Nhân dân.\n"
            "- Kiện toàn các tổ dân vận ở ấp.\n"
        )
    )
    assert [(d.number, d.text) for d in draft.directives] == [
        (1, "Tăng cường đối thoại với Nhân dân."),
        (2, "Kiện toàn các tổ dân vận ở ấp."),
    ]


def test_dashes_listing_results_are_not_directives():
    draft = parse_article(
        article(
            "Theo báo cáo, năm 2023 xã đạt được một số kết quả nổi bật:\n"
            "- Tổ chức 12 buổi đối thoại với Nhân dân.\n"
            "- Vận động hiến 2.000 m² đất làm đường.\n"
        )
    )
    assert draft.directives == []
    assert [f.kind.value for f in draft.findings] == ["achievement", "achievement"]


@pytest.mark.parametrize(
    ("tail", "numbers"),
    [
        (
            "đề nghị xã thực hiện:\n(1) Đối thoại với dân mỗi quý.\n(2) Tổng kết mô hình dân vận khéo.\n",
            [1, 2],
        ),
        (
            "yêu cầu xã thực hiện tốt các nội dung sau:\n3.1. Đối thoại với dân mỗi quý.\n"
            "3.2. Tổng kết mô hình dân vận khéo.\n3.3. Báo cáo kết quả trước ngày 31/12/2023.\n",
            [1, 2, 3],
        ),
        (
            "đề nghị xã thực hiện:\na) Đối thoại với dân.\nb) Tổng kết mô hình.\nc) Kiện toàn tổ dân vận.\n",
            [1, 2, 3],
        ),
    ],
)
def test_parenthesised_sub_numbered_and_lettered_requests_are_read(tail, numbers):
    draft = parse_article(article("Kết luận, đồng chí Hồ Văn Tám " + tail))
    assert [d.number for d in draft.directives] == numbers


def test_a_due_date_without_a_year_in_a_request_takes_the_visit_year():
    draft = parse_article(
        article(
            "Đồng chí Trưởng đoàn đề nghị xã thực hiện:\n"
            "Một là, xây dựng kế hoạch khắc phục, gửi về Ban Dân vận Huyện ủy trước ngày 30/10.\n"
            "Hai là, tổ chức đối thoại với Nhân dân.\n"
        )
    )
    assert draft.directives[0].due_on == date(2023, 10, 30)
    assert draft.directives[1].due_on is None


def test_a_title_written_after_the_name_and_one_written_before_give_the_same_person():
    after = parse_article(LEAD)
    before = parse_article(
        LEAD.replace(
            "đồng chí Hồ Văn Tám, Trưởng Ban Dân vận Huyện ủy", "Trưởng Ban Dân vận Huyện ủy Hồ Văn Tám"
        )
    )
    assert (after.head.name, after.head.position) == (before.head.name, before.head.position)
    assert after.head.position == "Trưởng Ban Dân vận Huyện ủy"


def test_a_host_line_with_titles_before_names_and_party_titles_after():
    draft = parse_article(
        LEAD + "Tiếp và làm việc với Đoàn có đồng chí Lý Thị Hồng - HUV, Bí thư Đảng ủy xã; "
        "Chủ tịch UBND xã Trương Văn Nghĩa và đại diện các đoàn thể.\n"
    )
    assert [(h.name, h.party_titles, h.position, h.role) for h in draft.hosts] == [
        ("Lý Thị Hồng", "HUV", "Bí thư Đảng ủy xã", DelegationRole.HOST_CHAIR),
        ("Trương Văn Nghĩa", None, "Chủ tịch UBND xã", DelegationRole.HOST_PARTICIPANT),
    ]


def test_a_visit_date_without_year_and_without_a_date_line_takes_the_year_of_the_period():
    draft = parse_article(LEAD.replace("Thứ hai - 11/09/2023 08:00\n", ""))
    assert draft.visited_on.value == date(2023, 9, 8)
    assert any("năm 2023 lấy từ nội dung bài" in w for w in draft.warnings)


def test_the_uy_spelled_with_the_old_tone_mark_is_the_same_word():
    draft = parse_article(LEAD.replace("Huyện ủy", "Huyện uỷ"))
    assert draft.inspecting_body.value == "Ban Dân vận Huyện ủy"


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["", "   \n\t  ", b"", b"  \n "])
def test_empty_input_is_refused(data):
    with pytest.raises(ValidationFailed, match="Bài viết trống"):
        parse_article(data)


def test_a_binary_file_is_refused():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    with pytest.raises(ValidationFailed, match=r"nhị phân|UTF-8"):
        parse_article(png, "anh.txt")


def test_a_legacy_encoded_file_is_refused_with_a_hint():
    with pytest.raises(ValidationFailed, match="UTF-8"):
        parse_article(
            "Ban Tuyên giáo kiểm tra".encode("cp1258", errors="replace") + b"\xe9\xe8\xff", "bai.txt"
        )


def test_a_zip_that_is_not_a_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "xin chào")
    with pytest.raises(ValidationFailed, match="không phải tài liệu Word"):
        parse_article(buffer.getvalue(), "bai.docx")


def test_a_text_file_named_docx_is_refused():
    with pytest.raises(ValidationFailed, match="không phải tài liệu Word"):
        parse_article(LEAD.encode(), "bai.docx")


@pytest.mark.parametrize(("name", "message"), [("bai.pdf", "Chỉ nhận tệp"), ("bai.exe", "Chỉ nhận tệp")])
def test_other_file_types_are_refused(name, message):
    with pytest.raises(ValidationFailed, match=message):
        parse_article(LEAD.encode(), name)


def test_a_pdf_is_refused_with_advice():
    with pytest.raises(ValidationFailed, match="PDF"):
        parse_article(b"%PDF-1.7\n" + b"x" * 100)


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(ValidationFailed, match="quá lớn"):
        parse_article(b"a" * (MAX_BYTES + 1), "bai.txt")


def test_english_without_an_inspection_team_is_refused_and_other_languages_too():
    # English editions of inspection reports are read (issue 18); English about something else is not one.
    text = "The provincial committee inspected the district on Wednesday and issued nine requests. " * 5
    with pytest.raises(ValidationFailed, match="không nói về một đợt kiểm tra"):
        parse_article(text)
    french = "Le comité provincial a inspecté le district mercredi et a publié neuf demandes. " * 5
    with pytest.raises(ValidationFailed, match="không phải tiếng Việt"):
        parse_article(french)


def test_an_article_about_something_else_is_refused():
    text = (
        "Đội tuyển bóng đá tỉnh giành chức vô địch giải hạng Nhất\n"
        "Chiều 12/5, trên sân vận động tỉnh, đội bóng của tỉnh đã thắng đội khách với tỉ số 2-1 trong trận "
        "chung kết trước sự cổ vũ của hàng nghìn khán giả. Huấn luyện viên trưởng cho biết toàn đội sẽ nghỉ "
        "ngơi một tuần trước khi bước vào mùa giải mới.\n"
    )
    with pytest.raises(ValidationFailed, match="không nói về một đợt kiểm tra"):
        parse_article(text)


def test_a_few_words_are_refused():
    with pytest.raises(ValidationFailed, match="quá ngắn"):
        parse_article("Đoàn kiểm tra làm việc")


def test_a_cited_document_keeps_its_issuer_without_the_rest_of_the_sentence():
    draft = parse_article(
        article(
            "Đồng chí Trưởng đoàn đề nghị xã thực hiện:\n"
            "Một là, quán triệt Quy định số 85-QĐ/TW ngày 07/10/2022 của Ban Bí thư cho toàn thể đảng viên.\n"
            "Hai là, thực hiện Nghị định số 30/2020/NĐ-CP của Chính phủ quy định về công tác văn thư.\n"
        )
    )
    first, second = (d.citations[0].citation for d in draft.directives)
    assert (first.code, first.issuer_name, first.issued_on) == ("85-QĐ/TW", "Ban Bí thư", date(2022, 10, 7))
    assert (second.code, second.issuer_name) == ("30/2020/NĐ-CP", "Chính phủ")


def test_a_marker_alone_on_its_line_takes_the_paragraph_below():
    draft = parse_article(
        article(
            "Đồng chí Trưởng đoàn đề nghị xã thực hiện tốt các nhiệm vụ sau:\n\n"
            "Một là,\n\ntổ chức đối thoại với Nhân dân mỗi quý một lần.\n\n"
            "Hai là,\n\nkiện toàn các tổ dân vận ở ấp.\n"
        )
    )
    assert [(d.marker, d.text) for d in draft.directives] == [
        ("Một là", "Tổ chức đối thoại với Nhân dân mỗi quý một lần."),
        ("Hai là", "Kiện toàn các tổ dân vận ở ấp."),
    ]


def test_an_empty_request_is_skipped_and_reported():
    draft = parse_article(
        article(
            "Đồng chí Trưởng đoàn đề nghị xã thực hiện:\nMột là,\nHai là, kiện toàn các tổ dân vận ở ấp.\n"
        )
    )
    assert [d.number for d in draft.directives] == [2]
    assert any("«Một là» trong bài không có nội dung" in w for w in draft.warnings)


def test_a_small_team_led_by_a_tổ_trưởng_over_several_days():
    draft = parse_article(
        "Ủy ban Kiểm tra Thị ủy kiểm tra tài chính đảng tại phường Tân Bình\n"
        "Thứ hai - 18/09/2023 10:00\n"
        "Từ ngày 12 đến ngày 14/9, Tổ kiểm tra của Ủy ban Kiểm tra Thị ủy Đồng Xoài do đồng chí Lê Thị Mai, "
        "Phó Chủ nhiệm Ủy ban Kiểm tra Thị ủy làm Tổ trưởng đã kiểm tra việc thu, nộp, quản lý và sử dụng "
        "đảng phí năm 2023 đối với Đảng ủy phường Tân Bình.\n"
    )
    assert draft.visited_on.value == date(2023, 9, 12)
    assert any("kéo dài nhiều ngày" in w for w in draft.warnings)
    assert (draft.head.name, draft.head.role) == ("Lê Thị Mai", DelegationRole.HEAD)
    assert draft.inspecting_body.value == "Ủy ban Kiểm tra Thị ủy Đồng Xoài"
    assert draft.inspected_unit.value == "Đảng ủy phường Tân Bình"


def test_the_head_named_after_trưởng_đoàn_and_a_comma():
    draft = parse_article(
        LEAD.replace("do đồng chí Hồ Văn Tám, Trưởng Ban Dân vận Huyện ủy làm Trưởng đoàn ", "")
        + "Trưởng đoàn kiểm tra, đồng chí Hồ Văn Tám, Trưởng Ban Dân vận Huyện ủy đánh giá cao kết quả "
        "của xã.\n"
    )
    assert (draft.head.name, draft.head.position) == ("Hồ Văn Tám", "Trưởng Ban Dân vận Huyện ủy")


@pytest.mark.parametrize("marker", ["1/ ", "1- ", "1) ", "1. "])
def test_numbered_requests_in_the_forms_sites_use(marker):
    second = marker.replace("1", "2")
    draft = parse_article(
        article(
            "Đồng chí Trưởng đoàn đề nghị xã thực hiện:\n"
            f"{marker}Tổ chức đối thoại với Nhân dân.\n{second}Kiện toàn các tổ dân vận ở ấp.\n"
        )
    )
    assert [(d.number, d.text) for d in draft.directives] == [
        (1, "Tổ chức đối thoại với Nhân dân."),
        (2, "Kiện toàn các tổ dân vận ở ấp."),
    ]
