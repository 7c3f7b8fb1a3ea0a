"""The dossier's visit read as plain rows: its tasks as ``TaskRow``, the rest made into the session's
objects without the ORM's loader.

The dossier shows one visit with its delegation, findings, directives, their citations and report
duties, and each task with its units and last event. Loaded through the ORM (``dossier_options``), half
of the page's time went to the loader's work around its statements (cache keys, loading contexts, one
loader per relationship) rather than to the database. Here the same graph is read by a few statements
built once and sent through ``models.raw``. The visit, its bodies, members, findings, directives,
citations and report duties are made as the loader makes them (``raw.persistent``: persistent, clean,
in the identity map), with their relationships set as loaded, so the template and the models'
predicates (``visit.can_edit``, ``duty.can_stop`` …) read the same objects as before. The tasks, the
most numerous, are not objects of the session: each is a ``TaskRow`` of the columns the page reads,
which asks the model's own predicates (``Task.can_pause`` …) and the workflows' rules
(``timeliness_of``, ``unfinished_tasks``, ``report_back.task_of``) as a task would. A directive's
``tasks`` stays unloaded (the page reads ``VisitTasks.of``); so do relationships the page does not read.

``tests/workspace/test_dossier_rows.py`` keeps this equal to the ORM's load.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any, TypeVar, cast

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from models import (
    DelegationMember,
    Directive,
    Finding,
    IssuedDocument,
    LegalDocument,
    NewsPost,
    Organization,
    Person,
    Recurrence,
    Task,
    TaskEvent,
    User,
    Visit,
    VisitCorrection,
    db,
    directive_citation,
    raw,
    task_coordinator,
)
from models.base import Base
from models.enums import TaskEventKind, TaskStatus
from workflows import report_back
from workflows import visits as visit_flow
from workflows.timeliness import Timeliness, timeliness_of

M = TypeVar("M", bound=Base)


@dataclass(frozen=True, slots=True)
class LastEvent:
    """What the dossier shows of a task's latest event."""

    created_at: datetime
    kind: TaskEventKind
    note: str | None
    actor_name: str | None  # the author's display name, else username; None without an author


_TASK: Any = Task


@dataclass(slots=True)
class TaskRow:
    """What the dossier shows and asks of a task, read as plain columns (no object of the session)."""

    id: int
    directive: Directive  # the session's object, its visit loaded
    title: str
    due_on: date | None
    original_due_on: date | None
    status: TaskStatus
    progress: int
    completed_on: date | None
    reported_at: datetime | None
    recurrence_id: int | None
    recurrence: Recurrence | None  # the session's object (the directive's duty)
    period_start: date | None
    version: int
    lead_name: str
    coordinating_names: list[str]  # by the units' ids, as the ORM's collection was read
    last_event: LastEvent | None

    # The model's own properties and predicates, asked of the row: they read only the columns above
    # (and ``directive.visit``), so the hold forms check exactly what a task's ``can_pause`` checks.
    # (Typed Any: mypy takes a function read off Task as one that wants a Task.)
    is_paused = _TASK.is_paused
    shown_progress = _TASK.shown_progress
    period_name = _TASK.period_name
    can_verify = _TASK.can_verify
    can_pause = _TASK.can_pause
    can_resume = _TASK.can_resume

    def timeliness(self, today: date, due_soon_days: int) -> Timeliness | None:
        """The task's category on ``today``, by ``timeliness_of`` (which reads the status and dates)."""
        return timeliness_of(cast(Any, self), today, due_soon_days)


@dataclass(frozen=True, slots=True)
class DirectiveTasks:
    """One directive's tasks as rows, in the order the ORM's collection has them (by id)."""

    tasks: list[TaskRow]


@dataclass(frozen=True)
class VisitTasks:
    """The visit's tasks as rows: ``of`` a directive by its id for the page, and shaped as the
    workflows' rules read a visit (its directives' tasks, the report-back obligation's apart), so
    ``unfinished`` and ``report_back_task`` are those rules' answers, not copies of them."""

    of: dict[int, list[TaskRow]]
    directives: list[DirectiveTasks]
    report_back_directive: DirectiveTasks | None

    def unfinished(self) -> list[TaskRow]:
        """``visits.unfinished_tasks`` of the visit (it reads the directives' tasks and their status)."""
        return cast(list[TaskRow], visit_flow.unfinished_tasks(cast(Any, self)))

    def report_back_task(self) -> TaskRow | None:
        """``report_back.task_of`` the visit (it reads the obligation's tasks and their status)."""
        return cast(TaskRow | None, report_back.task_of(cast(Any, self)))


@dataclass(frozen=True, slots=True)
class OthersFound:
    """Whether a visit has issued documents, news posts or corrections: most have none, and the
    dossier's buttons and history then need not look for them one by one."""

    issued: bool
    news: bool
    corrections: bool


@cache
def _keys(model: type[Base]) -> tuple[str, ...]:
    return tuple(attribute.key for attribute in sa_inspect(model).column_attrs)


