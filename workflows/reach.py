"""Who will act on a task: units that end before a deadline or have nobody to receive it, and successors.

A task assigned to a unit that ceases to exist before its due date, or that has no active office
account, reaches nobody: no one reads its reminders or reports it done, and it drags its province's
rates down. The forms warn before saving such an assignment (``reach_problems``), the dashboard lists
the open tasks in that case (``unreached``), and an administrator records a unit's successor and moves
its open tasks there (``record_successor``), with the move in each task's history.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, true, union_all
from sqlalchemy.orm import aliased, joinedload

from models import Organization, Task, TaskCountAll, User, db
from models.enums import OPEN_TASK_STATUSES, Role, TaskEventKind
from models.vntext import format_date
from workflows import audit, counts
from workflows.admin import check_admin, check_org_in_scope
from workflows.bounded import BoundedCache
from workflows.clock import local_today
from workflows.errors import ValidationFailed
from workflows.scope import column_in, in_subtree
from workflows.tasks import log_event
from workflows.timeliness import Period

if TYPE_CHECKING:
    from workflows.admin import Actor


@dataclass(frozen=True)
class ReachProblem:
    """Why a unit will not act on a task; ``message`` is Vietnamese, with ``params``, for ``gettext``."""

    org: Organization
    message: str
    params: dict[str, str]


def has_office_account(org: Organization) -> bool:
    """Whether an active office account of ``org`` itself receives its tasks."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    User.organization_id == org.id, User.role == Role.OFFICE, User.is_active.is_(True)
                )
            )
        )
    )


def reach_problems(orgs: list[Organization], due_on: date | None, today: date) -> list[ReachProblem]:
    """What keeps each of ``orgs`` (a lead unit first, then coordinating ones) from acting on a task
    due on ``due_on`` (or open without a deadline): ended before then, or no office account."""
    problems = []
    for org in dict.fromkeys(orgs):  # once each, in order
        last_day = due_on or today
        if org.valid_to is not None and org.valid_to < last_day:
            problems.append(
                ReachProblem(
                    org,
                    "%(name)s ngừng hoạt động từ %(end)s, trước hạn của nhiệm vụ.",
                    {"name": org.name, "end": format_date(org.valid_to)},
                )
            )
        elif not has_office_account(org):
            problems.append(
                ReachProblem(
                    org,
                    "%(name)s chưa có tài khoản văn phòng nào đang hoạt động: không ai nhận nhiệm vụ này.",
                    {"name": org.name},
                )
            )
    return problems


def unreached(today: date) -> ColumnElement[bool]:
    """Open tasks whose lead unit has ended before today or their due date, or has no office account."""
    office = exists().where(
        User.organization_id == Task.lead_org_id, User.role == Role.OFFICE, User.is_active.is_(True)
    )
    ended = exists().where(
        Organization.id == Task.lead_org_id,
        Organization.valid_to.is_not(None),
        or_(
            Organization.valid_to < today, and_(Task.due_on.is_not(None), Organization.valid_to < Task.due_on)
        ),
    )
    return and_(Task.status.in_(OPEN_TASK_STATUSES), or_(~office, ended))


def _has_office() -> ColumnElement[bool]:
    return exists().where(
        User.organization_id == Organization.id, User.role == Role.OFFICE, User.is_active.is_(True)
    )


def unreached_tasks(
    conditions: list[ColumnElement[bool]],
    today: date,
    limit: int = 10,
    *,
    kept: tuple[Organization | None, Period] | None = None,
    key: Hashable | None = None,
    lines: bool = False,
) -> tuple[int, list[Any]]:
    """How many tasks of a selection (``conditions``) reach nobody, and the first ``limit`` of them;
    two queries whatever the number of tasks.

    Only the tasks of the few units that reach nobody are read. With ``kept`` (the selection's
    subtree, None for every task, and period), the open tasks of the units none of whose tasks reach
    anyone (no active office account, or ended before today) are counted from the kept counts
    (``workflows.counts``) when they are today's; the tasks of units that end later are counted. The
    first ones are read per open status from the (status, due date) index, in due-date order, when
    the selection is every task (``kept`` with no subtree); a known subtree's (``kept`` with one) from
    its units that may reach nobody and such units outside it (its visits' tasks), by the lead-unit
    index; without ``kept``, the selection's open tasks are gathered and sorted.

    ``key``: what ``conditions`` depend on (the dashboard's selection and day), when the caller has
    it: the two statements are then built once per key (building them costs more in Python than
    running them).

    ``lines``: the first tasks as rows of what a page lists (``id``, ``title``, ``due_on`` and the
    lead unit's name, ``lead_name``), not Task objects, the count read by the same statement: one
    statement, no objects loaded.
    """
    # With a known subtree and the counts kept for today, the units outside it are only those that
    # lead open tasks of its bodies' visits (``_inside_then_outside``).
    pairs = (
        kept is not None
        and kept[0] is not None
        and today == local_today()
        and counts.kept_day(db.session.connection()).day == today
    )
    if key is None:
        total_sql, tasks_sql = _statements(conditions, today, limit, kept, lines, pairs)
    else:
        scope, period = kept if kept is not None else (None, None)
        built_key = (
            key,
            today,
            local_today(),
            limit,
            kept is not None,
            scope.path if scope is not None else None,
            (period.start, period.end) if period is not None else None,
            lines,
            pairs,
        )
        total_sql, tasks_sql = _BUILT.get(
            built_key, lambda: _statements(conditions, today, limit, kept, lines, pairs)
        )
    if lines:
        # One row per task listed, then the count on each; one row of the count alone when none is.
        rows = db.session.execute(tasks_sql).all()
        return int(rows[0][-1] or 0), [row for row in rows if row[0] is not None]
    total = db.session.scalar(total_sql) or 0
    return int(total), list(db.session.scalars(tasks_sql).all())


