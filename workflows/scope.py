"""Which rows an organisation subtree covers, as SQL conditions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, or_, select, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.sql.elements import SQLCoreOperations
from sqlalchemy.sql.visitors import InternalTraversal

from models import Directive, Organization, Task, TaskCountAll, Visit, task_coordinator


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# A subtree is named by its root organisation or by the root's path alone: the conditions below read
# nothing else of it, and conditions built once per path (``lru_cache``) need no organisation object.
Subtree = Organization | str


def path_of(root: Subtree) -> str:
    """The path of the subtree's root."""
    return root if isinstance(root, str) else root.path


def in_subtree(path_column: SQLCoreOperations[str], root: Subtree) -> ColumnElement[bool]:
    """True for organisations whose path starts with the root's path."""
    return path_column.like(_escape_like(path_of(root)) + "%", escape="\\")


def visits_in_scope(root: Subtree) -> ColumnElement[bool]:
    """Visits where either the inspecting or the inspected body lies in the subtree."""
    inspecting = aliased(Organization)
    inspected = aliased(Organization)
    return or_(
        Visit.inspecting_org_id.in_(select(inspecting.id).where(in_subtree(inspecting.path, root))),
        Visit.inspected_org_id.in_(select(inspected.id).where(in_subtree(inspected.path, root))),
    )


