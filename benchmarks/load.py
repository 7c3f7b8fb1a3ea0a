"""Load on real servers: signed-in users browsing and saving against ``kiemtra serve``.

For each backend (SQLite, PostgreSQL), each number of server processes (``--processes``) and each number
of users (``--users``), it starts that many ``kiemtra serve --no-scheduler`` processes on the demo data,
signs every user in through the form (the demo's accounts, shared round-robin), then for ``--seconds``
(and at most ``--max-requests`` requests) each user, with no pause, opens the dashboard, the task list,
a task, the visits and the inbox, and saves: a progress note on a task the account may report on (the
whole form: CSRF token, version), else the language setting. Before the users, the floor of the same
run: the same number of users asking for a bare page (``/healthz``, one query) as fast as they can.

It reports requests per second, p50/p95/p99 of browsing and of saving, and errors: 5xx answers and
failed connections (a 409 "saved by someone else" is a correct answer under load and is counted apart).
Traffic goes to 127.0.0.1 only; every loop is bounded in count and time and stops by itself.

``--scenario writers`` is the goal of issue 13 instead: ``--writers`` users (5) do nothing but save (each
opens its own task and records a progress note, again and again) while one more user keeps a slow
request in flight (issuing the visit report as a PDF, LibreOffice started for each one with
``KIEMTRA_PDF_WARM=0``). Its floor is the same writers without the slow request, in the same run. It
passes when no request fails and p95 of a save stays under one second, and says so.

``--tx-times`` starts the servers through ``benchmarks/txtimes.py`` and prints, per route, how long
its write transactions held the write lock (the longest and the median).

    python benchmarks/load.py                                  # SQLite and PostgreSQL, 10 and 50 users
    python benchmarks/load.py --backend sqlite --users 10 --seconds 10     # a quick run
    python benchmarks/load.py --scenario writers --processes 1 --tx-times   # 5 writers and a slow PDF
    python benchmarks/load.py --pg-url postgresql://postgres@127.0.0.1:5432/kiemtra_bench_load
"""

from __future__ import annotations

import argparse
import http.cookiejar
import itertools
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP_ROOT = ROOT  # the checkout whose kiemtra is served (--app-root)
SECRET = "benchmark-load-secret"  # noqa: S105 - a throwaway key of this run
PASSWORD = "kiemtra-demo"  # noqa: S105 - workflows.demo.DEMO_PASSWORD
ACCOUNTS = ("office", "office.budop", "office.vhtt", "office.locninh", "inspector", "leader")
LOOPBACK = "127.0.0.1"
SERVE = (sys.executable, "-m", "app.cli", "serve")
TIMED_SERVE = (sys.executable, str(Path(__file__).resolve().parent / "txtimes.py"), "serve")
OFFICES = ("office", "office.budop", "office.vhtt", "office.locninh")
SAVE_P95_GOAL_MS = 1000.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """One user's cookies; redirects are not followed (a save answers 302)."""

    def __init__(self, base: str) -> None:
        assert urllib.parse.urlsplit(base).hostname == LOOPBACK, "loopback only"
        self.base = base
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def call(self, path: str, data: dict[str, Any] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 - loopback http only
        try:
            with self._opener.open(request, timeout=60) as answer:
                return answer.status, answer.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


def _hidden(page: str, name: str) -> str | None:
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', page
    )
    return match.group(1) if match else None


@dataclass
class Tally:
    browse: list[float] = field(default_factory=list)
    save: list[float] = field(default_factory=list)
    slow: list[float] = field(default_factory=list)
    errors: int = 0
    conflicts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            {"save": self.save, "slow": self.slow}.get(kind, self.browse).append(seconds)
            if status >= 500 or status == 0:
                self.errors += 1
            elif status == 409:
                self.conflicts += 1


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _summary(tally: Tally, seconds: float) -> dict[str, Any]:
    every = tally.browse + tally.save + tally.slow
    return {
        "requests": len(every),
        "req_per_s": round(len(every) / seconds, 1),
        "p50_ms": round(1000 * statistics.median(every), 1) if every else 0.0,
        "p95_ms": round(1000 * _percentile(every, 0.95), 1),
        "p99_ms": round(1000 * _percentile(every, 0.99), 1),
        "saves": len(tally.save),
        "save_p50_ms": round(1000 * _percentile(tally.save, 0.50), 1),
        "save_p95_ms": round(1000 * _percentile(tally.save, 0.95), 1),
        "save_p99_ms": round(1000 * _percentile(tally.save, 0.99), 1),
        "slow": len(tally.slow),
        "slow_max_ms": round(1000 * max(tally.slow, default=0.0), 1),
        "errors": tally.errors,
        "conflicts_409": tally.conflicts,
    }