def _columns(model: type[Base], entity: Any = None) -> list[Any]:
    return [getattr(entity if entity is not None else model, key) for key in _keys(model)]


@dataclass(frozen=True)
class _Statements:
    visit: Select[Any]
    tasks: Select[Any]
    coordinating: Select[Any]
    citations: Select[Any]
    recurrences: Select[Any]
    members: Select[Any]
    findings: Select[Any]


@lru_cache(maxsize=1)
def _statements() -> _Statements:
    """The dossier's statements, each for the visit ``visit_id``; built once (no mapper set-up at import)."""
    visit_id: Any = bindparam("visit_id")
    inspecting, inspected, lead, recurrence_lead = (aliased(Organization) for _ in range(4))
    directive_ids = select(Directive.id).where(Directive.visit_id == visit_id)
    task_ids = select(Task.id).where(Task.directive_id.in_(directive_ids))
    latest = aliased(TaskEvent)
    last_event_id = (
        select(func.max(latest.id)).where(latest.task_id == Task.id).correlate(Task).scalar_subquery()
    )
    return _Statements(
        # The visit with its two bodies, and whether the other parts have anything of it: issued
        # documents, news posts, corrections (three indexed existence checks, read in the same row).
        visit=select(
            *_columns(Visit),
            *_columns(Organization, inspecting),
            *_columns(Organization, inspected),
            select(IssuedDocument.id).where(IssuedDocument.visit_id == Visit.id).exists(),
            select(NewsPost.id).where(NewsPost.visit_id == Visit.id).exists(),
            select(VisitCorrection.id).where(VisitCorrection.visit_id == Visit.id).exists(),
        )
        .join(inspecting, inspecting.id == Visit.inspecting_org_id)
        .join(inspected, inspected.id == Visit.inspected_org_id)
        .where(Visit.id == visit_id),
        # Every directive of the visit (the report-back obligation's too), each task (the columns the
        # page reads) with its lead unit's name and its latest event and that event's author.
        tasks=select(
            *_columns(Directive),
            *_task_columns(),
            lead.name,
            TaskEvent.created_at,
            TaskEvent.kind,
            TaskEvent.note,
            TaskEvent.actor_id,
            User.display_name,
            User.username,
        )
        .outerjoin(Task, Task.directive_id == Directive.id)
        .outerjoin(lead, lead.id == Task.lead_org_id)
        .outerjoin(TaskEvent, TaskEvent.id == last_event_id)
        .outerjoin(User, User.id == TaskEvent.actor_id)
        .where(Directive.visit_id == visit_id)
        .order_by(Directive.number, Directive.id, Task.id),
        coordinating=select(task_coordinator.c.task_id, Organization.name)
        .join(Organization, Organization.id == task_coordinator.c.organization_id)
        .where(task_coordinator.c.task_id.in_(task_ids))
        .order_by(task_coordinator.c.task_id, task_coordinator.c.organization_id),
        citations=select(directive_citation.c.directive_id, *_columns(LegalDocument))
        .join(LegalDocument, LegalDocument.id == directive_citation.c.legal_document_id)
        .where(directive_citation.c.directive_id.in_(directive_ids))
        .order_by(LegalDocument.code, LegalDocument.id),
        recurrences=select(*_columns(Recurrence), *_columns(Organization, recurrence_lead))
        .join(recurrence_lead, recurrence_lead.id == Recurrence.lead_org_id)
        .where(Recurrence.directive_id.in_(directive_ids))
        .order_by(Recurrence.id),
        members=select(*_columns(DelegationMember), *_columns(Person))
        .join(Person, Person.id == DelegationMember.person_id)
        .where(DelegationMember.visit_id == visit_id)
        .order_by(DelegationMember.side, DelegationMember.order, DelegationMember.id),
        findings=select(*_columns(Finding))
        .where(Finding.visit_id == visit_id)
        .order_by(Finding.kind, Finding.order, Finding.id),
    )


def _task_columns() -> tuple[Any, ...]:
    """The task's columns a ``TaskRow`` holds, in its fields' order (``recurrence_id`` stands for the
    duty, made from its own statement)."""
    return (
        Task.id,
        Task.title,
        Task.due_on,
        Task.original_due_on,
        Task.status,
        Task.progress,
        Task.completed_on,
        Task.reported_at,
        Task.recurrence_id,
        Task.period_start,
        Task.version,
    )


class _Maker:
    """Objects of one model from a slice of a row, each made once per id."""

    def __init__(self, model: type[Base]) -> None:
        self.model = model
        self.keys = _keys(model)
        self.width = len(self.keys)
        self.id_at = self.keys.index("id")
        self.recurrence_at = self.keys.index("recurrence_id") if "recurrence_id" in self.keys else -1
        self.made: dict[Any, Any] = {}
        self.session = db.session()

    def make(self, row: Sequence[Any], start: int, **relations: Any) -> Any:
        """The object whose columns start at ``start`` in ``row`` (None for an outer join's empty side),
        with ``relations`` loaded (many-to-one: the collections come with ``_loaded``)."""
        key = row[start + self.id_at]
        if key is None:
            return None
        found = self.made.get(key)
        if found is None:
            values = dict(zip(self.keys, row[start : start + self.width], strict=True))
            values.update(relations)
            found = self.made[key] = raw.persistent(self.session, self.model, values)
        return found


