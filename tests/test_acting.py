"""One way to run a workflow from a view: commit once, and every refusal answered the same way."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from werkzeug.exceptions import Forbidden, NotFound

from app.acting import Refused, error_message, run, safe_path
from models import User, db
from models.enums import TaskStatus
from workflows.errors import InvalidState, OutOfScope, PermissionDenied, StaleRecord


def test_a_state_in_a_refusal_reads_in_the_users_language(app):
    error = InvalidState(
        "Nhiệm vụ đang ở trạng thái «%(status)s»; không thể %(action)s.",
        status=TaskStatus.CANCELLED,
        action="x",
    )
    assert error.message == "Nhiệm vụ đang ở trạng thái «Đã hủy»; không thể x."
    with app.test_request_context(), force_locale("en"):
        assert "Cancelled" in error_message(error)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/tasks?x=1#lich-su", "/tasks?x=1#lich-su"),
        ("http://localhost/visits", "/visits"),
        ("https://example.com/", "/fallback"),
        ("//example.com/", "/fallback"),
        ("/\\example.com", "/fallback"),
        ("javascript:alert(1)", "/fallback"),
        ("http:/x", "/fallback"),
        (None, "/fallback"),
    ],
)
def test_only_a_page_of_this_site_is_a_way_back(app, target, expected):
    with app.test_request_context(base_url="http://localhost/"):
        assert safe_path(target, "/fallback") == expected


def test_a_successful_call_is_committed_once(app, world):
    with app.test_request_context():
        run(lambda: setattr(world.office, "display_name", "Văn phòng Huyện ủy"))
    db.session.rollback()  # only what was committed survives
    assert db.session.get(User, world.office.id).display_name == "Văn phòng Huyện ủy"


@pytest.mark.parametrize(
    ("error", "answer"), [(OutOfScope("x"), NotFound), (PermissionDenied("x"), Forbidden)]
)
def test_a_refusal_outside_the_scope_or_the_role_answers_404_or_403_and_writes_nothing(
    app, world, error, answer
):
    before = world.office.display_name

    def refused() -> None:
        world.office.display_name = "Không được lưu"
        db.session.flush()
        raise error

    with app.test_request_context(), pytest.raises(answer):
        run(refused)
    assert db.session.get(User, world.office.id).display_name == before


def test_another_refusal_becomes_a_flash_and_a_stale_record_is_left_to_the_view(app, world):
    with app.test_request_context():
        with pytest.raises(Refused):
            run(lambda: (_ for _ in ()).throw(InvalidState("Đợt kiểm tra đã đóng.")))
        from flask import get_flashed_messages

        assert get_flashed_messages() == ["Đợt kiểm tra đã đóng."]
        with pytest.raises(StaleRecord):
            run(lambda: (_ for _ in ()).throw(StaleRecord("Bản ghi vừa được người khác lưu.")))
