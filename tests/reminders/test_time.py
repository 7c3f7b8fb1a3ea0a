"""Local dates in Asia/Ho_Chi_Minh whatever the server's zone: 23:59, 00:01, and a process in UTC."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.reminders import jobs
from models import JobRun, Notification, db
from tests.reminders.conftest import TODAY
from workflows.clock import LOCAL_ZONE

ROOT = Path(__file__).resolve().parents[2]


def local(day, hh, mm):
    return datetime.combine(day, time(hh, mm), LOCAL_ZONE)


def kinds_of(task):
    kinds = {
        k.value for k in db.session.scalars(select(Notification.kind).where(Notification.task_id == task.id))
    }
    db.session.rollback()  # end the read: SQLite has one writer, and the job is about to write
    return kinds


def run(app, now):
    db.session.commit()
    return jobs.run_deadline_job(app, now=now)


def test_a_task_due_today_is_due_at_2359_and_overdue_at_0001(app, no_smtp, due_task, world):
    task = due_task(0)
    db.session.commit()
    late_evening = run(app, local(TODAY, 23, 59))
    assert late_evening.today == TODAY
    assert kinds_of(task) == {"assigned", "due_in_1"}
    just_after_midnight = run(app, local(TODAY + timedelta(days=1), 0, 1))
    assert just_after_midnight.today == TODAY + timedelta(days=1)
    db.session.expire_all()
    assert kinds_of(task) == {"assigned", "due_in_1", "overdue"}
    assert set(db.session.scalars(select(JobRun.period_key))) == {"2023-12-01", "2023-12-02"}
    db.session.rollback()


def test_the_vietnamese_day_starts_seven_hours_before_utc_midnight(app, no_smtp, due_task, world):
    due_task(0)
    db.session.commit()
    # 16:59 UTC is 23:59 in Hà Nội; 17:01 UTC is already the next day there.
    assert run(app, datetime(2023, 12, 1, 16, 59, tzinfo=UTC)).today == TODAY
    next_day = run(app, datetime(2023, 12, 1, 17, 1, tzinfo=UTC)).today
    assert next_day == TODAY + timedelta(days=1)


def test_the_catch_up_waits_for_the_scan_time(app, no_smtp, due_task, world):
    due_task(-1)
    db.session.commit()
    assert jobs.catch_up(app, local(TODAY, 6, 59)) is None
    assert db.session.scalars(select(JobRun)).all() == []
    db.session.rollback()
    report = jobs.catch_up(app, local(TODAY, 7, 0))
    assert report is not None and report.scan.claim.owned and report.scan.total == 2
    again = jobs.catch_up(app, local(TODAY, 8, 30))
    assert again is not None and not again.scan.claim.owned


PROBE = """
import json, os, time
from datetime import UTC, datetime
from app import create_app
from app.reminders import jobs, scheduler

app = create_app()
report = jobs.run_deadline_job(app, now=datetime(2023, 11, 30, 17, 1, tzinfo=UTC))
built = scheduler.build_scheduler(app, blocking=False)
daily = next(job for job in built.get_jobs() if job.id == "deadline-scan")
fire = daily.trigger.get_next_fire_time(None, datetime(2023, 11, 30, 12, 0, tzinfo=UTC))
print(json.dumps({
    "tz": time.strftime("%Z"),
    "naive_now_is_utc": abs(time.time() - time.mktime(datetime.now(UTC).timetuple())) < 5,
    "today": report.today.isoformat(),
    "created": {k.value: n for k, n in report.scan.created.items()},
    "next_scan_utc": fire.astimezone(UTC).isoformat(),
}))
"""


@pytest.mark.slow  # a second process
def test_a_scheduler_process_running_in_utc_uses_the_vietnamese_day_and_scan_time(
    database_url, tmp_path, due_task, world
):
    task = due_task(-1)  # due 30/11
    db.session.commit()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KIEMTRA_")},
        "TZ": "UTC",
        "KIEMTRA_DATABASE_URL": database_url,
        "KIEMTRA_SECRET_KEY": "probe",
        "KIEMTRA_INSTANCE_PATH": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["tz"] == "UTC" and probe["naive_now_is_utc"]
    # 17:01 UTC on 30/11 is 00:01 on 01/12 in Vietnam: the task due 30/11 is overdue there.
    assert probe["today"] == "2023-12-01"
    assert probe["created"] == {"overdue": 2}
    assert probe["next_scan_utc"] == "2023-12-01T00:00:00+00:00"  # 07:00 in Vietnam
    db.session.expire_all()
    assert "overdue" in kinds_of(task)
