"""Template filters for Vietnamese dates and labels."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

from app import navigation
from models.vntext import WEEKDAYS, format_date, ordinal_la


def init_app(app: Flask) -> None:
    """Register kiemtra's Jinja filters."""
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["nav_items"] = navigation.items
    app.add_template_filter(format_date, "vndate")
    app.add_template_filter(ordinal_la, "ordinal")
    app.add_template_filter(lambda d: WEEKDAYS[d.weekday()] if d else "", "weekday")
    app.add_template_filter(lambda r: "—" if r is None else f"{r * 100:.1f}%".replace(".", ","), "percent")
