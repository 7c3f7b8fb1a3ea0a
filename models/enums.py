"""The states and kinds of kiemtra's records; stored by value, never as bare strings in code."""

from __future__ import annotations

import enum


class OrgKind(enum.StrEnum):
    PARTY_COMMITTEE = "party_committee"  # Tỉnh ủy, Huyện ủy, Đảng ủy
    PARTY_BOARD = "party_board"  # Ban Tuyên giáo, Ủy ban Kiểm tra, Văn phòng cấp ủy
    GOVERNMENT = "government"  # UBND
    STATE_OFFICE = "state_office"  # phòng, sở, trung tâm
    MASS_ORGANISATION = "mass_organisation"  # Mặt trận, đoàn thể
    OTHER = "other"


class Role(enum.StrEnum):
    ADMIN = "admin"
    INSPECTOR = "inspector"
    OFFICE = "office"
    LEADER = "leader"


class VisitStatus(enum.StrEnum):
    PLANNED = "planned"
    CONDUCTED = "conducted"
    CONCLUDED = "concluded"
    CLOSED = "closed"


class DayPart(enum.StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    FULL_DAY = "full_day"


class DelegationSide(enum.StrEnum):
    INSPECTING = "inspecting"
    HOST = "host"


class DelegationRole(enum.StrEnum):
    HEAD = "head"  # Trưởng Đoàn
    DEPUTY_HEAD = "deputy_head"  # Phó Trưởng Đoàn
    MEMBER = "member"  # Thành viên
    SECRETARY = "secretary"  # Thư ký
    HOST_CHAIR = "host_chair"  # Chủ trì (host side)
    HOST_PARTICIPANT = "host_participant"  # Thành phần (host side)


INSPECTING_ROLES = frozenset(
    {DelegationRole.HEAD, DelegationRole.DEPUTY_HEAD, DelegationRole.MEMBER, DelegationRole.SECRETARY}
)
HOST_ROLES = frozenset({DelegationRole.HOST_CHAIR, DelegationRole.HOST_PARTICIPANT})


class FindingKind(enum.StrEnum):
    ACHIEVEMENT = "achievement"
    LIMITATION = "limitation"
    DIFFICULTY = "difficulty"
    CAUSE = "cause"
    HOST_REQUEST = "host_request"


class LegalSystem(enum.StrEnum):
    PARTY = "party"
    STATE = "state"


class TaskStatus(enum.StrEnum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    REPORTED = "reported"
    RETURNED = "returned"
    DONE = "done"
    PAUSED = "paused"
    CANCELLED = "cancelled"


OPEN_TASK_STATUSES = frozenset(
    {
        TaskStatus.ASSIGNED,
        TaskStatus.IN_PROGRESS,
        TaskStatus.REPORTED,
        TaskStatus.RETURNED,
        TaskStatus.PAUSED,
    }
)


# The states in which the lead unit still works on a task: progress, report, ask for more time.
WORKING_TASK_STATUSES = frozenset({TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED})
# The states from which the inspecting side may pause a task (and, with PAUSED, cancel it).
PAUSABLE_TASK_STATUSES = WORKING_TASK_STATUSES | {TaskStatus.REPORTED}
CANCELLABLE_TASK_STATUSES = PAUSABLE_TASK_STATUSES | {TaskStatus.PAUSED}


class Timeliness(enum.StrEnum):
    """The Government Office's categories, derived from dates and never stored."""

    ON_TIME = "on_time"
    LATE = "late"
    WITHIN = "within"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NO_DEADLINE = "no_deadline"
    AWAITING_ON_TIME = "awaiting_on_time"  # reported by the due date, not yet verified
    AWAITING_LATE = "awaiting_late"  # reported after the due date, not yet verified


class TimelinessGroup(enum.StrEnum):
    """A column of timeliness counts over many tasks; values name ``TimelinessCounts`` attributes."""

    ON_TIME = "on_time"
    LATE = "late"
    OPEN_WITHIN = "open_within"  # open and not overdue, due soon included
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NO_DEADLINE = "no_deadline"


class TaskEventKind(enum.StrEnum):
    CREATED = "created"
    STATUS_CHANGED = "status_changed"
    PROGRESS = "progress"
    COMMENT = "comment"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_DECIDED = "extension_decided"
    REMINDER_SENT = "reminder_sent"
    ESCALATED = "escalated"


class RecurrencePeriod(enum.StrEnum):
    """How often a recurring report duty falls due (models/recurrence.py computes its periods)."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"


class ExtensionStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class NotificationKind(enum.StrEnum):
    ASSIGNED = "assigned"
    DUE_IN_7 = "due_in_7"
    DUE_IN_3 = "due_in_3"
    DUE_IN_1 = "due_in_1"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    RETURNED = "returned"
    REPORTED = "reported"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_DECIDED = "extension_decided"


class NewsStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class DocumentKind(enum.StrEnum):
    VISIT_REPORT = "visit_report"
    CONCLUSION = "conclusion"
    SUMMARY = "summary"
    FOLLOWUP = "followup"
    CORRECTION = "correction"  # a đính chính of an issued report or conclusion (workflows.corrections)


class JobRunStatus(enum.StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
