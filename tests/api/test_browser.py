"""In a real browser: a user makes a token on their page, copies it once, a program uses it, the user
revokes it. A screenshot of the page is kept in /tmp/api-tokens.png for a person to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from models import db
from tests.board.test_browser import sign_in

pytestmark = pytest.mark.slow  # browser: left out of the fast subset (-m "not slow")

SCREENSHOTS = Path("/tmp")  # noqa: S108 - for a person to look at


def test_a_token_made_on_the_page_works_until_revoked(
    live_server: str, page: Any, world: Any, app: Any
) -> None:
    sign_in(page, live_server, "office")
    assert page.locator("a[href='/account/api-tokens']").count() >= 1  # linked from the header
    page.goto(f"{live_server}/account/api-tokens")
    page.fill("#name", "Cổng dữ liệu của tỉnh")
    page.click("button:has-text('Tạo mã truy cập')")
    expect(page.locator("[role=status]")).to_contain_text("chỉ hiện nó một lần")
    secret = page.input_value("#new-secret")
    assert secret.startswith("kt_")
    page.screenshot(path=str(SCREENSHOTS / "api-tokens.png"), full_page=True)

    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    db.session.remove()  # that request ran in this test's app context: end its transaction here

    page.reload()
    expect(page.locator("#new-secret")).to_have_count(0)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Thu hồi')")
    expect(page.locator("[role=status]")).to_contain_text("Đã thu hồi mã truy cập")
    page.screenshot(path=str(SCREENSHOTS / "api-tokens-revoked.png"), full_page=True)
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
