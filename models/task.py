"""A task that carries a directive to a unit, with its log, evidence and extensions (one aggregate)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    CheckConstraint,
    Column,
    ColumnElement,
    Computed,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column, relationship, validates

from models.base import Base, UTCDateTime, enum_column, utcnow
from models.directive import Directive
from models.enums import (
    CANCELLABLE_TASK_STATUSES,
    OPEN_TASK_STATUSES,
    PAUSABLE_TASK_STATUSES,
    WORKING_TASK_STATUSES,
    ExtensionStatus,
    Role,
    TaskEventKind,
    TaskStatus,
)
from models.organization import Organization
from models.recurrence import Recurrence
from models.user import User
from models.vntext import nfc, search_key

# The task list's urgency order without today: working tasks (overdue, due soon and later all sort by
# due date), then reported, done, and the rest; within each, a due date before none. Equal to ranking
# by timeliness on any day (tests/board/test_list_order.py), so one index serves the order every day.
# Working: the open states but reported (timeliness's WORKING_STATUSES, paused included).
_WORKING_SQL = ", ".join(f"'{s.value}'" for s in sorted(OPEN_TASK_STATUSES - {TaskStatus.REPORTED}))
LIST_RANK_SQL = (
    f"CASE WHEN status IN ({_WORKING_SQL}) THEN 0"
    " WHEN status = 'reported' THEN 2 WHEN status = 'done' THEN 4 ELSE 6 END"
    " + CASE WHEN due_on IS NULL THEN 1 ELSE 0 END"
)


def _inspecting_org_of_directive(context: DefaultExecutionContext) -> int | None:
    """The inspecting body of the visit a new task's directive belongs to: the default of every INSERT
    that does not name it (the ORM's flush, the report duties' INSERT … ON CONFLICT)."""
    from models.visit import Visit

    directive_id = context.get_current_parameters().get("directive_id")
    if directive_id is None:
        return None
    query = (
        select(Visit.inspecting_org_id)
        .join(Directive, Directive.visit_id == Visit.id)
        .where(Directive.id == directive_id)
    )
    return context.connection.scalar(query)


_UNITS_OF_TASKS = "_kiemtra_units_of_tasks"


def _units_of_inserted_tasks(context: DefaultExecutionContext) -> dict[int, tuple[int, int | None]]:
    """(lead unit, inspecting body) of every task the INSERT's rows name, read in one statement on
    first use and kept on the execution: an executemany of thousands of rows (the ORM's flush of a
    task's coordinators, a bulk load) reads its tasks once, not twice per row."""
    units = getattr(context, _UNITS_OF_TASKS, None)
    if units is None:
        named = (row.get("task_id") for row in context.compiled_parameters)
        ids: list[int] = sorted({task_id for task_id in named if task_id is not None})
        table = cast(Table, Task.__table__)
        units = {}
        for chunk in (ids[start : start + 500] for start in range(0, len(ids), 500)):
            query = select(table.c.id, table.c.lead_org_id, table.c.inspecting_org_id).where(
                table.c.id.in_(chunk)
            )
            units.update(
                {
                    row.id: (row.lead_org_id, row.inspecting_org_id)
                    for row in context.connection.execute(query)
                }
            )
        setattr(context, _UNITS_OF_TASKS, units)
    return units


def _of_coordinated_task(position: int) -> Any:
    """The default of a coordinating row's kept column: its task's lead unit (``position`` 0) or
    inspecting body (1), for a row inserted without it (the ORM's flush, Core inserts)."""

    def default(context: DefaultExecutionContext) -> int | None:
        task_id = context.get_current_parameters().get("task_id")
        units = _units_of_inserted_tasks(context).get(task_id) if task_id is not None else None
        return None if units is None else units[position]

    return default


task_coordinator = Table(
    "task_coordinator",
    Base.metadata,
    Column("task_id", ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organization.id"), primary_key=True, index=True),
    # Kept: the task's lead unit and inspecting body (``task.lead_org_id``, ``task.inspecting_org_id``),
    # so that the tasks a subtree only coordinates (led and inspected outside it) are found from these
    # rows alone: reading each coordinated task's row visited half the task table in a country. Set on
    # INSERT by the defaults above, moved with the task by the flush hook below; filled by migration
    # 8b4d2f6a1c37 for rows before it. Never set them by hand.
    Column("lead_org_id", Integer, default=_of_coordinated_task(0)),
    Column("inspecting_org_id", Integer, default=_of_coordinated_task(1)),
    # A subtree's coordinating rows with the task's two units: read alone, without the table.
    Index("ix_task_coordinator_seen", "organization_id", "lead_org_id", "inspecting_org_id", "task_id"),
)


class Task(Base):
    """Work a lead unit (chủ trì) owes, with coordinating units (phối hợp) and a due date."""

    __tablename__ = "task"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint("(due_on IS NULL) = (original_due_on IS NULL)", name="due_dates_together"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint(
            "(status = 'done') = (verified_at IS NOT NULL AND completed_on IS NOT NULL)",
            name="done_is_verified",
        ),
        CheckConstraint("status <> 'done' OR progress = 100", name="done_is_complete"),
        CheckConstraint(
            "status NOT IN ('reported', 'done') OR reported_at IS NOT NULL", name="reported_has_time"
        ),
        CheckConstraint("(status = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_at_state"),
        CheckConstraint(
            "(recurrence_id IS NULL) = (period_start IS NULL)", name="recurrence_period_together"
        ),
        # One task per period of a report duty, however often and concurrently the scan creates them.
        UniqueConstraint("recurrence_id", "period_start"),
        # The deadline scan and the timeliness counts read open tasks by due date.
        Index("ix_task_status_due", "status", "due_on"),
        Index("ix_task_lead_status_due", "lead_org_id", "status", "due_on"),
        # The task list in urgency order, and the longest overdue (rank 0 by due date), read in order.
        Index("ix_task_list_order", "list_rank", "due_on", "id"),
        # Every column the board's and dashboard's counts read, so they scan this narrow index in
        # lead-unit order instead of the wide rows (about twice as fast at 100,000 tasks on SQLite).
        # reported_at too (a reported task's category): an office's list reads its unit's led tasks'
        # categories, ranks and due dates from here alone (``app.board.views._unit_list``).
        Index(
            "ix_task_counts",
            "lead_org_id",
            "status",
            "due_on",
            "completed_on",
            "original_due_on",
            "created_at",
            "cancelled_at",
            "directive_id",
            "progress",
            "reported_at",
        ),
        # A subtree's tasks are those it leads or whose visit one of its bodies made: both parts are
        # index ranges (lead_org_id leads ix_task_lead_status_due and ix_task_counts).
        Index("ix_task_inspecting_org", "inspecting_org_id"),
        # The visit list counts each visit's tasks and overdue tasks through its directives: the state
        # and due date from the index, not from ten table rows per visit.
        Index("ix_task_directive_status_due", "directive_id", "status", "due_on"),
        # A directive's tasks, with their lead unit from the index alone (``workflows.scope``: the
        # tasks of visits a subtree received from outside, led outside it).
        Index("ix_task_directive_lead", "directive_id", "lead_org_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directive.id"))  # ix_task_directive_lead
    lead_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    # Kept: the inspecting body of the task's visit (directive → visit → inspecting_org_id), so that
    # "tasks of visits a subtree's bodies made" is an index range, not a walk through every visit and
    # directive of the subtree. Set on INSERT (the column's default reads it), moved by the flush hook
    # below when a visit's inspecting body, a directive's visit or a task's directive changes; filled
    # by migration 3c7e9a1f5b24 for tasks before it. Never set it by hand.
    inspecting_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id"), default=_inspecting_org_of_directive
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None]  # the due date in force, moved by approved extensions
    original_due_on: Mapped[date | None]  # as first assigned, never moved
    # Set when the due date was computed as "within N working days" of a date: N, shown beside it.
    due_working_days: Mapped[int | None]
    status: Mapped[TaskStatus] = mapped_column(
        enum_column(TaskStatus, "task_status"), default=TaskStatus.ASSIGNED
    )
    progress: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Computed by the database from status and due_on (LIST_RANK_SQL); never written. Stored here;
    # the migration adds it VIRTUAL on SQLite, which can add no stored column to a table.
    list_rank: Mapped[int] = mapped_column(
        SmallInteger, Computed(LIST_RANK_SQL, persisted=True), nullable=True
    )
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The local calendar day the accepted report was made: timeliness compares it with the due dates.
    completed_on: Mapped[date | None]
    search_key: Mapped[str] = mapped_column(String(300), default="")
    # Set on a task a report duty created: the duty and the first day of the period it reports on.
    recurrence_id: Mapped[int | None] = mapped_column(ForeignKey("recurrence.id"))
    period_start: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    directive: Mapped[Directive] = relationship(back_populates="tasks")
    lead_org: Mapped[Organization] = relationship(foreign_keys=[lead_org_id])
    coordinating_orgs: Mapped[list[Organization]] = relationship(secondary=task_coordinator)
    recurrence: Mapped[Recurrence | None] = relationship()
    assigned_by: Mapped[User | None] = relationship()
    events: Mapped[list[TaskEvent]] = relationship(
        back_populates="task", order_by="TaskEvent.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="task", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    extensions: Mapped[list[DeadlineExtension]] = relationship(
        back_populates="task", order_by="DeadlineExtension.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @validates("title", "description")
    def _normalise(self, key: str, value: str | None) -> str | None:
        value = nfc(value)
        if key == "title":
            self.search_key = search_key(value)
        return value

    @property
    def period_name(self) -> str:
        """The period a report duty's task reports on ("05/2024", "quý II/2024"), "" for other tasks."""
        if self.recurrence is None or self.period_start is None:
            return ""
        return self.recurrence.period_name(self.period_start)

    @property
    def is_open(self) -> bool:
        """Open tasks still count against their deadline."""
        return self.status in OPEN_TASK_STATUSES

    @property
    def is_awaiting_verification(self) -> bool:
        """The lead unit reported the task done; the inspecting side has not answered yet."""
        return self.status is TaskStatus.REPORTED

    @property
    def is_paused(self) -> bool:
        """The inspecting side paused the task; it gets no reminders."""
        return self.status is TaskStatus.PAUSED

    def is_lead(self, user: User) -> bool:
        """The user belongs to the lead unit (or a body above it)."""
        return user.in_scope(self.lead_org)

    def is_coordinating(self, user: User) -> bool:
        """The user belongs to one of the coordinating units."""
        return any(user.in_scope(org) for org in self.coordinating_orgs)

    @property
    def shown_progress(self) -> int:
        """The progress a reader sees: a task reported done (waiting for verification) or done shows
        100 %, the unit's word that the work is finished; a report returned shows the progress last
        recorded again (``progress`` keeps it)."""
        if self.status in (TaskStatus.REPORTED, TaskStatus.DONE):
            return 100
        return self.progress

    def can_view(self, user: User) -> bool:
        """Lead, coordinating and both sides of the visit see the task."""
        return self.is_lead(user) or self.is_coordinating(user) or self.directive.visit.can_view(user)

    def can_report(self, user: User, check_state: bool = True) -> bool:
        """Only the lead unit's office staff report progress and completion, while the task is worked on.

        ``check_state=False`` asks about the role and scope alone (a workflow that names the state in
        its own refusal).
        """
        allowed = user.role is Role.OFFICE and self.is_lead(user)
        return allowed and (not check_state or self.status in WORKING_TASK_STATUSES)

    def can_comment(self, user: User, check_state: bool = True) -> bool:
        """Office staff of the lead and coordinating units add notes while the task is worked on."""
        allowed = user.role is Role.OFFICE and (self.is_lead(user) or self.is_coordinating(user))
        return allowed and (not check_state or self.status in WORKING_TASK_STATUSES)

    def can_verify(self, user: User, check_state: bool = True) -> bool:
        """Only inspectors of the inspecting body accept or return a report, once it is reported."""
        allowed = self.directive.visit.can_edit(user)
        return allowed and (not check_state or self.status is TaskStatus.REPORTED)

    def can_pause(self, user: User) -> bool:
        """The inspecting side pauses a task that is worked on or waits for verification."""
        return self.can_verify(user, check_state=False) and self.status in PAUSABLE_TASK_STATUSES

    def can_resume(self, user: User) -> bool:
        """The inspecting side resumes a paused task."""
        return self.can_verify(user, check_state=False) and self.status is TaskStatus.PAUSED

    def can_cancel(self, user: User) -> bool:
        """The inspecting side cancels a task that is not finished."""
        return self.can_verify(user, check_state=False) and self.status in CANCELLABLE_TASK_STATUSES

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.status}>"


_MOVED = "task_inspecting_org_moved"


def _moved_by(session: Session) -> tuple[list[int], list[int], list[int], list[int]]:
    """(visits whose inspecting body, directives whose visit, tasks whose directive, tasks whose lead
    unit the flush changes), as ids."""
    from models.visit import Visit

    def changed(item: Any, *names: str) -> bool:
        attrs = inspect(item).attrs
        return any(attrs[name].history.has_changes() for name in names)

    visits, directives, tasks, leads = [], [], [], []
    for item in session.dirty:
        if isinstance(item, Visit) and changed(item, "inspecting_org_id", "inspecting_org"):
            visits.append(item.id)
        elif isinstance(item, Directive) and changed(item, "visit_id", "visit"):
            directives.append(item.id)
        elif isinstance(item, Task):
            if changed(item, "directive_id", "directive"):
                tasks.append(item.id)
            if changed(item, "lead_org_id", "lead_org"):
                leads.append(item.id)
    return visits, directives, tasks, leads


def _keep_inspecting_org(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    """Note, before a flush, the visits, directives and tasks whose change moves tasks to another
    inspecting body or lead unit (their columns are still unflushed here)."""
    moved = _moved_by(session)
    if any(moved):
        session.info[_MOVED] = moved


def _move_inspecting_org(session: Session, _context: UOWTransaction) -> None:
    """After the flush wrote them, set ``task.inspecting_org_id`` of the moved tasks again from their
    visits (same transaction), and let the tasks loaded in the session read it again; then the
    coordinating rows of those tasks and of tasks with another lead unit take both again."""
    moved = session.info.pop(_MOVED, None)
    if moved is None:
        return
    from models.visit import Visit

    visits, directives, tasks, leads = moved
    table = cast(Table, Task.__table__)
    connection = session.connection()
    condition: ColumnElement[bool] = table.c.id.in_(leads)
    if visits or directives or tasks:
        of_directive = (
            select(Visit.inspecting_org_id)
            .join(Directive, Directive.visit_id == Visit.id)
            .where(Directive.id == table.c.directive_id)
            .scalar_subquery()
        )
        directives_of_visits = select(Directive.id).where(Directive.visit_id.in_(visits))
        moved_inspecting = or_(
            table.c.directive_id.in_(directives_of_visits),
            table.c.directive_id.in_(directives),
            table.c.id.in_(tasks),
        )
        connection.execute(update(table).where(moved_inspecting).values(inspecting_org_id=of_directive))
        for item in list(session.identity_map.values()):
            if isinstance(item, Task) and "inspecting_org_id" in item.__dict__:
                session.expire(item, ["inspecting_org_id"])
        condition = or_(condition, moved_inspecting)
    _move_coordinating_rows(connection, select(table.c.id).where(condition))


def _move_coordinating_rows(connection: Any, task_ids: Any) -> None:
    """Set the kept lead unit and inspecting body of the coordinating rows of ``task_ids`` (a
    subquery of task ids) from their tasks."""
    table = cast(Table, Task.__table__)
    coordinator = task_coordinator.c

    def of_task(column: str) -> Any:
        return select(table.c[column]).where(table.c.id == coordinator.task_id).scalar_subquery()

    connection.execute(
        update(task_coordinator)
        .where(coordinator.task_id.in_(task_ids))
        .values(lead_org_id=of_task("lead_org_id"), inspecting_org_id=of_task("inspecting_org_id"))
    )


def _forget_moves(session: Session, _previous: Any) -> None:
    session.info.pop(_MOVED, None)


event.listen(Session, "before_flush", _keep_inspecting_org)
event.listen(Session, "after_flush", _move_inspecting_org)
event.listen(Session, "after_soft_rollback", _forget_moves)


class TaskEvent(Base):
    """One dated line of a task's history; the audit trail of a task is this log."""

    __tablename__ = "task_event"
    __table_args__ = (Index("ix_task_event_task_created", "task_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    kind: Mapped[TaskEventKind] = mapped_column(enum_column(TaskEventKind, "task_event_kind"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_status: Mapped[TaskStatus | None] = mapped_column(enum_column(TaskStatus, "event_from_status"))
    to_status: Mapped[TaskStatus | None] = mapped_column(enum_column(TaskStatus, "event_to_status"))
    progress: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)

    task: Mapped[Task] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(back_populates="event")

    @validates("note")
    def _normalise(self, _key: str, value: str | None) -> str | None:
        return nfc(value)


class Attachment(Base):
    """An evidence file, stored outside the static folder under a generated name."""

    __tablename__ = "attachment"
    __table_args__ = (CheckConstraint("size >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("task_event.id", ondelete="SET NULL"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    task: Mapped[Task] = relationship(back_populates="attachments")
    event: Mapped[TaskEvent | None] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User | None] = relationship()


class DeadlineExtension(Base):
    """A unit's request to move a due date, and the inspecting side's decision."""

    __tablename__ = "deadline_extension"
    __table_args__ = (
        CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name="decided_when_not_pending"),
        CheckConstraint("requested_due_on > previous_due_on", name="moves_later"),
        CheckConstraint("length(reason) > 0", name="reason_not_empty"),
        # At most one request waits for a decision per task.
        Index(
            "uq_deadline_extension_one_pending",
            "task_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    previous_due_on: Mapped[date]
    requested_due_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ExtensionStatus] = mapped_column(
        enum_column(ExtensionStatus, "extension_status"), default=ExtensionStatus.PENDING
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    task: Mapped[Task] = relationship(back_populates="extensions")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @validates("reason", "decision_note")
    def _normalise(self, _key: str, value: str | None) -> str | None:
        return nfc(value)
