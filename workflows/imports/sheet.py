"""Read the first sheet of an .xlsx or .csv file the way offices really fill them in.

Headers are found by their words, wherever the header row is (a title above it, merged cells, two
header rows), in any column order, with or without tone marks. Values come back as NFC text with
single spaces, or as dates (written dd/mm/yyyy, or real Excel dates). What cannot be trusted is
refused before anything is read: a file that is not a spreadsheet, a macro-enabled workbook, a file
over the size limit, a hidden sheet. Formulas, hidden rows, malformed dates and missing values are
problems of one row and one column. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from models.vntext import search_key
from workflows.errors import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024  # a province's tree and staff fit in far less
MAX_ROWS = 20_000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # an .xlsx is a zip: refuse one that unpacks into a bomb
HEADER_SEARCH_ROWS = 15
EXTENSIONS = (".xlsx", ".csv")
_DATE_TEXT = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_EXCEL_EPOCH = date(1899, 12, 30)


class SheetRefused(ValidationFailed):
    """The file as a whole cannot be read (nothing in it is used)."""


@dataclass(frozen=True)
class Column:
    """One column a sheet may have: its key in the rows, its header in the template, and the other
    headers people write for it."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"  # "text" or "date"
    required: bool = False
    max_length: int = 200
    hint: str = ""  # shown on the template's help sheet

    def matches(self, text: str) -> bool:
        """Tell whether a header cell names this column (case, tone marks and blanks ignored)."""
        folded = _header_key(text)
        return bool(folded) and folded in {_header_key(h) for h in (self.header, *self.aliases)}


@dataclass(frozen=True)
class SheetSpec:
    """The columns of one kind of sheet."""

    title: str
    columns: tuple[Column, ...]
    example: tuple[tuple[Any, ...], ...] = ()

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: a row number as the spreadsheet shows it and a column."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)
    row: int | None = None
    column: str | None = None  # "B «Mã cấp trên»"

    @property
    def message(self) -> str:
        """The message in Vietnamese (the catalogue's source language)."""
        return ValidationFailed(self.template, **self.params).message

    def located(self, message: str | None = None) -> str:
        """The message with its place, for the command line."""
        where = []
        if self.row is not None:
            where.append(f"dòng {self.row}")
        if self.column:
            where.append(f"cột {self.column}")
        text = message or self.message
        place = ", ".join(where)
        return f"{place[:1].upper()}{place[1:]}: {text}" if where else text


@dataclass
class SheetRow:
    """One filled row: its number in the file and its values by column key."""

    number: int
    values: dict[str, Any]

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def has(self, key: str) -> bool:
        """Tell whether the sheet has this column at all (a missing column leaves a field as it is)."""
        return key in self.values


@dataclass
class SheetData:
    """The rows read from a sheet, where each column was found, and the problems met."""

    spec: SheetSpec
    rows: list[SheetRow] = field(default_factory=list)
    sheet_name: str = ""  # the title of the sheet read, for messages naming sheet, row and column
    problems: list[Problem] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)

    def where(self, key: str) -> str:
        """A column as the user sees it: its letter (when found) and its header."""
        header = self.spec.column(key).header
        letter = self.letters.get(key)
        return f"{letter} «{header}»" if letter else f"«{header}»"

    def problem(self, row: SheetRow | int | None, key: str | None, template: str, **params: Any) -> Problem:
        """Record a problem at ``row`` and the column ``key``."""
        number = row.number if isinstance(row, SheetRow) else row
        found = Problem(template, params, number, self.where(key) if key else None)
        self.problems.append(found)
        return found


def read_sheet(data: bytes, filename: str, spec: SheetSpec, *, max_bytes: int = MAX_BYTES) -> SheetData:
    """Read ``data`` (the bytes of ``filename``) against ``spec``.

    :raises SheetRefused: when the file as a whole cannot be used.
    """
    name = (filename or "").strip().lower()
    if len(data) > max_bytes:
        raise SheetRefused(
            "Tệp lớn %(size)s MB, quá giới hạn %(limit)s MB.",
            size=_megabytes(len(data)),
            limit=_megabytes(max_bytes),
        )
    if not data:
        raise SheetRefused("Tệp rỗng.")
    if name.endswith((".xlsm", ".xltm", ".xlsb")):
        raise SheetRefused("Không nhận bảng tính có macro (.xlsm, .xlsb); hãy lưu lại dạng .xlsx.")
    if name.endswith(".xls"):
        raise SheetRefused("Tệp .xls (Excel 97-2003) không được nhận; hãy lưu lại dạng .xlsx.")
    if name.endswith(".csv"):
        grid = _csv_grid(data)
    elif name.endswith(".xlsx"):
        grid = _xlsx_grid(data)
    else:
        raise SheetRefused("Chỉ nhận bảng tính .xlsx hoặc .csv.")
    return _read_grid(grid, spec)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",").replace(",0", "")