# The statements of ``unreached_tasks`` per key of its caller's selection (see there).
_BUILT: BoundedCache[tuple[Any, Any]] = BoundedCache(256)


def _statements(
    conditions: list[ColumnElement[bool]],
    today: date,
    limit: int,
    kept: tuple[Organization | None, Period] | None,
    lines: bool = False,
    pairs: bool = False,
) -> tuple[Any, Any]:
    """The count and the first tasks' statements of ``unreached_tasks`` (with ``lines``, the first
    tasks' columns a page lists and the count as the last one; with ``pairs``, the first tasks' units
    outside a known subtree narrowed by the kept counts, see ``_inside_then_outside``: the counts
    read the kept rows then, but for the units that end later, few and cheaper found by their date)."""
    office = _has_office()
    every = select(Organization.id).where(or_(~office, Organization.valid_to < today))
    where = [*conditions, unreached(today)]

    later = select(Organization.id).where(office, Organization.valid_to >= today)

    def live(units: Any) -> Any:
        # Never correlated (with ``lines`` the count is read beside the tasks).
        if kept is not None and kept[0] is not None:
            # A known subtree: its units', then outside units' open tasks by lead unit (see below).
            inside, outside = (
                select(func.count())
                .select_from(Task)
                .where(*where, column_in(Task.lead_org_id, part))
                .correlate(None)
                .scalar_subquery()
                for part in _inside_then_outside(units, kept[0])
            )
            return select(inside + outside).correlate(None)
        count_of = select(func.count()).select_from(Task).where(*where, Task.lead_org_id.in_(units))
        return count_of.correlate(None)

    count = live(every).scalar_subquery()
    if kept is not None:
        scope, period = kept
        months = counts.servable(period.start, period.end, today, ())
        if months is not None:
            count = counts.open_of_leads_sql(scope, months, every, today, otherwise=count)
    total = select(count + live(later).scalar_subquery())
    lead = aliased(Organization)  # not Organization: the units' subqueries below must not correlate to it
    listed = (Task.id, Task.title, Task.due_on, lead.name.label("lead_name"))

    def with_count(first: Any) -> Any:
        """The count's one row, joined to the first tasks (NULL when there are none), in their order."""
        listed_first = first.subquery()
        count_row = select(total.scalar_subquery().label("unreached")).subquery()
        return (
            select(*listed_first.c, count_row.c.unreached)
            .select_from(count_row.outerjoin(listed_first, true()))
            .order_by(listed_first.c.due_on.is_(None), listed_first.c.due_on, listed_first.c.id)
        )

    def first_tasks(query: Any) -> Any:
        """The listed tasks of ``query`` (on Task): whole, or as the columns a page lists with the
        count (``with_count``)."""
        if lines:
            return with_count(query.with_only_columns(*listed).join(lead, lead.id == Task.lead_org_id))
        return query.options(joinedload(Task.lead_org))  # one query whatever the count (a test counts them)

    def merged(parts: list[Any]) -> Any:
        """The first ``limit`` of ``parts`` (subqueries of (id, due date), each already in order)."""
        first = union_all(*(select(part.c.id, part.c.due_on) for part in parts)).subquery()
        return first_tasks(
            select(Task)
            .join(first, first.c.id == Task.id)
            .order_by(first.c.due_on.is_(None), first.c.due_on, first.c.id)
            .limit(limit)
        )

    candidates = select(Organization.id).where(or_(~office, Organization.valid_to.is_not(None)))
    order = (Task.due_on.is_(None), Task.due_on, Task.id)
    if kept is not None and kept[0] is not None:
        # A known subtree: the open tasks of its units that may reach nobody, then those of such units
        # outside it (tasks of its visits), each read by lead unit from the (lead unit, status, due
        # date) index and sorted, the first ones of both merged. Gathering the subtree's open tasks
        # first and testing each read 24,857 tasks of a province for a few hundred (300 ms).
        firsts = [
            select(Task.id, Task.due_on)
            .where(*where, column_in(Task.lead_org_id, units))
            .order_by(*order)
            .limit(limit)
            .subquery()
            for units in _inside_then_outside(candidates, kept[0], pairs)
        ]
        return total, merged(firsts)
    where.append(Task.lead_org_id.in_(candidates))
    if kept is None:
        # A selection of unknown subtree: its tasks are gathered once (from its units' and visits'
        # indexes, read once into an array on PostgreSQL), then sorted. Joined with the units that
        # reach nobody in one plan, PostgreSQL looped over those units of the whole country (1,735
        # at 3.4 million tasks) and combined the subtree's index ranges in each turn: past the 60 s
        # statement timeout.
        # The EXISTS tests of ``unreached`` stay outside: with them PostgreSQL walked every open task.
        gathered = select(Task.id).where(*conditions, Task.status.in_(OPEN_TASK_STATUSES))
        tasks = first_tasks(
            select(Task)
            .where(column_in(Task.id, gathered), *where[len(conditions) :])
            .order_by(*order)
            .limit(limit)
        )
        return total, tasks
    # Every task: per open status, the first ones with a due date (the status and due-date index),
    # and the first ones without one.
    parts = [
        select(Task.id, Task.due_on)
        .where(*where, Task.status == status, Task.due_on.is_not(None))
        .order_by(Task.due_on, Task.id)
        .limit(limit)
        .subquery()
        for status in sorted(OPEN_TASK_STATUSES)
    ]
    # Without a due date: the open statuses' entries of the status and due-date index, in id order.
    # Offered the lead units' list, SQLite read every open task without a due date of those units
    # by (lead unit, status) and sorted them (3,530 rows, 1.6-4.7 ms); "+ 0" keeps it on that index
    # (0.06 ms). The same rows.
    no_deadline = [*where[:-1], (Task.lead_org_id + 0).in_(candidates)]
    parts.append(
        select(Task.id, Task.due_on)
        .where(*no_deadline, Task.due_on.is_(None))
        .order_by(Task.id)
        .limit(limit)
        .subquery()
    )
    return total, merged(parts)


