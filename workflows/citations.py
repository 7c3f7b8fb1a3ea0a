"""Parse and normalise citations of Party and State documents.

A citation names a document by its code, optionally preceded by the document-type word and
"số", and followed by the issue date, the issuing body and a secrecy marking::

    Quy định số 85-QĐ/TW ngày 07/10/2022 của Ban Bí thư
    Đề án số 03-ĐA/TU ngày 16/3/2022 của Tỉnh ủy (Mật)
    Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ

Codes come in three shapes:

* Party:              NUMBER-TYPE/ISSUER          05-CT/TW, 08-QĐi/TW, 99-HD/BTGTW
* State:              NUMBER/YEAR/TYPE-ISSUER     30/2020/NĐ-CP, 42/2014/QĐ-TTg
* State without year: NUMBER/TYPE-ISSUER          05/CT-TTg

Input is normalised first (NFC, "Ð"/"Ɖ"/"D + combining stroke" -> "Đ", dashes -> "-"), so
the patterns below only deal with ASCII separators and precomposed Vietnamese letters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple, NoReturn

from models.labels import N_
from workflows.errors import ValidationFailed

# The word of each type code, marked for translation (shown through models.labels.translate).
TYPE_NAMES: dict[str, str] = {
    "NQ": N_("Nghị quyết"),
    "CT": N_("Chỉ thị"),
    "KL": N_("Kết luận"),
    "QĐ": N_("Quyết định"),
    "QĐi": N_("Quy định"),
    "QC": N_("Quy chế"),
    "TT": N_("Thông tri"),
    "HD": N_("Hướng dẫn"),
    "TB": N_("Thông báo"),
    "TC": N_("Thông cáo"),
    "BC": N_("Báo cáo"),
    "KH": N_("Kế hoạch"),
    "CTr": N_("Chương trình"),
    "ĐA": N_("Đề án"),
    "CV": N_("Công văn"),
    "CĐ": N_("Công điện"),
    "NĐ": N_("Nghị định"),
    "TTr": N_("Tờ trình"),
    "BB": N_("Biên bản"),
    "GM": N_("Giấy mời"),
}

# State documents reuse some letters with another meaning ("TT" is a Thông tư, not a Thông tri).
_STATE_TYPE_NAMES: dict[str, str] = {
    "TT": N_("Thông tư"),
    "TTLT": N_("Thông tư liên tịch"),
    "NQLT": N_("Nghị quyết liên tịch"),
    "PL": N_("Pháp lệnh"),
}

# Upper-cased spelling -> canonical spelling, for the codes that are not all capitals.
_TYPE_CANON = {code.upper(): code for code in (*TYPE_NAMES, *_STATE_TYPE_NAMES)}
_ISSUER_CANON = {"TTG": "TTg"}

# Lower-cased type word -> canonical type word ("chỉ thị" -> "Chỉ thị").
_TYPE_WORDS = {name.lower(): name for name in (*TYPE_NAMES.values(), *_STATE_TYPE_NAMES.values())}

_MIN_STATE_YEAR, _MAX_STATE_YEAR = 1945, 2100
_MISSING_ISSUER = "Số hiệu văn bản thiếu cơ quan ban hành: %(text)s"

_CHAR_FIXES = str.maketrans(
    {
        "\u00d0": "Đ",  # Latin capital eth, a look-alike of Đ
        "\u0189": "Đ",  # Latin capital African D
        "\u00f0": "đ",  # Latin small eth
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",  # hyphens, en/em dashes, minus sign
        "\u2044": "/",
        "\u2215": "/",
        "\uff0f": "/",  # fraction, division, full-width slashes
        "\u00a0": " ",
        "\u202f": " ",  # no-break spaces
    }
)
_STROKED_D = re.compile("([Dd])[\u0335\u0336]")  # "D" followed by a combining stroke overlay

# --- Grammar --------------------------------------------------------------------------------

_SP = r"[ \t]*"  # spaces tolerated around a separator: "05 - CT / TW"
_LETTER = r"[^\W\d_]"  # any letter, Vietnamese capitals (Đ) included
_TYPE_WORD = "|".join(  # longest first, so "Thông tư liên tịch" wins over "Thông tư"
    r"\s+".join(re.escape(part) for part in word.split())
    for word in sorted(_TYPE_WORDS.values(), key=len, reverse=True)
)

_LEAD_PATTERN = rf"""
    (?: (?<!\w) (?P<word> (?i:{_TYPE_WORD}) ) (?!\w) \s* )?   # type word: "Chỉ thị", "Quy định"
    (?: (?<!\w) (?i:số) \s* :? \s* )?                         # "số" or "Số:" before the code
