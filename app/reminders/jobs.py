"""The job bodies as the scheduler and the command line run them: scan, commit, then e-mail.

Order matters: the scan's notifications and the day's claim are committed once, before any e-mail goes
out; each digest is claimed (committed) before it is sent and marked e-mailed (committed) after the SMTP
server accepted it. No transaction stays open while talking to the SMTP server, so SQLite's write lock
is never held across the network.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from urllib.parse import urlsplit

from flask import Flask

from app.reminders.mailer import MailUnavailable, MessageRefused, SmtpMailer, build_message, email_enabled
from exports.digest import compose_digest
from models import User, db
from models.base import utcnow
from models.enums import JobRunStatus
from workflows import recurrence, reminders
from workflows.clock import LOCAL_ZONE
from workflows.reminders import ReminderSettings, ScanOutcome

log = logging.getLogger("kiemtra.reminders")


@dataclass
class Delivery:
    """What a digest round did."""

    enabled: bool
    sent: list[tuple[str, str, int]] = field(default_factory=list)  # username, address, notifications
    failed: list[tuple[str, str]] = field(default_factory=list)  # username, reason
    skipped: int = 0  # recipients whose digest of the day is already sent or being sent
    stopped: str | None = None  # why the round stopped early (server unreachable)

    def summary(self) -> str:
        if not self.enabled:
            return "e-mail off"
        text = f"digests sent={len(self.sent)} failed={len(self.failed)} skipped={self.skipped}"
        return text + (f" stopped: {self.stopped}" if self.stopped else "")


@dataclass
class RunReport:
    """What one run of the daily job did, for the log and the command line."""

    today: date
    scan: ScanOutcome
    delivery: Delivery
    recurring: list[int] = field(default_factory=list)  # ids of the report duties' tasks created


def scan_time(config: dict[str, object]) -> time:
    """The configured local time of the daily scan ("07:00")."""
    raw = str(config.get("SCAN_TIME") or "07:00").strip()
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"SCAN_TIME must be HH:MM (local time), not {raw!r}") from None


def link_builder(app: Flask) -> tuple[Callable[[int], str], str]:
    """Absolute links for e-mails (from ``BASE_URL``): to a task, and to the inbox.

    A task links to the board's task page once that page exists, else to the inbox.
    """
    base = urlsplit(app.config["BASE_URL"])
    adapter = app.url_map.bind(
        base.netloc or "127.0.0.1:5000", script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    inbox_url = adapter.build("reminders.inbox", force_external=True)
    if "board.task_detail" not in app.view_functions:
        return (lambda _task_id: inbox_url), inbox_url
    return (
        lambda task_id: adapter.build("board.task_detail", {"task_id": task_id}, force_external=True)
    ), inbox_url


def run_deadline_job(app: Flask, today: date | None = None, now: datetime | None = None) -> RunReport:
    """Create the report duties' tasks of the periods begun by ``today``, scan ``today`` (claiming it),
    commit, send the digests, then mark the day's run finished.

    The duties' tasks come first, in the same transaction, so the day's reminders already cover them;
    creating them is idempotent, so a run that does not own the day's scan creates nothing twice.
    """
    now = now or utcnow()
    today = today or now.astimezone(LOCAL_ZONE).date()
    settings = ReminderSettings.from_config(app.config)
    with app.app_context():
        try:
            recurring = recurrence.create_due_tasks(db.session, today, now=now)
            outcome = reminders.scan_deadlines(today, settings, now=now)
            if outcome.claim.owned:
                reminders.prune_digest_ledger(today)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("deadline scan of %s failed; the next run will try again", today)
            raise
        if recurring:
            log.info("report duties of %s: %d task(s) created", today, len(recurring))
        if outcome.claim.owned:
            log.info("deadline scan of %s: %s", today, outcome.summary())
        else:
            log.info(
                "deadline scan of %s already %s (since %s); only digests are sent",
                today,
                outcome.claim.status,
                outcome.claim.started_at,
            )
        delivery = deliver_digests(app, today, now, settings)
        if outcome.claim.owned:
            reminders.close_run(
                outcome.claim, JobRunStatus.FINISHED, f"{outcome.summary()}; {delivery.summary()}", now
            )
            db.session.commit()
    return RunReport(today=today, scan=outcome, delivery=delivery, recurring=recurring)


def deliver_digests(app: Flask, today: date, now: datetime, settings: ReminderSettings) -> Delivery:
    """Send each recipient with unsent notifications one digest for ``today`` (at most one per day).

    A refused message leaves its notifications unsent and the recipient's claim FAILED: the next run
    retries it. An unreachable server stops the round; the recipients not tried yet wait for the next run.
    """
    if not email_enabled(app):
        return Delivery(enabled=False)
    delivery = Delivery(enabled=True)
    task_url, inbox_url = link_builder(app)
    recipient_ids = reminders.recipients_awaiting_digest(now)
    db.session.commit()
    languages, default_language = app.config["LANGUAGES"], app.config["BABEL_DEFAULT_LOCALE"]
    with SmtpMailer(app.config) as mailer:
        for recipient_id in recipient_ids:
            claim = reminders.claim_digest(recipient_id, today, now)
            if not claim.owned:
                db.session.commit()
                delivery.skipped += 1
                continue
            notifications = reminders.unsent_notifications(recipient_id, now)
            ids = [n.id for n in notifications]
            if not ids:  # e-mailed by another process between the two queries
                reminders.close_run(claim, JobRunStatus.FINISHED, "nothing left to send", now)
                db.session.commit()
                continue
            recipient = db.session.get_one(User, recipient_id)
            username, address = recipient.username, recipient.email or ""
            language = recipient.locale if recipient.locale in languages else default_language
            digest = compose_digest(
                recipient,
                reminders.group_by_timeliness(notifications, today, settings.due_soon_days),
                today=today,
                language=language,
                task_url=task_url,
                inbox_url=inbox_url,
            )
            display_name = recipient.display_name or username
            db.session.commit()  # the claim is visible to other processes before the message leaves
            try:
                mailer.send(build_message(app.config, display_name, address, digest))
            except (MessageRefused, MailUnavailable) as error:
                log.warning("digest to %s <%s> not sent: %s", username, address, error)
                reminders.record_digest_outcome(
                    claim,
                    ids,
                    now,
                    error=str(error) or type(error).__name__,
                    refused=isinstance(error, MessageRefused),
                )
                db.session.commit()
                delivery.failed.append((username, str(error)))
                if isinstance(error, MailUnavailable):
                    delivery.stopped = str(error)
                    break
                continue
            reminders.record_digest_outcome(claim, ids, now)
            db.session.commit()
            delivery.sent.append((username, address, len(ids)))
    return delivery


def catch_up(app: Flask, now: datetime | None = None) -> RunReport | None:
    """Run today's job if its time has come and it has not finished; retry failed digests.

    Before the scan time nothing happens: yesterday's missed reminders are not lost, because each
    reminder kind covers a window of days and today's scan picks them up.
    """
    now = now or utcnow()
    local = now.astimezone(LOCAL_ZONE)
    if local.time() < scan_time(app.config):
        return None
    return run_deadline_job(app, local.date(), now)
