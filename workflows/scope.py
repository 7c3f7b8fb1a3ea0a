"""Which rows an organisation subtree covers, as SQL conditions."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import aliased

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


def tasks_counted_for(root: Organization) -> ColumnElement[bool]:
    """Tasks a subtree answers for: those it leads, and those of visits its bodies conducted.

    Coordinating units are left out so that a task is counted once per scope.
    """
    lead = aliased(Organization)
    inspecting = aliased(Organization)
    issued_here = (
        select(Directive.id)
        .join(Visit, Visit.id == Directive.visit_id)
        .join(inspecting, inspecting.id == Visit.inspecting_org_id)
        .where(in_subtree(inspecting.path, root))
    )
    return or_(
        Task.lead_org_id.in_(select(lead.id).where(in_subtree(lead.path, root))),
        Task.directive_id.in_(issued_here),
    )


def tasks_visible_to(root: Organization) -> ColumnElement[bool]:
    """Tasks a user of the subtree may see: counted ones, plus those it coordinates."""
    coordinator = aliased(Organization)
    coordinated = (
        select(task_coordinator.c.task_id)
        .join(coordinator, coordinator.id == task_coordinator.c.organization_id)
        .where(in_subtree(coordinator.path, root))
    )
    inspected = aliased(Organization)
    visited_here = (
        select(Directive.id)
        .join(Visit, Visit.id == Directive.visit_id)
        .join(inspected, inspected.id == Visit.inspected_org_id)
        .where(in_subtree(inspected.path, root))
    )
    return or_(tasks_counted_for(root), Task.id.in_(coordinated), Task.directive_id.in_(visited_here))
