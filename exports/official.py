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
import re
import zipfile
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
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from models import Organization
from models.enums import OrgKind
from models.vntext import official_date_line

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
TITLE_PT = 16
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165
FIRST_LINE_INDENT_MM = 12.7
HEADER_COLUMNS_MM = (70, 95)  # issuing body | "ĐẢNG CỘNG SẢN VIỆT NAM" and the date line
PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"
# The rule under the Party title is as long as the text: 73 mm at 15 pt bold in a 91 mm cell.
PARTY_RULE_INDENT_MM = 9
DRAFT_NUMBER = " " * 6  # a draft leaves the number blank, to be written in when it is issued
DRAFT_MARK = "DỰ THẢO"

_THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
_FONT_SLOTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")
# Characters XML 1.0 cannot carry; pasted text sometimes holds them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# Document type names as they stand in the title.
TYPE_NAMES = {"BC": "BÁO CÁO", "TB": "THÔNG BÁO", "CV": "CÔNG VĂN"}


def clean(text: str | None) -> str:
    """Text a Word file can hold: no control characters, no surrounding blanks."""
    return xml_safe(text).strip()


def xml_safe(text: str | None) -> str:
    """Text without the control characters XML cannot carry, blanks kept."""
    return _NOT_XML.sub("", text or "")


def upper(text: str) -> str:
    """Capitals for headings; Python's ``str.upper`` keeps Vietnamese marks ("ủy" → "ỦY")."""
    return clean(text).upper()


def continue_sentence(text: str) -> str:
    """Lower the first letter so the text can follow "Một là, ", unless it opens a proper name
    (the next word is capitalised too, as in "Ban Thường vụ …")."""
    text = clean(text)
    words = text.split(maxsplit=2)
    if not words or not words[0][:1].isupper() or (words[0].isupper() and len(words[0]) > 1):
        return text
    if len(words) > 1 and words[1][:1].isupper():
        return text
    return text[0].lower() + text[1:]


def as_sentence(text: str) -> str:
    """End the text with a full stop unless it already ends a sentence."""
    text = clean(text)
    return text if not text or text[-1] in ".!?:;…" else text + "."


def body_date(value: date) -> str:
    """A date inside running text: 14/06/2023."""
    return value.strftime("%d/%m/%Y")


# -- Names in the letterhead and the signature ------------------------------------------------------

_COMMITTEE_WORDS = {
    "đảng ủy": "",
    "đảng uỷ": "",
    "tỉnh ủy": "tỉnh",
    "tỉnh uỷ": "tỉnh",
    "huyện ủy": "huyện",
    "huyện uỷ": "huyện",
    "thành ủy": "thành phố",
    "thành uỷ": "thành phố",
    "thị ủy": "thị xã",
    "thị uỷ": "thị xã",
    "quận ủy": "quận",
    "quận uỷ": "quận",
}


def _committee_word(name: str) -> str | None:
    """The leading "Tỉnh ủy" / "Huyện ủy" … of a committee's name, as written."""
    head = " ".join(name.split()[:2])
    return head if head.casefold() in _COMMITTEE_WORDS else None


def party_organisation_name(committee: Organization) -> str:
    """ "Tỉnh ủy Bình Phước" → "Đảng bộ tỉnh Bình Phước", the superior line above a lower committee."""
    word = _committee_word(committee.name)
    if word is None:
        return committee.name
    rest = committee.name[len(word) :].strip()
    return " ".join(f"Đảng bộ {_COMMITTEE_WORDS[word.casefold()]} {rest}".split())


def header_name(org: Organization) -> str:
    """The issuing body's own name in the letterhead: a board of a committee drops the committee
    ("Ban Tuyên giáo Tỉnh ủy" under "TỈNH ỦY BÌNH PHƯỚC" is written "BAN TUYÊN GIÁO")."""
    if org.short_name:
        return org.short_name
    name = clean(org.name)
    parent = org.parent
    if parent is not None and org.kind is not OrgKind.PARTY_COMMITTEE:
        for suffix in (clean(parent.name), _committee_word(parent.name)):
            if suffix and name.casefold().endswith(" " + suffix.casefold()):
                return name[: -len(suffix)].strip()
    return name


def superior_name(org: Organization) -> str | None:
    """The line above the issuing body: the committee a board belongs to, or the Party organisation
    of the committee above a lower committee; none for a top-level body."""
    parent = org.parent
    if parent is None:
        return None
    if org.kind is OrgKind.PARTY_COMMITTEE and parent.kind is OrgKind.PARTY_COMMITTEE:
        return party_organisation_name(parent)
    return parent.name


