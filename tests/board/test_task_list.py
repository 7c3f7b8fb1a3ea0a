"""The task list: a unit's tasks, most urgent first, with counts, filters and pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from models import db
from tests.conftest import at
from workflows import tasks as task_flow
from workflows.clock import local_today


def titles(page: str) -> list[str]:
    return re.findall(r'<a class="fw-semibold" href="/tasks/\d+">([^<]+)</a>', page)


def count_of(page: str, key: str) -> int:
    match = re.search(rf'id="count-{key}"[^>]*>.*?fs-4[^>]*>(\d+)<', page, re.S)
    assert match, key
    return int(match.group(1))


def total_of(page: str) -> int:
    match = re.search(r'id="task-total">(\d+)<', page)
    assert match
    return int(match.group(1))


@pytest.fixture
def mixed_tasks(create_task, world):
    """One task in each timeliness category, led by the district office, as of today."""
    today = local_today()
    soon = create_task(due_on=today + timedelta(days=2), title="Nhiệm vụ sắp đến hạn")
    later = create_task(due_on=today + timedelta(days=40), title="Nhiệm vụ còn trong hạn")
    late = create_task(due_on=today - timedelta(days=9), title="Nhiệm vụ quá hạn lâu")
    recent = create_task(due_on=today - timedelta(days=1), title="Nhiệm vụ vừa quá hạn")
    none = create_task(due_on=None, title="Nhiệm vụ không thời hạn")
    done = create_task(due_on=today - timedelta(days=3), title="Nhiệm vụ đã xong đúng hạn")
    task_flow.report_task_done(done, world.office, note="Xong.", now=at(today - timedelta(days=5)))
    task_flow.verify_task(done, world.inspector, now=at(today - timedelta(days=4)))
    cancelled = create_task(due_on=today - timedelta(days=30), title="Nhiệm vụ đã hủy")
    task_flow.cancel_task(cancelled, world.inspector, reason="Không còn cần thiết.")
    db.session.commit()
    return {"soon": soon, "later": later, "late": late, "recent": recent, "none": none, "done": done}


def test_the_office_sees_overdue_first_then_due_soon_then_the_rest(login_as, world, mixed_tasks):
    page = login_as(world.office).get("/tasks").get_data(as_text=True)
    assert titles(page) == [
        "Nhiệm vụ quá hạn lâu",
        "Nhiệm vụ vừa quá hạn",
        "Nhiệm vụ sắp đến hạn",
        "Nhiệm vụ còn trong hạn",
        "Nhiệm vụ không thời hạn",
        "Nhiệm vụ đã xong đúng hạn",
    ]
    assert "Nhiệm vụ đã hủy" not in page
    assert "Quá hạn 9 ngày" in page


def test_the_counts_at_the_top_give_each_category(login_as, world, mixed_tasks):
    page = login_as(world.office).get("/tasks").get_data(as_text=True)
    assert [
        count_of(page, k) for k in ("overdue", "due_soon", "within", "on_time", "late", "no_deadline")
    ] == [
        2,
        1,
        1,
        1,
        0,
        1,
    ]
    assert total_of(page) == 6


def test_a_count_links_to_its_tasks(login_as, world, mixed_tasks):
    client = login_as(world.office)
    page = client.get("/tasks").get_data(as_text=True)
    link = re.search(r'id="count-overdue"\s+href="([^"]+)"', page).group(1).replace("&amp;", "&")
    overdue = client.get(link).get_data(as_text=True)
    assert titles(overdue) == ["Nhiệm vụ quá hạn lâu", "Nhiệm vụ vừa quá hạn"]
    assert total_of(overdue) == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("timeliness=due_soon", ["Nhiệm vụ sắp đến hạn"]),
        ("timeliness=open_within", ["Nhiệm vụ sắp đến hạn", "Nhiệm vụ còn trong hạn"]),
        ("timeliness=no_deadline", ["Nhiệm vụ không thời hạn"]),
        ("timeliness=on_time", ["Nhiệm vụ đã xong đúng hạn"]),
        ("status=done", ["Nhiệm vụ đã xong đúng hạn"]),
        ("status=cancelled", ["Nhiệm vụ đã hủy"]),
        ("status=open&timeliness=overdue", ["Nhiệm vụ quá hạn lâu", "Nhiệm vụ vừa quá hạn"]),
    ],
)
def test_the_list_filters_by_status_and_timeliness(login_as, world, mixed_tasks, query, expected):
    page = login_as(world.office).get(f"/tasks?{query}").get_data(as_text=True)
    assert titles(page) == expected
    assert total_of(page) == len(expected)


def test_the_list_filters_by_visit(login_as, world, create_task, create_visit):
    create_task(title="Nhiệm vụ của đợt thứ nhất")
    second = create_visit(title="Đợt kiểm tra thứ hai")
    from workflows import visits as visit_flow

    directive = visit_flow.issue_directive(second, world.inspector, body="Rà soát quy chế làm việc.")
    task_flow.assign_task(
        directive, world.inspector, lead_org=world.district_office, due_on=None, title="Nhiệm vụ của đợt hai"
    )
    db.session.commit()
    client = login_as(world.office)
    page = client.get("/tasks").get_data(as_text=True)
    assert "Đợt kiểm tra thứ hai" in page  # offered in the visit filter
    assert titles(client.get(f"/tasks?visit={second.id}").get_data(as_text=True)) == ["Nhiệm vụ của đợt hai"]


def test_the_visit_filter_offers_the_newest_visit_first_and_keeps_the_chosen_one_selected(
    login_as, world, create_task, create_visit
):
    from tests.conftest import VISIT_DAY
    from workflows import visits as visit_flow

    create_task(title="Nhiệm vụ của đợt thứ nhất")
    older = create_visit(title="Đợt kiểm tra năm trước", visited_on=VISIT_DAY - timedelta(days=365))
    newer = create_visit(title="Đợt kiểm tra <mới> & sau", visited_on=VISIT_DAY + timedelta(days=30))
    for visit in (older, newer):
        directive = visit_flow.issue_directive(visit, world.inspector, body="Rà soát quy chế làm việc.")
        task_flow.assign_task(
            directive, world.inspector, lead_org=world.district_office, due_on=None, title=visit.title
        )
    db.session.commit()
    client = login_as(world.office)

    def options(page: str) -> list[tuple[str, bool, str]]:
        found = re.findall(r'<option value="(\d+)"( selected)?>([^<]*)</option>', page)
        return [(number, bool(selected), words) for number, selected, words in found]

    offered = options(client.get("/tasks").get_data(as_text=True))
    assert [words.split(" · ", 1)[1] for _, _, words in offered] == [
        "Đợt kiểm tra &lt;mới&gt; &amp; sau",
        "Kiểm tra công tác tuyên giáo 6 tháng đầu năm 2023",
        "Đợt kiểm tra năm trước",
    ]
    assert not any(selected for _, selected, _ in offered)
    chosen = options(client.get(f"/tasks?visit={older.id}").get_data(as_text=True))
    assert [number for number, selected, _ in chosen if selected] == [str(older.id)]
    assert offered[0][2].startswith(f"{(VISIT_DAY + timedelta(days=30)).strftime('%d/%m/%Y')} · ")


def test_a_coordinating_unit_sees_the_task_it_helps_with(login_as, world, create_task):
    create_task(title="Nhiệm vụ có phối hợp", coordinating=[world.district_culture])
    create_task(title="Nhiệm vụ không liên quan")
    db.session.commit()
    page = login_as(world.coordinator).get("/tasks").get_data(as_text=True)
    assert titles(page) == ["Nhiệm vụ có phối hợp"]
    assert "Phối hợp:" in page


def test_an_office_never_sees_another_districts_tasks(login_as, world, create_task):
    create_task(title="Nhiệm vụ của Bù Đốp")
    create_task(title="Nhiệm vụ của Lộc Ninh", lead_org=world.other_office)
    db.session.commit()
    page = login_as(world.other_office_user).get("/tasks").get_data(as_text=True)
    assert titles(page) == ["Nhiệm vụ của Lộc Ninh"]


def test_the_leader_sees_the_whole_subtree(login_as, world, create_task):
    create_task(title="Nhiệm vụ của Bù Đốp")
    create_task(title="Nhiệm vụ của Lộc Ninh", lead_org=world.other_office)
    db.session.commit()
    page = login_as(world.leader).get("/tasks").get_data(as_text=True)
    assert sorted(titles(page)) == ["Nhiệm vụ của Bù Đốp", "Nhiệm vụ của Lộc Ninh"]


def test_a_scope_outside_the_users_subtree_answers_404(login_as, world):
    client = login_as(world.office)
    assert client.get(f"/tasks?scope={world.other_district.id}").status_code == 404
    assert client.get(f"/tasks?scope={world.district.id}").status_code == 404  # above the office
    assert client.get("/tasks?scope=999999").status_code == 404


def test_nonsense_filters_are_dropped_with_a_message(login_as, world, mixed_tasks):
    response = login_as(world.office).get(
        "/tasks?status=xyz&timeliness=late-ish&visit=abc&open_on=31/02/2026"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Trạng thái «xyz» không có" in page
    assert "late-ish" in page
    assert "không có trên lịch" in page
    assert total_of(page) == 6


def test_the_list_is_paged_by_fifty(login_as, world, create_task):
    for number in range(53):
        create_task(due_on=local_today() + timedelta(days=10 + number), title=f"Nhiệm vụ {number + 1:02d}")
    db.session.commit()
    client = login_as(world.office)
    first = client.get("/tasks").get_data(as_text=True)
    second = client.get("/tasks?page=2").get_data(as_text=True)
    assert len(titles(first)) == 50 and titles(first)[0] == "Nhiệm vụ 01"
    assert titles(second) == ["Nhiệm vụ 51", "Nhiệm vụ 52", "Nhiệm vụ 53"]
    assert "trang 2/2" in second
    assert titles(client.get("/tasks?page=99").get_data(as_text=True)) == titles(second)


def test_an_office_with_no_tasks_is_told_so(login_as, world):
    assert "Đơn vị chưa có nhiệm vụ nào." in login_as(world.office).get("/tasks").get_data(as_text=True)


def test_the_nav_shows_the_link_and_the_overdue_count_to_offices(login_as, world, mixed_tasks):
    page = login_as(world.office).get("/tasks").get_data(as_text=True)
    assert re.search(r'href="/tasks">\s*Nhiệm vụ <span class="badge[^"]*">2</span>', page)
    assert "Bảng điều hành" not in page


@pytest.mark.parametrize("role", ["office", "leader", "inspector"])
def test_the_list_runs_the_same_number_of_queries_for_1_and_50_tasks(
    login_as, world, create_task, query_counter, role
):
    client = login_as(getattr(world, role))
    today = local_today()

    def measure() -> int:
        # The test client shares this test's session: start every request from the same state.
        db.session.commit()
        db.session.expire_all()
        with query_counter() as counted:
            assert client.get("/tasks").status_code == 200
        return counted.count

    create_task(due_on=today, coordinating=[world.district_culture])
    db.session.commit()
    measure()  # a process reads once what chooses its plans (a subtree's share of the organisations)
    one = measure()
    for number in range(49):
        create_task(due_on=today + timedelta(days=number - 20), coordinating=[world.district_culture])
    db.session.commit()
    assert measure() == one
    assert one <= 12  # this page runs five; sign-in and the header links of other features add a few


def test_a_visit_of_another_district_named_in_the_filter_stays_hidden(
    login_as, world, create_task, create_visit
):
    create_task(title="Nhiệm vụ của Bù Đốp")
    hidden = create_visit(title="Đợt kiểm tra bí mật ở Lộc Ninh", inspected_org=world.other_district)
    from workflows import visits as visit_flow

    directive = visit_flow.issue_directive(hidden, world.inspector, body="Việc riêng của Lộc Ninh.")
    task_flow.assign_task(directive, world.inspector, lead_org=world.other_office, due_on=None)
    db.session.commit()
    page = login_as(world.office).get(f"/tasks?visit={hidden.id}").get_data(as_text=True)
    assert "Đợt kiểm tra bí mật ở Lộc Ninh" not in page
    assert titles(page) == []


def test_the_search_box_finds_tasks_by_title_without_tone_marks(login_as, world, mixed_tasks):
    client = login_as(world.office)
    page = client.get("/tasks?q=qua+han").get_data(as_text=True)
    assert titles(page) == ["Nhiệm vụ quá hạn lâu", "Nhiệm vụ vừa quá hạn"]
    assert total_of(page) == 2
    assert 'value="qua han"' in page  # the box keeps the words
    assert titles(client.get("/tasks?q=sap+den").get_data(as_text=True)) == ["Nhiệm vụ sắp đến hạn"]
    assert titles(client.get("/tasks?q=100%25").get_data(as_text=True)) == []  # a wildcard is a letter


@pytest.mark.parametrize("scoped", [False, True])
def test_a_leaders_search_counts_only_the_tasks_it_finds(login_as, world, mixed_tasks, scoped):
    """The total and the category counts above a search are those of the tasks found, for a leader of the
    whole province and for a chosen unit (where the counts would otherwise come from the kept rows)."""
    client = login_as(world.leader)
    scope = f"&scope={world.district.id}" if scoped else ""
    page = client.get(f"/tasks?q=qua+han{scope}").get_data(as_text=True)
    assert titles(page) == ["Nhiệm vụ quá hạn lâu", "Nhiệm vụ vừa quá hạn"]
    assert total_of(page) == 2
    assert (count_of(page, "overdue"), count_of(page, "due_soon"), count_of(page, "within")) == (2, 0, 0)
    everything = client.get(f"/tasks?{scope[1:]}").get_data(as_text=True)
    assert total_of(everything) == 6 and count_of(everything, "due_soon") == 1