"""

_CODE_PATTERN = rf"""
    (?<![\w/.-])                       # a token of its own, not the tail of a date (14/7/2022)
    (?P<code>
        [0-9]+ {_SP}/{_SP} [0-9]{{4}} {_SP}/{_SP} {_LETTER}{{1,5}} {_SP}-{_SP} {_LETTER}{{1,12}}
                                       # State:            30/2020/NĐ-CP
      | [0-9]+ {_SP}-{_SP} {_LETTER}{{1,5}} {_SP}/{_SP} {_LETTER}{{1,12}}
                                       # Party:            05-CT/TW
      | [0-9]+ {_SP}/{_SP} {_LETTER}{{1,5}} {_SP}-{_SP} {_LETTER}{{1,12}}
                                       # State, no year:   05/CT-TTg
    )
    (?![\w/]|-\w)                      # nor the head of a longer one (01/2015/TTLT-BTC-BNV)
"""

_LEAD = re.compile(_LEAD_PATTERN, re.VERBOSE)
_CODE = re.compile(_CODE_PATTERN, re.VERBOSE)
_FIND = re.compile(_LEAD_PATTERN + _CODE_PATTERN, re.VERBOSE)

_DATE = re.compile(
    r"""
    \s* ,? \s* (?i:ngày) \s+
    (?P<date>
        (?P<day>[0-9]{1,2}) \s* (?P<sep>[/.-]) \s* (?P<month>[0-9]{1,2})
        \s* (?P=sep) \s* (?P<year>[0-9]{4})                       # 07/10/2022, 7-10-2022
      | (?P<day_w>[0-9]{1,2}) \s+ (?i:tháng) \s+ (?P<month_w>[0-9]{1,2})
        \s* ,? \s* (?i:năm) \s+ (?P<year_w>[0-9]{4})              # 07 tháng 10 năm 2022
    )
    (?![0-9])
    """,
    re.VERBOSE,
)

_ISSUER = re.compile(
    rf"""
    \s* ,? \s* (?i:của) \s+
    (?P<name> {_LETTER} [^,.;:()\[\]\n]*? )     # "Ban Thường vụ Tỉnh ủy", read lazily ...
    (?=                                         # ... up to the first of:
        \s* (?: [,.;:()\[\]\n] | $ )            #   punctuation, a bracket or the end
      | \s+ (?i:về|ngày) (?!\w)                 #   the subject "về ..." or a date "ngày ..."
      | \s+ (?i:và|hoặc) \s+ (?: (?i:{_TYPE_WORD}) | (?i:số) | [0-9] )
                                                #   "và" opening the next citation
    )
    """,
    re.VERBOSE,
)

_SECRET = re.compile(r"\s* ,? \s* \( \s* (?i:mật|tối\s+mật|tuyệt\s+mật) \s* \)", re.VERBOSE)

# Where the code ends and the date / issuer / secrecy marking / subject begins.
_HEAD_END = re.compile(r"\s* ,? \s* (?: (?i:ngày|của|về) (?!\w) | \( )", re.VERBOSE)

# What parse_citation tolerates after the last recognised part: final punctuation, or the
# subject of the document ("về việc ...") which is not part of the citation.
_REST_OK = re.compile(r"\s* (?: [.,;] \s* | ,? \s* (?i:về) (?!\w) .* )?", re.VERBOSE | re.DOTALL)

_SEPARATOR = re.compile(r"\s*([-/])\s*")
# Separator sequence of a code -> (system, whether it carries a year).
_SHAPES: dict[str, tuple[str, bool]] = {
    "//-": ("state", True),  # 30/2020/NĐ-CP
    "-/": ("party", False),  # 05-CT/TW
    "/-": ("state", False),  # 05/CT-TTg
}
_HAS_LETTER = re.compile(_LETTER)


# --- Data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """A parsed document citation; ``code`` is the canonical document code."""

    code: str
    system: str
    number: str
    type_code: str
    issuer_code: str
    year: int | None
    issued_on: date | None
    type_name: str | None
    issuer_name: str | None
    is_secret: bool


class _CodeParts(NamedTuple):
    system: str
    number: str
    year: int | None
    type_code: str
    issuer_code: str

    @property
    def code(self) -> str:
        if self.system == "party":
            return f"{self.number}-{self.type_code}/{self.issuer_code}"
        year = f"{self.year}/" if self.year is not None else ""
        return f"{self.number}/{year}{self.type_code}-{self.issuer_code}"


class _Tail(NamedTuple):
    date: re.Match[str] | None
    issuer_name: str | None
    is_secret: bool
    end: int


# --- Public API -----------------------------------------------------------------------------


def parse_citation(text: str) -> Citation:
    """Parse one citation such as "Quy định số 85-QĐ/TW ngày 07/10/2022 của Ban Bí thư"."""
    source = (text or "").strip()
    if not source:
        raise ValidationFailed("Chưa nhập số hiệu văn bản.")
    normal = _normalise(source)
    lead = _LEAD.match(normal)
    assert lead is not None  # every part of the lead is optional
    code = _CODE.match(normal, lead.end())
    if code is None:
        _diagnose(normal, lead.end(), source)
    parts = _split_code(code["code"], source)
    tail = _read_tail(normal, code.end(), proper_names_only=False)
    rest = normal[tail.end :]
    if not _REST_OK.fullmatch(rest):
        raise ValidationFailed(
            "Không hiểu phần “%(rest)s” trong trích dẫn văn bản: %(text)s",
            rest=rest.strip(),
            text=source,
        )
    return _build(parts, lead["word"], tail, _make_date(tail.date, source))


def find_citations(text: str) -> list[Citation]:
    """Return the well-formed citations of a paragraph in order of appearance, one per code."""
    normal = _normalise(text or "")
    found: dict[str, Citation] = {}
    for match in _FIND.finditer(normal):
        citation = _citation_at(normal, match)
        if citation is None:
            continue
        earlier = found.get(citation.code)
        found[citation.code] = citation if earlier is None else _merge(earlier, citation)
    return list(found.values())


def canonical_code(text: str) -> str:
    """Return the canonical code of one citation ("05 - ct / tw" -> "05-CT/TW")."""
    return parse_citation(text).code


def format_citation(c: Citation) -> str:
    """Write a citation the way Party documents do: "Quy định số 85-QĐ/TW ngày 07/10/2022 ..."."""
    parts = [f"{c.type_name} số {c.code}" if c.type_name else f"Số {c.code}"]
    if c.issued_on is not None:
        parts.append(f"ngày {c.issued_on.day:02d}/{c.issued_on.month:02d}/{c.issued_on.year}")
    if c.issuer_name:
        parts.append(f"của {c.issuer_name}")
    if c.is_secret:
        parts.append("(Mật)")
    return " ".join(parts)


# --- Helpers --------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    """Compose to NFC and replace look-alike letters, dashes, slashes and spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _STROKED_D.sub(lambda m: "Đ" if m[1] == "D" else "đ", text)
    return text.translate(_CHAR_FIXES)


