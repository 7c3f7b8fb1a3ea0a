"""A large subtree's dashboard: its unit table by the level below the chosen unit, one click down."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs

import pytest

from tests.board.test_dashboard import (
    COLUMNS,
    TODAY,
    all_tasks,
    direct_counts,
    linked_numbers,
    listed_total,
    province_tasks,  # noqa: F401 - the fixture every test here uses
    row_numbers,
)
from workflows import dashboard as numbers

pytestmark = pytest.mark.usefixtures("province_tasks")


@pytest.fixture
def few_listed(monkeypatch):
    """The rule as if a subtree of more than three organisations were large (the test tree has nine)."""
    monkeypatch.setattr(numbers, "UNITS_LISTED", 3)


def cells(page: str, org_id: int) -> list[int]:
    """A grouped row's numbers (plain cells, not links), in the table's order."""
    start = page.index(f'data-org="{org_id}"')
    row = page[start : page.index("</tr>", start)]
    return [int(n) for n in re.findall(r'<td class="num(?: text-muted)?" data-label="[^"]*">(\d+)</td>', row)]


def down_link(page: str, org_id: int) -> str:
    start = page.index(f'data-org="{org_id}"')
    row = page[start : page.index("</tr>", start)]
    return html.unescape(re.search(r'<th scope="row" class="fw-normal"><a href="([^"]+)">', row).group(1))


def test_a_large_subtree_lists_the_units_below_it_each_with_its_subtrees_tasks(login_as, world, few_listed):
    page = login_as(world.leader).get("/dashboard").get_data(as_text=True)
    tasks = all_tasks()
    assert 'id="unit-table-note"' in page
    for district in (world.district, world.other_district):
        led_below = [t for t in tasks if district.contains(t.lead_org)]
        expected = direct_counts(led_below)
        assert cells(page, district.id) == [expected[c] for c in COLUMNS], district.name
        assert expected["total"] > 0
    # the units themselves are one click down, not on this page
    for unit in (world.district_office, world.district_culture, world.other_office):
        assert f'data-org="{unit.id}"' not in page
    expected = direct_counts(tasks)
    assert row_numbers(page, 'id="total-row"') == [expected[c] for c in COLUMNS]


def test_each_grouped_row_leads_to_its_units_dashboard_with_the_same_numbers(login_as, world, few_listed):
    client = login_as(world.leader)
    start, end = "01/01/2000", "31/12/2099"
    page = client.get(f"/dashboard?period_from={start}&period_to={end}").get_data(as_text=True)
    href = down_link(page, world.district.id)
    path, query = href.split("?")
    assert path == "/dashboard"
    assert parse_qs(query) == {"org": [str(world.district.id)], "period_from": [start], "period_to": [end]}
    below = client.get(href).get_data(as_text=True)
    # three organisations: listed unit by unit, the links to the task list exact again
    assert 'id="unit-table-note"' not in below
    assert row_numbers(below, 'id="total-row"') == cells(page, world.district.id)
    for unit in (world.district_office, world.district_culture):
        assert f'data-org="{unit.id}"' in below
    mismatches = [(h, v, listed_total(client, h)) for h, v in linked_numbers(below)]
    assert [m for m in mismatches if m[1] != m[2]] == []


def test_the_grouped_rows_add_up_to_the_total_and_every_link_left_is_exact(login_as, world, few_listed):
    client = login_as(world.leader)
    page = client.get("/dashboard").get_data(as_text=True)
    total = row_numbers(page, 'id="total-row"')
    summed = [
        sum(col)
        for col in zip(cells(page, world.district.id), cells(page, world.other_district.id), strict=True)
    ]
    assert summed == total
    links = linked_numbers(page)
    assert links
    assert [(h, v) for h, v in links if listed_total(client, h) != v] == []


def test_a_past_day_is_kept_one_level_down_and_a_refused_one_is_not(login_as, world, few_listed):
    client = login_as(world.leader)
    day = f"{TODAY - timedelta(days=30):%d/%m/%Y}"
    page = client.get(f"/dashboard?as_of={day}").get_data(as_text=True)
    for district in (world.district, world.other_district):
        href = down_link(page, district.id)
        assert parse_qs(href.split("?")[1]) == {"org": [str(district.id)], "as_of": [day]}
        below = client.get(href).get_data(as_text=True)
        assert row_numbers(below, 'id="total-row"') == cells(page, district.id)
    page = client.get("/dashboard?as_of=01/01/1999").get_data(as_text=True)  # before the first record
    assert parse_qs(down_link(page, world.district.id).split("?")[1]) == {"org": [str(world.district.id)]}


def test_units_outside_the_subtree_keep_their_own_rows(login_as, world, few_listed):
    """An inspecting body's tasks are led by units outside its subtree: each keeps its row."""
    page = login_as(world.inspector).get("/dashboard").get_data(as_text=True)
    tasks = all_tasks()
    for lead in (world.district_office, world.district_culture, world.other_office):
        expected = direct_counts([t for t in tasks if t.lead_org_id == lead.id])
        assert row_numbers(page, f'data-org="{lead.id}"') == [expected[c] for c in COLUMNS]


def test_a_subtree_within_the_limit_is_listed_unit_by_unit(login_as, world):
    page = login_as(world.leader).get("/dashboard").get_data(as_text=True)
    assert 'id="unit-table-note"' not in page and "unit-subtree" not in page
    assert f'data-org="{world.district_office.id}"' in page


def test_by_level_below_sums_the_rows_of_each_subtree():
    counts = numbers.TimelinessCounts
    units = [
        numbers.UnitRow(1, "Root", "/R/", counts(total=1, no_deadline=1)),
        numbers.UnitRow(3, "A1", "/R/A/A1/", counts(total=2, overdue=2)),
        numbers.UnitRow(4, "A2", "/R/A/A2/", counts(total=3, on_time=3)),
        numbers.UnitRow(5, "B", "/R/B/", counts(total=4, late=4)),
        numbers.UnitRow(9, "Elsewhere", "/X/", counts(total=5, on_time=5)),
    ]
    orgs = [
        type("Org", (), {"id": i, "name": n, "path": p})
        for i, n, p in [
            (1, "Root", "/R/"),
            (2, "A", "/R/A/"),
            (3, "A1", "/R/A/A1/"),
            (4, "A2", "/R/A/A2/"),
            (5, "B", "/R/B/"),
        ]
    ]
    rows = numbers.by_level_below("/R/", units, orgs)
    assert [(r.organization_id, r.subtree, r.counts.total) for r in rows] == [
        (1, False, 1),
        (2, True, 5),
        (5, False, 4),
        (9, False, 5),
    ]
    assert rows[1].counts == counts(total=5, overdue=2, on_time=3)
    assert numbers.total_of(r.counts for r in rows) == numbers.total_of(u.counts for u in units)
