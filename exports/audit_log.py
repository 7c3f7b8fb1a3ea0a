"""The audit log as a spreadsheet or CSV file: one row per entry, as the audit page shows it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def audit_xlsx(headers: Sequence[str], rows: Iterable[Sequence[str]], title: str) -> bytes:
    """Build an .xlsx with a bold header row, frozen, and the rows as text."""
    from openpyxl import Workbook  # imported on use: commands and workers start without it
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # A value starting with "=" would be read back as a formula; an audit log holds text.
        sheet.append(
            [f"'{v}" if isinstance(v, str) and v.startswith(("=", "+", "-", "@")) else v for v in row]
        )
    for letter, width in zip("ABCDEF", (18, 28, 28, 30, 12, 80), strict=False):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def audit_csv(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """Build a UTF-8 CSV with a byte-order mark, which Excel needs to read Vietnamese letters."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(
            [f"'{v}" if isinstance(v, str) and v.startswith(("=", "+", "-", "@")) else v for v in row]
        )
    return ("\ufeff" + text.getvalue()).encode("utf-8")
