"""The official layout of Party documents (Hướng dẫn 36-HD/VPTW), shared by every Word builder.

``OfficialDocument`` wraps a python-docx document set up the way a Party office types one: A4,
margins 20/20/30/15 mm, Times New Roman on all four font slots with the template's theme fonts
removed, 14 pt justified body with a first-line indent, the two-column letterhead, the page number
centred at the top from page 2, and the signature block beside "Nơi nhận". Builders add their
content in reading order and call ``to_bytes()``, which writes a reproducible file (fixed zip
timestamps), so the same records give the same bytes and the same sha256.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from exports.letterhead import (  # re-exported: builders import the layout's words from here
    Letterhead,
    Signature,
    clean,
    upper,
    xml_safe,
)
from exports.ooxml import (
    BODY_PT,
    TABLE_PT,
    Column,
    add_page_field,
    bottom_border,
    cell_margins,
    fix_widths,
    keep_on_one_page,
    no_borders,
    normalise_zip,
    prototype_row,
    repeat_as_heading,
    set_font_slots,
)

TITLE_PT = 16
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165
FIRST_LINE_INDENT_MM = 12.7
HEADER_COLUMNS_MM = (70, 95)  # issuing body | "ĐẢNG CỘNG SẢN VIỆT NAM" and the date line
PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"
# The rule under the Party title is as long as the text: 73 mm at 15 pt bold in a 91 mm cell.
PARTY_RULE_INDENT_MM = 9
DRAFT_MARK = "DỰ THẢO"


@dataclass
class _Styles:
    body: str = "KT Body"
    plain: str = "KT Plain"
    table: str = "KT Table"
    ids: dict[str, str] = field(default_factory=dict)


class OfficialDocument:
    """A Word document in the Party layout, filled in reading order."""

    def __init__(self, *, draft: bool = False) -> None:
        self.document = Document()
        self.draft = draft
        self._styles = _Styles()
        self._last: Paragraph | None = None
        self._set_fonts()
        self._add_styles()
        self._set_page()

    # -- Setup ------------------------------------------------------------------------------------

    def _set_fonts(self) -> None:
        """Times New Roman on all four slots everywhere, with the theme font references removed
        (they win over explicit names in LibreOffice), and Vietnamese as the language."""
        styles = self.document.styles.element
        defaults = styles.find(qn("w:docDefaults"))
        assert defaults is not None
        run_defaults = defaults.find(qn("w:rPrDefault"))
        assert run_defaults is not None
        run_properties = run_defaults.find(qn("w:rPr"))
        assert run_properties is not None
        if run_properties.find(qn("w:rFonts")) is None:
            run_properties.insert(0, OxmlElement("w:rFonts"))
        for fonts in styles.iter(qn("w:rFonts")):
            set_font_slots(fonts)
        for size_tag in ("w:sz", "w:szCs"):
            size = run_properties.find(qn(size_tag))
            if size is not None:
                size.set(qn("w:val"), str(BODY_PT * 2))
        for lang in styles.iter(qn("w:lang")):
            lang.set(qn("w:val"), "vi-VN")
            lang.set(qn("w:eastAsia"), "vi-VN")

    def _add_styles(self) -> None:
        styles = self.document.styles
        normal = styles["Normal"]
        normal.font.size = Pt(BODY_PT)
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.space_before = Pt(0)
        normal.paragraph_format.line_spacing = 1.0
        body = styles.add_style(self._styles.body, WD_STYLE_TYPE.PARAGRAPH)
        body.base_style = normal
        body.font.size = Pt(BODY_PT)
        body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        body.paragraph_format.first_line_indent = Mm(FIRST_LINE_INDENT_MM)
        body.paragraph_format.space_after = Pt(6)
        body.paragraph_format.line_spacing = 1.15
        plain = styles.add_style(self._styles.plain, WD_STYLE_TYPE.PARAGRAPH)
        plain.base_style = normal
        plain.font.size = Pt(BODY_PT)
        plain.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        table = styles.add_style(self._styles.table, WD_STYLE_TYPE.PARAGRAPH)
        table.base_style = normal
        table.font.size = Pt(TABLE_PT)
        table.paragraph_format.space_before = Pt(2)
        table.paragraph_format.space_after = Pt(2)
        for style in (normal, styles["Header"], styles["Footer"], body, plain, table):
            set_font_slots(style.element.get_or_add_rPr().get_or_add_rFonts())
        self._styles.ids = {name: styles[name].style_id for name in ("KT Body", "KT Plain", "KT Table")}

    def _set_page(self) -> None:
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width = Mm(PAGE_WIDTH_MM)
        section.page_height = Mm(PAGE_HEIGHT_MM)
        section.top_margin = Mm(MARGINS_MM["top"])
        section.bottom_margin = Mm(MARGINS_MM["bottom"])
        section.left_margin = Mm(MARGINS_MM["left"])
        section.right_margin = Mm(MARGINS_MM["right"])
        section.header_distance = Mm(10)
        section.footer_distance = Mm(10)
        # No number on the first page; from page 2 the number is centred at the top.
        section.different_first_page_header_footer = True
        number = section.header.paragraphs[0]
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_page_field(number)
        first = section.first_page_header.paragraphs[0]
        if self.draft:
            first.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            mark = first.add_run(DRAFT_MARK)
            mark.bold = True
            mark.font.size = Pt(12)

    # -- Parts ------------------------------------------------------------------------------------

    def letterhead(self, head: Letterhead) -> None:
        """The two-column header: bodies and ``*`` on the left, the Party title with its rule on
        the right; then the number under the left column and the place-date line on the right.
        The file's properties name the issuing body as author and the issue date as its creation."""
        self._set_properties(author=head.author or upper(head.issuer), issued_on=head.issued_on)
        table = self.document.add_table(rows=2, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        fix_widths(table, HEADER_COLUMNS_MM)
        no_borders(table)
        top, bottom = (row.cells for row in table.rows)
        left = top[0].paragraphs[0]
        if head.superior:
            self._plain_run(left, upper(head.superior), size=BODY_PT)
            left = top[0].add_paragraph()
        self._plain_run(left, upper(head.issuer), size=BODY_PT, bold=True)
        self._plain_run(top[0].add_paragraph(), "*", size=BODY_PT)
        party = top[1].paragraphs[0]
        self._plain_run(party, PARTY_TITLE, size=15, bold=True)
        party.paragraph_format.left_indent = Mm(PARTY_RULE_INDENT_MM)
        party.paragraph_format.right_indent = Mm(PARTY_RULE_INDENT_MM)
        bottom_border(party)
        self._plain_run(bottom[0].paragraphs[0], head.number_line, size=BODY_PT)
        if head.summary_line:
            self._plain_run(bottom[0].add_paragraph(), clean(head.summary_line), size=12, italic=True)
        self._plain_run(bottom[1].paragraphs[0], head.date_line, size=BODY_PT, italic=True)
        for cell in (*top, *bottom):
            for paragraph in cell.paragraphs:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.spacer()

    def title(self, type_name: str, summary: str | Sequence[str] | None = None) -> None:
        """The document type in capitals (16 pt bold), its trích yếu (14 pt bold) and a short rule."""
        heading = self._styled_paragraph(self._styles.plain)
        heading.paragraph_format.space_before = Pt(12)
        run = heading.add_run(upper(type_name))
        run.bold = True
        run.font.size = Pt(TITLE_PT)
        lines = [summary] if isinstance(summary, str) else list(summary or [])
        self.document.core_properties.title = " ".join([upper(type_name), *(clean(line) for line in lines)])[
            :250
        ]
        for line in lines:
            paragraph = self._styled_paragraph(self._styles.plain)
            paragraph.add_run(clean(line)).bold = True
        self._styled_paragraph(self._styles.plain).add_run("-----")
        self.spacer()

    def addressee(self, names: Sequence[str]) -> None:
        """ "Kính gửi: …" for a letter, one recipient per line when there are several."""
        if len(names) == 1:
            paragraph = self._styled_paragraph(self._styles.plain)
            paragraph.add_run("Kính gửi: ")
            paragraph.add_run(clean(names[0]))
        else:
            self._styled_paragraph(self._styles.plain).add_run("Kính gửi:")
            for index, name in enumerate(names):
                end = "." if index == len(names) - 1 else ","
                paragraph = self._styled_paragraph(self._styles.plain)
                paragraph.paragraph_format.left_indent = Mm(40)
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
                paragraph.add_run(f"- {clean(name)}{end}")
        self.spacer()

    def heading(self, text: str) -> None:
        """A part heading in bold capitals: "I- KẾT QUẢ KIỂM TRA"."""
        paragraph = self._styled_paragraph(self._styles.body)
        paragraph.paragraph_format.keep_with_next = True
        paragraph.add_run(clean(text)).bold = True

    def subheading(self, text: str) -> None:
        """A numbered item heading in bold: "1. Ưu điểm"."""
        paragraph = self._styled_paragraph(self._styles.body)
        paragraph.paragraph_format.keep_with_next = True
        paragraph.add_run(clean(text)).bold = True

    def paragraph(self, text: str, *, italic: bool = False) -> None:
        """Body text; each line of ``text`` becomes its own paragraph."""
        for line in _lines(text):
            paragraph = self._styled_paragraph(self._styles.body)
            paragraph.add_run(line).italic = italic or None

    def runs(self, parts: Iterable[tuple[str, str]]) -> None:
        """One body paragraph of differently set pieces: ``(text, "b"|"i"|"bi"|"")``."""
        paragraph = self._styled_paragraph(self._styles.body)
        for text, look in parts:
            run = paragraph.add_run(xml_safe(text))
            run.bold = "b" in look or None
            run.italic = "i" in look or None

    def dash_items(self, texts: Iterable[str], *, empty: str | None = None) -> None:
        """A list of "- …" paragraphs, or ``empty`` (italic) when there is nothing to list."""
        count = 0
        for text in texts:
            for line in _lines(text):
                self._styled_paragraph(self._styles.body).add_run(f"- {line}")
                count += 1
        if count == 0 and empty:
            self.paragraph(empty, italic=True)

    def spacer(self) -> None:
        """An empty line."""
        paragraph = self.document.add_paragraph(style=self.document.styles["Normal"])
        if self._last is not None and self._last.paragraph_format.keep_with_next:
            paragraph.paragraph_format.keep_with_next = True

    def table(
        self,
        columns: Sequence[Column],
        rows: Iterable[Sequence[str]],
        *,
        groups: Sequence[tuple[str | None, int]] | None = None,
        font_pt: float = TABLE_PT,
        bold_last: bool = False,
    ) -> Table:
        """A grid table whose heading repeats on every page.

        ``groups`` adds a first heading row: ``("Đã hoàn thành", 2)`` spans the next two columns,
        whose own headings go in the second row; ``(None, 1)`` lets a column's heading fill both
        rows. Data rows are copied from one prepared row, so a thousand rows take a fraction of a
        second (``table.cell(r, c)`` would rebuild the grid on every call).
        """
        rows = [list(row) for row in rows]
        heading_rows = 2 if groups else 1
        table = self.document.add_table(rows=heading_rows, cols=len(columns))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        fix_widths(table, [c.width_mm for c in columns])
        cell_margins(table, Mm(1.2))
        heading_cells = [row.cells for row in table.rows]
        for row in table.rows:
            repeat_as_heading(row)
        for cell, column in zip(heading_cells[-1], columns, strict=True):
            self._table_heading(cell, column.heading, font_pt)
        if groups:
            assert sum(span for _, span in groups) == len(columns)
            start = 0
            for label, span in groups:
                first, last = heading_cells[0][start], heading_cells[0][start + span - 1]
                if label is None:
                    first.merge(heading_cells[1][start])
                else:
                    merged = first.merge(last) if span > 1 else first
                    self._table_heading(merged, label, font_pt)
                start += span
        prototype = prototype_row(columns, self._styles.ids[self._styles.table], font_pt)
        tbl = table._tbl
        for index, values in enumerate(rows):
            tr = deepcopy(prototype)
            for tc, value in zip(tr.iterchildren(qn("w:tc")), values, strict=True):
                tc.find(".//" + qn("w:t")).text = clean(value)
                if bold_last and index == len(rows) - 1:
                    tc.find(".//" + qn("w:rPr")).insert(0, OxmlElement("w:b"))
            tbl.append(tr)
        self.spacer()
        return table

    def _table_heading(self, cell: object, text: str, font_pt: float) -> None:
        paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
        paragraph.style = self.document.styles[self._styles.table]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for run in list(paragraph.runs):
            run._r.getparent().remove(run._r)
        run = paragraph.add_run(clean(text))
        run.bold = True
        run.font.size = Pt(font_pt)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER  # type: ignore[attr-defined]

    def picture(self, image: bytes, *, width_mm: float = TEXT_WIDTH_MM) -> None:
        """A centred image (a chart) as wide as the text."""
        paragraph = self._styled_paragraph(self._styles.plain)
        paragraph.add_run().add_picture(io.BytesIO(image), width=Mm(width_mm))

    def closing(self, recipients: Sequence[str], archive: str, signature: Signature) -> None:
        """ "Nơi nhận" on the left and the signature block on the right, kept on one page with the
        last paragraph of the text."""
        if self._last is not None:
            self._last.paragraph_format.keep_with_next = True
        self.spacer()
        table = self.document.add_table(rows=1, cols=2)
        fix_widths(table, (80, 85))
        no_borders(table)
        row = table.rows[0]
        keep_on_one_page(row)
        left, right = row.cells
        label = left.paragraphs[0]
        # HD36 (Party form): "Nơi nhận:" underlined, upright, not bold; recipients "- …," one a line,
        # the file copy last ("- Lưu Văn phòng Ban."); not the State form's bold italic.
        label_run = label.add_run("Nơi nhận:")
        label_run.underline = True
        label_run.font.size = Pt(BODY_PT)
        for recipient in recipients:
            self._plain_run(left.add_paragraph(), f"- {clean(recipient)},", size=12)
        self._plain_run(left.add_paragraph(), f"- {clean(archive)}.", size=12)
        first = True
        for line in signature.lines:
            paragraph = right.paragraphs[0] if first else right.add_paragraph()
            first = False
            self._plain_run(paragraph, upper(line), size=BODY_PT, bold=True)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for _ in range(4):  # room for the signature and the seal
            right.add_paragraph()
        name = right.add_paragraph()
        name.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._plain_run(name, clean(signature.name), size=BODY_PT, bold=True)
        for paragraph in (*left.paragraphs, *right.paragraphs):
            paragraph.paragraph_format.keep_with_next = True

    def _set_properties(self, *, author: str, issued_on: date) -> None:
        """Author = the issuing body, created = modified = the issue date (not python-docx's 2013
        template), so the file says who issued it and when, and equal content gives equal bytes."""
        properties = self.document.core_properties
        stamp = datetime(issued_on.year, issued_on.month, issued_on.day, tzinfo=UTC)
        properties.author = author
        properties.last_modified_by = author
        properties.created = stamp
        properties.modified = stamp
        properties.last_printed = stamp
        properties.revision = 1
        properties.comments = ""
        properties.keywords = ""
        properties.language = "vi-VN"

    # -- Output -----------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The .docx file, written with fixed zip timestamps so equal content gives equal bytes."""
        raw = io.BytesIO()
        self.document.save(raw)
        return normalise_zip(raw.getvalue())

    # -- Helpers ----------------------------------------------------------------------------------

    def _styled_paragraph(self, style_name: str) -> Paragraph:
        self._last = self.document.add_paragraph(style=self.document.styles[style_name])
        return self._last

    @staticmethod
    def _plain_run(
        paragraph: Paragraph, text: str, *, size: float, bold: bool = False, italic: bool = False
    ) -> None:
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold or None
        run.italic = italic or None


def _lines(text: str) -> list[str]:
    return [line for line in (clean(part) for part in clean(text).splitlines()) if line]
