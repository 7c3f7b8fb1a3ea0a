"""Province- and nation-wide: the leader's ``/dashboard`` and ``/tasks`` as the tasks grow, with the
kept counts (``workflows.counts``) and with the tasks counted live, against the bare signed-in page
measured in the same run; and what the kept counts add to a task change.

For each size the script builds a scratch database with ``benchmarks/province.py`` (a province, or
with ``--provinces 34`` a country: the centre above 34 provinces), builds the kept counts as the
daily scan does (timed), signs in a leader of the root (and, in a country, of one province), then
times each page in runs that alternate with the floor (the bare page: the base layout for the same
signed-in user, no query of its own), so both see the same machine load. "live" is the same page
with the kept counts switched off in this process (``count_tasks`` counts the tasks, as before).

The write cost: one task moved through start → report → return and back, each step a workflow call
and a commit, timed with the flush hook that keeps the counts and without it, alternating.

    python benchmarks/nation.py --backend sqlite --sizes 100000
    python benchmarks/nation.py --backend postgresql --sizes 10000,100000,300000,1000000
    python benchmarks/nation.py --backend postgresql --provinces 34 --sizes 1000000
    python benchmarks/nation.py --sizes 10000 --repeat 5        # a quick smoke run

Writes ``benchmarks/results/nation-<backend>.json`` (git-ignored). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
import board  # the board benchmark's sign-in, beside this script
import province  # the builder of the synthetic province, beside this script

from app import create_app, policy
from models import Directive, Organization, Task, TaskCount, TaskCountAll, TaskTrend, User, Visit, db
from models.enums import Role, TaskStatus
from workflows import counts, reach
from workflows import tasks as task_flow
from workflows.clock import local_today

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/kiemtra_nation_bench"
FLOOR = "bare page"
PLACE = province.search_key(province.PLACES[0]).replace(" ", "").upper()  # the first district's code


def add_floor(app: Flask) -> None:
    """The bare signed-in page: the base layout, its navigation and badges, no query of its own."""

    def bare_page() -> str:
        return render_template("board/too_large.html", limit=20, count=10, back=None)

    app.add_url_rule("/bench/page", "bench_page", bare_page)
    policy.register({"bench_page": policy.SIGNED_IN})


def add_users(app: Flask, country: bool) -> dict[str, str]:
    """A leader of the root (the centre in a country), of one province in a country, an inspector of
    that province's committee and an office of one of its districts."""
    tag = "01" if country else ""
    district = f"BTGHU-{province.search_key(province.PLACES[0]).replace(' ', '').upper()}{tag}"
    homes = {"leader": "TW" if country else "TU-MAU", "inspector": f"UBKTTU-MAU{tag}", "office": district}
    roles = {"leader": Role.LEADER, "inspector": Role.INSPECTOR, "office": Role.OFFICE}
    if country:
        homes["pleader"], roles["pleader"] = f"TU-MAU{tag}", Role.LEADER
    with app.app_context():
        hashed = None
        have = set(db.session.scalars(select(User.username).where(User.username.in_(list(homes)))))
        for username, code in homes.items():
            if username in have:  # a kept database measured again
                continue
            org = db.session.scalars(select(Organization).where(Organization.code == code)).one()
            user = User(username=username, role=roles[username], organization=org, display_name=username)
            if hashed is None:
                user.set_password(board.PASSWORD)
                hashed = user.password_hash
            user.password_hash = hashed
            db.session.add(user)
        db.session.commit()
    return homes


def add_unit_accounts(app: Flask, every: int) -> int:
    """An office account in every organisation but one in ``every`` (by id), as a deployment has: the
    province's open tasks that reach nobody are then those of the few units without one. Without them
    (the loader makes none) every open task reaches nobody, and the dashboard's first ten of those sort
    the whole province's open tasks. Returns how many were added (none on a database that has them)."""
    with app.app_context():
        have = set(db.session.scalars(select(User.organization_id).where(User.role == Role.OFFICE)))
        hashed = db.session.scalar(select(User.password_hash).where(User.username == "office"))
        added = 0
        for org in db.session.scalars(select(Organization).order_by(Organization.id)):
            if org.id in have or org.id % every == 0:
                continue
            user = User(
                username=f"office-{org.code.lower()}"[:60],
                role=Role.OFFICE,
                organization=org,
                display_name=f"Văn phòng {org.code}"[:120],
            )
            user.password_hash = hashed or ""
            db.session.add(user)
            added += 1
        db.session.commit()
    return added


