"""Who may do what on the board: every role (and anonymous) against every page and form, for a task
of their own district and of another (another unit's record answers 404, a missing right 403)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest

from app import create_app
from app.board import RULES
from models import Task, db
from tests.board.conftest import pdf_bytes, post_files
from tests.board.test_attachments import FakeUpload
from tests.conftest import PASSWORD
from tests.report_back.test_access import MATRIX as REPORT_BACK_MATRIX
from workflows import attachments
from workflows import tasks as task_flow

USERS = (
    "anonymous",
    "admin",
    "inspector",
    "other_inspector",
    "office",
    "coordinator",
    "other_office_user",
    "leader",
)

# endpoint: expected status per user, in the order of USERS
MATRIX = {
    "list": (302, 403, 200, 200, 200, 200, 200, 200),
    "detail": (302, 403, 200, 404, 200, 200, 404, 200),
    "file": (302, 403, 200, 404, 200, 200, 404, 200),
    "progress": (302, 403, 403, 403, 302, 302, 404, 403),
    "report": (302, 403, 403, 403, 302, 403, 404, 403),
    "extension": (302, 403, 403, 403, 302, 403, 404, 403),
    "verify": (302, 403, 302, 404, 403, 403, 403, 403),
    "return": (302, 403, 302, 404, 403, 403, 403, 403),
    "dashboard": (302, 403, 200, 200, 403, 403, 403, 200),
    "list_xlsx": (302, 403, 200, 200, 200, 200, 200, 200),
    "dashboard_xlsx": (302, 403, 200, 200, 403, 403, 403, 200),
    "progress_start": (302, 403, 403, 403, 200, 200, 200, 403),
    "progress_sheet": (302, 403, 403, 403, 200, 200, 200, 403),
    "progress_preview": (302, 403, 403, 403, 400, 400, 400, 403),
    "progress_confirm": (302, 403, 403, 403, 404, 404, 404, 403),
}
FIELDS = {
    "progress": {"note": "Ghi chú tiến độ."},
    "report": {"note": "Đã hoàn thành."},
    "extension": {"new_due_on": "31/03/2024", "reason": "Chờ kinh phí."},
    "verify": {"note": ""},
    "return": {"note": "Bổ sung biên bản."},
}


@pytest.mark.parametrize("user", USERS)
def test_the_role_and_scope_matrix(app, client_for, world, create_task, upload_folder, user):
    """One sign-in per role (argon2 is slow by design), every endpoint checked, every mismatch listed."""
    task = create_task(due_on=date(2023, 12, 31), coordinating=[world.district_culture])
    event = task_flow.record_progress(task, world.office, note="Có minh chứng.")
    checked = attachments.check_uploads([FakeUpload("a.pdf", io.BytesIO(pdf_bytes()))], max_bytes=10**6)
    (attachment,) = attachments.attach_files(task, event, world.office, checked, folder=upload_folder)
    reported = {}
    for endpoint in ("verify", "return"):
        reported[endpoint] = create_task(coordinating=[world.district_culture])
        task_flow.report_task_done(reported[endpoint], world.office, note="Đã xong.")
    db.session.commit()
    ids = {"task": task.id, "file": attachment.id, **{k: v.id for k, v in reported.items()}}
    client = app.test_client() if user == "anonymous" else client_for(getattr(world, user))

    def post(endpoint: str, task_id: int):
        db.session.expire_all()
        current = db.session.get(Task, task_id)
        prefix = "verify" if endpoint == "return" else endpoint  # one decision form, two buttons
        return post_files(client, f"/tasks/{task_id}/{endpoint}", prefix, current, **FIELDS[endpoint])

    responses = {
        "list": client.get("/tasks"),
        "detail": client.get(f"/tasks/{ids['task']}"),
        "file": client.get(f"/tasks/{ids['task']}/files/{ids['file']}"),
        "dashboard": client.get("/dashboard"),
        "list_xlsx": client.get("/tasks.xlsx"),
        "dashboard_xlsx": client.get("/dashboard.xlsx"),
        "progress_start": client.get("/tasks/progress-import"),
        "progress_sheet": client.get("/tasks/progress.xlsx"),
        "progress_preview": client.post("/tasks/progress-import", data={}),
        "progress_confirm": client.post("/tasks/progress-import/confirm", data={"token": "x"}),
        "progress": post("progress", ids["task"]),
        "extension": post("extension", ids["task"]),
        "report": post("report", ids["task"]),
        "verify": post("verify", ids["verify"]),
        "return": post("return", ids["return"]),
    }
    for response in responses.values():
        response.close()
    column = USERS.index(user)
    expected = {endpoint: statuses[column] for endpoint, statuses in MATRIX.items()}
    assert {endpoint: r.status_code for endpoint, r in responses.items()} == expected
    if user == "anonymous":
        assert all("/login" in r.headers["Location"] for r in responses.values())


def test_every_board_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("board.")}
    assert endpoints == set(RULES)
    named = {
        "list": "board.task_list",
        "detail": "board.task_detail",
        "file": "board.download_attachment",
        "progress": "board.record_progress",
        "report": "board.report_done",
        "extension": "board.request_extension",
        "verify": "board.verify_task",
        "return": "board.return_task",
        "dashboard": "board.dashboard",
        "list_xlsx": "board.task_list_xlsx",
        "dashboard_xlsx": "board.dashboard_xlsx",
        "progress_start": "board.progress_import_start",
        "progress_sheet": "board.progress_sheet",
        "progress_preview": "board.progress_import_preview",
        "progress_confirm": "board.progress_import_confirm",
    }
    # the report-back routes answer for report-back tasks only: their matrix is in tests/report_back
    assert set(named.values()) | set(REPORT_BACK_MATRIX) == endpoints and set(named) == set(MATRIX)


def test_a_post_without_the_csrf_token_is_refused_and_the_pages_token_works(
    database_url, tmp_path, world, create_task
):
    task_id = create_task().id
    db.session.commit()  # and touch the session no more: the other app's requests need the write lock
    guarded = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "csrf-test",
            "WTF_CSRF_ENABLED": True,
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    client = guarded.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    assert (
        client.post(
            "/login", data={"username": "office", "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    refused = client.post(
        f"/tasks/{task_id}/progress", data={"progress-note": "Không có mã.", "progress-version": "2"}
    )
    assert refused.status_code == 400
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    form_token = re.search(r'name="progress-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    version = re.search(r'name="progress-version" type="hidden" value="(\d+)"', page).group(1)
    accepted = client.post(
        f"/tasks/{task_id}/progress",
        data={"progress-note": "Có mã.", "progress-version": version, "progress-csrf_token": form_token},
    )
    assert accepted.status_code == 302
    with guarded.app_context():
        db.engine.dispose()
