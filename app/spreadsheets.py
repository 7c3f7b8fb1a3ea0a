"""Sending a table writer's .xlsx from a view: the download response and the "as of" line."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from flask import send_file
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from exports.table_xlsx import XLSX_MIMETYPE
from models.vntext import format_date


def send_xlsx(data: bytes, name: str) -> Response:
    """Send a spreadsheet as a download that no cache keeps."""
    response = send_file(BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def as_of_note(day: date) -> str:
    """The line above a table saying which day its figures stand at."""
    return _("Số liệu tính đến ngày %(day)s", day=format_date(day))
