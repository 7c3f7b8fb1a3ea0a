"""Database wiring: the URL, SQLite's per-connection settings and write transactions."""

from __future__ import annotations

import re
import select
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.sql import visitors
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import ColumnClause, TextClause
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import CompoundSelect, Select, TextualSelect

from models import db


def database_url(app: Flask) -> str:
    """Return the configured URL, or a SQLite file in the instance folder."""
    url = app.config.get("DATABASE_URL")
    if url:
        return database_url_of(url)
    # The folder is made at the first connection (configure_sqlite), so a command that only prints help
    # writes nothing.
    return f"sqlite:///{Path(app.instance_path) / 'kiemtra.sqlite'}"


def database_url_of(url: str) -> str:
    """The URL as SQLAlchemy takes it: the short PostgreSQL spellings accepted, psycopg 3 used."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def engine_options(
    url: str, busy_timeout_ms: int, connect_timeout_s: int = 10, statement_timeout_ms: int = 60000
) -> dict[str, Any]:
    """Engine options for the URL's backend: every wait on the database is bounded.

    SQLite: a writer waits at most ``busy_timeout_ms`` for the write lock. PostgreSQL: opening a
    connection gives up after ``connect_timeout_s`` (a server that accepts and never answers would
    otherwise hold every thread, even those serving static files), a statement is cancelled after
    ``statement_timeout_ms`` (0: never), a dead peer is noticed by TCP keepalives, and a request waits
    at most ``connect_timeout_s`` for a connection of the pool.
    """
    if make_url(url).get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": busy_timeout_ms / 1000}}
    connect_args: dict[str, Any] = {
        "connect_timeout": max(1, int(connect_timeout_s)),
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
    }
    # No JIT: the pages' statements are short, and some carry the plan cost of a branch they seldom
    # run (a kept count's fallback that counts the tasks), for which PostgreSQL would compile the
    # whole statement: 650 ms of JIT for a 2 ms query at 1,000,000 tasks (benchmarks/README.md).
    options = ["-c jit=off"]
    if statement_timeout_ms:
        options.append(f"-c statement_timeout={int(statement_timeout_ms)}")
    connect_args["options"] = " ".join(options)
    # No pool_pre_ping (a round trip, SELECT 1, before every request's first statement): a pooled
    # connection is checked by ping_when_in_doubt() only when it may be dead.
    return {
        "pool_timeout": max(1, int(connect_timeout_s)),
        "connect_args": connect_args,
    }


# A pooled connection idle longer than this is pinged before use (a firewall may have dropped it
# silently); one used more recently is pinged only when its socket says the server has spoken.
PING_IDLE_AFTER_S = 30.0
_RETURNED_AT = "kiemtra_returned_at"


def ping_when_in_doubt(engine: Engine, idle_after_s: float = PING_IDLE_AFTER_S) -> None:
    """Check a PostgreSQL connection as it leaves the pool only when it may be dead, instead of a
    ``SELECT 1`` before every request (``pool_pre_ping``): when it has been idle longer than
    ``idle_after_s``, or when its socket has something to read. An idle connection's server says
    nothing unless it is going away: a backend terminated or a server shutting down sends its error
    and closes the socket, which then polls readable. The ping then fails and the pool, told by
    ``DisconnectionError``, opens a fresh connection for the request (SQLAlchemy's "pessimistic"
    handling, with a cheaper test), so a request after a server restart or a terminated backend is
    served, not failed.
    """

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle = time.monotonic() - record.info.get(_RETURNED_AT, 0.0)
        if idle < idle_after_s and not _readable(dbapi_connection):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)  # pool_pre_ping's own: SELECT 1, autocommit
        except Exception as error:  # the driver's error, whatever it is: this connection is unusable
            raise DisconnectionError(f"pooled connection found dead: {error}") from error


def _readable(dbapi_connection: Any) -> bool:
    """True when the connection's socket has data (or end of file) waiting, without blocking."""
    try:
        descriptor = dbapi_connection.fileno()
    except Exception:  # closed or broken
        return True
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(descriptor, select.POLLIN | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))
    return bool(select.select([descriptor], [], [], 0)[0])


_READING_BARE = "kiemtra_reading_without_transaction"
_PLAIN = "_kiemtra_plain_read"  # the decision, kept on SQLAlchemy's compiled statement (it is cached)

