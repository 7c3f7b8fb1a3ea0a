"""Template filters and globals: dates, numbers and the display words of states."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask_babel import format_date as babel_format_date
from flask_babel import format_decimal, get_locale

from app import navigation
from models.enums import DocumentKind
from models.labels import COUNT_COLUMNS, css_class, label
from models.vntext import WEEKDAYS, format_date, ordinal_la


def file_size(size: int) -> str:
    """A file size as people read it, in the interface language: "850 KB", "1,4 MB" (English "1.4 MB")."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{format_decimal(size / (1024 * 1024), format='0.0')} MB"


def weekday(day: date | None) -> str:
    """The day's name in the interface language: "Thứ tư" in Vietnamese, "Wednesday" in English."""
    if day is None:
        return ""
    if str(get_locale()) == "vi":
        return WEEKDAYS[day.weekday()]  # Vietnamese writes "Thứ tư", not CLDR's "Thứ Tư"
    return babel_format_date(day, "EEEE")


def percent(rate: float | None) -> str:
    """A rate with one decimal and the interface language's separator: "33,3%" (English "33.3%")."""
    return "—" if rate is None else f"{format_decimal(rate * 100, format='0.0')}%"


def init_app(app: Flask) -> None:
    """Register kiemtra's Jinja filters."""
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["nav_items"] = navigation.items
    # The display word and colour of every state and kind (models/labels.py); templates import
    # the badge macros from _labels.html.
    app.jinja_env.globals["label"] = label
    app.jinja_env.globals["css_class"] = css_class
    app.jinja_env.globals["count_columns"] = COUNT_COLUMNS
    app.jinja_env.globals["document_kind"] = DocumentKind  # issued documents store the kind as text
    app.add_template_filter(format_date, "vndate")
    app.add_template_filter(ordinal_la, "ordinal")
    app.add_template_filter(file_size, "filesize")
    app.add_template_filter(weekday, "weekday")
    app.add_template_filter(percent, "percent")
