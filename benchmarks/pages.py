"""Time the task and visit pages at the benchmark province against the same user's bare signed-in page,
in runs that alternate the two: office and leader ``/tasks``, leader and inspector ``/visits``, the
dossier ``/visits/<id>`` of the busiest and of the latest visit and ``/tasks/<id>``.

The province is ``benchmarks/province.py``'s (100,000 tasks, 10,000 visits by default). Every request
goes through the whole application in this process (``app.test_client()``, a real signed-in session
checked against the database, CSRF on), as a WSGI server would call it. The floor of each page is the
same user's bare page (the base layout with its navigation and badges, no page query), measured in the
same loop: bare, page, bare, page … ; the ratio is of the two medians. Each figure is wall-clock time and
this process's CPU time (``time.process_time``): on a shared machine a request is often preempted, and
the CPU time moves less (on PostgreSQL it leaves out the server's own work: read the wall ratio there).

    python benchmarks/pages.py                        # SQLite in a temp dir
    python benchmarks/pages.py --backend postgresql   # scratch database kiemtra_pages_bench on 127.0.0.1
    python benchmarks/pages.py --tasks 10000 --visits 1000 --repeat 10   # a quick smoke run
    python benchmarks/pages.py --keep                 # keep the database, then reuse it:
    python benchmarks/pages.py --reuse sqlite:////tmp/…/kiemtra.sqlite --only dossier
    python benchmarks/pages.py --reuse … --profile "/tasks · leader"   # cProfile and each statement

Prints each page's median (quartiles), its ratio to the bare page and the SQL statements it ran; writes
``benchmarks/results/pages-<backend>.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from flask_migrate import upgrade
from sqlalchemy import event, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
import board  # users and signing in, beside this script
import province  # the builder of the synthetic province, beside this script

from app import create_app, policy
from models import Directive, Task, User, Visit, db
from workflows.clock import local_today

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/kiemtra_pages_bench"
BARE_PAGE = '{% extends "base.html" %}{% block content %}<p>ok</p>{% endblock %}'
USERS = ("leader", "inspector", "office")


def add_routes(app: Flask) -> None:
    """The floor: the base layout for the signed-in user, declared in the policy table like every route."""
    template = app.jinja_env.from_string(BARE_PAGE)  # compiled once, like a template file
    app.add_url_rule("/bench/page", "bench_page", lambda: render_template(template))
    policy.register({"bench_page": policy.SIGNED_IN})


def add_users(app: Flask) -> None:
    """The benchmark's three users, unless a reused database has them already."""
    with app.app_context():
        if db.session.scalar(select(User.id).where(User.username == "office")) is not None:
            return
    district = f"HU-{province.search_key(province.PLACES[0]).replace(' ', '').upper()}"
    board.add_users(app, district)


def goal_pages(app: Flask) -> list[tuple[str, str, str, float]]:
    """(name, user, url, goal as × the bare page) of every page timed."""
    with app.app_context():
        busiest = db.session.execute(
            select(Directive.visit_id, func.count(Task.id))
            .join(Task, Task.directive_id == Directive.id)
            .group_by(Directive.visit_id)
            .order_by(func.count(Task.id).desc(), Directive.visit_id)
            .limit(1)
        ).one()
        latest = db.session.scalar(select(Visit.id).order_by(Visit.visited_on.desc(), Visit.id).limit(1))
        task_id = db.session.scalar(
            select(Task.id).where(Task.status == "in_progress").order_by(Task.due_on, Task.id).limit(1)
        )
        office = db.session.scalars(select(User).where(User.username == "office")).one()
        own_task = db.session.scalar(
            select(Task.id).where(Task.lead_org_id == office.organization_id).order_by(Task.id).limit(1)
        )
    return [
        ("/tasks · office of one unit", "office", "/tasks", 3),
        ("/tasks · leader, province", "leader", "/tasks", 10),
        ("/dashboard · leader, province", "leader", "/dashboard", 10),
        ("/visits · leader, page of 50", "leader", "/visits?per_page=50", 3),
        ("/visits · inspector, page of 50", "inspector", "/visits?per_page=50", 3),
        (f"/visits/<id> · busiest visit ({busiest[1]} tasks)", "leader", f"/visits/{busiest[0]}", 3),
        ("/visits/<id> · latest visit", "leader", f"/visits/{latest}", 3),
        ("/tasks/<id> · office, its own task", "office", f"/tasks/{own_task}", 3),
        ("/tasks/<id> · leader", "leader", f"/tasks/{task_id}", 3),
    ]


