"""Time the task board (``/tasks``, ``/tasks/<id>``) and the dashboard (``/dashboard``) on the
100,000-task synthetic province of ``benchmarks/province.py``, next to bare pages measured in the same run.

Every request goes through the whole application in this process (``app.test_client()``, a fresh app
context per request, a real signed-in session, CSRF on), as a WSGI server would call it. Floors:

| floor | what runs |
|-------|-----------|
| bare route | a route that returns "ok": routing, the policy check, session and CSRF hooks |
| bare page | the board's smallest template (the base layout and its navigation) for the same signed-in |
|           | user: the sign-in lookup and every feature's header links, no query of the board's own |

    python benchmarks/board.py                        # SQLite in a temp dir
    python benchmarks/board.py --backend postgresql   # scratch database kiemtra_board_bench on 127.0.0.1
    python benchmarks/board.py --tasks 10000 --visits 1000 --repeat 10   # a quick smoke run

Prints median and 95th percentile of each page, their ratio to the floors, and the queries each page
ran; writes ``benchmarks/results/board-<backend>.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from sqlalchemy import event, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
import province  # the builder of the synthetic province, beside this script

from app import create_app, policy
from models import Organization, Task, User, db
from models.enums import Role
from workflows.clock import local_today
from workflows.timeliness import count_timeliness

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/kiemtra_board_bench"
PASSWORD = "mật-khẩu-đo"  # noqa: S105 - a scratch database, dropped at the end
FLOORS = ("bare route", "bare page")


def add_routes(app: Flask) -> None:
    """The two floors, declared in the policy table like every route."""
    app.add_url_rule("/bench/hello", "bench_hello", lambda: "ok")

    def bare_page() -> str:
        return render_template("board/too_large.html", limit=20, count=10, back=None)

    app.add_url_rule("/bench/page", "bench_page", bare_page)
    policy.register({"bench_hello": policy.PUBLIC, "bench_page": policy.SIGNED_IN})


def add_users(app: Flask, district: str) -> dict[str, str]:
    """A leader of the province, an inspector of its inspection committee, an office of one district."""
    homes = {"leader": "TU-MAU", "inspector": "UBKTTU-MAU", "office": district.replace("HU-", "BTGHU-")}
    roles = {"leader": Role.LEADER, "inspector": Role.INSPECTOR, "office": Role.OFFICE}
    with app.app_context():
        hashed = None
        for username, code in homes.items():
            org = db.session.scalars(select(Organization).where(Organization.code == code)).one()
            user = User(username=username, role=roles[username], organization=org, display_name=username)
            if hashed is None:
                user.set_password(PASSWORD)
                hashed = user.password_hash
            user.password_hash = hashed
            db.session.add(user)
        db.session.commit()
    return homes


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


def count_queries(app: Flask, client: Any, url: str) -> int:
    """How many SQL statements one GET of ``url`` runs."""
    counted = [0]

    def count(*_args: Any) -> None:
        counted[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counted[0]


def pages(app: Flask, district_code: str, today: date) -> list[tuple[str, str, str]]:
    """(name, user, url) of every page timed; the floors first."""
    with app.app_context():
        district = db.session.scalars(select(Organization).where(Organization.code == district_code)).one()
        unit = db.session.scalars(
            select(Organization).where(Organization.code == district_code.replace("HU-", "BTGHU-"))
        ).one()
        busy = db.session.scalar(
            select(Task.id).where(Task.status == "in_progress").order_by(Task.due_on, Task.id).limit(1)
        )
        visit = db.session.scalar(select(Task.directive_id).where(Task.id == busy))
    year = f"01/01/{today.year}"
    return [
        ("bare route", "leader", "/bench/hello"),
        ("bare page", "leader", "/bench/page"),
        ("/tasks · office of one unit", "office", "/tasks"),
        ("/tasks · leader, province (100k)", "leader", "/tasks"),
        ("/tasks · leader, overdue only", "leader", "/tasks?timeliness=overdue"),
        ("/tasks · leader, page 200", "leader", "/tasks?page=200"),
        (
            "/tasks · a dashboard link (unit, period)",
            "leader",
            f"/tasks?scope=1&lead={unit.id}&assigned_from={today.year}-01-01&timeliness=on_time",
        ),
        ("/tasks/<id> · leader", "leader", f"/tasks/{busy}"),
        ("/dashboard · leader, province, all time", "leader", "/dashboard"),
        ("/dashboard · leader, province, this year", "leader", f"/dashboard?org=1&period_from={year}"),
        ("/dashboard · leader, one district", "leader", f"/dashboard?org={district.id}"),
        ("/dashboard · inspector, its committee", "inspector", "/dashboard"),
    ] + ([("/tasks · one visit", "leader", f"/tasks?visit={visit}")] if visit else [])


def check_dashboard(app: Flask, client: Any, today: date) -> dict[str, Any]:
    """The dashboard's total row against the shared aggregate on the big database."""
    page = client.get("/dashboard").get_data(as_text=True)
    row = page[page.index('id="total-row"') :]
    row = row[: row.index("</tr>")]
    shown = [int(n) for n in re.findall(r"<a[^>]*>(\d+)</a>", row)]
    with app.app_context():
        root = db.session.scalars(select(Organization).where(Organization.parent_id.is_(None))).one()
        shared = count_timeliness(db.session, today, root)
    expected = [
        shared.total,
        shared.on_time,
        shared.late,
        shared.open_within,
        shared.overdue,
        shared.no_deadline,
    ]
    return {"dashboard_total_row": shown, "count_timeliness": expected, "equal": shown == expected}