# The SQL functions a plain read may call: each reads its arguments and nothing else, and holds nothing
# until the transaction's end. A function not named here (nextval, set_config, pg_advisory_lock,
# pg_sleep, one added to the schema later …) makes its statement run in a transaction: forgetting a
# harmless one costs two round trips, never a lock released too early.
PURE_FUNCTIONS = frozenset(
    {
        "abs", "array", "array_agg", "array_length", "avg", "bool_and", "bool_or", "cast", "ceil",
        "char_length", "coalesce", "concat", "count", "date", "date_part", "date_trunc", "dense_rank",
        "every", "extract", "floor", "greatest", "instr", "json_agg", "json_build_object",
        "json_group_array", "julianday", "least", "length", "lower", "ltrim", "max", "min", "mod",
        "nullif", "position", "rank", "replace", "round", "row_number", "rtrim", "string_agg", "strftime",
        "substr", "substring", "sum", "trim", "unnest", "upper",
        # kiemtra's own, compiled to the expressions of built-in functions above:
        "local_day", "month_after", "month_of",  # workflows.timeliness, workflows.counts
    }
)  # fmt: skip


def plain_read(compiled: Any) -> bool:
    """True when a compiled statement may run outside a transaction as well as in one: a ``SELECT``
    built with SQLAlchemy's constructs (never SQL text, whose meaning is not known) that locks nothing
    (no ``FOR UPDATE``/``FOR SHARE`` anywhere in it), writes nothing (no data-modifying CTE) and calls
    only the functions of ``PURE_FUNCTIONS``. Decided from the statement's elements, not its text, once
    per compiled statement."""
    known = compiled.__dict__.get(_PLAIN) if compiled is not None else False
    if known is None:
        known = _plain_statement(getattr(compiled, "statement", None))
        setattr(compiled, _PLAIN, known)
    return bool(known)


def _plain_statement(statement: Any) -> bool:
    if not isinstance(statement, (Select, CompoundSelect)):
        return False
    return all(_plain_statement_elem(element) for element in visitors.iterate(statement))


def _plain_statement_elem(element: Any) -> bool:
    if isinstance(element, (Select, CompoundSelect)) and element._for_update_arg is not None:
        return False
    if isinstance(element, (UpdateBase, TextClause, TextualSelect)):
        return False
    if isinstance(element, ColumnClause) and element.is_literal and element.name != "*":
        return False  # literal_column("…"): SQL text (but count(*)'s star)
    if isinstance(element, FunctionElement):
        return str(getattr(element, "name", "")).lower() in PURE_FUNCTIONS
    return True


def read_without_transaction(engine: Engine) -> None:
    """A page that only reads runs its leading plain SELECTs outside a transaction on PostgreSQL:
    psycopg's ``BEGIN`` before its first statement and the ``ROLLBACK`` as the connection goes back
    to the pool (two of the bare page's four round trips) are not sent.

    Under READ COMMITTED each statement takes its own snapshot inside a transaction as well, so what a
    run of plain SELECTs reads is the same either way. Which statements are plain reads is decided from
    what SQLAlchemy compiled (``plain_read()``), not by reading SQL text; SQL sent as text
    (``text()``, ``exec_driver_sql``) is not one, unless its author says so with the execution option
    ``plain_read=True``. The first statement that is anything else (a write, a lock, ``SET LOCAL``, an
    advisory lock, a function not known to be pure, a server-side cursor) switches the connection back
    first, so it and everything after it run in a transaction as before (rolled back on error, locks
    held to its end). A request that writes (a form's post, ``start_writing()``, a command, a job)
    never starts this way.
    """

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not page_only_reads():
            return
        driver = connection.connection.driver_connection
        if driver.pgconn.transaction_status == 0:  # IDLE: outside any transaction
            driver.autocommit = True
            connection.info[_READING_BARE] = True

    @event.listens_for(engine, "before_cursor_execute")
    def _before_statement(
        connection: Any, cursor: Any, _statement: str, _parameters: Any, context: Any, _many: bool
    ) -> None:
        if not connection.info.get(_READING_BARE):
            return
        if _reads_plainly(context) and not _server_side(cursor):
            return
        _end_reading(connection.connection.driver_connection, connection.info)

    def _on_end(connection: Any) -> None:
        if connection.info.get(_READING_BARE):
            _end_reading(connection.connection.driver_connection, connection.info)

    event.listen(engine, "commit", _on_end)
    event.listen(engine, "rollback", _on_end)

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.get(_READING_BARE):
            _end_reading(dbapi_connection, record.info)


def _end_reading(driver: Any, info: dict[str, Any]) -> None:
    """Back to psycopg's transactions (it starts one at the next statement)."""
    info.pop(_READING_BARE, None)
    if driver is not None and not driver.closed and driver.autocommit:
        driver.autocommit = False


def _reads_plainly(context: Any) -> bool:
    if context is None:  # a statement sent without SQLAlchemy's compiler: not known
        return False
    return bool(context.execution_options.get("plain_read")) or plain_read(context.compiled)


