"""Bounds a real visit never reaches, one root per system, and the browser protections on every page."""

from __future__ import annotations

from sqlalchemy import func, select

from models import Organization, Visit, db
from tests.workspace.forms import visit_form
from workflows.visits import MAX_DIRECTIVES


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_a_visit_with_more_directives_than_any_real_one_is_refused_with_a_message(login_as, world):
    data = visit_form(world)
    for n in range(MAX_DIRECTIVES + 1):
        data[f"directives-{n}-body"] = f"Yêu cầu số {n + 1}."
    before = _count(Visit)
    response = login_as(world.inspector).post("/visits/new", data=data)
    assert response.status_code == 200
    assert f"có tối đa {MAX_DIRECTIVES} dòng" in response.get_data(as_text=True)
    assert _count(Visit) == before


def test_the_add_button_stops_at_the_limit_with_a_message(login_as, world):
    data = visit_form(world, action="add:directives")
    for n in range(MAX_DIRECTIVES):
        data[f"directives-{n}-body"] = f"Yêu cầu số {n + 1}."
    page = login_as(world.inspector).post("/visits/new", data=data).get_data(as_text=True)
    assert f"có tối đa {MAX_DIRECTIVES} dòng" in page
    assert f'name="directives-{MAX_DIRECTIVES}-body"' not in page


def test_a_visit_page_with_its_hundredth_directive_reads_it_aloud(login_as, world, full_visit):
    visit = full_visit(directives=1)
    visit.directive_counter = 99
    db.session.commit()
    from workflows import visits as visit_flow

    visit_flow.issue_directive(visit, world.inspector, body="Yêu cầu thứ một trăm.")
    db.session.commit()
    page = login_as(world.inspector).get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Một trăm là" in page


def test_the_root_administrator_cannot_make_a_second_root(login_as, world):
    client = login_as(world.admin)
    before = _count(Organization)
    response = client.post(
        "/admin/organizations/new",
        data={"code": "TU-KHAC", "doc_code": "TU", "name": "Tỉnh ủy khác", "kind": "party_committee"},
    )
    assert response.status_code in (200, 400)
    assert _count(Organization) == before
    assert "— cơ quan gốc —" not in client.get("/admin/organizations/new").get_data(as_text=True)


def test_every_page_has_a_content_security_policy(login_as, world, client):
    for path in ("/login", "/tin-tuc/"):
        assert "frame-ancestors 'none'" in client.get(path).headers["Content-Security-Policy"]
    signed_in = login_as(world.office)
    for path in ("/tasks", "/inbox", "/calendar"):
        policy = signed_in.get(path).headers["Content-Security-Policy"]
        assert "object-src 'none'" in policy and "'unsafe-eval'" not in policy


def test_the_calendar_page_script_runs_under_the_policy(login_as, world):
    response = login_as(world.office).get("/calendar")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.get_data(as_text=True)


def test_hsts_is_sent_under_https_only(app, client, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
