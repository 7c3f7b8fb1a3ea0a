"""Several real processes scan the same days at the same moment: each notification and each digest once.

Runs on the test database of the session: SQLite by default, PostgreSQL with KIEMTRA_TEST_DATABASE_URL.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import JobRun, Notification, User, db
from tests.reminders._workers import run_days_in_process
from tests.reminders.conftest import TODAY

pytestmark = pytest.mark.slow  # several processes: left out of the fast subset (-m "not slow")

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 3


def _world_of_deadlines(due_task, world):
    due_task(7)
    due_task(3, coordinating=[world.district_culture])
    due_task(1)
    due_task(-1, coordinating=[world.district_culture])
    due_task(-6)  # escalated on the second day
    due_task(-20)
    db.session.commit()


def _notification_keys():
    rows = db.session.execute(
        select(User.username, Notification.task_id, Notification.kind, Notification.key_on).join(
            User, User.id == Notification.recipient_id
        )
    ).all()
    db.session.rollback()
    return rows


def test_processes_racing_on_the_same_days_create_each_notification_and_digest_once(
    app, database_url, tmp_path, smtp, due_task, world
):
    _world_of_deadlines(due_task, world)
    days = [TODAY + timedelta(days=n) for n in range(3)]
    config = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "worker",
        "INSTANCE_PATH": str(tmp_path),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp.port,
        "BASE_URL": "https://kiemtra.example.vn",
    }
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    workers = [
        context.Process(
            target=run_days_in_process, args=(config, [d.isoformat() for d in days], 0, barrier, results)
        )
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    reports = [results.get(timeout=180) for _ in range(PROCESSES * len(days))]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    for day in days:
        of_day = [r for r in reports if r["day"] == day.isoformat()]
        assert len(of_day) == PROCESSES
        assert sum(r["owned"] for r in of_day) == 1, of_day  # one process scanned the day
        assert all(r["failed"] == [] for r in of_day)
        sent = [name for r in of_day for name in r["sent"]]
        assert len(sent) == len(set(sent)), of_day  # nobody got two digests on the same day

    keys = _notification_keys()
    assert len(keys) == len(set(keys))
    deadline_keys = [k for k in keys if k[2].value != "assigned"]
    assert sum(r["created"] for r in reports) == len(deadline_keys)
    # Worked out by hand over the three days (see _world_of_deadlines): nothing missing, nothing twice.
    assert Counter(k[2].value for k in deadline_keys) == {
        "due_in_7": 1,  # +7: office
        "due_in_3": 2,  # +3: office and the coordinating unit
        "due_in_1": 3,  # +1 on day one; +3 on day three, with its coordinating unit
        "overdue": 9,  # -1 (3 recipients), -6 and -20 (2 each), then +1 on day three (2)
        "escalated": 4,  # -20 on day one, -6 on day two: the provincial leader and the inspector
    }

    per_address = Counter(m["To"].addresses[0].username for m in smtp.messages)
    assert max(per_address.values()) <= len(days)
    expected_digests = sum(len(r["sent"]) for r in reports)
    assert len(smtp.messages) == expected_digests
    runs = select(func.count()).select_from(JobRun).where(JobRun.job_name == "deadline_scan")
    assert db.session.scalar(runs) == len(days)
    db.session.rollback()


def test_concurrent_scan_deadlines_commands_create_each_notification_once(
    database_url, tmp_path, due_task, world
):
    _world_of_deadlines(due_task, world)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KIEMTRA_")},
        "KIEMTRA_DATABASE_URL": database_url,
        "KIEMTRA_SECRET_KEY": "cli",
        "KIEMTRA_INSTANCE_PATH": str(tmp_path),
    }
    command = [sys.executable, "-m", "app.cli", "scan-deadlines", "--today", TODAY.isoformat()]
    processes = [
        subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
        outputs.append(out)
    assert sum("Lượt quét thuộc tiến trình này" in out for out in outputs) == 1, outputs
    assert sum("không tạo thêm thông báo" in out for out in outputs) == 1, outputs
    keys = _notification_keys()
    assert len(keys) == len(set(keys))
    created = next(out for out in outputs if "thuộc tiến trình này" in out)
    assert f"Đã tạo {len([k for k in keys if k[2].value != 'assigned'])} thông báo." in created
