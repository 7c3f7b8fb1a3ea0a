"""Vietnamese text helpers shared by every layer: NFC input, search keys, ordinals and dates."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from models.base import LARGEST_ID

_DIGIT_WORDS = ("", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")


def nfc(text: str | None) -> str | None:
    """Return ``text`` in NFC with surrounding blanks removed (None stays None)."""
    if text is None:
        return None
    return unicodedata.normalize("NFC", text).strip()


def whole_number(text: str | None, *, largest: int = LARGEST_ID) -> int | None:
    """A whole number 0…``largest`` written in ASCII digits (an id, a page, a percentage), else None.

    Python's ``int()`` and ``str.isdigit()`` also take superscripts (², which ``int`` then refuses),
    fullwidth and Arabic-Indic digits, and numbers too large for any column.
    """
    raw = (text or "").strip()
    if not re.fullmatch(r"[0-9]{1,12}", raw):
        return None
    number = int(raw)
    return number if number <= largest else None


def search_key(text: str | None) -> str:
    """Fold ``text`` for searching: no case, no tone or vowel marks, đ as d, single spaces."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", folded)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def _tens_and_units(n: int) -> str:
    """Spell 1 ≤ n ≤ 99 ("mười lăm", "hai mươi mốt")."""
    tens, units = divmod(n, 10)
    if tens == 0:
        return _DIGIT_WORDS[units]
    head = "mười" if tens == 1 else f"{_DIGIT_WORDS[tens]} mươi"
    if units == 0:
        return head
    if units == 5:
        tail = "lăm"
    elif units == 1 and tens >= 2:
        tail = "mốt"
    elif units == 4 and tens >= 2:
        tail = "tư"
    else:
        tail = _DIGIT_WORDS[units]
    return f"{head} {tail}"


def _group(n: int, *, leading: bool) -> str:
    """Spell 1 ≤ n ≤ 999; a group after the first says its empty hundreds ("không trăm lẻ năm")."""
    hundreds, rest = divmod(n, 100)
    if hundreds == 0 and leading:
        return _tens_and_units(rest)
    words = [f"{_DIGIT_WORDS[hundreds] or 'không'} trăm"]
    if 0 < rest < 10:
        words.append(f"lẻ {_DIGIT_WORDS[rest]}")
    elif rest:
        words.append(_tens_and_units(rest))
    return " ".join(words)


_SCALES = ("", "nghìn", "triệu", "tỷ")


def number_words(n: int) -> str:
    """Spell a whole number 1 ≤ n < 10¹² the way ordinals are read ("mười lăm", "hai mươi mốt",
    "một trăm lẻ năm", "một nghìn không trăm mười")."""
    if not 1 <= n < 1000 ** len(_SCALES):
        raise ValueError(f"cannot spell {n}")
    groups: list[int] = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    words: list[str] = []
    for scale in reversed(range(len(groups))):
        group = groups[scale]
        if group:
            spelled = _group(group, leading=not words)
            words.append(f"{spelled} {_SCALES[scale]}".strip())
    return " ".join(words)


def ordinal_la(n: int) -> str:
    """Return the directive ordinal "Một là", "Chín là", "Mười lăm là" for n."""
    words = number_words(n)
    return f"{words[0].upper()}{words[1:]} là"


def format_date(value: date | None) -> str:
    """Format a date for the screen as dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y") if value else ""


def official_date_line(place: str, value: date) -> str:
    """Write the place-date line of an official document ("Bình Phước, ngày 05 tháng 02 năm 2025").

    Days below 10 and the months 1 and 2 take a leading zero (Nghị định 30/2020/NĐ-CP, Phụ lục I).
    """
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"{place}, ngày {value.day:02d} tháng {month} năm {value.year}"
