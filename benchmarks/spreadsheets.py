"""Time the spreadsheets both ways on the synthetic province, each against a floor in the same run.

Loads the 100,000-task province of ``benchmarks/province.py`` (its functions, unchanged), then times:

- **export**: the task list of the whole province as .xlsx (``/tasks.xlsx`` without filters: the query
  with each task's category by ``category_on``, the words, ``exports.table_xlsx``), against openpyxl's
  write-only mode writing the same cells (values already in memory: no query, no styles);
- **import**: 5,000 progress rows read from an .xlsx and applied through ``import_progress`` (each row's
  version checked, ``record_progress`` in a savepoint, an event written), against a raw ``executemany``
  of the same updates (progress and version of 5,000 tasks, 5,000 event rows).

    python benchmarks/spreadsheets.py                       # SQLite in a temp dir
    python benchmarks/spreadsheets.py --backend postgresql  # scratch database kiemtra_bench on 127.0.0.1
    python benchmarks/spreadsheets.py --tasks 10000 --visits 1000 --repeat 1   # a quick smoke run
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import province
from openpyxl import Workbook
from sqlalchemy import insert, select, text, update

from app import create_app
from models import Task, TaskEvent, User, db
from models.enums import WORKING_TASK_STATUSES, Role, TaskEventKind
from workflows.clock import local_today

RESULTS_DIR = Path(__file__).resolve().parent / "results"
IMPORT_ROWS = 5_000


def _timed(action: Any, repeat: int) -> tuple[list[float], Any]:
    runs, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = action()
        runs.append((time.perf_counter() - start) * 1000)
    return runs, value


def measure_export(app: Any, repeat: int) -> dict[str, Any]:
    """The whole province's task list through the app's export, and openpyxl writing the same cells."""
    from app.board.downloads import task_columns, task_rows
    from app.board.listing import urgency_order
    from exports.table_xlsx import Table, tables_xlsx

    today = local_today()
    with app.test_request_context("/tasks.xlsx"):

        def export() -> bytes:
            rows = task_rows([], today, 3, urgency_order())
            return tables_xlsx([Table("Danh sách nhiệm vụ", task_columns(), rows, ["Bộ lọc: không"])])

        ours, data = _timed(export, repeat)
        cells = list(task_rows([], today, 3, urgency_order()))
        headers = [c.header for c in task_columns()]

    def floor() -> bytes:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Tasks")
        sheet.append(headers)
        for row in cells:
            sheet.append(row)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()

    floor_runs, floor_data = _timed(floor, repeat)
    return {
        "rows": len(cells),
        "bytes": len(data),
        "floor_bytes": len(floor_data),
        "export_ms": [round(r, 1) for r in ours],
        "floor_ms": [round(r, 1) for r in floor_runs],
        "x_floor": round(min(ours) / min(floor_runs), 2),
    }


def _office_with_tasks(n: int) -> tuple[User, list[int]]:
    """An office user of one unit made the lead of ``n`` working tasks (a benchmark's shortcut)."""
    ids = list(
        db.session.scalars(
            select(Task.id).where(Task.status.in_(WORKING_TASK_STATUSES)).order_by(Task.id).limit(n)
        )
    )
    lead = db.session.scalar(select(Task.lead_org_id).where(Task.id == ids[0]))
    db.session.execute(update(Task).where(Task.id.in_(ids)).values(lead_org_id=lead))
    user = User(username="bench-office", role=Role.OFFICE, organization_id=lead, display_name="bench")
    user.password_hash = "!"  # noqa: S105 - a benchmark account that never signs in
    db.session.add(user)
    db.session.commit()
    return user, ids


def _progress_sheet(ids: list[int]) -> bytes:
    from workflows.imports.progress import SPEC

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.header for c in SPEC.columns])
    versions = dict(db.session.execute(select(Task.id, Task.version).where(Task.id.in_(ids))).all())
    for number, task_id in enumerate(ids):
        sheet.append([task_id, versions[task_id], "", (number * 7) % 101, "Cập nhật qua bảng tính", None])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def measure_import(app: Any) -> dict[str, Any]:
    """5,000 progress rows through import_progress, then the same updates by a raw executemany."""
    from workflows.imports.progress import SPEC, import_progress
    from workflows.imports.sheet import read_sheet

    with app.app_context():
        user, ids = _office_with_tasks(IMPORT_ROWS)
        user_id = user.id
        data = _progress_sheet(ids)
    with app.test_request_context("/tasks/progress-import"):
        actor = db.session.get(User, user_id)
        start = time.perf_counter()
        result = import_progress(actor, read_sheet(data, "bench.xlsx", SPEC))
        assert result.ok, [p.located() for p in result.problems[:5]]
        db.session.commit()
        ours = (time.perf_counter() - start) * 1000
        changed = result.count("update")
    with app.app_context():
        versions = dict(db.session.execute(select(Task.id, Task.version).where(Task.id.in_(ids))).all())
        now = datetime.now(UTC)
        updates = [
            {"p": (n * 11) % 101, "id": task_id, "v": versions[task_id]} for n, task_id in enumerate(ids)
        ]
        events = [
            {
                "task_id": task_id,
                "kind": TaskEventKind.PROGRESS,
                "created_at": now,
                "progress": 50,
                "note": "x",
            }
            for task_id in ids
        ]
        start = time.perf_counter()
        connection = db.session.connection()
        connection.execute(
            text("UPDATE task SET progress = :p, version = version + 1 WHERE id = :id AND version = :v"),
            updates,
        )
        connection.execute(insert(TaskEvent.__table__), events)  # one executemany, the column types applied
        db.session.commit()
        floor = (time.perf_counter() - start) * 1000
    return {
        "rows": len(ids),
        "updated": changed,
        "file_bytes": len(data),
        "import_ms": round(ours, 1),
        "floor_ms": round(floor, 1),
        "x_floor": round(ours / floor, 1) if floor else None,
    }


def run_backend(backend: str, url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    """Load the province, then time the export and the import against their floors."""
    target = province.prepare_target(backend, url)
    app = None
    try:
        app = create_app({"DATABASE_URL": target.url, "SECRET_KEY": "bench"})
        load = province.load_province(app, args)
        with app.app_context():
            province.finish_load(backend == "sqlite")
        print(f"\n[{backend}] {load['sizes']}", flush=True)
        export = measure_export(app, args.repeat)
        print(f"export: {export}", flush=True)
        imported = measure_import(app)
        print(f"import: {imported}", flush=True)
        return {
            "backend": backend,
            "server": province.server_version(app),
            "sizes": load["sizes"],
            "export": export,
            "import": imported,
            "environment": province.environment(),
        }
    finally:
        province.release_target(app, target, args.keep)


def main(argv: list[str] | None = None) -> None:
    """Run on the chosen backend(s) and write benchmarks/results/spreadsheets-<backend>.json."""
    args = province.parse_args(argv)
    if "--today" not in (sys.argv[1:] if argv is None else argv):
        args.today = local_today()
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        url = args.database_url or (province.DEFAULT_PG_URL if backend == "postgresql" else None)
        document = run_backend(backend, url, args)
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"spreadsheets-{backend}.json"
        path.write_text(
            json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )
        print(f"written: {path}")


if __name__ == "__main__":
    main()
