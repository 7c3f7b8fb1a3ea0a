"""Feature package `documents`: official Word and PDF documents, their numbers, and `kiemtra export`.

Other pages include two partials: ``documents/_visit_buttons.html`` (with ``visit`` in the context)
on the visit dossier, and ``documents/_dashboard_buttons.html`` (with ``scope_org``, ``period_start``
and ``period_end``) on the leadership dashboard.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import navigation, policy
from app.navigation import NavItem
from models.enums import Role

VISIT_READERS = policy.roles(Role.INSPECTOR, Role.LEADER)

RULES = {
    "documents.index": VISIT_READERS,
    "documents.visit_draft": VISIT_READERS,
    "documents.issue_visit_document": policy.INSPECTORS,
    "documents.summary_draft": policy.LEADERS,
    "documents.issue_summary": policy.LEADERS,
    "documents.followup_draft": policy.LEADERS,
    "documents.issue_followup": policy.LEADERS,
    "documents.register": policy.SIGNED_IN,
    "documents.register_xlsx": policy.SIGNED_IN,
    "documents.issued_download": policy.SIGNED_IN,
    "documents.cancel_issued": VISIT_READERS,
    "documents.upload_signed": VISIT_READERS,
}


def init_app(app: Flask) -> None:
    """Register the documents blueprint, its rules, its link, its template helpers and commands."""
    from app.documents import cli, views

    policy.register(RULES)
    app.register_blueprint(views.bp)
    navigation.add(
        app,
        NavItem(
            "documents.index",
            _l("Văn bản ban hành"),
            roles=frozenset({Role.INSPECTOR, Role.LEADER}),
            order=70,
        ),
    )
    app.jinja_env.globals.update(
        documents_for_visit=views.visit_document_actions,
        documents_for_dashboard=views.leadership_document_actions,
    )
    cli.init_app(app)