# --- From the file to a grid of cells --------------------------------------------------------


@dataclass
class _Cell:
    value: Any
    is_formula: bool = False


@dataclass
class _Grid:
    cells: list[list[_Cell]]
    hidden_rows: set[int] = field(default_factory=set)  # 1-based
    hidden_columns: set[int] = field(default_factory=set)  # 1-based
    title: str = ""


def _csv_grid(data: bytes) -> _Grid:
    if b"\x00" in data[:4096]:
        raise SheetRefused("Tệp không phải bảng tính .xlsx hay .csv.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetRefused(
            "Tệp CSV không ở bảng mã UTF-8; trong Excel hãy chọn lưu dạng «CSV UTF-8»."
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise SheetRefused("Tệp không phải bảng tính .xlsx hay .csv.") from None
    if len(rows) > MAX_ROWS:
        raise SheetRefused("Tệp có quá %(n)d dòng.", n=MAX_ROWS)
    # Spreadsheet programs write a formula's value into CSV; a leading "=" is an unexported formula.
    return _Grid([[_Cell(v, v.startswith("=") and len(v) > 1) for v in row] for row in rows])


def _xlsx_grid(data: bytes) -> _Grid:
    from openpyxl import load_workbook

    if not data.startswith(b"PK\x03\x04"):
        raise SheetRefused("Tệp không phải bảng tính .xlsx hay .csv.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
            types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, OSError, RuntimeError):
        raise SheetRefused("Tệp không phải bảng tính .xlsx hay .csv.") from None
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in types:
        raise SheetRefused("Không nhận bảng tính có macro (.xlsm, .xlsb); hãy lưu lại dạng .xlsx.")
    if "xl/workbook.xml" not in names:
        raise SheetRefused("Tệp không phải bảng tính .xlsx hay .csv.")
    if unpacked > MAX_UNPACKED_BYTES:
        raise SheetRefused("Bảng tính giải nén quá lớn để đọc.")
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=False, rich_text=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file; none is ours to handle
        raise SheetRefused("Không đọc được bảng tính (tệp hỏng hoặc không phải .xlsx).") from error
    hidden = [ws.title for ws in workbook.worksheets if ws.sheet_state != "visible"]
    if hidden:
        raise SheetRefused(
            "Bảng tính có trang tính bị ẩn (%(names)s); hãy bỏ ẩn hoặc xóa trang đó rồi gửi lại.",
            names=", ".join(hidden),
        )
    if not workbook.worksheets:
        raise SheetRefused("Bảng tính không có trang tính nào.")
    sheet = workbook.worksheets[0]
    if sheet.max_row > MAX_ROWS:
        raise SheetRefused("Tệp có quá %(n)d dòng.", n=MAX_ROWS)
    cells = [
        [_Cell(c.value, c.data_type == "f") for c in row]
        for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=min(sheet.max_column, 200))
    ]
    # A merged range keeps its value in the top-left cell only: give it to every cell it covers.
    for merged in sheet.merged_cells.ranges:
        top_left = cells[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(cells) else None
        if top_left is None:
            continue
        for r in range(merged.min_row, min(merged.max_row, len(cells)) + 1):
            for c in range(merged.min_col, min(merged.max_col, len(cells[r - 1])) + 1):
                cells[r - 1][c - 1] = top_left
    hidden_rows = {i for i, dim in sheet.row_dimensions.items() if dim.hidden}
    hidden_columns: set[int] = set()
    for dim in sheet.column_dimensions.values():
        if dim.hidden and dim.min and dim.max:
            hidden_columns.update(range(dim.min, dim.max + 1))
    return _Grid(cells, hidden_rows, hidden_columns, sheet.title)


# --- From the grid to rows -------------------------------------------------------------------


def _header_key(text: Any) -> str:
    raw = str(text or "").replace("*", " ").replace(":", " ")
    raw = re.sub(r"\((bắt buộc|required)\)", " ", raw, flags=re.IGNORECASE)
    return search_key(raw)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return " ".join(search_key_safe_nfc(str(value)).split())


def search_key_safe_nfc(text: str) -> str:
    """``text`` in NFC with non-breaking and zero-width spaces made plain."""
    import unicodedata

    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    return unicodedata.normalize("NFC", text)


def _find_header(grid: _Grid, spec: SheetSpec) -> tuple[int, dict[str, int]]:
    """The header row (0-based) and each column's index, taken from the row naming most columns."""
    best: tuple[int, dict[str, int]] = (-1, {})
    for r, row in enumerate(grid.cells[:HEADER_SEARCH_ROWS]):
        above = grid.cells[r - 1] if r > 0 else []
        found: dict[str, int] = {}
        for c, cell in enumerate(row):
            texts = [_text(cell.value)]
            if c < len(above) and above[c] is not cell:
                texts.append(f"{_text(above[c].value)} {texts[0]}")
            for column in spec.columns:
                if column.key not in found and any(column.matches(t) for t in texts):
                    found[column.key] = c
                    break
        if len(found) > len(best[1]):
            best = (r, found)
    return best


def get_column_letter(number: int) -> str:
    """A spreadsheet column's letters: 1 → A, 27 → AA (openpyxl's, without importing openpyxl at start)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _read_grid(grid: _Grid, spec: SheetSpec) -> SheetData:
    header_row, positions = _find_header(grid, spec)
    sheet = SheetData(
        spec, letters={k: get_column_letter(c + 1) for k, c in positions.items()}, sheet_name=grid.title
    )
    missing = [c.header for c in spec.columns if c.required and c.key not in positions]
    if header_row < 0 or missing:
        raise SheetRefused(
            "Không thấy cột %(columns)s trong %(n)d dòng đầu của trang tính đầu tiên; hãy dùng tệp mẫu.",
            columns=", ".join(f"«{h}»" for h in (missing or [c.header for c in spec.columns])),
            n=HEADER_SEARCH_ROWS,
        )
    header_cells = grid.cells[header_row]
    for key, c in positions.items():
        if c + 1 in grid.hidden_columns:
            sheet.problem(None, key, "Cột này đang bị ẩn; hãy bỏ ẩn để xem lại trước khi nhập.")
    for r in range(header_row + 1, len(grid.cells)):
        cells = grid.cells[r]
        picked = {key: cells[c] if c < len(cells) else _Cell(None) for key, c in positions.items()}
        if all(_text(cell.value) == "" for cell in picked.values()):
            continue
        # Cells merged down from the header (a two-row header) are still the header.
        if all(cell is header_cells[positions[key]] or not _text(cell.value) for key, cell in picked.items()):
            continue
        row = SheetRow(r + 1, {})
        if r + 1 in grid.hidden_rows:
            sheet.problem(row, None, "Dòng này đang bị ẩn; hãy bỏ ẩn để xem lại trước khi nhập.")
        for key, cell in picked.items():
            row.values[key] = _value(sheet, row, spec.column(key), cell)
        for column in spec.columns:
            if column.required and row.values.get(column.key) in (None, ""):
                sheet.problem(row, column.key, "Chưa có giá trị.")
        sheet.rows.append(row)
    return sheet


def _value(sheet: SheetData, row: SheetRow, column: Column, cell: _Cell) -> Any:
    if cell.is_formula:
        sheet.problem(row, column.key, "Ô chứa công thức; hãy dán giá trị (Paste Special → Values).")
        return None
    value = cell.value
    if column.kind == "date":
        return _date(sheet, row, column, value)
    text = _text(value)
    if len(text) > column.max_length:
        sheet.problem(row, column.key, "Dài quá %(n)d ký tự.", n=column.max_length)
    return text or None


def _date(sheet: SheetData, row: SheetRow, column: Column, value: Any) -> date | None:
    if value is None or value == "":
        return None
    found = day_of(value)
    if found is None:
        sheet.problem(
            row, column.key, "Ngày «%(value)s» không đọc được; hãy ghi dạng dd/mm/yyyy.", value=_text(value)
        )
    return found


def day_of(value: Any) -> date | None:
    """The day a cell holds: a real date, an Excel serial day number, or text written dd/mm/yyyy (or
    yyyy-mm-dd); None for anything else, a day that does not exist (31/02/2023) included."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and 1 <= value < 2958466:  # an Excel serial day number
        return date.fromordinal(_EXCEL_EPOCH.toordinal() + int(value))
    text = _text(value)
    found = _DATE_TEXT.match(text)
    parts = (int(found[3]), int(found[2]), int(found[1])) if found else None
    iso = _ISO_DATE.match(text)
    if iso:
        parts = (int(iso[1]), int(iso[2]), int(iso[3]))
    if parts:
        try:
            return date(*parts)
        except ValueError:
            return None
    return None


def rows_by(values: Iterable[SheetRow], key: str) -> dict[str, list[SheetRow]]:
    """Group rows by the folded value of one column (blank values left out)."""
    groups: dict[str, list[SheetRow]] = {}
    for row in values:
        value = row.get(key)
        if value:
            groups.setdefault(str(value).casefold(), []).append(row)
    return groups