@contextmanager
def counted_live() -> Iterator[None]:
    """The pages as before the kept counts: every count, the trend and the tasks that reach nobody
    read the tasks."""
    saved = counts.read, counts.refresh, counts.read_trend, counts.open_of_leads_sql
    reach._BUILT.clear()  # the dashboard's statements built with the kept counts: build them again
    counts.read = lambda *_args, **_kw: None  # type: ignore[assignment]
    counts.refresh = lambda *_args, **_kw: False  # type: ignore[assignment]
    counts.read_trend = lambda *_args, **_kw: None  # type: ignore[assignment]
    counts.open_of_leads_sql = lambda *_args, otherwise, **_kw: otherwise  # type: ignore[assignment]
    try:
        yield
    finally:
        counts.read, counts.refresh, counts.read_trend, counts.open_of_leads_sql = saved
        reach._BUILT.clear()


def get_ms(client: Any, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def alternate(
    floor: Callable[[], float], page: Callable[[], float], repeat: int, warmup: int
) -> dict[str, Any]:
    """Time the floor and the page in turns; medians, spreads (p10–p90) and the ratio of medians."""
    for _ in range(warmup):
        floor(), page()
    floors, pages = [], []
    for _ in range(repeat):
        floors.append(floor())
        pages.append(page())
    return {
        "median_ms": round(statistics.median(pages), 2),
        "p10_ms": round(board.percentile(pages, 0.10), 2),
        "p90_ms": round(board.percentile(pages, 0.90), 2),
        "floor_ms": round(statistics.median(floors), 2),
        "ratio": round(statistics.median(pages) / statistics.median(floors), 1),
    }


def page_list(country: bool) -> list[tuple[str, str, str]]:
    """(name, user, url) of the pages timed."""
    root = "centre" if country else "province"
    pages = [
        (f"/dashboard · leader, {root}", "leader", "/dashboard"),
        (f"/tasks · leader, {root}", "leader", "/tasks"),
    ]
    if country:
        pages += [
            ("/dashboard · leader, one province", "pleader", "/dashboard"),
            ("/tasks · leader, one province", "pleader", "/tasks"),
        ]
    return pages


def write_cost(app: Flask, repeat: int) -> dict[str, Any]:
    """One task change (a workflow step and its commit) with the counts kept and without, alternating."""
    with app.app_context():
        office = db.session.scalars(select(User).where(User.username == "office")).one()
        inspector = db.session.scalars(select(User).where(User.username == "inspector")).one()
        ids = list(
            db.session.scalars(
                select(Task.id)
                .join(Directive, Directive.id == Task.directive_id)
                .join(Visit, Visit.id == Directive.visit_id)
                .where(
                    Task.lead_org_id == office.organization_id,
                    Visit.inspecting_org_id == inspector.organization_id,
                    Task.status.in_((TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED)),
                )
                .order_by(Task.id)
                .limit(50)
            )
        )
    assert ids, "no open task of the office's unit from the inspector's committee"
    hooks = [(Session, "before_flush", counts._before_flush), (Session, "after_flush", counts._after_flush)]
    timings: dict[str, list[float]] = {"kept": [], "not kept": []}
    rng = random.Random(5)
    for turn in range(2 * repeat):
        kept = turn % 2 == 0
        if not kept:
            for target, name, fn in hooks:
                event.remove(target, name, fn)
        try:
            with app.app_context():
                actors = {
                    u.username: u
                    for u in db.session.scalars(
                        select(User).where(User.username.in_(("office", "inspector")))
                    )
                }
                task = db.session.get(Task, rng.choice(ids))
                assert task is not None
                if task.status is TaskStatus.REPORTED:
                    task_flow.return_task(task, actors["inspector"], note="Bổ sung.")
                    db.session.commit()
                start = time.perf_counter()
                if task.status is TaskStatus.IN_PROGRESS:
                    task_flow.report_task_done(task, actors["office"], note="Xong.")
                else:
                    task_flow.start_task(task, actors["office"])
                db.session.commit()
                timings["kept" if kept else "not kept"].append((time.perf_counter() - start) * 1000)
        finally:
            if not kept:
                for target, name, fn in hooks:
                    event.listen(target, name, fn)
    summary: dict[str, Any] = {}
    for name, values in timings.items():
        summary[name] = {
            "changes": len(values),
            "median_ms": round(statistics.median(values), 2),
            "p99_ms": round(board.percentile(values, 0.99), 2),
        }
    summary["added_median_ms"] = round(summary["kept"]["median_ms"] - summary["not kept"]["median_ms"], 2)
    summary["added_p99_ms"] = round(summary["kept"]["p99_ms"] - summary["not kept"]["p99_ms"], 2)
    return summary


def stats_cost(app: Flask, repeat: int, org_code: str | None) -> dict[str, Any]:
    """``kiemtra stats --json`` (in this process, through Flask's CLI runner: no start-up) against a
    raw GROUP BY of the tasks by status, alternating."""
    runner = app.test_cli_runner()

    def group_by() -> float:
        with app.app_context():
            start = time.perf_counter()
            db.session.execute(text("SELECT status, count(*) FROM task GROUP BY status")).all()
            elapsed = (time.perf_counter() - start) * 1000
            db.session.rollback()
        return elapsed

    def stats(*extra: str) -> float:
        start = time.perf_counter()
        result = runner.invoke(args=["stats", "--json", *extra])
        elapsed = (time.perf_counter() - start) * 1000
        assert result.exit_code == 0, result.output
        return elapsed

    rows = {"stats, whole database": alternate(group_by, stats, repeat, 2)}
    if org_code:
        rows[f"stats --org {org_code}"] = alternate(group_by, lambda: stats("--org", org_code), repeat, 2)
    return rows


def check_equal(app: Flask) -> bool:
    """The kept counts and the live count of the whole database agree."""
    from workflows.timeliness import EVERYTHING, count_live, count_tasks

    with app.app_context():
        kept = count_tasks(db.session, None, EVERYTHING, local_today())
        live = count_live(db.session, None, EVERYTHING, local_today())
        db.session.rollback()
    return kept == live


def database_size(app: Flask) -> dict[str, Any]:
    """PostgreSQL: the database's and the task table's size on disk (with indexes), in MB."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return {}
        row = db.session.execute(
            text(
                "SELECT pg_database_size(current_database()), pg_total_relation_size('task'),"
                " pg_relation_size('task'), pg_indexes_size('task')"
            )
        ).one()
        db.session.rollback()
    names = ("database_mb", "task_total_mb", "task_heap_mb", "task_indexes_mb")
    return {name: round(value / 2**20) for name, value in zip(names, row, strict=True)}


def reuse_target(backend: str, url: str) -> province.Target:
    """A database loaded before (``--keep``, or by an older checkout): migrated to this checkout's head
    (a new column's backfill is timed as the "migrate" step), never dropped here."""
    workdir = Path(province.tempfile.mkdtemp(prefix=f"kiemtra-bench-{backend}-"))
    return province.Target(backend, url, workdir, province.clean_environment({"KIEMTRA_DATABASE_URL": url}))


def migrate_only(app: Flask) -> dict[str, Any]:
    from flask_migrate import upgrade

    with app.app_context():
        start = time.perf_counter()
        upgrade()
        seconds = round(time.perf_counter() - start, 3)
        if db.engine.dialect.name == "postgresql":  # the new column's statistics, as autovacuum would
            db.session.execute(text("ANALYZE task"))
            db.session.commit()
        tables = (Organization, Visit, Directive, Task)
        sizes = {t.__tablename__: db.session.scalar(select(func.count()).select_from(t)) for t in tables}
        db.session.rollback()
    return {"seconds": seconds, "steps": {"migrate": seconds}, "sizes": sizes}


def run_size(backend: str, url: str | None, size: int, args: argparse.Namespace) -> dict[str, Any]:
    if args.reuse:
        assert url, "--reuse needs --database-url"
        target = reuse_target(backend, url)
    else:
        target = province.prepare_target(
            backend, url or (DEFAULT_PG_URL if backend == "postgresql" else None)
        )
    app = None
    try:
        app = create_app(
            {"DATABASE_URL": target.url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(target.workdir)}
        )
        add_floor(app)
        load_args = province.parse_args(
            [
                "--tasks",
                str(size),
                "--visits",
                str(max(100, size // 10)),
                "--provinces",
                str(args.provinces),
                "--today",
                local_today().isoformat(),
                "--chunk-size",
                "10000",
            ]
        )
        load = migrate_only(app) if args.reuse else province.load_province(app, load_args)
        db_size = database_size(app)
        with app.app_context():
            start = time.perf_counter()
            if not (args.reuse and counts.kept_day(db.session.connection()).day == local_today()):
                counts.mark_stale(db.session.connection())
                counts.rebuild(db.session.connection(), local_today(), app.config["DUE_SOON_DAYS"])
            db.session.commit()
            rebuild_s = round(time.perf_counter() - start, 3)
            kept_rows = {
                table.__tablename__: db.session.scalar(select(func.count()).select_from(table))
                for table in (TaskCount, TaskCountAll, TaskTrend)
            }
        print(
            f"[{backend} {size:,}] loaded {load['sizes']} in {load['seconds']:.1f} s;"
            f" kept rows {kept_rows}, rebuilt in {rebuild_s} s; size {db_size}; load {os.getloadavg()}",
            flush=True,
        )
        country = args.provinces > 1
        add_users(app, country)
        if args.unit_accounts:
            print(f"  office accounts added: {add_unit_accounts(app, args.unit_accounts)}", flush=True)
        users = ["leader", "inspector", "office"] + (["pleader"] if country else [])
        clients = {name: board.signed_in(app, name) for name in users}
        equal = check_equal(app)
        results = []
        for name, user, page_url in page_list(country):
            client = clients[user]
            floor = lambda client=client: get_ms(client, "/bench/page")  # noqa: E731
            page = lambda client=client, page_url=page_url: get_ms(client, page_url)  # noqa: E731
            row = {"name": name, "url": page_url, "kept": alternate(floor, page, args.repeat, args.warmup)}
            live = ""
            if args.live_repeat:
                with counted_live():
                    row["live"] = alternate(floor, page, args.live_repeat, 1)
                live = f"  live {row['live']['median_ms']:>8.2f} ms ({row['live']['ratio']:>5.1f}×)"
            results.append(row)
            print(
                f"  {name:<36} kept {row['kept']['median_ms']:>8.2f} ms ({row['kept']['ratio']:>5.1f}×"
                f" floor {row['kept']['floor_ms']:.2f}, p10–p90 {row['kept']['p10_ms']:.1f}–"
                f"{row['kept']['p90_ms']:.1f}){live}  load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        stats = stats_cost(app, args.repeat, "TU-MAU01" if country else f"HU-{PLACE}")
        for name, row in stats.items():
            ratio = f"{row['ratio']:>5.1f}× GROUP BY {row['floor_ms']:.2f}"
            print(f"  {name:<36} {row['median_ms']:>8.2f} ms ({ratio})", flush=True)
        cost = write_cost(app, args.write_repeat) if args.write_repeat else None
        if cost:
            print(f"  task change: {json.dumps(cost)}", flush=True)
        return {
            "size": size,
            "load": load,
            "database_size": db_size,
            "kept_rows": kept_rows,
            "rebuild_s": rebuild_s,
            "kept_equals_live": equal,
            "results": results,
            "stats": stats,
            "write_cost": cost,
        }
    finally:
        province.release_target(app, target, args.keep or args.reuse)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--database-url", help=f"scratch database (default: SQLite file, or {DEFAULT_PG_URL})"
    )
    parser.add_argument("--sizes", default="100000", help="task counts, comma-separated")
    parser.add_argument("--provinces", type=int, default=1, help="34: a country")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--live-repeat", type=int, default=10, help="runs of the pages counted live (0: none)"
    )
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--write-repeat", type=int, default=100, help="task changes timed (0: none)")
    parser.add_argument(
        "--unit-accounts",
        type=int,
        default=0,
        metavar="N",
        help="give every organisation but one in N an office account, as a deployment has (0: none)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database at --database-url as loaded before (migrated here, not dropped)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    document = {
        "backend": args.backend,
        "provinces": args.provinces,
        "today": local_today().isoformat(),
        "environment": province.environment(),
        "load_average": os.getloadavg(),
        "sizes": [],
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"nation-{args.backend}{'-country' if args.provinces > 1 else ''}.json"
    for size in sizes:
        document["sizes"].append(run_size(args.backend, args.database_url, size, args))
        document["load_average_end"] = os.getloadavg()
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written: {path}")


if __name__ == "__main__":
    main()
