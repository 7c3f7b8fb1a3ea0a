"""The display word and the colour of every state and kind: one table, read through ``label()``.

Each word is a Vietnamese message id, marked with ``N_`` so that ``pybabel extract`` (see babel.cfg)
puts it in the catalogue; nothing is translated when this module is imported. ``label()`` translates
at call time in the interface language, so pages, the CLI, e-mails (under ``force_locale``), charts
and documents all read the same word. This module lives in ``models/`` because ``exports/`` may
import only models; it reaches Flask-Babel's ``gettext`` only when called, never a request global.
"""

from __future__ import annotations

import enum

from models.enums import (
    DayPart,
    DelegationRole,
    DelegationSide,
    DocumentKind,
    ExtensionStatus,
    FindingKind,
    JobRunStatus,
    LegalSystem,
    NewsStatus,
    NotificationKind,
    OrgKind,
    RecurrencePeriod,
    Role,
    TaskEventKind,
    TaskStatus,
    Timeliness,
    TimelinessGroup,
    VisitStatus,
)

SOURCE_LANGUAGE = "vi"


def N_(message: str) -> str:
    """Mark a message id for extraction without translating it (translation happens in ``label()``)."""
    return message


class Word(str):
    """A message id with a context, for a Vietnamese word whose English differs with its use."""

    context: str

    def __new__(cls, context: str, message: str) -> Word:
        word = super().__new__(cls, message)
        word.context = context
        return word


def P_(context: str, message: str) -> Word:
    """Mark a message id with its context (``msgctxt`` in the catalogue), translated in ``label()``."""
    return Word(context, message)


LABELS: dict[type[enum.Enum], dict[enum.Enum, str]] = {
    OrgKind: {
        OrgKind.PARTY_COMMITTEE: N_("Cấp ủy"),
        OrgKind.PARTY_BOARD: N_("Ban, cơ quan Đảng"),
        OrgKind.GOVERNMENT: N_("Ủy ban nhân dân"),
        OrgKind.STATE_OFFICE: N_("Cơ quan, đơn vị nhà nước"),
        OrgKind.MASS_ORGANISATION: N_("Mặt trận, đoàn thể"),
        OrgKind.OTHER: N_("Khác"),
    },
    Role: {
        Role.ADMIN: N_("Quản trị"),
        Role.INSPECTOR: N_("Cán bộ kiểm tra"),
        Role.OFFICE: N_("Văn phòng đơn vị"),
        Role.LEADER: N_("Lãnh đạo"),
    },
    VisitStatus: {
        VisitStatus.PLANNED: N_("Dự kiến"),
        VisitStatus.CONDUCTED: N_("Đã tiến hành"),
        VisitStatus.CONCLUDED: N_("Đã kết luận"),
        VisitStatus.CLOSED: N_("Đã đóng"),
    },
    DayPart: {
        DayPart.MORNING: N_("Buổi sáng"),
        DayPart.AFTERNOON: N_("Buổi chiều"),
        DayPart.EVENING: N_("Buổi tối"),
        DayPart.FULL_DAY: N_("Cả ngày"),
    },
    DelegationSide: {
        DelegationSide.INSPECTING: N_("Đoàn kiểm tra"),
        DelegationSide.HOST: N_("Đơn vị được kiểm tra"),
    },
    DelegationRole: {
        DelegationRole.HEAD: N_("Trưởng Đoàn"),
        DelegationRole.DEPUTY_HEAD: N_("Phó Trưởng Đoàn"),
        DelegationRole.MEMBER: N_("Thành viên"),
        DelegationRole.SECRETARY: N_("Thư ký"),
        DelegationRole.HOST_CHAIR: N_("Chủ trì"),
        DelegationRole.HOST_PARTICIPANT: N_("Thành phần"),
    },
    FindingKind: {
        FindingKind.ACHIEVEMENT: N_("Kết quả đạt được"),
        FindingKind.LIMITATION: N_("Hạn chế, khuyết điểm"),
        FindingKind.DIFFICULTY: N_("Khó khăn, vướng mắc"),
        FindingKind.CAUSE: N_("Nguyên nhân"),
        FindingKind.HOST_REQUEST: N_("Kiến nghị của đơn vị"),
    },
    LegalSystem: {
        LegalSystem.PARTY: N_("Văn bản của Đảng"),
        LegalSystem.STATE: N_("Văn bản của Nhà nước"),
    },
    TaskStatus: {
        TaskStatus.ASSIGNED: N_("Đã giao"),
        TaskStatus.IN_PROGRESS: N_("Đang thực hiện"),
        TaskStatus.REPORTED: N_("Chờ xác nhận"),
        TaskStatus.RETURNED: N_("Bị trả lại"),
        TaskStatus.DONE: N_("Hoàn thành"),
        TaskStatus.PAUSED: N_("Tạm dừng"),
        TaskStatus.CANCELLED: N_("Đã hủy"),
    },
    # One task's category: whether it is open or done is already said by its status.
    Timeliness: {
        Timeliness.ON_TIME: N_("Hoàn thành đúng hạn"),
        Timeliness.LATE: N_("Hoàn thành quá hạn"),
        Timeliness.WITHIN: N_("Trong hạn"),
        Timeliness.DUE_SOON: N_("Sắp đến hạn"),
        Timeliness.OVERDUE: N_("Quá hạn"),
        Timeliness.NO_DEADLINE: N_("Không thời hạn"),
        Timeliness.AWAITING_ON_TIME: N_("Đã báo cáo đúng hạn, chờ xác nhận"),
        Timeliness.AWAITING_LATE: N_("Đã báo cáo quá hạn, chờ xác nhận"),
    },
    # A column of counts over many tasks: open ones say that they are open.
    TimelinessGroup: {
        TimelinessGroup.ON_TIME: N_("Hoàn thành đúng hạn"),
        TimelinessGroup.LATE: N_("Hoàn thành quá hạn"),
        TimelinessGroup.OPEN_WITHIN: N_("Chưa hoàn thành, trong hạn"),
        TimelinessGroup.DUE_SOON: N_("Chưa hoàn thành, sắp đến hạn"),
        TimelinessGroup.OVERDUE: N_("Chưa hoàn thành, quá hạn"),
        TimelinessGroup.NO_DEADLINE: N_("Không thời hạn"),
    },
    TaskEventKind: {
        TaskEventKind.CREATED: P_("task history", "Giao nhiệm vụ"),
        TaskEventKind.STATUS_CHANGED: N_("Chuyển trạng thái"),
        TaskEventKind.PROGRESS: N_("Cập nhật tiến độ"),
        TaskEventKind.COMMENT: N_("Ý kiến"),
        TaskEventKind.EXTENSION_REQUESTED: N_("Xin gia hạn"),
        TaskEventKind.EXTENSION_DECIDED: N_("Quyết định gia hạn"),
        TaskEventKind.REMINDER_SENT: N_("Nhắc hạn"),
        TaskEventKind.ESCALATED: N_("Báo cáo lãnh đạo"),
    },
    RecurrencePeriod: {
        RecurrencePeriod.MONTHLY: N_("Hằng tháng"),
        RecurrencePeriod.QUARTERLY: N_("Hằng quý"),
        RecurrencePeriod.HALF_YEARLY: N_("6 tháng một lần"),
        RecurrencePeriod.YEARLY: N_("Hằng năm"),
    },
    ExtensionStatus: {
        ExtensionStatus.PENDING: N_("Chờ quyết định"),
        ExtensionStatus.APPROVED: N_("Đồng ý"),
        ExtensionStatus.REFUSED: N_("Không đồng ý"),
    },
    NotificationKind: {
        NotificationKind.ASSIGNED: N_("Giao mới"),
        NotificationKind.DUE_IN_7: N_("Nhắc hạn"),
        NotificationKind.DUE_IN_3: N_("Sắp đến hạn"),
        NotificationKind.DUE_IN_1: N_("Sắp đến hạn"),
        NotificationKind.OVERDUE: N_("Quá hạn"),
        NotificationKind.ESCALATED: N_("Báo lãnh đạo"),
        NotificationKind.RETURNED: N_("Bị trả lại"),
        NotificationKind.REPORTED: N_("Đã báo cáo"),
        NotificationKind.EXTENSION_REQUESTED: N_("Xin gia hạn"),
        NotificationKind.EXTENSION_DECIDED: N_("Quyết định gia hạn"),
    },
    NewsStatus: {
        NewsStatus.DRAFT: N_("Bản nháp"),
        NewsStatus.PUBLISHED: N_("Đã đăng"),
    },
    JobRunStatus: {
        JobRunStatus.RUNNING: N_("Đang chạy"),
        JobRunStatus.FINISHED: N_("Đã xong"),
        JobRunStatus.FAILED: N_("Lỗi"),
    },
    DocumentKind: {
        DocumentKind.VISIT_REPORT: N_("Báo cáo kết quả kiểm tra"),
        DocumentKind.CONCLUSION: N_("Thông báo kết luận kiểm tra"),
        DocumentKind.SUMMARY: N_("Báo cáo tổng hợp"),
        DocumentKind.FOLLOWUP: N_("Công văn đôn đốc"),
        DocumentKind.CORRECTION: N_("Thông báo đính chính"),
    },
}

