"""The intake pages: paste or upload an article, review it with its sources, save a planned visit."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from docx import Document
from sqlalchemy import func, select

from app.intake.forms import review_data
from models import Visit, db
from models.enums import DelegationRole
from workflows.intake import parse_article
from workflows.intake_save import match_organisations


def _flatten(data: dict[str, Any]) -> dict[str, str]:
    """The review form's values as the browser posts them (unchecked boxes are left out)."""
    posted: dict[str, str] = {}
    for name, value in data.items():
        if isinstance(value, list):
            for index, row in enumerate(value):
                for key, item in row.items():
                    if item is True:
                        posted[f"{name}-{index}-{key}"] = "y"
                    elif item not in (False, None):
                        posted[f"{name}-{index}-{key}"] = str(item)
        elif value is True:
            posted[name] = "y"
        elif value not in (False, None):
            posted[name] = str(value)
    return posted


@pytest.fixture
def review(world, article_text):
    """The review form's values for the test article, as the first page fills them."""
    draft = parse_article(article_text)
    return review_data(draft, *match_organisations(draft, world.inspector))


def test_the_intake_page_is_for_inspectors_only(client, login_as, world):
    assert client.get("/nhap-bai/").status_code == 302  # to the sign-in page
    assert login_as(world.office).get("/nhap-bai/").status_code == 403
    client.post("/logout")
    page = login_as(world.inspector).get("/nhap-bai/")
    assert page.status_code == 200
    assert "Nhập đợt kiểm tra từ bài viết" in page.get_data(as_text=True)
    assert 'href="/nhap-bai/"' in client.get("/").get_data(as_text=True)  # in the menu


def test_a_pasted_article_opens_the_review_with_every_field_filled_and_its_source(
    login_as, world, article_text
):
    page = login_as(world.inspector).post("/nhap-bai/", data={"text": article_text})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="Ban Tuyên giáo Tỉnh ủy kiểm tra công tác tuyên giáo tại huyện Bù Đốp"' in html
    assert 'value="14/06/2023"' in html
    assert re.search(rf'<option selected value="{world.board.id}">Ban Tuyên giáo Tỉnh ủy</option>', html)
    assert re.search(rf'<option selected value="{world.district.id}">Huyện ủy Bù Đốp</option>', html)
    assert "Bài ghi: «huyện Bù Đốp»" in html
    assert html.count('name="directives-') >= 3 * 8
    assert "Quy định số 85-QĐ/TW ngày 07/10/2022 của Ban Bí thư" in html
    assert 'id="intake-source"' in html and "Tác giả: Thu Hà" in html
    assert "Trong bài: «Mạc Đình Huấn, Phó Trưởng Ban Tuyên giáo Tỉnh ủy»" in html
    assert len(re.findall(r'data-span="\d+,\d+"', html)) >= 10
    assert "năm 2023 lấy theo ngày đăng bài" in html  # the warnings are shown


@pytest.mark.parametrize("kind", ["txt", "html", "docx"])
def test_an_uploaded_file_is_read_like_pasted_text(login_as, world, article_text, kind):
    if kind == "docx":
        document = Document()
        for line in article_text.splitlines():
            document.add_paragraph(line)
        buffer = io.BytesIO()
        document.save(buffer)
        data = buffer.getvalue()
    elif kind == "html":
        paragraphs = "".join(f"<p>{line}</p>" for line in article_text.splitlines())
        data = f"<html><body><nav><a href='/'>Trang chủ</a></nav>{paragraphs}</body></html>".encode()
    else:
        data = article_text.encode()
    page = login_as(world.inspector).post(
        "/nhap-bai/",
        data={"file": (io.BytesIO(data), f"bai-viet.{kind}")},
        content_type="multipart/form-data",
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert 'value="Mạc Đình Huấn"' in html
    assert "Trang chủ" not in html.split('id="intake-source"')[1]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Hãy dán nội dung bài viết hoặc chọn một tệp."),
        (
            {"text": "Hôm nay trời đẹp, cả nhà đi chơi công viên và ăn kem rất vui vẻ cùng nhau."},
            "không nói về",
        ),
        ({"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00" * 50), "anh.txt")}, "nhị phân"),
        ({"file": (io.BytesIO(b"%PDF-1.4 ..."), "bai.pdf")}, "Chỉ nhận tệp .txt, .html hoặc .docx"),
        ({"file": (io.BytesIO("Bài viết thường".encode()), "bai.docx")}, "không phải tài liệu Word"),
    ],
)
def test_bad_input_gets_a_clear_message_and_no_draft(login_as, world, data, message):
    page = login_as(world.inspector).post("/nhap-bai/", data=data, content_type="multipart/form-data")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert message in html
    assert 'id="intake-review"' not in html


