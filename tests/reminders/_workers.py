"""Code run in separate processes by the concurrency tests (imported by ``multiprocessing`` spawn)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def run_days_in_process(
    config: dict[str, Any], days: list[str], hour_utc: int, barrier: Any, results: Any
) -> None:
    """Build an app on the test database and run the daily job for each day, in step with the others."""
    from datetime import UTC, time

    from app import create_app
    from app.reminders import jobs

    app = create_app(config)
    for iso_day in days:
        day = date.fromisoformat(iso_day)
        barrier.wait(timeout=120)  # every process starts the day's run at the same moment
        report = jobs.run_deadline_job(app, day, datetime.combine(day, time(hour_utc), UTC))
        results.put(
            {
                "day": iso_day,
                "owned": report.scan.claim.owned,
                "created": report.scan.total,
                "sent": sorted(username for username, _, _ in report.delivery.sent),
                "failed": report.delivery.failed,
            }
        )
