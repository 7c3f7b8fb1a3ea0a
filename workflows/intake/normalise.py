# mypy: allow-redefinition-new
"""Reading and normalising, part 2: the working copy of the text with a map back to the shown text,
its paragraphs and what kind each is, and the state of one article's parse.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import cast

from workflows.errors import ValidationFailed
from workflows.intake.draft import DraftVisit, Found
from workflows.intake.markers import _first_marker
from workflows.intake.text import Span, T, _safe_date

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


_BROKEN_ACROSS_PARAGRAPHS = re.compile(
    r"(?<![^\W\d_])(?P<last>[^\W\d_]{1,4})(?P<gap>[ \t]*\n[ \t\n]*\n[ \t]*)(?P<first>[^\W\d_]+)"
)


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
        if not following[0].islower() or _first_marker(following) is not None:
            continue  # a new sentence, or the next item of a list ("b) …")
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
    # Across a paragraph break too (HTML "<br>", a .docx with one paragraph per line), when the halves
    # are not words on their own: a syllable always has a vowel ("t / ham mưu", "ch / ậm").
    for match in _BROKEN_ACROSS_PARAGRAPHS.finditer(text):
        last, first = match["last"], match["first"]
        if not first[0].islower() or _first_marker(first) is not None:
            continue
        if (not _has_vowel(last) and not (len(last) > 1 and last.isupper())) or not _has_vowel(first):
            deleted.update(range(match.start("gap"), match.end("gap")))
    if not deleted:
        return "".join(chars), origin
    kept = [j for j in range(len(chars)) if j not in deleted]
    return "".join(chars[j] for j in kept), [origin[j] for j in kept]


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


def _date_in(text: str) -> date | None:
    worded = _PLACE_DATE_LINE.fullmatch(text)
    if worded:
        return _safe_date(int(worded[3]), int(worded[2]), int(worded[1]))
    match = _FULL_DATE.search(text)
    if match:
        return _safe_date(int(match[3]), int(match[2]), int(match[1]))
    match = _ISO_DATE.search(text)
    return _safe_date(int(match[1]), int(match[2]), int(match[3])) if match else None


# A value read with less confidence than this carries a warning (or is left empty).
LOW_CONFIDENCE = 0.7


class _State:
    """The state of one article's parse: the texts, the paragraphs and the draft so far."""

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

    def found(
        self,
        value: T,
        start: int,
        end: int,
        how: str = "",
        confidence: float = 1.0,
        others: tuple[str, ...] = (),
    ) -> Found[T]:
        if type(value) is str:  # not the StrEnum day parts
            value = cast(T, " ".join(cast(str, value).split()))
        return Found(value, self.doc.span(start, end), how, confidence, others)

    def body(self) -> list[int]:
        """Indexes of the body paragraphs, from the lead to the end of the article."""
        start = self.lead if self.lead is not None else self.body_start
        return [i for i in range(start, self.body_end) if self.paras[i].kind == "body"]

    def warn(self, message: str, **params: object) -> None:
        params = {k: " ".join(v.split()) if type(v) is str else v for k, v in params.items()}
        text = message % params if params else message
        if text not in self.draft.warnings:
            self.draft.warnings.append(text)
            self.draft.messages.append((message, params))

    def warn_uncertain(self) -> None:
        """Never a silent guess: a value read with low confidence gets a warning if it has none yet."""
        names = {
            "visited_on": "ngày kiểm tra",
            "inspecting_org": "cơ quan kiểm tra",
            "inspected_org": "đơn vị được kiểm tra",
            "subject": "nội dung kiểm tra",
            "head": "Trưởng đoàn",
        }
        values = {
            "visited_on": self.draft.visited_on,
            "inspecting_org": self.draft.inspecting_body,
            "inspected_org": self.draft.inspected_unit,
            "subject": self.draft.subject,
        }
        for name, _how, confidence, _others in self.draft.checks():
            if confidence >= LOW_CONFIDENCE or name not in names:
                continue
            found = values.get(name)
            value = (
                self.draft.head.name if name == "head" and self.draft.head else found.value if found else ""
            )
            text = value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)
            if not any(text in w for w in self.draft.warnings):
                self.warn(
                    "%(field)s «%(value)s» đọc được nhưng chưa chắc chắn; hãy kiểm tra lại.",
                    field=names[name][:1].upper() + names[name][1:],
                    value=text,
                )

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
