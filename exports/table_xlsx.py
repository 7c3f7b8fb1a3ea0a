"""One .xlsx table writer for every "Tải Excel" button: a few lines saying what was selected and as of
which day, then a table with a bold, frozen, filterable header, real dates and numbers, and widths.

The words (headers, notes, sheet titles) arrive already in the reader's language; this module only
lays them out. It writes in openpyxl's write-only mode so a table of a hundred thousand rows streams.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # openpyxl is imported on use: commands and workers start without it
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Kind = Literal["text", "int", "date", "percent", "number"]

DATE_FORMAT = "DD/MM/YYYY"
PERCENT_FORMAT = "0.0%"
# Characters a sheet title may not hold.
_BAD_TITLE = str.maketrans({c: " " for c in "[]:*?/\\"})


@cache
def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Font, PatternFill

    return {
        "header_font": Font(bold=True),
        "header_fill": PatternFill("solid", fgColor="DDE7F0"),
        "header_align": Alignment(wrap_text=True, vertical="center"),
        "note_font": Font(italic=True),
        "title_font": Font(bold=True, size=13),
    }


@dataclass(frozen=True)
class Column:
    """One column: its header in the reader's language, what its cells hold, and its width."""

    header: str
    kind: Kind = "text"
    width: float | None = None


@dataclass
class Table:
    """One sheet: a title, the lines above the table (selection, "as of" day), the columns and rows."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    notes: Sequence[str] = field(default_factory=tuple)
    sheet_name: str | None = None


def sheet_title(name: str) -> str:
    """A legal, at most 31-character sheet title."""
    return (name.translate(_BAD_TITLE).strip() or "Sheet")[:31]


def _width(column: Column) -> float:
    if column.width is not None:
        return column.width
    return {"date": 12.0, "int": 10.0, "percent": 10.0, "number": 12.0}.get(
        column.kind, float(max(14, min(60, len(column.header) + 4)))
    )


def _text_cell(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    """A text cell that stays text: openpyxl would store "=…" as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def _writer(sheet: WriteOnlyWorksheet, columns: Sequence[Column]) -> Any:
    """A function turning one row of values into the cells to append, by the columns' kinds."""
    from openpyxl.cell import WriteOnlyCell

    styled: list[tuple[int, str]] = []
    for index, column in enumerate(columns):
        if column.kind == "date":
            styled.append((index, DATE_FORMAT))
        elif column.kind == "percent":
            styled.append((index, PERCENT_FORMAT))

    def cells(values: Sequence[Any]) -> list[Any]:
        row: list[Any] = list(values)
        for index, value in enumerate(row):
            if isinstance(value, str) and value[:1] == "=":
                row[index] = _text_cell(sheet, value)
            elif isinstance(value, datetime):  # an instant is shown as its day: tz-aware cells are refused
                row[index] = value.replace(tzinfo=None)
        for index, number_format in styled:
            value = row[index]
            if value is not None and isinstance(value, (date, int, float)):
                cell = WriteOnlyCell(sheet, value)
                cell.number_format = number_format
                row[index] = cell
        return row

    return cells


def _write_table(workbook: Workbook, table: Table) -> None:
    from openpyxl.utils import get_column_letter

    style = _styles()
    sheet = workbook.create_sheet(sheet_title(table.sheet_name or table.title))
    columns = list(table.columns)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(column)
    header_row = len(table.notes) + 3  # title, the notes, an empty line, then the header
    last = get_column_letter(max(1, len(columns)))
    sheet.freeze_panes = f"A{header_row + 1}"
    title = _text_cell(sheet, table.title)
    title.font = style["title_font"]
    sheet.append([title])
    for note in table.notes:
        cell = _text_cell(sheet, note)
        cell.font = style["note_font"]
        sheet.append([cell])
    sheet.append([])
    headers = []
    for column in columns:
        cell = _text_cell(sheet, column.header)
        cell.font = style["header_font"]
        cell.fill = style["header_fill"]
        cell.alignment = style["header_align"]
        headers.append(cell)
    sheet.append(headers)
    cells = _writer(sheet, columns)
    count = 0
    for values in table.rows:
        sheet.append(cells(values))
        count += 1
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + max(count, 1)}"


def tables_xlsx(tables: Sequence[Table]) -> bytes:
    """Build an .xlsx with one sheet per table, in order."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        name = sheet_title(table.sheet_name or table.title)
        suffix = 2
        while name.lower() in used:  # two tables of the same title get "… (2)"
            name = sheet_title((table.sheet_name or table.title)[:26]) + f" ({suffix})"
            suffix += 1
        used.add(name.lower())
        table.sheet_name = name
        _write_table(workbook, table)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_xlsx(table: Table) -> bytes:
    """Build an .xlsx holding one table."""
    return tables_xlsx([table])


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
