"""Time the timeliness counts (``count_timeliness`` and ``kiemtra stats``) on a synthetic province.

Builds about 100 units, 10,000 visits, 30,000 directives and 100,000 tasks with fast Core inserts into a
scratch database made by the real migrations, then times each query against a floor measured in the same
run (a raw ``SELECT count(*) FROM task`` through the same engine; ``python -c pass`` for subprocesses).

    python benchmarks/province.py                       # SQLite in a temp dir
    python benchmarks/province.py --backend postgresql  # scratch database kiemtra_bench on 127.0.0.1
    python benchmarks/province.py --backend both --explain

See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import sqlalchemy
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Table, event, func, insert, select, text
from sqlalchemy.engine import make_url

from app import create_app
from models import Directive, Organization, Task, Visit, db, task_coordinator
from models.enums import OrgKind, TaskStatus, VisitStatus
from models.vntext import search_key
from workflows import counts
from workflows.timeliness import count_timeliness, timeliness_of

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/kiemtra_bench"
CATEGORIES = (
    "on_time",
    "late",
    "within",
    "due_soon",
    "overdue",
    "no_deadline",
    "awaiting_on_time",
    "awaiting_late",
)
# Each group's floors, measured in the same run: the bare minimum, then the nearest cheaper relative.
FLOORS = {
    "in-process": ("raw count(*)", "raw count(*) non-cancelled"),
    "subprocess": ("python -c pass", "kiemtra --help"),
}

ORG: Table = Organization.__table__  # type: ignore[assignment]
VISIT: Table = Visit.__table__  # type: ignore[assignment]
DIRECTIVE: Table = Directive.__table__  # type: ignore[assignment]
TASK: Table = Task.__table__  # type: ignore[assignment]

PLACES = (
    "An Bình",
    "Bình Minh",
    "Hòa Lạc",
    "Phú Mỹ",
    "Tân Thành",
    "Thạnh Phú",
    "Long Hải",
    "Đức Hòa",
    "Vĩnh Xuân",
    "Quang Trung",
)
# Units under each district committee: code prefix, document code, name, kind,
# parent prefix (None: the committee itself).
DISTRICT_UNITS: tuple[tuple[str, str, str, OrgKind, str | None], ...] = (
    ("UBKTHU", "UBKTHU", "Ủy ban Kiểm tra Huyện ủy {}", OrgKind.PARTY_BOARD, None),
    ("BTGHU", "BTGHU", "Ban Tuyên giáo Huyện ủy {}", OrgKind.PARTY_BOARD, None),
    ("BTCHU", "BTCHU", "Ban Tổ chức Huyện ủy {}", OrgKind.PARTY_BOARD, None),
    ("VPHU", "VPHU", "Văn phòng Huyện ủy {}", OrgKind.PARTY_BOARD, None),
    ("MTTQ", "MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam huyện {}", OrgKind.MASS_ORGANISATION, None),
    ("TTCT", "TTCT", "Trung tâm Chính trị huyện {}", OrgKind.STATE_OFFICE, None),
    ("UBND", "UBND", "Ủy ban nhân dân huyện {}", OrgKind.GOVERNMENT, None),
    ("VHTT", "VHTT", "Phòng Văn hóa và Thông tin huyện {}", OrgKind.STATE_OFFICE, "UBND"),
    ("GDDT", "GDĐT", "Phòng Giáo dục và Đào tạo huyện {}", OrgKind.STATE_OFFICE, "UBND"),
)
SUBJECTS = (
    "công tác tuyên giáo",
    "công tác kiểm tra, giám sát",
    "công tác tổ chức xây dựng Đảng",
    "công tác dân vận",
    "việc thực hiện Chỉ thị 05-CT/TW",
    "công tác phòng, chống tham nhũng",
)
DIRECTIVE_TITLES = (
    "Bám sát chương trình công tác năm",
    "Nâng chất lượng tham mưu",
    "Nắm chắc tư tưởng và dư luận xã hội",
    "Kiện toàn tổ chức bộ máy",
    "Khắc phục hạn chế đã chỉ ra",
    "Báo cáo kết quả thực hiện kết luận",
)
TASK_TITLES = tuple(
    (title, search_key(title))
    for title in (
        "Xây dựng kế hoạch khắc phục hạn chế",
        "Tổ chức hội nghị quán triệt kết luận",
        "Rà soát, bổ sung quy chế làm việc",
        "Báo cáo kết quả thực hiện kết luận kiểm tra",
        "Kiện toàn tổ cộng tác viên dư luận xã hội",
        "Cập nhật trang thông tin điện tử",
        "Tập huấn nghiệp vụ cho cán bộ cơ sở",
        "Sơ kết việc thực hiện chỉ thị",
    )
)

# The status mix: chosen from the dates, so that the categories come out as in a real province.
TERMS_DAYS = (30, 45, 60, 90, 90, 120, 180, 180, 270, 365)
NO_DEADLINE_SHARE = 0.08
EXTENDED_SHARE = 0.10
CANCELLED_SHARE = 0.03
DONE_SHARE = {"past_due": 0.85, "not_due": 0.20, "no_deadline": 0.55}
ON_TIME_SHARE = 0.78
OPEN_STATUSES = {
    TaskStatus.ASSIGNED: 20,
    TaskStatus.IN_PROGRESS: 45,
    TaskStatus.REPORTED: 12,
    TaskStatus.RETURNED: 8,
    TaskStatus.PAUSED: 15,
}
PROVINCE_INSPECTS_SHARE = 0.4
CENTRE_INSPECTS_SHARE = 0.03  # in a country (--provinces > 1): visits by the centre's committee


# --- the synthetic province --------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """An organisation of the synthetic province, as the generator needs it."""

    id: int
    code: str
    path: str
    name: str


@dataclass
class Province:
    """The organisation rows and the shape the visits are drawn from."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    board: Unit | None = None
    districts: list[list[Unit]] = field(default_factory=list)  # committee first, then its units
    # The province inspection committee above each district (all ``board`` in a single province).
    district_boards: list[Unit] = field(default_factory=list)
    centre_board: Unit | None = None  # a country's central inspection committee
    province_roots: list[Unit] = field(default_factory=list)


