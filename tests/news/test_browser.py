"""In a real browser: an inspector edits the draft, a leader publishes it, a visitor reads it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from models import NewsPost, db
from models.enums import NewsStatus
from tests.conftest import PASSWORD
from tests.news.conftest import png
from workflows import news as news_flow

pytestmark = pytest.mark.slow  # browser: left out of the fast subset (-m "not slow")

SHOTS = Path(tempfile.gettempdir())  # looked at by hand: news-*.png


def sign_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[method=post] button[type=submit]:has-text('Đăng nhập')")
    page.wait_for_url(f"{base}/")


def watch_policy_violations(page):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security" in message.text else None,
    )
    return violations


def test_a_leader_publishes_a_post_and_an_anonymous_visitor_reads_it(
    live_server, browser, page, world, draft, image_dir
):
    photo = png(640, 320)
    image = news_flow.add_image(
        draft,
        world.inspector,
        data=photo,
        filename="toan-canh.png",
        caption="Toàn cảnh buổi làm việc",
        max_bytes=2**20,
    )
    db.session.commit()
    (image_dir / image.stored_name).write_bytes(photo)
    post_id, slug, title = draft.id, draft.slug, draft.title
    db.session.close()  # the server thread writes next; hold no transaction open

    # The inspector adds a sentence with the toolbar and saves.
    violations = watch_policy_violations(page)
    sign_in(page, live_server, "inspector")
    page.goto(f"{live_server}/bai-viet/{post_id}/sua")
    page.fill("textarea[name=lead]", "Sáng ngày 14-6, Đoàn Kiểm tra làm việc với Huyện ủy Bù Đốp.")
    area = page.locator("textarea[name=body_html]")
    editor = page.locator("#news-editor")
    assert area.is_hidden() and editor.is_visible()  # the visual editor replaces the HTML textarea
    editor.evaluate(
        "el => { const r = document.createRange(); r.setStart(el.firstElementChild, 0); r.collapse(true);"
        " el.focus(); const s = getSelection(); s.removeAllRanges(); s.addRange(r); }"
    )
    page.click("button[title='Chữ đậm']")
    page.keyboard.type("Tin nổi bật")
    assert area.input_value().startswith('<p class="kt-delegation"><strong>Tin nổi bật</strong>')
    page.screenshot(path=str(SHOTS / "news-editor.png"), full_page=True)
    page.click("input[name=save_and_preview]")
    page.wait_for_url(f"{live_server}/bai-viet/{post_id}/xem-truoc")
    assert "chưa đăng" in page.locator(".alert-warning[role=status]").inner_text()
    page.screenshot(path=str(SHOTS / "news-preview.png"), full_page=True)
    assert page.locator("button:has-text('Đăng bài')").count() == 0  # inspectors do not publish
    page.click("form[action='/logout'] button")

    # The leader publishes from the preview.
    sign_in(page, live_server, "leader")
    page.goto(f"{live_server}/bai-viet/{post_id}/xem-truoc")
    questions: list[str] = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.click("button:has-text('Đăng bài')")
    page.wait_for_url(f"{live_server}/tin-tuc/{slug}")
    assert "Đã đăng bài lên trang tin." in page.locator(".alert-success[role=status]").inner_text()
    assert questions and questions[0].startswith("Đăng bài «")  # publishing asked first
    page.goto(f"{live_server}/bai-viet/")
    assert page.locator("td .badge").first.inner_text() == "Đã đăng"
    page.screenshot(path=str(SHOTS / "news-manage.png"), full_page=True)

    # A visitor who never signed in finds it on the news page and reads it.
    visitor_context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    visitor = visitor_context.new_page()
    visitor_violations = watch_policy_violations(visitor)
    try:
        visitor.goto(f"{live_server}/tin-tuc/")
        visitor.screenshot(path=str(SHOTS / "news-list.png"), full_page=True)
        visitor.click(f"text={title}")
        visitor.wait_for_url(f"{live_server}/tin-tuc/{slug}")
        assert visitor.locator("h1").inner_text() == title
        assert visitor.locator(".kt-dateline").first.inner_text().startswith("Thứ ")
        assert visitor.locator("strong", has_text="Tin nổi bật").count() == 1
        assert visitor.locator(".kt-request").first.inner_text().startswith("Một là, ")
        assert visitor.locator("figcaption").inner_text() == "Toàn cảnh buổi làm việc"
        assert visitor.locator("figure img").evaluate("img => img.naturalWidth") == 640  # the photo loaded
        assert visitor.locator("a[href^='/bai-viet/']").count() == 0
        visitor.screenshot(path=str(SHOTS / "news-post.png"), full_page=True)
    finally:
        visitor_context.close()
    assert violations == []
    assert visitor_violations == []
    assert db.session.get(NewsPost, post_id).status is NewsStatus.PUBLISHED
