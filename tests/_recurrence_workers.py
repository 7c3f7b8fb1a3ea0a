"""Code run in separate processes by the recurring duties' concurrency test (spawn imports it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any


def run_day_in_process(config: dict[str, Any], iso_day: str, barrier: Any, results: Any) -> None:
    """Build an app on the test database and run the daily job for one day, in step with the others."""
    from app import create_app
    from app.reminders import jobs

    app = create_app(config)
    day = date.fromisoformat(iso_day)
    barrier.wait(timeout=120)
    report = jobs.run_deadline_job(app, day, datetime.combine(day, time(0), UTC))
    results.put(len(report.recurring))
