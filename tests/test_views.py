"""Sign-in and the first page of each role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from app import create_app
from models import db
from tests.conftest import PASSWORD
from workflows import tasks as task_flow
from workflows.clock import local_today


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_sign_in_page_is_in_vietnamese(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in page
    assert "Tên đăng nhập" in page


def test_a_wrong_password_is_refused_with_a_message(client, world):
    response = client.post("/login", data={"username": "office", "password": "sai"})
    assert response.status_code == 200
    assert "không đúng" in response.get_data(as_text=True)


def test_sign_in_does_not_follow_a_foreign_next_address(client, world):
    response = client.post(
        "/login?next=https://example.com/", data={"username": "office", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_the_office_sees_its_tasks_with_their_timeliness(login_as, create_task, world):
    task = create_task(due_on=local_today() + timedelta(days=2))
    task_flow.record_progress(task, world.office, note="Đang làm.", progress=20)
    other = create_task(due_on=local_today() + timedelta(days=30), lead_org=world.other_office)
    from models import db

    db.session.commit()
    page = login_as(world.office).get("/").get_data(as_text=True)
    assert task.title in page
    assert "Sắp đến hạn" in page
    assert "20%" in page
    assert other.lead_org.name not in page


def test_the_leader_sees_the_counts_and_the_visits(login_as, create_visit, world):
    create_visit()
    from models import db

    db.session.commit()
    page = login_as(world.leader).get("/").get_data(as_text=True)
    assert "Tỷ lệ hoàn thành" in page
    assert "Kiểm tra công tác tuyên giáo 6 tháng đầu năm 2023" in page


@pytest.mark.parametrize("role", ["admin", "inspector"])
def test_the_admin_and_inspector_pages_open(login_as, world, role):
    response = login_as(getattr(world, role)).get("/")
    assert response.status_code == 200


def test_sign_out_ends_the_session(login_as, world):
    client = login_as(world.office)
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_a_post_without_csrf_token_is_refused(database_url, tmp_path):
    strict: Flask = create_app(
        {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)}
    )
    response = strict.test_client().post("/login", data={"username": "office", "password": PASSWORD})
    with strict.app_context():
        db.engine.dispose()  # close its connections now rather than leave them to the garbage collector
    assert response.status_code == 400


def test_the_inspector_starts_from_new_visit_and_the_verification_queue(login_as, create_task, world):
    task = create_task()
    task_flow.report_task_done(task, world.office, note="Đã xong.")
    from models import db

    db.session.commit()
    page = login_as(world.inspector).get("/").get_data(as_text=True)
    assert 'href="/visits/new"' in page
    assert 'href="/verification">Chờ xác nhận <span class="badge text-bg-warning">1</span>' in page


def test_the_visits_on_the_first_page_open_their_dossier(login_as, create_visit, world):
    visit = create_visit()
    from models import db

    db.session.commit()
    page = login_as(world.leader).get("/").get_data(as_text=True)
    assert f'href="/visits/{visit.id}"' in page


def test_the_admin_starts_from_the_administration_pages(login_as, world):
    page = login_as(world.admin).get("/").get_data(as_text=True)
    for url in ("/admin/organizations", "/admin/users", "/registry"):
        assert f'href="{url}"' in page
