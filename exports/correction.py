"""The đính chính (thông báo đính chính) of an issued visit report or conclusion notice, as a Word
document in the Party layout of ``exports.official``.

It carries its own number, names the original by its number and date, and lists each change as
"Tại …: “…” nay sửa lại là: “…”". Takes the visit (loaded as for its report), the original from the
register and the changes of ``workflows.corrections``; no query runs here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from exports.conclusion import body_signature
from exports.letterhead import (
    Signature,
    addressed,
    archive_line,
    as_sentence,
    body_date,
    clean,
    letterhead_for,
    standing_committee_of,
)
from exports.official import OfficialDocument
from exports.visit_report import delegation_signature
from models import Visit

TYPE_CODE = "TB"
ORIGINAL_NAMES = {
    "visit_report": "Báo cáo",
    "conclusion": "Thông báo",
}
ORIGINAL_SUBJECTS = {
    "visit_report": "kết quả kiểm tra",
    "conclusion": "kết luận kiểm tra",
}


class Original(Protocol):
    """What the đính chính names of the original (an ``IssuedDocument``)."""

    kind: str
    issued_on: date

    @property
    def symbol(self) -> str: ...


class Change(Protocol):
    """One corrected text (a ``CorrectionChange``)."""

    location: str
    old_value: str | None
    new_value: str | None


def build_correction(
    visit: Visit,
    original: Original,
    changes: Sequence[Change],
    *,
    reason: str,
    issued_on: date,
    number: str | None = None,
    signature: Signature | None = None,
) -> bytes:
    """Write the đính chính of ``original`` (a report or conclusion of ``visit``); ``number`` is the
    issued symbol, None for a draft. It is signed as the original was."""
    doc = OfficialDocument(draft=number is None)
    issuer = visit.inspecting_org
    unit = visit.inspected_org
    name = ORIGINAL_NAMES[original.kind]
    cited = f"{name} số {original.symbol} ngày {body_date(original.issued_on)}"
    period = f" {visit.period_label}" if visit.period_label else ""
    doc.letterhead(letterhead_for(issuer, TYPE_CODE, number, issued_on))
    doc.title("THÔNG BÁO", [f"đính chính {cited}", f"của {issuer.name}"])
    doc.paragraph(
        f"Ngày {body_date(original.issued_on)}, {issuer.name} ban hành {name} số {original.symbol} về "
        f"{ORIGINAL_SUBJECTS[original.kind]} {visit.subject}{period} đối với {unit.name}."
    )
    doc.paragraph(f"Lý do đính chính: {as_sentence(reason)}")
    doc.paragraph(f"{issuer.name} đính chính {cited} như sau:")
    doc.dash_items(change_line(change) for change in changes)
    doc.paragraph(f"Các nội dung khác của {cited} giữ nguyên.")
    doc.paragraph(f"{issuer.name} thông báo để các cơ quan, đơn vị, cá nhân có liên quan biết, thực hiện.")
    recipients = [f"{r} (để b/c)" for r in (standing_committee_of(issuer),) if r]
    recipients += [addressed(unit), "Các thành viên Đoàn kiểm tra"]
    if signature is None:
        signature = delegation_signature(visit) if original.kind == "visit_report" else body_signature(visit)
    doc.closing(recipients, archive_line(issuer), signature)
    return doc.to_bytes()


def change_line(change: Change) -> str:
    """ "Tại phần Ưu điểm, ý thứ 2: “…” nay sửa lại là: “…”." (or "bổ sung" / "bỏ" a whole text)."""
    old, new = clean(change.old_value), clean(change.new_value)
    if not old:
        return f"Tại {change.location}: bổ sung “{new}”."
    if not new:
        return f"Tại {change.location}: bỏ “{old}”."
    return f"Tại {change.location}: “{old}” nay sửa lại là: “{new}”."
