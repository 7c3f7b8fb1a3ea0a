"""The leadership dashboard: its numbers equal direct counts, and each links to the list it counts."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import Organization, Task, db
from models.enums import OPEN_TASK_STATUSES, OrgKind, Role, TaskStatus, Timeliness
from tests.conftest import at
from workflows import dashboard as numbers
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.clock import local_today
from workflows.timeliness import count_timeliness, timeliness_of

TODAY = local_today()


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def finish(task: Task, world, reported_on: date) -> None:
    task_flow.report_task_done(task, world.office_of(task), note="Xong.", now=at(reported_on))
    task_flow.verify_task(task, world.inspector, now=at(reported_on + timedelta(days=1)))


@pytest.fixture
def province_tasks(world, create_visit):
    """Tasks of two visits in both districts, in every category, assigned over several months."""
    other_user = world.other_office_user
    world.office_of = lambda task: other_user if task.lead_org is world.other_office else world.office
    first = create_visit(visited_on=days(-200))
    second = create_visit(
        title="Kiểm tra tại huyện Lộc Ninh", visited_on=days(-100), inspected_org=world.other_district
    )
    plans = [
        # visit, lead, assigned (days from today), due, outcome
        (first, world.district_office, -190, -150, ("done", -155)),  # on time
        (first, world.district_office, -190, -120, ("done", -110)),  # late
        (first, world.district_office, -180, -30, None),  # overdue
        (first, world.district_office, -170, 2, None),  # due soon
        (first, world.district_office, -170, 60, None),  # within
        (first, world.district_office, -160, None, None),  # no deadline
        (first, world.district_culture, -160, -5, None),  # overdue, another lead unit
        (first, world.district_office, -150, -60, ("cancel", -70)),  # cancelled: counts nowhere
        (second, world.other_office, -95, -40, ("done", -45)),  # on time
        (second, world.other_office, -95, -10, ("extend", 30)),  # extended: within now
        (second, world.other_office, -90, -20, None),  # overdue
        (second, world.other_office, -40, 20, ("done", -3)),  # on time, done early
    ]
    created = []
    for visit, lead, assigned, due, outcome in plans:
        directive = visit_flow.issue_directive(visit, world.inspector, body="Thực hiện yêu cầu của Đoàn.")
        task = task_flow.assign_task(
            directive,
            world.inspector,
            lead_org=lead,
            due_on=days(due) if due is not None else None,
            now=at(days(assigned)),
        )
        db.session.flush()
        if outcome and outcome[0] == "done":
            finish(task, world, days(outcome[1]))
        elif outcome and outcome[0] == "cancel":
            task_flow.cancel_task(task, world.inspector, reason="Không còn cần.", now=at(days(outcome[1])))
        elif outcome and outcome[0] == "extend":
            office = world.office_of(task)
            extension = task_flow.request_extension(
                task, office, new_due_on=days(outcome[1]), reason="Chờ kinh phí.", now=at(days(-12))
            )
            task_flow.decide_extension(extension, world.inspector, approve=True, now=at(days(-11)))
        created.append(task)
    db.session.commit()
    return created


def direct_counts(tasks: list[Task]) -> dict[str, int]:
    """Count by looking at each task, the slow obvious way."""
    categories = Counter(timeliness_of(t, TODAY) for t in tasks)
    return {
        "on_time": categories[Timeliness.ON_TIME],
        "late": categories[Timeliness.LATE],
        "open_within": categories[Timeliness.WITHIN] + categories[Timeliness.DUE_SOON],
        "overdue": categories[Timeliness.OVERDUE],
        "no_deadline": categories[Timeliness.NO_DEADLINE],
        "total": sum(1 for t in tasks if t.status is not TaskStatus.CANCELLED),
    }


def all_tasks() -> list[Task]:
    db.session.expire_all()
    return list(db.session.scalars(select(Task)))


def row_numbers(page: str, row_marker: str) -> list[int]:
    start = page.index(row_marker)
    row = page[start : page.index("</tr>", start)]
    return [int(n) for n in re.findall(r"<a[^>]*>(\d+)</a>", row)]


COLUMNS = ("total", "on_time", "late", "open_within", "overdue", "no_deadline")


def test_the_unit_table_equals_direct_counts(login_as, world, province_tasks):
    page = login_as(world.leader).get("/dashboard").get_data(as_text=True)
    tasks = all_tasks()
    for lead in (world.district_office, world.district_culture, world.other_office):
        expected = direct_counts([t for t in tasks if t.lead_org_id == lead.id])
        assert row_numbers(page, f'data-org="{lead.id}"') == [expected[c] for c in COLUMNS], lead.name
    expected = direct_counts(tasks)
    assert row_numbers(page, 'id="total-row"') == [expected[c] for c in COLUMNS]
    assert expected == {
        "on_time": 3,
        "late": 1,
        "open_within": 3,
        "overdue": 3,
        "no_deadline": 1,
        "total": 11,
    }


def test_the_totals_agree_with_the_shared_timeliness_count(login_as, world, province_tasks):
    page = login_as(world.leader).get("/dashboard").get_data(as_text=True)
    shared = count_timeliness(db.session, TODAY, world.province)
    assert row_numbers(page, 'id="total-row"') == [
        shared.total,
        shared.on_time,
        shared.late,
        shared.open_within,
        shared.overdue,
        shared.no_deadline,
    ]
    rate = f"{shared.completion_rate * 100:.1f}%".replace(".", ",")
    assert re.search(rf'id="rate-due">{re.escape(rate)}<', page)
    share = f"{shared.done / shared.total * 100:.1f}%".replace(".", ",")
    assert re.search(rf'id="rate-all">{re.escape(share)}<', page)


def linked_numbers(page: str) -> list[tuple[str, int]]:
    found = [
        (html.unescape(href), int(value))
        for href, value in re.findall(r'<a (?:class="text-muted" )?href="(/tasks\?[^"]*)">(\d+)</a>', page)
    ]
    for href, _key, value in re.findall(
        r'href="(/tasks\?[^"]*)" id="summary-(\w+)">.*?fs-3 fw-semibold">(\d+)<', page, re.S
    ):
        found.append((html.unescape(href), int(value)))
    return found


def listed_total(client, href: str) -> int:
    page = client.get(href).get_data(as_text=True)
    return int(re.search(r'id="task-total">(\d+)<', page).group(1))


@pytest.mark.parametrize("period", ["", "?period_from={start}&period_to={end}"])
def test_every_number_links_to_a_list_of_exactly_that_many_tasks(login_as, world, province_tasks, period):
    client = login_as(world.leader)
    query = period.format(start=f"{days(-175):%d/%m/%Y}", end=f"{days(-92):%d/%m/%Y}")
    page = client.get(f"/dashboard{query}").get_data(as_text=True)
    links = linked_numbers(page)
    assert len(links) > 40
    assert any(value for _href, value in links)
    mismatches = [(href, value, listed_total(client, href)) for href, value in links]
    assert [m for m in mismatches if m[1] != m[2]] == []


def test_a_period_counts_the_tasks_assigned_in_it(login_as, world, province_tasks):
    start, end = days(-175), days(-92)
    page = (
        login_as(world.leader)
        .get(f"/dashboard?period_from={start:%d/%m/%Y}&period_to={end:%d/%m/%Y}")
        .get_data(as_text=True)
    )
    assigned_in = [t for t in all_tasks() if start <= _local_day(t) <= end]
    assert 0 < len(assigned_in) < len(all_tasks())
    expected = direct_counts(assigned_in)
    assert row_numbers(page, 'id="total-row"') == [expected[c] for c in COLUMNS]
    assert f"nhiệm vụ giao từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}" in page


def _local_day(task: Task) -> date:
    from workflows.clock import local_date_of

    return local_date_of(task.created_at)


def test_choosing_a_district_narrows_the_table_to_its_units(login_as, world, province_tasks):
    page = login_as(world.leader).get(f"/dashboard?org={world.district.id}").get_data(as_text=True)
    assert f'data-org="{world.district_office.id}"' in page
    assert f'data-org="{world.other_office.id}"' not in page
    local = [t for t in all_tasks() if world.district.contains(t.lead_org)]
    expected = direct_counts(local)
    assert row_numbers(page, 'id="total-row"') == [expected[c] for c in COLUMNS]


def test_an_inspector_sees_the_tasks_of_its_bodys_visits_and_cannot_pick_outside(
    login_as, world, province_tasks
):
    client = login_as(world.inspector)
    page = client.get("/dashboard").get_data(as_text=True)
    expected = direct_counts(all_tasks())  # every task here comes from the board's visits
    assert row_numbers(page, 'id="total-row"') == [expected[c] for c in COLUMNS]
    outside = client.get(f"/dashboard?org={world.district.id}").get_data(as_text=True)
    assert "không thuộc phạm vi của bạn" in outside
    assert f'<option selected value="{world.district.id}"' not in outside
    assert row_numbers(outside, 'id="total-row"') == [expected[c] for c in COLUMNS]


def test_an_inspector_of_another_body_sees_none_of_them(login_as, world, province_tasks):
    page = login_as(world.other_inspector).get("/dashboard").get_data(as_text=True)
    assert 'id="total-row"' not in page
    assert "Không có nhiệm vụ nào trong phạm vi" in page


def test_the_ten_most_overdue_come_first_and_link_to_all(login_as, world, create_task):
    for offset in range(12):
        create_task(due_on=days(-3 - offset * 2), title=f"Quá hạn {3 + offset * 2} ngày")
    db.session.commit()
    page = login_as(world.leader).get("/dashboard").get_data(as_text=True)
    block = page[page.index('id="most-overdue"') : page.index("</ol>", page.index('id="most-overdue"'))]
    listed = re.findall(r">Quá hạn (\d+) ngày</a>", block)
    assert listed == [str(n) for n in range(25, 5, -2)]
    assert "Xem tất cả 12 nhiệm vụ quá hạn" in page


def test_progress_per_visit_counts_its_tasks(login_as, world, province_tasks):
    page = login_as(world.leader).get("/dashboard").get_data(as_text=True)
    rows = re.findall(r'<tr class="visit-row">(.*?)</tr>', page, re.S)
    assert len(rows) == 2
    assert "Kiểm tra tại huyện Lộc Ninh" in rows[0]  # the most recent first
    lộc_ninh = [t for t in all_tasks() if t.lead_org_id == world.other_office.id]
    done = sum(1 for t in lộc_ninh if t.status is TaskStatus.DONE)
    assert [int(n) for n in re.findall(r"<a[^>]*>(\d+)</a>", rows[0])] == [4, done, 1]
    mean = round(sum(t.progress for t in lộc_ninh) / 4)
    assert f'aria-valuenow="{mean}"' in rows[0]


def test_the_monthly_trend_equals_a_direct_reconstruction(login_as, world, province_tasks):
    months = numbers.trend_months(None, TODAY, TODAY)
    trend = numbers.monthly_trend(world.province, months, TODAY)
    tasks = all_tasks()
    for point in trend:
        done_in_month = [
            t
            for t in tasks
            if t.status is TaskStatus.DONE and t.due_on and point.month <= t.completed_on <= point.as_of
        ]
        open_then = [
            t
            for t in tasks
            if _local_day(t) <= point.as_of
            and t.due_on is not None
            and not (t.status is TaskStatus.DONE and t.completed_on <= point.as_of)
            and not (t.status is TaskStatus.CANCELLED and _local_cancel(t) <= point.as_of)
        ]
        assert point.done_on_time == sum(1 for t in done_in_month if t.completed_on <= t.due_on), point
        assert point.done_late == sum(1 for t in done_in_month if t.completed_on > t.due_on), point
        assert point.overdue == sum(1 for t in open_then if t.due_on < point.as_of), point
        assert point.open_within == sum(1 for t in open_then if t.due_on >= point.as_of), point
    assert trend[-1].as_of == TODAY
    assert trend[-1].overdue == direct_counts(tasks)["overdue"]
    assert sum(p.overdue for p in trend) > 0


def _local_cancel(task: Task) -> date:
    from workflows.clock import local_date_of

    assert task.cancelled_at is not None
    return local_date_of(task.cancelled_at)


def test_the_chart_is_inline_svg_and_escapes_unit_names(login_as, world, create_task):
    world.province.name = 'Tỉnh ủy <script>alert("x")</script> & Co'
    create_task(due_on=days(-1))
    db.session.commit()
    page = login_as(world.leader).get("/dashboard").get_data(as_text=True)
    figure = page[page.index('id="trend-chart"') : page.index("</figure>")]
    assert "<svg" in figure and "<?xml" not in figure
    assert "<script>" not in page
    assert "Diễn biến theo tháng" in figure


def test_a_bad_period_is_reported_and_the_whole_history_shown(login_as, world, province_tasks):
    page = (
        login_as(world.leader).get("/dashboard?period_from=31/02/2026&period_to=abc").get_data(as_text=True)
    )
    assert "không có trên lịch" in page
    assert "không đúng dạng ngày/tháng/năm" in page
    expected = direct_counts(all_tasks())
    assert row_numbers(page, 'id="total-row"') == [expected[c] for c in COLUMNS]


def test_a_period_ending_before_it_starts_is_refused(login_as, world, province_tasks):
    page = (
        login_as(world.leader)
        .get("/dashboard?period_from=01/06/2026&period_to=01/01/2026")
        .get_data(as_text=True)
    )
    assert "Ngày kết thúc kỳ phải sau ngày bắt đầu." in page


def test_the_dashboard_runs_the_same_number_of_queries_for_1_and_50_tasks(
    login_as, world, create_task, query_counter
):
    client = login_as(world.leader)

    def measure() -> int:
        db.session.commit()
        db.session.expire_all()
        with query_counter() as counted:
            assert client.get("/dashboard").status_code == 200
        return counted.count

    create_task(due_on=days(-3))
    one = measure()
    extra = Organization(
        code="TTCT-BUDOP", doc_code="TTCT", name="Trung tâm Chính trị", kind=OrgKind.STATE_OFFICE
    )
    extra.place_path(world.district)
    db.session.add(extra)
    for number in range(49):
        task = create_task(due_on=days(number - 25), lead_org=extra if number % 2 else world.district_office)
        if number % 5 == 0:
            task_flow.cancel_task(task, world.inspector, reason="Hủy.")
    db.session.commit()
    assert measure() == one
    assert one <= 18  # the page runs thirteen; sign-in and other features' header links add a few


def test_the_dashboard_is_linked_for_leaders(login_as, world):
    page = login_as(world.leader).get("/").get_data(as_text=True)
    assert 'href="/dashboard"' in page and "Bảng điều hành" in page


def test_only_open_statuses_are_counted_as_open(world, province_tasks):
    counts = numbers.table_by_lead_unit(numbers.Selection(scope=world.province), TODAY, 3)
    total = numbers.total_of(unit.counts for unit in counts)
    open_tasks = [t for t in all_tasks() if t.status in OPEN_TASK_STATUSES and t.due_on is not None]
    assert total.open_within + total.overdue == len(open_tasks)


def test_a_second_tree_stays_out_of_the_leaders_numbers(login_as, world, province_tasks):
    from models import User
    from tests.conftest import PASSWORD_HASH

    other_root = Organization(
        code="TU-KHAC", doc_code="TU", name="Tỉnh ủy khác", kind=OrgKind.PARTY_COMMITTEE
    )
    other_root.place_path(None)
    other_board = Organization(code="BTG-KHAC", doc_code="BTG", name="Ban khác", kind=OrgKind.PARTY_BOARD)
    other_board.place_path(other_root)
    other_unit = Organization(code="HU-KHAC", doc_code="HU", name="Huyện khác", kind=OrgKind.PARTY_COMMITTEE)
    other_unit.place_path(other_root)
    inspector = User(username="btgkhac", role=Role.INSPECTOR, organization=other_board, display_name="x")
    inspector.password_hash = PASSWORD_HASH
    db.session.add_all([other_root, other_board, other_unit, inspector])
    db.session.flush()
    visit = visit_flow.create_visit(
        inspector,
        title="Đợt của tỉnh khác",
        subject="công tác tuyên giáo",
        visited_on=days(-30),
        inspecting_org=other_board,
        inspected_org=other_unit,
    )
    directive = visit_flow.issue_directive(visit, inspector, body="Việc của tỉnh khác.")
    task_flow.assign_task(directive, inspector, lead_org=other_unit, due_on=days(-2), title="Việc tỉnh khác")
    db.session.commit()
    ours = [t for t in all_tasks() if t.title != "Việc tỉnh khác"]
    expected = direct_counts(ours)
    client = login_as(world.leader)
    page = client.get("/dashboard").get_data(as_text=True)
    assert row_numbers(page, 'id="total-row"') == [expected[c] for c in COLUMNS]
    listed = client.get("/tasks").get_data(as_text=True)
    assert re.search(r'id="task-total">(\d+)<', listed).group(1) == str(expected["total"])
    assert "Việc tỉnh khác" not in listed


def test_the_grouped_counts_equal_the_shared_counts_field_by_field(world, province_tasks, create_task):
    extended = create_task(due_on=days(-20))
    extension = task_flow.request_extension(
        extended, world.office, new_due_on=days(-5), reason="Chờ kinh phí.", now=at(days(-25))
    )
    task_flow.decide_extension(extension, world.inspector, approve=True, now=at(days(-24)))
    finish(extended, world, days(-10))  # on time only thanks to the extension
    db.session.commit()
    shared = count_timeliness(db.session, TODAY, world.province)
    grouped = numbers.count_one([Task.status != TaskStatus.CANCELLED], TODAY, 3)
    assert grouped == shared
    assert shared.on_time_original == shared.on_time - 1


def test_the_heading_of_the_most_overdue_counts_what_it_lists(login_as, world, create_task):
    for offset in range(5):
        create_task(due_on=days(-3 - offset), title=f"Chậm {offset}")
    db.session.commit()
    client = login_as(world.leader)
    page = client.get("/dashboard").get_data(as_text=True)
    start = page.index('id="most-overdue-heading"')
    heading = page[start : page.index("</h2>", start)]
    assert "Nhiệm vụ quá hạn: 5" in heading and "10" not in heading
    for offset in range(7):
        create_task(due_on=days(-20 - offset), title=f"Rất chậm {offset}")
    db.session.commit()
    page = client.get("/dashboard").get_data(as_text=True)
    start = page.index('id="most-overdue-heading"')
    assert "Quá hạn lâu nhất: 10 trong 12 nhiệm vụ quá hạn" in page[start : page.index("</h2>", start)]


def _shown(task: Task) -> tuple[object, ...]:
    return task.id, task.title, task.due_on, task.lead_org.name


def test_the_lists_the_page_shows_are_the_tasks_read_whole(world, create_task):
    """The most overdue and the tasks that reach nobody are read as the columns the page lists (one
    statement each, no Task objects): the same tasks, in the same order, as the Task objects read by
    the spreadsheet's and the general queries, for every task and for a subtree, today and a past day."""
    from workflows import reach

    for offset in range(6):
        create_task(due_on=days(-3 - offset), title=f"Chậm {offset}")
        create_task(lead_org=world.district, due_on=days(-10 - offset), title=f"Không ai nhận {offset}")
        create_task(lead_org=world.district, due_on=None, title=f"Không hạn {offset}")
    db.session.commit()
    for scope in (world.province, world.district):
        selection = numbers.Selection.of(scope, None, TODAY)
        for day in (TODAY, days(-5)):
            whole = numbers.most_overdue(selection, day)
            lines = numbers.most_overdue_lines(selection, day)
            assert [(_shown(task), late) for task, late in whole] == [
                ((line.id, line.title, line.due_on, line.lead_name), late) for line, late in lines
            ]
        conditions = selection.conditions(TODAY)
        kept = (selection.counted_scope(), selection.period())
        for limit in (5, 10, 20):
            count, tasks = reach.unreached_tasks(conditions, TODAY, limit, kept=kept)
            assert reach.unreached_tasks(conditions, TODAY, limit, kept=kept, lines=True) == (
                count,
                [(*_shown(task), count) for task in tasks],
            )
            assert count == 12 and len(tasks) == min(limit, 12)
    nobody = numbers.Selection.of(world.other_district, None, TODAY)
    assert reach.unreached_tasks(
        nobody.conditions(TODAY), TODAY, kept=(world.other_district, nobody.period()), lines=True
    ) == (0, [])
