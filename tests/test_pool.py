"""PostgreSQL's pooled connections are checked only when in doubt (``app.database.ping_when_in_doubt``):
a request after a backend was terminated (a server restart, an operator's pg_terminate_backend) is
served on a fresh connection, and a connection used a moment ago is not pinged."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import create_engine, func, literal, select, text
from sqlalchemy.engine import make_url

from app import database
from models import User, db, raw

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


def _driver():
    return db.session.connection().connection.driver_connection


IDLE, IN_TRANSACTION = 0, 2  # libpq's transaction status


def test_a_reading_page_reads_outside_a_transaction_until_it_does_anything_else(app, pg_url):
    with app.test_request_context("/tasks", method="GET"):
        try:
            assert db.session.scalar(select(literal(1))) == 1
            assert _driver().pgconn.transaction_status == IDLE  # no BEGIN was sent
            # A write (here a temporary table) starts a transaction first: rolled back, it is gone.
            db.session.execute(text("CREATE TEMP TABLE kiemtra_reading_probe (n int)"))
            assert _driver().pgconn.transaction_status == IN_TRANSACTION
            db.session.rollback()
            assert db.session.scalar(text("SELECT to_regclass('pg_temp.kiemtra_reading_probe')")) is None
        finally:
            db.session.remove()


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT 1 FROM user_account FOR UPDATE",
        "SELECT 1 FROM user_account FOR SHARE",
        "SELECT pg_advisory_xact_lock(42)",
        "SET LOCAL lock_timeout = '1s'",
        # SQL text is never taken for a plain read, whatever it says: its meaning is not known.
        "SELECT 1",
        "  select 1",
    ],
)
def test_a_lock_or_setting_in_a_reading_page_runs_in_a_transaction(app, pg_url, statement):
    with app.test_request_context("/tasks", method="GET"):
        try:
            db.session.scalar(select(literal(1)))
            assert _driver().pgconn.transaction_status == IDLE
            db.session.execute(text(statement))
            assert _driver().pgconn.transaction_status == IN_TRANSACTION
        finally:
            db.session.remove()


@pytest.mark.parametrize(
    "statement",
    [
        lambda: select(User.id).with_for_update(),
        lambda: select(User.id).with_for_update(read=True, skip_locked=True),
        lambda: select(User.id).where(User.id.in_(select(User.id).with_for_update().scalar_subquery())),
        lambda: select(func.pg_advisory_xact_lock(42)),
        lambda: select(func.count()).where(func.pg_try_advisory_xact_lock(User.id)),
        lambda: select(func.set_config("lock_timeout", "1s", True)),
        lambda: select(func.coalesce(func.max(User.id), func.txid_current())),
    ],
)
def test_a_built_statement_that_locks_or_calls_an_unknown_function_runs_in_a_transaction(
    app, pg_url, statement
):
    with app.test_request_context("/tasks", method="GET"):
        try:
            db.session.scalar(select(func.count(User.id)))
            assert _driver().pgconn.transaction_status == IDLE
            db.session.execute(statement())
            assert _driver().pgconn.transaction_status == IN_TRANSACTION
        finally:
            db.session.remove()


def test_the_few_statements_sent_to_the_driver_and_text_marked_plain_read_outside_a_transaction(app, pg_url):
    with app.test_request_context("/tasks", method="GET"):
        try:
            assert raw.rows(db.session, select(func.count(User.id)).where(User.id > 0), literal=True) == [
                (db.session.scalar(select(func.count(User.id))),)
            ]
            result = db.session.connection().exec_driver_sql(
                "SELECT 2", execution_options={"plain_read": True}
            )
            assert result.scalar() == 2
            assert _driver().pgconn.transaction_status == IDLE
        finally:
            db.session.remove()


def test_a_form_post_and_a_command_run_in_a_transaction_from_their_first_statement(app, pg_url):
    with app.test_request_context("/tasks", method="POST"):
        try:
            db.session.scalar(text("SELECT 1"))
            assert _driver().pgconn.transaction_status == IN_TRANSACTION
        finally:
            db.session.remove()
    with app.app_context():
        try:
            db.session.scalar(text("SELECT 1"))
            assert _driver().pgconn.transaction_status == IN_TRANSACTION
        finally:
            db.session.remove()


def test_a_connection_back_in_the_pool_is_transactional_again(app, pg_url):
    with app.test_request_context("/tasks", method="GET"):
        db.session.scalar(select(literal(1)))
        driver = _driver()
        assert driver.autocommit
        db.session.remove()
    assert not driver.autocommit
