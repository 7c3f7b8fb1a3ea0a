"""Time the JSON API's task list (``/api/v1/tasks``, a page of 50) on the synthetic province of
``benchmarks/province.py`` (100,000 tasks), next to floors measured in the same run.

Every request goes through the whole application in this process (``app.test_client()``, a fresh app
context per request, the bearer token looked up in the database, the policy table), as a WSGI server
would call it. The rate limit is raised out of the way. Floors, measured in the same run:

- bare Flask JSON: a separate ``Flask(__name__)`` app whose only route returns the same 50 rows (the
  API's own answer, prebuilt) with ``json.dumps``: the framework and the serialisation alone;
- bare API route: ``/api/v1/me``: routing, the token lookup, the policy table, one small JSON answer.

    python benchmarks/api.py                        # SQLite in a temp dir
    python benchmarks/api.py --backend postgresql   # scratch database kiemtra_api_bench on 127.0.0.1
    python benchmarks/api.py --visits 1000 --tasks 10000 --repeat 10   # a quick smoke run

Prints the median and the 95th percentile of each request, their ratio to the floors and the SQL
statements each ran; writes ``benchmarks/results/api-<backend>.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
import province  # the builder of the synthetic province, beside this script

from app import create_app
from models import Organization, Task, User, db
from models.enums import Role
from workflows import api_tokens
from workflows.clock import local_today

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/kiemtra_api_bench"
FLOORS = ("bare Flask JSON", "bare API route")


def add_users(app: Flask) -> dict[str, str]:
    """A leader of the province (every task in scope) and an office of the busiest lead unit, each
    with a token; returns their Authorization headers' values by name."""
    with app.app_context():
        busiest = db.session.scalar(
            select(Task.lead_org_id).group_by(Task.lead_org_id).order_by(func.count(Task.id).desc()).limit(1)
        )
        homes = {
            "leader": db.session.scalars(select(Organization).where(Organization.code == "TU-MAU")).one(),
            "office": db.session.get(Organization, busiest),
        }
        secrets = {}
        for username, org in homes.items():
            role = Role.LEADER if username == "leader" else Role.OFFICE
            user = User(username=username, role=role, organization=org, display_name=username)
            user.password_hash = "unused"  # noqa: S105 - the API never asks for it
            db.session.add(user)
            secrets[username] = "Bearer " + api_tokens.create_token(user, name="benchmark").secret
        db.session.commit()
        return secrets


def bare_json_client(body: bytes) -> Any:
    """A separate Flask app answering the same JSON body, built per request as the API builds its own."""
    rows = json.loads(body)
    bare = Flask("bare")

    @bare.route("/")
    def rows_view() -> Any:
        return bare.response_class(json.dumps(rows, ensure_ascii=False), mimetype="application/json")

    return bare.test_client()


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def time_get(client: Any, url: str, headers: dict[str, str], repeat: int, warmup: int) -> list[float]:
    """GET ``url`` ``warmup`` times untimed, then ``repeat`` times; the times in ms."""
    for _ in range(warmup):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        runs.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return runs


def count_queries(app: Flask, client: Any, url: str, headers: dict[str, str]) -> tuple[int, Any]:
    """How many SQL statements one GET of ``url`` runs, and its JSON."""
    counted = [0]

    def count(*_args: Any) -> None:
        counted[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        body = client.get(url, headers=headers).get_json()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counted[0], body


def deep_cursor(client: Any, headers: dict[str, str], pages: int) -> str:
    """The cursor of page ``pages + 1`` of the leader's list, walked page by page."""
    cursor = ""
    for _ in range(pages):
        body = client.get(f"/api/v1/tasks?limit=50{cursor}", headers=headers).get_json()
        cursor = f"&cursor={body['next_cursor']}"
    return cursor


def run(backend: str, url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    """Load the province on one backend, then time every request against the floors."""
    target = province.prepare_target(backend, url or (DEFAULT_PG_URL if backend == "postgresql" else None))
    app = None
    try:
        app = create_app(
            {
                "DATABASE_URL": target.url,
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": str(target.workdir),
                "API_RATE_LIMIT": 10**9,
            }
        )
        load = province.load_province(app, args)
        print(f"[{backend}] loaded {load['sizes']} in {load['seconds']:.1f} s", flush=True)
        tokens = add_users(app)
        client = app.test_client()
        leader = {"Authorization": tokens["leader"]}
        office = {"Authorization": tokens["office"]}
        first_page = client.get("/api/v1/tasks?limit=50", headers=leader)
        assert len(first_page.get_json()["items"]) == 50
        bare = bare_json_client(first_page.get_data())
        page_21 = deep_cursor(client, leader, 20)
        requests = [
            ("bare Flask JSON", bare, "/", {}),
            ("bare API route", client, "/api/v1/me", leader),
            ("/api/v1/tasks · leader, 100,000 in scope, first 50", client, "/api/v1/tasks?limit=50", leader),
            ("/api/v1/tasks · leader, page 21 by cursor", client, f"/api/v1/tasks?limit=50{page_21}", leader),
            ("/api/v1/tasks · leader, overdue", client, "/api/v1/tasks?limit=50&timeliness=overdue", leader),
            ("/api/v1/tasks · office, its unit's tasks", client, "/api/v1/tasks?limit=50", office),
            ("/api/v1/timeliness · leader, the province", client, "/api/v1/timeliness", leader),
        ]
        results = []
        for name, who, path, headers in requests:
            runs = time_get(who, path, headers, args.repeat, args.warmup)
            queries, body = count_queries(app, who, path, headers) if who is client else (0, None)
            rows = len(body["items"]) if isinstance(body, dict) and "items" in body else None
            results.append(
                {
                    "name": name,
                    "url": path,
                    "median_ms": round(statistics.median(runs), 2),
                    "p95_ms": round(percentile(runs, 0.95), 2),
                    "queries": queries,
                    "rows": rows,
                    "runs_ms": [round(r, 2) for r in runs],
                }
            )
            print(
                f"  {name:<55} {results[-1]['median_ms']:>9.2f} ms  p95 {results[-1]['p95_ms']:>9.2f}",
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
    """A table of the requests with their ratio to each floor."""
    heading = f"{document['backend']}: {document['server']}, today {document['today']}"
    print(f"\n== {heading}, {document['repeat']} runs")
    header = " ".join(f"{'x ' + f.split()[-1]:>8}" for f in FLOORS)
    print(f"{'':<55} {'median ms':>10} {'p95 ms':>9} {'queries':>8} {'rows':>5} {header}")
    for row in document["results"]:
        ratios = " ".join(f"{row['ratios'][f]:>8.1f}" for f in FLOORS)
        rows = "" if row["rows"] is None else row["rows"]
        print(
            f"{row['name']:<55} {row['median_ms']:>10.2f} {row['p95_ms']:>9.2f} {row['queries']:>8} "
            f"{rows:>5} {ratios}"
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
    # The API judges timeliness as of the real today, so the province is built for it.
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
        path = RESULTS_DIR / f"api-{backend}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written: {path}")


if __name__ == "__main__":
    main()
