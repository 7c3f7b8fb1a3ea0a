"""The review page: the least certain fields first with how they were read, messages in the user's language,
and due dates pre-filled from the period the article gives its requests."""

from __future__ import annotations

import re
from datetime import date

from app.intake.forms import review_data
from tests.intake.expected import ARTICLES
from workflows.intake import parse_article
from workflows.intake_save import match_organisations, review_from_draft

UNIT_AFTER_OF = (ARTICLES / "32_unit_without_connector.txt").read_text(encoding="utf-8")
ENGLISH = (ARTICLES / "38_english_national_edition.txt").read_text(encoding="utf-8")


def _rows(html: str) -> list[tuple[str, str]]:
    table = html.split('id="intake-checks"')[1].split("</table>")[0]
    return re.findall(r'<tr class="([^"]*)" data-field="([^"]+)"', table)


def test_the_least_certain_field_comes_first_with_how_it_was_read(login_as, world):
    page = login_as(world.inspector).post("/nhap-bai/", data={"text": UNIT_AFTER_OF})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    rows = _rows(html)
    assert rows[0] == ("table-warning", "inspected_org")
    assert [field for _css, field in rows][-1] in ("head", "title")
    assert "«kiểm tra … của &lt;đơn vị&gt;»" in html and "50%" in html
    assert "Thường trực HĐND và các Ban HĐND 11 xã, thị trấn" in html
    assert "đọc từ «giám sát hoạt động của …»" in html  # the uncertain unit has its warning


def test_an_english_speaking_inspector_gets_the_warnings_in_english(login_as, world):
    world.inspector.locale = "en"
    html = login_as(world.inspector).post("/nhap-bai/", data={"text": UNIT_AFTER_OF}).get_data(as_text=True)
    assert "How each field was read (the least certain first)" in html
    assert "The inspected unit “Thường trực HĐND và các Ban HĐND 11 xã, thị trấn” was read from" in html
    assert "The article only gives the day “15/5”; the year 2024 comes from the publication date" in html
    assert "Bài chỉ ghi ngày" not in html


def test_an_english_edition_reads_for_a_vietnamese_speaking_inspector(login_as, world):
    html = login_as(world.inspector).post("/nhap-bai/", data={"text": ENGLISH}).get_data(as_text=True)
    assert 'value="Trinh Quang Minh"' in html
    assert 'value="13/06/2024"' in html
    assert "Bài chỉ ghi ngày «June 13»; năm 2024 lấy theo ngày đăng bài 13/06/2024." in html
    assert "không phải tiếng Việt" not in html


def test_the_period_of_the_requests_prefills_their_due_dates(world, article_text):
    draft = parse_article(article_text)
    assert draft.directives[0].due_on is None  # the article gives a period, not a day
    data = review_data(draft, *match_organisations(draft, world.inspector))
    assert [d["due_on"] for d in data["directives"]] == ["31/12/2023", "31/12/2023", "30/09/2023"]
    reviewed, problems = review_from_draft(draft, world.inspector)
    assert problems == [] and reviewed is not None
    assert [d.due_on for d in reviewed.directives] == [
        date(2023, 12, 31),
        date(2023, 12, 31),
        date(2023, 9, 30),
    ]
