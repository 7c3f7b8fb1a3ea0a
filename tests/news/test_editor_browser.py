"""The news editor in a real browser: text typed and then a photo uploaded stay together, the body
holds only allowed HTML, leaving with unsaved text asks first, publishing asks first, and the preview's
date line is the published one."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from models import NewsImage, NewsPost, db
from tests.news.conftest import png
from tests.news.test_browser import sign_in, watch_policy_violations

pytestmark = pytest.mark.slow  # browser: left out of the fast subset (-m "not slow")

SHOTS = Path(tempfile.gettempdir())  # looked at by hand: news-editor-*.png

TYPED = "Đoàn kiểm tra đánh giá cao tinh thần chủ động của Ban Thường vụ Huyện ủy."


def _caret_at_end(page):
    page.locator("#news-editor").evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el.lastElementChild);"
        " r.collapse(false); el.focus(); const s = getSelection(); s.removeAllRanges(); s.addRange(r); }"
    )


def test_a_photo_uploaded_after_typing_keeps_the_typed_paragraph(
    live_server, page, world, draft, image_dir, tmp_path
):
    post_id = draft.id
    db.session.close()
    violations = watch_policy_violations(page)
    sign_in(page, live_server, "inspector")
    page.goto(f"{live_server}/bai-viet/{post_id}/sua")
    _caret_at_end(page)
    page.keyboard.press("Enter")
    page.keyboard.type(TYPED)
    photo = tmp_path / "hoi-nghi.png"
    photo.write_bytes(png(320, 160))
    page.set_input_files("#image-upload input[type=file]", str(photo))
    page.fill("#image-upload input[name=caption]", "Quang cảnh hội nghị")
    page.click("#image-upload button[type=submit]")
    page.wait_for_selector("#news-editor figure img")
    # No reload: the paragraph is still there, with the photo right after it.
    assert TYPED in page.locator("#news-editor").inner_text()
    assert "Bài chưa được lưu" in page.locator("#image-upload-status").inner_text()
    assert page.locator("#news-editor figure img").evaluate("img => img.naturalWidth") == 320
    page.screenshot(path=str(SHOTS / "news-editor-photo.png"), full_page=True)
    body = page.locator("textarea[name=body_html]").input_value()
    assert body.index(TYPED) < body.index("<figure")
    # The new photo is listed beside the text, ready to be inserted again elsewhere.
    assert page.locator("#image-list button", has_text="Chèn vào vị trí con trỏ").count() == 1

    page.click("#save")
    page.wait_for_url(f"{live_server}/bai-viet/{post_id}/sua")
    assert "Đã lưu bài viết." in page.locator(".alert-success[role=status]").inner_text()
    db.session.expire_all()
    saved = db.session.get(NewsPost, post_id).body_html
    image = db.session.query(NewsImage).filter_by(post_id=post_id).one()
    assert TYPED in saved
    assert saved.count(image.stored_name) == 1  # inserted once, where the cursor was
    assert saved.index(TYPED) < saved.index(image.stored_name)
    db.session.close()
    assert violations == []


def test_the_editor_writes_only_allowed_html(live_server, page, world, draft):
    post_id = draft.id
    db.session.close()
    sign_in(page, live_server, "inspector")
    page.goto(f"{live_server}/bai-viet/{post_id}/sua")
    _caret_at_end(page)
    page.keyboard.press("Enter")
    # What a word processor puts on the clipboard arrives as plain paragraphs.
    page.locator("#news-editor").evaluate(
        """el => {
          const data = new DataTransfer();
          data.setData('text/html', '<span style="color:red" onclick="x()">Đỏ</span>');
          data.setData('text/plain', 'Dòng một\\nDòng hai');
          const options = {clipboardData: data, bubbles: true, cancelable: true};
          el.dispatchEvent(new ClipboardEvent('paste', options));
        }"""
    )
    page.click("button[data-editor-action=h2]")
    body = page.locator("textarea[name=body_html]").input_value()
    assert "Dòng một" in body and "Dòng hai" in body
    for forbidden in ("style=", "onclick", "<span", "<div", "<font"):
        assert forbidden not in body
    page.click("#save")
    page.wait_for_url(f"{live_server}/bai-viet/{post_id}/sua")
    db.session.expire_all()
    saved = db.session.get(NewsPost, post_id).body_html
    assert "<h2>Dòng hai</h2>" in saved or "<h2>Dòng một</h2>" in saved
    db.session.close()


def test_leaving_with_unsaved_text_asks_first_and_saving_does_not(live_server, page, world, draft):
    post_id = draft.id
    db.session.close()
    sign_in(page, live_server, "inspector")
    page.goto(f"{live_server}/bai-viet/{post_id}/sua")
    asked: list[str] = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    # Unchanged: leaving asks nothing.
    page.click("a:has-text('Danh sách tin bài')")
    page.wait_for_url(f"{live_server}/bai-viet/")
    assert asked == []
    page.goto(f"{live_server}/bai-viet/{post_id}/sua")
    _caret_at_end(page)
    page.keyboard.type(" Thêm một câu.")
    page.click("a:has-text('Danh sách tin bài')")
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    assert page.url.endswith(f"/bai-viet/{post_id}/sua")  # stayed, the text is still there
    assert "Thêm một câu." in page.locator("#news-editor").inner_text()
    page.remove_listener("dialog", stay)
    page.click("#save")  # saving leaves the page without asking
    page.wait_for_url(f"{live_server}/bai-viet/{post_id}/sua")
    assert "Đã lưu bài viết." in page.locator(".alert-success[role=status]").inner_text()
    assert asked == ["beforeunload"]


def test_publishing_asks_and_the_preview_date_line_is_the_published_one(live_server, page, world, draft):
    post_id, slug = draft.id, draft.slug
    db.session.close()
    sign_in(page, live_server, "leader")
    page.goto(f"{live_server}/bai-viet/{post_id}/xem-truoc")
    previewed = page.locator(".kt-dateline").inner_text()
    answers = iter([False, True])
    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if next(answers) else dialog.dismiss()

    page.on("dialog", answer)
    page.click("button:has-text('Đăng bài')")  # refused at the question: still a draft
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/bai-viet/{post_id}/xem-truoc")
    page.click("button:has-text('Đăng bài')")
    page.wait_for_url(f"{live_server}/tin-tuc/{slug}")
    assert len(asked) == 2 and "trang tin công khai" in asked[0]
    assert page.locator(".kt-dateline").inner_text() == previewed