@dataclass(frozen=True)
class VisitPlan:
    """What the tasks of one visit's directives depend on."""

    id: int
    inspected: Unit
    district: list[Unit]
    visited_on: date
    board: Unit | None = None  # the province inspection committee above the district
    inspecting: Unit | None = None  # the visit's inspecting body (kept on each task)


def at(day: date, hour: int = 2) -> datetime:
    """An aware UTC instant on ``day`` (02:00 UTC is 09:00 in Vietnam)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def day_between(rng: random.Random, first: date, last: date) -> date:
    """A random day from ``first`` to ``last`` inclusive (``first`` when the range is empty)."""
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def chunked(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Yield lists of at most ``size`` items."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def add_org(
    province: Province,
    code: str,
    doc_code: str,
    name: str,
    kind: OrgKind,
    parent: Unit | None,
    place: str | None,
) -> Unit:
    """Append one organisation row (path = parent's path + code + '/') and return its unit."""
    unit = Unit(len(province.rows) + 1, code, f"{parent.path if parent else '/'}{code}/", name)
    province.rows.append(
        {
            "id": unit.id,
            "code": code,
            "doc_code": doc_code,
            "name": name,
            "short_name": None,
            "kind": kind,
            "parent_id": parent.id if parent else None,
            "path": unit.path,
            "place_name": place,
            "valid_from": None,
            "valid_to": None,
            "search_key": search_key(name),
        }
    )
    return unit


def build_province(n_districts: int, provinces: int = 1) -> Province:
    """A province committee, its inspecting board and ``n_districts`` districts of nine units each;
    with ``provinces`` > 1, a country: the centre (its inspection committee) above that many such
    provinces, numbered in their codes."""
    province = Province()
    centre = None
    if provinces > 1:
        centre = add_org(
            province, "TW", "TW", "Ban Chấp hành Trung ương", OrgKind.PARTY_COMMITTEE, None, None
        )
        province.centre_board = add_org(
            province, "UBKTTW", "UBKTTW", "Ủy ban Kiểm tra Trung ương", OrgKind.PARTY_BOARD, centre, None
        )
    for p in range(provinces):
        tag = "" if provinces == 1 else f"{p + 1:02d}"
        name = "Mẫu" if provinces == 1 else f"Mẫu {p + 1}"
        root = add_org(
            province, f"TU-MAU{tag}", "TU", f"Tỉnh ủy tỉnh {name}", OrgKind.PARTY_COMMITTEE, centre, name
        )
        board = add_org(
            province, f"UBKTTU-MAU{tag}", "UBKTTU", "Ủy ban Kiểm tra Tỉnh ủy", OrgKind.PARTY_BOARD, root, name
        )
        province.province_roots.append(root)
        province.board = province.board or board
        for i in range(n_districts):
            place = PLACES[i % len(PLACES)] + (f" {i // len(PLACES) + 1}" if i >= len(PLACES) else "")
            suffix = search_key(place).replace(" ", "").upper() + tag
            committee = add_org(
                province, f"HU-{suffix}", "HU", f"Huyện ủy {place}", OrgKind.PARTY_COMMITTEE, root, place
            )
            units = {None: committee}
            for prefix, doc_code, unit_name, kind, parent in DISTRICT_UNITS:
                units[prefix] = add_org(
                    province,
                    f"{prefix}-{suffix}",
                    doc_code,
                    unit_name.format(place),
                    kind,
                    units[parent],
                    place,
                )
            province.districts.append(list(units.values()))
            province.district_boards.append(board)
    return province


def visit_status(rng: random.Random, age_days: int) -> VisitStatus:
    """Most visits are concluded; over a year old, most are closed; within a month, half are not yet."""
    if age_days > 365 and rng.random() < 0.6:
        return VisitStatus.CLOSED
    if age_days < 30 and rng.random() < 0.5:
        return VisitStatus.CONDUCTED
    return VisitStatus.CONCLUDED


def visit_rows(
    rng: random.Random, province: Province, n_visits: int, per_visit: int, today: date, plans: list[VisitPlan]
) -> Iterator[dict[str, Any]]:
    """Visits over the three years before ``today``; appends one plan per directive to ``plans``."""
    assert province.board is not None
    for visit_id in range(1, n_visits + 1):
        index = rng.randrange(len(province.districts))
        district, board = province.districts[index], province.district_boards[index]
        if province.centre_board is not None and rng.random() < CENTRE_INSPECTS_SHARE:
            inspecting, inspected = province.centre_board, rng.choice(district)
        elif rng.random() < PROVINCE_INSPECTS_SHARE:
            inspecting, inspected = board, rng.choice(district)
        else:  # the district's inspection committee visits another unit of the district
            inspecting, inspected = district[1], rng.choice([u for u in district if u is not district[1]])
        visited_on = today - timedelta(days=rng.randint(7, 3 * 365))
        age = (today - visited_on).days
        status = visit_status(rng, age)
        concluded = status in (VisitStatus.CONCLUDED, VisitStatus.CLOSED)
        n_directives = rng.randint(1, 2 * per_visit - 1)
        subject = rng.choice(SUBJECTS)
        title = f"Kiểm tra {subject} tại {inspected.name}"
        plan = VisitPlan(visit_id, inspected, district, visited_on, board, inspecting)
        plans.extend([plan] * n_directives)
        yield {
            "id": visit_id,
            "reference": f"KT-{visit_id:06d}",
            "title": title,
            "subject": subject,
            "period_label": f"năm {visited_on.year - 1}",
            "period_start_on": date(visited_on.year - 1, 1, 1),
            "period_end_on": date(visited_on.year - 1, 12, 31),
            "visited_on": visited_on,
            "day_part": None,
            "place": None,
            "inspecting_org_id": inspecting.id,
            "inspected_org_id": inspected.id,
            "status": status,
            "summary": None,
            "closing_evaluation": "Đã thực hiện xong kết luận." if status is VisitStatus.CLOSED else None,
            "directive_counter": n_directives,
            "created_by_id": None,
            "created_at": at(visited_on, 1),
            "concluded_at": at(visited_on + timedelta(days=7)) if concluded else None,
            "closed_at": at(visited_on + timedelta(days=180)) if status is VisitStatus.CLOSED else None,
            "search_key": search_key(f"{title} {subject}"),
            "version": 1,
        }


def directive_rows(plans: list[VisitPlan]) -> Iterator[dict[str, Any]]:
    """Directives numbered 1..n within each visit (so the counter equals the count)."""
    number = 0
    for directive_id, plan in enumerate(plans, start=1):
        number = 1 if directive_id == 1 or plans[directive_id - 2].id != plan.id else number + 1
        yield {
            "id": directive_id,
            "visit_id": plan.id,
            "number": number,
            "title": DIRECTIVE_TITLES[number % len(DIRECTIVE_TITLES)],
            "body": "Tiếp tục quán triệt, thực hiện nghiêm kết luận của Đoàn kiểm tra.",
            "due_on": None,
            "due_period_label": None,
            "created_at": at(plan.visited_on, 3),
        }


def tasks_per_directive(rng: random.Random, n_directives: int, n_tasks: int) -> list[int]:
    """Split ``n_tasks`` over the directives: one each, the rest at random."""
    counts = [1 if n_tasks >= n_directives else 0] * n_directives
    for index in rng.choices(range(n_directives), k=n_tasks - sum(counts)):
        counts[index] += 1
    return counts


def deadlines(rng: random.Random, created: date) -> tuple[date | None, date | None]:
    """The due date in force and the original one: both None, equal, or moved by an extension."""
    if rng.random() < NO_DEADLINE_SHARE:
        return None, None
    original = created + timedelta(days=rng.choice(TERMS_DAYS))
    extended = rng.random() < EXTENDED_SHARE
    return (original + timedelta(days=rng.choice((30, 60, 90))) if extended else original), original


def done_state(rng: random.Random, created: date, due: date | None, last: date) -> dict[str, Any]:
    """A verified task: completed on time or late (``last`` is yesterday), progress 100."""
    late = due is not None and due + timedelta(days=1) < last and rng.random() >= ON_TIME_SHARE
    first, final = (due + timedelta(days=1), last) if late and due else (created, min(due or last, last))
    completed = day_between(rng, max(first, created + timedelta(days=1)), final)
    reported = at(completed, rng.randint(1, 9))
    started = at(day_between(rng, created, min(created + timedelta(days=7), completed)), 5)
    return {
        "status": TaskStatus.DONE,
        "progress": 100,
        "started_at": min(started, reported),
        "reported_at": reported,
        "verified_at": reported + timedelta(days=rng.randint(0, min(5, (last - completed).days))),
        "completed_on": completed,
    }


def open_state(rng: random.Random, created: date, last: date) -> dict[str, Any]:
    """An open task in one of the open statuses, with the progress and times that status implies."""
    status = rng.choices(list(OPEN_STATUSES), weights=list(OPEN_STATUSES.values()))[0]
    if status is TaskStatus.ASSIGNED:
        return {"status": status}
    started = at(day_between(rng, created, min(created + timedelta(days=7), last)), 5)
    progress = {
        TaskStatus.IN_PROGRESS: rng.randrange(10, 100, 10),
        TaskStatus.REPORTED: 100,
        TaskStatus.RETURNED: rng.randrange(50, 100, 10),
        TaskStatus.PAUSED: rng.randrange(0, 60, 10),
    }[status]
    with_report = status in (TaskStatus.REPORTED, TaskStatus.RETURNED)
    reported = at(day_between(rng, started.date(), last), 9) if with_report else None
    return {"status": status, "progress": progress, "started_at": started, "reported_at": reported}


def task_state(rng: random.Random, created: date, today: date) -> dict[str, Any]:
    """Due dates, status and the timestamps the CHECK constraints tie to that status."""
    due, original = deadlines(rng, created)
    state: dict[str, Any] = dict.fromkeys(
        ("started_at", "reported_at", "verified_at", "cancelled_at", "completed_on")
    ) | {"due_on": due, "original_due_on": original, "progress": 0}
    last = today - timedelta(days=1)
    if rng.random() < CANCELLED_SHARE:
        cancelled_at = at(day_between(rng, created, last), 8)
        return state | {"status": TaskStatus.CANCELLED, "cancelled_at": cancelled_at, "progress": 10}
    kind = "no_deadline" if due is None else "past_due" if due < today else "not_due"
    if rng.random() < DONE_SHARE[kind] and created < last:
        return state | done_state(rng, created, due, last)
    return state | open_state(rng, created, last)


def lead_unit(rng: random.Random, plan: VisitPlan) -> Unit:
    """Mostly the inspected unit itself, otherwise another unit of its district."""
    keep = 0.4 if plan.inspected is plan.district[0] else 0.7
    return plan.inspected if rng.random() < keep else rng.choice(plan.district)


def task_rows(
    rng: random.Random,
    plans: list[VisitPlan],
    n_tasks: int,
    today: date,
    coordinated_share: float,
    board: Unit,
) -> Iterator[tuple[dict[str, Any], int | None]]:
    """Tasks with their lead unit, and a coordinating unit for about ``coordinated_share`` of them."""
    task_id = 0
    for directive_id, count in enumerate(tasks_per_directive(rng, len(plans), n_tasks), start=1):
        plan = plans[directive_id - 1]
        for _ in range(count):
            task_id += 1
            lead = lead_unit(rng, plan)
            created = day_between(
                rng, plan.visited_on, min(plan.visited_on + timedelta(days=10), today - timedelta(days=1))
            )
            title, key = rng.choice(TASK_TITLES)
            row = {
                "id": task_id,
                "directive_id": directive_id,
                "lead_org_id": lead.id,
                "inspecting_org_id": plan.inspecting.id if plan.inspecting else None,
                "title": title,
                "description": None,
                "assigned_by_id": None,
                "created_at": at(created, 4),
                "search_key": key,
                "version": 1,
                **task_state(rng, created, today),
            }
            coordinator = None
            if rng.random() < coordinated_share:
                above = plan.board or board
                coordinator = rng.choice([u for u in (*plan.district, above) if u is not lead]).id
            yield row, coordinator


def category_of(row: dict[str, Any], today: date) -> str:
    """The row's timeliness by the model's own Python rule ("cancelled" when not counted)."""
    category = timeliness_of(SimpleNamespace(**row), today)  # type: ignore[arg-type]
    return category.value if category else "cancelled"


# --- loading -------------------------------------------------------------------------------------------


def insert_rows(table: Table, rows: Iterable[dict[str, Any]], chunk_size: int) -> int:
    """Bulk-insert ``rows`` into ``table`` with Core executemany, ``chunk_size`` rows at a time."""
    total = 0
    for chunk in chunked(rows, chunk_size):
        db.session.execute(insert(table), chunk)
        total += len(chunk)
    return total


def timed_step(steps: dict[str, float], name: str, action: Callable[[], Any]) -> Any:
    """Run ``action``, record its wall time in seconds under ``name`` and return its result."""
    start = time.perf_counter()
    result = action()
    steps[name] = round(time.perf_counter() - start, 3)
    return result


def insert_tasks(
    rng: random.Random, plans: list[VisitPlan], board: Unit, args: argparse.Namespace, expected: Counter[str]
) -> list[dict[str, int]]:
    """Insert the tasks chunk by chunk, tallying their expected categories; return the coordinator rows."""
    coordinators: list[dict[str, int]] = []
    rows = task_rows(rng, plans, args.tasks, args.today, args.coordinated_share, board)
    for chunk in chunked(rows, args.chunk_size):
        tasks = [row for row, _ in chunk]
        db.session.execute(insert(TASK), tasks)
        coordinators += [{"task_id": row["id"], "organization_id": org} for row, org in chunk if org]
        expected.update(category_of(row, args.today) for row in tasks)
    return coordinators


def load_province(app: Flask, args: argparse.Namespace) -> dict[str, Any]:
    """Migrate the empty database, bulk-load the province and return sizes, timings and expectations."""
    rng = random.Random(args.seed)
    steps: dict[str, float] = {}
    expected: Counter[str] = Counter()
    plans: list[VisitPlan] = []
    start = time.perf_counter()
    with app.app_context():
        timed_step(steps, "migrate", upgrade)
        province = build_province(args.districts, getattr(args, "provinces", 1))
        assert province.board is not None
        board = province.board
        visits = visit_rows(rng, province, args.visits, args.directives_per_visit, args.today, plans)
        timed_step(steps, "organizations", lambda: insert_rows(ORG, province.rows, args.chunk_size))
        timed_step(steps, "visits", lambda: insert_rows(VISIT, visits, args.chunk_size))
        timed_step(
            steps, "directives", lambda: insert_rows(DIRECTIVE, directive_rows(plans), args.chunk_size)
        )
        coordinators = timed_step(steps, "tasks", lambda: insert_tasks(rng, plans, board, args, expected))
        timed_step(
            steps, "coordinators", lambda: insert_rows(task_coordinator, coordinators, args.chunk_size)
        )
        timed_step(steps, "commit", db.session.commit)
        timed_step(steps, "finish", lambda: finish_load(args.analyze))
        # The daily scan's rebuild of the kept counts (workflows.counts), as on the day's first run.
        timed_step(steps, "kept counts", lambda: rebuild_kept_counts(args.today))
        seconds = round(time.perf_counter() - start, 3)
        tables = (ORG, VISIT, DIRECTIVE, TASK, task_coordinator)
        sizes = {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in tables}
    return {
        "seconds": seconds,
        "steps": steps,
        "sizes": sizes,
        "expected_categories": dict(sorted(expected.items())),
    }


def rebuild_kept_counts(today: date, due_soon_days: int = 3) -> None:
    """Build the kept timeliness counts as the daily scan does, and commit."""
    counts.rebuild(db.session.connection(), today, due_soon_days)
    db.session.commit()


def finish_load(analyze_sqlite: bool, tables: tuple[Table, ...] = (ORG, VISIT, DIRECTIVE, TASK)) -> None:
    """On PostgreSQL, move the id sequences past the explicit ids and ANALYZE (as autovacuum would);
    on SQLite, ANALYZE only when asked, since kiemtra itself never does."""
    if db.engine.dialect.name != "postgresql":
        if analyze_sqlite:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        return
    for table in tables:
        db.session.execute(
            select(func.setval(func.pg_get_serial_sequence(table.name, "id"), func.max(table.c.id)))
        )
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


# --- measuring -----------------------------------------------------------------------------------------


@dataclass
class Measurement:
    """One timed operation and its runs in milliseconds."""

    name: str
    group: str
    runs_ms: list[float]

    @property
    def median_ms(self) -> float:
        """The median run."""
        return statistics.median(self.runs_ms)

    @property
    def min_ms(self) -> float:
        """The fastest run."""
        return min(self.runs_ms)


def time_runs(action: Callable[[], Any], repeat: int, warmup: int = 1) -> list[float]:
    """Run ``action`` ``warmup`` times untimed, then ``repeat`` times; return the times in ms."""
    for _ in range(warmup):
        action()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        runs.append((time.perf_counter() - start) * 1000)
    return runs


def in_context(app: Flask, action: Callable[[], Any]) -> Callable[[], Any]:
    """Wrap ``action`` in a fresh app context, as a request or a CLI command gets one."""

    def run() -> Any:
        with app.app_context():
            return action()

    return run


def scope_unit(app: Flask, code: str) -> Organization:
    """Load an organisation and detach it, so that timing it costs no lookup."""
    with app.app_context():
        org = db.session.scalars(select(Organization).where(Organization.code == code)).one()
        db.session.expunge(org)
        return org


def invoke_stats(app: Flask, today: date, org_code: str | None = None) -> dict[str, Any]:
    """Run ``kiemtra stats --json`` in-process through Flask's CLI runner and parse its output."""
    args = ["stats", "--today", today.isoformat(), "--json"] + (["--org", org_code] if org_code else [])
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.output)


