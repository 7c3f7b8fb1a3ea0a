"""The keyboard alone: sign in, skip the navigation, record progress on a task after a refused submit, and
submit the visit form; every control shows a focus ring of at least 3:1 and no focused field hides under
the form's sticky save bar."""

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from models import db
from tests.conftest import PASSWORD
from workflows.clock import local_today

pytestmark = pytest.mark.slow  # browser: left out of the fast subset (-m "not slow")

SHOT = str(Path(tempfile.gettempdir()) / "keyboard-{}.png")
FIGURES = Path(tempfile.gettempdir()) / "keyboard-figures.json"

# The focused element's ring and what it stands on: the outline's colour against the first opaque
# background among the element's ancestors (the ring is drawn outside the element), as WCAG 1.4.11 asks.
RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
      .map(v => v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
      .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  let behind = [255, 255, 255];
  for (let node = el.parentElement; node; node = node.parentElement) {
    const bg = rgb(getComputedStyle(node).backgroundColor);
    if (bg.length === 3 || (bg.length === 4 && bg[3] === 1)) { behind = bg.slice(0, 3); break; }
  }
  const ring = rgb(style.outlineColor).slice(0, 3);
  const [a, b] = [lum(ring), lum(behind)].sort((x, y) => y - x);
  return {
    element: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? `[name=${el.name}]` : ''),
    style: style.outlineStyle, width: parseFloat(style.outlineWidth), ratio: (a + 0.05) / (b + 0.05),
    inMain: !!el.closest('main'),
  };
}"""

# Whether the focused element is covered by the sticky save bar of the form it belongs to.
UNDER_BAR = """() => {
  const el = document.activeElement, bar = document.querySelector('.kt-save-bar');
  if (!bar || bar.contains(el)) return false;
  const r = el.getBoundingClientRect(), b = bar.getBoundingClientRect();
  return r.bottom > b.top && r.top < b.bottom;
}"""


def tab_to(page: Any, selector: str, limit: int = 150) -> int:
    """Press Tab until the focused element matches ``selector``; return the number of presses."""
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return count
    raise AssertionError(f"{selector} never took focus in {limit} presses of Tab")


def check_ring(page: Any) -> dict[str, Any]:
    ring = page.evaluate(RING)
    assert ring["style"] != "none" and ring["width"] >= 2, ring
    assert ring["ratio"] >= 3, ring
    return ring


def sign_in_by_keyboard(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    assert page.evaluate("document.activeElement.name") == "username"  # the field has autofocus
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


def stops_to_main(page: Any) -> tuple[int, int]:
    """Presses of Tab from the top of the page to the first control of <main>: through the navigation,
    and with the skip link (Tab, Enter, Tab)."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    through = 0
    for through in range(1, 100):  # noqa: B007 - the count is the answer
        page.keyboard.press("Tab")
        check_ring(page)
        if page.evaluate("() => !!document.activeElement.closest('main')"):
            break
    page.reload()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"  # the skip link first
    check_ring(page)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')")
    return through, 1