def run(backend: str, url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    """Load the province on one backend, then time every page against the floors."""
    target = province.prepare_target(backend, url or (DEFAULT_PG_URL if backend == "postgresql" else None))
    app = None
    try:
        app = create_app(
            {"DATABASE_URL": target.url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(target.workdir)}
        )
        add_routes(app)
        load = province.load_province(app, args)
        print(f"[{backend}] loaded {load['sizes']} in {load['seconds']:.1f} s", flush=True)
        district = f"HU-{province.search_key(province.PLACES[0]).replace(' ', '').upper()}"
        add_users(app, district)
        clients = {name: signed_in(app, name) for name in ("leader", "inspector", "office")}
        check = check_dashboard(app, clients["leader"], args.today)
        results = []
        for name, user, page_url in pages(app, district, args.today):
            runs = time_get(clients[user], page_url, args.repeat, args.warmup)
            queries = count_queries(app, clients[user], page_url)
            results.append(
                {
                    "name": name,
                    "user": user,
                    "url": page_url,
                    "median_ms": round(statistics.median(runs), 2),
                    "p95_ms": round(percentile(runs, 0.95), 2),
                    "queries": queries,
                    "runs_ms": [round(r, 2) for r in runs],
                }
            )
            print(
                f"  {name:<48} {results[-1]['median_ms']:>9.2f} ms  p95 {results[-1]['p95_ms']:>9.2f}",
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
            "check": check,
            "environment": province.environment(),
            "results": results,
        }
    finally:
        province.release_target(app, target, args.keep)


def print_report(document: dict[str, Any]) -> None:
    """A table of the pages with their ratio to each floor."""
    heading = f"{document['backend']}: {document['server']}, today {document['today']}"
    print(f"\n== {heading}, {document['repeat']} runs")
    print("check:", json.dumps(document["check"]))
    print(f"{'':<48} {'median ms':>10} {'p95 ms':>9} {'queries':>8} {'x route':>8} {'x page':>8}")
    for row in document["results"]:
        ratios = " ".join(f"{row['ratios'][f]:>8.1f}" for f in FLOORS)
        print(
            f"{row['name']:<48} {row['median_ms']:>10.2f} {row['p95_ms']:>9.2f} {row['queries']:>8} {ratios}"
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
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    own = parser.parse_args(argv)
    # The pages count as of the real today, so the province is built for it.
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
        path = RESULTS_DIR / f"board-{backend}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written: {path}")


if __name__ == "__main__":
    main()