def run_process(command: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run a subprocess, fail loudly on a non-zero exit, return its stdout."""
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, (command, done.stdout, done.stderr)
    return done.stdout


def kiemtra_script() -> str:
    """The installed ``kiemtra`` entry point next to this interpreter (no pyenv shim), else on PATH."""
    beside = Path(sys.executable).parent / "kiemtra"
    return str(beside) if beside.exists() else shutil.which("kiemtra") or "kiemtra"


def measure_in_process(app: Flask, args: argparse.Namespace, district: str, leaf: str) -> list[Measurement]:
    """Time the floors, count_timeliness for three scopes and the CLI command, all in this process."""
    floor, scan_floor = FLOORS["in-process"]
    district_org, leaf_org = scope_unit(app, district), scope_unit(app, leaf)
    actions: list[tuple[str, Callable[[], Any]]] = [
        (floor, in_context(app, lambda: db.session.execute(text("SELECT count(*) FROM task")).scalar_one())),
        (
            scan_floor,
            in_context(
                app,
                lambda: db.session.execute(
                    text("SELECT count(*) FROM task WHERE status <> 'cancelled'")
                ).scalar_one(),
            ),
        ),
        ("count_timeliness province", in_context(app, lambda: count_timeliness(db.session, args.today))),
        (
            f"count_timeliness district {district}",
            in_context(app, lambda: count_timeliness(db.session, args.today, scope=district_org)),
        ),
        (
            f"count_timeliness leaf {leaf}",
            in_context(app, lambda: count_timeliness(db.session, args.today, scope=leaf_org)),
        ),
        ("CLI stats --json (in-process)", lambda: invoke_stats(app, args.today)),
        (f"CLI stats --json --org {district} (in-process)", lambda: invoke_stats(app, args.today, district)),
    ]
    return [Measurement(name, "in-process", time_runs(action, args.repeat)) for name, action in actions]


def measure_subprocesses(
    args: argparse.Namespace, env: dict[str, str], cwd: Path, expected_total: int
) -> list[Measurement]:
    """Time whole processes: bare interpreter, library imports, ``kiemtra --help`` and ``kiemtra stats``."""
    floor, app_floor = FLOORS["subprocess"]
    script = kiemtra_script()
    stats = [script, "stats", "--today", args.today.isoformat(), "--json"]
    commands = [
        (floor, [sys.executable, "-c", "pass"]),
        ("python -c 'import flask, sqlalchemy'", [sys.executable, "-c", "import flask, sqlalchemy"]),
        (app_floor, [script, "--help"]),
        ("kiemtra stats --today … --json", stats),
    ]
    measurements = []
    for name, command in commands:
        runs = time_runs(lambda command=command: run_process(command, env, cwd), args.subprocess_repeat, 0)
        measurements.append(Measurement(name, "subprocess", runs))
    total = json.loads(run_process(stats, env, cwd))["total"]
    assert total == expected_total, f"kiemtra stats in a subprocess counted {total}, not {expected_total}"
    return measurements


def check_counts(app: Flask, today: date, expected: dict[str, int]) -> dict[str, Any]:
    """The province counts agree with a raw count, add up, and match the generator's own categories."""
    with app.app_context():
        counts = count_timeliness(db.session, today)
        raw = db.session.execute(text("SELECT count(*) FROM task WHERE status <> 'cancelled'")).scalar_one()
        bad_counters = db.session.execute(
            text(
                "SELECT count(*) FROM visit WHERE directive_counter <>"
                " (SELECT count(*) FROM directive WHERE directive.visit_id = visit.id)"
            )
        ).scalar_one()
    found = {c: getattr(counts, c) for c in CATEGORIES}
    assert counts.total == raw, f"count_timeliness total {counts.total} != raw non-cancelled count {raw}"
    assert sum(found.values()) == counts.total, f"categories {found} do not add up to {counts.total}"
    assert found == {c: expected.get(c, 0) for c in CATEGORIES}, f"SQL {found} != Python {expected}"
    assert bad_counters == 0, f"{bad_counters} visits whose directive_counter is not their directive count"
    return {
        "total": counts.total,
        "raw_non_cancelled": raw,
        **found,
        "done": counts.done,
        "on_time_original": counts.on_time_original,
        "completion_rate": counts.completion_rate,
    }


def capture_count_sql(app: Flask, action: Callable[[], Any]) -> tuple[str, Any]:
    """The SELECT statement and parameters ``action`` sends to the database."""
    captured: list[tuple[str, Any]] = []

    def listener(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            action()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    return captured[-1]


def explain(app: Flask, action: Callable[[], Any]) -> list[str]:
    """The plan of the query ``action`` runs: EXPLAIN QUERY PLAN, or EXPLAIN ANALYZE on PostgreSQL."""
    statement, parameters = capture_count_sql(app, action)
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            return [row[0] for row in rows]
        depth: dict[int, int] = {0: -1}
        lines = []
        for node, parent, _, detail in connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters
        ):
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + detail)
        return lines


