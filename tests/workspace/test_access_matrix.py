"""Who may do what, on records of their own organisation tree and of another one.

Every workspace route is tried by every role (and anonymously), on a record inside the province the
users belong to ("own") and on one in another province ("foreign"). A record outside the user's subtree
answers 404, an action the role lacks answers 403, and a visitor who is not signed in is sent to sign in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from app.policy import TABLE
from models import Visit, db
from models.enums import DelegationRole
from tests.conftest import at
from workflows import recurrence as duty_flow
from workflows import tasks as task_flow
from workflows import visits as visit_flow

ROLES = ("anonymous", "admin", "inspector", "office", "leader", "other_inspector")
OK, HIDDEN, FORBIDDEN, LOGIN = "ok", "404", "403", "login"


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    path: str  # formatted with the ids of the "own" or "foreign" records
    data: dict[str, Any] | None = None


ROUTES = (
    # First: the visit must still be planned when a refused POST is checked for leaving it alone.
    Route("workspace.calendar_day_delete", "POST", "/admin/calendar/0/delete"),  # no such day
    Route("workspace.visit_list", "GET", "/visits"),
    Route("workspace.visit_detail", "GET", "/visits/{visit}"),
    Route("workspace.visit_xlsx", "GET", "/visits/{visit}/tasks.xlsx"),
    Route("workspace.visit_create", "GET", "/visits/new"),
    Route("workspace.visit_edit", "GET", "/visits/{visit}/edit"),
    # While the visit is planned: a concluded visit takes no import (409).
    Route("workspace.directive_import_start", "GET", "/visits/{visit}/import"),
    Route("workspace.directive_import_template", "GET", "/visits/{visit}/import/template.xlsx"),
    Route("workspace.directive_import_preview", "POST", "/visits/{visit}/import", {}),
    Route("workspace.directive_import_confirm", "POST", "/visits/{visit}/import/confirm", {"token": "x"}),
    Route("workspace.history_import_start", "GET", "/visits/import-history"),
    Route("workspace.history_import_template", "GET", "/visits/import-history/template.xlsx"),
    Route("workspace.history_import_preview", "POST", "/visits/import-history", {}),
    Route("workspace.history_import_confirm", "POST", "/visits/import-history/confirm", {"token": "x"}),
    # Before the visit's own state changes: a refused POST is checked to leave the visit planned.
    Route(
        "workspace.organization_successor",
        "POST",
        "/admin/organizations/{org}/successor",
        {"successor_id": ""},
    ),
    Route("workspace.visit_conduct", "POST", "/visits/{visit}/conduct", {"version": "{visit_version}"}),
    Route("workspace.visit_conclude", "POST", "/visits/{visit}/conclude", {"version": "{visit_version}"}),
    Route(
        "workspace.visit_close",
        "POST",
        "/visits/{visit}/close",
        {"version": "{visit_version}", "evaluation": "x"},
    ),
    Route("workspace.visit_correct", "GET", "/visits/{visit}/correct"),
    Route("workspace.task_create", "GET", "/visits/{visit}/directives/{directive}/tasks/new"),
    Route("workspace.recurrence_set", "GET", "/visits/{visit}/directives/{directive}/recurrence"),
    Route("workspace.recurrence_stop", "POST", "/visits/{visit}/recurrences/{recurrence}/stop"),
    Route("workspace.verification_queue", "GET", "/verification"),
    Route(
        "workspace.extension_decide",
        "POST",
        "/verification/extensions/{extension}",
        {"version": "{extended_version}", "decision": "approve"},
    ),
    Route("workspace.task_pause", "POST", "/tasks/{reported}/pause", {"version": "0", "reason": "Chờ."}),
    Route("workspace.task_resume", "POST", "/tasks/{reported}/resume", {"version": "0"}),
    Route("workspace.task_cancel", "POST", "/tasks/{reported}/cancel", {"version": "0", "reason": "Thôi."}),
    Route("workspace.document_list", "GET", "/registry"),
    Route("workspace.registry_xlsx", "GET", "/registry.xlsx"),
    Route("workspace.document_detail", "GET", "/registry/{document}"),
    Route("workspace.document_create", "GET", "/registry/new"),
    Route("workspace.document_edit", "GET", "/registry/{document}/edit"),
    Route("workspace.organization_list", "GET", "/admin/organizations"),
    Route("workspace.organization_create", "GET", "/admin/organizations/new"),
    Route("workspace.organization_edit", "GET", "/admin/organizations/{org}/edit"),
    Route("workspace.user_list", "GET", "/admin/users"),
    Route("workspace.user_create", "GET", "/admin/users/new"),
    Route("workspace.user_edit", "GET", "/admin/users/{user}/edit"),
    Route("workspace.calendar_days", "GET", "/admin/calendar"),
    Route("main.home", "GET", "/"),
)

# endpoint -> role -> (own record, foreign record). Lists and "new" forms have no record: both the same.
# The other inspector belongs to another board of the same province: the own visit is outside their tree.
_READ = {
    "admin": (OK, HIDDEN),
    "inspector": (OK, HIDDEN),
    "leader": (OK, HIDDEN),
    "other_inspector": (HIDDEN, HIDDEN),
}
_EDIT = {"inspector": (OK, HIDDEN), "other_inspector": (HIDDEN, HIDDEN)}
_ANY = {role: (OK, OK) for role in ROLES if role != "anonymous"}
_ADMIN = {"admin": (OK, HIDDEN)}
EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    "workspace.visit_list": {role: (OK, OK) for role in ("admin", "inspector", "leader", "other_inspector")},
    "workspace.visit_detail": _READ,
    "workspace.visit_xlsx": _READ,
    "workspace.visit_create": {"inspector": (OK, OK), "other_inspector": (OK, OK)},
    "workspace.visit_edit": _EDIT,
    "workspace.visit_conduct": _EDIT,
    "workspace.visit_conclude": _EDIT,
    "workspace.visit_close": _EDIT,
    # Corrections are for the inspecting side and for administrators over it.
    "workspace.visit_correct": {**_EDIT, "admin": (OK, HIDDEN)},
    "workspace.task_create": _EDIT,
    "workspace.directive_import_start": _EDIT,
    "workspace.directive_import_template": _EDIT,
    "workspace.directive_import_preview": _EDIT,  # let in; the missing file answers 400
    # A confirmation without a preview of one's own reads as missing.
    "workspace.directive_import_confirm": {
        "inspector": (HIDDEN, HIDDEN),
        "other_inspector": (HIDDEN, HIDDEN),
    },
    "workspace.history_import_start": {"inspector": (OK, OK), "other_inspector": (OK, OK)},
    "workspace.history_import_template": {"inspector": (OK, OK), "other_inspector": (OK, OK)},
    "workspace.history_import_preview": {"inspector": (OK, OK), "other_inspector": (OK, OK)},
    "workspace.history_import_confirm": {"inspector": (HIDDEN, HIDDEN), "other_inspector": (HIDDEN, HIDDEN)},
    "workspace.recurrence_set": _EDIT,
    "workspace.recurrence_stop": _EDIT,
    "workspace.verification_queue": {"inspector": (OK, OK), "other_inspector": (OK, OK)},
    # Accepting and returning a report are the board's routes (tests/board/test_permissions.py).
    "workspace.extension_decide": _EDIT,
    "workspace.task_pause": _EDIT,
    "workspace.task_resume": _EDIT,
    "workspace.task_cancel": _EDIT,
    # The registry is shared reference data; what differs is which citing directives are listed.
    "workspace.document_list": {
        role: (OK, OK) for role in ("admin", "inspector", "leader", "other_inspector")
    },
    "workspace.registry_xlsx": {
        role: (OK, OK) for role in ("admin", "inspector", "leader", "other_inspector")
    },
    "workspace.document_detail": {
        role: (OK, OK) for role in ("admin", "inspector", "leader", "other_inspector")
    },
    "workspace.document_create": {role: (OK, OK) for role in ("admin", "inspector", "other_inspector")},
    "workspace.document_edit": {role: (OK, OK) for role in ("admin", "inspector", "other_inspector")},
    "workspace.organization_list": {"admin": (OK, OK)},
    "workspace.organization_create": {"admin": (OK, OK)},
    "workspace.organization_edit": _ADMIN,
    "workspace.organization_successor": _ADMIN,
    "workspace.user_list": {"admin": (OK, OK)},
    "workspace.user_create": {"admin": (OK, OK)},
    "workspace.user_edit": _ADMIN,
    "workspace.calendar_days": {"admin": (OK, OK)},
    "workspace.calendar_day_delete": {"admin": (HIDDEN, HIDDEN)},
    "main.home": _ANY,
}


def _expected(role: str, endpoint: str) -> tuple[str, str]:
    if role == "anonymous":
        return (LOGIN, LOGIN)
    return EXPECTED[endpoint].get(role, (FORBIDDEN, FORBIDDEN))


def _shown_text(response) -> str:
    """The text a reader sees: the page, or every cell of a downloaded spreadsheet."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        workbook = load_workbook(BytesIO(response.data), read_only=True)
        return " ".join(
            str(value)
            for sheet in workbook
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value
        )
    return response.get_data(as_text=True)


