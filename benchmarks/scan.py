"""Time the daily deadline scan (``workflows.reminders.scan_deadlines``) on the synthetic province.

Loads the 100,000-task province of ``benchmarks/province.py`` (its functions, unchanged), adds the people
the scan writes to (an office account per unit, a leader per party committee, an inspector and a head of
delegation with an account per inspecting body, the head recorded on every visit), then times against a
floor measured in the same run (a raw ``SELECT count(*)`` of the open tasks with a due date):

- the first run of a day (claim, a dozen INSERT … SELECT … ON CONFLICT DO NOTHING, task-log lines, the
  rebuild of the kept timeliness counts, commit),
  repeated on a database reset to its loaded state before each run;
- a repeated run on the same day (the claim is taken: nothing else happens);
- a re-scan that ignores the claim (what a run taking over a stale claim costs: every row conflicts);
- the next day's run, which only adds what the new day brings (the clock left on the real today, so
  the kept counts are not rebuilt in it: a scan of another day than today leaves them);
- ``--days N``: the N following days' first runs, each with the clock on that day as the scheduler
  runs it, so each rebuilds the kept counts too (what every day after the first costs), against the
  count floor measured just before each;
- one round of digests to an SMTP server on loopback (aiosmtpd), when aiosmtpd is installed.

    python benchmarks/scan.py                       # SQLite in a temp dir
    python benchmarks/scan.py --backend postgresql  # scratch database kiemtra_bench on 127.0.0.1
    python benchmarks/scan.py --backend both
    python benchmarks/scan.py --tasks 10000 --visits 1000 --repeat 3   # a quick smoke run
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import province
from flask import Flask
from sqlalchemy import event, func, insert, select, text, update

from app import create_app
from app.reminders import jobs
from models import (
    DelegationMember,
    JobRun,
    Notification,
    Organization,
    Person,
    TaskCountDay,
    TaskEvent,
    User,
    Visit,
    db,
)
from models.enums import DelegationRole, DelegationSide, OrgKind, Role, TaskEventKind
from workflows import reminders
from workflows.clock import LOCAL_ZONE, local_today
from workflows.reminders import REMINDED_STATUSES, ReminderSettings

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# Not province.py's kiemtra_bench: the two benchmarks may run at the same time.
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/kiemtra_scan_bench"
FLOOR = "raw count(*) of open tasks with a due date"
# A second floor for the first run, which mostly writes: copying the rows it created, in one statement.
WRITE_FLOOR = "raw copy of the created notifications (CREATE TEMP TABLE AS)"
SCAN_EVENT_KINDS = (TaskEventKind.REMINDER_SENT, TaskEventKind.ESCALATED)


# --- the people the scan writes to ---------------------------------------------------------------------


def add_people(app: Flask) -> dict[str, int]:
    """Accounts per unit, heads of delegation on every visit, and the assigning inspector on every task."""
    with app.app_context():
        orgs = db.session.execute(select(Organization.id, Organization.code, Organization.kind)).all()
        inspecting = set(db.session.scalars(select(Visit.inspecting_org_id).distinct()))
        users: list[dict[str, Any]] = []
        people: list[dict[str, Any]] = []
        heads: dict[int, int] = {}  # inspecting org id → person id
        next_user, next_person = 1_000_000, 1_000_000

        def account(username: str, role: Role, org_id: int, person_id: int | None = None) -> None:
            nonlocal next_user
            next_user += 1
            users.append(
                {
                    "id": next_user,
                    "username": username,
                    "email": f"{username}@bench.invalid",
                    "display_name": username,
                    "password_hash": "!",  # nobody signs in
                    "role": role,
                    "organization_id": org_id,
                    "person_id": person_id,
                    "locale": "vi",
                    "is_active": True,
                    "calendar_token": None,
                    "created_at": datetime.now(UTC),
                }
            )

        for org_id, code, kind in orgs:
            account(f"office.{code.lower()}", Role.OFFICE, org_id)
            if kind is OrgKind.PARTY_COMMITTEE:
                account(f"leader.{code.lower()}", Role.LEADER, org_id)
            if org_id in inspecting:
                account(f"inspector.{code.lower()}", Role.INSPECTOR, org_id)
                next_person += 1
                heads[org_id] = next_person
                people.append(
                    {
                        "id": next_person,
                        "full_name": f"Trưởng đoàn {code}",
                        "position": "Phó Trưởng ban",
                        "party_titles": None,
                        "organization_id": org_id,
                        "search_key": f"truong doan {code.lower()}",
                    }
                )
                account(f"head.{code.lower()}", Role.INSPECTOR, org_id, next_person)
        db.session.execute(insert(Person.__table__), people)
        db.session.execute(insert(User.__table__), users)
        visits = db.session.execute(select(Visit.id, Visit.inspecting_org_id)).all()
        members = [
            {
                "visit_id": visit_id,
                "side": DelegationSide.INSPECTING,
                "person_id": heads[org_id],
                "role": DelegationRole.HEAD,
                "position_on_day": "Phó Trưởng ban",
                "order": 0,
            }
            for visit_id, org_id in visits
        ]
        for chunk in province.chunked(members, 5_000):
            db.session.execute(insert(DelegationMember.__table__), chunk)
        # The assigning inspector: the (non-head) inspector account of the visit's inspecting body.
        db.session.execute(
            text(
                "UPDATE task SET assigned_by_id = (SELECT min(u.id) FROM directive d"
                " JOIN visit v ON v.id = d.visit_id"
                " JOIN user_account u ON u.organization_id = v.inspecting_org_id AND u.role = 'inspector'"
                "   AND u.person_id IS NULL"
                " WHERE d.id = task.directive_id)"
            )
        )
        db.session.commit()
        province.finish_load(analyze_sqlite=False, tables=())
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        return {"users": len(users), "people": len(people), "delegation_heads": len(members)}


# --- measuring -----------------------------------------------------------------------------------------


@contextmanager
def counting_statements(app: Flask) -> Iterator[list[tuple[str, float]]]:
    """Collect the SQL statements sent inside the block, each with its time in milliseconds."""
    statements: list[tuple[str, float]] = []
    started: list[float] = []

    def before(*_: Any) -> None:
        started.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        values = parameters.values() if isinstance(parameters, dict) else parameters or ()
        kinds = " ".join(str(v) for v in values if str(v).startswith(("due_in", "overdue", "escalated")))
        statements.append((f"{statement} -- {kinds}", (time.perf_counter() - started.pop()) * 1000))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def describe_statement(statement: str) -> str:
    """A short label: the verb, the table, and which recipients an INSERT … SELECT joins."""
    words = " ".join(statement.split())
    label = " ".join(words.split()[:3])
    if "FROM task" in words and "INSERT INTO notification" in words:
        kind = next(
            (k for k in ("due_in_7", "due_in_3", "due_in_1", "overdue", "escalated") if k in words), ""
        )
        joins = [
            j
            for j in ("task_coordinator", "delegation_member", "nearest_leaders", "assigned_by_id")
            if j in words
        ]
        label = f"INSERT notification {kind} via {'+'.join(joins) or 'lead unit'}".strip()
    return label


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``action`` once; return (milliseconds, result)."""
    start = time.perf_counter()
    result = action()
    return (time.perf_counter() - start) * 1000, result


