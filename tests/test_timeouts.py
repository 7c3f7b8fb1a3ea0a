"""Every wait on the database is bounded and configurable: a PostgreSQL server that accepts connections
and never answers, a statement that runs too long, SQLite's wait for the write lock."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import create_app
from models import db


def _app(tmp_path, database_url, **config):
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            **config,
        }
    )


@pytest.mark.slow  # another process or a deliberate wait
def test_a_database_that_accepts_and_never_answers_is_given_up_on_within_the_connect_timeout(tmp_path):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    app = _app(tmp_path, f"postgresql://kiemtra@127.0.0.1:{port}/kiemtra", DB_CONNECT_TIMEOUT_S=1)
    outcome: list[BaseException | None] = []

    def query() -> None:
        with app.app_context():
            try:
                db.session.execute(text("SELECT 1"))
                outcome.append(None)
            except OperationalError as error:
                outcome.append(error)
            finally:
                db.session.remove()

    began = time.monotonic()
    worker = threading.Thread(target=query, daemon=True)
    worker.start()
    worker.join(10)
    silent.close()
    assert not worker.is_alive(), "still waiting for a server that never answers"
    assert isinstance(outcome[0], OperationalError)
    assert time.monotonic() - began < 8


# PostgreSQL's statement_timeout: on SQLite (the other leg of CI) these do not apply and skip.
@pytest.mark.may_skip
def test_a_statement_running_past_the_statement_timeout_is_cancelled(tmp_path, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's statement_timeout")
    app = _app(tmp_path, database_url, DB_STATEMENT_TIMEOUT_MS=300)
    with app.app_context():
        try:
            assert db.session.scalar(text("SHOW statement_timeout")) == "300ms"
            began = time.monotonic()
            with pytest.raises(OperationalError, match="statement timeout"):
                db.session.execute(text("SELECT pg_sleep(5)"))
            assert time.monotonic() - began < 3
        finally:
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()


@pytest.mark.may_skip
def test_the_statement_timeout_can_be_switched_off(tmp_path, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's statement_timeout")
    app = _app(tmp_path, database_url, DB_STATEMENT_TIMEOUT_MS=0)
    with app.app_context():
        try:
            assert db.session.scalar(text("SHOW statement_timeout")) == "0"
        finally:
            db.session.remove()
            db.engine.dispose()


def test_sqlite_waits_for_the_write_lock_as_long_as_configured(tmp_path, monkeypatch):
    monkeypatch.setenv("KIEMTRA_SQLITE_BUSY_TIMEOUT_MS", "1234")
    app = _app(tmp_path, f"sqlite:///{tmp_path / 'busy.sqlite'}")
    with app.app_context():
        try:
            assert db.session.scalar(text("PRAGMA busy_timeout")) == 1234
        finally:
            db.session.remove()
            db.engine.dispose()