def test_a_file_over_the_limit_is_refused_without_reading_it_all(login_as, world, monkeypatch):
    monkeypatch.setattr("workflows.intake.MAX_BYTES", 4096)
    data = {"file": (io.BytesIO(b"a" * 5000), "bai.txt")}
    page = login_as(world.inspector).post("/nhap-bai/", data=data, content_type="multipart/form-data")
    assert page.status_code == 400
    assert "Tệp quá lớn" in page.get_data(as_text=True)


def test_an_unknown_unit_is_shown_as_an_error_on_its_field(login_as, world, article_text):
    page = login_as(world.inspector).post(
        "/nhap-bai/", data={"text": article_text.replace("huyện Bù Đốp.", "huyện Đồng Phú.")}
    )
    html = page.get_data(as_text=True)
    assert "Không tìm thấy «huyện Đồng Phú» trong danh mục" in html
    assert 'class="form-select is-invalid" id="inspected_org"' in html


def test_saving_the_review_creates_the_planned_visit_and_goes_to_it(app, login_as, world, review):
    client = login_as(world.inspector)
    response = client.post("/nhap-bai/luu", data=_flatten(review))
    assert response.status_code == 302, response.get_data(as_text=True)
    visit = db.session.scalar(select(Visit))
    if "workspace.visit_detail" in app.view_functions:
        assert response.headers["Location"].endswith(f"/visits/{visit.id}")
    else:
        assert response.headers["Location"] == "/"
    assert visit.visited_on == date(2023, 6, 14)
    assert [d.number for d in visit.directives] == [1, 2, 3]
    assert visit.head.person.full_name == "Mạc Đình Huấn"
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Đã lưu đợt kiểm tra {visit.reference} từ bài viết." in followed


def test_what_the_reviewer_unticks_or_edits_is_what_is_saved(login_as, world, review):
    review["people"][1]["include"] = False  # Phan Duy Khiêm
    review["findings"][1]["include"] = False
    review["directives"][0]["body"] = "Tổ chức hội nghị quán triệt cho toàn bộ cán bộ chủ chốt."
    review["directives"][0]["citations"] = ""
    review["people"][0]["position"] = "Phó Trưởng Ban Thường trực Ban Tuyên giáo Tỉnh ủy"
    response = login_as(world.inspector).post("/nhap-bai/luu", data=_flatten(review))
    assert response.status_code == 302
    visit = db.session.scalar(select(Visit))
    assert {m.person.full_name for m in visit.members} == {"Mạc Đình Huấn", "Dương Thanh Huân"}
    assert visit.head.position_on_day == "Phó Trưởng Ban Thường trực Ban Tuyên giáo Tỉnh ủy"
    assert len(visit.findings) == 1
    assert visit.directives[0].body == "Tổ chức hội nghị quán triệt cho toàn bộ cán bộ chủ chốt."
    assert visit.directives[0].citations == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(visited_on="31/02/2023"), "không có trên lịch"),
        (lambda r: r.update(title=""), "Chưa nhập tiêu đề."),
        (lambda r: r.update(inspected_org=0), "Hãy chọn đơn vị được kiểm tra."),
        (lambda r: r["directives"][1].update(citations="Đề án số 03/TU"), "Số hiệu văn bản"),
        (lambda r: r["directives"][2].update(due_on="30/9/2022"), "không được trước ngày kiểm tra"),
        (lambda r: r["people"][1].update(role=DelegationRole.HEAD.value), "một Trưởng Đoàn"),
        (lambda r: r["directives"][2].update(number=1), "tăng dần"),
    ],
)
def test_a_review_with_a_mistake_is_shown_again_with_the_message_and_nothing_is_saved(
    login_as, world, review, change, message
):
    change(review)
    response = login_as(world.inspector).post("/nhap-bai/luu", data=_flatten(review))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'id="intake-source"' in html and "Tác giả: Thu Hà" in html  # the article is still beside the form
    assert db.session.scalar(select(func.count(Visit.id))) == 0