def getter(client: Any, url: str) -> Callable[[], Any]:
    def get() -> Any:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return get


def alternate(
    calls: list[Callable[[], Any]], repeat: int, warmup: int
) -> tuple[list[list[float]], list[list[float]]]:
    """Call each in turn, ``repeat`` rounds after ``warmup`` untimed ones: wall and CPU times in ms."""
    for _ in range(warmup):
        for call in calls:
            call()
    wall: list[list[float]] = [[] for _ in calls]
    cpu: list[list[float]] = [[] for _ in calls]
    for _ in range(repeat):
        for index, call in enumerate(calls):
            start, start_cpu = time.perf_counter(), time.process_time()
            call()
            cpu[index].append((time.process_time() - start_cpu) * 1000)
            wall[index].append((time.perf_counter() - start) * 1000)
    return wall, cpu


def spread(runs: list[float], cpu: list[float]) -> dict[str, float]:
    """Median and quartiles of the wall-clock times, median of the CPU times."""
    quartiles = statistics.quantiles(runs, n=4)
    return {
        "median_ms": round(statistics.median(runs), 3),
        "q1_ms": round(quartiles[0], 3),
        "q3_ms": round(quartiles[2], 3),
        "cpu_ms": round(statistics.median(cpu), 3),
    }


def statements(app: Flask, client: Any, url: str) -> list[tuple[str, Any]]:
    """Each SQL statement one GET of ``url`` runs, with its parameters."""
    found: list[tuple[str, Any]] = []

    def after(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        found.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", after)
    try:
        getter(client, url)()
    finally:
        event.remove(engine, "after_cursor_execute", after)
    return found


def timed_statements(app: Flask, client: Any, url: str) -> list[tuple[float, str]]:
    """Each statement of one GET run again on its own, rows fetched: its median time of 5, in ms."""
    timed = []
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            for statement, parameters in statements(app, client, url):
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                runs = []
                for _ in range(5):
                    cursor = connection.cursor()
                    start = time.perf_counter()
                    cursor.execute(statement, parameters)
                    if cursor.description:
                        cursor.fetchall()
                    runs.append((time.perf_counter() - start) * 1000)
                    cursor.close()
                timed.append((statistics.median(runs), statement))
            connection.rollback()
        finally:
            connection.close()
    return timed


def profile(app: Flask, client: Any, url: str, rounds: int, width: int = 1500) -> None:
    """Print the statements of one GET (slowest first) and a cProfile of ``rounds`` GETs."""
    get = getter(client, url)
    get()
    ran = timed_statements(app, client, url)
    print(f"\n{len(ran)} statements, {sum(ms for ms, _ in ran):.1f} ms run again alone, rows fetched:")
    for ms, statement in sorted(ran, reverse=True)[:12]:
        print(f"  {ms:8.2f} ms  {' '.join(statement.split())[:width]}")
    if not rounds:
        return
    gc.collect()
    gc.freeze()  # the collector's pauses land on whatever runs then: keep them out of the profile
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        get()
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(60)
    stats.sort_stats("tottime").print_stats(30)


def run(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    """Load (or reuse) the province on one backend, then time every page against its bare page."""
    if args.reuse:
        target = None
        url = args.reuse
    else:
        target = province.prepare_target(
            backend, args.database_url or (DEFAULT_PG_URL if backend == "postgresql" else None)
        )
        url = target.url
    workdir = target.workdir if target is not None else Path(tempfile.mkdtemp(prefix="kiemtra-pages-"))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(workdir)})
    try:
        add_routes(app)
        if target is not None:
            load = province.load_province(app, args)
            print(f"[{backend}] loaded {load['sizes']} in {load['seconds']:.1f} s", flush=True)
        else:
            with app.app_context():
                upgrade()  # a reused database gets the migrations made since it was built
            load = {"reused": url}
        add_users(app)
        clients = {name: board.signed_in(app, name) for name in USERS}
        chosen = [p for p in goal_pages(app) if not args.only or any(o in p[0] for o in args.only)]
        if args.profile is not None:
            for name, user, page_url, _goal in chosen:
                if args.profile in name:
                    print(f"\n== {name}: {page_url}")
                    profile(app, clients[user], page_url, args.repeat)
            return {}
        load_before = os.getloadavg()
        pages = []
        for name, user, page_url, goal in chosen:
            calls = [getter(clients[user], "/bench/page"), getter(clients[user], page_url)]
            (bare_runs, page_runs), (bare_cpu, page_cpu) = alternate(calls, args.repeat, args.warmup)
            row = {
                "name": name,
                "user": user,
                "url": page_url,
                "goal": goal,
                "bare": spread(bare_runs, bare_cpu),
                "page": spread(page_runs, page_cpu),
                "statements": len(statements(app, clients[user], page_url)),
                "loadavg": os.getloadavg()[0],
            }
            row["ratio"] = round(row["page"]["median_ms"] / row["bare"]["median_ms"], 2)
            row["cpu_ratio"] = round(row["page"]["cpu_ms"] / row["bare"]["cpu_ms"], 2)
            pages.append(row)
            print(
                f"  {name:<44} {row['page']['median_ms']:8.2f} ms  bare {row['bare']['median_ms']:6.2f}"
                f"  ×{row['ratio']} (CPU ×{row['cpu_ratio']})",
                flush=True,
            )
        return {
            "backend": backend,
            "server": province.server_version(app),
            "today": args.today.isoformat(),
            "repeat": args.repeat,
            "load": load,
            "loadavg": {"before": load_before, "after": os.getloadavg()},
            "pages": pages,
        }
    finally:
        if target is not None:
            province.release_target(app, target, args.keep)
        else:
            with app.app_context():
                db.engine.dispose()