def _outcome(response) -> str:
    if response.status_code in (403, 404):
        return str(response.status_code)
    if response.status_code == 302 and "/login" in response.headers["Location"]:
        return LOGIN
    # 400: let in, the input refused (an import's preview posted without a file).
    assert response.status_code in (200, 302, 400), response.status_code
    return OK


def _records(world, elsewhere, full_visit) -> dict[str, dict[str, Any]]:
    """The ids each route needs, for a record in the users' province and one in another province."""
    own = full_visit(directives=2)
    own_reported = own.directives[0].tasks[0]
    own_extended = own.directives[1].tasks[0]
    task_flow.report_task_done(own_reported, world.office, note="Đã xong.", now=at(date(2023, 9, 1)))
    own_extension = task_flow.request_extension(
        own_extended,
        world.office,
        new_due_on=date(2024, 6, 30),
        reason="Chờ kinh phí.",
        now=at(date(2023, 9, 1)),
    )

    inspector = elsewhere.inspector
    foreign = visit_flow.create_visit(
        inspector,
        title="Đợt kiểm tra ở Tân Phú",
        subject="công tác tuyên giáo",
        visited_on=date(2023, 6, 20),
        inspecting_org=elsewhere.board,
        inspected_org=elsewhere.district,
    )
    visit_flow.add_delegation_member(foreign, inspector, person=world.head, role=DelegationRole.HEAD)
    directives = [
        visit_flow.issue_directive(foreign, inspector, body=f"Yêu cầu {n}.", citations=["85-QĐ/TW"])
        for n in (1, 2)
    ]
    office = _foreign_office(elsewhere)
    tasks = [
        task_flow.assign_task(
            d, inspector, lead_org=elsewhere.district, due_on=date(2023, 12, 31), now=at(date(2023, 6, 20))
        )
        for d in directives
    ]
    task_flow.report_task_done(tasks[0], office, note="Đã xong.", now=at(date(2023, 9, 1)))
    foreign_extension = task_flow.request_extension(
        tasks[1], office, new_due_on=date(2024, 6, 30), reason="Chờ kinh phí.", now=at(date(2023, 9, 1))
    )
    own_duty, foreign_duty = (
        duty_flow.set_recurrence(
            directive,
            user,
            period="monthly",
            due_day=25,
            first_period=date(2023, 7, 1),
            last_period=None,
            lead_org=lead,
        )
        for directive, user, lead in (
            (own.directives[1], world.inspector, world.district_office),
            (directives[1], inspector, elsewhere.district),
        )
    )
    db.session.commit()
    document = own.directives[0].citations[0]
    records = {
        "own": {
            "visit": own.id,
            "visit_version": own.version,
            "directive": own.directives[0].id,
            "reported": own_reported.id,
            "reported_version": own_reported.version,
            "extension": own_extension.id,
            "extended_version": own_extended.version,
            "document": document.id,
            "org": world.district.id,
            "user": world.office.id,
            "recurrence": own_duty.id,
        },
        "foreign": {
            "visit": foreign.id,
            "visit_version": foreign.version,
            "directive": directives[0].id,
            "reported": tasks[0].id,
            "reported_version": tasks[0].version,
            "extension": foreign_extension.id,
            "extended_version": tasks[1].version,
            "document": document.id,
            "org": elsewhere.district.id,
            "user": elsewhere.inspector.id,
            "recurrence": foreign_duty.id,
        },
    }
    db.session.commit()
    return records