def place_of(org: Organization) -> str:
    """The place name of the date line: the body's own, else its parent's."""
    if org.place_name:
        return org.place_name
    return org.parent.place_name if org.parent is not None and org.parent.place_name else ""


def addressed(org: Organization) -> str:
    """How a body is asked to act in running text: a committee through its standing board."""
    if org.kind is OrgKind.PARTY_COMMITTEE and _committee_word(org.name):
        return f"Ban Thường vụ {org.name}"
    return org.name


def archive_line(issuer: Organization) -> str:
    """The last recipient, the issuer's own file: "Lưu Văn phòng Ban", "Lưu Văn phòng Tỉnh ủy"."""
    word = _committee_word(issuer.name) if issuer.kind is OrgKind.PARTY_COMMITTEE else None
    if word:
        return f"Lưu Văn phòng {word}"
    if issuer.kind is OrgKind.PARTY_BOARD:
        return "Lưu Văn phòng Ban"
    return "Lưu văn thư"


def standing_committee_of(org: Organization) -> str | None:
    """ "Thường trực Tỉnh ủy Bình Phước": whom a body under a committee reports to."""
    return f"Thường trực {org.parent.name}" if org.parent is not None else None


@dataclass(frozen=True)
class Signature:
    """The signing block: authority line (``K/T TRƯỞNG BAN``, ``T/M BAN THƯỜNG VỤ``), title, name."""

    title: str
    name: str = ""
    authority: str | None = None

    @property
    def lines(self) -> list[str]:
        """The capitalised lines above the space for the signature."""
        return [line for line in (self.authority, self.title) if line]


_HEAD_TITLES = ("Trưởng Ban", "Chánh Văn phòng", "Chủ nhiệm", "Trưởng phòng", "Giám đốc", "Chủ tịch")


def leads_body(issuer: Organization, position: str | None) -> bool:
    """Whether ``position`` is the head or a deputy head of ``issuer``, who sign in its name."""
    folded = clean(position).casefold()
    if issuer.kind is OrgKind.PARTY_COMMITTEE:
        titles: tuple[str, ...] = ("bí thư",)
    elif issuer.kind is OrgKind.PARTY_BOARD:
        titles = ("trưởng ban", "chánh văn phòng", "chủ nhiệm")
    else:
        titles = tuple(title.casefold() for title in _HEAD_TITLES)
    return any(folded.startswith(title) or folded.startswith("phó " + title) for title in titles)


def signature_for(issuer: Organization, name: str, position: str | None) -> Signature:
    """The signing block for ``name`` holding ``position`` in ``issuer`` (HD36 §1.7.1).

    A committee signs for its standing board (``T/M BAN THƯỜNG VỤ`` / ``BÍ THƯ`` or ``PHÓ BÍ THƯ``);
    in a board the head signs as ``TRƯỞNG BAN`` and a deputy ``K/T TRƯỞNG BAN`` / ``PHÓ TRƯỞNG BAN``.
    """
    position = clean(position)
    folded = position.casefold()
    if issuer.kind is OrgKind.PARTY_COMMITTEE:
        title = "PHÓ BÍ THƯ" if folded.startswith("phó bí thư") else "BÍ THƯ"
        return Signature(authority="T/M BAN THƯỜNG VỤ", title=title, name=name)
    for head in _HEAD_TITLES:
        if folded.startswith("phó " + head.casefold()):
            return Signature(authority=f"K/T {upper(head)}", title=f"PHÓ {upper(head)}", name=name)
        if folded.startswith(head.casefold()):
            return Signature(title=upper(head), name=name)
    if position:
        return Signature(title=upper(position), name=name)
    # Nobody named: the head of the body signs, and writes their name by hand.
    return Signature(
        title="TRƯỞNG BAN" if issuer.kind is OrgKind.PARTY_BOARD else "THỦ TRƯỞNG CƠ QUAN", name=name
    )


@dataclass(frozen=True)
class Letterhead:
    """What the two-column header says."""

    issuer: str  # "BAN TUYÊN GIÁO", capitalised when written
    symbol: str  # "12-BC/BTGTU", or "      -BC/BTGTU" for a draft
    place: str
    issued_on: date
    superior: str | None = None  # "TỈNH ỦY BÌNH PHƯỚC"
    summary_line: str | None = None  # a công văn's trích yếu, under its number
    author: str = ""  # the issuing body's full name, for the file's properties

    @property
    def number_line(self) -> str:
        """ "Số 12-BC/BTGTU": the Party form, without a colon."""
        return f"Số {self.symbol}"

    @property
    def date_line(self) -> str:
        """ "Bình Phước, ngày 14 tháng 6 năm 2023"."""
        return official_date_line(self.place, self.issued_on)


