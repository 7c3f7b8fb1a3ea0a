"""Time the workspace pages (``/visits``, a page of 50, and the dossier ``/visits/<id>``) on the
10,000-visit synthetic province of ``benchmarks/province.py``, next to bare Flask pages measured in the
same run.

Every request goes through the whole application in this process (``app.test_client()``, a fresh app
context per request, a real signed-in session checked against the database, CSRF on), as a WSGI
server would call it. Floors, measured in the same run:

| floor | what runs |
|-------|-----------|
| bare Flask | a separate ``Flask(__name__)`` app whose only route returns "ok": the framework alone |
| bare route | a route of kiemtra that returns "ok": routing, policy check, sign-in lookup, session, CSRF |
| bare page | the base layout for the same signed-in user: navigation of every feature, no page query |

    python benchmarks/pages.py                        # SQLite in a temp dir
    python benchmarks/pages.py --backend postgresql   # scratch database kiemtra_pages_bench on 127.0.0.1
    python benchmarks/pages.py --visits 1000 --tasks 10000 --repeat 10   # a quick smoke run

Prints the median and the 95th percentile of each page, their ratio to the floors and the SQL statements
each page ran; writes ``benchmarks/results/pages-<backend>.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from sqlalchemy import event, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
import province  # the builder of the synthetic province, beside this script

from app import create_app, policy
from models import Directive, Organization, Task, User, Visit, db
from models.enums import Role
from workflows.clock import local_today

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/kiemtra_pages_bench"
PASSWORD = "mật-khẩu-đo"  # noqa: S105 - a scratch database, dropped at the end
FLOORS = ("bare Flask", "bare route", "bare page")
BARE_PAGE = '{% extends "base.html" %}{% block content %}<p>ok</p>{% endblock %}'


def add_routes(app: Flask) -> Any:
    """kiemtra's two floors, declared in the policy table like every route; and the bare Flask app."""
    app.add_url_rule("/bench/hello", "bench_hello", lambda: "ok")
    template = app.jinja_env.from_string(BARE_PAGE)  # compiled once, like a template file
    app.add_url_rule("/bench/page", "bench_page", lambda: render_template(template))
    policy.register({"bench_hello": policy.SIGNED_IN, "bench_page": policy.SIGNED_IN})
    bare = Flask("bare")
    bare.add_url_rule("/", "hello", lambda: "ok")
    return bare.test_client()


def add_users(app: Flask) -> None:
    """A leader of the province (every visit in scope) and an inspector of its inspection committee."""
    homes = {"leader": ("TU-MAU", Role.LEADER), "inspector": ("UBKTTU-MAU", Role.INSPECTOR)}
    with app.app_context():
        hashed = None
        for username, (code, role) in homes.items():
            org = db.session.scalars(select(Organization).where(Organization.code == code)).one()
            user = User(username=username, role=role, organization=org, display_name=username)
            if hashed is None:
                user.set_password(PASSWORD)
                hashed = user.password_hash
            user.password_hash = hashed
            db.session.add(user)
        db.session.commit()


