"""APScheduler 3.11 wiring: which jobs run when, in exactly one process.

Only three places start a scheduler: ``kiemtra scheduler`` (a BlockingScheduler, the production setup
beside any number of web workers), and ``kiemtra serve`` / ``kiemtra demo`` (a BackgroundScheduler inside
their single waitress process, unless ``--no-scheduler``). ``create_app`` never starts one, so web
workers (gunicorn, ``flask run`` with or without the reloader) never schedule anything. Should two
schedulers run anyway, the database still decides: the day's claim and the unique notification keys.

Every trigger gets ``ZoneInfo("Asia/Ho_Chi_Minh")`` explicitly: triggers do not inherit the scheduler's
zone, and servers usually run in UTC.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from flask import Flask

from app.reminders import jobs
from workflows.clock import LOCAL_ZONE

log = logging.getLogger("kiemtra.reminders")

HOUR = 3600


def scheduled_scan(app: Flask) -> None:
    """The daily job at SCAN_TIME: scan today, commit, send the digests."""
    jobs.run_deadline_job(app)


def scheduled_catch_up(app: Flask) -> None:
    """At start and every hour: run today's job if it is due and unfinished, retry failed digests."""
    jobs.catch_up(app)


@dataclass(frozen=True)
class JobSpec:
    """A job declared in code: a stable id (so a restart replaces it instead of adding a copy)."""

    id: str
    name: str
    func: Callable[[Flask], object]
    trigger: Callable[[Flask], BaseTrigger]
    misfire_grace_time: int


def _daily_trigger(app: Flask) -> BaseTrigger:
    at = jobs.scan_time(app.config)
    return CronTrigger(hour=at.hour, minute=at.minute, timezone=LOCAL_ZONE)


JOBS: tuple[JobSpec, ...] = (
    # A late start (a paused VM, a busy machine) still runs the day's scan within six hours.
    JobSpec("deadline-scan", "Quét hạn nhiệm vụ hằng ngày", scheduled_scan, _daily_trigger, 6 * HOUR),
    # Catch up at start: a process started after the scan time, or restarted mid-run, finishes the day.
    JobSpec(
        "catch-up-at-start",
        "Chạy bù khi khởi động",
        scheduled_catch_up,
        lambda _app: DateTrigger(timezone=LOCAL_ZONE),
        6 * HOUR,
    ),
    # Hourly: retries refused digests and takes over a run whose process died.
    JobSpec(
        "catch-up-hourly",
        "Chạy bù và gửi lại thư lỗi mỗi giờ",
        scheduled_catch_up,
        lambda _app: CronTrigger(minute=30, timezone=LOCAL_ZONE),
        HOUR // 2,
    ),
)


def jobs_for(app: Flask) -> tuple[JobSpec, ...]:
    """The declared jobs plus those turned on in configuration (the daily backup)."""
    from app.backup.job import backup_jobs

    return (*JOBS, *backup_jobs(app))


def build_scheduler(app: Flask, *, blocking: bool) -> BaseScheduler:
    """A scheduler with kiemtra's jobs added (not started)."""
    jobs.scan_time(app.config)  # refuse a malformed SCAN_TIME before anything starts
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler: BaseScheduler = scheduler_class(
        timezone=LOCAL_ZONE,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": HOUR},
    )
    for spec in jobs_for(app):
        scheduler.add_job(
            spec.func,
            trigger=spec.trigger(app),
            args=[app],
            id=spec.id,
            name=spec.name,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.misfire_grace_time,
        )
    return scheduler


_started_lock = threading.Lock()
_started: list[BaseScheduler] = []


def _claim_process_slot(scheduler: BaseScheduler) -> None:
    with _started_lock:
        if any(s.running for s in _started):
            raise RuntimeError("a kiemtra scheduler is already running in this process")
        _started.append(scheduler)


@contextmanager
def running_in_background(app: Flask, *, enabled: bool = True) -> Iterator[BaseScheduler | None]:
    """Run the scheduler in a background thread of this process for the ``with`` block.

    For ``kiemtra serve`` and ``kiemtra demo``: they run one waitress process with no reloader, so
    the scheduler starts once. Refuses a second scheduler in the same process.
    """
    if not enabled:
        log.info("scheduler not started (--no-scheduler)")
        yield None
        return
    scheduler = build_scheduler(app, blocking=False)
    _claim_process_slot(scheduler)
    scheduler.start()
    log.info("scheduler started: %s", describe_jobs(scheduler))
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)
        with _started_lock:
            _started.remove(scheduler)


def run_blocking(app: Flask) -> None:
    """Run the scheduler in the foreground until interrupted (``kiemtra scheduler``)."""
    scheduler = build_scheduler(app, blocking=True)
    _claim_process_slot(scheduler)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")
    finally:
        with _started_lock:
            _started.remove(scheduler)


def describe_jobs(scheduler: BaseScheduler) -> str:
    """The jobs and their next run times, for the log."""
    parts: list[str] = []
    for job in scheduler.get_jobs():
        next_run: Any = getattr(job, "next_run_time", None)
        parts.append(f"{job.id} next {next_run:%Y-%m-%d %H:%M %Z}" if next_run else job.id)
    return "; ".join(parts)
