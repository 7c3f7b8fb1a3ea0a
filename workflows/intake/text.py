"""Small pieces every part of the article parser shares: letter classes, word lists, sentences, dates."""

from __future__ import annotations

import re
from datetime import date
from typing import TypeVar

T = TypeVar("T")


# Vietnamese capital and small letters; "[A-ZÀ-Ỹ]" would also take small letters inside the range.
UPPER = "[" + "".join(ch for ch in map(chr, range(0x41, 0x1EFA)) if ch.isupper() and ch.isalpha()) + "]"


LOWER = "[" + "".join(ch for ch in map(chr, range(0x61, 0x1EFA)) if ch.islower() and ch.isalpha()) + "]"


Span = tuple[int, int]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _phrases(text: str) -> frozenset[str]:
    return frozenset(text.split("|"))


_HONORIFIC = r"(?:đồng\s+chí|đ/c|đ\.c|ông|bà)"


_SENTENCE_BREAK = re.compile(
    r"(?<!\bTP)(?<!\bTp)(?<!\bThS)(?<!\bTS)(?<!\bGS)(?<!\bv\.v)[.!?…]+[\"')\]]?\s+"
    rf"(?=[\"(]?(?:{UPPER}|[0-9]))"
)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


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


def _sentence_start(text: str, start: int, position: int) -> int:
    """Where the sentence holding ``position`` starts (``start`` at the latest)."""
    last = start
    for match in _SENTENCE_BREAK.finditer(text, start, position):
        last = match.end()
    return last
