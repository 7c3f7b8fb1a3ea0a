"""List and detail pages run the same number of SQL statements for 1 row as for 50."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import User, db
from models.enums import Role
from tests.conftest import PASSWORD_HASH, at
from workflows import tasks as task_flow
from workflows import visits as visit_flow


def _statements(client, query_counter, url: str) -> int:
    client.get(url)  # warm up: the first request of a test may load what later ones find cached
    db.session.commit()
    with query_counter() as counted:
        response = client.get(url)
    assert response.status_code == 200
    return counted.count


def _visits(n, create_visit):
    return [create_visit(title=f"Đợt {i}", visited_on=date(2023, 1, 1) + timedelta(days=i)) for i in range(n)]


def _directives_with_tasks(visit, world, n):
    for i in range(n):
        directive = visit_flow.issue_directive(
            visit, world.inspector, body=f"Yêu cầu {i} theo 85-QĐ/TW.", citations=["85-QĐ/TW", "05-CT/TW"]
        )
        task = task_flow.assign_task(
            directive,
            world.inspector,
            lead_org=world.district_office,
            coordinating=[world.district_culture],
            due_on=date(2023, 12, 31),
            now=at(date(2023, 6, 14)),
        )
        task_flow.record_progress(task, world.office, note="Đang làm.", progress=10, now=at(date(2023, 7, 1)))


def _reported(visit, world, n):
    _directives_with_tasks(visit, world, n)
    for directive in visit.directives:
        task = directive.tasks[0]
        task_flow.report_task_done(task, world.office, note="Đã xong.", now=at(date(2023, 9, 1)))


def _users(world, n):
    for i in range(n):
        user = User(username=f"u{i:03d}", role=Role.OFFICE, organization=world.district_office)
        user.password_hash = PASSWORD_HASH
        db.session.add(user)


def _documents(n):
    for i in range(1, n + 1):
        visit_flow.resolve_document(f"{i}-CT/TW")


PAGES = {
    "visit list": ("/visits", lambda n, w, v: _visits(n, v)),
    "visit list, searched": ("/visits?q=dot&sort=unit", lambda n, w, v: _visits(n, v)),
    "dossier": ("/visits/{visit}", lambda n, w, v: _directives_with_tasks(v(), w, n)),
    "verification queue": ("/verification", lambda n, w, v: _reported(v(), w, n)),
    "registry": ("/registry", lambda n, w, v: _documents(n)),
    "document page": ("/registry/{document}", lambda n, w, v: _directives_with_tasks(v(), w, n)),
    "account list": ("/admin/users", lambda n, w, v: _users(w, n)),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_page_costs_the_same_queries_for_1_and_50_rows(login_as, world, create_visit, query_counter, page):
    from models import LegalDocument, Visit

    url, build = PAGES[page]
    counts = []
    for rows in (1, 50):
        build(rows, world, create_visit)
        db.session.commit()
        visit = db.session.scalar(select(Visit.id).order_by(Visit.id.desc()).limit(1))
        document = db.session.scalar(select(LegalDocument.id).order_by(LegalDocument.id).limit(1))
        user = world.admin if "account" in page else world.inspector
        client = login_as(user)
        counts.append(_statements(client, query_counter, url.format(visit=visit, document=document)))
        if rows == 1:
            _empty_for_next_round(world)
    assert counts[0] == counts[1], f"{page}: {counts[0]} statements for 1 row, {counts[1]} for 50"


def _empty_for_next_round(world):
    """Remove the rows of the first round so that the second one has exactly 50."""
    from sqlalchemy import delete

    from models import (
        AuditEntry,
        DeadlineExtension,
        DelegationMember,
        Directive,
        Finding,
        LegalDocument,
        Notification,
        Task,
        TaskEvent,
        Visit,
        directive_citation,
        task_coordinator,
    )

    for table in (
        Notification,
        TaskEvent,
        DeadlineExtension,
        task_coordinator,
        Task,
        directive_citation,
        Directive,
        Finding,
        DelegationMember,
        Visit,
        LegalDocument,
        AuditEntry,
    ):
        db.session.execute(delete(table))
    db.session.execute(delete(User).where(User.username.like("u%"), User.role == Role.OFFICE))
    db.session.commit()
