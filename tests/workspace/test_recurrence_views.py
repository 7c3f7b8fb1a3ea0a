"""An inspector sets a directive's recurring report duty on the dossier, sees each period's task named
by its period, and stops the duty; bad input is answered in Vietnamese and saves nothing."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from models import Recurrence, Task, db
from workflows import recurrence as duty_flow
from workflows import visits as visit_flow


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def directive(world, create_visit):
    visit = create_visit()
    found = visit_flow.issue_directive(
        visit,
        world.inspector,
        title="Báo cáo dư luận xã hội",
        body="Gửi báo cáo tình hình dư luận xã hội trước ngày 25 hằng tháng.",
    )
    db.session.commit()
    return found


def _form(world, **overrides):
    data = {
        "period": "monthly",
        "due_day": "25",
        "first_period": "03/2024",
        "last_period": "",
        "lead_org_id": str(world.district_office.id),
        "coordinating_ids": [str(world.district_culture.id)],
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_period": "06/2024", "last_period": "05/2024"}, "Kỳ đầu tiên (01/06/2024) sau kỳ cuối cùng"),
        ({"period": "weekly"}, "Kỳ báo cáo «weekly» không hợp lệ"),
        ({"due_day": "32"}, "Ngày hạn báo cáo phải từ 1 đến 31 (nhận được 32)."),
        ({"due_day": "hai lăm"}, "Ngày hạn báo cáo phải là một số nguyên từ 1 đến 31."),
        ({"first_period": "13/2024"}, "Tháng phải từ 1 đến 12."),
        ({"first_period": "2024-03"}, "Kỳ phải viết theo dạng tháng/năm, ví dụ 05/2024."),
    ],
)
def test_bad_input_is_answered_in_vietnamese_and_saves_nothing(
    login_as, world, directive, overrides, message
):
    url = f"/visits/{directive.visit_id}/directives/{directive.id}/recurrence"
    client = login_as(world.inspector)
    response = client.post(url, data=_form(world, **overrides))
    assert response.status_code == 200
    assert message in _page(response)
    assert db.session.scalar(select(func.count(Recurrence.id))) == 0


def test_an_inspector_sets_sees_and_stops_a_monthly_duty(login_as, world, directive):
    visit_url = f"/visits/{directive.visit_id}"
    client = login_as(world.inspector)
    form_url = f"{visit_url}/directives/{directive.id}/recurrence"
    assert "Đặt báo cáo định kỳ" in _page(client.get(visit_url))
    assert client.get(form_url).status_code == 200
    saved = client.post(form_url, data=_form(world, last_period="12/2024"))
    assert saved.status_code == 302

    duty_flow.create_due_tasks(db.session, date(2024, 5, 3))
    db.session.commit()
    dossier = _page(client.get(visit_url))
    assert "Báo cáo định kỳ" in dossier
    assert "Hằng tháng, hạn ngày 25 của tháng cuối kỳ" in dossier
    assert "từ kỳ 03/2024" in dossier and "đến kỳ 12/2024" in dossier
    assert "Nhiệm vụ định kỳ – kỳ 05/2024" in dossier
    may = db.session.scalars(select(Task).where(Task.period_start == date(2024, 5, 1))).one()
    assert may.due_on == date(2024, 5, 25)
    task_page = _page(login_as(world.office).get(f"/tasks/{may.id}"))
    assert "Nhiệm vụ định kỳ – kỳ 05/2024" in task_page

    client = login_as(world.inspector)
    duty = db.session.scalars(select(Recurrence)).one()
    stopped = client.post(f"{visit_url}/recurrences/{duty.id}/stop")
    assert stopped.status_code == 302
    dossier = _page(client.get(visit_url))
    assert "Dừng báo cáo định kỳ" not in dossier
    assert "Nhiệm vụ định kỳ – kỳ 05/2024" in dossier  # history stays
    assert db.session.scalar(select(func.count(Task.id))) == 3


def test_the_period_reads_in_english_for_an_english_reader(login_as, world, directive):
    duty_flow.set_recurrence(
        directive,
        world.inspector,
        period="quarterly",
        due_day=31,
        first_period=date(2024, 4, 1),
        last_period=None,
        lead_org=world.district_office,
    )
    duty_flow.create_due_tasks(db.session, date(2024, 4, 2))
    world.inspector.locale = "en"
    db.session.commit()
    dossier = _page(login_as(world.inspector).get(f"/visits/{directive.visit_id}"))
    assert "Recurring task – period quarter II/2024" in dossier
    assert "Quarterly, due on day 31 of the period's last month" in dossier
