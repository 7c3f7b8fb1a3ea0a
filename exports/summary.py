"""The leadership summary over a period and an organisation subtree, as a Word document.

It takes the facts gathered by ``workflows.documents.summary_facts`` (imported for type checking
only: this module runs no query and imports nothing from ``workflows``): the visits of the period,
the Government Office's timeliness table per lead unit with both rates, a chart, the overdue tasks
and the limitations found at several units.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from exports.charts import timeliness_bars
from exports.letterhead import (
    Signature,
    archive_line,
    body_date,
    letterhead_for,
    party_organisation_name,
    signature_for,
    standing_committee_of,
)
from exports.official import OfficialDocument
from exports.ooxml import Column
from models import Organization
from models.enums import OrgKind

if TYPE_CHECKING:
    from workflows.documents import SummaryFacts
    from workflows.timeliness import TimelinessCounts

TYPE_CODE = "BC"
CHART_UNITS = 15  # the chart shows the units with most tasks; the table lists them all

TABLE_PT = 11

VISIT_COLUMNS = [
    Column("STT", 10, centred=True),
    Column("Ngày", 22, centred=True),
    Column("Đơn vị được kiểm tra", 40),
    Column("Cơ quan kiểm tra", 36),
    Column("Nội dung", 42),
    Column("Số yêu cầu", 15, centred=True),
]
# The Government Office's 2×2 form, then the two rates.
UNIT_COLUMNS = [
    Column("STT", 9, centred=True),
    Column("Đơn vị chủ trì", 34),
    Column("Tổng số", 12, centred=True),
    Column("Đúng hạn", 12, centred=True),
    Column("Quá hạn", 12, centred=True),
    Column("Trong hạn", 12, centred=True),
    Column("Quá hạn", 12, centred=True),
    Column("Chờ xác nhận", 13, centred=True),
    Column("Không thời hạn", 13, centred=True),
    Column("(1)", 18, centred=True),  # "100,0%" on one line at 11 pt
    Column("(2)", 18, centred=True),
]
UNIT_GROUPS = [
    (None, 1),
    (None, 1),
    (None, 1),
    ("Đã hoàn thành", 2),
    ("Chưa hoàn thành", 3),
    (None, 1),
    ("Tỷ lệ hoàn thành", 2),
]
OVERDUE_COLUMNS = [
    Column("STT", 10, centred=True),
    Column("Nhiệm vụ", 47),
    Column("Đơn vị chủ trì", 32),
    Column("Yêu cầu", 37),
    Column("Hạn", 22, centred=True),
    Column("Số ngày quá hạn", 17, centred=True),
]


def build_summary(
    facts: SummaryFacts,
    *,
    issuer: Organization,
    issued_on: date,
    number: str | None = None,
    signature: Signature | None = None,
) -> bytes:
    """Write the leadership summary of ``facts``; ``number`` is None for a draft."""
    doc = OfficialDocument(draft=number is None)
    doc.letterhead(letterhead_for(issuer, TYPE_CODE, number, issued_on))
    period = f"từ ngày {body_date(facts.period_start)} đến ngày {body_date(facts.period_end)}"
    where = scope_phrase(facts.scope)
    doc.title("BÁO CÁO", ["tình hình kiểm tra và thực hiện kết luận kiểm tra", where, period])

    doc.heading("I- CÔNG TÁC KIỂM TRA")
    if facts.visits:
        doc.paragraph(
            f"Trong kỳ báo cáo, các cơ quan đã tiến hành {len(facts.visits)} cuộc kiểm tra tại "
            f"{facts.scope.name} và các đơn vị trực thuộc, nêu {facts.directive_count} yêu cầu đối với "
            "các đơn vị được kiểm tra, cụ thể như sau:"
        )
        doc.table(
            VISIT_COLUMNS,
            (
                [str(i), body_date(v.visited_on), v.inspected, v.inspecting, v.subject, str(v.directives)]
                for i, v in enumerate(facts.visits, start=1)
            ),
            font_pt=TABLE_PT,
        )
    else:
        doc.paragraph("Trong kỳ báo cáo không có cuộc kiểm tra nào.")

    doc.heading("II- TÌNH HÌNH THỰC HIỆN NHIỆM VỤ")
    totals = facts.totals
    if totals.total:
        doc.paragraph(
            f"Tính đến ngày {body_date(facts.as_of)}, có {totals.total} nhiệm vụ được giao để thực hiện kết "
            f"luận kiểm tra (không tính nhiệm vụ đã hủy). Đã hoàn thành {totals.done} nhiệm vụ, trong đó "
            f"{totals.on_time} nhiệm vụ đúng hạn và {totals.late} nhiệm vụ quá hạn; chưa hoàn thành "
            f"{totals.open_within} nhiệm vụ còn trong hạn (trong đó {totals.due_soon} nhiệm vụ sắp đến hạn) "
            f"và {totals.overdue} nhiệm vụ đã quá hạn"
            + (f"; {totals.no_deadline} nhiệm vụ không có thời hạn." if totals.no_deadline else ".")
        )
        doc.paragraph(
            f"Tỷ lệ hoàn thành (1) đạt {percent(totals.completion_rate)}; tỷ lệ hoàn thành trên tổng số "
            f"nhiệm vụ (2) đạt {percent(totals.share('done'))}. Nếu tính theo hạn được giao ban đầu, trước "
            f"khi gia hạn, có {totals.on_time_original} nhiệm vụ hoàn thành đúng hạn."
        )
        rows = [_unit_row(str(i), line.name, line.counts) for i, line in enumerate(facts.units, start=1)]
        rows.append(_unit_row("", "Tổng cộng", totals))
        doc.table(UNIT_COLUMNS, rows, groups=UNIT_GROUPS, font_pt=TABLE_PT, bold_last=True)
        doc.paragraph(
            "(1) Số nhiệm vụ đã hoàn thành trên tổng số nhiệm vụ đã hoàn thành và nhiệm vụ chưa hoàn thành "
            "đã quá hạn. (2) Số nhiệm vụ đã hoàn thành trên tổng số nhiệm vụ được giao.",
            italic=True,
        )
        busiest = sorted(facts.units, key=lambda line: -line.counts.total)[:CHART_UNITS]
        doc.picture(
            timeliness_bars(
                [(line.name, line.counts) for line in busiest],
                title="Tình hình thực hiện nhiệm vụ theo đơn vị chủ trì",
                fmt="png",
                for_print=True,
            ),
        )
    else:
        doc.paragraph(f"Tính đến ngày {body_date(facts.as_of)}, chưa có nhiệm vụ nào được giao.")

    doc.heading("III- NHIỆM VỤ QUÁ HẠN CHƯA HOÀN THÀNH")
    if facts.overdue:
        doc.paragraph(f"Còn {len(facts.overdue)} nhiệm vụ đã quá hạn nhưng chưa hoàn thành:")
        doc.table(
            OVERDUE_COLUMNS,
            (
                [
                    str(i),
                    line.title,
                    line.unit,
                    line.directive,
                    body_date(line.due_on),
                    str(line.days_overdue),
                ]
                for i, line in enumerate(facts.overdue, start=1)
            ),
            font_pt=TABLE_PT,
        )
    else:
        doc.paragraph("Không có nhiệm vụ quá hạn chưa hoàn thành.")

    doc.heading("IV- HẠN CHẾ LẶP LẠI Ở NHIỀU ĐƠN VỊ")
    if facts.repeated_limitations:
        doc.paragraph("Qua các cuộc kiểm tra trong kỳ, một số hạn chế được chỉ ra ở nhiều đơn vị:")
        doc.dash_items(
            f"{item.text} ({len(item.units)} đơn vị: {', '.join(item.units)})"
            for item in facts.repeated_limitations
        )
    else:
        doc.paragraph("Trong kỳ không có hạn chế nào được chỉ ra ở từ hai đơn vị trở lên.")

    doc.heading("V- KIẾN NGHỊ, ĐỀ XUẤT")
    doc.dash_items(recommendations(facts))

    doc.paragraph(f"Trên đây là báo cáo tình hình kiểm tra và thực hiện kết luận kiểm tra {where} {period}.")
    doc.closing(
        recipients_of(facts, issuer), archive_line(issuer), signature or signature_for(issuer, "", None)
    )
    return doc.to_bytes()


MAX_LISTED_UNITS = 6  # more lead units than this are addressed together


def scope_phrase(scope: Organization) -> str:
    """Where the visits took place: "trong Đảng bộ tỉnh Bình Phước" for a committee's subtree (its
    communes, districts and boards), "tại <body> và các đơn vị trực thuộc" for another body."""
    if scope.kind is OrgKind.PARTY_COMMITTEE:
        return f"trong {party_organisation_name(scope)}"
    return f"tại {scope.name} và các đơn vị trực thuộc"


def recipients_of(facts: SummaryFacts, issuer: Organization) -> list[str]:
    """Whom the summary goes to: the level above (or the issuing committee's standing board), then
    the lead units it reports on."""
    recipients = [f"{r} (để b/c)" for r in (standing_committee_of(issuer),) if r]
    if not recipients and issuer.kind is OrgKind.PARTY_COMMITTEE:
        recipients.append(f"Các đồng chí Ủy viên Ban Thường vụ {issuer.name}")
    if facts.scope.id != issuer.id:
        recipients.append(facts.scope.name)
    units = [line.name for line in facts.units if line.name not in (issuer.name, facts.scope.name)]
    if len(units) > MAX_LISTED_UNITS:
        recipients.append("Các đơn vị chủ trì thực hiện nhiệm vụ (để thực hiện)")
    else:
        recipients += [f"{name} (để thực hiện)" for name in units]
    return recipients


def recommendations(facts: SummaryFacts) -> list[str]:
    """What the report asks for, from what it found: overdue tasks by unit, tasks due soon,
    limitations found at several units, and the follow-up that goes on."""
    items = []
    late_units = [line for line in facts.units if line.counts.overdue]
    if late_units:
        names = ", ".join(line.name for line in sorted(late_units, key=lambda line: -line.counts.overdue)[:5])
        more = " và các đơn vị khác" if len(late_units) > 5 else ""
        items.append(
            f"Đề nghị {names}{more} khẩn trương hoàn thành {facts.totals.overdue} nhiệm vụ đã quá hạn, "
            "báo cáo rõ nguyên nhân chậm trễ và thời gian hoàn thành."
        )
    if facts.totals.due_soon:
        items.append(
            f"Các đơn vị chủ trì tập trung hoàn thành {facts.totals.due_soon} nhiệm vụ sắp đến hạn, "
            "không để phát sinh thêm nhiệm vụ quá hạn."
        )
    if facts.repeated_limitations:
        items.append(
            "Các cấp ủy, đơn vị chủ động rà soát, khắc phục những hạn chế đã được chỉ ra ở nhiều đơn vị "
            "(mục IV), kể cả ở đơn vị chưa được kiểm tra."
        )
    items.append(
        "Các cơ quan kiểm tra tiếp tục theo dõi, đôn đốc, kiểm tra việc thực hiện kết luận kiểm tra; "
        "kịp thời báo cáo những vướng mắc vượt thẩm quyền."
    )
    return items


def percent(rate: float | None) -> str:
    """A rate as Vietnamese write it: 98,6%; a dash when there is nothing to divide."""
    return "—" if rate is None else f"{rate * 100:.1f}%".replace(".", ",")


def _unit_row(index: str, name: str, counts: TimelinessCounts) -> list[str]:
    return [
        index,
        name,
        str(counts.total),
        str(counts.on_time),
        str(counts.late),
        str(counts.open_within),
        str(counts.overdue),
        str(counts.awaiting),
        str(counts.no_deadline),
        percent(counts.completion_rate),
        percent(counts.share("done")),
    ]
