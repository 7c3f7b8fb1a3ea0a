"""Article intake: read a published article about an inspection visit into a draft visit.

The parser is pure (no Flask, no database). Its steps:

1. *Read* plain text, HTML (stdlib ``html.parser``; menus, scripts and link lists are dropped) or a .docx
   (python-docx) into plain text; refuse empty, binary and non-Vietnamese input.
2. *Normalise* to NFC: the text shown to the user (``DraftVisit.text``) keeps its characters, and a
   working copy repairs what pages carry (old tone placement "Uỷ", zero-width characters, words broken by
   a line break such as "T\nham mưu") while keeping a map back to the shown text, so every extracted
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

The package follows these steps: ``reading`` (text, HTML, .docx) and ``normalise`` (the working copy,
paragraphs and the parse's state); ``names`` and ``people`` (people and roles); ``places`` (dates and
places of the lead); ``markers``, ``directives`` and ``findings``; ``citing`` (citations and spans);
``parser`` drives them. ``draft`` holds the result types; this module the public API.
"""

from __future__ import annotations

from workflows.errors import ValidationFailed
from workflows.intake.draft import (
    DraftCitation,
    DraftDirective,
    DraftFinding,
    DraftPeriod,
    DraftPerson,
    DraftVisit,
    Found,
)
from workflows.intake.english import _EnglishParser, is_english
from workflows.intake.normalise import LOW_CONFIDENCE
from workflows.intake.parser import _Parser
from workflows.intake.places import period_end_on
from workflows.intake.reading import _EMPTY, _LOOKS_LIKE_HTML, _decode, _read_docx, _read_html, _refuse_binary
from workflows.intake.text import Span

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "LOW_CONFIDENCE",
    "MAX_BYTES",
    "MAX_CHARS",
    "DraftCitation",
    "DraftDirective",
    "DraftFinding",
    "DraftPeriod",
    "DraftPerson",
    "DraftVisit",
    "Found",
    "Span",
    "parse_article",
    "period_end_on",
    "read_article",
]

MAX_BYTES = 5 * 1024 * 1024


MAX_CHARS = 500_000


ACCEPTED_EXTENSIONS = ("txt", "html", "htm", "docx")


def parse_article(data: str | bytes, filename: str | None = None) -> DraftVisit:
    """Read an article (text, HTML or .docx bytes) into a draft visit; refuse what is not one."""
    text, kind, hints = read_article(data, filename)
    if is_english(text):
        return _EnglishParser(text, kind, hints).run()
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