def print_report(document: dict[str, Any]) -> None:
    """Each page against its bare page."""
    heading = f"{document['backend']}: {document['server']}, today {document['today']}"
    print(f"\n== {heading}, {document['repeat']} rounds; load average {document['loadavg']}")
    print(f"{'page':<44} {'ms (q1–q3)':>24} {'bare ms':>8} {'×bare':>6} {'CPU ×':>6} {'SQL':>4} {'goal':>5}")
    for row in document["pages"]:
        page = row["page"]
        print(
            f"{row['name']:<44} {page['median_ms']:>8.2f} ({page['q1_ms']:.2f}–{page['q3_ms']:.2f})"
            f" {row['bare']['median_ms']:>8.2f} {row['ratio']:>6.2f} {row['cpu_ratio']:>6.2f}"
            f" {row['statements']:>4} {row['goal']:>4}×"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line; the province's own options keep their defaults."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument(
        "--database-url", help=f"scratch database (default: a new SQLite file, or {DEFAULT_PG_URL})"
    )
    parser.add_argument("--reuse", help="a database kept by an earlier run (--keep): no load")
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=40, help="rounds of each page with its bare page")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", action="append", help="time the pages whose name contains this")
    parser.add_argument("--profile", help="profile the page whose name contains this instead of timing")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    own = parser.parse_args(argv)
    # The pages judge timeliness as of the real today, so the province is built for it.
    args = province.parse_args(
        ["--tasks", str(own.tasks), "--visits", str(own.visits), "--today", local_today().isoformat()]
    )
    for key in ("repeat", "warmup", "keep", "backend", "database_url", "reuse", "only", "profile"):
        setattr(args, key, getattr(own, key))
    if own.reuse:  # a reused database says which backend it is (its results go to that backend's file)
        args.backend = "postgresql" if own.reuse.startswith("postgres") else "sqlite"
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark on the chosen backend(s)."""
    args = parse_args(argv)
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        document = run(backend, args)
        if not document:
            continue
        print_report(document)
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"pages-{backend}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written: {path}")


if __name__ == "__main__":
    main()