def letterhead_for(
    issuer: Organization,
    type_code: str,
    number: str | None,
    issued_on: date,
    summary_line: str | None = None,
) -> Letterhead:
    """The letterhead of ``issuer`` for a document of ``type_code``; ``number`` is the full symbol
    ("12-BC/BTGTU") of an issued document, None for a draft."""
    return Letterhead(
        issuer=header_name(issuer),
        superior=superior_name(issuer),
        symbol=number or f"{DRAFT_NUMBER}-{type_code}/{issuer.doc_code}",
        place=place_of(issuer),
        issued_on=issued_on,
        summary_line=summary_line,
        author=clean(issuer.name),
    )


@dataclass
class Column:
    """A table column: heading, width, and whether its cells are centred (numbers, dates)."""

    heading: str
    width_mm: float
    centred: bool = False


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
            _set_font_slots(fonts)
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
            _set_font_slots(style.element.get_or_add_rPr().get_or_add_rFonts())
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
        _add_page_field(number)
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
        _fix_widths(table, HEADER_COLUMNS_MM)
        _no_borders(table)
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
        _bottom_border(party)
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
        _fix_widths(table, [c.width_mm for c in columns])
        _cell_margins(table, Mm(1.2))
        heading_cells = [row.cells for row in table.rows]
        for row in table.rows:
            _repeat_as_heading(row)
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
        prototype = _prototype_row(columns, self._styles.ids[self._styles.table], font_pt)
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
        _fix_widths(table, (80, 85))
        _no_borders(table)
        row = table.rows[0]
        _keep_on_one_page(row)
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
        return _normalise_zip(raw.getvalue())

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


def _set_font_slots(fonts: BaseOxmlElement) -> None:
    for attribute in _THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    for slot in _FONT_SLOTS:
        fonts.set(qn(slot), FONT)


def _add_page_field(paragraph: Paragraph) -> None:
    """A PAGE field built by hand (python-docx has no field API)."""
    run = paragraph.add_run()
    run.font.size = Pt(BODY_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _fix_widths(table: Table, widths_mm: Sequence[float]) -> None:
    """Fixed column widths in the grid and in every cell (Word reads the cells, LibreOffice the grid)."""
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _cell_margins(table: Table, side: int) -> None:
    """Narrow left and right cell margins, so numbers and dates fit their columns."""
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(round(side / 635)))  # EMU to twentieths of a point
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def _no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _bottom_border(paragraph: Paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _repeat_as_heading(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    element = OxmlElement("w:tblHeader")
    tr_pr.append(element)
    _keep_on_one_page(row)


def _keep_on_one_page(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    tr_pr.append(OxmlElement("w:cantSplit"))


def _prototype_row(columns: Sequence[Column], style_id: str, font_pt: float) -> BaseOxmlElement:
    """A data row with the columns' widths, one paragraph and one empty run per cell."""
    tr = OxmlElement("w:tr")
    tr_pr = OxmlElement("w:trPr")
    tr_pr.append(OxmlElement("w:cantSplit"))
    tr.append(tr_pr)
    for column in columns:
        tc = OxmlElement("w:tc")
        tc_pr = OxmlElement("w:tcPr")
        tc_width = OxmlElement("w:tcW")
        tc_width.set(qn("w:w"), str(round(column.width_mm * 1440 / 25.4)))
        tc_width.set(qn("w:type"), "dxa")
        tc_pr.append(tc_width)
        tc.append(tc_pr)
        p = OxmlElement("w:p")
        p_pr = OxmlElement("w:pPr")
        p_style = OxmlElement("w:pStyle")
        p_style.set(qn("w:val"), style_id)
        p_pr.append(p_style)
        justification = OxmlElement("w:jc")
        justification.set(qn("w:val"), "center" if column.centred else "left")
        p_pr.append(justification)
        p.append(p_pr)
        r = OxmlElement("w:r")
        r_pr = OxmlElement("w:rPr")
        if font_pt != TABLE_PT:
            for tag in ("w:sz", "w:szCs"):
                size = OxmlElement(tag)
                size.set(qn("w:val"), str(round(font_pt * 2)))
                r_pr.append(size)
        r.append(r_pr)
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        r.append(t)
        p.append(r)
        tc.append(p)
        tr.append(tc)
    return tr


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed timestamps, keeping the order of its parts."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
