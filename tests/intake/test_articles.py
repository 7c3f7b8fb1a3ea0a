"""Each test article reads back field by field as its expectation file says, with honest spans."""

from __future__ import annotations

import io
import json
import unicodedata

import pytest
from docx import Document

from models.vntext import search_key
from tests.intake.expected import article_paths, compare, expected_for, parse_file, picture
from workflows.intake import parse_article

ARTICLES = article_paths()


def test_there_are_at_least_eight_articles_in_different_styles():
    assert len(ARTICLES) >= 8
    assert {p.suffix for p in ARTICLES} == {".txt", ".html"}


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_the_article_reads_back_as_expected_field_by_field(path):
    result = compare(parse_file(path), expected_for(path))
    wrong = {name: (got, want) for name, (ok, got, want) in result.items() if not ok}
    assert wrong == {}


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_every_span_points_at_the_text_the_value_came_from(path):
    draft = parse_file(path)

    def key(text):
        # A word broken by a line break still matches; "64 – KL/TW" is the code 64-KL/TW as written.
        return "".join(search_key(text).replace("–", "-").split())

    def under(span):
        return key(draft.text[span[0] : span[1]])

    for item in (draft.title, draft.inspecting_body, draft.inspected_unit, draft.subject, draft.author):
        if item is not None and item.span is not None:
            assert under(item.span) == key(item.value)
    for person in draft.people:
        assert under(person.name_span) == key(person.name)
        assert key(person.name) in under(person.span)
        if person.position:
            assert key(person.position) in under(person.span)
    for directive in draft.directives:
        assert key(directive.text.split()[0]) in under(directive.span)
        for citation in directive.citations:
            assert key(citation.code) in under(citation.span)
            assert directive.span[0] <= citation.span[0] < citation.span[1] <= directive.span[1]
    for finding in draft.findings:
        assert key(finding.text[:30]) in under(finding.span)
    if draft.visited_on and draft.visited_on.span:
        assert any(ch.isdigit() for ch in draft.text[draft.visited_on.span[0] : draft.visited_on.span[1]])


def test_the_draft_serialises_to_json_with_spans_into_the_text():
    draft = parse_file(ARTICLES[0])
    data = json.loads(json.dumps(draft.to_dict(), ensure_ascii=False))
    start, end = data["head"]["name_span"]
    assert data["text"][start:end] == "Nguyễn Thị Thu Hương"
    assert data["directives"][0]["citations"][0]["code"] == "114-KL/TW"
    assert data["directives"][0]["citations"][0]["issued_on"] == "2015-07-14"
    assert data["period"]["start_on"] == "2023-01-01"


def test_the_same_article_in_nfd_reads_the_same_as_in_nfc():
    path = ARTICLES[0]
    text = path.read_text(encoding="utf-8")
    nfd = parse_article(unicodedata.normalize("NFD", text))
    assert picture(nfd) == picture(parse_article(text))


def test_a_word_document_reads_the_same_as_the_pasted_text():
    path = ARTICLES[0]
    document = Document()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    from_word = parse_article(buffer.getvalue(), "bai-viet.docx")
    assert from_word.source_kind == "docx"
    pictured, expected = picture(from_word), picture(parse_file(path))
    assert {k: v for k, v in pictured.items() if k != "warnings"} == {
        k: v for k, v in expected.items() if k != "warnings"
    }


def test_pasted_html_is_read_as_a_page_without_menus_scripts_or_comments():
    html = (ARTICLES[0].parent / "07_boilerplate_page.html").read_text(encoding="utf-8")
    draft = parse_article(html)
    assert draft.source_kind == "html"
    for noise in ("Trang chủ", "window.counter", "Quảng cáo", "Ý kiến bạn đọc", "Bản quyền", "Tin liên quan"):
        assert noise not in draft.text
    assert draft.title and draft.title.value.startswith("Ban Tuyên giáo Tỉnh ủy kiểm tra")


def test_old_tone_placement_and_decomposed_letters_are_read_as_one_spelling():
    draft = parse_file(next(p for p in ARTICLES if p.name.startswith("08")))
    assert draft.inspecting_body.value == "Ủy ban Kiểm tra Huyện ủy Châu Thành"
    assert draft.text == unicodedata.normalize("NFC", draft.text)
    assert "Uỷ ban" in draft.text  # the text shown to the user keeps its own spelling


def test_a_word_broken_by_a_line_break_is_joined_in_the_findings():
    draft = parse_file(next(p for p in ARTICLES if p.name.startswith("08")))
    assert draft.findings[0].text.startswith("Qua giám sát")


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_doubled_spaces_and_tabs_change_nothing_but_the_offsets(path):
    text = path.read_text(encoding="utf-8")
    spaced = text.replace(" ", "  ").replace(", ", ",\t") if path.suffix == ".txt" else text
    assert picture(parse_article(spaced, path.name)) == picture(parse_article(text, path.name))