def _inside_then_outside(units: Any, scope: Organization, pairs: bool = False) -> tuple[Any, Any]:
    """``units`` (organisations' ids) in the subtree of ``scope``, and outside it.

    ``pairs`` (the counts are kept for today): outside it, only those that lead open tasks of visits
    its bodies made, by the kept counts of all time (a row per lead unit, inspecting body and
    category). Otherwise every such unit of the country is read for the few tasks of the subtree's
    visits it leads (in a province of 5: ~2,000 open tasks of other provinces read for none)."""
    inside = in_subtree(Organization.path, scope)
    outside = units.where(~inside)
    if pairs:
        bodies = select(Organization.id).where(inside)
        kept = TaskCountAll
        # Probed by each unit's kept rows (their primary key leads with the unit), not the kept rows
        # of every unit gathered and joined (``OFFSET 0``: see ``workflows.scope.coordinated_probe``).
        leads = (
            select(kept.lead_org_id)
            .where(
                kept.lead_org_id == Organization.id,
                kept.inspecting_org_id.in_(bodies),
                kept.category.in_(counts.OPEN_CATEGORIES),
                kept.tasks > 0,
            )
            .offset(0)
        )
        outside = outside.where(leads.exists())
    return units.where(inside), outside


def record_successor(
    org: Organization, actor: Actor, successor: Organization | None, *, move_open_tasks: bool
) -> int:
    """Record the body that took over ``org``'s work; with ``move_open_tasks`` its open tasks (as lead
    or coordinating unit) move there, each with the move in its history. Returns how many moved."""
    check_admin(actor)
    check_org_in_scope(actor, org)
    if successor is None:
        org.successor_id = None
        audit.record(actor, "organization.successor_cleared", org)
        return 0
    check_org_in_scope(actor, successor)
    if successor.id == org.id:
        raise ValidationFailed("Đơn vị kế thừa không thể là chính đơn vị này.")
    if org.contains(successor):
        raise ValidationFailed("Đơn vị kế thừa không thể là đơn vị cấp dưới của đơn vị này.")
    org.successor = successor
    moved = 0
    if move_open_tasks:
        note = f"Chuyển từ {org.name} sang {successor.name} (đơn vị kế thừa)."
        tasks = db.session.scalars(
            select(Task)
            .where(
                Task.status.in_(OPEN_TASK_STATUSES),
                or_(Task.lead_org_id == org.id, Task.coordinating_orgs.any(Organization.id == org.id)),
            )
            .order_by(Task.id)
        ).all()
        for task in tasks:
            if task.lead_org_id == org.id:
                task.lead_org = successor
                task.coordinating_orgs = [o for o in task.coordinating_orgs if o.id != successor.id]
            else:
                kept = [o for o in task.coordinating_orgs if o.id not in (org.id, successor.id)]
                task.coordinating_orgs = kept + ([successor] if task.lead_org_id != successor.id else [])
            log_event(task, actor if isinstance(actor, User) else None, TaskEventKind.COMMENT, note=note)
            moved += 1
    audit.record(actor, "organization.successor", org, successor=successor.code, moved_tasks=moved)
    return moved