def test_a_body_outside_the_inspectors_scope_cannot_be_chosen(login_as, world, review):
    review["inspecting_org"] = world.other_district.id
    response = login_as(world.inspector).post("/nhap-bai/luu", data=_flatten(review))
    assert response.status_code == 400
    assert "Chỉ chọn được cơ quan của mình" in response.get_data(as_text=True)


def test_saving_the_same_article_twice_needs_a_tick(login_as, world, review):
    client = login_as(world.inspector)
    assert client.post("/nhap-bai/luu", data=_flatten(review)).status_code == 302
    again = client.post("/nhap-bai/luu", data=_flatten(review))
    assert again.status_code == 400
    assert "có thể đã được nhập" in again.get_data(as_text=True)
    assert client.post("/nhap-bai/luu", data=_flatten({**review, "allow_duplicate": True})).status_code == 302
    assert db.session.scalar(select(func.count(Visit.id))) == 2


def test_an_office_user_cannot_save(login_as, world, review):
    assert login_as(world.office).post("/nhap-bai/luu", data=_flatten(review)).status_code == 403


def test_the_review_flags_a_visit_already_recorded_with_a_link_before_saving(
    login_as, world, review, article_text
):
    client = login_as(world.inspector)
    first = client.post("/nhap-bai/luu", data=_flatten(review))
    visit = db.session.scalar(select(Visit))
    # The same article pasted again: the review page says so at once, with the visit's link.
    page = client.post("/nhap-bai/", data={"text": article_text}).get_data(as_text=True)
    assert first.status_code == 302
    alert = page[
        page.index('id="intake-duplicate"') : page.index("</div>", page.index('id="intake-duplicate"'))
    ]
    assert visit.reference in alert and f'href="/visits/{visit.id}"' in alert
    # A refused save (no tick) shows the same link beside the message.
    again = client.post("/nhap-bai/luu", data=_flatten(review)).get_data(as_text=True)
    assert "có thể đã được nhập" in again and f'href="/visits/{visit.id}"' in again
    # A first reading of an article shows no such warning.
    db.session.delete(visit)
    db.session.commit()
    assert 'id="intake-duplicate"' not in client.post("/nhap-bai/", data={"text": article_text}).get_data(
        as_text=True
    )


def test_the_quotes_under_the_fields_stay_on_their_words_after_a_refused_save(login_as, world, review):
    """A browser sends the article's line breaks back as CRLF; the quotes are cut from the same text
    the spans were counted on."""
    client = login_as(world.inspector)
    first = client.post("/nhap-bai/", data={"text": review["source"]}).get_data(as_text=True)
    quotes = re.findall(r"Trong bài: «(.*?)»", first)
    crlf = {**review, "source": review["source"].replace("\n", "\r\n"), "title": ""}
    again = client.post("/nhap-bai/luu", data=_flatten(crlf)).get_data(as_text=True)
    assert "Chưa nhập tiêu đề." in again
    assert re.findall(r"Trong bài: «(.*?)»", again) == quotes and quotes


def test_the_keep_box_of_an_entry_does_not_read_as_a_save_button(login_as, world, article_text):
    page = login_as(world.inspector).post("/nhap-bai/", data={"text": article_text}).get_data(as_text=True)
    assert ">Giữ mục này</label>" in page
    assert ">Lưu</label>" not in page
