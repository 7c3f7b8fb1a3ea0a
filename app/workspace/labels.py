"""What each state and kind is called on screen (Vietnamese msgids, English in the catalogue)."""

from __future__ import annotations

import enum

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from models.enums import (
    DayPart,
    DelegationRole,
    ExtensionStatus,
    FindingKind,
    OrgKind,
    Role,
    TaskEventKind,
    TaskStatus,
    Timeliness,
    VisitStatus,
)

LABELS: dict[enum.Enum, object] = {
    VisitStatus.PLANNED: _l("Dự kiến"),
    VisitStatus.CONDUCTED: _l("Đã tiến hành"),
    VisitStatus.CONCLUDED: _l("Đã kết luận"),
    VisitStatus.CLOSED: _l("Đã đóng"),
    DayPart.MORNING: _l("Buổi sáng"),
    DayPart.AFTERNOON: _l("Buổi chiều"),
    DayPart.EVENING: _l("Buổi tối"),
    DayPart.FULL_DAY: _l("Cả ngày"),
    DelegationRole.HEAD: _l("Trưởng Đoàn"),
    DelegationRole.DEPUTY_HEAD: _l("Phó Trưởng Đoàn"),
    DelegationRole.MEMBER: _l("Thành viên"),
    DelegationRole.SECRETARY: _l("Thư ký"),
    DelegationRole.HOST_CHAIR: _l("Chủ trì"),
    DelegationRole.HOST_PARTICIPANT: _l("Thành phần"),
    FindingKind.ACHIEVEMENT: _l("Kết quả đạt được"),
    FindingKind.LIMITATION: _l("Hạn chế, khuyết điểm"),
    FindingKind.DIFFICULTY: _l("Khó khăn, vướng mắc"),
    FindingKind.CAUSE: _l("Nguyên nhân"),
    FindingKind.HOST_REQUEST: _l("Kiến nghị của đơn vị"),
    TaskStatus.ASSIGNED: _l("Đã giao"),
    TaskStatus.IN_PROGRESS: _l("Đang thực hiện"),
    TaskStatus.REPORTED: _l("Chờ xác nhận"),
    TaskStatus.RETURNED: _l("Bị trả lại"),
    TaskStatus.DONE: _l("Hoàn thành"),
    TaskStatus.PAUSED: _l("Tạm dừng"),
    TaskStatus.CANCELLED: _l("Đã hủy"),
    Timeliness.ON_TIME: _l("Hoàn thành đúng hạn"),
    Timeliness.LATE: _l("Hoàn thành quá hạn"),
    Timeliness.WITHIN: _l("Trong hạn"),
    Timeliness.DUE_SOON: _l("Sắp đến hạn"),
    Timeliness.OVERDUE: _l("Quá hạn"),
    Timeliness.NO_DEADLINE: _l("Không thời hạn"),
    Timeliness.AWAITING_ON_TIME: _l("Đã báo cáo đúng hạn, chờ xác nhận"),
    Timeliness.AWAITING_LATE: _l("Đã báo cáo quá hạn, chờ xác nhận"),
    ExtensionStatus.PENDING: _l("Chờ quyết định"),
    ExtensionStatus.APPROVED: _l("Đồng ý"),
    ExtensionStatus.REFUSED: _l("Không đồng ý"),
    OrgKind.PARTY_COMMITTEE: _l("Cấp ủy"),
    OrgKind.PARTY_BOARD: _l("Ban, cơ quan Đảng"),
    OrgKind.GOVERNMENT: _l("Ủy ban nhân dân"),
    OrgKind.STATE_OFFICE: _l("Cơ quan, đơn vị nhà nước"),
    OrgKind.MASS_ORGANISATION: _l("Mặt trận, đoàn thể"),
    OrgKind.OTHER: _l("Khác"),
    Role.ADMIN: _l("Quản trị"),
    Role.INSPECTOR: _l("Cán bộ kiểm tra"),
    Role.OFFICE: _l("Văn phòng đơn vị"),
    Role.LEADER: _l("Lãnh đạo"),
    TaskEventKind.CREATED: _l("Giao nhiệm vụ"),
    TaskEventKind.STATUS_CHANGED: _l("Đổi trạng thái"),
    TaskEventKind.PROGRESS: _l("Cập nhật tiến độ"),
    TaskEventKind.COMMENT: _l("Ghi chú"),
    TaskEventKind.EXTENSION_REQUESTED: _l("Xin gia hạn"),
    TaskEventKind.EXTENSION_DECIDED: _l("Quyết định gia hạn"),
    TaskEventKind.REMINDER_SENT: _l("Nhắc hạn"),
    TaskEventKind.ESCALATED: _l("Báo cáo lãnh đạo"),
}


def label(value: enum.Enum | None) -> str:
    """The screen name of a state or kind ("" for None), translated once per request.

    A list shows the same few labels on every row; looking each up in the catalogue again costs more
    than the rest of the row.
    """
    if value is None:
        return ""
    if not has_request_context():
        return str(LABELS.get(value, value.value))
    cache = request.environ.setdefault("kiemtra.labels", {})
    if value not in cache:
        cache[value] = str(LABELS.get(value, value.value))
    return cache[value]


def choices(enum_class: type[enum.Enum], members: object = None) -> list[SelectChoice]:
    """Select options for an enum's members (all of them unless ``members`` names some)."""
    chosen = list(members) if members is not None else list(enum_class)  # type: ignore[call-overload]
    return [SelectChoice(member.value, LABELS.get(member, member.value)) for member in chosen]
