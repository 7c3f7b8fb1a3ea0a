"""The inspection team's workspace: visits and their dossiers, the verification queue, the registry of
cited documents, and the administration of organisations and accounts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask import Flask, current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import once, policy
from app.navigation import NavItem, add
from models.enums import Role
from workflows.clock import LOCAL_ZONE

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement


def board_task_url(task_id: int) -> str | None:
    """The task's page on the office board, if that feature is installed."""
    if "board.task_detail" in current_app.view_functions:
        return url_for("board.task_detail", task_id=task_id)
    return None


def report_back_url(task_id: int) -> str | None:
    """The page of the unit's report on carrying out a conclusion notice, if the board is installed."""
    if "board.report_back" in current_app.view_functions:
        return url_for("board.report_back", task_id=task_id)
    return None


def local_time(value: datetime | None) -> str:
    """An instant as dd/mm/yyyy HH:MM in Vietnam's time zone."""
    return value.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M") if value else ""


def directive_numbers(visit: object) -> dict[str, object]:
    """The directives of a visit by the id their form rows carry."""
    return {str(d.id): d for d in getattr(visit, "directives", [])}


def _verification_badge() -> ColumnElement[int] | None:
    from app.workspace.verification import waiting_count_sql

    return waiting_count_sql(current_user)


def init_app(app: Flask) -> None:
    """Register the workspace blueprint, its policy rules, navigation and template helpers."""
    from app.workspace import (  # noqa: F401 - routes register on import
        admin,
        calendar,
        corrections,
        downloads,
        imports,
        recurrences,
        registry,
        verification,
        visits,
    )
    from app.workspace.common import bp

    inspectors = policy.INSPECTORS
    readers = policy.READERS
    admins = policy.ADMINS
    policy.register(
        {
            "workspace.static": policy.PUBLIC,
            "workspace.visit_list": readers,
            "workspace.visit_detail": readers,
            "workspace.visit_create": inspectors,
            "workspace.visit_edit": inspectors,
            "workspace.visit_conduct": inspectors,
            "workspace.visit_conclude": inspectors,
            "workspace.visit_close": inspectors,
            "workspace.visit_correct": policy.roles(Role.INSPECTOR, Role.ADMIN),
            "workspace.task_create": inspectors,
            "workspace.directive_import_start": inspectors,
            "workspace.directive_import_template": inspectors,
            "workspace.directive_import_preview": inspectors,
            "workspace.directive_import_confirm": inspectors,
            "workspace.history_import_start": inspectors,
            "workspace.history_import_template": inspectors,
            "workspace.history_import_preview": inspectors,
            "workspace.history_import_confirm": inspectors,
            "workspace.recurrence_set": inspectors,
            "workspace.recurrence_stop": inspectors,
            "workspace.verification_queue": inspectors,
            "workspace.extension_decide": inspectors,
            "workspace.task_pause": inspectors,
            "workspace.task_resume": inspectors,
            "workspace.task_cancel": inspectors,
            "workspace.document_list": readers,
            "workspace.registry_xlsx": readers,
            "workspace.visit_xlsx": readers,
            "workspace.document_detail": readers,
            "workspace.document_create": policy.roles(Role.ADMIN, Role.INSPECTOR),
            "workspace.document_edit": policy.roles(Role.ADMIN, Role.INSPECTOR),
            "workspace.organization_list": admins,
            "workspace.calendar_days": admins,
            "workspace.calendar_day_delete": admins,
            "workspace.organization_create": admins,
            "workspace.organization_edit": admins,
            "workspace.organization_successor": admins,
            "workspace.user_list": admins,
            "workspace.user_create": admins,
            "workspace.user_edit": admins,
        }
    )
    app.register_blueprint(bp)
    once.init_app(app)
    team = frozenset({Role.INSPECTOR, Role.LEADER, Role.ADMIN})
    add(app, NavItem("workspace.visit_list", _l("Đợt kiểm tra"), roles=team, order=10))
    add(
        app,
        NavItem(
            "workspace.verification_queue",
            _l("Chờ xác nhận"),
            roles=frozenset({Role.INSPECTOR}),
            order=20,
            badge=_verification_badge,
        ),
    )
    add(app, NavItem("workspace.document_list", _l("Văn bản"), roles=team, order=60))
    add(
        app,
        NavItem(
            "workspace.organization_list", _l("Cơ quan, đơn vị"), roles=frozenset({Role.ADMIN}), order=90
        ),
    )
    add(app, NavItem("workspace.user_list", _l("Tài khoản"), roles=frozenset({Role.ADMIN}), order=91))
    add(app, NavItem("workspace.calendar_days", _l("Lịch nghỉ"), roles=frozenset({Role.ADMIN}), order=92))
    app.jinja_env.globals.update(
        board_task_url=board_task_url,
        report_back_url=report_back_url,
        directive_numbers=directive_numbers,
        visit_corrections=corrections.dossier_context,
    )
    app.add_template_filter(local_time, "localtime")
