"""``/healthz`` for the reverse proxy, and the one-line-per-request log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.backup.service import head_revision
from models import db
from tests.conftest import PASSWORD, World


def test_healthz_answers_ok_without_sign_in_when_the_database_is_at_head(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "database": "ok",
        "schema_revision": head_revision(),
        "head_revision": head_revision(),
    }
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_answers_503_on_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    unmigrated = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite'}", "SECRET_KEY": "x"}
    )
    response = unmigrated.test_client().get("/healthz")
    with unmigrated.app_context():
        db.engine.dispose()
    assert response.status_code == 503
    assert response.json is not None
    assert response.json["status"] == "unavailable" and response.json["database"] == "not migrated"


def test_healthz_answers_503_when_the_database_is_unreachable() -> None:
    unreachable = create_app(
        {"TESTING": True, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "SECRET_KEY": "x"}
    )
    response = unreachable.test_client().get("/healthz")
    with unreachable.app_context():
        db.engine.dispose()
    assert response.status_code == 503
    assert response.json is not None and response.json["database"] == "unreachable"


def test_each_request_is_logged_once_with_the_user_and_the_duration(
    app: Flask, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    logged = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SECRET_KEY": "x",
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_PATH": app.instance_path,
            "REQUEST_LOG": True,
        }
    )
    client = logged.test_client()
    office_id, username = world.office.id, world.office.username
    db.session.rollback()  # SQLite: leave the write lock to the other app's sign-in
    with caplog.at_level(logging.INFO, logger="kiemtra.requests"):
        client.post("/login", data={"username": username, "password": PASSWORD})
        client.get("/tasks?q=x")
    with logged.app_context():
        db.engine.dispose()
    lines = [r.getMessage() for r in caplog.records if r.name == "kiemtra.requests"]
    assert len(lines) == 2
    assert '"POST /login" 302' in lines[0]
    assert '"GET /tasks" 200' in lines[1] and lines[1].endswith(f"user={office_id}")
    assert "ms user=" in lines[1]


def test_requests_are_not_logged_under_tests_unless_asked(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="kiemtra.requests"):
        client.get("/healthz")
    assert not [r for r in caplog.records if r.name == "kiemtra.requests"]