def _read_tail(text: str, pos: int, proper_names_only: bool) -> _Tail:
    """Read the date, "của <issuer>" and "(Mật)" parts following a code, in any order."""
    found: dict[str, re.Match[str]] = {}
    progress = True
    while progress:
        progress = False
        for name, pattern in (("date", _DATE), ("issuer", _ISSUER), ("secret", _SECRET)):
            match = None if name in found else pattern.match(text, pos)
            if match is None:
                continue
            if name == "issuer" and proper_names_only and not match["name"][0].isupper():
                continue  # "của các cấp ủy" in running text is not an issuing body
            found[name], pos, progress = match, match.end(), True
    issuer = found.get("issuer")
    return _Tail(found.get("date"), issuer["name"] if issuer else None, "secret" in found, pos)


def _citation_at(text: str, match: re.Match[str]) -> Citation | None:
    """Build the citation found by _FIND, or None when its code is malformed."""
    source = match.group(0).strip()
    values = _SEPARATOR.split(match["code"])[0::2]
    if not all(value[:1].isupper() for value in values[-2:]):
        return None  # in running text, type and issuer must be written as capitals
    try:
        parts = _split_code(match["code"], source)
    except ValidationFailed:
        return None
    tail = _read_tail(text, match.end(), proper_names_only=True)
    try:
        issued_on = _make_date(tail.date, source)
    except ValidationFailed:
        issued_on = None  # keep the citation, drop the impossible date
    return _build(parts, match["word"], tail, issued_on)


