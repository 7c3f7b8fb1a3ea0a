"""Article intake: read a published article about an inspection visit into a draft visit.

The parser is pure (no Flask, no database). Its steps:

1. *Read* plain text, HTML (stdlib ``html.parser``; menus, scripts and link lists are dropped) or a .docx
   (python-docx) into plain text; refuse empty, binary and non-Vietnamese input.
2. *Normalise* to NFC: the text shown to the user (``DraftVisit.text``) keeps its characters, and a
   working copy repairs what pages carry (old tone placement "Uỷ", zero-width characters, words broken by
   a line break such as "T\\nham mưu") while keeping a map back to the shown text, so every extracted
   field keeps the (start, end) span of the text it came from.
3. *Paragraphs* are classed as boilerplate (view counters, rating lines, "Ý kiến bạn đọc", link lists),
   photo captions, or body; the body ends at the author line or the first end-of-article marker.
4. *Header*: title and the article's own date line ("Thứ tư - 14/06/2023 23:03"), whose year completes a
   visit date written without one ("Sáng ngày 14 - 6").
5. *Lead*: date and time of day, inspecting body, inspected unit, subject and period, head of delegation,
   members and hosts with their positions and Party titles (titles before or after names).
6. *Lists*: every enumeration ("Một là", "Thứ nhất", "1.", "(1)", "a)", dashes) is found; the one
   introduced as requests becomes the directives, each with its own text and continuation paragraphs.
   Lessons ("Thứ nhất" after "bài học") are not directives; gaps in numbering are reported, not renumbered.
7. *Findings*: sentences before the requests sorted into achievements, difficulties, limitations, causes.
8. *Citations* with ``workflows.citations.find_citations``; the author from the byline.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any, Generic, TypeVar

from models.enums import INSPECTING_ROLES, DayPart, DelegationRole, FindingKind
from models.vntext import number_words, search_key
from workflows.citations import Citation, find_citations, format_citation
from workflows.errors import ValidationFailed

T = TypeVar("T")

# Vietnamese capital and small letters; "[A-ZÀ-Ỹ]" would also take small letters inside the range.
UPPER = "[" + "".join(ch for ch in map(chr, range(0x41, 0x1EFA)) if ch.isupper() and ch.isalpha()) + "]"
LOWER = "[" + "".join(ch for ch in map(chr, range(0x61, 0x1EFA)) if ch.islower() and ch.isalpha()) + "]"
Span = tuple[int, int]

MAX_BYTES = 5 * 1024 * 1024
MAX_CHARS = 500_000
ACCEPTED_EXTENSIONS = ("txt", "html", "htm", "docx")


# --- Result ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found(Generic[T]):
    """An extracted value and the (start, end) span of ``DraftVisit.text`` it came from."""

    value: T
    span: Span | None


@dataclass(frozen=True)
class DraftPeriod:
    """The period a visit covers: the label as written and the dates it stands for."""

    label: str
    start_on: date | None
    end_on: date | None
    span: Span | None


@dataclass(frozen=True)
class DraftPerson:
    """A person named in the article, on the delegation's side or the host's."""

    name: str
    position: str | None
    party_titles: str | None
    role: DelegationRole
    span: Span  # the whole mention: name, titles and position
    name_span: Span


@dataclass(frozen=True)
class DraftFinding:
    """An achievement, difficulty, limitation or cause stated in the article."""

    kind: FindingKind
    text: str
    span: Span


@dataclass(frozen=True)
class DraftCitation:
    """A cited document, parsed into the registry's form."""

    citation: Citation
    span: Span

    @property
    def code(self) -> str:
        return self.citation.code

    @property
    def text(self) -> str:
        """The citation written the Party way, ready for the registry's parser."""
        return format_citation(self.citation)


@dataclass(frozen=True)
class DraftDirective:
    """One numbered request, with the number and ordinal as the article wrote them."""

    number: int
    marker: str
    text: str
    span: Span
    citations: tuple[DraftCitation, ...]
    due_on: date | None = None
    due_period_label: str | None = None
    title: str | None = None  # "Một là, <title>: <text>" when the request opens with a short heading


@dataclass
class DraftVisit:
    """What the parser found in an article, for a person to review before saving."""

    text: str
    source_kind: str = "text"
    title: Found[str] | None = None
    published_on: Found[date] | None = None
    visited_on: Found[date] | None = None
    day_part: Found[DayPart] | None = None
    inspecting_body: Found[str] | None = None
    inspected_unit: Found[str] | None = None
    subject: Found[str] | None = None
    period: DraftPeriod | None = None
    summary: Found[str] | None = None
    place: Found[str] | None = None  # where the meeting was held, when the lead says so
    head: DraftPerson | None = None
    members: list[DraftPerson] = field(default_factory=list)
    hosts: list[DraftPerson] = field(default_factory=list)
    findings: list[DraftFinding] = field(default_factory=list)
    directives: list[DraftDirective] = field(default_factory=list)
    citations: list[DraftCitation] = field(default_factory=list)
    author: Found[str] | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def people(self) -> list[DraftPerson]:
        """The head, the other members, then the hosts."""
        return ([self.head] if self.head else []) + self.members + self.hosts

    def excerpt(self, span: Span | None, limit: int = 200) -> str:
        """The source text under ``span``, shortened to ``limit`` characters."""
        if span is None:
            return ""
        text = " ".join(self.text[span[0] : span[1]].split())
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready picture of the draft; spans are [start, end] offsets into ``text``."""

        def found(item: Found[Any] | None) -> dict[str, Any] | None:
            if item is None:
                return None
            value = item.value
            value = value.isoformat() if isinstance(value, date) else str(value)
            return {"value": value, "span": _list(item.span)}

        def person(p: DraftPerson) -> dict[str, Any]:
            return {
                "name": p.name,
                "position": p.position,
                "party_titles": p.party_titles,
                "role": p.role.value,
                "span": _list(p.span),
                "name_span": _list(p.name_span),
            }

        def citation(c: DraftCitation) -> dict[str, Any]:
            return {
                "code": c.code,
                "text": c.text,
                "type_name": c.citation.type_name,
                "issued_on": _iso(c.citation.issued_on),
                "issuer_name": c.citation.issuer_name,
                "is_secret": c.citation.is_secret,
                "span": _list(c.span),
            }

        period = None
        if self.period:
            period = {
                "value": self.period.label,
                "start_on": _iso(self.period.start_on),
                "end_on": _iso(self.period.end_on),
                "span": _list(self.period.span),
            }
        return {
            "source_kind": self.source_kind,
            "title": found(self.title),
            "published_on": found(self.published_on),
            "visited_on": found(self.visited_on),
            "day_part": found(self.day_part),
            "inspecting_body": found(self.inspecting_body),
            "inspected_unit": found(self.inspected_unit),
            "subject": found(self.subject),
            "period": period,
            "summary": found(self.summary),
            "place": found(self.place),
            "head": person(self.head) if self.head else None,
            "members": [person(p) for p in self.members],
            "hosts": [person(p) for p in self.hosts],
            "findings": [
                {"kind": f.kind.value, "text": f.text, "span": _list(f.span)} for f in self.findings
            ],
            "directives": [
                {
                    "number": d.number,
                    "marker": d.marker,
                    "title": d.title,
                    "text": d.text,
                    "due_on": _iso(d.due_on),
                    "due_period_label": d.due_period_label,
                    "citations": [citation(c) for c in d.citations],
                    "span": _list(d.span),
                }
                for d in self.directives
            ],
            "citations": [citation(c) for c in self.citations],
            "author": found(self.author),
            "warnings": list(self.warnings),
            "text": self.text,
        }


def _list(span: Span | None) -> list[int] | None:
    return list(span) if span is not None else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- Public API -----------------------------------------------------------------------------


def parse_article(data: str | bytes, filename: str | None = None) -> DraftVisit:
    """Read an article (text, HTML or .docx bytes) into a draft visit; refuse what is not one."""
    text, kind, hints = read_article(data, filename)
    return _Parser(text, kind, hints).run()


def read_article(data: str | bytes, filename: str | None = None) -> tuple[str, str, dict[str, str]]:
    """Turn pasted text or a file's bytes into plain text; returns (text, kind, hints from markup)."""
    extension = (filename or "").rsplit(".", 1)[-1].lower() if filename and "." in filename else ""
    if filename and extension not in ACCEPTED_EXTENSIONS:
        raise ValidationFailed("Chỉ nhận tệp .txt, .html hoặc .docx (tệp đã chọn: %(name)s).", name=filename)
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise ValidationFailed(
                "Tệp quá lớn (%(size)s MB); bài viết chỉ được tối đa %(limit)s MB.",
                size=f"{len(data) / 1_048_576:.1f}".replace(".", ","),
                limit=MAX_BYTES // 1_048_576,
            )
        if not data.strip():
            raise ValidationFailed(_EMPTY)
        if data.startswith(b"PK\x03\x04"):
            if extension not in ("", "docx"):
                raise ValidationFailed(
                    "Nội dung tệp là tài liệu Word nhưng tệp có đuôi .%(ext)s.", ext=extension
                )
            return _read_docx(data), "docx", {}
        if extension == "docx":
            raise ValidationFailed("Tệp có đuôi .docx nhưng không phải tài liệu Word (.docx).")
        if data.startswith(b"%PDF"):
            raise ValidationFailed(
                "Chưa đọc được tệp PDF; hãy dán nội dung bài hoặc lưu thành .docx hay .txt."
            )
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise ValidationFailed("Tệp Word 97–2003 (.doc) chưa được hỗ trợ; hãy lưu lại thành .docx.")
        data = _decode(data)
    text = data or ""
    if len(text) > MAX_CHARS:
        raise ValidationFailed(
            "Bài viết quá dài (hơn %(limit)s ký tự).", limit=f"{MAX_CHARS:,}".replace(",", ".")
        )
    _refuse_binary(text)
    if not text.strip():
        raise ValidationFailed(_EMPTY)
    if extension in ("html", "htm") or _LOOKS_LIKE_HTML.search(text[:3000]):
        text, hints = _read_html(text)
        if not text.strip():
            raise ValidationFailed("Trang HTML không có nội dung bài viết.")
        return text, "html", hints
    return text, "text", {}


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


def _read_docx(data: bytes) -> str:
    """The paragraphs (and table cells) of a .docx in document order."""
    from docx import Document
    from docx.table import Table

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise ValidationFailed("Tệp nén không phải tài liệu Word (.docx).")
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ValidationFailed("Tệp .docx bị hỏng hoặc không phải tài liệu Word.") from None
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                blocks.extend(cell.text for cell in row.cells)
        else:
            blocks.append(item.text)
    return "\n\n".join(b.strip() for b in blocks if b.strip())


# --- HTML -----------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _phrases(text: str) -> frozenset[str]:
    return frozenset(text.split("|"))


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


# --- Normalised text with a map back to the shown text ----------------------------------------

_DELETED_CHARS = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
_CHAR_MAP = {
    **{ch: " " for ch in "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u3000\t\f\v"},
    "\u00d0": "Đ",
    "\u0189": "Đ",
    "\u00f0": "đ",
    "\u2013": "–",
    "\u2014": "–",
    "\u2012": "-",
    "\u2010": "-",
    "\u2011": "-",
    "\u201c": '"',
    "\u201d": '"',
    "\u2018": "'",
    "\u2019": "'",
}
_TRANSLATION = str.maketrans({**_CHAR_MAP, **dict.fromkeys(_DELETED_CHARS)})
_DELETED = re.compile("[" + "".join(sorted(_DELETED_CHARS)) + "]")
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def _tone_fixes() -> dict[str, str]:
    """Old tone placement ("uỷ", "hoà", "khoẻ") -> the placement used in names ("ủy", "hòa", "khỏe")."""
    fixes = {}
    for first, seconds in (("uU", "yY"), ("oO", "aAeE")):
        for a in first:
            for b in seconds:
                for mark in _TONE_MARKS:
                    old = a + unicodedata.normalize("NFC", b + mark)
                    new = unicodedata.normalize("NFC", a + mark) + b
                    fixes[old] = new
    return fixes


_TONE_FIXES = _tone_fixes()
_OLD_TONE = re.compile(
    "(?<![qQ])(?:" + "|".join(sorted(map(re.escape, _TONE_FIXES), key=len, reverse=True)) + r")(?![^\W\d_])"
)
_VOWELS = frozenset("aeiouy")


def _has_vowel(word: str) -> bool:
    return any(unicodedata.normalize("NFD", ch)[0].lower() in _VOWELS for ch in word)


