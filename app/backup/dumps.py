"""Taking and restoring the database: SQLite through its online backup API, PostgreSQL through
``pg_dump`` (custom format) and ``pg_restore``.

Both take a consistent snapshot while the application keeps writing: SQLite's backup copies one
read transaction's view of a WAL database without blocking writers; ``pg_dump`` runs in a snapshot
exported by our own REPEATABLE READ transaction, in which the schema revision and the row counts for
the manifest are read too, so the manifest describes exactly the dumped data.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL, make_url

from app.backup import BackupError, _

SQLITE_MEMBER = "database/kiemtra.sqlite"
POSTGRESQL_MEMBER = "database/kiemtra.pgdump"
_VERSION = re.compile(r"(\d+)(?:\.(\d+))?")


@dataclass
class Snapshot:
    """What the manifest says about the dumped database."""

    schema_revision: str | None
    row_counts: dict[str, int]
    info: dict[str, Any]


def backend_of(url: URL | str) -> str:
    """``sqlite`` or ``postgresql``."""
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(_("Chưa hỗ trợ sao lưu cơ sở dữ liệu %(name)s.", name=name))
    return name


# ---- SQLite -------------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError(_("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được."))
    return Path(url.database)


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [row[0] for row in rows]


def _sqlite_facts(connection: sqlite3.Connection) -> tuple[str | None, dict[str, int]]:
    tables = _sqlite_tables(connection)
    # Table names come from the database's own catalogue, not from a user.
    counts = {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    revision = None
    if "alembic_version" in tables:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    counts.pop("alembic_version", None)
    return revision, counts


def sqlite_snapshot(url: URL, target: Path, busy_timeout_ms: int) -> Snapshot:
    """Copy the live SQLite database into ``target`` with the online backup API."""
    source_path = _sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(_("Không có tệp cơ sở dữ liệu %(path)s.", path=source_path))
    source = sqlite3.connect(source_path, timeout=busy_timeout_ms / 1000)
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1): the copy is one read transaction's view; in WAL mode writers go on.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
        revision, counts = _sqlite_facts(copy)
    finally:
        copy.close()
        source.close()
    return Snapshot(revision, counts, {"sqlite_version": sqlite3.sqlite_version})


def sqlite_is_empty(url: URL) -> bool:
    """True when the SQLite target has no tables (or no file yet)."""
    path = _sqlite_path(url)
    if not path.exists() or path.stat().st_size == 0:
        return True
    connection = sqlite3.connect(path)
    try:
        return not _sqlite_tables(connection)
    finally:
        connection.close()


def sqlite_restore(url: URL, dump: Path, busy_timeout_ms: int) -> dict[str, int]:
    """Write the database file ``dump`` over the SQLite target, page by page; return its row counts."""
    path = _sqlite_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    target = sqlite3.connect(path, timeout=busy_timeout_ms / 1000)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        return _sqlite_facts(target)[1]
    finally:
        target.close()
        source.close()


# ---- PostgreSQL ---------------------------------------------------------------------------------


def _tool(name: str, bin_dir: str | None) -> str:
    found = shutil.which(name, path=bin_dir) if bin_dir else shutil.which(name)
    if not found:
        raise BackupError(
            _("Không tìm thấy %(tool)s; hãy cài postgresql-client hoặc đặt KIEMTRA_PG_BIN_DIR.", tool=name)
        )
    return found


def tool_major_version(executable: str) -> int:
    """The major version of ``pg_dump --version`` / ``pg_restore --version``."""
    output = subprocess.run(  # noqa: S603 - our own tool path and a fixed argument, no shell
        [executable, "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = _VERSION.search(output.split(")")[-1]) or _VERSION.search(output)
    if not match:
        raise BackupError(_("Không đọc được phiên bản của %(tool)s.", tool=executable))
    return int(match.group(1))


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it."""
    plain = url.set(drivername="postgresql", password=None)
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return plain.render_as_string(hide_password=False), environment


def _postgresql_facts(connection: Connection) -> tuple[str | None, dict[str, int]]:
    tables = connection.scalars(
        text(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ).all()
    counts = {t: connection.scalar(text(f'SELECT count(*) FROM "{t}"')) or 0 for t in tables}  # noqa: S608
    revision = None
    if "alembic_version" in tables:
        revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
    counts.pop("alembic_version", None)
    return revision, counts


def _run(command: list[str], environment: dict[str, str], tool: str) -> None:
    result = subprocess.run(  # noqa: S603 - pg_dump/pg_restore with arguments we build, no shell
        command, env=environment, capture_output=True, text=True
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(
            _("%(tool)s thất bại: %(detail)s", tool=tool, detail=detail[-1] if detail else result.returncode)
        )


def postgresql_snapshot(engine: Engine, target: Path, bin_dir: str | None) -> Snapshot:
    """Dump the database with ``pg_dump -Fc`` in a snapshot shared with the manifest's facts."""
    pg_dump = _tool("pg_dump", bin_dir)
    dump_major = tool_major_version(pg_dump)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            server_major = int(connection.scalar(text("SHOW server_version_num")) or 0) // 10000
            if dump_major < server_major:
                raise BackupError(
                    _(
                        "pg_dump %(dump)s cũ hơn máy chủ PostgreSQL %(server)s; hãy dùng pg_dump %(server)s.",
                        dump=dump_major,
                        server=server_major,
                    )
                )
            snapshot_id = connection.scalar(text("SELECT pg_export_snapshot()"))
            revision, counts = _postgresql_facts(connection)
            dsn, environment = _libpq(engine.url)
            command = [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
            ]
            _run([*command, "--file", str(target), "--dbname", dsn], environment, "pg_dump")
    return Snapshot(revision, counts, {"server_major": server_major, "pg_dump_major": dump_major})


def postgresql_is_empty(engine: Engine) -> bool:
    """True when the target database has no table outside the system schemas."""
    with engine.connect() as connection:
        count = connection.scalar(
            text(
                "SELECT count(*) FROM information_schema.tables"
                " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            )
        )
    return not count


def postgresql_check_restore_tool(bin_dir: str | None, dumped_by_major: int) -> str:
    """``pg_restore``'s path, refusing one older than the ``pg_dump`` that wrote the archive."""
    pg_restore = _tool("pg_restore", bin_dir)
    major = tool_major_version(pg_restore)
    if major < dumped_by_major:
        raise BackupError(
            _(
                "Bản sao lưu do pg_dump %(dump)s tạo; pg_restore %(restore)s không đọc được.",
                dump=dumped_by_major,
                restore=major,
            )
        )
    return pg_restore


def postgresql_restore(engine: Engine, dump: Path, pg_restore: str, *, wipe: bool) -> dict[str, int]:
    """Restore ``dump`` into the target database in one transaction; return its row counts.

    ``wipe`` first drops the ``public`` schema with everything in it (``--force``).
    """
    engine.dispose()
    if wipe:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    dsn, environment = _libpq(engine.url)
    command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    _run([*command, "--dbname", dsn, str(dump)], environment, "pg_restore")
    with engine.connect() as connection:
        return _postgresql_facts(connection)[1]
