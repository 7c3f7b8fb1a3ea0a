"""The scheduled daily backup, on when ``KIEMTRA_BACKUP_DIR`` is set; keeps the newest ``BACKUP_KEEP``.

It runs in the one scheduler process. A claim per day in the job ledger (as for the deadline scan)
makes a second scheduler, or a catch-up after a restart, skip a day that is already backed up.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from app.backup import BackupError
from app.backup.service import take_backup
from models import db
from models.base import utcnow
from models.enums import JobRunStatus
from workflows import reminders
from workflows.clock import LOCAL_ZONE

if TYPE_CHECKING:
    from app.reminders.scheduler import JobSpec

log = logging.getLogger("kiemtra.backup")

JOB_NAME = "daily-backup"
ARCHIVE_NAME = re.compile(r"kiemtra-\d{8}-\d{6}\.tar\.gz")
HOUR = 3600


def backup_time(app: Flask) -> time:
    """The configured local time of the daily backup (``BACKUP_TIME``, default 02:00)."""
    raw = str(app.config.get("BACKUP_TIME") or "02:00").strip()
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"BACKUP_TIME must be HH:MM (local time), not {raw!r}") from None


def archive_name(now: datetime) -> str:
    """``kiemtra-YYYYMMDD-HHMMSS.tar.gz`` in local time."""
    return f"kiemtra-{now.astimezone(LOCAL_ZONE):%Y%m%d-%H%M%S}.tar.gz"


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` archives this job wrote; other files are never touched."""
    archives = sorted(
        path for path in folder.iterdir() if path.is_file() and ARCHIVE_NAME.fullmatch(path.name)
    )
    doomed = archives[: max(len(archives) - max(keep, 1), 0)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def run_daily_backup(app: Flask, now: datetime | None = None) -> Path | None:
    """Back up into ``BACKUP_DIR`` once per local day, then prune; return the archive written."""
    now = now or utcnow()
    folder = Path(app.config["BACKUP_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    day = now.astimezone(LOCAL_ZONE).date().isoformat()
    with app.app_context():
        claim = reminders.claim_run(JOB_NAME, day, now)
        db.session.commit()
        if not claim.owned:
            log.info("backup of %s already %s", day, claim.status)
            return None
        try:
            report = take_backup(app, folder / archive_name(now))
        except (BackupError, OSError) as error:
            message = error.message if isinstance(error, BackupError) else str(error)
            log.error("backup failed: %s", message)
            reminders.close_run(claim, JobRunStatus.FAILED, message[:500], utcnow())
            db.session.commit()
            return None
        removed = prune(folder, int(app.config.get("BACKUP_KEEP") or 7))
        summary = f"{report.path.name} {report.size} bytes in {report.seconds:.1f} s; removed {len(removed)}"
        reminders.close_run(claim, JobRunStatus.FINISHED, summary, utcnow())
        db.session.commit()
        log.info("backup written: %s", summary)
        return report.path


def backup_jobs(app: Flask) -> tuple[JobSpec, ...]:
    """The backup job when ``BACKUP_DIR`` is configured, else nothing."""
    from app.reminders.scheduler import JobSpec

    if not app.config.get("BACKUP_DIR"):
        return ()
    at = backup_time(app)
    return (
        JobSpec(
            JOB_NAME,
            "Sao lưu hằng ngày",
            run_daily_backup,
            lambda _app: CronTrigger(hour=at.hour, minute=at.minute, timezone=LOCAL_ZONE),
            6 * HOUR,
        ),
    )
