"""Database wiring: the URL, SQLite's per-connection settings and write transactions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, g, has_request_context, request
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from models import db


def database_url(app: Flask) -> str:
    """Return the configured URL, or a SQLite file in the instance folder."""
    url = app.config.get("DATABASE_URL")
    if url:
        # Accept the short PostgreSQL spellings and use psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql://" + url.removeprefix("postgres://")
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    # The folder is made at the first connection (configure_sqlite), so a command that only prints help
    # writes nothing.
    return f"sqlite:///{Path(app.instance_path) / 'kiemtra.sqlite'}"


def engine_options(url: str, busy_timeout_ms: int) -> dict[str, Any]:
    """Engine options for the URL's backend."""
    if make_url(url).get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": busy_timeout_ms / 1000}}
    return {"pool_pre_ping": True}


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
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")


def _may_write() -> bool:
    """Reading pages start a plain transaction so they never queue behind, or block, a writer;
    form posts, commands and scheduled jobs take the write lock up front."""
    if not has_request_context():
        return True
    return request.method not in ("GET", "HEAD", "OPTIONS") or bool(g.get(_WRITING))


_WRITING = "kiemtra_writing"


def start_writing() -> None:
    """A reading page that must write after all (opening a notification marks it read): end the
    reading transaction, so the next one takes the write lock up front and waits its turn, instead of
    upgrading a read and failing at once with "database is locked" while someone else saves."""
    db.session.commit()
    g.setdefault(_WRITING, True)


def init_app(app: Flask) -> None:
    """Bind Flask-SQLAlchemy to the app and tune SQLite."""
    url = database_url(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", engine_options(url, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    )
    db.init_app(app)
    if make_url(url).get_backend_name() == "sqlite":
        with app.app_context():
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