def test_the_keyboard_alone_records_progress_and_saves_a_visit(live_server, browser, world, create_task):
    task = create_task(due_on=local_today() + timedelta(days=20), title="Hội nghị quán triệt 85-QĐ/TW")
    task_id = task.id
    db.session.commit()  # last: the server thread writes to the same database

    figures: dict[str, Any] = {}
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        # The office: sign in, skip the navigation, find the task, refuse an empty note, then save one.
        sign_in_by_keyboard(page, live_server, "office")
        figures["office"] = stops_to_main(page)
        tab_to(page, f"main a[href='/tasks/{task_id}']")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server}/tasks/{task_id}")
        tab_to(page, "#progress-form button[type=submit]")
        check_ring(page)
        page.screenshot(path=SHOT.format("button-focus"))
        with page.expect_navigation():
            page.keyboard.press("Enter")
        note = page.locator("#progress-form textarea")
        # Focus lands on the refused field, which names its message; the message is announced.
        assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
        assert note.get_attribute("aria-invalid") == "true"
        message = page.locator(f"#{note.get_attribute('aria-describedby').split()[-1]}")
        assert message.get_attribute("role") == "alert"
        assert "Chưa nhập nội dung tiến độ." in message.inner_text()
        check_ring(page)
        page.screenshot(path=SHOT.format("refused-note"))
        page.keyboard.type("Đã xây dựng kế hoạch, chuẩn bị tài liệu hội nghị.")
        page.keyboard.press("Tab")
        page.keyboard.type("40")
        tab_to(page, "#progress-form button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server}/tasks/{task_id}#lich-su")
        assert "Đã ghi tiến độ." in page.locator("[role=status]").first.inner_text()
        assert "Đã xây dựng kế hoạch" in page.locator("#history").inner_text()
        context.close()

        # The inspector: a new visit, refused when empty, then saved.
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.set_default_timeout(60_000)
        sign_in_by_keyboard(page, live_server, "inspector")
        figures["inspector"] = stops_to_main(page)
        tab_to(page, "nav a[href='/visits']")
        page.screenshot(path=SHOT.format("navbar-focus"))
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server}/visits")
        tab_to(page, "main a[href='/visits/new']")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server}/visits/new")
        tab_to(page, "#title")
        with page.expect_navigation():
            page.keyboard.press("Enter")  # the form's first submit button saves
        summary = page.locator("#error-summary")
        assert page.evaluate("document.activeElement.id") == "error-summary"
        assert summary.get_attribute("role") == "alert"
        assert "Chưa nhập tiêu đề." in summary.inner_text()
        check_ring(page)
        page.screenshot(path=SHOT.format("refused-visit"))
        page.keyboard.press("Tab")  # the summary's first link leads to its field
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "title"
        assert page.locator("#title").get_attribute("aria-invalid") == "true"

        page.keyboard.type("Kiểm tra công tác tuyên giáo năm 2024 tại Bù Đốp")
        tab_to(page, "#subject")
        page.keyboard.type("công tác tuyên giáo")
        tab_to(page, "#visited_on")
        page.keyboard.type("14/06/2024")
        tab_to(page, "#inspected_org_id")
        page.keyboard.press("ArrowDown")
        assert page.locator("#inspected_org_id").input_value()

        # Walk every stop of the form to its save button: none hides under the sticky bar.
        page.set_viewport_size({"width": 1280, "height": 600})
        hidden: list[str] = []
        stops = 0
        while page.evaluate("document.activeElement.id") != "save":
            page.keyboard.press("Tab")
            stops += 1
            ring = check_ring(page)
            if page.evaluate(UNDER_BAR):
                hidden.append(ring["element"])
            assert stops < 300
        figures["visit form stops"] = stops
        figures["hidden under the save bar"] = hidden
        assert hidden == []
        page.screenshot(path=SHOT.format("save-focus"))
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("#error-summary").count() == 0, page.locator("#error-summary").inner_text()
        assert "Kiểm tra công tác tuyên giáo năm 2024 tại Bù Đốp" in page.locator("h1").inner_text()
    finally:
        context.close()
        FIGURES.write_text(json.dumps(figures, ensure_ascii=False, indent=1))


@pytest.mark.parametrize("role", ["admin", "leader"])
def test_a_skip_link_leads_past_the_navigation(live_server, browser, world, role):
    db.session.commit()
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        sign_in_by_keyboard(page, live_server, role)
        through, skipping = stops_to_main(page)
        page.reload()
        page.keyboard.press("Tab")
        page.screenshot(path=SHOT.format(f"skip-{role}"))
    finally:
        context.close()
    figures = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    figures[role] = [through, skipping]
    FIGURES.write_text(json.dumps(figures, ensure_ascii=False, indent=1))
