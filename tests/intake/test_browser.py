"""An inspector pastes an article in Chromium, sees where each field came from, and saves the visit."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.slow  # browser: left out of the fast subset (-m "not slow")


def _shot(page, name: str, full_page: bool = True) -> None:
    """Keep a screenshot of the page (in the temp directory) to look at."""
    page.screenshot(path=str(Path(tempfile.gettempdir()) / f"intake-{name}.png"), full_page=full_page)


def test_an_inspector_reads_an_article_sees_its_sources_and_saves_it(live_server, page, world, article_text):
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "inspector")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    page.click("a.nav-link:has-text('Nhập từ bài viết')")
    page.fill("textarea[name=text]", article_text)
    _shot(page, "start")
    page.click("button:has-text('Đọc bài viết')")
    page.wait_for_selector("#intake-review")
    _shot(page, "review")

    page.click("input[name='people-0-name']")
    assert page.locator("#intake-source mark").inner_text() == (
        "Mạc Đình Huấn, Phó Trưởng Ban Tuyên giáo Tỉnh ủy"
    )
    page.click("textarea[name='directives-1-body']")
    highlighted = page.locator("#intake-source mark").inner_text()
    assert highlighted.startswith("Hai là, phát huy Tổ công tác 03")
    _shot(page, "highlight", full_page=False)
    page.locator("button.kt-show").first.click()
    assert page.locator("#intake-source mark").inner_text().startswith("Ban Tuyên giáo Tỉnh ủy kiểm tra")

    page.click("button:has-text('Lưu thành đợt kiểm tra dự kiến')")
    page.wait_for_selector(".alert-success")
    assert "Đã lưu đợt kiểm tra" in page.locator(".alert-success").inner_text()
    _shot(page, "saved")