def _server_side(cursor: Any) -> bool:
    """A named (server-side) cursor: its DECLARE needs a transaction."""
    return getattr(cursor, "name", None) is not None


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys and a busy timeout on every connection; BEGIN IMMEDIATE for every
    transaction that may write, so one that reads then writes waits for the lock instead of failing.
    """

    database = engine.url.database

    @event.listens_for(engine, "do_connect")
    def _make_folder(*_args: Any) -> None:
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            f"busy_timeout={int(busy_timeout_ms)}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writing = _may_write()
        connection.info[_READ_ONLY] = has_request_context() and not writing and _reads_first()
        # Straight to the driver: every request begins one, and SQLAlchemy's execution around it cost
        # more than the statement.
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if writing else "BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def _no_write_while_reading(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if connection.info.get(_READ_ONLY) and _WRITES.match(statement):
            if current_app.testing:
                raise RuntimeError("a reads_first view wrote before database.start_writing()")
            # In service the write goes on: SQLite upgrades the reading transaction when it can.
            current_app.logger.warning("a reads_first view wrote before start_writing(): %s", request.path)


def page_only_reads() -> bool:
    """True in a request whose transaction does not take the write lock up front: a page that reads
    (or a ``reads_first`` post before ``start_writing()``)."""
    return has_request_context() and not _may_write()


def _may_write() -> bool:
    """Reading pages start a plain transaction so they never queue behind, or block, a writer;
    form posts, commands and scheduled jobs take the write lock up front, except a view marked
    ``reads_first``, which reads until it calls ``start_writing()``."""
    if not has_request_context():
        return True
    if g.get(_WRITING):
        return True
    return request.method not in ("GET", "HEAD", "OPTIONS") and not _reads_first()


_WRITING = "kiemtra_writing"
_READ_ONLY = "kiemtra_read_only"
_ON_WRITING = "kiemtra_on_writing"
_READS_FIRST = "_kiemtra_reads_first"

V = TypeVar("V", bound=Callable[..., Any])


def reads_first(view: V) -> V:
    """Mark a form post whose slow part (parsing an upload, rendering or converting a document,
    hashing, writing files) comes before its writes.

    Why not simply ``BEGIN IMMEDIATE`` at the first query, as other posts do: SQLite has one writer
    at a time, so a post that took the lock at its first query (loading the signed-in user) would hold
    it through its slow part, and every other save and sign-in would wait as long, then fail with
    "database is locked" once the busy timeout ran out. Why not a deferred transaction that upgrades at
    its first write: in WAL mode a reader whose snapshot is older than another writer's commit cannot
    upgrade (SQLITE_BUSY_SNAPSHOT, at once, without the busy timeout), and silently starting over
    would act on what it read before, which is a lost update. So such a post reads in plain
    transactions, does its slow work, then calls ``start_writing()`` (``app.acting.run()`` does it for
    the workflow it runs): the reading transaction ends, the write transaction starts with
    ``BEGIN IMMEDIATE``, waits its turn within the busy timeout, and the workflow reads the records
    again under the lock (they are expired at the commit), so its checks see the latest state.
    A write statement in the reading part is a programming error: it raises in tests and is logged in
    service.
    """
    setattr(view, _READS_FIRST, True)
    return view


def _reads_first() -> bool:
    endpoint = request.endpoint
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return bool(getattr(view, _READS_FIRST, False))


def reading() -> bool:
    """True in a ``reads_first`` request that has not started writing yet."""
    return has_request_context() and _reads_first() and not g.get(_WRITING)


def on_writing(callback: Callable[[], None]) -> None:
    """Run ``callback`` first thing in the request's write transaction (``start_writing()``)."""
    g.setdefault(_ON_WRITING, []).append(callback)


def start_writing() -> None:
    """End the reading transaction, so the next one takes the write lock up front and waits its turn,
    instead of upgrading a read and failing at once with "database is locked" while someone else
    saves (a reading page that writes after all, such as opening a notification, or a ``reads_first``
    post after its slow part). Does nothing once the request writes."""
    if g.get(_WRITING):
        return
    db.session.commit()
    g.setdefault(_WRITING, True)
    for callback in g.pop(_ON_WRITING, []):
        callback()


_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def init_app(app: Flask) -> None:
    """Bind Flask-SQLAlchemy to the app and tune SQLite."""
    url = database_url(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        engine_options(
            url,
            app.config["SQLITE_BUSY_TIMEOUT_MS"],
            app.config["DB_CONNECT_TIMEOUT_S"],
            app.config["DB_STATEMENT_TIMEOUT_MS"],
        ),
    )
    db.init_app(app)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        with app.app_context():
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    elif backend == "postgresql" and "pool_pre_ping" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]:
        with app.app_context():
            ping_when_in_doubt(db.engine)
            read_without_transaction(db.engine)