def _merge(first: Citation, later: Citation) -> Citation:
    """Keep the first occurrence, completing what it lacks from a later one."""
    return replace(
        first,
        issued_on=first.issued_on or later.issued_on,
        year=first.year if first.year is not None else later.year,
        type_name=first.type_name or later.type_name,
        issuer_name=first.issuer_name or later.issuer_name,
        is_secret=first.is_secret or later.is_secret,
    )


def _build(parts: _CodeParts, word: str | None, tail: _Tail, issued_on: date | None) -> Citation:
    """Assemble a Citation from a checked code, the leading type word and the tail parts."""
    year = parts.year if parts.year is not None else (issued_on.year if issued_on else None)
    return Citation(
        code=parts.code,
        system=parts.system,
        number=parts.number,
        type_code=parts.type_code,
        issuer_code=parts.issuer_code,
        year=year,
        issued_on=issued_on,
        type_name=_type_name(word, parts),
        issuer_name=tail.issuer_name,
        is_secret=tail.is_secret,
    )


def type_word(type_code: str, *, state: bool = False) -> str | None:
    """The Vietnamese word of a type code ("NQ" -> "Nghị quyết"); a state document's own word first
    ("TT" is a Thông tư there, a Thông tri in the Party's documents). None when unknown."""
    if state and type_code in _STATE_TYPE_NAMES:
        return _STATE_TYPE_NAMES[type_code]
    return TYPE_NAMES.get(type_code) or _STATE_TYPE_NAMES.get(type_code)


def _type_name(word: str | None, parts: _CodeParts) -> str | None:
    """The written type word if any, else the name of the type code (None when unknown)."""
    if word:
        return _TYPE_WORDS[" ".join(word.lower().split())]
    if parts.system == "state" and parts.type_code in _STATE_TYPE_NAMES:
        return _STATE_TYPE_NAMES[parts.type_code]
    return TYPE_NAMES.get(parts.type_code)


def _make_date(match: re.Match[str] | None, source: str) -> date | None:
    """Turn a matched "ngày ..." into a date, refusing days that do not exist."""
    if match is None:
        return None
    day = int(match["day"] or match["day_w"])
    month = int(match["month"] or match["month_w"])
    year = int(match["year"] or match["year_w"])
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationFailed(
            "Ngày ban hành “%(date)s” không phải là ngày có thật: %(text)s",
            date=match["date"],
            text=source,
        ) from None


# --- Code checks ----------------------------------------------------------------------------