def _loaded(instance: Any, **relations: Any) -> None:
    """Set the instance's relationships as loaded, unless the session's object has them already."""
    loaded = instance_state(instance).dict
    for name, value in relations.items():
        if name not in loaded:
            set_committed_value(instance, name, value)


def visit_of(visit_id: int) -> Visit | None:
    """The visit with its two bodies (None when there is none)."""
    found = dossier_visit(visit_id)
    return found[0] if found is not None else None


def dossier_visit(visit_id: int) -> tuple[Visit, OthersFound] | None:
    """The visit with its two bodies and what the other parts have of it (None when there is none)."""
    found = raw.rows(db.session, _statements().visit, {"visit_id": visit_id})
    if not found:
        return None
    (row,) = found
    visits, orgs = _Maker(Visit), _Maker(Organization)
    inspecting = orgs.make(row, visits.width)
    inspected = orgs.make(row, visits.width + orgs.width)
    visit: Visit = visits.make(row, 0, inspecting_org=inspecting, inspected_org=inspected)
    issued, news, corrections = row[visits.width + 2 * orgs.width :]
    return visit, OthersFound(bool(issued), bool(news), bool(corrections))


def load_dossier(visit: Visit) -> VisitTasks:
    """Load what the dossier shows of ``visit`` (from ``visit_of``); return its tasks as rows."""
    statements, params = _statements(), {"visit_id": visit.id}
    connection = db.session.connection()  # asked once for the six statements
    orgs = _Maker(Organization)
    recurrences = _Maker(Recurrence)
    duties = [
        recurrences.make(row, 0, lead_org=orgs.make(row, recurrences.width))
        for row in raw.rows(connection, statements.recurrences, params)
    ]
    directives = _Maker(Directive)
    task_at = directives.width
    tasks_of: dict[int, list[TaskRow]] = {}
    rows_of: dict[int, TaskRow] = {}
    order: list[Directive] = []
    for row in raw.rows(connection, statements.tasks, params):
        directive = directives.make(row, 0, visit=visit)
        if directive.id not in tasks_of:
            tasks_of[directive.id] = []
            order.append(directive)
        (
            task_id,
            title,
            due_on,
            original_due_on,
            status,
            progress,
            completed_on,
            reported_at,
            recurrence_id,
            period_start,
            version,
            lead_name,
            created_at,
            kind,
            note,
            actor_id,
            display_name,
            username,
        ) = row[task_at:]
        if task_id is None:  # a directive without tasks (the outer join's empty side)
            continue
        event = None
        if created_at is not None:
            author = (display_name or username) if actor_id is not None else None
            event = LastEvent(created_at, kind, note, author)
        task = rows_of[task_id] = TaskRow(
            task_id,
            directive,
            title,
            due_on,
            original_due_on,
            status,
            progress,
            completed_on,
            reported_at,
            recurrence_id,
            None if recurrence_id is None else recurrences.made.get(recurrence_id),
            period_start,
            version,
            lead_name,
            [],
            event,
        )
        tasks_of[directive.id].append(task)
    for task_id, name in raw.rows(connection, statements.coordinating, params) if rows_of else ():
        rows_of[task_id].coordinating_names.append(name)
    citations_of: dict[int, list[LegalDocument]] = {directive_id: [] for directive_id in tasks_of}
    documents = _Maker(LegalDocument)
    for row in raw.rows(connection, statements.citations, params) if order else ():
        citations_of[row[0]].append(documents.make(row, 1))
    recurrences_of: dict[int, list[Recurrence]] = {directive_id: [] for directive_id in tasks_of}
    for duty in duties:
        recurrences_of[duty.directive_id].append(duty)
        _loaded(duty, directive=directives.made[duty.directive_id])
    for directive in order:
        _loaded(directive, citations=citations_of[directive.id], recurrences=recurrences_of[directive.id])
    members, people = _Maker(DelegationMember), _Maker(Person)
    delegation = [
        members.make(row, 0, visit=visit, person=people.make(row, members.width))
        for row in raw.rows(connection, statements.members, params)
    ]
    findings = _Maker(Finding)
    found = [findings.make(row, 0, visit=visit) for row in raw.rows(connection, statements.findings, params)]
    report_back_directive = next((directive for directive in order if directive.is_report_back), None)
    _loaded(
        visit,
        members=delegation,
        findings=found,
        directives=[directive for directive in order if not directive.is_report_back],
        report_back_directive=report_back_directive,
    )
    report_back_directive = visit.report_back_directive  # the session's, if it held one already
    return VisitTasks(
        tasks_of,
        [DirectiveTasks(tasks_of[directive.id]) for directive in visit.directives],
        None if report_back_directive is None else DirectiveTasks(tasks_of[report_back_directive.id]),
    )