def reset_scan_effects(app: Flask) -> None:
    """Remove what scans wrote (the kept counts' day too), back to the loaded province."""
    with app.app_context():
        db.session.execute(Notification.__table__.delete())
        db.session.execute(TaskEvent.__table__.delete().where(TaskEvent.kind.in_(SCAN_EVENT_KINDS)))
        db.session.execute(JobRun.__table__.delete())
        # The kept counts as before the day's first scan: yesterday's (the rows stand for it too but
        # for the categories that move with the day, which the scan counts again).
        db.session.execute(update(TaskCountDay).values(day=local_today() - timedelta(days=1)))
        db.session.commit()


def vacuum_notifications(app: Flask) -> None:
    """Let PostgreSQL reclaim the deleted rows, as autovacuum would between two days."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE notification")
            connection.exec_driver_sql("VACUUM ANALYZE task_event")


def scan_once(app: Flask, today: date, settings: ReminderSettings, *, force: bool = False) -> Any:
    """One scan in a fresh app context, committed, as the scheduler runs it."""
    now = datetime.combine(today, clock_time(7), LOCAL_ZONE)
    with app.app_context():
        if force:
            result = reminders.create_deadline_notifications(today, settings, now=now)
        else:
            result = reminders.scan_deadlines(today, settings, now=now)
        db.session.commit()
        return result


def floor_query(app: Flask) -> int:
    """The floor: count the tasks the scan looks at, with one raw SQL statement."""
    statuses = ", ".join(f"'{s.value}'" for s in REMINDED_STATUSES)
    with app.app_context():
        return db.session.execute(
            text(f"SELECT count(*) FROM task WHERE status IN ({statuses}) AND due_on IS NOT NULL")  # noqa: S608
        ).scalar_one()


def copy_notifications(app: Flask) -> int:
    """The write floor: copy every notification into a temporary table with one statement, commit."""
    with app.app_context():
        db.session.execute(text("CREATE TEMP TABLE notification_copy AS SELECT * FROM notification"))
        copied = db.session.execute(text("SELECT count(*) FROM notification_copy")).scalar_one()
        db.session.execute(text("DROP TABLE notification_copy"))
        db.session.commit()
        return copied


def digest_round(app: Flask, today: date, settings: ReminderSettings) -> dict[str, Any] | None:
    """Send one round of digests to an aiosmtpd sink on loopback; None without aiosmtpd."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        return None

    class Sink:
        count = 0

        async def handle_DATA(self, _server: Any, _session: Any, _envelope: Any) -> str:
            Sink.count += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    try:
        now = datetime.combine(today, clock_time(7), LOCAL_ZONE)
        with app.app_context():
            ms, delivery = timed(lambda: jobs.deliver_digests(app, today, now, settings))
    finally:
        controller.stop()
        app.config.update(SMTP_HOST=None)
    notifications = sum(count for _, _, count in delivery.sent)
    return {
        "ms": round(ms, 1),
        "digests": len(delivery.sent),
        "notifications": notifications,
        "received": Sink.count,
    }