class _Doc:
    """The text shown to the user (``source``) and the working copy the patterns read (``work``).

    ``work`` differs from ``source`` only by deleted characters and same-length replacements, so
    ``origin[i]`` is the position in ``source`` of ``work[i]``.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        if _DELETED.search(source):
            origin = [i for i, ch in enumerate(source) if ch not in _DELETED_CHARS]
        else:
            origin = list(range(len(source)))
        text = source.translate(_TRANSLATION)
        text = _OLD_TONE.sub(lambda m: _TONE_FIXES[m.group(0)], text)
        self.work, self.origin = _join_broken_lines(text, origin)
        self.origin.append(len(source))

    def span(self, start: int, end: int) -> Span:
        """The span of ``source`` under ``work[start:end]``."""
        if end <= start:
            return (self.origin[start], self.origin[start])
        return (self.origin[start], self.origin[end - 1] + 1)


def _join_broken_lines(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """Join a word broken by a line break ("T\\nham") and lines wrapped inside a sentence."""
    chars = list(text)
    deleted: set[int] = set()
    for match in re.finditer("\n", text):
        i = match.start()
        if i == 0 or i + 1 >= len(text) or text[i - 1] == "\n" or text[i + 1] == "\n":
            continue
        line_start = text.rfind("\n", 0, i) + 1
        previous = text[line_start:i].rstrip()
        following = text[i + 1 : (text.find("\n", i + 1) + 1 or len(text) + 1) - 1].lstrip()
        if not previous or not following:
            continue
        if following[0].isdigit() and re.search(r"\b(?:số|ngày|tháng|năm|quý|khóa|đợt|lần)$", previous, re.I):
            chars[i] = " "
            continue
        if not following[0].islower():
            continue
        last = re.search(r"[^\W\d_]+$", previous)
        first = re.match(r"[^\W\d_]+", following)
        touching = text[i - 1].isalpha() and text[i + 1].isalpha()
        if (
            touching
            and last
            and (len(previous) == 1 or not _has_vowel(last[0]) or (first and not _has_vowel(first[0])))
        ):
            deleted.add(i)
        elif previous[-1].isalnum() or previous[-1] in ",;–-(":
            chars[i] = " "
    if not deleted:
        return "".join(chars), origin
    kept = [j for j in range(len(chars)) if j not in deleted]
    return "".join(chars[j] for j in kept), [origin[j] for j in kept]


# --- Paragraphs -----------------------------------------------------------------------------


@dataclass
class _Para:
    start: int  # offsets in work
    end: int
    text: str
    kind: str = "body"  # body, boiler, caption, dateline, title, author


_BOILERPLATE_LINES = [
    r"^[\d\s.,|:/-]*$",  # counters alone ("722 0")
    r"lượt\s+(?:xem|tải|truy\s+cập|đọc|thích|chia\s+sẻ|bình\s+luận)",
    r"(?:đang\s+(?:truy\s+cập|online|trực\s+tuyến)|tổng\s+(?:lượt|số\s+lượt)|hôm\s+nay\s*:?\s*[\d.,]+|thống\s+kê\s+truy\s+cập)",
    r"tổng\s+số\s+điểm|xếp\s+hạng\s*:|phiếu\s+bầu|đánh\s+giá\s+bài\s+viết|bình\s+chọn|chấm\s+điểm",
    r"bấm\s+vào\s+đây|thời\s+gian\s+chờ|đăng\s+nhập|đăng\s+ký\s+nhận|quên\s+mật\s+khẩu",
    r"©|bản\s+quyền|copyright|chịu\s+trách\s+nhiệm\s+(?:chính|nội\s+dung)|giấy\s+phép\s+(?:số|xuất\s+bản|thiết\s+lập)"
    r"|ghi\s+rõ\s+nguồn|phát\s+hành\s+lại",
    r"^(?:địa\s+chỉ|điện\s+thoại|đt|email|e-mail|fax|hotline|website)\s*:",
    r"[»›«‹>]\s*\S.*[»›«‹>]|^\S[^.]{0,60}\s[»›]\s",  # breadcrumbs
    r"^(?:nguồn\s+)?ảnh\s*:|^\(ảnh\s*:",
    r"^(?:in\s+bài|in\s+trang|gửi\s+(?:bài|email|cho\s+bạn\s+bè)|lưu\s+tin|lưu\s+bài|quay\s+lại|về\s+đầu\s+trang"
    r"|trở\s+về|trang\s+chủ|chia\s+sẻ|chia\s+sẻ\s+bài\s+viết|facebook|zalo|twitter|fanpage|youtube|rss|sitemap"
    r"|liên\s+kết(?:\s+website)?|văn\s+bản\s+mới|thăm\s+dò\s+ý\s+kiến|tìm\s+kiếm|cỡ\s+chữ|font|aa|a\+|a-)\W*$",
]
_BOILERPLATE = re.compile("|".join(f"(?:{p})" for p in _BOILERPLATE_LINES), re.I)
# A line that starts the part of a page after the article: comments, related links, ratings.
_END_MARKER = re.compile(
    r"^(?:ý\s+kiến\s+(?:bạn\s+đọc|của\s+bạn)|bình\s+luận|gửi\s+(?:bình\s+luận|ý\s+kiến)|viết\s+bình\s+luận"
    r"|tin\s+liên\s+quan|tin\s+cùng\s+(?:chuyên\s+mục|loại)|các\s+tin\s+(?:khác|đã\s+đưa)|tin\s+khác"
    r"|bài\s+viết\s+(?:liên\s+quan|khác|cùng\s+chuyên\s+mục)|tin\s+mới(?:\s+nhất|\s+hơn)?|tin\s+cũ\s+hơn"
    r"|tin\s+(?:đọc\s+nhiều|nổi\s+bật|xem\s+nhiều)|đọc\s+(?:nhiều|thêm)|xem\s+thêm|từ\s+khóa|tags?|thẻ"
    r"|tổng\s+số\s+điểm|xếp\s+hạng|chia\s+sẻ|nơi\s+nhận)\b",
    re.I,
)
# The place-date line of an official document: "Lâm Đồng, ngày 02 tháng 8 năm 2023".
_WORDED_DATE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s*,?\s+năm\s+((?:19|20)\d{2})", re.I)
_PLACE_DATE_LINE = re.compile(rf"[^,.;:]{{2,40}},\s*{_WORDED_DATE.pattern}\s*\.?", re.I)
_FULL_DATE = re.compile(r"(?<![\d/])(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*((?:19|20)\d{2})(?![\d/])")
_ISO_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)")
_DATELINE_WORDS = re.compile(
    r"^(?:(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|chủ\s+nhật|cập\s+nhật|ngày\s+(?:đăng|cập\s+nhật|xuất\s+bản)"
    r"|đăng\s+(?:ngày|lúc)|ngày|gmt|giờ|lúc|\(gmt\+7\)|\+7|sáng|chiều|am|pm)\b|[\d\s:/.,|()\-–+]|lượt\s+xem)+",
    re.I,
)


def _is_dateline(text: str) -> bool:
    if _PLACE_DATE_LINE.fullmatch(text):
        return True
    if not (_FULL_DATE.search(text) or _ISO_DATE.search(text)) or len(text.split()) > 16:
        return False
    stripped = _DATELINE_WORDS.sub("", text)
    return len(stripped.split()) <= 6


# --- Vocabulary -----------------------------------------------------------------------------

_SURNAMES = _words(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Mạc Đinh Lâm Trịnh Đoàn "
    "Cao Lương Mai Tạ Hà Chu Thái Tô Tôn Quách La Lưu Kiều Đào Triệu Vương Văn Lục Nông Hứa Từ Châu "
    "Phùng Giang Diệp Khổng Đàm Tăng Lại Thân Tống Kim Lò Điểu Hầu Sùng Giàng Vàng Thào Lầu Mùa Ksor "
    "Siu Nay Rah Lăng Âu Ông Ninh Mẫn Nghiêm Cù Trương Đồng Doãn Hàn Khúc Khương Lạc Liêu Lã Lữ Mã "
    "Mông Quan Quản Tiêu Trình Trà Ứng Viên Vi Yên Bạch Biện Bế Cấn Chung Danh Đường Giáp Hồng Kha "
    "Mạch Nhữ Phí Sầm Tiết Tòng Vòng Xa Y H Rơ Kpă Đặng Âu Thạch Sơn Đới Ma Hoàng Lường Cầm Lộc Mạc "
    "Nguyên Tào Thiều Triệu Ưng Vy Hứa Dư Du Đậu"
)
# The words that open a position or title; a capitalised word that opens one ends a name before it.
_TITLE_START = re.compile(
    r"(?:Phó|Trưởng|Bí\s+thư|Chủ\s+(?:tịch|nhiệm)|Giám\s+đốc|Chánh|[ỦU][ỷy]\s+viên|(?:Tỉnh|Huyện|Thành|Quận|Thị|Đảng)"
    r"\s+[ủu][ỷy]\s+viên|Thường\s+trực|Thứ\s+trưởng|Bộ\s+trưởng|Tổng\s+(?:Bí|Biên|Giám|Thư|Cục)|Chuyên\s+viên"
    r"|Cán\s+bộ|Đại\s+(?:tá|úy|biểu|diện)|Thượng\s+(?:tá|úy|tướng)|Trung\s+(?:tá|úy|tướng)|Thiếu\s+(?:tá|úy|tướng)"
    r"|Tiến\s+sĩ|Thạc\s+sĩ|Hiệu\s+(?:trưởng|phó)|Viện\s+trưởng|Ban|Nguyên|Quyền|Thư\s+ký|Tổ\s+(?:trưởng|phó)"
    r"|Kế\s+toán|Phụ\s+trách|Thành\s+viên|Trợ\s+lý|Thẩm\s+phán|Kiểm\s+sát\s+viên|Giảng\s+viên|Bác\s+sĩ|Chỉ\s+huy"
    r"|Văn\s+phòng|Phòng|Sở|Bộ|Ủy\s+ban|Huyện\s+[ủu]|Tỉnh\s+[ủu]|Đảng\s+[ủu]|Đồng\s+chí)(?!\w)"
    r"|[A-ZĐƯ]{2,}(?!\w)"
)
# Historical figures and places whose first word is also a surname ("Thái Bình", "Lâm Đồng").
_NOT_NAMES = _phrases(
    "hồ chí minh|tôn đức thắng|võ nguyên giáp|trần phú|lê duẩn|thái bình|thái nguyên|lâm đồng|hà nội"
    "|hà tĩnh|hà giang|hà nam|cao bằng|đồng nai|đồng tháp|trà vinh|châu thành|châu đốc|đồng xoài"
    "|lạng sơn|kim bôi|đồng hới|hồng ngự|quan sơn|mai sơn|đồng hỷ|cao lãnh|đồng văn|văn lâm|văn giang"
    "|hà đông|mê linh|lâm hà|vĩnh long|tô hiệu|lê lợi|trần hưng đạo|nguyễn huệ|quang trung"
)
_HONORIFIC = r"(?:đồng\s+chí|đ/c|đ\.c|ông|bà)"
_PARTY_TITLE = re.compile(
    r"(?:TUV|HUV|ThUV|QUV|ĐUV|UVTV|TVTU|TVHU|UVBTV(?:TU|HU)?|BTVTU|BTVHU|UVTW|UVTƯ|UVBCH\w*|ĐBQH"
    r"|(?:Tỉnh|Huyện|Thành|Quận|Thị|Đảng)\s+ủy\s+viên"
    r"|Ủy\s+viên\s+(?:Ban\s+Thường\s+vụ|BTV|Trung\s+ương(?:\s+Đảng)?|Ban\s+Chấp\s+hành|BCH|Bộ\s+Chính\s+trị)"
    r"(?:\s+[^,;]{0,60})?"
    r"|Đại\s+biểu\s+Quốc\s+hội(?:\s+[^,;]{0,40})?)",
    re.I,
)
_ROLE_MARKERS: list[tuple[DelegationRole, re.Pattern[str]]] = [
    (
        role,
        re.compile(
            r"(?:\s*[-–,]\s*|\s+)?(?:(?:làm|là)\s+)?"
            + pattern
            + r"(?:\s+(?:kiểm\s+tra|công\s+tác|giám\s+sát))?"
            r"(?!\s+(?:đại\s+biểu|ĐBQH|thanh\s+niên))",
            re.I,
        ),
    )
    for role, pattern in (
        (DelegationRole.DEPUTY_HEAD, r"phó\s+trưởng\s+đoàn"),
        (DelegationRole.HEAD, r"(?<!phó\s)trưởng\s+đoàn"),
        (DelegationRole.SECRETARY, r"thư\s+ký\s+(?:của\s+)?đoàn"),
        (DelegationRole.MEMBER, r"(?:thành\s+viên|tổ\s+viên)\s+(?:của\s+)?đoàn"),
    )
]
# Words after which a position has ended ("... Bí thư Huyện ủy phát biểu").
_POSITION_STOP = re.compile(
    r"\s+(?:phát\s+biểu|cho\s+biết|báo\s+cáo|trao\s+đổi|(?:đồng\s+)?chủ\s+trì|làm\s+việc|tham\s+dự|dự\s+(?:buổi|hội)"
    r"|kết\s+luận|nhấn\s+mạnh|đề\s+nghị|yêu\s+cầu|chỉ\s+đạo|đánh\s+giá|ghi\s+nhận|khẳng\s+định|tiếp\s+thu"
    r"|cảm\s+ơn|chúc\s+mừng|trao\s+(?:quà|tặng)|tặng|thăm|đã|sẽ|đang|tại\s+buổi|tại\s+hội|thay\s+mặt|chia\s+sẻ"
    r"|mong\s+muốn|lưu\s+ý|quán\s+triệt|giải\s+trình|thông\s+tin|dẫn\s+đầu|cùng\s+(?:với\s+)?(?:các|lãnh|đại)"
    r"|và\s+(?=(?:các|lãnh\s+đạo|đại\s+diện|chuyên\s+viên|cán\s+bộ|thành\s+viên|một\s+số|những|đông)\b))"
    r"|\s*[;:.!?](?:\s|$)|\s*\n|\s*\((?:[Ảả]nh|giữa|trái|phải|thứ)",
)
_DAY_PARTS = {
    "sáng": DayPart.MORNING,
    "trưa": DayPart.MORNING,
    "chiều": DayPart.AFTERNOON,
    "tối": DayPart.EVENING,
}


def _la_words() -> dict[str, int]:
    words = {number_words(n): n for n in range(1, 31)}
    words.update({"mười năm": 15, "hai mươi một": 21, "hai mươi bốn": 24, "mười tư": 14, "ba mươi mốt": 31})
    return words


_LA_WORDS = _la_words()
_THU_WORDS = {("nhất" if n == 1 else "tư" if n == 4 else number_words(n)): n for n in range(1, 21)}
_THU_WORDS.update({"bốn": 4, "mười tư": 14})
_LETTERS = "abcdđeghiklmnopqrstuvxy"


def _alternation(words: dict[str, int]) -> str:
    return "|".join(r"\s+".join(w.split()) for w in sorted(words, key=len, reverse=True))


_MARKERS: dict[str, re.Pattern[str]] = {
    "la": re.compile(rf"(?P<word>{_alternation(_LA_WORDS)})\s+là(?=[\s,:.;–-])\s*[,:.;–-]?\s*", re.I),
    "thu": re.compile(
        rf"thứ\s+(?P<word>{_alternation(_THU_WORDS)})(?:\s+là)?\s*[,:.–-]\s*(?![\d(]|ngày)", re.I
    ),
    "paren": re.compile(r"\(\s*(?P<n>\d{1,2})\s*\)\s*(?=\S)"),
    "sub": re.compile(r"(?P<parent>\d{1,2})\.(?P<n>\d{1,2})\.?\s+(?=[^\W\d_])"),
    "digit": re.compile(rf"(?P<n>\d{{1,2}})(?:\s*[.)]\s+(?=[^\W\d_\s])|[/-]\s+(?={UPPER}))"),  # 1. 1) 1/ 1-
    "letter": re.compile(rf"(?P<l>[{_LETTERS}])\s*[)/]\s*(?=[^\W\d_])"),
    "roman": re.compile(r"(?P<r>[IVX]{1,5})\s*[.–-]\s+(?=[^\W\d_])"),
    "dash": re.compile(r"[-–•+*]\s+(?=\S)"),
}
_STYLE_BONUS = {"la": 3, "thu": 1, "paren": 1, "sub": 1, "digit": 0, "letter": 0, "roman": -2, "dash": -1}
_INLINE_STYLES = ("la", "thu", "paren")
_INLINE_STOP = re.compile(r"[.:;]\s*")  # an enumeration inside a paragraph follows a stop

_REQUEST_CUE = re.compile(
    r"đề\s+nghị|yêu\s+cầu|nhiệm\s+vụ|giải\s+pháp|lưu\s+ý|chỉ\s+đạo|mong\s+muốn|tập\s+trung|thời\s+gian\s+tới"
    r"|kiến\s+nghị|phương\s+hướng|cần\s+(?:phải\s+)?(?:tiếp\s+tục|thực\s+hiện|quan\s+tâm|chú\s+trọng|làm\s+tốt)"
    r"|sau\s+đây|nội\s+dung\s+sau|việc\s+sau|vấn\s+đề\s+sau|trọng\s+tâm|khắc\s+phục|quán\s+triệt|nhắc\s+nhở",
    re.I,
)
_LESSON_CUE = re.compile(
    r"bài\s+học|kinh\s+nghiệm|nguyên\s+nhân|kết\s+quả\s+(?:đạt\s+được|nổi\s+bật|quan\s+trọng)|ưu\s+điểm"
    r"|hạn\s+chế|khuyết\s+điểm|tồn\s+tại|khó\s+khăn|thành\s+tựu|ghi\s+nhận|đạt\s+được|lý\s+do",
    re.I,
)
_SECTION_HEADER = re.compile(
    r"^(?:ưu\s+điểm|(?:những\s+)?kết\s+quả(?:\s+đạt\s+được)?|mặt\s+(?:được|làm\s+được)|hạn\s+chế|khuyết\s+điểm"
    r"|tồn\s+tại|khó\s+khăn|vướng\s+mắc|nguyên\s+nhân|bài\s+học(?:\s+kinh\s+nghiệm)?)\b",
    re.I,
)
_INLINE_HEADER = re.compile(
    r"(?:\d+[.)]\s*|[a-zđ]\)\s*|[-•+]\s*)?(?P<header>(?:về\s+)?(?:ưu\s+điểm|kết\s+quả(?:\s+đạt\s+được)?|hạn\s+chế"
    r"(?:,\s*khuyết\s+điểm)?|khuyết\s+điểm|tồn\s+tại|khó\s+khăn(?:,\s*vướng\s+mắc)?|nguyên\s+nhân))\s*:\s*",
    re.I,
)
_IMPERATIVES = _phrases(
    "tiếp tục|tăng cường|đẩy mạnh|nâng cao|tập trung|chú trọng|quan tâm|thực hiện|tổ chức|làm tốt"
    "|rà soát|kiện toàn|xây dựng|chỉ đạo|phát huy|đổi mới|bám sát|nắm chắc|triển khai|thường xuyên"
    "|khẩn trương|sớm|chủ động|đẩy nhanh|phối hợp|lãnh đạo|quán triệt|tuyên truyền|đôn đốc|kiểm tra"
    "|thành lập|củng cố|hoàn thiện|bổ sung|khắc phục|đảm bảo|bảo đảm|nghiên cứu|tham mưu|ban hành|cần"
    "|phải|duy trì|ưu tiên|huy động|cải thiện|giữ vững|phấn đấu|tạo|làm|gắn|đưa|xử lý|giải quyết"
    "|nắm bắt|theo dõi|rà|hướng dẫn|cập nhật|lựa chọn|đề cao|coi trọng|siết chặt|nâng|mở rộng"
    "|đa dạng hóa|số hóa|ứng dụng|vận động|chăm lo|giữ|xác định|thống nhất|tiếp tục thực hiện"
    "|quyết liệt|kịp thời|định kỳ|nhân rộng|biểu dương|nghiêm túc|sửa đổi|báo cáo|kiểm điểm|rút kinh nghiệm"
    "|chấn chỉnh|xem xét|giao|hoàn thành|đề xuất|tăng|thu hồi|bố trí|bồi dưỡng|đào tạo|phát triển"
)

_LIMITATION_CUE = re.compile(
    r"hạn\s+chế|khuyết\s+điểm|tồn\s+tại|yếu\s+kém|bất\s+cập|thiếu\s+sót|sai\s+sót|sai\s+phạm|\bchưa\b"
    r"|(?:có|đã|để\s+xảy\s+ra|còn|nhiều)\s+(?:\w+\s+)?vi\s+phạm"
    r"|còn\s+(?:chậm|thấp|ít|yếu|thiếu|nặng|lúng\s+túng|hình\s+thức|dàn\s+trải|chung\s+chung|mỏng|hạn\s+chế"
    r"|bất\s+cập|nể\s+nang|sơ\s+sài|đơn\s+điệu|manh\s+mún|xảy\s+ra)|lúng\s+túng"
    r"|chậm\s+(?:trễ|được)",
    re.I,
)
_DIFFICULTY_CUE = re.compile(
    r"khó\s+khăn|vướng\s+mắc|thách\s+thức|phức\s+tạp|dịch\s+bệnh|thiên\s+tai|bão\s+lũ|hạn\s+hán|biến\s+đổi\s+khí"
    r"|thiếu\s+(?:kinh\s+phí|nguồn\s+lực|biên\s+chế|nhân\s+lực|cán\s+bộ)|địa\s+bàn\s+rộng",
    re.I,
)
_ACHIEVEMENT_CUE = re.compile(
    r"đạt\s+được|\bđạt\b|ghi\s+nhận|đánh\s+giá\s+cao|biểu\s+dương|\btốt\b|hiệu\s+quả|nổi\s+bật|ưu\s+điểm"
    r"|sáng\s+tạo|tích\s+cực|chuyển\s+biến|hoàn\s+thành|\bvượt\b|kịp\s+thời|nghiêm\s+túc|chặt\s+chẽ"
    r"|đúng\s+quy\s+định|bài\s+bản|đồng\s+bộ|thành\s+công|xuất\s+sắc|quyết\s+liệt|sâu\s+rộng|thiết\s+thực"
    r"|khởi\s+sắc|cơ\s+bản\s+tốt|phát\s+huy|thành\s+tích|đổi\s+mới|\bnghiêm\b|đoàn\s+kết|thống\s+nhất\s+cao"
    r"|nền\s+nếp|nề\s+nếp|khen\s+thưởng|điển\s+hình|đầy\s+đủ|đúng\s+tiến\s+độ|vững\s+mạnh|ổn\s+định",
    re.I,
)
_REMEDY = re.compile(
    r"(?:khắc\s+phục|sửa\s+chữa|chấn\s+chỉnh|giải\s+quyết|vượt\s+qua)(?:\s+(?:những|các|một\s+số|có\s+hiệu\s+quả))*"
    r"\s+(?:hạn\s+chế|khuyết\s+điểm|tồn\s+tại|khó\s+khăn|vướng\s+mắc|thiếu\s+sót)(?:,\s*(?:hạn\s+chế|khuyết\s+điểm|tồn\s+tại|khó\s+khăn|vướng\s+mắc|thiếu\s+sót))*",
    re.I,
)
_CAUSE_START = re.compile(r"^(?:về\s+)?nguyên\s+nhân\b|\bnguyên\s+nhân\s+(?:của|là|do|chủ\s+yếu)", re.I)
_CONCESSIVE_LEAD = re.compile(
    r"^(?:tuy\s+nhiên|tuy\s+vậy|bên\s+cạnh\s+(?:đó|(?:những|các)?\s*(?:kết\s+quả|mặt|ưu\s+điểm)[^,]{0,40})|mặt\s+khác"
    r"|ngoài\s+ra|song|nhưng)\s*,?\s*",
    re.I,
)
_CONCESSIVE_SPLIT = re.compile(
    r"^(?:tuy|mặc\s+dù|dù|dẫu|tuy\s+rằng)\s+(?P<a>.+?),?\s+(?:nhưng|song)\s+(?P<b>.+)$", re.I
)
_CAPTION_START = re.compile(
    r"^(?:toàn\s+cảnh|quang\s+cảnh|các\s+đại\s+biểu|đại\s+biểu|đoàn\s+(?:kiểm\s+tra|công\s+tác|giám\s+sát)"
    r"|lãnh\s+đạo|buổi\s+làm\s+việc|hình\s+ảnh|ảnh|cảnh|một\s+góc|không\s+khí)\b",
    re.I,
)
_CAPTION_VERB = re.compile(
    r"phát\s+biểu|trao\s+đổi|chủ\s+trì|báo\s+cáo|kết\s+luận|chỉ\s+đạo|tặng|\btrao\b|thăm|làm\s+việc|tham\s+quan"
    r"|kiểm\s+tra|\bdự\b|chúc\s+mừng|\btiếp\b|giải\s+trình|thông\s+qua",
    re.I,
)
_AUTHOR_LINE = re.compile(
    r"^(?:tác\s+giả(?:\s+bài\s+viết)?|người\s+viết|bài(?:\s+và|\s*,)?\s+ảnh|tin(?:\s+và|\s*,)?\s+ảnh|tin\s+bài"
    r"|phóng\s+viên|nhóm\s+(?:pv|phóng\s+viên)|người\s+đưa\s+tin|cộng\s+tác\s+viên|ctv|bài|tin)\s*:\s*"
    r"(?P<name>\S.{0,80}?)\s*\.?$",
    re.I,
)


# --- The parser -----------------------------------------------------------------------------


@dataclass
class _List:
    style: str
    markers: list[tuple[int, int, int, int, str]]  # (paragraph, start, text start, number, marker text)
    score: float = 0.0
    intro: str = ""
    intro_para: int | None = None


class _Parser:
    """One article's parse; ``run`` returns the draft."""

    def __init__(self, text: str, kind: str, hints: dict[str, str]) -> None:
        source = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
        source = source.replace("\u2028", "\n").replace("\u2029", "\n\n").strip()
        self.doc = _Doc(source)
        self.work = self.doc.work
        self.hints = hints
        self.draft = DraftVisit(text=source, source_kind=kind)
        self.paras = self._paragraphs()
        self.lead: int | None = None
        self.body_end = len(self.paras)
        self.body_start = 0

    # -- driver ----------------------------------------------------------------------------

    def run(self) -> DraftVisit:
        _refuse_foreign(self.work)
        self._classify_paragraphs()
        self._find_lead_and_end()
        self._find_title()
        self._find_dateline()
        self._find_author()
        if self.lead is None or not _INSPECTION.search(self.work):
            raise ValidationFailed(_NOT_AN_INSPECTION)
        self._read_lead()
        self._find_people()
        if not (self.draft.head or self.draft.inspecting_body or _DELEGATION.search(self.work)):
            raise ValidationFailed(_NOT_AN_INSPECTION)
        lists = self._find_lists()
        chosen = self._choose_list(lists)
        self._read_directives(chosen, lists)
        self._read_findings(chosen, lists)
        self._read_citations()
        self._final_warnings()
        return self.draft

    # -- spans and small helpers ------------------------------------------------------------

    def found(self, value: T, start: int, end: int) -> Found[T]:
        if type(value) is str:  # not the StrEnum day parts
            value = " ".join(value.split())  # type: ignore[assignment]
        return Found(value, self.doc.span(start, end))

    def body(self) -> list[int]:
        """Indexes of the body paragraphs, from the lead to the end of the article."""
        start = self.lead if self.lead is not None else self.body_start
        return [i for i in range(start, self.body_end) if self.paras[i].kind == "body"]

    def warn(self, message: str, **params: object) -> None:
        params = {k: " ".join(v.split()) if type(v) is str else v for k, v in params.items()}
        text = message % params if params else message
        if text not in self.draft.warnings:
            self.draft.warnings.append(text)

    # -- paragraphs -------------------------------------------------------------------------

    def _paragraphs(self) -> list[_Para]:
        paras = []
        pos = 0
        for line in self.work.split("\n"):
            start, end = pos, pos + len(line)
            pos = end + 1
            stripped = line.strip()
            if not stripped:
                continue
            start += len(line) - len(line.lstrip())
            end = start + len(stripped)
            # The text keeps its own spacing, so offsets found in it hold in the working text.
            paras.append(_Para(start, end, stripped))
        return paras

    def _classify_paragraphs(self) -> None:
        for para in self.paras:
            text = para.text
            if _is_dateline(text):
                para.kind = "dateline"
            elif _END_MARKER.match(text) and len(text.split()) <= 8:
                para.kind = "end"
            elif _BOILERPLATE.search(text) and (len(text.split()) <= 25 or _BOILERPLATE.match(text)):
                para.kind = "boiler"
            elif self._is_caption(text):
                para.kind = "caption"

    def _is_caption(self, text: str) -> bool:
        words = text.split()
        if len(words) > 35 or text.endswith(":") or _first_marker(text) is not None:
            return False
        if re.search(
            r"\b(?:do|dẫn\s+đầu)\b.*trưởng\s+đoàn|(?<![\d/])\d{1,2}\s*[/-]\s*\d{1,2}(?![\d/])", text, re.I
        ):
            return False
        if re.search(r"\((?:ảnh|nguồn)\s*:[^)]*\)\s*\.?$|\bảnh\s*:\s*\S+(?:\s+\S+){0,4}\s*\.?$", text, re.I):
            return True
        if re.search(rf"[.!?]\s+{UPPER}", text) or re.search(r"đề\s+nghị|yêu\s+cầu|như\s+sau", text, re.I):
            return False
        if (
            _CAPTION_START.match(text)
            and len(words) <= 20
            and not re.search(r"\bdo\b.+trưởng\s+đoàn", text, re.I)
        ):
            return not re.search(r"\d{1,2}\s*[/-]\s*\d{1,2}", text)
        honorific = re.match(rf"{_HONORIFIC}\s+(?P<rest>.+)", text, re.I)
        if honorific:
            rest = honorific["rest"]
            name = _leading_name(rest) or (_name_after_title(rest) if _TITLED_NAME.match(rest) else None)
        else:
            titled = _TITLED_NAME.match(text)
            name = _name_after_title(text) if titled else None
        return bool(name and _CAPTION_VERB.search(text))

    def _find_lead_and_end(self) -> None:
        for i, para in enumerate(self.paras):
            if para.kind != "body" or len(para.text.split()) < 12:
                continue
            if not re.search(r"[.!?…:\"')]$|[.!?]\s", para.text) and len(para.text.split()) < 40:
                continue  # a headline, not the lead
            if _DELEGATION.search(para.text) or (
                _VISIT_DATE.search(para.text) and _INSPECTION.search(para.text)
            ):
                self.lead = i
                break
        if self.lead is None:
            return
        for i in range(self.lead + 1, len(self.paras)):
            para = self.paras[i]
            if para.kind == "end" or _AUTHOR_LINE.match(para.text):
                self.body_end = i
                return

    def _find_title(self) -> None:
        h1 = self.hints.get("h1") or self.hints.get("og:title")
        if h1:
            position = self.work.find(" ".join(h1.split()))
            if position >= 0:
                end = position + len(" ".join(h1.split()))
                self.draft.title = self.found(_clean_title(h1), position, end)
                for para in self.paras:
                    if para.start <= position < para.end:
                        para.kind = "title"
                return
        candidates = []
        for i in range(self.lead if self.lead is not None else min(len(self.paras), 12)):
            para = self.paras[i]
            words = para.text.split()
            if para.kind not in ("body", "caption") or not 4 <= len(words) <= 45:
                continue
            if para.text.endswith((".", ":", ";")):
                continue
            candidates.append((len(words), i))
        if candidates:
            _, index = max(candidates)
            para = self.paras[index]
            para.kind = "title"
            for other in self.paras[:index]:
                if other.kind == "body":
                    other.kind = "boiler"  # menus above the headline
            self.draft.title = self.found(_clean_title(para.text), para.start, para.end)
            self.body_start = index + 1
        elif self.hints.get("title"):
            self.draft.title = Found(_clean_title(self.hints["title"]), None)

    def _find_dateline(self) -> None:
        limit = self.lead if self.lead is not None else len(self.paras)
        order = list(range(limit)) + list(range(self.body_end, len(self.paras)))
        for i in order:
            para = self.paras[i]
            if para.kind != "dateline":
                continue
            day = _date_in(para.text)
            if day:
                self.draft.published_on = self.found(day, para.start, para.end)
                return
        match = _ISO_DATE.search(self.hints.get("published", ""))
        day = _safe_date(*map(int, match.groups())) if match else None
        if day:
            self.draft.published_on = Found(day, None)

    def _find_author(self) -> None:
        explicit = [i for i, p in enumerate(self.paras) if _AUTHOR_LINE.match(p.text) and p.kind != "end"]
        if explicit:
            para = self.paras[explicit[0]]
            match = _AUTHOR_LINE.match(para.text)
            assert match is not None
            start = para.start + match.start("name")
            self.draft.author = self.found(
                match["name"].strip(" ."), start, start + len(match["name"].strip(" ."))
            )
            para.kind = "author"
            return
        if self.lead is None:
            return
        for i in range(self.body_end - 1, self.lead, -1):
            para = self.paras[i]
            if para.kind in ("boiler", "dateline"):
                continue
            if para.kind == "body" and _looks_like_byline(para.text):
                name = para.text.rstrip(" .")
                self.draft.author = self.found(name, para.start, para.start + len(name))
                para.kind = "author"
                self.body_end = i
            return

    # -- lead: date, bodies, subject, period -------------------------------------------------

    def _read_lead(self) -> None:
        assert self.lead is not None
        lead = self.paras[self.lead]
        self.draft.summary = self.found(lead.text, lead.start, lead.end)
        first_sentence_end = _sentence_end(self.work, lead.start, lead.end)
        self._read_visit_date()
        self._read_bodies(lead.start, first_sentence_end)
        self._read_subject_and_period(lead.start, first_sentence_end)

    def _read_visit_date(self) -> None:
        assert self.lead is not None
        places = [self.paras[i] for i in self.body()[:3]]
        if self.draft.title and self.draft.title.span:
            places.append(next(p for p in self.paras if p.kind == "title"))
        for para in places:
            for match in _VISIT_DATE.finditer(self.work, para.start, para.end):
                if _inside_citation(self.work, match.start()):
                    continue
                if not (
                    match["part"]
                    or match["ngay"]
                    or match["paren"]
                    or _at_clause_start(self.work, match.start())
                ):
                    continue
                self._set_visit_date(match)
                return
        self.warn("Không thấy ngày kiểm tra trong bài; hãy nhập ngày.")

    def _set_visit_date(self, match: re.Match[str]) -> None:
        day = int(match["d"] or match["dw"])
        month = int(match["m"] or match["mw"])
        written_year = match["y"] or match["yw"]
        year = int(written_year) if written_year else None
        published = self.draft.published_on.value if self.draft.published_on else None
        if year is None:
            if published:
                year = published.year
                if _safe_date(year, month, day) and _safe_date(year, month, day) > published + timedelta(
                    days=7
                ):
                    year -= 1
                self.warn(
                    "Bài chỉ ghi ngày «%(day)s»; năm %(year)s lấy theo ngày đăng bài %(published)s.",
                    day=match.group("date").strip(),
                    year=year,
                    published=published.strftime("%d/%m/%Y"),
                )
            else:
                years = [int(y) for y in re.findall(r"năm\s+((?:19|20)\d{2})", self.work)]
                if not years:
                    self.warn("Bài không ghi năm của ngày kiểm tra và không có ngày đăng bài; hãy nhập ngày.")
                    return
                year = years[0]
                self.warn("Bài không ghi năm của ngày kiểm tra; năm %(year)s lấy từ nội dung bài.", year=year)
        visited = _safe_date(year, month, day)
        if visited is None:
            self.warn("Ngày kiểm tra «%(day)s» không có trên lịch.", day=match.group("date").strip())
            return
        self.draft.visited_on = self.found(visited, match.start("date"), match.end("date"))
        if match["first"]:
            self.warn("Đợt kiểm tra kéo dài nhiều ngày; lấy ngày đầu tiên.")
            first = _safe_date(year, month, int(match["first"]))
            if first and first < visited:
                self.draft.visited_on = self.found(first, match.start("date"), match.end("date"))
        part = next((w for w in (match["part"] or "").lower().split() if w in _DAY_PARTS), None)
        if part:
            self.draft.day_part = self.found(_DAY_PARTS[part], match.start("part"), match.end("part"))

    def _read_bodies(self, start: int, end: int) -> None:
        work = self.work
        match = _INSPECTING_BODY.search(work, start, end)
        if match is None:
            for clause in re.finditer(r"(?:^|[,:]\s+|\s[-–]\s+)", work[start:end]):
                match = _BODY_IN_TITLE.match(work, start + clause.end(), end)
                if match and not _VISIT_DATE.match(match["org"]):
                    break
                match = None
        if match is None and self.draft.title and self.draft.title.span:
            title = next(p for p in self.paras if p.kind == "title")
            match = _BODY_IN_TITLE.match(work, title.start, title.end)
        if match:
            org_start, org_end = _org_extent(work, match.start("org"), match.end("org"))
            self.draft.inspecting_body = self.found(work[org_start:org_end], org_start, org_end)
        places = [(start, end)]
        if self.draft.title and self.draft.title.span:
            title = next(p for p in self.paras if p.kind == "title")
            places.append((title.start, title.end))
        body_key = search_key(self.draft.inspecting_body.value) if self.draft.inspecting_body else None
        for place_start, place_end in places:
            delegation = _DELEGATION.search(work, place_start, place_end)
            candidates = []
            for unit in _INSPECTED_UNIT.finditer(work, place_start, place_end):
                org_start, org_end = _org_extent(work, unit.start("org"), min(unit.end("org"), place_end))
                text = work[org_start:org_end]
                if len(text.split()) < 2 or search_key(text) == body_key:
                    continue
                score = _unit_score(
                    work, unit, place_start, delegation.start() if delegation else place_start
                )
                candidates.append((score, -org_start, org_start, org_end))
            if not candidates:
                continue
            score, _, org_start, org_end = max(candidates)
            if score == 0 and self.draft.place is None:
                self.draft.place = self.found(work[org_start:org_end], org_start, org_end)
                continue  # where the meeting was held, not who was inspected
            self.draft.inspected_unit = self.found(work[org_start:org_end], org_start, org_end)
            places_only = [c for c in candidates if c[0] == 0 and c[2] < org_start]
            if places_only and self.draft.place is None:
                _, _, place_s, place_e = places_only[0]
                self.draft.place = self.found(work[place_s:place_e], place_s, place_e)
            return
        self.warn("Không thấy đơn vị được kiểm tra trong bài; hãy chọn đơn vị.")

    def _read_subject_and_period(self, start: int, end: int) -> None:
        places = [(start, end)]
        if self.draft.title and self.draft.title.span:
            title = next(p for p in self.paras if p.kind == "title")
            places.append((title.start, title.end))
        for place_start, place_end in places:
            match = _SUBJECT.search(self.work, place_start, place_end)
            if match:
                s, e = match.start("subject"), _subject_end(self.work, match.start("subject"), place_end)
                text = self.work[s:e].strip(" ,;")
                if 1 < len(text.split()) <= 20:
                    self.draft.subject = self.found(text, s, s + len(text))
                    break
        for place_start, place_end in places if self.draft.subject is None else []:
            # Any other object of "kiểm tra": "kiểm tra khi có dấu hiệu vi phạm", "kiểm tra tổ chức đảng …".
            for match in _ANY_SUBJECT.finditer(self.work, place_start, place_end):
                s, e = match.start("subject"), _subject_end(self.work, match.start("subject"), place_end)
                text = self.work[s:e].strip(" ,;")
                if not 1 < len(text.split()) <= 14:
                    continue
                if text.startswith("khi "):
                    s = match.start("verb")
                    text = self.work[s:e].strip(" ,;")
                self.draft.subject = self.found(text, s, s + len(text))
                break
            if self.draft.subject is not None:
                break
        if self.draft.subject is None:
            self.warn("Không thấy nội dung kiểm tra (công tác…); hãy nhập.")
        for place_start, place_end in places + [
            (self.paras[i].start, self.paras[i].end) for i in self.body()[:3]
        ]:
            after = (
                self.draft.subject.span[0] if self.draft.subject and self.draft.subject.span else place_start
            )
            candidates = [
                m
                for m in _PERIOD.finditer(self.work, place_start, place_end)
                if not _DATE_BEFORE_YEAR.search(self.work, max(0, m.start() - 14), m.start())
            ]
            candidates.sort(key=lambda m: (m.start() < after - place_start + place_start, m.start()))
            if candidates:
                self._set_period(candidates[0])
                return

    def _set_period(self, match: re.Match[str]) -> None:
        label = " ".join(match.group(0).split())
        year = int(match["y"]) if match["y"] else None
        if year is None and self.draft.visited_on:
            year = self.draft.visited_on.value.year
        start_on, end_on = _period_dates(match, year)
        self.draft.period = DraftPeriod(label, start_on, end_on, self.doc.span(match.start(), match.end()))

    # -- people -----------------------------------------------------------------------------

    def _find_people(self) -> None:
        people: dict[str, tuple[int, DraftPerson]] = {}  # name key -> (priority, person)
        order: list[str] = []

        def add(person: DraftPerson | None, priority: int) -> None:
            if person is None:
                return
            key = search_key(person.name)
            if key in people:
                old_priority, old = people[key]
                position = old.position or person.position
                titles = old.party_titles or person.party_titles
                role = old.role if old_priority >= priority else person.role
                people[key] = (max(old_priority, priority), _replace_person(old, role, position, titles))
                return
            people[key] = (priority, person)
            order.append(key)

        paragraphs = [i for i in range(len(self.paras)) if self.paras[i].kind in ("body", "caption", "title")]
        paragraphs = [i for i in paragraphs if (self.lead or 0) <= i < self.body_end]
        head = self._find_head(paragraphs)
        add(head, 3)
        for person in self._find_hosts(paragraphs):
            add(person, 2)
        for person in self._find_member_lists(paragraphs):
            add(person, 2)
        unplaced: list[DraftPerson] = []
        for person in self._find_participants(paragraphs):
            placed = person if person.role in INSPECTING_ROLES else self._place_by_position(person)
            if placed is None:
                unplaced.append(person)
            else:
                add(placed, 2)
        for i in paragraphs:
            for person in self._mentions(self.paras[i]):
                key = search_key(person.name)
                if key in people:
                    add(person, 0)
                    continue
                placed = self._place(person)
                if placed is None:
                    unplaced.append(person)
                else:
                    add(placed, 1)
        for key in order:
            person = people[key][1]
            if person.role is DelegationRole.HEAD:
                self.draft.head = person
            elif person.role in (DelegationRole.HOST_CHAIR, DelegationRole.HOST_PARTICIPANT):
                self.draft.hosts.append(person)
            else:
                self.draft.members.append(person)
        if self.draft.hosts and not any(h.role is DelegationRole.HOST_CHAIR for h in self.draft.hosts):
            first = self.draft.hosts[0]
            self.draft.hosts[0] = _replace_person(
                first, DelegationRole.HOST_CHAIR, first.position, first.party_titles
            )
        if self.draft.head is None:
            self.warn("Không thấy Trưởng đoàn trong bài; hãy nhập.")
        for person in unplaced:
            if search_key(person.name) not in people:
                self.warn(
                    "Chưa xếp được %(name)s (%(position)s) vào đoàn kiểm tra hay phía đơn vị; "
                    "thêm tay nếu cần.",
                    name=person.name,
                    position=person.position or "không rõ chức vụ",
                )

    def _find_head(self, paragraphs: list[int]) -> DraftPerson | None:
        work = self.work
        ordered = [i for i in paragraphs if self.paras[i].kind == "body"] + [
            i for i in paragraphs if self.paras[i].kind == "caption"
        ]
        for i in ordered:
            para = self.paras[i]
            for match in _HEAD_AFTER.finditer(work, para.start, para.end):
                window_start = max(para.start, match.start() - 320)
                dos = list(re.finditer(r"\bdo\b", work[window_start : match.start()], re.I))
                if not dos:
                    continue
                start = window_start + dos[-1].end()
                person = _parse_person(self.doc, start, match.start(), DelegationRole.HEAD)
                if person:
                    return person
            for match in _HEAD_BEFORE.finditer(work, para.start, para.end):
                end = _phrase_end(work, match.end(), para.end)
                person = _parse_person(self.doc, match.end(), end, DelegationRole.HEAD)
                if person:
                    return person
        for i in ordered:
            for person in self._mentions(self.paras[i]):
                if person.role is DelegationRole.HEAD:
                    return person
        return None

    def _find_hosts(self, paragraphs: list[int]) -> list[DraftPerson]:
        hosts: list[DraftPerson] = []
        for i in paragraphs:
            para = self.paras[i]
            if para.kind != "body":
                continue
            for match in _HOST_LINE.finditer(self.work, para.start, para.end):
                end = _sentence_end(self.work, match.end(), para.end)
                for person in _people_in_list(self.doc, match.end(), end, DelegationRole.HOST_PARTICIPANT):
                    if person.role in (DelegationRole.HOST_PARTICIPANT, DelegationRole.HOST_CHAIR):
                        role = DelegationRole.HOST_CHAIR if not hosts else DelegationRole.HOST_PARTICIPANT
                        hosts.append(_replace_person(person, role, person.position, person.party_titles))
            if hosts:
                return hosts
        return hosts

    def _find_member_lists(self, paragraphs: list[int]) -> list[DraftPerson]:
        members: list[DraftPerson] = []
        for i in paragraphs:
            para = self.paras[i]
            if para.kind != "body":
                continue
            for match in _MEMBER_LINE.finditer(self.work, para.start, para.end):
                end = _sentence_end(self.work, match.end(), para.end)
                role = (
                    DelegationRole.DEPUTY_HEAD
                    if match["deputy"]
                    else DelegationRole.SECRETARY
                    if match["secretary"]
                    else DelegationRole.MEMBER
                )
                for person in _people_in_list(self.doc, match.end(), end, role):
                    if person.role in (DelegationRole.HOST_PARTICIPANT, DelegationRole.HOST_CHAIR):
                        continue
                    members.append(person)
        return members

    def _find_participants(self, paragraphs: list[int]) -> list[DraftPerson]:
        """People listed as attending ("Cùng dự có …"): roles from titles, sides from positions."""
        found: list[DraftPerson] = []
        for i in paragraphs:
            para = self.paras[i]
            if para.kind != "body":
                continue
            for match in _PARTICIPANT_LINE.finditer(self.work, para.start, para.end):
                end = _sentence_end(self.work, match.end(), para.end)
                found += _people_in_list(self.doc, match.end(), end, DelegationRole.HOST_PARTICIPANT)
        return found

    def _mentions(self, para: _Para) -> list[DraftPerson]:
        """People named with an honorific or a title anywhere in a paragraph, in order."""
        found: list[DraftPerson] = []
        work = self.work
        starts = [
            m.start()
            for m in re.finditer(rf"(?<![\w/]){_HONORIFIC}\s+(?=[^\W\d_])", work[para.start : para.end], re.I)
        ]
        covered: list[tuple[int, int]] = []
        for offset in starts:
            start = para.start + offset
            end = _phrase_end(work, start, para.end, skip_first=True)
            person = _parse_person(self.doc, start, end, DelegationRole.MEMBER, name_first_only=True)
            if person:
                found.append(person)
                covered.append((start, end))
        for match in _TITLED_NAME.finditer(work, para.start, para.end):
            start = match.start()
            if any(a <= start < b for a, b in covered):
                continue
            end = _phrase_end(work, start, para.end)
            person = _parse_person(self.doc, start, end, DelegationRole.MEMBER)
            if person and not any(search_key(p.name) == search_key(person.name) for p in found):
                found.append(person)
        return found

    def _place(self, person: DraftPerson) -> DraftPerson | None:
        """Put a person met in passing on a side, from an explicit role or from their position."""
        if person.role is not DelegationRole.MEMBER or _explicit_member(person, self.doc.source):
            return person
        return self._place_by_position(person)

    def _place_by_position(self, person: DraftPerson) -> DraftPerson | None:
        """The delegation if the position names the inspecting body, the host if it names the unit."""
        key = search_key(person.position or "")
        if not key:
            return None
        body = search_key(self.draft.inspecting_body.value) if self.draft.inspecting_body else ""
        if body and body in key:
            return person
        unit = search_key(self.draft.inspected_unit.value) if self.draft.inspected_unit else ""
        if unit:
            level, _, place = _split_level(unit)
            if (place and place in key) or (
                level and re.search(rf"\b{level}\b", key) and not (body and body in key)
            ):
                return _replace_person(
                    person, DelegationRole.HOST_PARTICIPANT, person.position, person.party_titles
                )
            if search_key(unit) in key:
                return _replace_person(
                    person, DelegationRole.HOST_PARTICIPANT, person.position, person.party_titles
                )
        return None

    # -- lists and directives ---------------------------------------------------------------

    def _find_lists(self) -> list[_List]:
        markers: list[tuple[str, int, int, int, int, str]] = []  # style, para, start, text start, n, marker
        body = self.body()
        for i in body:
            para = self.paras[i]
            first = _first_marker(para.text)
            if first is not None:
                style, number, length, parent = first
                key = f"sub:{parent}" if style == "sub" else style
                marker = para.text[:length].strip(" ,:.;–-")
                markers.append((key, i, para.start, para.start + length, number, marker))
            for stop in _INLINE_STOP.finditer(self.work, para.start + 1, para.end):
                for style in _INLINE_STYLES:
                    match = _MARKERS[style].match(self.work, stop.end(), para.end)
                    if match is None:
                        continue
                    before = self.work[max(para.start, match.start() - 3) : match.start()]
                    number = _marker_number(style, match)
                    marker = match.group(0).strip(" ,:.;–-")
                    if marker[:1].islower() and not re.search(r"[:;]\s*$", before):
                        continue
                    markers.append((style, i, match.start(), match.end(), number, marker))
        markers.sort(key=lambda m: m[2])
        lists: list[_List] = []
        open_lists: dict[str, _List] = {}
        for style, i, start, text_start, number, marker in markers:
            current = open_lists.get(style)
            if style == "dash" and current is not None:
                between = [j for j in body if current.markers[-1][0] < j < i]
                if not between:
                    number = current.markers[-1][3] + 1  # dashes count on from the dash just above
            if current is None or number <= current.markers[-1][3] or number > current.markers[-1][3] + 3:
                restarts = current is None or number <= current.markers[-1][3]
                if style in _INLINE_STYLES and number != 1 and restarts and start != self.paras[i].start:
                    continue  # an inline "hai là" that continues nothing
                current = _List(style, [])
                lists.append(current)
                open_lists[style] = current
            current.markers.append((i, start, text_start, number, marker))
        return [
            lst
            for lst in lists
            if len(lst.markers) >= 2 or (lst.style in ("la", "thu", "dash") and lst.markers[0][3] == 1)
        ]

    def _choose_list(self, lists: list[_List]) -> _List | None:
        for lst in lists:
            lst.intro, lst.intro_para = self._intro(lst)
            lst.score = self._score(lst)
        eligible = [lst for lst in lists if lst.score >= 3]
        if not eligible:
            return None
        best = max(eligible, key=lambda lst: (lst.score, lst.markers[0][1]))
        for outer in eligible:
            if outer is best or outer.score < best.score - 1:
                continue
            first, last = outer.markers[0][1], self._item_end(outer, len(outer.markers) - 1)
            if first < best.markers[0][1] < last and outer.style in ("la", "thu", "digit", "paren"):
                best = outer
        return best

    def _intro(self, lst: _List) -> tuple[str, int | None]:
        paragraph, start = lst.markers[0][0], lst.markers[0][1]
        para = self.paras[paragraph]
        if start > para.start:
            return self.work[para.start : start], paragraph
        for j in range(paragraph - 1, (self.lead or 0) - 1, -1):
            if self.paras[j].kind == "body":
                return self.paras[j].text, j
            if self.paras[j].kind not in ("caption", "boiler"):
                break
        return "", None

    def _score(self, lst: _List) -> float:
        intro = lst.intro[-400:]
        last_sentence = re.split(rf"[.!?]\s+(?={UPPER})", intro)[-1] if intro else ""
        score = float(_STYLE_BONUS.get(lst.style.split(":")[0], 0))
        requested = bool(_REQUEST_CUE.search(last_sentence))
        lesson = bool(_LESSON_CUE.search(last_sentence))
        if requested:
            score += 3
        if lesson and not requested:
            score -= 4
        if re.search(r"bài\s+học|kinh\s+nghiệm", last_sentence, re.I):
            score -= 3
        if re.search(r"(?:kiến\s+nghị|đề\s+xuất|đề\s+đạt)\s+(?:với|lên)", last_sentence, re.I):
            score -= 6  # what the host asks of the delegation
        texts = [self._item_first_words(lst, k) for k in range(len(lst.markers))]
        if sum(1 for t in texts if _SECTION_HEADER.match(t)) >= max(1, len(texts) // 2):
            score -= 4
        imperative = sum(1 for t in texts if _starts_imperative(t))
        if imperative * 2 >= len(texts):
            score += 2
        if lst.style == "dash":
            # Unnumbered lines are requests only right after a request ending with a colon.
            score += 1 if requested and last_sentence.rstrip().endswith(":") else -10
        numbers = [m[3] for m in lst.markers]
        if numbers[0] != 1:
            score -= 1
        return score

    def _item_first_words(self, lst: _List, k: int) -> str:
        text_start = lst.markers[k][2]
        return self.work[text_start : text_start + 60]

    def _item_end(self, lst: _List, k: int) -> int:
        """The index of the first paragraph after item ``k`` (its continuation included)."""
        paragraph = lst.markers[k][0]
        if k + 1 < len(lst.markers):
            return lst.markers[k + 1][0] + (1 if lst.markers[k + 1][0] == paragraph else 0)
        body = self.body()
        end = paragraph + 1
        opens_sublist = self.paras[paragraph].text.rstrip().endswith(":")
        # A marker alone on its line ("Một là," in bold) has its text in the next paragraph.
        bare = not self.work[lst.markers[k][2] : self.paras[paragraph].end].strip()
        for j in [b for b in body if b > paragraph]:
            text = self.paras[j].text
            marker = _first_marker(text)
            continues = (
                bare
                or text[:1].islower()
                or re.match(r"(?:đối\s+với|trong\s+đó|cụ\s+thể|riêng|đặc\s+biệt|nhất\s+là)\b", text, re.I)
                or (opens_sublist and marker is not None and marker[0] != lst.style)
            )
            if not continues:
                break
            bare = False
            end = j + 1
        return end

    def _read_directives(self, chosen: _List | None, lists: list[_List]) -> None:
        for lst in lists:
            if lst is chosen or lst.style not in ("la", "thu") or (chosen and self._nested(lst, chosen)):
                continue
            self.warn(
                "Danh sách «%(first)s … %(last)s» không được lấy làm yêu cầu (có vẻ là bài học, nguyên nhân "
                "hay kết quả).",
                first=lst.markers[0][4][:1].upper() + lst.markers[0][4][1:],
                last=lst.markers[-1][4],
            )
        if chosen is None:
            self.warn(
                "Bài không có yêu cầu được đánh số (Một là…, Thứ nhất…, 1., a)…); chưa tạo yêu cầu nào."
            )
            return
        due_label = None
        intro_sentences = re.split(rf"[.!?]\s+(?={UPPER})", chosen.intro) if chosen.intro else [""]
        period = _PERIOD.search(intro_sentences[-1])
        if period and re.search(r"cuối\s+năm|năm\s+\d{4}|quý|tháng", period.group(0), re.I):
            due_label = " ".join(period.group(0).split())
        year = self.draft.visited_on.value.year if self.draft.visited_on else None
        for k, (_paragraph, start, text_start, number, marker) in enumerate(chosen.markers):
            segments = self._item_segments(chosen, k)
            if not segments:
                self.warn("«%(marker)s» trong bài không có nội dung; đã bỏ qua.", marker=marker)
                continue
            text = "\n".join(" ".join(self.work[s:e].split()) for s, e in segments).strip(" ;")
            text = text[:1].upper() + text[1:]
            title = None
            heading = re.match(r"(?P<title>[^:.;!?\n]{3,120}?):[ \t]+(?P<rest>\S.*)", text, re.S)
            if (
                heading
                and len(heading["title"].split()) <= 12
                and len(heading["rest"].split()) >= 3
                and _first_marker(heading["rest"]) is None
                and not re.search(
                    r"\b(?:trong\s+đó|như\s+sau|gồm|sau\s+đây|cụ\s+thể|như)$", heading["title"], re.I
                )
            ):
                title, text = heading["title"].strip(), heading["rest"]
                text = text[:1].upper() + text[1:]
            end = segments[-1][1]
            citations = tuple(self._citations_in(text_start, end))
            due_on = _due_date(text, year, self.draft.visited_on.value if self.draft.visited_on else None)
            own_period = re.search(
                r"(?:trong|trước|hết|đến\s+hết|hoàn\s+thành\s+trong)\s+(?P<p>" + _PERIOD.pattern + ")",
                text,
                re.I,
            )
            self.draft.directives.append(
                DraftDirective(
                    number=number,
                    marker=_marker_label(chosen.style, number, marker),
                    text=text,
                    span=self.doc.span(start, end),
                    citations=citations,
                    due_on=due_on,
                    due_period_label=" ".join(own_period["p"].split()) if own_period else due_label,
                    title=title,
                )
            )
        self._check_numbering(chosen)

    def _nested(self, inner: _List, outer: _List) -> bool:
        first, last = outer.markers[0][1], self._item_end(outer, len(outer.markers) - 1)
        return first <= inner.markers[0][0] < last

    def _item_segments(self, lst: _List, k: int) -> list[tuple[int, int]]:
        paragraph, _start, text_start, _n, _m = lst.markers[k]
        para = self.paras[paragraph]
        if k + 1 < len(lst.markers) and lst.markers[k + 1][0] == paragraph:
            return [(text_start, lst.markers[k + 1][1])]
        segments = [(text_start, para.end)]
        end = self._item_end(lst, k)
        for j in range(paragraph + 1, end):
            other = self.paras[j]
            if other.kind != "body":
                continue
            if k + 1 < len(lst.markers) and j == lst.markers[k + 1][0]:
                segments.append((other.start, lst.markers[k + 1][1]))
                break
            segments.append((other.start, other.end))
        return [(s, e) for s, e in segments if self.work[s:e].strip()]

    def _check_numbering(self, lst: _List) -> None:
        numbers = [m[3] for m in lst.markers]
        labels = [_marker_label(lst.style, m[3], m[4]) for m in lst.markers]
        if numbers[0] != 1:
            self.warn("Danh sách yêu cầu bắt đầu từ «%(first)s», không phải số 1.", first=labels[0])
        for k in range(1, len(numbers)):
            if numbers[k] != numbers[k - 1] + 1:
                self.warn(
                    "Thứ tự yêu cầu không liên tục: sau «%(a)s» là «%(b)s»; giữ nguyên số thứ tự như "
                    "trong bài.",
                    a=labels[k - 1],
                    b=labels[k],
                )

    # -- findings ---------------------------------------------------------------------------

    def _read_findings(self, chosen: _List | None, lists: list[_List]) -> None:
        assert self.lead is not None
        if chosen is not None:
            stop_para = chosen.intro_para if chosen.intro_para is not None else chosen.markers[0][0]
            stop_at = chosen.markers[0][1] if chosen.intro_para == chosen.markers[0][0] else None
        else:
            stop_para, stop_at = self.body_end, None
        skipped: set[int] = set()
        section_of: dict[int, FindingKind] = {}
        for lst in lists:
            if lst is chosen:
                continue
            kind = _kind_of_intro(lst.intro)
            lesson = bool(re.search(r"bài\s+học|kinh\s+nghiệm", lst.intro[-300:], re.I))
            for k in range(len(lst.markers)):
                for j in range(lst.markers[k][0], self._item_end(lst, k)):
                    if lesson:
                        skipped.add(j)
                    elif kind is not None:
                        section_of.setdefault(j, kind)
        section: FindingKind | None = None
        for i in self.body():
            if i > stop_para or i in skipped:
                continue
            para = self.paras[i]
            start, end = para.start, para.end
            if i == stop_para:
                end = _last_sentence_start(self.work, start, stop_at if stop_at is not None else end)
            header = _SECTION_HEADER.match(
                re.sub(r"^(?:\d+[.)]|[a-zđ]\)|[IVX]+[.\-–]|[-•+])\s*", "", para.text)
            )
            if header and len(para.text.split()) <= 12:
                section = _kind_of_intro(para.text) or section
                continue
            inline = _INLINE_HEADER.match(self.work, start, end)
            if inline and i not in section_of:
                section = _kind_of_intro(inline["header"]) or section
                start = inline.end()
            if i in section_of:
                marker = _first_marker(para.text)
                offset = marker[2] if marker else 0
                text = " ".join(self.work[start + offset : end].split())
                if text:
                    self.draft.findings.append(
                        DraftFinding(section_of[i], text[:1].upper() + text[1:], self.doc.span(start, end))
                    )
                continue
            sentences = _sentences(self.work, start, end)
            if i == self.lead:
                sentences = sentences[1:]
            self._findings_in(sentences, section)

    def _findings_in(self, sentences: list[tuple[int, int]], section: FindingKind | None) -> None:
        run: list[tuple[int, int]] = []
        run_kind: FindingKind | None = None

        def close() -> None:
            nonlocal run, run_kind
            if run and run_kind is not None:
                text = " ".join(" ".join(self.work[s:e].split()) for s, e in run)
                marker = _first_marker(text)
                if marker is not None:
                    text = text[marker[2] :]
                text = _CONCESSIVE_LEAD.sub("", text)
                text = text[:1].upper() + text[1:]
                if len(text.split()) >= 4:
                    self.draft.findings.append(
                        DraftFinding(run_kind, text, self.doc.span(run[0][0], run[-1][1]))
                    )
            run, run_kind = [], None

        for s, e in sentences:
            for cs, ce in _clauses(self.work, s, e):
                if self.work[cs:ce].rstrip().endswith(":"):
                    close()  # a sentence introducing a list is not a finding
                    continue
                kind = _classify(self.work[cs:ce], section)
                if self._is_about_people_only(cs, ce):
                    kind = None
                if kind is None:
                    if run:
                        run.append((cs, ce))
                    continue
                if kind is not run_kind:
                    close()
                    run_kind = kind
                run.append((cs, ce))
        close()

    def _is_about_people_only(self, start: int, end: int) -> bool:
        text = self.work[start:end]
        return bool(
            re.match(
                r"(?:tiếp\s+(?:và\s+làm\s+việc\s+với\s+)?đoàn|cùng\s+(?:đi|dự|tham\s+dự)|tham\s+dự)",
                text,
                re.I,
            )
        )

    # -- citations --------------------------------------------------------------------------

    def _citations_in(self, start: int, end: int) -> list[DraftCitation]:
        result: list[DraftCitation] = []
        text = self.work[start:end]
        if not _CODE_HINT.search(text):
            return result
        for citation in find_citations(text):
            citation = _trim_issuer(citation)
            span = _code_span(text, citation)
            if span is None:
                continue
            result.append(DraftCitation(citation, self.doc.span(start + span[0], start + span[1])))
        return result

    def _read_citations(self) -> None:
        seen: dict[str, DraftCitation] = {}
        for i in self.body():
            para = self.paras[i]
            for citation in self._citations_in(para.start, para.end):
                seen.setdefault(citation.code, citation)
        self.draft.citations = list(seen.values())

    def _final_warnings(self) -> None:
        skipped = sum(1 for p in self.paras if p.kind in ("boiler", "end")) + sum(
            1 for p in self.paras[self.body_end :] if p.kind == "body"
        )
        if self.draft.title is None:
            self.warn("Không thấy tiêu đề bài viết; hãy nhập tiêu đề.")
        if skipped:
            self.warn(
                "Đã bỏ qua %(count)d dòng ngoài nội dung bài (menu, lượt xem, bình luận, liên kết).",
                count=skipped,
            )


# --- Patterns used by the parser ------------------------------------------------------------

_NOT_AN_INSPECTION = (
    "Bài viết không nói về một đợt kiểm tra, giám sát: không thấy Đoàn kiểm tra, Trưởng đoàn hay đơn vị "
    "được kiểm tra."
)
_INSPECTION = re.compile(r"kiểm\s+tra|giám\s+sát|làm\s+việc\s+với|khảo\s+sát", re.I)
_DELEGATION = re.compile(
    r"\b(?:đoàn|tổ)\s+(?:kiểm\s+tra|công\s+tác|giám\s+sát|khảo\s+sát)|trưởng\s+đoàn"
    r"|\bđoàn\b.{0,120}?làm\s+việc\s+với",
    re.I,
)
_VISIT_DATE = re.compile(
    r"(?P<part>(?:(?:vào\s+)?(?:buổi\s+)?(?:sáng|chiều|tối|trưa))(?:\s+(?:nay|qua|hôm\s+nay|hôm\s+qua))?)?"
    r"(?:\s*(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|chủ\s+nhật))?\s*,?\s*(?P<paren>\()?\s*"
    r"(?P<ngay>(?:vào\s+)?(?:trong\s+(?:hai|ba|\d)\s+)?ngày\s*)?"
    r"(?P<date>(?:(?P<first>\d{1,2})\s*(?:và|đến|,|-|–)\s*(?:ngày\s+)?(?=\d{1,2}\s*[/.\-–]\s*\d{1,2}))?"
    r"(?:(?P<d>\d{1,2})\s*[/.\-–]\s*(?P<m>\d{1,2})(?:\s*[/.\-–]\s*(?P<y>(?:19|20)\d{2}))?"
    r"|(?P<dw>\d{1,2})\s+tháng\s+(?P<mw>\d{1,2})(?:\s*(?:năm|,)\s*(?P<yw>(?:19|20)\d{2}))?))"
    r"(?![\d/])",
    re.I,
)
_INSPECTING_BODY = re.compile(
    r"\b(?:đoàn|tổ)\s+(?:kiểm\s+tra|công\s+tác|giám\s+sát|khảo\s+sát)(?:\s+(?:số\s+)?\d+)?(?:\s+(?:của|thuộc))?\s+"
    rf"(?P<org>(?-i:{UPPER})[^,.;()]{{2,120}}?)(?=(?-i:\s+(?:do|đã|làm\s+việc|tiến\s+hành|kiểm\s+tra|giám\s+sát|về"
    r"|tại|với|có|vừa|đến|trong)\b)|\s*[,.;(])",
    re.I,
)
_BODY_IN_TITLE = re.compile(
    rf"(?P<org>{UPPER}[^,.;:]{{2,100}}?)\s+(?:đã\s+)?(?:tiến\s+hành\s+|tổ\s+chức\s+)?"
    r"(?:kiểm\s+tra|giám\s+sát|làm\s+việc\s+với|khảo\s+sát)\b"
)
_INSPECTED_UNIT = re.compile(
    r"(?<!\w)(?P<conn>với|tại|đối\s+với)\s+"
    r"(?P<org>(?:(?:Ban\s+Thường\s+vụ|BTV|Thường\s+trực|Đảng\s+bộ|Đảng\s+ủy|Chi\s+bộ|UBND|HĐND)\s+)?"
    rf"(?:huyện|xã|tỉnh|thị\s+xã|thị\s+trấn|thành\s+phố|phường|quận|{UPPER})[^,.;()]{{1,100}})",
)
_SUBJECT = re.compile(
    r"(?:kiểm\s+tra|giám\s+sát|khảo\s+sát|làm\s+việc)(?:\s+chuyên\s+đề)?(?:\s+(?:với|tại|đối\s+với)\s+[^,.;]{2,80}?)?"
    r"(?:\s+(?:về|kết\s+quả|tình\s+hình|chuyên\s+đề))*\s+"
    r"(?:kết\s+quả\s+)?(?:\d+\s+năm\s+)?(?:(?:thực\s+hiện|triển\s+khai)\s+(?=công\s+tác))?"
    r"(?P<subject>(?:việc\s+|công\s+tác\s+|thực\s+hiện\s+|triển\s+khai\s+|lãnh\s+đạo,?\s+chỉ\s+đạo))",
    re.I,
)
_ANY_SUBJECT = re.compile(
    r"(?<![Đđ]oàn\s)(?<!ban\s)(?P<verb>kiểm\s+tra|giám\s+sát)(?:\s+(?:về|chuyên\s+đề))?\s+"
    r"(?!(?:đối\s+với|tại|với|của|do|đã|ngày|số|và|thì|là)\b)(?P<subject>[^\W\d]\w*)"
)
_SUBJECT_STOP = re.compile(
    r"\s+(?=(?:\d+|sáu|chín|ba)\s+tháng|năm\s+(?:19|20)\d{2}|quý\s+[IV1-4]|giai\s+đoạn|nhiệm\s+kỳ|từ\s+đầu\s+năm)"
    r"|\s+(?:tại|ở|đối\s+với|với|trên\s+địa\s+bàn|cho|do|đã|từ|theo|nhằm|vào|trong|và\s+(?:làm|công\s+bố))\s"
    rf"|\s+của\s+(?-i:(?={UPPER}))|\s+ngày\s+\d|\s*[.;:(]"
    r"|,\s+(?=đồng\s+thời|qua\s+đó|nhằm|theo|trong\s+đó|sau|tại|ngày|do|đã|từ|huyện|tỉnh|xã|thành\s+phố|thị\s+xã)",
    re.I,
)
_PERIOD = re.compile(
    r"(?:(?P<n>\d{1,2}|sáu|chín|ba)\s+tháng\s+(?:(?P<half>đầu|cuối)\s+)?năm(?:\s+(?P<y>(?:19|20)\d{2}))?"
    r"|quý\s+(?P<q>IV|I{1,3}|[1-4])(?:\s*(?:năm|/)\s*(?P<qy>(?:19|20)\d{2}))?"
    r"|(?:giai\s+đoạn|nhiệm\s+kỳ)\s+(?P<a>(?:19|20)\d{2})\s*[-–]\s*(?P<b>(?:19|20)\d{2})"
    r"|(?<![\d/])năm\s+(?P<year>(?:19|20)\d{2}))",
    re.I,
)
# "tháng 6 năm 2023", "14/6 năm 2023": the year of a date, not a period.
_DATE_BEFORE_YEAR = re.compile(r"(?:tháng\s*\d{1,2}|\d{1,2}\s*/\s*\d{1,2})\s*,?\s*$", re.I)
# "… do đồng chí X, <chức vụ> làm Trưởng đoàn", "… làm Tổ trưởng" (a small team), "… dẫn đầu".
_HEAD_AFTER = re.compile(
    r"(?:(?:làm|là)\s+(?<!phó\s)(?:trưởng\s+đoàn|tổ\s+trưởng(?:\s+tổ)?)|\bdẫn\s+đầu\b)", re.I
)
# "Trưởng đoàn là đồng chí X", "Trưởng đoàn kiểm tra, đồng chí X, …".
_HEAD_BEFORE = re.compile(
    r"(?<!phó\s)\btrưởng\s+đoàn(?:\s+(?:kiểm\s+tra|công\s+tác|giám\s+sát))?\s*"
    rf"(?:(?:là|:)\s*|,\s*(?={_HONORIFIC}\s))",
    re.I,
)
_HOST_LINE = re.compile(
    r"(?:tiếp\s+(?:và\s+làm\s+việc\s+với|đón\s+và\s+làm\s+việc\s+với)?\s*(?:đoàn|đoàn\s+kiểm\s+tra)|làm\s+việc\s+với\s+đoàn"
    r"|về\s+phía\s+[^,.;:]{2,80}?|dự\s+(?:buổi\s+)?(?:làm\s+việc|tiếp)[^,.;:]{0,40}?)[^.;:]{0,120}?\s(?:có|gồm)\s*:?\s*",
    re.I,
)
# "Cùng dự có …", "Tham dự buổi làm việc có …": people of either side, or guests.
_PARTICIPANT_LINE = re.compile(
    r"(?:cùng\s+(?:tham\s+)?dự|tham\s+dự|dự\s+buổi\s+(?:làm\s+việc|kiểm\s+tra|công\s+bố))[^.;:]{0,80}?"
    r"\s(?:có|gồm)\s*(?:các\s+)?(?:đồng\s+chí)?\s*:?\s*",
    re.I,
)
# "Phó Trưởng Đoàn là …", "Thành viên Đoàn gồm …", "Cùng đi với Đoàn có …": the role comes first.
_MEMBER_LINE = re.compile(
    r"(?:(?P<deputy>phó\s+trưởng\s+đoàn)|(?P<secretary>thư\s+ký\s+(?:của\s+)?đoàn)|cùng\s+đi(?:\s+với\s+đoàn)?"
    r"|tham\s+gia\s+đoàn|thành\s+viên\s+(?:của\s+)?đoàn|đoàn\s+(?:kiểm\s+tra\s+)?gồm|thành\s+phần\s+đoàn)"
    r"(?:\s+(?:kiểm\s+tra|công\s+tác|giám\s+sát))?[^.;:]{0,60}?\s*(?:có|gồm|là|:)\s*:?\s*",
    re.I,
)
_TITLED_NAME = re.compile(
    r"(?<![\w,])(?:Phó\s+)?(?:Bí\s+thư|Chủ\s+tịch|Trưởng\s+[Bb]an|Giám\s+đốc|Chánh\s+[Vv]ăn\s+phòng|Trưởng\s+phòng"
    r"|Ủy\s+viên|Tỉnh\s+ủy\s+viên|Huyện\s+ủy\s+viên|Bộ\s+trưởng|Thứ\s+trưởng|Tổng\s+Bí\s+thư|Thủ\s+tướng"
    r"|Chánh\s+án|Viện\s+trưởng|Đại\s+tá|Thượng\s+tá)\b[^.;:\n]{0,140}?"
    r"(?=\b(?:" + "|".join(sorted(_SURNAMES, key=len, reverse=True)) + rf")\s+{UPPER})",
)
_SENTENCE_BREAK = re.compile(
    r"(?<!\bTP)(?<!\bTp)(?<!\bThS)(?<!\bTS)(?<!\bGS)(?<!\bv\.v)[.!?…]+[\"')\]]?\s+"
    rf"(?=[\"(]?(?:{UPPER}|[0-9]))"
)


# --- Helpers --------------------------------------------------------------------------------


_LETTER = re.compile(r"[^\W\d_]")
_MARKED_LETTER = re.compile(r"[^\W\d_a-zA-Z]")  # a letter with a mark, or đ: not plain Latin


def _refuse_foreign(text: str) -> None:
    sample = text[:20000]
    letters = len(_LETTER.findall(sample))
    if letters < 40:
        raise ValidationFailed("Bài viết quá ngắn để đọc ra một đợt kiểm tra.")
    marked = len(_MARKED_LETTER.findall(sample))
    if marked < letters * 0.05:
        raise ValidationFailed("Bài viết không phải tiếng Việt (không thấy chữ có dấu).")


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date_in(text: str) -> date | None:
    worded = _PLACE_DATE_LINE.fullmatch(text)
    if worded:
        return _safe_date(int(worded[3]), int(worded[2]), int(worded[1]))
    match = _FULL_DATE.search(text)
    if match:
        return _safe_date(int(match[3]), int(match[2]), int(match[1]))
    match = _ISO_DATE.search(text)
    return _safe_date(int(match[1]), int(match[2]), int(match[3])) if match else None


def _clean_title(text: str) -> str:
    text = " ".join(text.split())
    return re.sub(r"\s+[|–-]\s+[^|–-]{2,40}$", "", text) if re.search(r"\s[|]\s", text) else text


def _looks_like_byline(text: str) -> bool:
    words = text.rstrip(" .").split()
    if not 1 <= len(words) <= 7 or len(text) > 70 or re.match(r"(?:theo|nguồn)\b", text, re.I):
        return False
    bare = re.sub(r"\([^)]*\)", "", text.rstrip(" ."))
    tokens = re.findall(r"[^\W\d_]+", bare)
    return bool(tokens) and all(t[0].isupper() for t in tokens) and not _date_in(text)


def _inside_citation(text: str, position: int) -> bool:
    before = text[max(0, position - 40) : position]
    return bool(
        re.search(
            r"\d+\s*[-/]\s*[A-ZĐa-zđ]{1,6}\s*[/-]\s*[A-ZĐa-zđ]{1,12}[^.;]{0,12}$|\bsố\s+\S+\s*$", before
        )
    )


def _at_clause_start(text: str, position: int) -> bool:
    before = text[max(0, position - 3) : position]
    return position == 0 or bool(re.search(r"(?:^|[.,;:\n])\s*$", before))


def _unit_score(text: str, unit: re.Match[str], sentence: int, delegation: int) -> int:
    """How surely "với/tại/đối với <unit>" names the inspected unit: 3 sure, 0 only the meeting place."""
    connector = " ".join(unit["conn"].lower().split())
    before = text[max(sentence, delegation) : unit.start()]
    verb = re.search(r"(?:làm\s+việc|kiểm\s+tra|giám\s+sát|khảo\s+sát|công\s+bố|thông\s+qua)\b", before, re.I)
    if connector == "đối với":
        return 3
    if connector == "với":
        return 3 if re.search(r"làm\s+việc\s*$", before, re.I) else 2 if verb else 1
    # "tại": the unit when it follows what the delegation did, the place of the meeting before that.
    return 2 if verb and unit.start() > delegation else 0


def _sentence_end(text: str, start: int, end: int) -> int:
    match = _SENTENCE_BREAK.search(text, start, end)
    return match.start() + 1 if match else end


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    result = []
    position = start
    for match in _SENTENCE_BREAK.finditer(text, start, end):
        result.append((position, match.start() + len(match.group(0).rstrip())))
        position = match.end()
    if position < end:
        result.append((position, end))
    return [(s, e) for s, e in result if text[s:e].strip()]


def _last_sentence_start(text: str, start: int, end: int) -> int:
    sentences = _sentences(text, start, end)
    return sentences[-1][0] if sentences else start


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A concessive sentence ("Tuy … nhưng …") is two findings; any other sentence is one."""
    sentence = text[start:end]
    match = _CONCESSIVE_SPLIT.match(sentence)
    if not match:
        return [(start, end)]
    return [
        (start + match.start("a"), start + match.end("a")),
        (start + match.start("b"), start + match.end("b")),
    ]


def _classify(text: str, section: FindingKind | None) -> FindingKind | None:
    plain = _CONCESSIVE_LEAD.sub("", text.strip())
    # The main clause decides, not the examples after "như:"; fixing shortcomings is an achievement.
    plain = re.split(r",?\s+(?:như|gồm|bao\s+gồm)\s*:", plain, maxsplit=1)[0]
    plain = _REMEDY.sub(" ", plain)
    cue: FindingKind | None = None
    contrast = re.match(r"(?:tuy\s+nhiên|tuy\s+vậy|song|nhưng)\b", text.strip(), re.I)
    if _CAUSE_START.search(plain[:80]):
        cue = FindingKind.CAUSE
    elif _LIMITATION_CUE.search(plain):
        cue = FindingKind.LIMITATION
    elif _DIFFICULTY_CUE.search(plain):
        cue = FindingKind.DIFFICULTY
    elif contrast:
        cue = FindingKind.LIMITATION  # "Tuy nhiên, …" after the results turns to the shortcomings
    elif _ACHIEVEMENT_CUE.search(plain) or re.match(r"(?:theo|qua)\s+báo\s+cáo\b", plain, re.I):
        cue = FindingKind.ACHIEVEMENT
    if section is None or cue is FindingKind.CAUSE:
        return cue
    if section is FindingKind.ACHIEVEMENT and cue in (FindingKind.LIMITATION, FindingKind.DIFFICULTY):
        return cue  # "Tuy nhiên, …" inside a list of results
    return section


def _kind_of_intro(text: str) -> FindingKind | None:
    tail = text[-200:]
    if re.search(r"nguyên\s+nhân", tail, re.I):
        return FindingKind.CAUSE
    if re.search(r"hạn\s+chế|khuyết\s+điểm|tồn\s+tại|yếu\s+kém", tail, re.I):
        return FindingKind.LIMITATION
    if re.search(r"khó\s+khăn|vướng\s+mắc", tail, re.I):
        return FindingKind.DIFFICULTY
    if re.search(r"kiến\s+nghị|đề\s+xuất|đề\s+đạt", tail, re.I):
        return FindingKind.HOST_REQUEST
    if re.search(r"ưu\s+điểm|kết\s+quả|mặt\s+(?:được|làm\s+được)|thành\s+tựu|ghi\s+nhận", tail, re.I):
        return FindingKind.ACHIEVEMENT
    return None


def _starts_imperative(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text.lower())[:4]
    return any(" ".join(words[:n]) in _IMPERATIVES for n in (1, 2, 3))


def _first_marker(text: str) -> tuple[str, int, int, int] | None:
    """(style, number, length, parent) of the list marker opening a paragraph, if any."""
    for style in ("la", "thu", "paren", "sub", "digit", "letter", "roman", "dash"):
        match = _MARKERS[style].match(text)
        if match is None:
            continue
        number = _marker_number(style, match)
        if number <= 0:
            continue
        if style == "digit" and re.match(r"\d{1,2}\.\d", text):
            continue
        parent = int(match["parent"]) if style == "sub" else 0
        return style, number, match.end(), parent
    return None


def _marker_number(style: str, match: re.Match[str]) -> int:
    if style == "la":
        return _LA_WORDS.get(" ".join(match["word"].lower().split()), 0)
    if style == "thu":
        return _THU_WORDS.get(" ".join(match["word"].lower().split()), 0)
    if style == "letter":
        return _LETTERS.index(match["l"]) + 1
    if style == "roman":
        return _roman(match["r"])
    if style == "dash":
        return 1
    return int(match["n"])


def _roman(text: str) -> int:
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for a, b in zip(text, text[1:] + " ", strict=True):
        total += -values[a] if b != " " and values[b] > values[a] else values[a]
    return total


def _marker_label(style: str, number: int, written: str) -> str:
    if style in ("la", "thu"):
        return written[:1].upper() + written[1:]
    return written or "-"  # a dash, stripped with the punctuation around markers


def _due_date(text: str, year: int | None, visited: date | None) -> date | None:
    match = re.search(
        r"(?:trước|chậm\s+nhất(?:\s+là)?|hạn\s+chót|hoàn\s+thành\s+trước)\s+ngày\s+(\d{1,2})\s*[/.-]\s*(\d{1,2})"
        r"(?:\s*[/.-]\s*((?:19|20)\d{2}))?",
        text,
        re.I,
    )
    if not match:
        return None
    day = _safe_date(int(match[3]) if match[3] else (year or 0) or 1, int(match[2]), int(match[1]))
    if day and not match[3] and visited and day < visited:
        day = _safe_date(day.year + 1, day.month, day.day)
    if day and visited and day < visited:
        return None
    return day if (match[3] or year) else None


def _period_dates(match: re.Match[str], year: int | None) -> tuple[date | None, date | None]:
    words = {"sáu": 6, "chín": 9, "ba": 3}
    if match["n"]:
        if year is None:
            return None, None
        months = int(match["n"]) if match["n"].isdigit() else words[match["n"].lower()]
        months = min(max(months, 1), 12)
        if (match["half"] or "đầu").lower() == "đầu":
            return date(year, 1, 1), _month_end(year, months)
        return date(year, 13 - months, 1), date(year, 12, 31)
    if match["q"]:
        year = int(match["qy"]) if match["qy"] else year
        if year is None:
            return None, None
        quarter = {"I": 1, "II": 2, "III": 3, "IV": 4}.get(match["q"].upper()) or int(match["q"])
        return date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
    if match["a"]:
        return date(int(match["a"]), 1, 1), date(int(match["b"]), 12, 31)
    if match["year"]:
        return date(int(match["year"]), 1, 1), date(int(match["year"]), 12, 31)
    return None, None


def _month_end(year: int, month: int) -> date:
    return (
        (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))
        if month < 12
        else date(year, 12, 31)
    )


def _org_extent(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim an organisation name: stop at a verb, a date or a subject word, and at 14 words."""
    piece = text[start:end]
    stop = re.search(
        r"\s+(?:do|đã|đang|sẽ|vừa|về|làm\s+việc|kiểm\s+tra|giám\s+sát|tiến\s+hành|có|để|nhằm|theo|trong|ngày|sáng"
        r"|chiều|năm\s+\d|từ|cùng|gồm|thông\s+qua|công\s+bố|tổ\s+chức|nhiệm\s+kỳ|giai\s+đoạn|\d)\b|\s+-\s",
        piece,
    )
    if stop:
        piece = piece[: stop.start()]
    words = piece.split()
    piece = " ".join(words[:14]) if len(words) > 14 else piece
    piece = piece.rstrip(" ,;:-–")
    return start, start + len(piece)


def _subject_end(text: str, start: int, limit: int) -> int:
    match = _SUBJECT_STOP.search(text, start, limit)
    return match.start() if match else limit


def _phrase_end(text: str, start: int, limit: int, skip_first: bool = False) -> int:
    """Where a person's phrase (name and titles) ends: a verb, a full stop, the next person."""
    search_from = start
    if skip_first:
        honorific = re.match(rf"{_HONORIFIC}\s+", text[start:limit], re.I)
        search_from = start + (honorific.end() if honorific else 0)
    end = limit
    stop = _POSITION_STOP.search(text, search_from, limit)
    if stop:
        end = stop.start()
    following = re.search(rf"[,;]?\s+(?:và\s+)?(?:các\s+)?(?i:{_HONORIFIC})\s+{UPPER}", text[search_from:end])
    if following:
        end = search_from + following.start()
    return min(end, start + 300)


def _split_level(unit_key: str) -> tuple[str, str, str]:
    """("huyen", "uy"?, "bu dop") from a folded unit name such as "huyen bu dop" or "huyen uy bu dop"."""
    match = re.match(
        r"(?:ban thuong vu |btv |thuong truc |dang bo |dang uy |chi bo |ubnd |hdnd |uy ban nhan dan )?"
        r"(?P<level>huyen|xa|tinh|thi xa|thi tran|thanh pho|phuong|quan)(?: uy)? (?P<place>.+)$",
        unit_key,
    )
    if not match:
        return "", "", ""
    return match["level"], "", match["place"]


def _explicit_member(person: DraftPerson, source: str) -> bool:
    """Whether the mention itself says "thành viên Đoàn" (``person.span`` indexes the shown text)."""
    mention = source[person.span[0] : person.span[1]] if person.span else ""
    return bool(dict(_ROLE_MARKERS)[DelegationRole.MEMBER].search(mention))


def _replace_person(
    person: DraftPerson, role: DelegationRole, position: str | None, titles: str | None
) -> DraftPerson:
    return DraftPerson(person.name, position, titles, role, person.span, person.name_span)


# --- Names and positions --------------------------------------------------------------------

_NAME_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def _name_words(text: str, start: int = 0) -> list[re.Match[str]]:
    return list(_NAME_WORD.finditer(text, start))


def _capitalised_run(
    text: str, words: list[re.Match[str]], first: int, stop_at_titles: bool
) -> list[re.Match[str]]:
    run: list[re.Match[str]] = []
    for k in range(first, len(words)):
        word = words[k].group(0)
        if not word[0].isupper() or (len(word) > 1 and word.isupper()):
            break
        if stop_at_titles and run and _TITLE_START.match(text, words[k].start()):
            break
        gap = text[run[-1].end() : words[k].start()] if run else ""
        if run and (gap.strip() or "\n" in gap or not gap):
            break
        run.append(words[k])
        if len(run) == (5 if stop_at_titles else 9):
            break
    return run


def _leading_name(text: str) -> str | None:
    """The name at the start of ``text`` ("Mạc Đình Huấn- Phó Trưởng Ban …" -> "Mạc Đình Huấn")."""
    words = _name_words(text)
    if not words or words[0].start() != 0 or _TITLE_START.match(text):
        return None
    run = _capitalised_run(text, words, 0, stop_at_titles=True)
    if len(run) < 2 or len(run) > 5:
        return None
    name = text[run[0].start() : run[-1].end()]
    return None if search_key(name) in _NOT_NAMES_KEYS else name


def _name_after_title(text: str) -> str | None:
    """The name that closes a title ("Bí thư Huyện ủy Dương Thanh Huân" -> "Dương Thanh Huân")."""
    best = _titled_name_span(text)
    return text[best[0] : best[1]] if best else None


def _titled_name_span(text: str) -> tuple[int, int] | None:
    words = _name_words(text)
    best: tuple[int, int] | None = None
    k = 0
    while k < len(words):
        run = _capitalised_run(text, words, k, stop_at_titles=False)
        if not run:
            k += 1
            continue
        choice = None
        for length in (3, 4, 2):
            for offset in range(len(run)):
                if any(w.group(0) in _NEVER_IN_NAMES for w in run[offset:]):
                    continue
                if len(run) - offset == length and run[offset].group(0) in _SURNAMES:
                    choice = (run[offset].start(), run[-1].end())
                    break
            if choice:
                break
        if choice and search_key(text[choice[0] : choice[1]]) not in _NOT_NAMES_KEYS and choice[0] > 0:
            best = choice
        k += len(run)
    return best


_NOT_NAMES_KEYS = frozenset(search_key(n) for n in _NOT_NAMES)
# Words of bodies and titles that never stand in a person's name ("Thành viên Đoàn Kiểm tra").
_NEVER_IN_NAMES = _words(
    "Kiểm Tra Ban Đảng Tỉnh Huyện Ủy Uỷ Giám Sở Bộ Phòng Viện Cục Vụ Tuyên Giáo Dân Vận Tổ Chức Thường Trực "
    "Chủ Tịch Bí Thư Phó Trưởng"
)


def _parse_person(
    doc: _Doc,
    start: int,
    end: int,
    default_role: DelegationRole,
    name_first_only: bool = False,
) -> DraftPerson | None:
    """Read "đồng chí <name>, <titles>, <position>" or "<position> <name>" between start and end."""
    work = doc.work
    segment = work[start:end]
    lead = re.match(rf"\s*(?:các\s+)?(?:{_HONORIFIC})?\s*:?\s*", segment, re.I)
    offset = lead.end() if lead else 0
    name = _leading_name(segment[offset:])
    if name:
        name_start = start + offset
        name_end = name_start + len(name)
        title_text, title_start = work[name_end:end], name_end
    else:
        if name_first_only and not re.match(rf"\s*(?i:{_HONORIFIC})\s+{UPPER}", segment):
            return None
        span = _titled_name_span(segment[offset:])
        if span is None:
            return None
        name_start, name_end = start + offset + span[0], start + offset + span[1]
        name = work[name_start:name_end]
        title_text, title_start = work[start + offset : name_start], start + offset
        after = work[name_end:end]
        if re.search(r"[-–,]\s*(?:phó\s+)?(?:trưởng|thành\s+viên|thư\s+ký)\s+đoàn", after, re.I):
            title_text += " - " + after
    role, titles, position, position_span = _split_titles(title_text, title_start, default_role)
    mention_end = max(name_end, position_span[1] if position_span else name_end)
    return DraftPerson(
        name=" ".join(name.split()),
        position=position,
        party_titles=titles,
        role=role,
        span=doc.span(min(start + offset, name_start), mention_end),
        name_span=doc.span(name_start, name_end),
    )


def _split_titles(
    text: str, offset: int, default_role: DelegationRole
) -> tuple[DelegationRole, str | None, str | None, tuple[int, int] | None]:
    """Role in the delegation, Party titles and position from the words around a name."""
    role = default_role
    cleaned = text
    for marker_role, pattern in _ROLE_MARKERS:
        match = pattern.search(cleaned)
        if match:
            if (
                role in (DelegationRole.MEMBER, DelegationRole.HOST_PARTICIPANT)
                or default_role is DelegationRole.MEMBER
            ):
                role = marker_role
            cleaned = cleaned[: match.start()] + " " * (match.end() - match.start()) + cleaned[match.end() :]
    parts: list[tuple[int, int]] = []
    for match in re.finditer(r"[^,;]+", cleaned):
        piece = match.group(0)
        stripped = piece.strip(" -–:()")
        if stripped:
            left = match.start() + piece.index(stripped)
            parts.append((left, left + len(stripped)))
    titles: list[str] = []
    while parts and _PARTY_TITLE.fullmatch(cleaned[parts[0][0] : parts[0][1]]):
        titles.append(" ".join(cleaned[parts[0][0] : parts[0][1]].split()))
        parts.pop(0)
    # "TUV - Bí thư Huyện ủy": a title glued to the position with a dash.
    if parts:
        glued = re.match(r"(?P<t>[A-ZĐƯ]{2,8})\s*[-–]\s*(?=\S)", cleaned[parts[0][0] : parts[0][1]])
        if glued and _PARTY_TITLE.fullmatch(glued["t"]):
            titles.append(glued["t"])
            parts[0] = (parts[0][0] + glued.end(), parts[0][1])
    if not parts:
        return role, ", ".join(titles) or None, None, None
    start, end = parts[0][0], parts[-1][1]
    position = " ".join(cleaned[start:end].split()).strip(" -–,")
    position = re.sub(r"(?:\s*[-–]|\s+(?:và|cùng|cùng\s+với|với))\s*$", "", position)
    if not re.search(UPPER, position) or len(position) < 3:
        return role, ", ".join(titles) or None, None, None
    return role, ", ".join(titles) or None, position, (offset + start, offset + end)


def _people_in_list(doc: _Doc, start: int, end: int, default_role: DelegationRole) -> list[DraftPerson]:
    """Split "đồng chí A, <chức vụ>; đồng chí B, <chức vụ> và …" into people."""
    work = doc.work
    text = work[start:end]
    bounds = [
        m.start()
        for m in re.finditer(rf"(?:^|(?<=[,;:]\s)|(?<=\svà\s)|(?<=\s))(?i:{_HONORIFIC})\s+{UPPER}", text)
    ]
    bounds += [0] + [m.end() for m in re.finditer(r";\s*", text)]
    bounds = sorted(set(bounds))
    people = []
    for k, b in enumerate(bounds):
        stop = bounds[k + 1] if k + 1 < len(bounds) else len(text)
        piece_end = start + stop
        phrase_end = _phrase_end(work, start + b, piece_end, skip_first=True)
        person = _parse_person(doc, start + b, phrase_end, default_role)
        if person:
            people.append(person)
    return people


# Running text after an issuing body's name ("của Ban Bí thư cho cán bộ chủ chốt").
_CODE_HINT = re.compile(r"\d\s*[-/–]\s*\w")  # no citation without "05-CT", "30/2020"
_AFTER_ISSUER = re.compile(
    r"\s+(?:(?:cho|để|tại|trong|đến|tới|nhằm|với|trên|theo|thì|là|đã|sẽ|đang|bảo\s+đảm|đảm\s+bảo|góp\s+phần"
    rf"|quy\s+định|hướng\s+dẫn|triển\s+khai)(?!\w)|và\s+(?={LOWER})).*$"
)


def _trim_issuer(citation: Citation) -> Citation:
    """Cut the sentence that ``find_citations`` read on after the issuer's name."""
    name = citation.issuer_name
    if not name:
        return citation
    trimmed = _AFTER_ISSUER.sub("", name).strip(" ,")
    return replace(citation, issuer_name=trimmed or None) if trimmed != name else citation


def _code_span(text: str, citation: Citation) -> tuple[int, int] | None:
    """Where a citation's code (with its type word before it) stands in ``text``."""
    parts = [re.escape(citation.number)]
    if citation.system == "party":
        pattern = rf"{parts[0]}\s*-\s*{re.escape(citation.type_code)}\s*/\s*{re.escape(citation.issuer_code)}"
    else:
        year = rf"\s*/\s*{citation.year}" if citation.year and f"/{citation.year}/" in citation.code else ""
        pattern = (
            rf"{parts[0]}{year}\s*/\s*{re.escape(citation.type_code)}\s*-\s*{re.escape(citation.issuer_code)}"
        )
    normal = text.replace("Ð", "Đ")
    match = re.search(pattern, normal, re.I)
    if not match:
        return None
    start = match.start()
    if citation.type_name:
        before = re.search(rf"{re.escape(citation.type_name)}\s+(?:số\s*:?\s*)?$", normal[:start], re.I)
        if before:
            start = before.start()
    return start, match.end()
