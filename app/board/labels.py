"""Words shown for states, categories and history entries on the board's pages."""

from __future__ import annotations

from types import SimpleNamespace

from flask_babel import lazy_gettext as _l

from models.enums import TaskEventKind, TaskStatus

STATUS = {
    TaskStatus.ASSIGNED.value: _l("Đã giao"),
    TaskStatus.IN_PROGRESS.value: _l("Đang thực hiện"),
    TaskStatus.REPORTED.value: _l("Chờ xác nhận"),
    TaskStatus.RETURNED.value: _l("Bị trả lại"),
    TaskStatus.DONE.value: _l("Hoàn thành"),
    TaskStatus.PAUSED.value: _l("Tạm dừng"),
    TaskStatus.CANCELLED.value: _l("Đã hủy"),
    "open": _l("Chưa hoàn thành (mọi trạng thái)"),
}

STATUS_BADGE = {
    TaskStatus.ASSIGNED.value: "text-bg-secondary",
    TaskStatus.IN_PROGRESS.value: "text-bg-primary",
    TaskStatus.REPORTED.value: "text-bg-info",
    TaskStatus.RETURNED.value: "text-bg-warning",
    TaskStatus.DONE.value: "text-bg-success",
    TaskStatus.PAUSED.value: "text-bg-light border",
    TaskStatus.CANCELLED.value: "text-bg-dark",
}

TIMELINESS = {
    "overdue": _l("Quá hạn"),
    "due_soon": _l("Sắp đến hạn"),
    "within": _l("Trong hạn"),
    "open_within": _l("Chưa hoàn thành, trong hạn"),
    "on_time": _l("Hoàn thành đúng hạn"),
    "late": _l("Hoàn thành quá hạn"),
    "done": _l("Đã hoàn thành"),
    "no_deadline": _l("Không thời hạn"),
    "awaiting_on_time": _l("Đã báo cáo đúng hạn, chờ xác nhận"),
    "awaiting_late": _l("Đã báo cáo quá hạn, chờ xác nhận"),
    "awaiting": _l("Chờ xác nhận"),
}

# The chips at the top of the task list, in the order a user reads them.
CHIPS = ("overdue", "due_soon", "within", "awaiting", "on_time", "late", "no_deadline")

EVENT = {
    TaskEventKind.CREATED.value: _l("Giao nhiệm vụ"),
    TaskEventKind.STATUS_CHANGED.value: _l("Chuyển trạng thái"),
    TaskEventKind.PROGRESS.value: _l("Cập nhật tiến độ"),
    TaskEventKind.COMMENT.value: _l("Ý kiến"),
    TaskEventKind.EXTENSION_REQUESTED.value: _l("Đề nghị gia hạn"),
    TaskEventKind.EXTENSION_DECIDED.value: _l("Quyết định gia hạn"),
    TaskEventKind.REMINDER_SENT.value: _l("Nhắc hạn"),
    TaskEventKind.ESCALATED.value: _l("Báo cáo lãnh đạo"),
}

EXTENSION = {
    "pending": _l("Chờ quyết định"),
    "approved": _l("Đồng ý"),
    "refused": _l("Không đồng ý"),
}


def file_size(size: int) -> str:
    """A file size as people read it: "850 KB", "1,4 MB"."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def resolved() -> SimpleNamespace:
    """Every label in the current language, translated once for a page that shows them many times."""
    return SimpleNamespace(
        STATUS={key: str(label) for key, label in STATUS.items()},
        STATUS_BADGE=STATUS_BADGE,
        TIMELINESS={key: str(label) for key, label in TIMELINESS.items()},
        CHIPS=CHIPS,
        EVENT={key: str(label) for key, label in EVENT.items()},
        EXTENSION={key: str(label) for key, label in EXTENSION.items()},
        file_size=file_size,
    )
