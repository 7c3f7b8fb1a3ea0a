"""The district office task board (``/tasks``) and the leadership dashboard (``/dashboard``)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from app import database, navigation, policy
from app.navigation import NavItem
from models.enums import Role
from workflows import attachments, counts
from workflows.imports.sheet import MAX_BYTES

TASK_READERS = policy.roles(Role.OFFICE, Role.INSPECTOR, Role.LEADER)
DASHBOARD_READERS = policy.roles(Role.LEADER, Role.INSPECTOR)

RULES = {
    "board.task_list": TASK_READERS,
    "board.task_list_xlsx": TASK_READERS,
    "board.task_detail": TASK_READERS,
    "board.download_attachment": TASK_READERS,
    "board.record_progress": policy.OFFICES,
    "board.report_done": policy.OFFICES,
    "board.request_extension": policy.OFFICES,
    # The inspected unit's report on a conclusion notice: its office writes it, everyone who sees the
    # task reads and downloads it.
    "board.report_back": TASK_READERS,
    "board.report_back_download": TASK_READERS,
    "board.report_back_save": policy.OFFICES,
    # The inspecting side's answer to a report, until the workspace's verification queue takes over.
    "board.verify_task": policy.INSPECTORS,
    "board.return_task": policy.INSPECTORS,
    # Inspectors follow up the visits of their own body; the page is read-only for everybody.
    "board.dashboard": DASHBOARD_READERS,
    "board.dashboard_xlsx": DASHBOARD_READERS,
    # Bulk progress by spreadsheet: the offices that record progress on the task page.
    "board.progress_import_start": policy.OFFICES,
    "board.progress_sheet": policy.OFFICES,
    "board.progress_import_preview": policy.OFFICES,
    "board.progress_import_confirm": policy.OFFICES,
}
UPLOAD_ENDPOINTS = frozenset({"board.record_progress", "board.report_done"})


def _limit_upload_requests() -> None:
    """Cap the body of an upload request before anything reads the form (CSRF does, first).

    Each file is checked against UPLOAD_MAX_MB with a message on the form; this cap only stops a
    request far larger than the largest acceptable one from being spooled to disk.
    """
    if request.endpoint == "board.progress_import_preview":
        cap = MAX_BYTES + 1024 * 1024
        if (request.content_length or 0) > cap:
            raise RequestEntityTooLarge()
        request.max_content_length = cap
    if request.endpoint in UPLOAD_ENDPOINTS:
        from flask import current_app

        per_file = current_app.config["UPLOAD_MAX_MB"] * 1024 * 1024
        cap = per_file * attachments.MAX_FILES_PER_SAVE + 1024 * 1024
        if (request.content_length or 0) > cap:
            raise RequestEntityTooLarge()  # refused before a byte of it is parsed or spooled
        request.max_content_length = cap  # a body of unknown length stops at the same size


def init_app(app: Flask) -> None:
    """Register the board's blueprint, its policy rules, its links and its upload settings."""
    from app.board import (  # noqa: F401 - routes register on import
        cli,
        dashboard,
        downloads,
        progress_import,
        report_back,
        views,
    )

    app.config.setdefault("UPLOAD_DIR", str(Path(app.instance_path) / "uploads"))
    attachments.install_cleanup()
    # The kept counts follow every task change; a page that only reads rebuilds them apart.
    counts.install(reading_page=database.page_only_reads)
    policy.register(RULES)
    app.register_blueprint(views.bp)
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_upload_requests)
    app.cli.add_command(cli.prune_uploads_command)
    navigation.add(
        app,
        NavItem(
            "board.task_list",
            _l("Nhiệm vụ"),
            roles=frozenset({Role.OFFICE, Role.INSPECTOR, Role.LEADER}),
            order=20,
            badge=views.overdue_badge,
        ),
    )
    navigation.add(
        app,
        NavItem(
            "board.dashboard", _l("Bảng điều hành"), roles=frozenset({Role.LEADER, Role.INSPECTOR}), order=25
        ),
    )