def measure(app: Flask, args: argparse.Namespace) -> dict[str, Any]:
    """All the figures for one backend."""
    settings = ReminderSettings()
    today = args.today
    floor_runs = [timed(lambda: floor_query(app))[0] for _ in range(args.repeat + 1)][1:]
    open_with_due = floor_query(app)

    first_runs, created = [], Counter()
    statements: list[str] = []
    for index in range(args.first_repeat):
        reset_scan_effects(app)
        vacuum_notifications(app)
        with counting_statements(app) as seen:
            ms, outcome = timed(lambda: scan_once(app, today, settings))
        first_runs.append(ms)
        assert outcome.claim.owned
        created = outcome.created
        if index == 0:
            statements = list(seen)
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Notification))
    assert stored == sum(created.values()), (stored, created)

    copies = [timed(lambda: copy_notifications(app))[0] for _ in range(args.first_repeat)]

    same_day = []
    for _ in range(args.repeat):
        ms, outcome = timed(lambda: scan_once(app, today, settings))
        assert not outcome.claim.owned and outcome.total == 0
        same_day.append(ms)

    rescans = []
    for _ in range(args.first_repeat):
        ms, rows = timed(lambda: scan_once(app, today, settings, force=True))
        assert rows == []
        rescans.append(ms)

    next_day_ms, next_day = timed(lambda: scan_once(app, today + timedelta(days=1), settings))
    digests = digest_round(app, today + timedelta(days=1), settings) if not args.no_digests else None
    days = following_days(app, today + timedelta(days=1), settings, args.days)

    floors = {FLOOR: statistics.median(floor_runs), WRITE_FLOOR: statistics.median(copies)}

    def row(name: str, runs: list[float]) -> dict[str, Any]:
        median = statistics.median(runs)
        return {
            "name": name,
            "median_ms": round(median, 2),
            "min_ms": round(min(runs), 2),
            "ratios": {floor: round(median / value, 2) for floor, value in floors.items()},
            "runs_ms": [round(r, 2) for r in runs],
        }

    return {
        "open_tasks_with_due_date": open_with_due,
        "created_first_run": {kind.value: n for kind, n in sorted(created.items())},
        "created_next_day": {kind.value: n for kind, n in sorted(next_day.created.items())},
        "statements_first_run": len(statements),
        "statements_by_kind": dict(Counter(s.split()[0].upper() for s, _ in statements)),
        "slowest_statements_first_run": [
            {"statement": describe_statement(s), "ms": round(ms, 1)}
            for s, ms in sorted(statements, key=lambda item: -item[1])[:6]
        ],
        "results": [
            row(FLOOR, floor_runs),
            row(WRITE_FLOOR, copies),
            row("first run of the day (claim, inserts, task log, kept counts, commit)", first_runs),
            row("repeated run, same day (claim already taken)", same_day),
            row("re-scan ignoring the claim (every row conflicts)", rescans),
            row("next day's run", [next_day_ms]),
        ],
        "digests_next_day": digests,
        "following_days": days,
    }


def following_days(app: Flask, after: date, settings: ReminderSettings, count: int) -> list[dict[str, Any]]:
    """The first runs of the ``count`` days after ``after``, each on its own day's clock (the kept
    counts rebuilt as the scheduler's run on that day does), with the count floor just before each."""
    import workflows.clock
    import workflows.counts
    import workflows.reminders.scan

    modules = (workflows.clock, workflows.counts, workflows.reminders.scan)
    saved = [module.local_today for module in modules]
    days = []
    try:
        for offset in range(1, count + 1):
            day = after + timedelta(days=offset)
            for module in modules:
                module.local_today = lambda day=day: day  # type: ignore[attr-defined]
            vacuum_notifications(app)
            floor = min(timed(lambda: floor_query(app))[0] for _ in range(3))
            ms, outcome = timed(lambda day=day: scan_once(app, day, settings))
            assert outcome.claim.owned
            days.append(
                {
                    "day": day.isoformat(),
                    "ms": round(ms, 1),
                    "floor_ms": round(floor, 2),
                    "created": outcome.total,
                }
            )
    finally:
        for module, original in zip(modules, saved, strict=True):
            module.local_today = original  # type: ignore[attr-defined]
    return days


