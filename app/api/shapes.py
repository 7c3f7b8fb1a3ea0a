"""The JSON shapes of the API's records (the OpenAPI document in ``app/api/openapi.py`` describes them).

Dates are ISO (``2023-12-31``), instants ISO with their UTC offset; every state and kind comes as its
stable code (``status``) and as its display word in the client's language (``status_label``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import url_for

from models import Directive, LegalDocument, NewsPost, Organization, Task, TaskEvent, Visit
from models.enums import DelegationSide, FindingKind
from models.labels import label
from workflows.timeliness import days_overdue, timeliness_of


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def instant(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def org(value: Organization | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"id": value.id, "code": value.code, "name": value.name}


def etag(task: Task) -> str:
    """The task's version as an entity tag: ``If-Match`` on a write must repeat it."""
    return f'"{task.version}"'


def task_row(task: Task, today: date, soon: int) -> dict[str, Any]:
    """A task as a line of the list."""
    category = timeliness_of(task, today, soon)
    visit = task.directive.visit
    return {
        "id": task.id,
        "title": task.title,
        "status": task.status.value,
        "status_label": label(task.status),
        "timeliness": category.value if category else None,
        "timeliness_label": label(category) if category else None,
        "due_on": day(task.due_on),
        "original_due_on": day(task.original_due_on),
        "days_overdue": days_overdue(task, today),
        "progress": task.progress,
        "lead_org": org(task.lead_org),
        "coordinating_orgs": [org(o) for o in task.coordinating_orgs],
        "visit": {"id": visit.id, "reference": visit.reference, "title": visit.title},
        "directive": {"id": task.directive.id, "number": task.directive.number},
        "created_at": instant(task.created_at),
        "reported_at": instant(task.reported_at),
        "completed_on": day(task.completed_on),
        "version": task.version,
        "url": url_for("board.task_detail", task_id=task.id, _external=True),
    }


def event(value: TaskEvent) -> dict[str, Any]:
    return {
        "at": instant(value.created_at),
        "kind": value.kind.value,
        "kind_label": label(value.kind),
        "actor": (value.actor.display_name or value.actor.username) if value.actor else None,
        "from_status": value.from_status.value if value.from_status else None,
        "to_status": value.to_status.value if value.to_status else None,
        "progress": value.progress,
        "note": value.note,
    }


def task_detail(task: Task, today: date, soon: int, user: Any) -> dict[str, Any]:
    """A task with its description, history, extensions and what the caller may do now."""
    data = task_row(task, today, soon)
    actions = []
    if task.can_comment(user):
        actions.append("progress")
    if task.can_report(user):
        actions += ["report", "extension"]
    if task.can_verify(user):
        actions += ["verify", "return"]
    data.update(
        {
            "description": task.description,
            "events": [event(e) for e in task.events],
            "extensions": [
                {
                    "requested_due_on": day(x.requested_due_on),
                    "previous_due_on": day(x.previous_due_on),
                    "reason": x.reason,
                    "status": x.status.value,
                    "status_label": label(x.status),
                    "requested_at": instant(x.requested_at),
                    "decided_at": instant(x.decided_at),
                }
                for x in task.extensions
            ],
            "actions": actions,
        }
    )
    return data


def citation(document: LegalDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "code": document.code,
        "system": document.system.value,
        "type_code": document.type_code,
        "type_name": document.type_name,
        "issuer_code": document.issuer_code,
        "issued_on": day(document.issued_on),
        "title": document.title,
    }


def directive(value: Directive) -> dict[str, Any]:
    return {
        "id": value.id,
        "number": value.number,
        "title": value.title,
        "body": value.body,
        "due_on": day(value.due_on),
        "due_period_label": value.due_period_label,
        "citations": [citation(c) for c in value.citations],
        "tasks": [
            {
                "id": t.id,
                "title": t.title,
                "lead_org": org(t.lead_org),
                "status": t.status.value,
                "status_label": label(t.status),
                "due_on": day(t.due_on),
            }
            for t in value.tasks
        ],
    }


def visit_row(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.id,
        "reference": visit.reference,
        "title": visit.title,
        "subject": visit.subject,
        "visited_on": day(visit.visited_on),
        "status": visit.status.value,
        "status_label": label(visit.status),
        "inspecting_org": org(visit.inspecting_org),
        "inspected_org": org(visit.inspected_org),
        "url": url_for("workspace.visit_detail", visit_id=visit.id, _external=True),
    }


def visit_detail(visit: Visit) -> dict[str, Any]:
    """A visit with both sides of the delegation, its findings by kind and its numbered directives."""
    data = visit_row(visit)
    delegation: dict[str, list[dict[str, Any]]] = {side.value: [] for side in DelegationSide}
    for member in visit.members:
        delegation[member.side.value].append(
            {
                "name": member.person.full_name,
                "role": member.role.value,
                "role_label": label(member.role),
                "position": member.position_on_day,
            }
        )
    findings: dict[str, list[str]] = {kind.value: [] for kind in FindingKind}
    for finding in visit.findings:
        findings[finding.kind.value].append(finding.text)
    data.update(
        {
            "period_label": visit.period_label,
            "place": visit.place,
            "decision_ref": visit.decision_ref,
            "summary": visit.summary,
            "delegation": delegation,
            "findings": findings,
            "directives": [directive(d) for d in visit.directives],
        }
    )
    return data


def news_post(post: NewsPost) -> dict[str, Any]:
    return {
        "id": post.id,
        "title": post.title,
        "slug": post.slug,
        "lead": post.lead,
        "author_line": post.author_line,
        "published_at": instant(post.published_at),
        "url": url_for("news.show", slug=post.slug, _external=True),
        "body_html": post.body_html,
    }
