"""Who may read, write and download the unit's report: every role against every report-back route (a
missing right answers 403, another unit's task 404, as everywhere)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import db
from workflows import report_back
from workflows import visits as visit_flow
from workflows.clock import local_today

# "office" works in a board under the inspected committee: the committee's own report is not its task.
USERS = ("admin", "inspector", "other_inspector", "unit_office", "office", "other_office_user", "leader")

# endpoint: expected status per user, in the order of USERS
MATRIX = {
    "board.report_back": (403, 200, 404, 200, 404, 404, 200),
    "board.report_back_download": (403, 200, 404, 200, 404, 404, 200),
    "board.report_back_save": (403, 403, 403, 302, 404, 404, 403),
}


@pytest.mark.parametrize("user", USERS)
def test_the_role_and_scope_matrix(login_as, world, full_visit, unit_office, user):
    visit = full_visit(directives=1)
    visit_flow.conclude_visit(visit, world.inspector, report_due_on=local_today() + timedelta(days=30))
    db.session.commit()
    task = report_back.task_of(visit)
    client = login_as(unit_office if user == "unit_office" else getattr(world, user))
    base = f"/tasks/{task.id}/bao-cao-ket-qua"
    responses = {
        "board.report_back": client.get(base),
        "board.report_back_download": client.get(f"{base}.docx"),
        "board.report_back_save": client.post(base, data={"general": "Đã quán triệt.", "action": "save"}),
    }
    column = USERS.index(user)
    assert {endpoint: r.status_code for endpoint, r in responses.items()} == {
        endpoint: statuses[column] for endpoint, statuses in MATRIX.items()
    }
