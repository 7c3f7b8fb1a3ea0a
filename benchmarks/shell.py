"""Time kiemtra's bare signed-in page part by part, and the pages that should cost little more than it,
against a plain Flask page rendered from a template file, all in runs that alternate with their floors.

The province is ``benchmarks/province.py``'s (100,000 tasks by default). Every request goes through the
whole application in this process (``test_client()``, a real server-side session, CSRF on).

The floor is a separate ``Flask`` app rendering ``benchmarks/plain/page.html``, a template file with the
same markup as kiemtra's layout (navigation list, two forms, footer, static links) and no database.
The bare page's parts, each a route of kiemtra measured in the same loop:

| row | what it adds to the row above |
|-----|-------------------------------|
| kiemtra route, public | kiemtra's hooks: policy, guards, CSRF, session cookie, request log |
| signed-in route | the session check: the user and its unit (one statement, its transaction) |
| + navigation links | the links the role may follow (addresses and words kept per role and language) |
| + badges | the whole header (``navigation.header()``): the links' counts (unread inbox, waiting |
|          | reports, overdue tasks) in one statement, the user's name and unit, the CSRF token |
| bare page | the layout rendered: its words, the language switch, static addresses |

Each part runs for a leader, an inspector, an office and a leader whose interface is in English.

Then each page of the goals (office ``/tasks``, ``/visits``, the detail pages) alternates with the floor
and the same user's bare page; its ratio is of medians from the same loop.

    python benchmarks/shell.py                        # SQLite in a temp dir
    python benchmarks/shell.py --backend postgresql   # scratch database kiemtra_shell_bench on 127.0.0.1
    python benchmarks/shell.py --tasks 10000 --visits 1000 --repeat 50   # a quick smoke run

Writes ``benchmarks/results/shell-<backend>.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from flask_login import current_user
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
import board  # users and signing in, beside this script
import province  # the builder of the synthetic province, beside this script

import app as kiemtra_app
from app import create_app, navigation, policy
from app.jinja import interface_language
from models import Directive, Task, User, Visit, db
from workflows.clock import local_today

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/kiemtra_shell_bench"
PLAIN_DIR = Path(__file__).resolve().parent / "plain"
BARE_PAGE = '{% extends "base.html" %}{% block content %}<p>ok</p>{% endblock %}'
PARTS = (
    ("plain Flask, template file", "plain", "/"),
    ("kiemtra route, public", "", "/bench/public"),
    ("signed-in route", "*", "/bench/signed"),
    ("+ navigation links", "*", "/bench/links"),
    ("+ badges", "*", "/bench/badges"),
    ("bare page", "*", "/bench/page"),
)


def add_routes(app: Flask) -> Any:
    """The parts of the bare page as routes of kiemtra, and the plain app (a test client)."""
    template = app.jinja_env.from_string(BARE_PAGE)  # compiled once, like a template file

    def links() -> str:
        navigation.role_links(current_user.role, interface_language())
        return "ok"

    def badges() -> str:
        navigation.header()
        return "ok"

    app.add_url_rule("/bench/public", "bench_public", lambda: "ok")
    app.add_url_rule("/bench/signed", "bench_signed", lambda: "ok" if current_user.is_authenticated else "no")
    app.add_url_rule("/bench/links", "bench_links", links)
    app.add_url_rule("/bench/badges", "bench_badges", badges)
    app.add_url_rule("/bench/page", "bench_page", lambda: render_template(template))
    policy.register(
        {
            "bench_public": policy.PUBLIC,
            "bench_signed": policy.SIGNED_IN,
            "bench_links": policy.SIGNED_IN,
            "bench_badges": policy.SIGNED_IN,
            "bench_page": policy.SIGNED_IN,
        }
    )
    static = Path(kiemtra_app.__file__).resolve().parent / "static"
    plain = Flask("plain", template_folder=str(PLAIN_DIR), static_folder=str(static))
    items = [
        {"url": f"/page-{n}", "label": label, "badge": badge}
        for n, (label, badge) in enumerate(
            [("Hồ sơ đoàn", None), ("Nhiệm vụ", 3), ("Tổng hợp", None), ("Văn bản", None), ("Thông báo", 2)]
        )
    ]

    def page() -> str:
        return render_template(
            "page.html", title="ok", items=items, user="leader", unit="Tỉnh ủy", token="x" * 91
        )

    plain.add_url_rule("/", "page", page)
    return plain.test_client()


def add_english_leader(app: Flask) -> None:
    """A second leader of the province whose interface is in English."""
    with app.app_context():
        leader = db.session.scalars(select(User).where(User.username == "leader")).one()
        db.session.add(
            User(
                username="leader_en",
                role=leader.role,
                organization_id=leader.organization_id,
                display_name="leader_en",
                password_hash=leader.password_hash,
                locale="en",
            )
        )
        db.session.commit()


def alternate(
    calls: list[Callable[[], Any]], repeat: int, warmup: int
) -> tuple[list[list[float]], list[list[float]]]:
    """Call each in turn, ``repeat`` rounds after ``warmup`` untimed ones: each call's wall-clock times
    and this process's CPU times, in ms. On a loaded machine the CPU time moves less: it leaves out the
    waits for a core (but also PostgreSQL's own work, which runs in its server process)."""
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


def getter(client: Any, url: str) -> Callable[[], Any]:
    def get() -> Any:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return get


def spread(runs: list[float]) -> dict[str, float]:
    """Median, and the quartiles around it."""
    quartiles = statistics.quantiles(runs, n=4)
    return {
        "median_ms": round(statistics.median(runs), 3),
        "q1_ms": round(quartiles[0], 3),
        "q3_ms": round(quartiles[2], 3),
    }


def goal_pages(app: Flask) -> list[tuple[str, str, str]]:
    """(name, user, url) of each page whose goal is 3× the bare page."""
    with app.app_context():
        visit_id = db.session.execute(
            select(Directive.visit_id)
            .join(Task, Task.directive_id == Directive.id)
            .group_by(Directive.visit_id)
            .order_by(func.count(Task.id).desc(), Directive.visit_id)
            .limit(1)
        ).scalar_one()
        latest = db.session.scalar(select(Visit.id).order_by(Visit.visited_on.desc(), Visit.id).limit(1))
        task_id = db.session.scalar(
            select(Task.id).where(Task.status == "in_progress").order_by(Task.due_on, Task.id).limit(1)
        )
        office = db.session.scalars(select(User).where(User.username == "office")).one()
        own_task = db.session.scalar(
            select(Task.id).where(Task.lead_org_id == office.organization_id).order_by(Task.id).limit(1)
        )
    return [
        ("/tasks · office of one unit", "office", "/tasks"),
        ("/tasks/<id> · office, its own task", "office", f"/tasks/{own_task}"),
        ("/visits · leader, page of 50", "leader", "/visits?per_page=50"),
        ("/visits · inspector, page of 50", "inspector", "/visits?per_page=50"),
        ("/visits/<id> · busiest visit", "leader", f"/visits/{visit_id}"),
        ("/visits/<id> · latest visit", "leader", f"/visits/{latest}"),
        ("/tasks/<id> · leader", "leader", f"/tasks/{task_id}"),
        ("/inbox · office", "office", "/inbox"),
    ]


def run(backend: str, url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    """Load the province on one backend, then time the parts and the pages."""
    target = province.prepare_target(backend, url or (DEFAULT_PG_URL if backend == "postgresql" else None))
    app = None
    try:
        app = create_app(
            {"DATABASE_URL": target.url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(target.workdir)}
        )
        plain = add_routes(app)
        load = province.load_province(app, args)
        print(f"[{backend}] loaded {load['sizes']} in {load['seconds']:.1f} s", flush=True)
        district = f"HU-{province.search_key(province.PLACES[0]).replace(' ', '').upper()}"
        board.add_users(app, district)
        add_english_leader(app)
        clients = {"": app.test_client(), "plain": plain}
        for name in ("leader", "inspector", "office", "leader_en"):
            clients[name] = board.signed_in(app, name)
        load_before = os.getloadavg()
        parts: dict[str, list[dict[str, Any]]] = {}
        for user in ("leader", "inspector", "office", "leader_en"):
            calls = [getter(clients[user if who == "*" else who], u) for _, who, u in PARTS]
            times, cpu = alternate(calls, args.repeat, args.warmup)
            parts[user] = [
                {"name": name, **spread(runs), "cpu_ms": round(statistics.median(cpu_runs), 3)}
                for (name, _, _), runs, cpu_runs in zip(PARTS, times, cpu, strict=True)
            ]
            floor = parts[user][0]["median_ms"]
            floor_cpu = parts[user][0]["cpu_ms"]
            for row in parts[user]:
                row["ratio_to_plain"] = round(row["median_ms"] / floor, 2)
                row["cpu_ratio_to_plain"] = round(row["cpu_ms"] / floor_cpu, 2)
            print(f"  parts, {user}:", ", ".join(f"{r['name']} {r['median_ms']:.2f}" for r in parts[user]))
        pages = []
        for name, user, page_url in [] if args.parts_only else goal_pages(app):
            calls = [
                getter(clients["plain"], "/"),
                getter(clients[user], "/bench/page"),
                getter(clients[user], page_url),
            ]
            (plain_runs, bare_runs, page_runs), cpu = alternate(calls, args.page_repeat, args.warmup)
            row = {
                "name": name,
                "user": user,
                "url": page_url,
                "plain": spread(plain_runs),
                "bare": spread(bare_runs),
                "page": spread(page_runs),
            }
            for key, runs in zip(("plain", "bare", "page"), cpu, strict=True):
                row[key]["cpu_ms"] = round(statistics.median(runs), 3)
            row["ratio_to_bare"] = round(row["page"]["median_ms"] / row["bare"]["median_ms"], 2)
            row["cpu_ratio_to_bare"] = round(row["page"]["cpu_ms"] / row["bare"]["cpu_ms"], 2)
            row["bare_to_plain"] = round(row["bare"]["median_ms"] / row["plain"]["median_ms"], 2)
            pages.append(row)
            print(
                f"  {name:<40} {row['page']['median_ms']:8.2f} ms  ×{row['ratio_to_bare']} bare", flush=True
            )
        return {
            "backend": backend,
            "server": province.server_version(app),
            "today": args.today.isoformat(),
            "repeat": args.repeat,
            "page_repeat": args.page_repeat,
            "load": load,
            "loadavg": {"before": load_before, "after": os.getloadavg()},
            "environment": province.environment(),
            "parts": parts,
            "pages": pages,
        }
    finally:
        province.release_target(app, target, args.keep)


def print_report(document: dict[str, Any]) -> None:
    """The parts of the bare page per user, then the pages against it."""
    heading = f"{document['backend']}: {document['server']}, today {document['today']}"
    print(f"\n== {heading}; load average {document['loadavg']}")
    users = list(document["parts"])
    print("wall ms: median (q1–q3) ×plain | CPU ms ×plain")
    print(f"{'':<28}" + "".join(f"{u:>36}" for u in users))
    for index, (name, _, _) in enumerate(PARTS):
        cells = []
        for user in users:
            row = document["parts"][user][index]
            cells.append(
                f"{row['median_ms']:.2f} ({row['q1_ms']:.2f}–{row['q3_ms']:.2f}) ×{row['ratio_to_plain']:.1f}"
                f" | {row['cpu_ms']:.2f} ×{row['cpu_ratio_to_plain']:.1f}"
            )
        print(f"{name:<28}" + "".join(f"{c:>36}" for c in cells))
    print(f"\n{'page':<40} {'ms (q1–q3)':>22} {'bare':>7} {'plain':>6} {'×bare':>6} {'CPU ×bare':>9}")
    for row in document["pages"]:
        page = row["page"]
        print(
            f"{row['name']:<40} {page['median_ms']:>8.2f} ({page['q1_ms']:.2f}–{page['q3_ms']:.2f})"
            f" {row['bare']['median_ms']:>7.2f} {row['plain']['median_ms']:>6.2f}"
            f" {row['ratio_to_bare']:>6.2f} {row['cpu_ratio_to_bare']:>9.2f}"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line; the province's own options keep their defaults."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument(
        "--database-url", help=f"scratch database (default: a new SQLite file, or {DEFAULT_PG_URL})"
    )
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200, help="rounds of the bare page's parts")
    parser.add_argument("--page-repeat", type=int, default=40, help="rounds of each page with its floors")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--parts-only", action="store_true", help="the bare page's parts, not the pages")
    own = parser.parse_args(argv)
    args = province.parse_args(
        ["--tasks", str(own.tasks), "--visits", str(own.visits), "--today", local_today().isoformat()]
    )
    args.repeat, args.page_repeat, args.warmup, args.keep = own.repeat, own.page_repeat, own.warmup, own.keep
    args.backend, args.database_url, args.parts_only = own.backend, own.database_url, own.parts_only
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark on the chosen backend(s)."""
    args = parse_args(argv)
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        document = run(backend, args.database_url, args)
        print_report(document)
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"shell-{backend}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written: {path}")


if __name__ == "__main__":
    main()
