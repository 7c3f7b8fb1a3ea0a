"""Unusual input gets a page or a message in Vietnamese, never a stack trace."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from app.config import from_environment
from models import Notification, db
from models.enums import NotificationKind
from tests.conftest import at
from workflows import tasks as task_flow
from workflows.clock import parse_date
from workflows.errors import ValidationFailed


def test_an_unknown_page_answers_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_a_forbidden_page_answers_a_vietnamese_403(login_as, world, app):
    # Find a route the policy table keeps from offices but allows someone.
    from app.policy import TABLE
    from models.enums import Role

    endpoint = next(
        e for e, rule in TABLE.items() if not rule.public and Role.OFFICE not in rule.roles and rule.roles
    )
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and not r.arguments)
    response = login_as(world.office).get(rule.rule)
    assert response.status_code == 403
    assert "Không có quyền" in response.get_data(as_text=True)


def test_ids_beyond_64_bits_are_not_found_rather_than_an_error(login_as, world, app):
    client = login_as(world.admin)
    checked = 0
    for rule in app.url_map.iter_rules():
        converters = rule._converters
        if "GET" not in rule.methods or not converters:
            continue
        if not all(isinstance(c, IntegerConverter) for c in converters.values()):
            continue
        url = rule.rule
        for name in converters:
            url = url.replace(f"<int:{name}>", "99999999999999999999")
        assert client.get(url).status_code in (403, 404), url
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("typed", ["31/12/9999", "01/01/0001", "14/06/1800"])
def test_a_year_outside_the_calendar_we_keep_is_refused(typed):
    with pytest.raises(ValidationFailed, match="ngoài khoảng"):
        parse_date(typed)


def test_a_second_return_on_the_same_day_reaches_the_office_again(create_task, world):
    task = create_task()
    day = date(2023, 9, 1)
    task_flow.report_task_done(task, world.office, note="Xong.", now=at(day, 8))
    task_flow.return_task(task, world.inspector, note="Thiếu biên bản.", now=at(day, 9))
    db.session.commit()
    first = db.session.scalar(select(Notification).where(Notification.kind == NotificationKind.RETURNED))
    first.read_at = at(day, 10)
    db.session.commit()
    task_flow.report_task_done(task, world.office, note="Đã bổ sung.", now=at(day, 11))
    task_flow.return_task(task, world.inspector, note="Vẫn thiếu chữ ký.", now=at(day, 14))
    db.session.commit()
    returned = select(Notification).where(Notification.kind == NotificationKind.RETURNED)
    notes = db.session.scalars(returned).all()
    assert len(notes) == 1
    assert notes[0].read_at is None
    assert notes[0].emailed_at is None


@pytest.mark.parametrize(("raw", "expected"), [("0", False), ("false", False), ("1", True), ("yes", True)])
def test_boolean_settings_from_the_environment_are_booleans(raw, expected):
    assert from_environment({"KIEMTRA_TESTING": raw})["TESTING"] is expected


def test_a_message_without_parameters_shows_a_single_percent_sign():
    assert ValidationFailed("Tỷ lệ hoàn thành phải từ 0 đến 100%%.").message.endswith("100%.")


def test_behind_a_proxy_the_client_address_comes_from_the_forwarded_header(database_url, tmp_path):
    from flask import request

    from app import create_app
    from app.policy import PUBLIC, register

    settings = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x", "PROXY_COUNT": 1}
    proxied = create_app({**settings, "INSTANCE_PATH": str(tmp_path)})
    seen: list[str | None] = []

    def probe() -> str:
        seen.append(request.remote_addr)
        return ""

    proxied.add_url_rule("/dia-chi-thu", "address_probe", probe)
    register({"address_probe": PUBLIC})
    proxied.test_client().get("/dia-chi-thu", headers={"X-Forwarded-For": "203.0.113.7"})
    with proxied.app_context():
        db.engine.dispose()
    assert seen == ["203.0.113.7"]