def _timed(tally: Tally, kind: str, browser: Browser, path: str, data: dict[str, Any] | None = None) -> str:
    began = time.monotonic()
    try:
        status, page = browser.call(path, data)
    except OSError:
        status, page = 0, ""
    tally.add(kind, time.monotonic() - began, status)
    return page


def _user_loop(
    browser: Browser, deadline: float, budget: Iterator[int], tally: Tally, locale: list[str]
) -> None:
    task_ids: list[str] = []
    for _ in budget:
        if time.monotonic() >= deadline:
            return
        dashboard = _timed(tally, "browse", browser, "/")
        listing = _timed(tally, "browse", browser, "/tasks")
        task_ids = re.findall(r'href="/tasks/(\d+)"', listing) or task_ids
        task_page = _timed(tally, "browse", browser, f"/tasks/{task_ids[0]}") if task_ids else dashboard
        _timed(tally, "browse", browser, "/visits")
        _timed(tally, "browse", browser, "/inbox")
        if task_ids and _hidden(task_page, "progress-csrf_token") and _hidden(task_page, "progress-version"):
            _timed(
                tally,
                "save",
                browser,
                f"/tasks/{task_ids[0]}/progress",
                {
                    "progress-csrf_token": _hidden(task_page, "progress-csrf_token"),
                    "progress-version": _hidden(task_page, "progress-version"),
                    "progress-note": "Ghi chú tiến độ khi đo tải.",
                },
            )
            task_ids.append(task_ids.pop(0))  # the next round works on another task
        else:
            locale[0] = "en" if locale[0] == "vi" else "vi"
            token = _hidden(dashboard, "csrf_token") or ""
            _timed(
                tally, "save", browser, "/language", {"locale": locale[0], "next": "/", "csrf_token": token}
            )


def _floor_loop(browser: Browser, deadline: float, budget: Iterator[int], tally: Tally) -> None:
    for _ in budget:
        if time.monotonic() >= deadline:
            return
        _timed(tally, "browse", browser, "/healthz")


def _writer_loop(browser: Browser, deadline: float, budget: Iterator[int], tally: Tally, task: str) -> None:
    """Save and save again: open one task, record a progress note on it."""
    for _ in budget:
        if time.monotonic() >= deadline:
            return
        page = _timed(tally, "browse", browser, f"/tasks/{task}")
        token, version = _hidden(page, "progress-csrf_token"), _hidden(page, "progress-version")
        if not (token and version):
            raise RuntimeError(f"task {task} offers no progress form to this writer")
        _timed(
            tally,
            "save",
            browser,
            f"/tasks/{task}/progress",
            {
                "progress-csrf_token": token,
                "progress-version": version,
                "progress-note": "Ghi chú tiến độ khi đo tải.",
            },
        )


def _slow_loop(browser: Browser, deadline: float, tally: Tally, visit: str, busy: threading.Event) -> None:
    """Issue the visit's report as a PDF, one after the other, until the deadline."""
    while time.monotonic() < deadline:
        page = _timed(tally, "browse", browser, f"/visits/{visit}")
        form = page[page.index('id="doc-issue-bao-cao"') :]
        once = re.search(r'name="once" value="([^"]+)"', form)
        data = {
            "dinh_dang": "pdf",
            "csrf_token": _hidden(page, "csrf_token") or "",
            "once": once.group(1) if once else "",
        }
        busy.set()
        began = time.monotonic()
        status, _ = browser.call(f"/van-ban/dot-kiem-tra/{visit}/bao-cao/cap-so", data)
        tally.add("slow", time.monotonic() - began, status if status == 200 else max(status, 500))


def _writers_and_tasks(urls: list[str], writers: int) -> list[tuple[Browser, str]]:
    """``writers`` signed-in office users, each with a task of its own it may report on (the demo's
    office accounts in turn, an account with several tasks signed in more than once)."""
    reportable: dict[str, list[str]] = {}
    for account in OFFICES:
        browser = _sign_in(urls[0], account)
        listing = browser.call("/tasks")[1]
        reportable[account] = [
            task
            for task in dict.fromkeys(re.findall(r'href="/tasks/(\d+)"', listing))
            if _hidden(browser.call(f"/tasks/{task}")[1], "progress-version")
        ]
    in_turn = [
        (account, tasks[i])
        for i in range(max(len(tasks) for tasks in reportable.values()))
        for account, tasks in reportable.items()
        if i < len(tasks)
    ]
    if len(in_turn) < writers:
        raise RuntimeError(
            f"the demo's offices may report on {len(in_turn)} tasks, fewer than {writers} writers"
        )
    ports = itertools.cycle(urls)
    return [(_sign_in(next(ports), account), task) for account, task in in_turn[:writers]]