def query_plans(app: Flask, today: date, district: str, leaf: str) -> dict[str, list[str]]:
    """Plans of the province, district and leaf count queries."""
    plans = {"province": explain(app, lambda: count_timeliness(db.session, today))}
    for label, code in (("district", district), ("leaf", leaf)):
        org = scope_unit(app, code)
        plans[label] = explain(app, lambda org=org: count_timeliness(db.session, today, scope=org))
    return plans


# --- one backend, end to end ---------------------------------------------------------------------------


@dataclass
class Target:
    """Where one backend's scratch database lives and how a subprocess finds it."""

    backend: str
    url: str
    workdir: Path
    env: dict[str, str]


def clean_environment(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment without any KIEMTRA_* setting, plus ``extra``."""
    return {k: v for k, v in os.environ.items() if not k.startswith("KIEMTRA_")} | extra


def prepare_target(backend: str, url: str | None) -> Target:
    """Make the empty scratch database for ``backend``, and a temp dir to run the CLI in."""
    if backend == "postgresql":
        url = url or DEFAULT_PG_URL
        recreate_pg_database(url, drop_only=False)
    elif url is not None:
        path = make_url(url).database
        if not path or Path(path).exists():
            raise SystemExit(f"{url}: give a new SQLite file; this one exists or is in memory")
    workdir = Path(tempfile.mkdtemp(prefix=f"kiemtra-bench-{backend}-"))
    if url is not None:
        return Target(backend, url, workdir, clean_environment({"KIEMTRA_DATABASE_URL": url}))
    instance = workdir / "instance"  # the default file of an instance folder, as users run the CLI
    instance.mkdir()
    url = f"sqlite:///{instance / 'kiemtra.sqlite'}"
    return Target(backend, url, workdir, clean_environment({"KIEMTRA_INSTANCE_PATH": str(instance)}))


def recreate_pg_database(url: str, drop_only: bool) -> None:
    """Drop (and unless ``drop_only`` create) the scratch database, connected to ``postgres``."""
    import psycopg
    from psycopg import sql

    parsed = make_url(url)
    name = parsed.database or ""
    if "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: a scratch database name must contain 'bench'")
    with psycopg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not drop_only:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def release_target(app: Flask | None, target: Target, keep: bool) -> None:
    """Close the engine, then drop the scratch database and the temp dir unless ``keep``."""
    if app is not None:
        with app.app_context():
            db.engine.dispose()
    if keep:
        print(f"kept: {target.url} (work dir {target.workdir})")
        return
    if target.backend == "postgresql":
        recreate_pg_database(target.url, drop_only=True)
    elif "KIEMTRA_DATABASE_URL" in target.env:  # a SQLite file the user named: remove what we made
        for suffix in ("", "-wal", "-shm"):
            Path(f"{make_url(target.url).database}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(target.workdir, ignore_errors=True)


def server_version(app: Flask) -> str:
    """The database server's version string."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            return "SQLite " + db.session.execute(text("SELECT sqlite_version()")).scalar_one()
        return db.session.execute(text("SELECT version()")).scalar_one().split(",")[0]


def run_backend(backend: str, url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    """Load, check and time one backend; return the results document."""
    target = prepare_target(backend, url)
    app = None
    try:
        app = create_app({"DATABASE_URL": target.url, "SECRET_KEY": "bench"})
        load = load_province(app, args)
        print(f"\n[{backend}] loaded {load['sizes']} in {load['seconds']:.1f} s {load['steps']}", flush=True)
        district = f"HU-{search_key(PLACES[0]).replace(' ', '').upper()}"
        leaf = district.replace("HU-", "VHTT-")
        checks = check_counts(app, args.today, load["expected_categories"])
        measurements = measure_in_process(app, args, district, leaf)
        measurements += measure_subprocesses(args, target.env, target.workdir, checks["total"])
        plans = query_plans(app, args.today, district, leaf)
        return {
            "backend": backend,
            "database": make_url(target.url).render_as_string(hide_password=True),
            "server": server_version(app),
            "today": args.today.isoformat(),
            "seed": args.seed,
            "repeat": args.repeat,
            "subprocess_repeat": args.subprocess_repeat,
            "sqlite_analyzed": backend == "sqlite" and args.analyze,
            "load": load,
            "checks": checks,
            "plans": plans,
            "environment": environment(),
            "results": [result_row(m, measurements) for m in measurements],
        }
    finally:
        release_target(app, target, args.keep)


def environment() -> dict[str, Any]:
    """The machine and library versions the figures were measured on."""
    return {
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "kiemtra": kiemtra_script(),
    }


def result_row(measurement: Measurement, all_measurements: list[Measurement]) -> dict[str, Any]:
    """One measurement with the ratio of its median to the median of each floor of its group."""
    medians = {m.name: m.median_ms for m in all_measurements}
    return {
        "name": measurement.name,
        "group": measurement.group,
        "median_ms": round(measurement.median_ms, 3),
        "min_ms": round(measurement.min_ms, 3),
        "ratios": {f: round(measurement.median_ms / medians[f], 2) for f in FLOORS[measurement.group]},
        "runs_ms": [round(r, 3) for r in measurement.runs_ms],
    }


# --- reporting and the command line --------------------------------------------------------------------


def print_report(document: dict[str, Any], show_plans: bool) -> None:
    """Print the checks and a table of figures with their ratio to the floor."""
    print(f"\n== {document['backend']}: {document['server']}, today {document['today']}")
    print("checks:", json.dumps(document["checks"], ensure_ascii=False))
    for group, runs in (("in-process", document["repeat"]), ("subprocess", document["subprocess_repeat"])):
        floors = FLOORS[group]
        print(f"\n{group} ({runs} runs); floors: (1) {floors[0]}, (2) {floors[1]}")
        print(f"{'':<52} {'median ms':>10} {'min ms':>10} {'x (1)':>8} {'x (2)':>8}")
        for row in (r for r in document["results"] if r["group"] == group):
            ratios = " ".join(f"{row['ratios'][f]:>8.2f}" for f in floors)
            print(f"{row['name']:<52} {row['median_ms']:>10.2f} {row['min_ms']:>10.2f} {ratios}")
    if show_plans:
        for label, lines in document["plans"].items():
            print(f"\nplan of the {label} count:")
            print("\n".join("  " + line for line in lines))


def write_results(document: dict[str, Any]) -> Path:
    """Write the document to benchmarks/results/province-<backend>.json."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"province-{document['backend']}.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql", "both"),
        default=None,
        help="default: taken from --database-url, else sqlite",
    )
    parser.add_argument(
        "--database-url", help=f"scratch database (default: a new SQLite file, or {DEFAULT_PG_URL})"
    )
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 26))
    parser.add_argument("--districts", type=int, default=10, help="districts of nine units each")
    parser.add_argument(
        "--provinces", type=int, default=1, help="more than 1: a country, the centre above these provinces"
    )
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--directives-per-visit", type=int, default=3, help="mean; 1..2n-1 per visit")
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--coordinated-share", type=float, default=0.2)
    parser.add_argument("--chunk-size", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--subprocess-repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--analyze", action="store_true", help="also ANALYZE SQLite after loading")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    if args.backend is None:
        args.backend = "sqlite" if not args.database_url else make_url(args.database_url).get_backend_name()
    if args.backend == "both" and args.database_url:
        parser.error("--backend both uses the defaults; give --database-url with one backend")
    if args.backend not in ("sqlite", "postgresql", "both"):
        parser.error(f"unsupported backend {args.backend}")
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark on the chosen backend(s)."""
    args = parse_args(argv)
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        document = run_backend(backend, args.database_url, args)
        print_report(document, args.explain)
        print(f"\nwritten: {write_results(document)}")


if __name__ == "__main__":
    main()
