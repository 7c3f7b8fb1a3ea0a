"""PostgreSQL's pooled connections are checked only when in doubt (``app.database.ping_when_in_doubt``):
a request after a backend was terminated (a server restart, an operator's pg_terminate_backend) is
served on a fresh connection, and a connection used a moment ago is not pinged."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import database
from models import db

pytestmark = pytest.mark.may_skip  # PostgreSQL's pool; SQLite has none to check


@pytest.fixture
def pg_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's connection pool")
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _backend_pid(app) -> int:
    with app.app_context():
        try:
            return db.session.scalar(text("SELECT pg_backend_pid()"))
        finally:
            db.session.remove()


def _activity(pg_url: str, pid: int) -> str | None:
    with psycopg.connect(pg_url, autocommit=True) as admin:
        row = admin.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
        return row[0] if row else None


def _terminate_every_backend(pg_url: str) -> None:
    """Terminate every other connection to the test database and wait until they are gone."""
    with psycopg.connect(pg_url, autocommit=True) as admin:
        condition = (
            "datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        admin.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {condition}")  # noqa: S608
        for _ in range(100):
            left = admin.execute(f"SELECT count(*) FROM pg_stat_activity WHERE {condition}").fetchone()  # noqa: S608
            if left is None or not left[0]:
                break
            time.sleep(0.05)
    time.sleep(0.1)  # the server's goodbye reaches the pooled sockets


def test_the_next_request_after_every_backend_was_terminated_is_served(app, pg_url):
    client = app.test_client()
    assert client.get("/healthz").get_json()["database"] == "ok"
    before = _backend_pid(app)
    _terminate_every_backend(pg_url)
    answer = client.get("/healthz")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["database"] == "ok"
    after = _backend_pid(app)
    assert after != before
    # And the session's own path: a query straight after another termination.
    _terminate_every_backend(pg_url)
    assert _backend_pid(app) not in (before, after)


def _one_connection_engine(url: str, idle_after_s: float):
    """An engine of kiemtra's options with a pool of one connection, checked when in doubt."""
    options = database.engine_options(url, 1000)
    engine = create_engine(url, **options, pool_size=1, max_overflow=0)
    database.ping_when_in_doubt(engine, idle_after_s)
    return engine


@pytest.mark.parametrize(("idle_after_s", "pinged"), [(30.0, False), (0.0, True)])
def test_a_connection_is_pinged_only_after_being_idle_longer_than_the_limit(
    database_url, pg_url, idle_after_s, pinged
):
    engine = _one_connection_engine(database.database_url_of(database_url), idle_after_s)
    try:
        with engine.connect() as connection:
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        assert _activity(pg_url, pid) == "ROLLBACK"  # the pool's reset as it took the connection back
        with engine.connect() as connection:
            # pg_stat_activity shows a backend's latest statement: the ping's, or still the reset's.
            assert _activity(pg_url, pid) == (";" if pinged else "ROLLBACK")
            assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() == pid
    finally:
        engine.dispose()


def test_a_connection_with_a_dead_backend_is_replaced_without_waiting_for_the_limit(database_url, pg_url):
    engine = _one_connection_engine(database.database_url_of(database_url), 3600.0)
    try:
        with engine.connect() as connection:
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        _terminate_every_backend(pg_url)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
    finally:
        engine.dispose()
