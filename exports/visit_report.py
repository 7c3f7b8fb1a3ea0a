"""The visit report (báo cáo kết quả kiểm tra) of a delegation, as a Word document.

Reads the visit with its organisations (and their parents), delegation, findings and directives;
load them eagerly before calling (``workflows.documents.load_visit``) so the build runs no query.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import cast

from exports.letterhead import (
    Signature,
    addressed,
    archive_line,
    as_sentence,
    body_date,
    continue_sentence,
    leads_body,
    letterhead_for,
    signature_for,
    standing_committee_of,
)
from exports.official import OfficialDocument
from models import DelegationMember, Directive, Visit
from models.enums import DayPart, DelegationRole, FindingKind, TaskStatus

TYPE_CODE = "BC"
NOTHING_RECORDED = "Đoàn kiểm tra không ghi nhận nội dung này."

DAY_PARTS = {
    DayPart.MORNING: "sáng",
    DayPart.AFTERNOON: "chiều",
    DayPart.EVENING: "tối",
    DayPart.FULL_DAY: "",
}


def build_visit_report(
    visit: Visit,
    *,
    issued_on: date,
    number: str | None = None,
    signature: Signature | None = None,
) -> bytes:
    """Write the delegation's report of ``visit``; ``number`` is the issued symbol, None for a draft."""
    doc = OfficialDocument(draft=number is None)
    issuer = visit.inspecting_org
    doc.letterhead(letterhead_for(issuer, TYPE_CODE, number, issued_on))
    doc.title("BÁO CÁO", report_summary(visit))
    doc.paragraph(opening(visit))
    write_delegation(doc, visit)
    doc.paragraph("Đoàn kiểm tra báo cáo kết quả như sau:")

    doc.heading("I- KẾT QUẢ KIỂM TRA")
    if visit.summary:
        doc.paragraph(visit.summary)
    else:
        doc.paragraph(
            f"Đoàn kiểm tra đã nghe {visit.inspected_org.name} báo cáo, trao đổi và đối chiếu với "
            f"hồ sơ, tài liệu về {visit.subject}{_period(visit)}."
        )
    difficulties = findings_of(visit, FindingKind.DIFFICULTY)
    if difficulties:
        doc.paragraph("Trong kỳ, đơn vị thực hiện nhiệm vụ trong điều kiện có một số khó khăn:")
        doc.dash_items(difficulties)

    doc.heading("II- NHẬN XÉT, ĐÁNH GIÁ")
    doc.subheading("1. Ưu điểm")
    doc.dash_items(findings_of(visit, FindingKind.ACHIEVEMENT), empty=NOTHING_RECORDED)
    doc.subheading("2. Hạn chế, khuyết điểm")
    doc.dash_items(findings_of(visit, FindingKind.LIMITATION), empty=NOTHING_RECORDED)
    causes = findings_of(visit, FindingKind.CAUSE)
    if causes:
        doc.subheading("3. Nguyên nhân")
        doc.dash_items(causes)

    doc.heading("III- ĐỀ XUẤT, KIẾN NGHỊ")
    write_directives(doc, visit.directives, lead_in=f"Đoàn kiểm tra đề nghị {_addressee(visit)}")
    requests = findings_of(visit, FindingKind.HOST_REQUEST)
    if requests:
        doc.paragraph(f"Đối với các kiến nghị của {visit.inspected_org.name}:")
        doc.dash_items(requests)
        doc.paragraph(f"Đoàn kiểm tra báo cáo {issuer.name} xem xét, giải quyết theo thẩm quyền.")

    doc.paragraph(
        f"Trên đây là báo cáo kết quả kiểm tra {visit.subject}{_period(visit)} tại "
        f"{visit.inspected_org.name} của Đoàn kiểm tra {issuer.name}."
    )
    recipients = [r for r in (standing_committee_of(issuer),) if r]
    recipients = [f"{r} (để b/c)" for r in recipients]
    recipients += [visit.inspected_org.name, "Các thành viên Đoàn kiểm tra"]
    doc.closing(recipients, archive_line(issuer), signature or delegation_signature(visit))
    return doc.to_bytes()


ROLE_WORDS = {
    DelegationRole.HEAD: "Trưởng Đoàn",
    DelegationRole.DEPUTY_HEAD: "Phó Trưởng Đoàn",
    DelegationRole.MEMBER: "Thành viên",
    DelegationRole.SECRETARY: "Thư ký",
}


def delegation(visit: Visit) -> list[DelegationMember]:
    """The inspecting side in the order of their roles (head, deputies, members, secretary)."""
    rank = list(ROLE_WORDS)
    members = [m for m in visit.members if m.role in ROLE_WORDS]
    return sorted(members, key=lambda m: (rank.index(m.role), m.order, m.id or 0))


def write_delegation(doc: OfficialDocument, visit: Visit) -> None:
    """ "Thành phần Đoàn kiểm tra gồm:" and one line per member: role, name, position."""
    members = delegation(visit)
    if not members:
        return
    doc.paragraph("Thành phần Đoàn kiểm tra gồm các đồng chí:")
    doc.dash_items(f"{member_line(m)} – {ROLE_WORDS[m.role]}" for m in members)


def report_summary(visit: Visit) -> list[str]:
    """The two lines under "BÁO CÁO": what was inspected, and where."""
    return [f"kết quả kiểm tra {visit.subject}{_period(visit)}", f"tại {visit.inspected_org.name}"]


