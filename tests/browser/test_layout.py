"""Every page of every role fits a phone (390×844) and a laptop (1280×800): nothing wider than the screen,
the page's primary action in sight without scrolling sideways, touch targets of at least 44 px on the phone,
and the header on one line on the laptop.

The pages are found as tests/browser/test_accessibility.py finds them: by following links two deep from
each role's start pages (one page per endpoint), plus the pages behind forms. Screenshots of each page at
each size are left in the temp folder (``layout-<role>-<size>-<n>.png``) for a person to look at.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.browser.test_accessibility import (
    NOT_PAGES,
    ROLES,
    SIZES,
    endpoint_of,
    links,
    seed,
    sign_in,
    states,
)
from tests.conftest import World

pytestmark = pytest.mark.slow  # browser: left out of the fast subset (-m "not slow")

SHOT = str(Path(tempfile.gettempdir()) / "layout-{}-{}-{}.png")

# What a person checks on a page, measured in the page: its width against the window's; its primary
# action (the first main button, else its heading) inside the window's width and not hidden; the
# controls of <main> smaller than 44 px on a phone; the header's height.
MEASURE = """(phone) => {
    const doc = document.documentElement;
    const found = {width: doc.scrollWidth, window: innerWidth, problems: []};
    const wide = [...document.querySelectorAll('main *')].filter(e => {
        const box = e.getBoundingClientRect();
        return box.width > 0 && box.right > innerWidth + 1 && !e.closest('.table-responsive');
    });
    if (doc.scrollWidth > innerWidth) {
        found.problems.push('wider than the screen: ' + doc.scrollWidth + ' > ' + innerWidth + ' ('
            + wide.slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
            + '.' + [...e.classList].join('.')).join(', ') + ')');
    }
    const primary = document.querySelector('main .btn-primary:not([disabled])')
        || document.querySelector('main h1');
    if (!primary) {
        found.problems.push('no primary action or heading');
    } else {
        const box = primary.getBoundingClientRect();
        const style = getComputedStyle(primary);
        if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') {
            found.problems.push('primary action hidden: ' + primary.textContent.trim());
        } else if (box.left < 0 || box.right > innerWidth + 1) {
            found.problems.push('primary action off the screen: ' + primary.textContent.trim());
        }
        found.primary = primary.textContent.trim().slice(0, 60);
    }
    if (phone) {
        const small = [...document.querySelectorAll(
            'main .btn, main .form-control, main .form-select, main .page-link, .navbar-toggler'
        )].filter(e => {
            const box = e.getBoundingClientRect();
            return box.width > 0 && box.height > 0 && box.height < 43.5 && !e.closest('.visually-hidden')
                && getComputedStyle(e).visibility !== 'hidden';
        });
        for (const e of small.slice(0, 5)) {
            found.problems.push('touch target ' + Math.round(e.getBoundingClientRect().height) + ' px: '
                + (e.textContent.trim() || e.name || e.id).slice(0, 40));
        }
    } else {
        const bar = document.querySelector('.kt-navbar .container-fluid');
        const brand = document.querySelector('.kt-navbar .navbar-brand');
        if (bar && brand && bar.getBoundingClientRect().height > brand.getBoundingClientRect().height + 24) {
            const height = Math.round(bar.getBoundingClientRect().height);
            found.problems.push('the header wraps: ' + height + ' px');
        }
    }
    return found;
}"""


def pages_of(page: Any, app: Flask, base: str, start: list[str]) -> list[str]:
    """One path per endpoint reached by links from ``start``, two links deep."""
    seen: set[str] = set()
    paths: list[str] = []
    queue = [(path, 0) for path in start]
    visited = set(start)
    while queue:
        path, depth = queue.pop(0)
        endpoint = endpoint_of(app, urlsplit(path).path)
        if endpoint is None or endpoint in NOT_PAGES or endpoint in seen:
            continue
        if "." in urlsplit(path).path.rsplit("/", 1)[-1]:
            continue  # a file to download, not a page
        response = page.goto(base + path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if response.status in (403, 404):
            continue
        seen.add(endpoint)
        paths.append(path)
        if depth < 2:
            for link in links(page):
                if link not in visited:
                    visited.add(link)
                    queue.append((link, depth + 1))
    return paths


def measure(page: Any, size: str) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(MEASURE, size == "phone")
    return result


@pytest.fixture
def seeded(world: World, full_visit: Callable[..., Any], create_task: Callable[..., Any]) -> dict[str, Any]:
    return seed(world, full_visit, create_task)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_and_a_laptop(app, live_server, browser, seeded, role):
    context = browser.new_context(locale="vi-VN", viewport=SIZES["laptop"])
    page = context.new_page()
    page.set_default_timeout(60_000)  # a shared machine
    found: dict[str, list[str]] = {}
    checked = 0
    try:
        sign_in(page, live_server, role)
        start = ["/", f"/visits/{seeded['visit']}", f"/tasks/{seeded['task']}"]
        paths = pages_of(page, app, live_server, start)
        extra = {name: go for name, go in states(role, seeded).items() if name != "menu open"}
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            for number, path in enumerate(paths):
                page.goto(live_server + path)
                result = measure(page, size)
                checked += 1
                page.screenshot(path=SHOT.format(role, size, number))
                if result["problems"]:
                    found[f"{path} [{size}]"] = result["problems"]
            for name, go in extra.items():
                go(page, live_server)
                result = measure(page, size)
                checked += 1
                page.screenshot(path=SHOT.format(role, size, name.replace(" ", "-")))
                if result["problems"]:
                    found[f"{name} [{size}]"] = result["problems"]
    finally:
        context.close()
    assert checked >= 4, "the walk found too few pages"
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


def test_search_filters_as_one_types_and_filters_fold_on_a_phone(live_server, browser, seeded):
    context = browser.new_context(locale="vi-VN", viewport=SIZES["phone"])
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        sign_in(page, live_server, "office")
        page.goto(f"{live_server}/tasks")
        rows = page.locator("#task-table tbody tr.task-row")
        before = rows.count()
        assert before > 1
        assert not page.locator("#f-status").is_visible()  # the other filters fold under their summary
        page.evaluate("window.kiemtraSamePage = true")
        page.type("#f-q", "gui bao cao")  # without tone marks: «Gửi báo cáo dư luận xã hội»
        expect(rows).to_have_count(1)  # Playwright waits for the list to change
        assert page.evaluate("window.kiemtraSamePage === true")  # the list changed without a page load
        assert [
            t.strip() for t in page.locator("#task-table tbody tr.task-row a.fw-semibold").all_inner_texts()
        ] == ["Gửi báo cáo dư luận xã hội"]
        assert page.url.endswith("/tasks?q=gui+bao+cao")  # a reload or the back button gives the same list
        page.locator(".kt-more-filters > summary").click()
        assert page.locator("#f-status").is_visible()
        page.screenshot(path=SHOT.format("office", "phone", "live-search"))
    finally:
        context.close()
