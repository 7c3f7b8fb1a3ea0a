"""Spreadsheets as offices make them: merged titles and headers, NFD text, Excel dates, CSV."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def xlsx(rows: Sequence[Sequence[Any]], *, merge: Sequence[str] = (), setup: Any = None) -> bytes:
    """An .xlsx whose first sheet holds ``rows`` from A1, with the given ranges merged."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for cells in merge:
        sheet.merge_cells(cells)
    if setup:
        setup(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8-sig")


EXCEL_DAY = datetime(2000, 1, 1)  # noqa: DTZ001 - an Excel date cell has no time zone


def office_tree_xlsx() -> bytes:
    """The organisation sheet of a district office: a merged title, a two-row header with a
    merged "Hiệu lực" group, NFD names with trailing spaces, an Excel date and a text date."""
    rows = [
        ["DANH SÁCH CƠ QUAN, ĐƠN VỊ HUYỆN BÙ ĐỐP", None, None, None, None, None, None],
        ["Mã", nfd("Tên cơ quan, đơn vị "), "Mã cấp trên", "Ký hiệu", "Hiệu lực", None, "Địa danh"],
        [None, None, None, None, "Từ ngày", "Đến ngày", None],
        ["HU-BUDOP", nfd("Huyện ủy Bù Đốp  "), "TU-BP", "HU", EXCEL_DAY, None, "Bù Đốp"],
        [
            "BTGHU-BUDOP",
            nfd("Ban Tuyên giáo  Huyện ủy Bù Đốp"),
            "HU-BUDOP",
            "BTGHU",
            "01/01/2000",
            "30/06/2025",
            nfd("Bù Đốp "),
        ],
        ["UBND-BUDOP", "Ủy ban nhân dân huyện Bù Đốp", "HU-BUDOP", "UBND", None, None, "Bù Đốp"],
    ]

    def format_dates(workbook: Workbook) -> None:
        workbook.active["E4"].number_format = "DD/MM/YYYY"

    return xlsx(
        rows, merge=["A1:G1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:F2", "G2:G3"], setup=format_dates
    )
