"""Reading and normalising, part 1: pasted text, HTML pages and .docx files into plain text."""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

from workflows.errors import ValidationFailed
from workflows.intake.markers import _first_marker
from workflows.intake.text import _words

_EMPTY = "Bài viết trống: hãy dán nội dung bài hoặc chọn một tệp."


_LOOKS_LIKE_HTML = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|article|div|p|h1|br|span|section)\b", re.I
)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ValidationFailed(_BINARY) from None
    if b"\x00" in data[:4096]:
        raise ValidationFailed(_BINARY)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            "Tệp không phải văn bản UTF-8 (có thể là tệp nhị phân, hoặc văn bản gõ bảng mã cũ TCVN3/VNI); "
            "hãy lưu lại dưới dạng UTF-8 hoặc dán nội dung bài."
        ) from None


_BINARY = "Tệp có vẻ là tệp nhị phân (ảnh, tệp nén…), không phải một bài viết."


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _refuse_binary(text: str) -> None:
    sample = text[:20000]
    controls = len(_CONTROL.findall(sample))
    if "\x00" in sample or controls > max(3, len(sample) // 200):
        raise ValidationFailed(_BINARY)


# Bounds on what a .docx unpacks to, checked from the archive's directory before anything is inflated
# (zipfile never inflates a member past the size its directory gives): a real article's text is well
# under a megabyte of XML, while 137 KB can hold 32 MB of XML that takes lxml gigabytes to parse.
DOCX_XML_MAX = 4 * 1024 * 1024  # any one XML part
DOCX_UNPACKED_MAX = 32 * 1024 * 1024  # every part together, pictures included
DOCX_PARTS_MAX = 1000
_DOCX_BROKEN = "Tệp .docx bị hỏng hoặc không phải tài liệu Word."


def _check_unpacked_size(archive: zipfile.ZipFile) -> None:
    members = archive.infolist()
    too_big = ValidationFailed(
        "Tệp .docx giải nén ra quá lớn (hơn %(mb)s MB chữ hoặc quá nhiều phần); "
        "hãy dán nội dung bài hoặc lưu lại tệp không kèm đối tượng nhúng.",
        mb=DOCX_XML_MAX // 1_048_576,
    )
    if len(members) > DOCX_PARTS_MAX or sum(m.file_size for m in members) > DOCX_UNPACKED_MAX:
        raise too_big
    if any(m.filename.lower().endswith((".xml", ".rels")) and m.file_size > DOCX_XML_MAX for m in members):
        raise too_big


def _read_docx(data: bytes) -> str:
    """The paragraphs (and table cells) of a .docx in document order; an archive that would unpack
    past the bounds above, or whose XML does not parse, is refused with a message."""
    from docx import Document
    from docx.table import Table
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise ValidationFailed("Tệp nén không phải tài liệu Word (.docx).")
            _check_unpacked_size(archive)
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, etree.LxmlError, EOFError):
        raise ValidationFailed(_DOCX_BROKEN) from None
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                blocks.extend(cell.text for cell in row.cells)
        else:
            blocks.append(item.text)
    return "\n\n".join(b.strip() for b in blocks if b.strip())


_SKIPPED_TAGS = _words(
    "script style noscript nav aside form select button iframe svg template object embed canvas "
    "dialog label input textarea"
)


_OUTSIDE_ARTICLE_SKIPPED = frozenset({"header", "footer"})


_VOID_TAGS = _words("area base br col embed hr img input link meta param source track wbr")


_BLOCK_TAGS = _words(
    "p div section article main li ul ol h1 h2 h3 h4 h5 h6 tr table tbody thead blockquote figure "
    "figcaption dd dt dl pre header footer address td th caption center hr br title"
)


_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])


_BOILERPLATE_CLASS_WORDS = _words(
    "menu menus mainmenu submenu nav navbar navigation breadcrumb breadcrumbs sidebar comment "
    "comments binhluan share sharing social related relate tinlienquan lienquan advert advertisement "
    "ads banner rating vote counter statistic statistics login search toolbar tags popup modal cookie"
)


