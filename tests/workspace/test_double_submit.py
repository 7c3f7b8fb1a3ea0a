"""A form sent twice (a double click, a resent POST) acts once; the second answer says so."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from models import Notification, Task, Visit, db

ALREADY = "Yêu cầu này đã được gửi; không thực hiện lại."


def _token(page: str) -> str:
    return re.search(r'name="once" value="([^"]+)"', page).group(1)


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_a_task_form_sent_twice_gives_one_task_and_one_notification(login_as, world, full_visit):
    visit = full_visit(directives=1)
    directive = visit.directives[0]
    client = login_as(world.inspector)
    url = f"/visits/{visit.id}/directives/{directive.id}/tasks/new"
    data = {
        "once": _token(client.get(url).get_data(as_text=True)),
        "title": "Rà soát quy chế làm việc",
        "lead_org_id": str(world.district_office.id),
        "due_on": "31/12/2023",
    }
    tasks, notifications = _count(Task), _count(Notification)
    assert client.post(url, data=data).status_code == 302
    after_first = _count(Notification)
    assert after_first > notifications
    second = client.post(url, data=data, follow_redirects=True)
    assert ALREADY in second.get_data(as_text=True)
    assert _count(Task) == tasks + 1
    assert _count(Notification) == after_first
    assert db.session.scalar(select(func.count(Task.id)).where(Task.title == "Rà soát quy chế làm việc")) == 1


def test_a_rejected_task_form_hands_out_a_new_token_for_the_fixed_form(login_as, world, full_visit):
    visit = full_visit(directives=1)
    directive = visit.directives[0]
    client = login_as(world.inspector)
    url = f"/visits/{visit.id}/directives/{directive.id}/tasks/new"
    data = {
        "once": _token(client.get(url).get_data(as_text=True)),
        "title": "Lập kế hoạch",
        "due_on": "31/12/2023",
    }
    page = client.post(url, data=data).get_data(as_text=True)
    assert "Chưa chọn đơn vị chủ trì." in page
    data.update(once=_token(page), lead_org_id=str(world.district_office.id))
    assert client.post(url, data=data).status_code == 302
    assert db.session.scalar(select(func.count(Task.id)).where(Task.title == "Lập kế hoạch")) == 1


def test_a_token_never_handed_out_does_nothing(login_as, world, full_visit):
    visit = full_visit(directives=1)
    directive = visit.directives[0]
    client = login_as(world.inspector)
    url = f"/visits/{visit.id}/directives/{directive.id}/tasks/new"
    data = {"once": "forged", "title": "Việc lạ", "lead_org_id": str(world.district_office.id)}
    assert ALREADY in client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert db.session.scalar(select(func.count(Task.id)).where(Task.title == "Việc lạ")) == 0


def test_the_new_visit_form_sent_twice_records_one_visit(login_as, world):
    from tests.workspace.forms import visit_form

    client = login_as(world.inspector)
    token = _token(client.get("/visits/new").get_data(as_text=True))
    data = {**visit_form(world), "once": token}
    visits = _count(Visit)
    assert client.post("/visits/new", data=data).status_code == 302
    again = client.post("/visits/new", data=data, follow_redirects=True)
    assert ALREADY in again.get_data(as_text=True)
    assert _count(Visit) == visits + 1
