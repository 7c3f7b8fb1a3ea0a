"""The words of a Party document's letterhead and signature block (Hướng dẫn 36-HD/VPTW), and the
text helpers every builder shares.

Who issues (the body, its superior, the Party committee above it), where (the place of the date
line), to whom, who signs with which title; how a pasted text is cleaned, capitalised and dated.
``exports.official`` lays them out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from models import Organization
from models.enums import OrgKind
from models.vntext import official_date_line

DRAFT_NUMBER = " " * 6  # a draft leaves the number blank, to be written in when it is issued

# Characters XML 1.0 cannot carry; pasted text sometimes holds them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

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