class _HtmlText(HTMLParser):
    """Collect the visible text of a page, one line per block, leaving out menus and link lists."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.hints: dict[str, str] = {}
        self._buffer: list[str] = []
        self._linked = 0  # characters of the current block inside <a>
        self._skip_tag: str | None = None
        self._skip_depth = 0
        self._in_article = 0
        self._in_link = 0
        self._heading = 0
        self._capture: str | None = None  # "title" or "h1"
        self._captured: list[str] = []
        self._lists: list[list[int]] = []  # open <ul>/<ol>: [is ordered, items so far]
        self._prefix = ""  # "- " or "3. " before the text of a list item

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_depth:
            if tag == self._skip_tag:
                self._skip_depth += 1
            return
        attributes = {k: v or "" for k, v in attrs}
        if tag == "meta":
            self._meta(attributes)
            return
        if tag in _VOID_TAGS:
            if tag in ("br", "hr"):
                self._flush()
            return
        if self._skipped(tag, attributes):
            self._skip_tag, self._skip_depth = tag, 1
            return
        if tag in ("article", "main"):
            self._in_article += 1
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag in ("ul", "ol"):
            start = attributes.get("start", "1")
            self._lists.append([tag == "ol", (int(start) if start.isdigit() else 1) - 1])
        if tag == "li" and self._lists:
            self._lists[-1][1] += 1
            ordered, count = self._lists[-1]
            self._prefix = f"{count}. " if ordered else "- "
        if tag in _HEADINGS:
            self._heading += 1
        if tag == "a":
            self._in_link += 1
        if tag == "title" or (tag == "h1" and "h1" not in self.hints):
            self._capture, self._captured = tag, []
        if tag == "time" and attributes.get("datetime") and "published" not in self.hints:
            self.hints["published"] = attributes["datetime"]

    def handle_endtag(self, tag: str) -> None:
        if self._skip_depth:
            if tag == self._skip_tag:
                self._skip_depth -= 1
            return
        if tag == self._capture:
            text = " ".join("".join(self._captured).split())
            if text:
                self.hints[tag] = text
            self._capture = None
        if tag == "title":
            self._buffer, self._linked = [], 0  # the <title> is a hint, not page text
            return
        if tag in ("article", "main"):
            self._in_article = max(0, self._in_article - 1)
        if tag == "a":
            self._in_link = max(0, self._in_link - 1)
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        if tag in _HEADINGS:
            self._heading = max(0, self._heading - 1)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._capture:
            self._captured.append(data)
        if self._capture == "title":
            return
        self._buffer.append(data)
        if self._in_link:
            self._linked += len(data.strip())

    def close(self) -> None:
        super().close()
        self._flush()

    def _skipped(self, tag: str, attributes: dict[str, str]) -> bool:
        if tag in _SKIPPED_TAGS:
            return True
        if tag in _OUTSIDE_ARTICLE_SKIPPED and not self._in_article:
            return True
        if attributes.get("hidden") is not None and "hidden" in attributes:
            return True
        if re.search(r"display\s*:\s*none", attributes.get("style", ""), re.I):
            return True
        words = set(
            re.split(r"[^a-z0-9]+", f"{attributes.get('class', '')} {attributes.get('id', '')}".lower())
        )
        return bool(words & _BOILERPLATE_CLASS_WORDS) and tag not in ("body", "html", "article", "main")

    def _meta(self, attributes: dict[str, str]) -> None:
        name = (
            attributes.get("property") or attributes.get("name") or attributes.get("itemprop") or ""
        ).lower()
        content = attributes.get("content", "")
        if content and name in ("article:published_time", "datepublished", "pubdate", "date"):
            self.hints.setdefault("published", content)
        if content and name in ("og:title",):
            self.hints.setdefault("og:title", content)

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        total = len(text.replace(" ", ""))
        if text and not (self._linked >= total and not self._heading and len(text.split()) <= 14):
            self.lines.append(self._prefix + text if not _first_marker(text) else text)
        self._buffer, self._linked = [], 0
        if text:
            self._prefix = ""


def _read_html(markup: str) -> tuple[str, dict[str, str]]:
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    return "\n\n".join(parser.lines), parser.hints
