"""The scheduler's wiring: stable jobs in the Vietnamese zone, started once, never by the app factory."""

from __future__ import annotations

import threading
from datetime import datetime, time

import pytest

from app import create_app
from app.reminders import jobs, scheduler
from tests.reminders.conftest import TODAY
from workflows.clock import LOCAL_ZONE


def _jobs(app):
    return {job.id: job for job in scheduler.build_scheduler(app, blocking=False).get_jobs()}


def test_the_jobs_are_declared_once_with_stable_ids_in_the_vietnamese_zone(app):
    built = _jobs(app)
    assert sorted(built) == ["catch-up-at-start", "catch-up-hourly", "deadline-scan"]
    for job in built.values():
        zone = getattr(job.trigger, "timezone", None) or job.trigger.run_date.tzinfo
        assert zone == LOCAL_ZONE
        assert job.coalesce is True and job.max_instances == 1
    assert built["deadline-scan"].misfire_grace_time == 6 * 3600
    assert built["catch-up-at-start"].misfire_grace_time == 6 * 3600
    assert built["catch-up-hourly"].misfire_grace_time == 1800


def test_adding_the_jobs_again_replaces_them_instead_of_adding_copies(app):
    built = scheduler.build_scheduler(app, blocking=False)
    for spec in scheduler.JOBS:
        built.add_job(spec.func, spec.trigger(app), args=[app], id=spec.id, replace_existing=True)
    built.start(paused=True)  # jobs reach the job store (and replace each other) at start
    try:
        assert sorted(job.id for job in built.get_jobs()) == sorted(spec.id for spec in scheduler.JOBS)
    finally:
        built.shutdown(wait=False)


def test_the_daily_scan_fires_at_the_configured_local_time(app, monkeypatch):
    before = datetime.combine(TODAY, time(6, 0), LOCAL_ZONE)
    fire = _jobs(app)["deadline-scan"].trigger.get_next_fire_time(None, before)
    assert fire == datetime.combine(TODAY, time(7, 0), LOCAL_ZONE)
    monkeypatch.setitem(app.config, "SCAN_TIME", "08:30")
    fire = _jobs(app)["deadline-scan"].trigger.get_next_fire_time(None, before)
    assert fire == datetime.combine(TODAY, time(8, 30), LOCAL_ZONE)


def test_a_malformed_scan_time_is_refused_before_anything_starts(app, monkeypatch):
    monkeypatch.setitem(app.config, "SCAN_TIME", "7 giờ")
    with pytest.raises(ValueError, match="SCAN_TIME"):
        scheduler.build_scheduler(app, blocking=False)


def _scheduler_threads():
    return [t for t in threading.enumerate() if t.name == "APScheduler"]


def test_creating_the_app_starts_no_scheduler(database_url, tmp_path):
    before = len(_scheduler_threads())
    create_app({"TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path)})
    assert len(_scheduler_threads()) == before


@pytest.fixture
def catch_ups(monkeypatch):
    """Record the catch-up runs instead of scanning the real today."""
    calls = []
    ran = threading.Event()

    def record(app, now=None):
        calls.append(app)
        ran.set()

    monkeypatch.setattr(jobs, "catch_up", record)
    return calls, ran


def test_the_background_scheduler_catches_up_at_start_and_stops_with_its_block(app, catch_ups):
    calls, ran = catch_ups
    with scheduler.running_in_background(app) as running:
        assert running is not None and running.running
        assert ran.wait(timeout=30)
        with pytest.raises(RuntimeError, match="already running"), scheduler.running_in_background(app):
            pass  # a second scheduler in the same process is refused
    assert not running.running
    assert calls == [app]


def test_no_scheduler_means_none(app):
    with scheduler.running_in_background(app, enabled=False) as running:
        assert running is None


@pytest.mark.parametrize(("args", "expected"), [([], True), (["--no-scheduler"], False)])
def test_serve_runs_the_scheduler_beside_waitress_unless_told_not_to(
    runner, monkeypatch, catch_ups, args, expected
):
    seen = []

    def fake_serve(host, port, threads):
        seen.append(any(s.running for s in scheduler._started))

    monkeypatch.setattr("app.cli._serve", fake_serve)
    result = runner.invoke(args=["serve", *args])
    assert result.exit_code == 0, result.output
    assert seen == [expected]
    assert not any(s.running for s in scheduler._started)
