"""Fixtures of the API: a personal token per user, and a client that sends it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.api.access import limiter
from models import User, db
from workflows import api_tokens


class Api:
    """A test client that calls the API with one user's token."""

    def __init__(self, client: FlaskClient, secret: str | None, language: str = "vi") -> None:
        self.client = client
        self.secret = secret
        self.language = language

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept-Language": self.language}
        if self.secret is not None:
            headers["Authorization"] = f"Bearer {self.secret}"
        headers.update(extra or {})
        return headers

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(f"/api/v1{path}", headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def post(
        self, path: str, body: Any = None, *, version: int | str | None = None, **kwargs: Any
    ) -> TestResponse:
        extra = dict(kwargs.pop("headers", None) or {})
        if version is not None:
            extra["If-Match"] = f'"{version}"'
        if "data" not in kwargs:
            kwargs["json"] = body
        return self.client.post(f"/api/v1{path}", headers=self.headers(extra), **kwargs)


@pytest.fixture(autouse=True)
def _each_request_on_its_own(app: Flask) -> Iterator[None]:
    """Requests of a test share the test's app context (``g`` and the session): start and end each one
    as a server would, without the user, the write flag or the open transaction of another."""
    from flask import g, request_finished, request_started

    def fresh(_sender: Any, **_extra: Any) -> None:
        g.pop("_login_user", None)
        g.pop("kiemtra_writing", None)  # app.database's flag: this request has taken the write lock
        db.session.commit()

    def done(_sender: Any, **_extra: Any) -> None:
        db.session.rollback()  # as the request's teardown would: its transaction ends with it

    request_started.connect(fresh, app)
    request_finished.connect(done, app)
    yield
    request_started.disconnect(fresh, app)
    request_finished.disconnect(done, app)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    limiter.clear()
    yield
    limiter.clear()


@pytest.fixture
def token_of() -> Callable[[User], str]:
    """Make a token for a user (committed) and return its secret."""

    def make(user: User, name: str = "Cổng dữ liệu tỉnh") -> str:
        secret = api_tokens.create_token(user, name=name).secret
        db.session.commit()
        return secret

    return make


@pytest.fixture
def api_as(app: Flask, token_of: Callable[[User], str]) -> Callable[..., Api]:
    """An API client acting as ``user`` (a new test client each, so no cookie is shared)."""

    def make(user: User | None, language: str = "vi") -> Api:
        return Api(app.test_client(), token_of(user) if user is not None else None, language)

    return make


@pytest.fixture
def mixed_tasks(world: Any, create_task: Callable[..., Any]) -> dict[str, Any]:
    """Tasks in every category, with a real history: done on time, done late, overdue, within their
    deadline, without one, reported and waiting, and one of another district (committed)."""
    from datetime import date

    from tests.conftest import at
    from workflows import tasks as task_flow

    office, inspector = world.office, world.inspector
    on_time = create_task(due_on=date(2023, 12, 31))
    task_flow.report_task_done(on_time, office, note="Xong", now=at(date(2023, 12, 20)))
    task_flow.verify_task(on_time, inspector, now=at(date(2023, 12, 22)))
    late = create_task(due_on=date(2023, 7, 1))
    task_flow.report_task_done(late, office, note="Xong muộn", now=at(date(2023, 8, 1)))
    task_flow.verify_task(late, inspector, now=at(date(2023, 8, 2)))
    overdue = create_task(due_on=date(2023, 12, 31))
    task_flow.record_progress(overdue, office, note="Đang làm", progress=30, now=at(date(2023, 7, 1)))
    within = create_task(due_on=date(2099, 12, 31))
    no_deadline = create_task(due_on=None)
    waiting = create_task(due_on=date(2023, 11, 30))
    task_flow.report_task_done(waiting, office, note="Chờ xác nhận", now=at(date(2023, 11, 1)))
    elsewhere = create_task(due_on=date(2023, 10, 31), lead_org=world.other_office)
    db.session.commit()
    return {
        "on_time": on_time,
        "late": late,
        "overdue": overdue,
        "within": within,
        "no_deadline": no_deadline,
        "waiting": waiting,
        "elsewhere": elsewhere,
    }
