"""A person signs in with a real browser and lands on their first page."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.slow  # browser: left out of the fast subset (-m "not slow")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "screenshots"


def test_an_office_user_signs_in_and_sees_the_task_list(live_server, page, world):
    page.goto(f"{live_server}/")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    assert page.locator("h1").first.inner_text() == "Nhiệm vụ của đơn vị"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "office-home.png"), full_page=True)


def test_a_wrong_password_shows_a_message_in_the_browser(live_server, page, world):
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", "sai-mật-khẩu")
    page.click("button[type=submit]")
    assert "không đúng" in page.locator("[role=alert]").inner_text()
