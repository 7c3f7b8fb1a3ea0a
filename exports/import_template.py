"""The template a spreadsheet import offers for download: the headers it reads, and a help sheet."""

from __future__ import annotations

import io
from collections.abc import Callable

from workflows.imports.sheet import SheetSpec


def import_template(spec: SheetSpec, translate: Callable[[str], str] = str) -> bytes:
    """Build an .xlsx whose first sheet has ``spec``'s headers and whose second sheet explains them.

    Headers stay in Vietnamese whatever ``translate`` does, since the reader looks for them; the
    help texts are translated.
    """
    from openpyxl import Workbook  # imported on use: commands and workers start without it
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.title[:31]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE7F0")
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header + (" *" if column.required else ""))
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = max(14, min(40, len(column.header) + 8))
        if column.kind == "date":
            for row in range(2, 502):
                sheet.cell(row=row, column=index).number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet(translate("Hướng dẫn"))
    help_sheet.append([translate("Cột"), translate("Bắt buộc"), translate("Ghi chú")])
    for cell in help_sheet[1]:
        cell.font = bold
    for column in spec.columns:
        help_sheet.append(
            [
                column.header,
                translate("có") if column.required else "",
                translate(column.hint) if column.hint else "",
            ]
        )
    if spec.example:
        help_sheet.append([])
        help_sheet.append([translate("Ví dụ (chép sang trang đầu nếu cần):")])
        help_sheet.append([c.header for c in spec.columns])
        for example in spec.example:
            help_sheet.append(list(example))
    help_sheet.column_dimensions["A"].width = 28
    help_sheet.column_dimensions["B"].width = 12
    help_sheet.column_dimensions["C"].width = 80
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