def signed_in(app: Flask, username: str) -> Any:
    """A client signed in through the real form, CSRF token included."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"username": username, "password": PASSWORD}
    if token:
        data["csrf_token"] = token.group(1)
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def time_get(client: Any, url: str, repeat: int, warmup: int) -> list[float]:
    """GET ``url`` ``warmup`` times untimed, then ``repeat`` times; the times in ms."""
    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        runs.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return runs


def count_queries(app: Flask, client: Any, url: str) -> tuple[int, str]:
    """How many SQL statements one GET of ``url`` runs, and the page it returned."""
    counted = [0]

    def count(*_args: Any) -> None:
        counted[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get(url).get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counted[0], page


def busiest_visit(app: Flask) -> tuple[int, int, int]:
    """The visit with the most tasks: (id, directives, tasks)."""
    with app.app_context():
        visit_id, tasks = db.session.execute(
            select(Directive.visit_id, func.count(Task.id))
            .join(Task, Task.directive_id == Directive.id)
            .group_by(Directive.visit_id)
            .order_by(func.count(Task.id).desc(), Directive.visit_id)
            .limit(1)
        ).one()
        directives = db.session.scalar(select(func.count(Directive.id)).where(Directive.visit_id == visit_id))
    return visit_id, directives or 0, tasks


def pages(app: Flask) -> list[tuple[str, str, str]]:
    """(name, user, url) of every page timed; the floors first."""
    visit_id, directives, tasks = busiest_visit(app)
    with app.app_context():
        typical = db.session.scalar(select(Visit.id).order_by(Visit.visited_on.desc(), Visit.id).limit(1))
    return [
        ("bare Flask", "", "/"),
        ("bare route", "leader", "/bench/hello"),
        ("bare page", "leader", "/bench/page"),
        ("/visits · leader, 10,000 in scope, page of 50", "leader", "/visits?per_page=50"),
        ("/visits · inspector, its committee, page of 50", "inspector", "/visits?per_page=50"),
        (
            "/visits · leader, search 'phong chong' (no tone marks)",
            "leader",
            "/visits?q=phong+chong&per_page=50",
        ),
        ("/visits · leader, by unit, page 100", "leader", "/visits?sort=unit&page=100&per_page=50"),
        ("/visits · leader, concluded in 2025", "leader", "/visits?status=concluded&date_from=01/01/2025"),
        (f"/visits/<id> · busiest ({directives} directives, {tasks} tasks)", "leader", f"/visits/{visit_id}"),
        ("/visits/<id> · the latest visit", "leader", f"/visits/{typical}"),
    ]


def run(backend: str, url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    """Load the province on one backend, then time every page against the floors."""
    target = province.prepare_target(backend, url or (DEFAULT_PG_URL if backend == "postgresql" else None))
    app = None
    try:
        app = create_app(
            {"DATABASE_URL": target.url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(target.workdir)}
        )
        bare = add_routes(app)
        load = province.load_province(app, args)
        print(f"[{backend}] loaded {load['sizes']} in {load['seconds']:.1f} s", flush=True)
        add_users(app)
        clients = {"": bare, **{name: signed_in(app, name) for name in ("leader", "inspector")}}
        results = []
        for name, user, page_url in pages(app):
            runs = time_get(clients[user], page_url, args.repeat, args.warmup)
            queries, page = count_queries(app, clients[user], page_url) if user else (0, "")
            rows = page.count("<tr") - page.count("<thead") if "/visits?" in page_url else None
            results.append(
                {
                    "name": name,
                    "user": user or "none",
                    "url": page_url,
                    "median_ms": round(statistics.median(runs), 2),
                    "p95_ms": round(percentile(runs, 0.95), 2),
                    "queries": queries,
                    "rows": rows,
                    "runs_ms": [round(r, 2) for r in runs],
                }
            )
            print(
                f"  {name:<62} {results[-1]['median_ms']:>9.2f} ms  p95 {results[-1]['p95_ms']:>9.2f}",
                flush=True,
            )
        floors = {r["name"]: r["median_ms"] for r in results if r["name"] in FLOORS}
        for row in results:
            row["ratios"] = {f: round(row["median_ms"] / floors[f], 1) for f in FLOORS}
        return {
            "backend": backend,
            "server": province.server_version(app),
            "today": args.today.isoformat(),
            "repeat": args.repeat,
            "load": load,
            "environment": province.environment(),
            "results": results,
        }
    finally:
        province.release_target(app, target, args.keep)


def print_report(document: dict[str, Any]) -> None:
    """A table of the pages with their ratio to each floor."""
    heading = f"{document['backend']}: {document['server']}, today {document['today']}"
    print(f"\n== {heading}, {document['repeat']} runs")
    header = " ".join(f"{'x ' + f.split()[-1]:>8}" for f in FLOORS)
    print(f"{'':<62} {'median ms':>10} {'p95 ms':>9} {'queries':>8} {header}")
    for row in document["results"]:
        ratios = " ".join(f"{row['ratios'][f]:>8.1f}" for f in FLOORS)
        print(
            f"{row['name']:<62} {row['median_ms']:>10.2f} {row['p95_ms']:>9.2f} {row['queries']:>8} {ratios}"
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
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    own = parser.parse_args(argv)
    # The pages judge timeliness as of the real today, so the province is built for it.
    args = province.parse_args(
        ["--tasks", str(own.tasks), "--visits", str(own.visits), "--today", local_today().isoformat()]
    )
    args.repeat, args.warmup, args.keep = own.repeat, own.warmup, own.keep
    args.backend, args.database_url = own.backend, own.database_url
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark on the chosen backend(s)."""
    args = parse_args(argv)
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        document = run(backend, args.database_url, args)
        print_report(document)
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"pages-{backend}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written: {path}")


if __name__ == "__main__":
    main()
