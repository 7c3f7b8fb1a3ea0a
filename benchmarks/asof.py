"""Time the "as of" count (``workflows.timeliness.count_tasks``) on the synthetic province with its history.

Loads the 100,000-task province of ``benchmarks/province.py`` (its functions, unchanged) dated up to the
real today, adds each task's dated history as the workflows write it (created, started, progress notes,
reported, returned, verified, paused, cancelled: about six events a task, 600,000 in all), then times in
the same run:

- a raw ``SELECT count(*) FROM task`` (the floor);
- today's count, read from the rows' current columns (nothing can have happened after today);
- the count as of 30, 180 and 365 days ago, each task's state rebuilt from its events.

Each as-of total is checked against a raw count of the tasks assigned by that day and not cancelled then.

    python benchmarks/asof.py                       # SQLite in a temp dir
    python benchmarks/asof.py --backend postgresql  # scratch database kiemtra_bench on 127.0.0.1
    python benchmarks/asof.py --tasks 10000 --visits 1000 --repeat 3   # a quick smoke run
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import province
from sqlalchemy import Table, select, text

from app import create_app
from models import TaskEvent, db
from models.enums import TaskEventKind, TaskStatus
from workflows.clock import local_today
from workflows.timeliness import EVERYTHING, count_tasks, end_of_local_day

RESULTS_DIR = Path(__file__).resolve().parent / "results"
EVENT: Table = TaskEvent.__table__  # type: ignore[assignment]
BACK_DAYS = (30, 180, 365)


def _event(task_id: int, kind: TaskEventKind, at: datetime, to: TaskStatus | None = None) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "kind": kind,
        "actor_id": None,
        "created_at": at,
        "from_status": None,
        "to_status": to,
        "progress": None,
        "note": None,
    }


def history(rng: random.Random, task: Any) -> list[dict[str, Any]]:
    """The events the workflows would have written for the row's current state and timestamps."""
    rows = [_event(task.id, TaskEventKind.CREATED, task.created_at)]
    status = TaskStatus(task.status)
    if task.started_at is not None:
        rows.append(_event(task.id, TaskEventKind.STATUS_CHANGED, task.started_at, TaskStatus.IN_PROGRESS))
        last = task.reported_at or task.verified_at or task.started_at + timedelta(days=20)
        for _ in range(rng.randint(1, 3)):
            moment = task.started_at + (last - task.started_at) * rng.random()
            rows.append(_event(task.id, TaskEventKind.PROGRESS, moment))
    if task.reported_at is not None:
        rows.append(_event(task.id, TaskEventKind.STATUS_CHANGED, task.reported_at, TaskStatus.REPORTED))
        if status is TaskStatus.RETURNED:
            back = task.reported_at + timedelta(hours=rng.randint(2, 48))
            rows.append(_event(task.id, TaskEventKind.STATUS_CHANGED, back, TaskStatus.RETURNED))
    if status is TaskStatus.DONE:
        rows.append(_event(task.id, TaskEventKind.STATUS_CHANGED, task.verified_at, TaskStatus.DONE))
    elif status is TaskStatus.CANCELLED:
        rows.append(_event(task.id, TaskEventKind.STATUS_CHANGED, task.cancelled_at, TaskStatus.CANCELLED))
    elif status is TaskStatus.PAUSED:
        moment = (task.started_at or task.created_at) + timedelta(days=rng.randint(1, 10))
        rows.append(_event(task.id, TaskEventKind.STATUS_CHANGED, moment, TaskStatus.PAUSED))
    return rows


def add_histories(seed: int, chunk_size: int) -> int:
    """Insert every task's history; return the number of events."""
    rng = random.Random(seed)
    columns = ("id", "status", "created_at", "started_at", "reported_at", "verified_at", "cancelled_at")
    task = province.TASK
    result = db.session.execute(select(*(task.c[name] for name in columns)).order_by(task.c.id))
    rows = (event for row in result.all() for event in history(rng, row))
    total = province.insert_rows(EVENT, rows, chunk_size)
    db.session.commit()
    return total


def raw_counted_on(day: date) -> int:
    """Tasks assigned by the end of ``day`` and not cancelled by then, by a plain SQL count."""
    end = end_of_local_day(day)
    return int(
        db.session.execute(
            select(text("count(*)"))
            .select_from(province.TASK)
            .where(
                province.TASK.c.created_at < end,
                (province.TASK.c.cancelled_at.is_(None)) | (province.TASK.c.cancelled_at >= end),
            )
        ).scalar_one()
    )


def run_backend(backend: str, url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    """Load, check and time one backend."""
    target = province.prepare_target(backend, url)
    app = None
    try:
        app = create_app({"DATABASE_URL": target.url, "SECRET_KEY": "bench"})
        load = province.load_province(app, args)
        with app.app_context():
            events = add_histories(args.seed, args.chunk_size)
            province.finish_load(False, (province.TASK,))
        print(f"\n[{backend}] {load['sizes']} and {events} events", flush=True)
        days = {"today": args.today, **{f"{n} days ago": args.today - timedelta(days=n) for n in BACK_DAYS}}
        checks = {}
        with app.app_context():
            for name, day in days.items():
                (counts,) = count_tasks(db.session, None, EVERYTHING, day).values()
                raw = raw_counted_on(day)
                assert counts.total == raw, f"{name}: as-of total {counts.total} != raw {raw}"
                checks[name] = counts.as_dict() | {"raw": raw}
        measurements = [
            (
                "raw count(*)",
                province.time_runs(
                    province.in_context(app, lambda: db.session.execute(text("SELECT count(*) FROM task"))),
                    args.repeat,
                ),
            )
        ]
        for name, day in days.items():
            action = province.in_context(app, lambda day=day: count_tasks(db.session, None, EVERYTHING, day))
            measurements.append(
                (f"count as of {name} ({day:%d/%m/%Y})", province.time_runs(action, args.repeat))
            )
        floor = min(measurements[0][1])
        results = [
            {
                "name": name,
                "median_ms": round(sorted(runs)[len(runs) // 2], 2),
                "min_ms": round(min(runs), 2),
                "x_floor": round(min(runs) / floor, 1) if floor else None,
            }
            for name, runs in measurements
        ]
        return {
            "backend": backend,
            "server": province.server_version(app),
            "today": args.today.isoformat(),
            "sizes": load["sizes"] | {"task_event": events},
            "checks": checks,
            "results": results,
            "environment": province.environment(),
        }
    finally:
        province.release_target(app, target, args.keep)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line (province.py's options, with today the real today)."""
    args = province.parse_args(argv)
    if "--today" not in (sys.argv[1:] if argv is None else argv):
        args.today = local_today()
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark on the chosen backend(s) and write benchmarks/results/asof-<backend>.json."""
    args = parse_args(argv)
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        url = args.database_url or (province.DEFAULT_PG_URL if backend == "postgresql" else None)
        document = run_backend(backend, url, args)
        print(f"\n== {backend}: {document['server']}, today {document['today']}, {document['sizes']}")
        print(f"{'':<44} {'median ms':>10} {'min ms':>10} {'x floor':>8}")
        for row in document["results"]:
            print(f"{row['name']:<44} {row['median_ms']:>10.2f} {row['min_ms']:>10.2f} {row['x_floor']:>8}")
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"asof-{backend}.json"
        path.write_text(
            json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )
        print(f"written: {path}")


if __name__ == "__main__":
    main()
