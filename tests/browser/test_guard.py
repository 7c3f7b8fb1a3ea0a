"""The unsaved-changes guard (app/static/guard.js) on an ordinary editing form, the task page's
progress form: leaving after typing asks first, sending does not, a form shown again after a refused
save counts as unsaved, and a search form never asks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import db
from tests.conftest import PASSWORD
from workflows.clock import local_today

pytestmark = pytest.mark.slow  # browser: left out of the fast subset (-m "not slow")


def _office_on_task(live_server, page, create_task):
    task = create_task(due_on=local_today() + timedelta(days=10))
    db.session.commit()
    task_id = task.id
    db.session.close()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/tasks/{task_id}")
    asked: list[str] = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    return task_id, asked


def _wait_for_question(page, asked, seconds=5.0):
    """Waits until the page has asked (the question comes once the click's navigation starts, later on a
    loaded machine than a fixed pause allows), or the time is up."""
    for _ in range(int(seconds * 10)):
        if asked:
            break
        page.wait_for_timeout(100)


def test_leaving_a_changed_form_asks_and_sending_it_does_not(live_server, page, world, create_task):
    task_id, asked = _office_on_task(live_server, page, create_task)
    page.click("a.nav-link >> nth=0")  # nothing typed yet: leaves without a question
    page.wait_for_load_state()
    assert asked == []
    page.goto(f"{live_server}/tasks/{task_id}")
    page.fill("#progress-form textarea[name$=note]", "Đã họp triển khai với các chi bộ.")
    page.click("a.nav-link >> nth=0")
    _wait_for_question(page, asked)
    assert asked == ["beforeunload"]
    assert page.url.endswith(f"/tasks/{task_id}")  # stayed: the note is still there
    assert page.input_value("#progress-form textarea[name$=note]") == "Đã họp triển khai với các chi bộ."
    page.fill("#progress-form input[name$=progress]", "40")
    page.click("#progress-form button[type=submit]")
    page.wait_for_load_state()
    assert "Đã họp triển khai" in page.locator("body").inner_text()
    assert asked == ["beforeunload"]  # sending asked nothing


def test_a_form_shown_again_after_a_refused_save_counts_as_unsaved(live_server, page, world, create_task):
    _task_id, asked = _office_on_task(live_server, page, create_task)
    page.fill("#progress-form textarea[name$=note]", "Tiến độ gõ nhầm.")
    page.fill("#progress-form input[name$=progress]", "150")
    page.click("#progress-form button[type=submit]")
    page.wait_for_selector("#progress-form [aria-invalid='true']")
    assert asked == []
    page.click("a.nav-link >> nth=0")
    _wait_for_question(page, asked)
    assert asked == ["beforeunload"]


def test_a_search_form_never_asks(live_server, page, world, create_task):
    _task_id, asked = _office_on_task(live_server, page, create_task)
    page.goto(f"{live_server}/tasks")
    search = page.locator("form[method=get] input[type=search]").first
    search.fill("hội nghị")
    page.click("a.navbar-brand")
    page.wait_for_load_state()
    assert asked == []