def _issuable_visit(browser: Browser) -> str:
    listing = browser.call("/visits")[1]
    for visit in dict.fromkeys(re.findall(r'href="/visits/(\d+)"', listing)):
        if 'id="doc-issue-bao-cao"' in browser.call(f"/visits/{visit}")[1]:
            return visit
    raise RuntimeError("no visit whose report the inspector may issue")


def run_writers(urls: list[str], writers: int, seconds: float, max_requests: int) -> dict[str, Any]:
    """``writers`` users saving without a pause; the floor alone, then with a slow request in flight."""
    pairs = _writers_and_tasks(urls, writers)
    issuer = _sign_in(urls[0], "inspector")
    visit = _issuable_visit(issuer)
    results = {}
    for name in ("floor", "load"):
        tally = Tally()
        budget = iter(range(max_requests // 2))
        lock = threading.Lock()

        def bounded(lock: threading.Lock = lock, budget: Iterator[int] = budget) -> Iterator[int]:
            while True:
                with lock:
                    step = next(budget, None)
                if step is None:
                    return
                yield step

        busy = threading.Event()
        with ThreadPoolExecutor(writers + 1) as pool:
            if name == "load":
                # The slow request is in flight before the writers start, and again until they stop.
                slow = pool.submit(_slow_loop, issuer, time.monotonic() + seconds + 5, tally, visit, busy)
                busy.wait(60)
                time.sleep(0.5)
            began = time.monotonic()
            deadline = began + seconds
            futures = [pool.submit(_writer_loop, b, deadline, bounded(), tally, t) for b, t in pairs]
            for future in futures:
                future.result()
            elapsed = time.monotonic() - began
            if name == "load":
                slow.result()
        result = _summary(tally, elapsed)
        result["passes"] = result["errors"] == 0 and result["save_p95_ms"] < SAVE_P95_GOAL_MS
        results[name] = result
    return results


def _sign_in(base: str, username: str) -> Browser:
    browser = Browser(base)
    _, page = browser.call("/login")
    status, _ = browser.call(
        "/login",
        {"username": username, "password": PASSWORD, "csrf_token": _hidden(page, "csrf_token") or ""},
    )
    if status != 302:
        raise RuntimeError(f"sign-in of {username} answered {status}")
    return browser


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def _environment(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIEMTRA_")}
    env.update(
        KIEMTRA_DATABASE_URL=database_url, KIEMTRA_INSTANCE_PATH=str(instance), KIEMTRA_SECRET_KEY=SECRET
    )
    env.update(extra)
    return env


@contextmanager
def _servers(
    database_url: str, instance: Path, count: int, threads: int, serve: tuple[str, ...] = SERVE, **extra: str
) -> Iterator[list[str]]:
    processes: list[subprocess.Popen[bytes]] = []
    urls = []
    try:
        for _ in range(count):
            port = _free_port()
            log = (instance / f"server-{port}.log").open("wb")
            processes.append(
                subprocess.Popen(
                    [
                        *serve,
                        "--host",
                        LOOPBACK,
                        "--port",
                        str(port),
                        "--threads",
                        str(threads),
                        "--no-scheduler",
                    ],
                    cwd=APP_ROOT,
                    env=_environment(database_url, instance, **extra),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            urls.append(f"http://{LOOPBACK}:{port}")
        deadline = time.monotonic() + 120
        for url in urls:
            while True:
                try:
                    Browser(url).call("/login")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("a server did not start") from None
                    time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _prepare(backend: str, pg_url: str, folder: Path) -> str:
    """A fresh database with the demo data; returns its URL."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'load.sqlite'}"
    else:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        url = pg_url
        name = make_url(pg_url).database
        admin = create_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    subprocess.run(
        [sys.executable, "-m", "app.cli", "demo", "--no-serve"],
        cwd=APP_ROOT,
        env=_environment(url, folder),
        check=True,
        capture_output=True,
    )
    return url


def run_scenario(urls: list[str], users: int, seconds: float, max_requests: int) -> dict[str, Any]:
    ports = itertools.cycle(urls)
    accounts = itertools.cycle(ACCOUNTS)
    with ThreadPoolExecutor(min(users, 16)) as pool:
        browsers = list(
            pool.map(lambda pair: _sign_in(*pair), [(next(ports), next(accounts)) for _ in range(users)])
        )
    results = {}
    for name in ("floor", "load"):
        tally = Tally()
        # Shared by every user, so the whole measurement is bounded in count: a user's round is 6 requests.
        budget = iter(range(max_requests if name == "floor" else max_requests // 6))
        lock = threading.Lock()

        def bounded(lock: threading.Lock = lock, budget: Iterator[int] = budget) -> Iterator[int]:
            while True:
                with lock:
                    step = next(budget, None)
                if step is None:
                    return
                yield step

        began = time.monotonic()
        deadline = began + seconds
        with ThreadPoolExecutor(users) as pool:
            if name == "floor":
                futures = [pool.submit(_floor_loop, b, deadline, bounded(), tally) for b in browsers]
            else:
                futures = [pool.submit(_user_loop, b, deadline, bounded(), tally, ["vi"]) for b in browsers]
            for future in futures:
                future.result()
        results[name] = _summary(tally, time.monotonic() - began)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--users", default="10,50", help="comma-separated numbers of users")
    parser.add_argument("--processes", default="1,2", help="comma-separated numbers of server processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per server process")
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="length of each measurement (at most 300)"
    )
    parser.add_argument(
        "--max-requests", type=int, default=20000, help="cap on the requests of one measurement"
    )
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/kiemtra_bench_load")
    parser.add_argument("--scenario", choices=("mixed", "writers"), default="mixed")
    parser.add_argument("--writers", type=int, default=5, help="writers of the writers scenario")
    parser.add_argument(
        "--tx-times", action="store_true", help="time each route's write transactions (benchmarks/txtimes.py)"
    )
    parser.add_argument(
        "--app-root",
        type=Path,
        default=ROOT,
        help="serve the kiemtra of another checkout (an older commit, for figures before a change)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    global APP_ROOT
    APP_ROOT = args.app_root.resolve()
    seconds = min(args.seconds, 300.0)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    rows = []
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix="kiemtra-load-") as scratch:
            folder = Path(scratch)
            url = _prepare(backend, args.pg_url, folder)
            extra = {"KIEMTRA_PDF_WARM": "0"} if args.scenario == "writers" else {}
            serve = SERVE
            if args.tx_times:
                serve = TIMED_SERVE
                extra["BENCH_TXLOG"] = str(folder / "txtimes.jsonl")
            for processes in (int(p) for p in args.processes.split(",")):
                with _servers(url, folder, processes, args.threads, serve, **extra) as urls:
                    if args.scenario == "writers":
                        result = run_writers(urls, args.writers, seconds, args.max_requests)
                        rows.append(
                            {"backend": backend, "processes": processes, "users": args.writers, **result}
                        )
                        if not args.json:
                            _print_writers(rows[-1])
                        continue
                    for users in (int(u) for u in args.users.split(",")):
                        result = run_scenario(urls, users, seconds, args.max_requests)
                        rows.append({"backend": backend, "processes": processes, "users": users, **result})
                        if not args.json:
                            _print_row(rows[-1])
            if args.tx_times:
                from txtimes import print_report, report

                table = report([folder / "txtimes.jsonl"])
                rows.append({"backend": backend, "write_transactions": table})
                if not args.json:
                    print(f"\nWrite transactions on {backend}, per route:")
                    print_report(table)
    if args.json:
        print(json.dumps(rows, indent=2))


def _print_writers(row: dict[str, Any]) -> None:
    for name, what in (("floor", "writers alone"), ("load", "with a slow PDF in flight")):
        part = row[name]
        print(
            f"{row['backend']:<10} {row['processes']} proc {row['users']} writers, {what:<26} | "
            f"{part['req_per_s']:>6} req/s | saves {part['saves']:>5} p50 {part['save_p50_ms']:>7} "
            f"p95 {part['save_p95_ms']:>7} p99 {part['save_p99_ms']:>7} ms | slow {part['slow']} "
            f"(longest {part['slow_max_ms']} ms) | errors {part['errors']}, 409 {part['conflicts_409']} | "
            f"{'PASS' if part['passes'] else 'FAIL'} (no error, save p95 < {SAVE_P95_GOAL_MS:.0f} ms)",
            flush=True,
        )


def _print_row(row: dict[str, Any]) -> None:
    floor, users = row["floor"], row["load"]
    print(
        f"{row['backend']:<10} {row['processes']} proc {row['users']:>3} users | floor /healthz "
        f"{floor['req_per_s']:>6} req/s p50 {floor['p50_ms']:>6} p95 {floor['p95_ms']:>6} ms | "
        f"users {users['req_per_s']:>6} req/s p50 {users['p50_ms']:>6} p95 {users['p95_ms']:>7} "
        f"p99 {users['p99_ms']:>7} ms, saves {users['saves']:>4} (p95 {users['save_p95_ms']} ms), "
        f"errors {users['errors']}, 409 {users['conflicts_409']}",
        flush=True,
    )


if __name__ == "__main__":
    main()