def _foreign_office(elsewhere):
    from models import User
    from models.enums import Role
    from tests.conftest import PASSWORD_HASH

    user = User(
        username="office-dn", role=Role.OFFICE, organization=elsewhere.district, display_name="office-dn"
    )
    user.password_hash = PASSWORD_HASH
    db.session.add(user)
    return user


def test_every_workspace_route_is_in_the_matrix(app):
    mine = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("workspace.")}
    assert mine - {"workspace.static"} == {r.endpoint for r in ROUTES if r.endpoint.startswith("workspace.")}
    assert all(route.endpoint in TABLE for route in ROUTES)


@pytest.mark.parametrize("role", ROLES)
def test_the_access_matrix(app, client, login_as, world, elsewhere, full_visit, role):
    """One signed-in user tries every route on both records; every mismatch is listed."""
    records = _records(world, elsewhere, full_visit)
    if role != "anonymous":
        login_as(getattr(world, role))
    mismatches = []
    for route in ROUTES:
        outcomes: dict[str, str] = {}
        for side in ("foreign", "own"):  # foreign first: an allowed action on the own record changes it
            ids = records[side]
            path = route.path.format(**ids)
            data = {k: v.format(**ids) for k, v in (route.data or {}).items()}
            response = client.open(path, method=route.method, data=data if route.method == "POST" else None)
            outcomes[side] = _outcome(response)
            shown = _shown_text(response) if route.method == "GET" else ""
            if outcomes[side] == OK and "Tân Phú" in shown:  # nothing of the other province shows
                mismatches.append(f"{route.endpoint} ({side}) shows a record of the other province")
        got = (outcomes["own"], outcomes["foreign"])
        if got != _expected(role, route.endpoint):
            mismatches.append(f"{route.endpoint}: expected {_expected(role, route.endpoint)}, got {got}")
        if route.method == "POST" and outcomes["own"] != OK:
            visit = db.session.get(Visit, records["own"]["visit"])
            db.session.refresh(visit)
            if visit.status.value != "planned":
                mismatches.append(f"{route.endpoint} was refused but changed the visit")
    assert mismatches == []