def opening(visit: Visit) -> str:
    """Who inspected whom, when, led by whom, and who received the delegation."""
    day_part = DAY_PARTS.get(visit.day_part, "") if visit.day_part else ""
    when = f"{day_part} ngày {body_date(visit.visited_on)}".strip()
    head = visit.head
    led_by = f" do đồng chí {member_line(head)} làm Trưởng Đoàn" if head else ""
    text = (
        f"{carrying_out(visit)}, {when}, Đoàn kiểm tra"
        f"{led_by} đã kiểm tra {visit.subject}{_period(visit)} tại {visit.inspected_org.name}."
    )
    chairs = [m for m in visit.members if m.role is DelegationRole.HOST_CHAIR]
    if chairs:
        names = ", ".join(f"đồng chí {member_line(m)}" for m in chairs)
        text += f" Tiếp và làm việc với Đoàn có {names}."
    return text


def carrying_out(visit: Visit) -> str:
    """ "Thực hiện Quyết định số … của …" when the visit records its decision or plan, else the
    inspecting body's programme; a reference typed without its issuer is the inspecting body's."""
    reference = (visit.decision_ref or "").strip().rstrip(".,;")
    if not reference:
        return f"Thực hiện chương trình, kế hoạch kiểm tra của {visit.inspecting_org.name}"
    if " của " not in f" {reference} ":
        reference += f" của {visit.inspecting_org.name}"
    return f"Thực hiện {reference}"


def member_line(member: DelegationMember) -> str:
    """ "Mạc Đình Huấn, Phó Trưởng Ban Tuyên giáo Tỉnh ủy", with Party titles when recorded."""
    parts = [member.person.full_name]
    if member.person.party_titles:
        parts.append(member.person.party_titles)
    position = member.position_on_day or member.person.position
    if position:
        parts.append(position)
    return ", ".join(parts)


def findings_of(visit: Visit, kind: FindingKind) -> list[str]:
    """The texts of one kind of finding, in their order."""
    return [f.text for f in sorted(visit.findings, key=lambda f: f.order) if f.kind is kind]


def delegation_signature(visit: Visit) -> Signature:
    """The report is the delegation's, written in its voice: its head signs for it
    (``T/M ĐOÀN KIỂM TRA`` / ``TRƯỞNG ĐOÀN``)."""
    head = visit.head
    return Signature(
        title="TRƯỞNG ĐOÀN", authority="T/M ĐOÀN KIỂM TRA", name=head.person.full_name if head else ""
    )


def head_signature(visit: Visit) -> Signature:
    """The head of delegation signs: in the inspecting body's name when they lead it (a deputy head
    of a board signs ``K/T TRƯỞNG BAN``), else for the delegation (``T/M ĐOÀN KIỂM TRA``)."""
    head = visit.head
    if head is None:
        return Signature(title="TRƯỞNG ĐOÀN", authority="T/M ĐOÀN KIỂM TRA")
    position = head.position_on_day or head.person.position
    if leads_body(visit.inspecting_org, position):
        return signature_for(visit.inspecting_org, head.person.full_name, position)
    return Signature(title="TRƯỞNG ĐOÀN", authority="T/M ĐOÀN KIỂM TRA", name=head.person.full_name)


def write_directives(doc: OfficialDocument, directives: Iterable[Directive], *, lead_in: str) -> None:
    """The directives in their order, each opened by its ordinal: "Một là, …"."""
    directives = sorted(directives, key=lambda d: d.number)
    if not directives:
        doc.paragraph(
            f"{lead_in} tiếp tục phát huy những kết quả đạt được; Đoàn kiểm tra không có yêu cầu khác."
        )
        return
    doc.paragraph(f"{lead_in} tập trung thực hiện tốt một số nội dung sau:")
    for directive in directives:
        doc.runs(directive_parts(directive))


def directive_parts(directive: Directive) -> list[tuple[str, str]]:
    """One directive as set pieces: the ordinal in bold, its title, its body, its deadline."""
    parts: list[tuple[str, str]] = [(f"{directive.ordinal}, ", "b")]
    if directive.title:
        parts.append((as_sentence(continue_sentence(directive.title)) + " ", ""))
        parts.append((as_sentence(directive.body), ""))
    else:
        parts.append((as_sentence(continue_sentence(directive.body)), ""))
    deadline = deadline_note(directive)
    if deadline:
        parts.append((f" ({deadline})", "i"))
    return parts


def deadline_note(directive: Directive) -> str:
    """The deadlines the tracker counts for this directive: its tasks' due dates in force, each with
    its lead unit when they differ; the directive's own date or period when no task carries one."""
    dated = [t for t in directive.tasks if t.due_on is not None and t.status is not TaskStatus.CANCELLED]
    days = sorted({cast(date, t.due_on) for t in dated})  # dated: only tasks with a due date
    if len(days) == 1:
        return f"Thời hạn: {body_date(days[0])}."
    if days:
        by_unit = "; ".join(
            f"{t.lead_org.name}: {body_date(cast(date, t.due_on))}"
            for t in sorted(dated, key=lambda t: (t.due_on, t.id))
        )
        return f"Thời hạn: {by_unit}."
    if directive.due_on:
        return f"Thời hạn: {body_date(directive.due_on)}."
    if directive.due_period_label:
        return f"Thời gian thực hiện: {directive.due_period_label}."
    return ""


def _addressee(visit: Visit) -> str:
    return addressed(visit.inspected_org)


def _period(visit: Visit) -> str:
    return f" {visit.period_label}" if visit.period_label else ""
