"""The dashboard on a past day: every number, the most-overdue list and the links as they stood then."""

from __future__ import annotations

import re
from datetime import date

from models import db
from tests.conftest import at
from workflows import tasks as task_flow

DUE = date(2023, 12, 31)


def _card(page: str, key: str) -> int:
    card = page[page.index(f'id="summary-{key}"') :]
    return int(re.search(r'class="fs-3[^"]*">\s*(\d+)', card).group(1))


def test_a_task_finished_late_reads_as_it_stood_on_each_day(world, create_task, login_as):
    task = create_task(due_on=DUE)
    task_flow.report_task_done(task, world.office, note="Xong.", now=at(date(2024, 1, 10)))
    task_flow.verify_task(task, world.inspector, now=at(date(2024, 1, 11)))
    db.session.commit()
    leader = login_as(world.leader)

    before = leader.get("/dashboard?as_of=20/12/2023").get_data(as_text=True)
    assert "tình trạng tính đến hết ngày 20/12/2023" in before
    assert (_card(before, "open_within"), _card(before, "overdue"), _card(before, "late")) == (1, 0, 0)

    overdue = leader.get("/dashboard?as_of=05/01/2024").get_data(as_text=True)
    assert (_card(overdue, "overdue"), _card(overdue, "late")) == (1, 0)
    listed = overdue[overdue.index('id="most-overdue"') :]
    assert f"/tasks/{task.id}" in listed[: listed.index("</ol>")]
    assert "5 ngày" in listed[: listed.index("</ol>")]
    link = re.search(r'id="summary-overdue"[^>]*|href="([^"]*)"[^>]*id="summary-overdue"', overdue).group(0)
    assert "open_on=2024-01-05" in link or "open_on=05%2F01%2F2024" in link

    now = leader.get("/dashboard").get_data(as_text=True)
    assert (_card(now, "overdue"), _card(now, "late")) == (0, 1)


def test_an_as_of_day_in_the_future_or_before_any_record_is_refused_and_today_shown(
    world, create_task, login_as
):
    create_task(due_on=DUE)
    db.session.commit()
    leader = login_as(world.leader)
    future = leader.get("/dashboard?as_of=01/01/2099").get_data(as_text=True)
    assert "là ngày trong tương lai" in future
    assert "tình trạng tính đến hôm nay" in future
    early = leader.get("/dashboard?as_of=01/01/2001").get_data(as_text=True)
    assert "trước ngày có dữ liệu đầu tiên" in early
    bad = leader.get("/dashboard?as_of=31/02/2023").get_data(as_text=True)
    assert "tình trạng tính đến hôm nay" in bad
    assert bad.count("Ngày tính số liệu") >= 1  # the field's message, once in the alerts