# --- one backend ---------------------------------------------------------------------------------------


def run_backend(backend: str, url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    """Load the province, add people, measure; drop the scratch database unless ``--keep``."""
    target = province.prepare_target(backend, url)
    app = None
    try:
        app = create_app(
            {
                "DATABASE_URL": target.url,
                "SECRET_KEY": "bench",
                "SMTP_HOST": None,
                "BASE_URL": "https://kiemtra.invalid",
            }
        )
        load = province.load_province(app, args)
        people = add_people(app)
        print(f"\n[{backend}] loaded {load['sizes']} and {people} in {load['seconds']:.1f} s", flush=True)
        figures = measure(app, args)
        return {
            "backend": backend,
            "server": province.server_version(app),
            "today": args.today.isoformat(),
            "seed": args.seed,
            "sizes": load["sizes"] | people,
            "environment": province.environment(),
            **figures,
        }
    finally:
        province.release_target(app, target, args.keep)


def print_report(document: dict[str, Any]) -> None:
    """Print the figures with their ratio to the floor."""
    print(f"\n== {document['backend']}: {document['server']}, today {document['today']}")
    print(f"open tasks with a due date: {document['open_tasks_with_due_date']}")
    print(f"created on the first run: {document['created_first_run']}")
    print(f"created the next day: {document['created_next_day']}")
    print(f"statements in the first run: {document['statements_first_run']} {document['statements_by_kind']}")
    for slow in document["slowest_statements_first_run"]:
        print(f"  {slow['ms']:>9.1f} ms  {slow['statement']}")
    print(f"\nfloors: (1) {FLOOR}; (2) {WRITE_FLOOR}")
    print(f"{'':<62} {'median ms':>10} {'min ms':>10} {'x (1)':>8} {'x (2)':>8}")
    for row in document["results"]:
        ratios = " ".join(f"{row['ratios'][f]:>8.2f}" for f in (FLOOR, WRITE_FLOOR))
        print(f"{row['name']:<62} {row['median_ms']:>10.1f} {row['min_ms']:>10.1f} {ratios}")
    if document["following_days"]:
        runs = document["following_days"]
        median = statistics.median(d["ms"] for d in runs)
        floor = statistics.median(d["floor_ms"] for d in runs)
        spread = f"{min(d['ms'] for d in runs):.0f}–{max(d['ms'] for d in runs):.0f}"
        print(
            f"\nthe {len(runs)} following days' first runs (each on its own clock, kept counts rebuilt): "
            f"median {median:.0f} ms ({spread}), {median / floor:.1f}× the count floor of {floor:.1f} ms; "
            f"notifications a day: {[d['created'] for d in runs]}"
        )
    if document["digests_next_day"]:
        d = document["digests_next_day"]
        print(
            f"\ndigest round to a loopback SMTP server: {d['digests']} digests "
            f"({d['notifications']} notifications) in {d['ms']:.0f} ms; received {d['received']}"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line (the province options are province.py's)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument(
        "--database-url", help="scratch database for one backend (its name must contain 'bench')"
    )
    # The real today: the first run rebuilds the kept counts, which only today's scan does.
    parser.add_argument("--today", type=date.fromisoformat, default=local_today())
    parser.add_argument("--districts", type=int, default=10)
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--directives-per-visit", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--coordinated-share", type=float, default=0.2)
    parser.add_argument("--chunk-size", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--repeat", type=int, default=7, help="runs of the cheap measurements")
    parser.add_argument("--first-repeat", type=int, default=3, help="runs of the first run and the re-scan")
    parser.add_argument("--no-digests", action="store_true", help="skip the digest round")
    parser.add_argument("--days", type=int, default=5, help="following days' first runs, kept counts rebuilt")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    args.analyze = False  # province.load_province reads it: kiemtra never ANALYZEs SQLite itself
    if args.backend == "both" and args.database_url:
        parser.error("--backend both uses the defaults; give --database-url with one backend")
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark on the chosen backend(s) and write benchmarks/results/scan-<backend>.json."""
    args = parse_args(argv)
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        url = args.database_url or (DEFAULT_PG_URL if backend == "postgresql" else None)
        document = run_backend(backend, url, args)
        print_report(document)
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"scan-{backend}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written: {path}")


if __name__ == "__main__":
    main()
