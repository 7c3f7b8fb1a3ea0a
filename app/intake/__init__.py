"""Article intake: turn a published article into a draft visit to review and save."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import navigation, policy
from models.enums import Role


def init_app(app: Flask) -> None:
    """Register the intake pages, their policy rules, the menu link and ``kiemtra import-article``."""
    from app.intake.cli import import_article_command
    from app.intake.views import bp

    policy.register(
        {
            "intake.start": policy.INSPECTORS,
            "intake.save": policy.INSPECTORS,
            "intake.static": policy.INSPECTORS,
        }
    )
    app.register_blueprint(bp)
    navigation.add(
        app,
        navigation.NavItem(
            "intake.start", _l("Nhập từ bài viết"), roles=frozenset({Role.INSPECTOR}), order=15
        ),
    )
    app.cli.add_command(import_article_command)
