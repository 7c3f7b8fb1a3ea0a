"""How long each route holds a write transaction: ``kiemtra`` with a timer on the database engine.

    python benchmarks/txtimes.py serve --port 5001 --no-scheduler    # as ``kiemtra serve``, timed
    python benchmarks/txtimes.py report FILE [FILE …]               # the table of what they wrote
    BENCH_TXLOG=tx.jsonl python benchmarks/txtimes.py pytest tests/board -m "not slow"   # routes alone

Run as a server (any ``kiemtra`` command line after the script's name), it times every transaction
of the app's engine that wrote and appends one JSON line per transaction to the file named by
``BENCH_TXLOG``: the route (Flask endpoint and method), how long the write lock was held and how long
from the first write statement to the end. On SQLite the lock is held from the moment ``BEGIN
IMMEDIATE`` returns (every form post takes it at its first query, a ``reads_first`` post at
``start_writing()``; the wait for it is not counted) to the end of the commit; on
PostgreSQL row locks are held from the first write to the commit, so both figures are the same there.
``report`` prints, per route, the number of write transactions, their median and the longest.
``benchmarks/load.py --tx-times`` starts its servers through this script and prints the table;
``pytest`` runs tests with every app they make timed (each route alone, as a single user drives it).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
LOCKS = re.compile(r"\s*BEGIN\s+IMMEDIATE\b", re.IGNORECASE)


def install(app: Any, log_path: str) -> None:
    """Time the write transactions of ``app``'s engine into ``log_path`` (JSON lines)."""
    from flask import has_request_context, request
    from sqlalchemy import event

    from models import db

    lock = threading.Lock()

    def route() -> str:
        if not has_request_context():
            return "(outside a request)"
        return f"{request.method} {request.endpoint or request.path}"

    state: dict[int, dict[str, Any]] = {}  # per DBAPI connection: the open transaction's marks

    def on_locked(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # After BEGIN IMMEDIATE returned: the lock is held from here (the wait for it is not counted).
        if LOCKS.match(statement):
            marks = state.setdefault(id(connection.connection.dbapi_connection), {})
            marks["lock"] = time.perf_counter()
            marks.setdefault("route", route())

    def on_execute(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        marks = state.setdefault(id(connection.connection.dbapi_connection), {})
        now = time.perf_counter()
        if WRITES.match(statement) and "write" not in marks:
            marks["write"] = now
            marks.setdefault("route", route())

    def on_end(connection: Any, outcome: str) -> None:
        # The dialect is handed the pool's proxy of the connection; the marks are kept by the DBAPI one.
        marks = state.pop(id(getattr(connection, "dbapi_connection", connection)), None)
        if not marks or ("write" not in marks and "lock" not in marks):
            return
        now = time.perf_counter()  # after the COMMIT or ROLLBACK returned: the lock is released
        wrote = marks.get("write")
        line = {
            "route": marks["route"],
            "outcome": outcome,
            "wrote": wrote is not None,
            "lock_ms": round(1000 * (now - marks.get("lock", wrote)), 2),
            "write_ms": round(1000 * (now - wrote), 2) if wrote is not None else 0.0,
        }
        with lock, open(log_path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", on_execute)
        event.listen(engine, "after_cursor_execute", on_locked)
        dialect = engine.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(dbapi_connection: Any) -> None:
            try:
                commit(dbapi_connection)
            finally:
                on_end(dbapi_connection, "commit")

        def do_rollback(dbapi_connection: Any) -> None:
            try:
                rollback(dbapi_connection)
            finally:
                on_end(dbapi_connection, "rollback")

        dialect.do_commit = do_commit  # type: ignore[method-assign]
        dialect.do_rollback = do_rollback  # type: ignore[method-assign]


def report(paths: list[Path]) -> list[dict[str, Any]]:
    """Per route: write transactions, median and longest lock held and first write to the end."""
    by_route: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in paths:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            by_route[entry["route"]].append(entry)
    rows = []
    for where, entries in by_route.items():
        locks = [e["lock_ms"] for e in entries]
        writes = [e["write_ms"] for e in entries if e["wrote"]]
        rows.append(
            {
                "route": where,
                "transactions": len(entries),
                "lock_median_ms": round(statistics.median(locks), 1),
                "lock_max_ms": round(max(locks), 1),
                "write_median_ms": round(statistics.median(writes), 1) if writes else 0.0,
                "write_max_ms": round(max(writes), 1) if writes else 0.0,
            }
        )
    return sorted(rows, key=lambda row: -row["lock_max_ms"])


def print_report(rows: list[dict[str, Any]]) -> None:
    print(
        "| route | write transactions | lock held, median | lock held, longest | first write → end, longest |"
    )
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| `{row['route']}` | {row['transactions']} | {row['lock_median_ms']} ms | "
            f"{row['lock_max_ms']} ms | {row['write_max_ms']} ms |"
        )


def _time_every_app(log_path: str) -> None:
    import app as application

    make = application.create_app

    def timed_app(*args: Any, **kwargs: Any) -> Any:
        made = make(*args, **kwargs)
        install(made, log_path)
        return made

    application.create_app = timed_app  # type: ignore[assignment]


def main() -> None:
    if sys.argv[1:2] == ["report"]:
        print_report(report([Path(p) for p in sys.argv[2:]]))
        return
    log_path = os.environ.get("BENCH_TXLOG")
    if not log_path:
        raise SystemExit("BENCH_TXLOG names the file to append the timings to")
    _time_every_app(log_path)
    if sys.argv[1:2] == ["pytest"]:
        # Each route alone, as the tests drive it (one user, no contention).
        import pytest

        raise SystemExit(pytest.main(sys.argv[2:]))
    from app.cli import main as kiemtra

    kiemtra()


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())  # the checkout served (load.py runs it from there)
    main()
