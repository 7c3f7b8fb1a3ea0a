"""Feature package `news`: news posts written from visits, their editor and the public news pages."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import navigation, policy
from exports.news import date_line
from models.enums import Role
from workflows.clock import LOCAL_ZONE

EDITORS = policy.roles(Role.INSPECTOR, Role.LEADER)


def init_app(app: Flask) -> None:
    """Register the news blueprint, its policy rules, its link and the helpers of its templates."""
    from app.news import views

    policy.register(
        {
            "news.index": policy.PUBLIC,
            "news.show": policy.PUBLIC,
            "news.feed": policy.PUBLIC,
            "news.logo": policy.PUBLIC,
            "news.image": policy.PUBLIC,  # the view serves drafts' photos to their editors only
            "news.manage": EDITORS,
            "news.create_from_visit": policy.INSPECTORS,
            "news.edit": EDITORS,
            "news.preview": EDITORS,
            "news.publish": policy.LEADERS,
            "news.unpublish": policy.LEADERS,
            "news.upload_image": EDITORS,
            "news.delete_image": EDITORS,
            "news.export_html": EDITORS,
            "news.export_text": EDITORS,
        }
    )
    app.register_blueprint(views.bp)
    navigation.add(
        app,
        navigation.NavItem(
            "news.manage", _l("Tin bài"), roles=frozenset({Role.INSPECTOR, Role.LEADER}), order=80
        ),
    )
    app.jinja_env.globals.update(
        news_csp_nonce=views.csp_nonce,
        news_posts_of_visit=views.posts_of_visit,
        news_may_draft=views.may_draft,
        news_secret_codes=views.secret_codes,
    )
    app.add_template_filter(views.render_body, "news_body")
    app.add_template_filter(date_line, "news_date_line")
    app.add_template_filter(local_time, "news_local_time")


def local_time(instant: datetime | None) -> str:
    """Show an instant as Vietnamese local time, dd/mm/yyyy hh:mm."""
    return instant.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M") if instant else ""