# The columns of every table of timeliness counts (home page, dashboard, CLI, documents), in order.
COUNT_COLUMNS = (
    TimelinessGroup.ON_TIME,
    TimelinessGroup.LATE,
    TimelinessGroup.OPEN_WITHIN,
    TimelinessGroup.OVERDUE,
    TimelinessGroup.NO_DEADLINE,
)

# Each enum has its own table: StrEnum members of different enums with the same value are equal
# (TaskStatus.REPORTED == NotificationKind.REPORTED == "reported"), so one flat dict would merge them.

# The CSS class of a state's badge or text (app/static/kiemtra.css): one colour per state.
_CLASS_PREFIX: dict[type[enum.Enum], str] = {
    TaskStatus: "kt-task-",
    VisitStatus: "kt-status-",
    Timeliness: "t-",
    TimelinessGroup: "t-",
    NotificationKind: "kt-note-",
    NewsStatus: "kt-news-",
    ExtensionStatus: "kt-ext-",
}


def label(value: enum.Enum | None, language: str | None = None) -> str:
    """The display word of a state or kind ("" for None) in the interface language.

    ``language="vi"`` gives the Vietnamese word whatever the interface language, for the official
    documents, which are always written in Vietnamese.
    """
    if value is None:
        return ""
    return translate(LABELS[type(value)][value], language)


def translate(message: str, language: str | None = None) -> str:
    """A message id marked with ``N_`` in ``language`` (None: the interface language)."""
    if language == SOURCE_LANGUAGE:
        return str(message)
    from flask_babel import force_locale, gettext, pgettext

    def look_up() -> str:
        if isinstance(message, Word):
            return pgettext(message.context, str(message))
        return gettext(message)

    if language is None:
        return look_up()
    with force_locale(language):
        return look_up()


def css_class(value: enum.Enum | None) -> str:
    """The CSS class that colours a state ("" for a kind without a colour)."""
    if value is None:
        return ""
    prefix = _CLASS_PREFIX.get(type(value))
    if prefix is None:
        return ""
    if isinstance(value, TimelinessGroup) and value is TimelinessGroup.OPEN_WITHIN:
        return "t-within"
    return prefix + str(value.value)