class _AnyOf(ColumnElement[bool]):
    """``column IN (subquery)``; on PostgreSQL written ``column = ANY(ARRAY(subquery))``, because an OR
    of those combines index scans (BitmapOr) where an OR of IN-subqueries filters every row of the
    table (an office's list at 100,000 tasks: 9 ms instead of 63 ms)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition in itself: no "= 1" after it in a WHERE clause
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("subquery", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: SQLCoreOperations[Any], subquery: Select[Any]) -> None:
        self.column = column
        self.subquery = subquery


@compiles(_AnyOf)
def _any_of(element: _AnyOf, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column.in_(element.subquery), **kw))


@compiles(_AnyOf, "postgresql")
def _any_of_postgresql(element: _AnyOf, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} = ANY(ARRAY({compiler.process(element.subquery.scalar_subquery(), **kw)}))"


def _units_in(root: Subtree) -> Select[int]:
    unit = aliased(Organization)
    return select(unit.id).where(in_subtree(unit.path, root))


def _directives_of_visits(body_column: InstrumentedAttribute[int], root: Subtree) -> Select[int]:
    # Walk down from the bodies through the indexes (visit by body, directive by visit) rather than
    # joining every directive to its visit: an office's list reads a few hundred rows, not the table.
    return select(Directive.id).where(
        Directive.visit_id.in_(select(Visit.id).where(body_column.in_(_units_in(root))))
    )


def tasks_counted_for(root: Subtree, *, per_row: bool = False) -> ColumnElement[bool]:
    """Tasks a subtree answers for: those it leads, and those of visits its bodies conducted.

    Coordinating units are left out so that a task is counted once per scope. The second part reads
    the inspecting body kept on the task (``Task.inspecting_org_id``, the visit's): two index ranges of
    the subtree's units, where walking its bodies' visits and directives read every directive id of
    them into the condition (a province inside a country: a bitmap over the whole task table).

    ``per_row``: the condition is tested row by row inside a correlated subquery (a visit's few tasks),
    not used to find the subtree's tasks: its subqueries stay ``IN (…)``, which PostgreSQL hashes once,
    instead of ``= ANY(ARRAY(…))``, an array searched from its start for every row (see ``_in``).
    """
    units = _units_in(root)
    return or_(_in(Task.lead_org_id, units, per_row), _in(Task.inspecting_org_id, units, per_row))


def _in(column: SQLCoreOperations[Any], subquery: Select[Any], per_row: bool) -> ColumnElement[bool]:
    """``column IN (subquery)``: as ``column_in`` to gather rows by their indexes, as a plain ``IN`` to
    test rows one by one. In a province inside a 34-province country the task list's visit choices
    tested each visit's tasks against arrays of 20,000 and 30,000 ids: 14 s, where hashed, milliseconds."""
    return column.in_(subquery) if per_row else _AnyOf(column, subquery)


def tasks_visible_to(root: Subtree, *, per_row: bool = False) -> ColumnElement[bool]:
    """Tasks a user of the subtree may see: counted ones, plus those it coordinates (``per_row``: see
    ``tasks_counted_for``)."""
    coordinated = select(task_coordinator.c.task_id).where(
        task_coordinator.c.organization_id.in_(_units_in(root))
    )
    return or_(
        tasks_counted_for(root, per_row=per_row),
        _in(Task.id, coordinated, per_row),
        _in(Task.directive_id, _directives_of_visits(Visit.inspected_org_id, root), per_row),
    )


def column_in(
    column: SQLCoreOperations[Any], subquery: Select[Any], *, per_row: bool = False
) -> ColumnElement[bool]:
    """``column IN (subquery)``, the subquery read once on PostgreSQL too (``= ANY(ARRAY(…))``), where
    an IN inside a correlated subquery can be planned as a join over every row; with ``per_row`` a plain
    ``IN`` (see ``_in``)."""
    return _in(column, subquery, per_row)


def units_in(root: Subtree) -> Select[int]:
    """The ids of the subtree's organisations, as a subquery."""
    return _units_in(root)


def tasks_seen_not_counted(root: Subtree) -> ColumnElement[bool]:
    """Tasks a subtree may see but does not answer for: ``tasks_visible_to`` less ``tasks_counted_for``.

    Those it coordinates or whose visit one of its units received, led by a unit outside it, for a visit
    made by a body outside it. The coordinated ones are found from the coordinating rows alone, which
    keep the task's lead unit and inspecting body (``ix_task_coordinator_seen``): a province inside a
    country coordinates ~20,000 tasks, nearly all led or inspected inside it, and reading each task's
    row to learn so visited half the task table. The received visits are looked for among those made
    from outside only (the subtree's own visits are counted): in a province inside a country, the
    centre's few, not the province's thousands. Counted tasks are read from the kept counts; these few
    are counted apart.
    """
    units = _units_in(root)
    coordinated = coordinated_from_outside(units)
    # The visits made from outside (``ix_visit_received``), their directives, and of their tasks those
    # led outside (their inspecting body, the visit's, is outside too), the visits and the tasks read
    # from an index alone (``ix_task_directive_lead``); only the ids of the few found are looked up.
    # Testing the lead unit on the task rows read the ~3,000 tasks of a province's ~300 visits
    # received from the centre from ~350 pages of the table, and its ~10,000 received visits' rows.
    received = select(Visit.id).where(
        _AnyOf(Visit.inspected_org_id, units), Visit.inspecting_org_id.not_in(units)
    )
    hosted = select(Directive.id).where(_AnyOf(Directive.visit_id, received))
    task = aliased(Task)  # not correlated to the task tested
    led_outside = select(task.id).where(_AnyOf(task.directive_id, hosted), task.lead_org_id.not_in(units))
    return or_(_AnyOf(Task.id, coordinated), _AnyOf(Task.id, led_outside))


def coordinated_from_outside(units: Select[int]) -> Select[int]:
    """The ids of tasks ``units`` coordinate, led by a unit outside them for a visit made by a body
    outside them, read from the coordinating rows' index alone (``ix_task_coordinator_seen``: the
    task's lead unit and inspecting body are kept on the rows)."""
    coordinator = task_coordinator.c
    return select(coordinator.task_id).where(
        _AnyOf(coordinator.organization_id, units),
        coordinator.lead_org_id.not_in(units),
        or_(coordinator.inspecting_org_id.is_(None), coordinator.inspecting_org_id.not_in(units)),
    )


def bodies_reaching(units: Select[int], *, coordinated: bool) -> Select[int]:
    """The inspecting bodies outside ``units`` whose visits may have a task one of them leads (or, with
    ``coordinated``, coordinates): only their visits can be in the subtree's list without being its own.

    The lead units' are read from the kept counts of all time (``task_count_all``: a row per lead unit,
    inspecting body and category, by its primary key), which hold every pair only while they are kept
    for today (``workflows.counts.kept_day``): the caller checks. The coordinated ones from the
    coordinating rows, which keep the task's inspecting body (``ix_task_coordinator_seen``). A
    province of a country: the centre's committee, where its visits of others are every province's."""
    kept = TaskCountAll
    led = select(kept.inspecting_org_id).where(
        _AnyOf(kept.lead_org_id, units), kept.inspecting_org_id.not_in(units), kept.tasks > 0
    )
    if not coordinated:
        return led
    coordinator = task_coordinator.c
    others = select(coordinator.inspecting_org_id).where(
        _AnyOf(coordinator.organization_id, units), coordinator.inspecting_org_id.not_in(units)
    )
    return select(union(led, others).subquery().c.inspecting_org_id)


def tasks_visible_probed(root: Subtree, *, visible: bool = True) -> ColumnElement[bool]:
    """``tasks_visible_to`` (``visible``) or ``tasks_counted_for``, tested on each row by probes: the
    lead unit and the inspecting body against the subtree's units (hashed once), a coordinating unit
    and the visit's inspected unit by the task's own keys (an index look-up each).

    For walking the list's order (``ix_task_list_order``) until a page is full: no set of tasks is
    gathered first (a province's ~20,000 coordinated task ids and ~30,000 directive ids of the visits
    it received, read and hashed on every request before the first row could be tested)."""
    units = _units_in(root)
    counted = or_(Task.lead_org_id.in_(units), Task.inspecting_org_id.in_(units))
    if not visible:
        return counted
    return or_(counted, coordinated_probe(units), hosted_probe(units))


def coordinated_probe(units: Select[int]) -> ColumnElement[bool]:
    """Whether one of ``units`` coordinates the task, looked up by the task's id (its primary key).

    ``OFFSET 0`` keeps PostgreSQL from turning the EXISTS into a hashed set of every task the units
    coordinate, built before the first row is tested (it prices the test for every row of the table,
    not for the few a LIMIT reads)."""
    return (
        select(task_coordinator.c.task_id)
        .where(task_coordinator.c.task_id == Task.id, task_coordinator.c.organization_id.in_(units))
        .offset(0)
        .exists()
    )


def hosted_probe(units: Select[int]) -> ColumnElement[bool]:
    """Whether the task's visit was received by one of ``units``, looked up by its directive (see
    ``coordinated_probe`` for the ``OFFSET 0``)."""
    return (
        select(Directive.id)
        .join(Visit, Visit.id == Directive.visit_id)
        .where(Directive.id == Task.directive_id, Visit.inspected_org_id.in_(units))
        .offset(0)
        .exists()
    )
