"""Feature package `reminders`: the inbox, the calendar feed, and the deadline scheduler's commands.

Registering this feature starts nothing: the scheduler runs only from ``kiemtra scheduler``,
``kiemtra serve`` and ``kiemtra demo`` (see ``app.reminders.scheduler``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask
from flask_babel import lazy_gettext
from flask_login import current_user

from app import navigation, policy
from models.enums import Role

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement


def _unread_badge() -> ColumnElement[int]:
    from workflows.reminders import unread_count_sql

    return unread_count_sql(current_user)


def init_app(app: Flask) -> None:
    """Register the inbox and calendar pages, their policy rules, the header link and the commands."""
    from app.reminders import views
    from app.reminders.cli import scan_deadlines_command, scheduler_command

    policy.register(
        {
            "reminders.inbox": policy.SIGNED_IN,
            "reminders.open_notification": policy.SIGNED_IN,
            "reminders.mark_read": policy.SIGNED_IN,
            "reminders.mark_all_read": policy.SIGNED_IN,
            "reminders.calendar_page": policy.SIGNED_IN,
            "reminders.renew_calendar": policy.SIGNED_IN,
            "reminders.revoke_calendar": policy.SIGNED_IN,
            # A calendar application cannot sign in: the secret token in the address is the key.
            "reminders.calendar_feed": policy.PUBLIC,
        }
    )
    app.register_blueprint(views.bp)
    navigation.add(
        app,
        navigation.NavItem(
            "reminders.inbox", lazy_gettext("Thông báo"), roles=frozenset(Role), order=90, badge=_unread_badge
        ),
    )
    app.cli.add_command(scheduler_command)
    app.cli.add_command(scan_deadlines_command)