def _split_code(code: str, source: str) -> _CodeParts:
    """Split a code into its parts, checking each; raise ValidationFailed naming the fault."""
    pieces = _SEPARATOR.split(code.strip())
    values, shape = pieces[0::2], "".join(pieces[1::2])
    if not any(_HAS_LETTER.search(value) for value in values[1:]):
        raise ValidationFailed(
            "Không tìm thấy số hiệu văn bản (dạng 05-CT/TW hoặc 30/2020/NĐ-CP) trong: %(text)s",
            text=source,
        )
    number = _check_number(values[0], source)
    # Extra hyphens at the end belong to the issuer ("TTLT-BTC-BNV"), which _check_issuer refuses.
    known = next((s for s in _SHAPES if shape.startswith(s) and not shape[len(s) :].strip("-")), "")
    if not known:
        if shape in ("-", "/", "//"):
            raise ValidationFailed(_MISSING_ISSUER, text=source)
        raise ValidationFailed("Số hiệu văn bản không hợp lệ: %(text)s", text=source)
    system, has_year = _SHAPES[known]
    year = _check_year(values[1], source) if has_year else None
    at = 2 if has_year else 1  # index of the type code among the values
    type_code = _check_type(values[at], source)
    issuer_code = _check_issuer("-".join(values[at + 1 :]), source)
    return _CodeParts(system, number, year, type_code, issuer_code)


def _check_number(number: str, source: str) -> str:
    """The document number: digits, not zero, leading zeros kept."""
    if not number:
        raise ValidationFailed("Số hiệu văn bản thiếu số thứ tự: %(text)s", text=source)
    if not re.fullmatch("[0-9]+", number):
        raise ValidationFailed(
            "Số thứ tự “%(number)s” của văn bản phải là chữ số: %(text)s",
            number=number,
            text=source,
        )
    if int(number) == 0:
        raise ValidationFailed("Số thứ tự văn bản phải lớn hơn 0: %(text)s", text=source)
    return number


def _check_year(year: str, source: str) -> int:
    """The year of a State code: four digits between 1945 and 2100."""
    if not re.fullmatch("[0-9]{4}", year) or not _MIN_STATE_YEAR <= int(year) <= _MAX_STATE_YEAR:
        raise ValidationFailed(
            "Năm “%(year)s” trong số hiệu phải từ %(low)s đến %(high)s: %(text)s",
            year=year,
            low=_MIN_STATE_YEAR,
            high=_MAX_STATE_YEAR,
            text=source,
        )
    return int(year)


def _check_type(type_code: str, source: str) -> str:
    """The type code: 1 to 5 letters, upper-cased except the lower-case letters of QĐi, CTr, TTr."""
    if not type_code:
        raise ValidationFailed("Số hiệu văn bản thiếu loại văn bản: %(text)s", text=source)
    if not re.fullmatch(rf"{_LETTER}{{1,5}}", type_code):
        raise ValidationFailed(
            "Loại văn bản “%(type)s” phải gồm từ 1 đến 5 chữ cái: %(text)s",
            type=type_code,
            text=source,
        )
    return _TYPE_CANON.get(type_code.upper(), type_code.upper())


def _check_issuer(issuer: str, source: str) -> str:
    """The issuer code: 1 to 12 letters, no space or hyphen, upper-cased except "TTg"."""
    if not issuer:
        raise ValidationFailed(_MISSING_ISSUER, text=source)
    if not re.fullmatch(rf"{_LETTER}{{1,12}}", issuer):
        raise ValidationFailed(
            "Cơ quan ban hành “%(issuer)s” phải gồm từ 1 đến 12 chữ cái, "
            "không dấu cách hay gạch nối: %(text)s",
            issuer=issuer,
            text=source,
        )
    return _ISSUER_CANON.get(issuer.upper(), issuer.upper())


def _diagnose(text: str, pos: int, source: str) -> NoReturn:
    """Explain why no well-formed code follows the type word: always raises ValidationFailed."""
    end = _HEAD_END.search(text, pos)
    _split_code(text[pos : end.start() if end else len(text)], source)
    raise ValidationFailed("Số hiệu văn bản không hợp lệ: %(text)s", text=source)
