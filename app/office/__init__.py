"""The office's own data: bulk imports from spreadsheets, the people directory, the audit log."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from app import policy
from app.navigation import NavItem, add
from models.enums import Role
from workflows.imports.sheet import MAX_BYTES

ADMINS = policy.ADMINS
DIRECTORY = policy.roles(Role.ADMIN, Role.INSPECTOR)
RULES = {
    "office.import_start": ADMINS,
    "office.import_preview": ADMINS,
    "office.import_confirm": ADMINS,
    "office.import_template_download": ADMINS,
    "office.people_list": DIRECTORY,
    "office.person_detail": DIRECTORY,
    "office.person_merge": DIRECTORY,
    "office.audit_list": ADMINS,
    "office.audit_export": ADMINS,
}
UPLOAD_SLACK = 256 * 1024  # the form around the file


def _limit_import_uploads() -> None:
    """Refuse an upload far over the import limit before it is read."""
    if request.endpoint == "office.import_preview":
        cap = MAX_BYTES + UPLOAD_SLACK
        if (request.content_length or 0) > cap:
            raise RequestEntityTooLarge()
        request.max_content_length = cap


def init_app(app: Flask) -> None:
    """Register the blueprint, its policy rules and its links."""
    from app.office import audit, imports, people  # noqa: F401 - routes register on import
    from app.office.common import bp

    app.config.setdefault("IMPORT_DIR", str(Path(app.instance_path) / "imports"))
    policy.register(RULES)
    app.register_blueprint(bp)
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_import_uploads)
    add(app, NavItem("office.people_list", _l("Danh bạ"), roles=frozenset(DIRECTORY.roles), order=92))
    add(app, NavItem("office.audit_list", _l("Nhật ký"), roles=frozenset(ADMINS.roles), order=94))
