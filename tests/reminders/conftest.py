"""Fixtures for the reminder tests: a fixed day, settings, and a real SMTP server on loopback."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask

from models import Task, User, db
from models.enums import Role
from tests.conftest import _user, at
from workflows.reminders import ReminderSettings

TODAY = date(2023, 12, 1)


@pytest.fixture
def settings() -> ReminderSettings:
    return ReminderSettings(reminder_days=(7, 3, 1), escalate_after_days=7, due_soon_days=3)


@pytest.fixture
def now() -> datetime:
    """07:00 on the scan day, Vietnamese time."""
    return at(TODAY, 7)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpSink:
    """An aiosmtpd server on 127.0.0.1 that accepts, refuses (554) or is not there at all."""

    port: int
    refuse: bool = False
    messages: list[EmailMessage] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refuse:
                self.refused += 1
                return "554 5.6.0 Refused for the test"
            message = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.messages.append(message)
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"].addresses[0].addr_spec == address]


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpSink]:
    """A running SMTP server, with the app configured to send through it."""
    sink = SmtpSink(port=_free_port())
    sink.start()
    saved = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT", "BASE_URL")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port, BASE_URL="https://kiemtra.example.vn")
    try:
        yield sink
    finally:
        sink.stop()
        app.config.update(saved)


@pytest.fixture
def no_smtp(app: Flask) -> Iterator[None]:
    """E-mail off, as on a fresh installation."""
    saved = app.config["SMTP_HOST"]
    app.config["SMTP_HOST"] = None
    app.extensions.pop("kiemtra_email_off_logged", None)
    yield
    app.config["SMTP_HOST"] = saved


@pytest.fixture
def leader_of_district(world: Any) -> User:
    """A leader account of the district committee (the nearest body with leaders above its board)."""
    user = _user("leader.budop", Role.LEADER, world.district)
    db.session.commit()
    return user


@pytest.fixture
def due_task(create_task: Callable[..., Task]) -> Callable[..., Task]:
    """Return a factory of tasks due ``days`` after TODAY, committed."""

    def factory(days: int, **overrides: Any) -> Task:
        task = create_task(due_on=date.fromordinal(TODAY.toordinal() + days), **overrides)
        db.session.commit()
        return task

    return factory
