"""The office's first page: open tasks apart from finished ones, tasks of the same title told apart,
and a task reported done no longer shown half done."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest

from models import db
from tests.conftest import PASSWORD
from workflows import tasks as task_flow
from workflows.clock import local_today


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</ul>", start)]


def test_open_and_finished_tasks_are_listed_apart(login_as, create_task, world):
    open_task = create_task(due_on=local_today() + timedelta(days=5), title="Rà soát hồ sơ đảng viên")
    done = create_task(title="Tổ chức hội nghị quán triệt")
    task_flow.report_task_done(done, world.office, note="Đã xong.")
    task_flow.verify_task(done, world.inspector)
    db.session.commit()
    page = login_as(world.office).get("/").get_data(as_text=True)
    open_list, finished = _section(page, "open-tasks"), _section(page, "finished-tasks")
    assert f'id="home-task-{open_task.id}"' in open_list and f'id="home-task-{done.id}"' not in open_list
    assert f'id="home-task-{done.id}"' in finished and f'id="home-task-{open_task.id}"' not in finished
    assert "Hoàn thành ngày" in finished


def test_tasks_of_the_same_title_say_which_visit_and_request_they_belong_to(login_as, create_task, world):
    first = create_task(title="Báo cáo kết quả thực hiện")
    second = create_task(title="Báo cáo kết quả thực hiện", due_on=local_today() + timedelta(days=9))
    db.session.commit()
    page = login_as(world.office).get("/").get_data(as_text=True)
    rows = []
    for task in (first, second):
        start = page.index(f'id="home-task-{task.id}"')
        rows.append(page[start : page.index("</li>", start)])
    visit = first.directive.visit
    for row in rows:
        assert "Báo cáo kết quả thực hiện" in row
        assert visit.title in row and visit.visited_on.strftime("%d/%m/%Y") in row
        assert world.district_office.name in row
    # Their requests' numbers differ ("Một là", "Hai là"): the two rows never read the same.
    assert rows[0].replace(f"home-task-{first.id}", "") != rows[1].replace(f"home-task-{second.id}", "")
    assert "kt-task-context fw-semibold" in rows[0]  # a repeated title puts its context forward


def test_a_task_reported_done_shows_full_progress_and_a_returned_one_its_last_progress(
    login_as, create_task, world
):
    task = create_task(due_on=local_today() + timedelta(days=5))
    task_flow.record_progress(task, world.office, note="Đã làm một nửa.", progress=50)
    task_flow.report_task_done(task, world.office, note="Đã xong.")
    db.session.commit()
    client = login_as(world.office)
    for path in ("/", f"/tasks/{task.id}", "/tasks"):
        page = client.get(path).get_data(as_text=True)
        assert 'aria-valuenow="100"' in page, path
        assert 'aria-valuenow="50"' not in page, path
    task_flow.return_task(task, world.inspector, note="Thiếu biên bản.")
    db.session.commit()
    assert 'aria-valuenow="50"' in client.get("/").get_data(as_text=True)


def test_the_percentage_stands_beside_its_bar_not_inside_it(login_as, create_task, world):
    task = create_task(due_on=local_today() + timedelta(days=5))
    task_flow.record_progress(task, world.office, note="Bắt đầu.", progress=30)
    db.session.commit()
    client = login_as(world.office)
    for path in ("/", "/tasks", f"/tasks/{task.id}"):
        page = client.get(path).get_data(as_text=True)
        bar = page.index('style="width: 30%"')
        assert page[bar : page.index("</div>", bar)] == 'style="width: 30%">', path  # an empty bar
        assert '<span class="small text-nowrap kt-progress-value">30%</span>' in page, path


@pytest.mark.slow
def test_the_office_home_fits_a_phone_and_a_laptop(live_server, browser, create_task, world):
    for number in range(3):
        create_task(title="Báo cáo kết quả thực hiện", due_on=local_today() + timedelta(days=number * 7))
    reported = create_task(title="Tổ chức hội nghị quán triệt Quy định 85-QĐ/TW")
    task_flow.record_progress(reported, world.office, note="Một nửa.", progress=30)
    done = create_task(title="Tổ chức hội nghị quán triệt Quy định 85-QĐ/TW")
    task_flow.report_task_done(done, world.office, note="Đã xong.")
    task_flow.verify_task(done, world.inspector)
    db.session.commit()
    db.session.close()
    for width, height in ((390, 844), (1280, 800)):
        context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
        tab = context.new_page()
        tab.goto(f"{live_server}/login")
        tab.fill("input[name=username]", "office")
        tab.fill("input[name=password]", PASSWORD)
        tab.click("form.card button[type=submit]")
        tab.wait_for_url(f"{live_server}/")
        assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        for label in tab.locator(".kt-progress-value").all():  # the number is beside its bar, fully shown
            assert label.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
        tab.screenshot(path=str(Path(tempfile.gettempdir()) / f"home-office-{width}.png"), full_page=True)
        context.close()
