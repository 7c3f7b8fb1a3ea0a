"""The production shape: two web processes and one scheduler on one database, over real HTTP.

A task is reported done through one process from a form the other process rendered, and verified
through the other; the scheduler process runs its catch-up on the same database. The database is a
scratch one of the suite's kind (a new PostgreSQL database when the suite runs on PostgreSQL).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from app import create_app
from models import JobRun, Task, User, db
from models.enums import Role, TaskStatus
from workflows.clock import local_today
from workflows.demo import DEMO_PASSWORD, load_demo
from workflows.reminders import SCAN_JOB

pytestmark = pytest.mark.slow


class _Forms(HTMLParser):
    """The forms of a page: action and the values of their fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((attributes.get("action", ""), {}))
        elif (
            tag in ("input", "textarea")
            and self.forms
            and attributes.get("name")
            and attributes.get("type") not in ("file", "submit", "checkbox")
        ):
            self.forms[-1][1][attributes["name"]] = attributes.get("value", "")


class Browser:
    """One person's cookies, used against whichever process a request goes to."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def get(self, url: str) -> tuple[int, str]:
        try:
            with self.opener.open(url, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, url: str, fields: dict[str, str]) -> int:
        data = urllib.parse.urlencode(fields).encode()
        try:
            request = urllib.request.Request(url, data=data)  # noqa: S310 - http://127.0.0.1 only
            with self.opener.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def form(self, page_url: str, action_ends_with: str) -> dict[str, str]:
        status, html = self.get(page_url)
        assert status == 200, html[:500]
        parser = _Forms()
        parser.feed(html)
        for action, fields in parser.forms:
            target = action.split("?")[0] or urllib.parse.urlsplit(page_url).path  # "": the page itself
            if target.endswith(action_ends_with):
                return fields
        raise AssertionError(f"no form posting to …{action_ends_with} on {page_url}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A new empty database of the suite's kind, dropped afterwards."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'production.sqlite'}"
        return
    name = f"kiemtra_production_{secrets.token_hex(4)}"
    admin = create_engine(
        make_url(database_url).set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> dict[str, object]:
    deadline = time.monotonic() + 120  # a readiness wait, not a measurement
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
                return dict(json.loads(response.read()))
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise AssertionError(f"{url} never became healthy:\n{log.read_text()}")


def test_a_report_posted_on_one_process_is_verified_on_the_other(scratch_url: str, tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    settings = {
        "TESTING": False,
        "DATABASE_URL": scratch_url,
        "SECRET_KEY": "shared-secret",
        "INSTANCE_PATH": str(instance),
    }
    scratch = create_app(settings)
    with scratch.app_context():
        upgrade()
        load_demo(local_today())
        db.session.commit()
        users = db.session.scalars(select(User).order_by(User.id)).all()
        open_tasks = db.session.scalars(
            select(Task)
            .where(Task.status.in_([TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED]))
            .order_by(Task.id)
        ).all()
        task, office, inspector = next(
            (t, o, i)
            for t in open_tasks
            for o in users
            for i in users
            if t.can_report(o) and i.role is Role.INSPECTOR and t.can_verify(i, check_state=False)
        )
        task_id, office_id, inspector_id = task.id, office.id, inspector.id
        office_name, inspector_name = office.username, inspector.username
        db.session.remove()
        db.engine.dispose()

    environment = {
        **os.environ,
        "KIEMTRA_DATABASE_URL": scratch_url,
        "KIEMTRA_SECRET_KEY": "shared-secret",
        "KIEMTRA_INSTANCE_PATH": str(instance),
        "KIEMTRA_REQUEST_LOG": "1",
        "KIEMTRA_SCAN_TIME": "00:00",  # the scheduler's catch-up at start finds today's scan due
    }
    ports = [_free_port(), _free_port()]
    commands = [
        *[["serve", "--no-scheduler", "--port", str(port), "--threads", "2"] for port in ports],
        ["scheduler"],
    ]
    processes: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        for index, arguments in enumerate(commands):
            log = tmp_path / f"process-{index}.log"
            with log.open("wb") as handle:
                command = [sys.executable, "-m", "app.cli", *arguments]
                process = subprocess.Popen(command, env=environment, stdout=handle, stderr=handle)
            processes.append((process, log))
        one, two = (f"http://127.0.0.1:{port}" for port in ports)
        for base, (process, log) in zip((one, two), processes, strict=False):
            health = _wait_healthy(f"{base}/healthz", process, log)
            assert health["status"] == "ok" and health["schema_revision"] == health["head_revision"]

        office_browser, inspector_browser = Browser(), Browser()
        for browser, user, base in (
            (office_browser, office_name, one),
            (inspector_browser, inspector_name, two),
        ):
            fields = browser.form(f"{base}/login", "/login")
            assert (
                browser.post(f"{base}/login", {**fields, "username": user, "password": DEMO_PASSWORD}) == 302
            )

        # The office reads the task on process one and its report arrives at process two.
        report = office_browser.form(f"{one}/tasks/{task_id}", f"/tasks/{task_id}/report")
        report["report-note"] = "Đã tổ chức quán triệt; gửi báo cáo kết quả."
        assert office_browser.post(f"{two}/tasks/{task_id}/report", report) == 302
        # The inspector sees it reported on process two and verifies it through process one.
        verify = inspector_browser.form(f"{two}/tasks/{task_id}", f"/tasks/{task_id}/verify")
        assert inspector_browser.post(f"{one}/tasks/{task_id}/verify", verify) == 302

        checker = create_app(settings)
        with checker.app_context():
            done = db.session.get(Task, task_id)
            assert done is not None and done.status is TaskStatus.DONE
            deadline = time.monotonic() + 120  # the scheduler's catch-up at start, on the shared database
            while db.session.scalar(select(JobRun).where(JobRun.job_name == SCAN_JOB)) is None:
                assert time.monotonic() < deadline, processes[2][1].read_text()
                db.session.rollback()
                time.sleep(0.5)
            db.session.remove()
            db.engine.dispose()
    finally:
        for process, _log in processes:
            process.terminate()
        for process, _log in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    first_log, second_log = processes[0][1].read_text(), processes[1][1].read_text()
    # One line per request, with the user's id and the duration.
    assert f'"POST /tasks/{task_id}/report" 302' in second_log and f"user={office_id}" in second_log
    assert f'"POST /tasks/{task_id}/verify" 302' in first_log and f"user={inspector_id}" in first_log
    assert "ms user=" in first_log
