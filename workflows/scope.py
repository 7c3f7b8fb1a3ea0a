"""Which rows an organisation subtree covers, as SQL conditions."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import InstrumentedAttribute, aliased

from models import Directive, Organization, Task, Visit, task_coordinator


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def in_subtree(path_column: ColumnElement[str], root: Organization) -> ColumnElement[bool]:
    """True for organisations whose path starts with the root's path."""
    return path_column.like(_escape_like(root.path) + "%", escape="\\")


def visits_in_scope(root: Organization) -> ColumnElement[bool]:
    """Visits where either the inspecting or the inspected body lies in the subtree."""
    inspecting = aliased(Organization)
    inspected = aliased(Organization)
    return or_(
        Visit.inspecting_org_id.in_(select(inspecting.id).where(in_subtree(inspecting.path, root))),
        Visit.inspected_org_id.in_(select(inspected.id).where(in_subtree(inspected.path, root))),
    )


def _units_in(root: Organization) -> Select[tuple[int]]:
    unit = aliased(Organization)
    return select(unit.id).where(in_subtree(unit.path, root))


def _directives_of_visits(body_column: InstrumentedAttribute[int], root: Organization) -> Select[tuple[int]]:
    # Walk down from the bodies through the indexes (visit by body, directive by visit) rather than
    # joining every directive to its visit: an office's list reads a few hundred rows, not the table.
    return select(Directive.id).where(
        Directive.visit_id.in_(select(Visit.id).where(body_column.in_(_units_in(root))))
    )


def tasks_counted_for(root: Organization) -> ColumnElement[bool]:
    """Tasks a subtree answers for: those it leads, and those of visits its bodies conducted.

    Coordinating units are left out so that a task is counted once per scope.
    """
    return or_(
        Task.lead_org_id.in_(_units_in(root)),
        Task.directive_id.in_(_directives_of_visits(Visit.inspecting_org_id, root)),
    )


def tasks_visible_to(root: Organization) -> ColumnElement[bool]:
    """Tasks a user of the subtree may see: counted ones, plus those it coordinates."""
    coordinated = select(task_coordinator.c.task_id).where(
        task_coordinator.c.organization_id.in_(_units_in(root))
    )
    return or_(
        tasks_counted_for(root),
        Task.id.in_(coordinated),
        Task.directive_id.in_(_directives_of_visits(Visit.inspected_org_id, root)),
    )
