"""Each role walks its pages in English and meets no Vietnamese interface text (their data aside)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import String, Text, select

from models import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.slow  # browser: left out of the fast subset (-m "not slow")

VIETNAMESE = re.compile(
    r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE
)
# Part of the record, not of the interface: directive ordinals ("Một là,") and the language's own name.
NOT_INTERFACE = re.compile(r"\b(?:Một|Hai|Ba|Bốn|Năm|Sáu|Bảy|Tám|Chín|Mười)(?: [a-zà-ỹ]+)* là\b,?|Tiếng Việt")


def _user_data() -> list[str]:
    """Every text stored in the database (names, titles, notes …), longest first."""
    texts: set[str] = set()
    for mapper in db.Model.registry.mappers:
        table = mapper.local_table
        for column in table.columns:
            if isinstance(column.type, (String, Text)):
                texts.update(v for v in db.session.scalars(select(column).distinct()) if v and len(v) > 1)
    db.session.commit()  # end our read transaction: the server thread writes sessions to the same database
    return sorted(texts, key=len, reverse=True)


def _vietnamese_lines(text: str, data: list[str]) -> list[str]:
    found = []
    for line in text.splitlines():
        for value in data:
            if value in line:
                line = line.replace(value, " ")
        line = NOT_INTERFACE.sub(" ", line)
        if VIETNAMESE.search(line):
            found.append(line.strip())
    return found


def _pages(page, live_server: str, extra: list[str]) -> list[str]:
    hrefs = page.eval_on_selector_all("nav a[href^='/']", "links => links.map(a => a.getAttribute('href'))")
    paths = [urlsplit(h).path for h in hrefs if not h.startswith("/static")]
    return list(dict.fromkeys(["/", *paths, *extra]))


@pytest.mark.parametrize("role", ["admin", "inspector", "office", "leader"])
def test_every_page_of_a_role_speaks_english(live_server, page, world, full_visit, role):
    visit = full_visit()
    visit_id, task_id = visit.id, visit.directives[0].tasks[0].id
    for user in (world.admin, world.inspector, world.office, world.leader):
        user.locale = "en"
    db.session.commit()
    extra = {
        "admin": [],
        "inspector": [f"/visits/{visit_id}", f"/visits/{visit_id}/edit", f"/tasks/{task_id}"],
        "office": [f"/tasks/{task_id}", "/calendar"],
        "leader": [f"/visits/{visit_id}", f"/tasks/{task_id}"],
    }[role]
    data = _user_data()  # last: it ends our transaction, so the server thread may write

    page.set_default_timeout(60_000)  # a shared machine: the first page draws a chart
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    problems: dict[str, list[str]] = {}
    for path in _pages(page, live_server, extra):
        response = page.goto(f"{live_server}{path}")
        assert response is not None and response.ok, path
        assert page.locator("html").get_attribute("lang") == "en", path
        lines = _vietnamese_lines(page.locator("body").inner_text(), data)
        if lines:
            problems[path] = lines
    page.screenshot(path=str(Path(tempfile.gettempdir()) / f"english-{role}.png"), full_page=True)
    assert problems == {}


def test_the_public_news_pages_speak_english(live_server, page, world):
    page.goto(f"{live_server}/login")
    page.click("button[name=locale][value=en]")
    page.goto(f"{live_server}/tin-tuc/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert _vietnamese_lines(page.locator("body").inner_text(), _user_data()) == []
