"""The news cleaner keeps links to http(s), mailto and this site's paths, never to another host
without a scheme (``//host/``), as its docstring says."""

from __future__ import annotations

import pytest

from exports.html_clean import clean_html


@pytest.mark.parametrize(
    "href",
    ["//evil.example/x", "/\\evil.example/x", "\\\\evil.example", " //evil.example", "/\t/evil.example"],
)
def test_a_protocol_relative_link_loses_its_address(href: str) -> None:
    cleaned = clean_html(f'<p><a href="{href}">xem thêm</a></p>')
    assert "evil.example" not in cleaned
    assert "xem thêm" in cleaned


@pytest.mark.parametrize(
    "href",
    ["https://example.vn/tin", "http://example.org/", "mailto:ban@example.vn", "/tin-tuc/bai-1", "bai-2"],
)
def test_links_of_the_allowed_kinds_keep_their_address(href: str) -> None:
    assert f'href="{href}"' in clean_html(f'<a href="{href}">x</a>')
