"""How enumerations are numbered: "Một là", "Thứ nhất", "1.", "(1)", "a)", roman numerals, dashes."""

from __future__ import annotations

import re

from models.vntext import number_words
from workflows.intake.text import UPPER


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
