"""Backup and restore times on the demo and on the benchmark province, against a plain copy.

For each backend (SQLite, PostgreSQL) and each data set (the demo; the province of ``province.py``,
100,000 tasks by default) it times ``take_backup`` and ``restore_backup`` (what ``kiemtra backup`` and
``kiemtra restore`` run, hashes and checks included) against the floor measured in the same run on the
same data: a plain copy of the database file (SQLite) or a plain ``pg_dump -Fc`` / ``pg_restore``
(PostgreSQL). Each figure is the median of ``--repeat`` runs; restores go into a new empty database
each time. Scratch PostgreSQL databases are named ``kiemtra_bench_backup_*`` and dropped at the end.

    python benchmarks/backup.py                      # both backends, demo and province
    python benchmarks/backup.py --backend sqlite --tasks 10000 --repeat 1   # a quick run
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import province

from app import create_app
from app.backup.service import restore_backup, take_backup
from models import db
from workflows.demo import load_demo

PG_BASE = "postgresql://postgres@127.0.0.1:5432/"
RESULTS = Path(__file__).resolve().parent / "results"


def median_seconds(action: Callable[[int], Any], repeat: int) -> float:
    """The median wall time of ``repeat`` runs of ``action(run_number)``."""
    times = []
    for run in range(repeat):
        started = time.perf_counter()
        action(run)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


class Scratch:
    """Fresh empty databases of one backend, each with its own instance folder."""

    def __init__(self, backend: str, work: Path) -> None:
        self.backend, self.work, self.made = backend, work, 0
        self.pg_names: list[str] = []

    def url(self) -> str:
        self.made += 1
        if self.backend == "sqlite":
            return f"sqlite:///{self.work / f'db-{self.made}.sqlite'}"
        url = f"{PG_BASE}kiemtra_bench_backup_{self.made}"
        province.recreate_pg_database(url, drop_only=False)
        self.pg_names.append(url)
        return url

    def app(self) -> Flask:
        url = self.url()
        return create_app(
            {
                "DATABASE_URL": url,
                "INSTANCE_PATH": str(self.work / f"instance-{self.made}"),
                "SECRET_KEY": "x",
            }
        )

    def drop_all(self) -> None:
        for url in self.pg_names:
            province.recreate_pg_database(url, drop_only=True)


def load(app: Flask, data: str, args: argparse.Namespace) -> None:
    if data == "demo":
        with app.app_context():
            upgrade()
            load_demo(date(2026, 11, 26))
            db.session.commit()
        return
    province_args = province.parse_args(["--tasks", str(args.tasks), "--visits", str(args.tasks // 10)])
    province.load_province(app, province_args)


def measure(backend: str, data: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    scratch = Scratch(backend, work)
    try:
        source = scratch.app()
        started = time.perf_counter()
        load(source, data, args)
        load_seconds = time.perf_counter() - started
        with source.app_context():
            url = db.engine.url
            rows = None

            def backup(run: int) -> None:
                nonlocal rows
                report = take_backup(source, work / f"{data}-{run}.tar.gz")
                rows = sum(report.row_counts.values())

            backup_s = median_seconds(backup, args.repeat)
            plain = work / f"{data}-plain"

            def plain_backup(run: int) -> None:
                target = plain.with_suffix(f".{run}")
                if backend == "sqlite":
                    with sqlite3.connect(url.database) as connection:  # what a careful copy needs first
                        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    shutil.copyfile(str(url.database), target)
                else:
                    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
                    subprocess.run(["pg_dump", "-Fc", "-f", str(target), "--dbname", dsn], check=True)

            plain_backup_s = median_seconds(plain_backup, args.repeat)
            archive_size = (work / f"{data}-0.tar.gz").stat().st_size
            plain_size = plain.with_suffix(".0").stat().st_size
            db.engine.dispose()

        def restore(run: int) -> None:
            target = scratch.app()
            with target.app_context():
                restore_backup(target, work / f"{data}-{run}.tar.gz")
                db.engine.dispose()

        restore_s = median_seconds(restore, args.repeat)

        def plain_restore(run: int) -> None:
            if backend == "sqlite":
                shutil.copyfile(plain.with_suffix(f".{run}"), work / f"plain-restored-{data}-{run}.sqlite")
                return
            target = make_url(scratch.url()).render_as_string(hide_password=False)
            subprocess.run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--single-transaction",
                    "--dbname",
                    target,
                    str(plain.with_suffix(f".{run}")),
                ],
                check=True,
            )

        plain_restore_s = median_seconds(plain_restore, args.repeat)
    finally:
        scratch.drop_all()
    return {
        "backend": backend,
        "data": data,
        "rows": rows,
        "load_s": round(load_seconds, 2),
        "backup_s": round(backup_s, 3),
        "plain_backup_s": round(plain_backup_s, 3),
        "restore_s": round(restore_s, 3),
        "plain_restore_s": round(plain_restore_s, 3),
        "archive_bytes": archive_size,
        "plain_bytes": plain_size,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--data", choices=("demo", "province", "both"), default="both")
    parser.add_argument("--tasks", type=int, default=100_000, help="tasks of the province")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    datasets = ("demo", "province") if args.data == "both" else (args.data,)
    results = []
    for backend in backends:
        for data in datasets:
            with tempfile.TemporaryDirectory(prefix="kiemtra-bench-backup-") as work:
                row = measure(backend, data, args, Path(work))
            results.append(row)
            print(json.dumps(row), flush=True)
    print()
    header = f"{'backend':<11}{'data':<9}{'rows':>9}{'backup':>9}{'plain':>8}{'×':>6}"
    print(header + f"{'restore':>9}{'plain':>8}{'×':>6}{'archive':>10}{'plain':>10}")
    for r in results:
        print(
            f"{r['backend']:<11}{r['data']:<9}{r['rows']:>9}"
            f"{r['backup_s']:>8.2f}s{r['plain_backup_s']:>7.2f}s"
            f"{r['backup_s'] / max(r['plain_backup_s'], 1e-6):>6.1f}"
            f"{r['restore_s']:>8.2f}s{r['plain_restore_s']:>7.2f}s"
            f"{r['restore_s'] / max(r['plain_restore_s'], 1e-6):>6.1f}"
            f"{r['archive_bytes'] / 1e6:>9.1f}M{r['plain_bytes'] / 1e6:>9.1f}M"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "backup.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
