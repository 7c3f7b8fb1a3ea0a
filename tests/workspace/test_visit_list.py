"""The visit list's lines, unit filter and pager as a user reads them, however the page was read and written
(an unfiltered list's statements are kept per scope and day, its unit options per tree, its links made
from one ``url_for``)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from markupsafe import escape

from models import db
from tests.conftest import at
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.clock import local_today


def _line(page: str, title: str) -> str:
    """The table row that shows ``title``."""
    found = page.index(title)
    return page[page.rindex("<tr>", 0, found) : page.index("</tr>", found)]


def _counts(line: str) -> list[str]:
    """The directives' and tasks' cells of a row."""
    return re.findall(r'<td class="num d-none d-sm-table-cell" data-label="[^"]*">(.*?)</td>', line)


def _visit_with_tasks(world, create_visit):
    """A visit with two directives and three tasks: one overdue, one due next month, one cancelled."""
    visit = create_visit(title="Đợt có nhiệm vụ", visited_on=date(2023, 6, 14))
    create_visit(title="Đợt khác", visited_on=date(2023, 5, 1))
    first = visit_flow.issue_directive(visit, world.inspector, body="Yêu cầu thứ nhất.")
    second = visit_flow.issue_directive(visit, world.inspector, body="Yêu cầu thứ hai.")
    given = {"lead_org": world.district_office, "now": at(date(2023, 6, 14))}
    task_flow.assign_task(first, world.inspector, due_on=date(2023, 7, 1), **given)
    task_flow.assign_task(first, world.inspector, due_on=local_today() + timedelta(days=30), **given)
    cancelled = task_flow.assign_task(second, world.inspector, due_on=date(2023, 7, 1), **given)
    task_flow.cancel_task(cancelled, world.inspector, reason="Không cần nữa.")
    db.session.commit()
    return visit


def test_a_line_counts_directives_tasks_and_overdue_tasks_the_same_filtered_or_not(
    login_as, world, create_visit
):
    _visit_with_tasks(world, create_visit)
    client = login_as(world.inspector)
    overdue = '2 <span class="t-overdue" title="quá hạn">(1 quá hạn)</span>'
    for url in ("/visits", "/visits?per_page=20", "/visits?q=nhiem+vu", "/visits?status=planned"):
        line = _line(client.get(url).get_data(as_text=True), "Đợt có nhiệm vụ")
        assert _counts(line) == ["2", overdue], url  # the cancelled task counts nowhere
    assert _counts(_line(client.get("/visits").get_data(as_text=True), "Đợt khác")) == ["0", "0"]


def test_the_overdue_count_is_as_of_the_day_the_list_is_read(login_as, world, create_visit, monkeypatch):
    _visit_with_tasks(world, create_visit)
    client = login_as(world.inspector)
    monkeypatch.setattr("app.workspace.visits.local_today", lambda: date(2023, 6, 30))
    before = _line(client.get("/visits").get_data(as_text=True), "Đợt có nhiệm vụ")
    monkeypatch.setattr("app.workspace.visits.local_today", lambda: date(2023, 7, 2))
    after = _line(client.get("/visits").get_data(as_text=True), "Đợt có nhiệm vụ")
    assert _counts(before) == ["2", "2"]
    assert _counts(after)[1].startswith('2 <span class="t-overdue"') and "(1 quá hạn)" in after


def test_the_unit_filter_shows_a_renamed_body_at_once_escaped_and_chosen(login_as, world, create_visit):
    create_visit()
    db.session.commit()
    client = login_as(world.inspector)
    assert f"— {world.district.name}</option>" in client.get("/visits").get_data(as_text=True)
    world.district.name = "Huyện ủy <Bù Đốp> & các xã"
    db.session.commit()
    page = client.get("/visits", query_string={"unit": world.district.id}).get_data(as_text=True)
    assert f'<option value="{world.district.id}" selected>— {escape(world.district.name)}</option>' in page
    assert page.count(" selected>") == 3  # the unit, the sort and the page size
    assert "<Bù Đốp>" not in page


def _pager_links(page: str) -> list[dict[str, list[str]]]:
    hrefs = re.findall(r'<a class="page-link" href="([^"]+)"', page)
    assert hrefs, "no pager"
    return [parse_qs(urlsplit(href.replace("&amp;", "&")).query) for href in hrefs]


def test_the_pager_links_keep_every_argument_and_number_the_pages(login_as, world, create_visit):
    for n in range(25):
        create_visit(title=f"Đợt số {n:02d}", visited_on=date(2023, 1, 1) + timedelta(days=n))
    db.session.commit()
    client = login_as(world.inspector)
    # An argument whose value holds digits a page number could be written with, before or after "page".
    for url, kept in (
        ("/visits?per_page=20&status=planned", {"per_page": ["20"], "status": ["planned"]}),
        ("/visits?per_page=20&x=987654321", {"per_page": ["20"], "x": ["987654321"]}),
        ("/visits?page=1&x=1987654321&per_page=20", {"per_page": ["20"], "x": ["1987654321"]}),
    ):
        links = _pager_links(client.get(url).get_data(as_text=True))
        # previous (page 0, disabled), 1, 2, next (page 2)
        assert [link.pop("page") for link in links] == [["0"], ["1"], ["2"], ["2"]], url
        assert all(link == kept for link in links), url
