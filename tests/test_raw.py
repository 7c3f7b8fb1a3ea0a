"""The statements every page runs go straight to the driver (models/raw.py): the same rows and values as
SQLAlchemy's own execution, and objects that behave as a query's."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import bindparam, func, inspect, select

from app import navigation
from models import LoginSession, Notification, Organization, Task, User, db, raw
from models.base import utcnow
from models.enums import OPEN_TASK_STATUSES, NotificationKind, Role
from workflows import signin


def test_rows_match_sqlalchemys_own_values(world):
    statement = select(User.id, User.role, User.is_active, User.created_at, Organization.valid_from).join(
        Organization, Organization.id == User.organization_id
    )
    statement = statement.where(User.id == bindparam("user_id"), User.created_at > bindparam("since"))
    world.office.organization.valid_from = date(2020, 1, 1)
    db.session.commit()
    params = {"user_id": world.office.id, "since": utcnow() - timedelta(days=1)}
    expected = [tuple(row) for row in db.session.execute(statement, params)]
    assert raw.rows(db.session, statement, params) == expected
    # Given the session's connection (a caller running several statements asks for it once).
    assert raw.rows(db.session.connection(), statement, params) == expected
    (row,) = expected
    assert (
        row[1] is Role.OFFICE and row[2] is True and row[3].tzinfo is not None and row[4] == date(2020, 1, 1)
    )
    assert raw.rows(db.session, statement, params | {"user_id": -1}) == []


def test_a_statement_with_an_in_list_runs_with_its_values_written_in(world, create_task):
    create_task()
    statement = select(
        select(func.count(Task.id)).where(Task.status.in_(OPEN_TASK_STATUSES)).scalar_subquery(),
        select(func.count(Organization.id))
        .where(Organization.path.like(world.province.path + "%"))
        .scalar_subquery(),
    )
    assert raw.rows(db.session, statement, literal=True) == [tuple(db.session.execute(statement).one())]


def test_the_engines_listeners_see_the_statement(world, query_counter):
    statement, user_id = select(User.id).where(User.id == bindparam("user_id")), world.office.id
    with query_counter() as counted:
        raw.rows(db.session, statement, {"user_id": user_id})
    assert counted.count == 1


def test_an_object_made_from_a_row_behaves_as_a_querys(world):
    user_id, unit_id = world.office.id, world.office.organization_id
    db.session.commit()
    db.session.expunge_all()
    token = signin.open_session(db.session.get(User, user_id), address=None, user_agent=None)
    db.session.commit()
    db.session.expunge_all()
    user = signin.session_user(user_id, token, timedelta(hours=1))
    assert user is not None and inspect(user).persistent and not db.session.dirty
    assert user is db.session.get(User, user_id)  # in the identity map
    assert user.organization is db.session.get(Organization, unit_id)
    assert user.organization.parent is not None  # relationships not read with it load lazily
    user.display_name = "Tên mới"
    db.session.commit()  # a change is flushed as an UPDATE
    db.session.expunge_all()
    assert db.session.get(User, user_id).display_name == "Tên mới"


def test_an_object_the_session_holds_is_returned_with_its_expired_columns_filled_in(world):
    token = signin.open_session(world.office, address=None, user_agent=None)
    db.session.commit()  # expires world.office
    user = signin.session_user(world.office.id, token, timedelta(hours=1))
    assert user is world.office
    assert "role" in inspect(user).dict  # loaded from the row, no query of its own


def _get(app, client, url):
    """GET in a fresh app context, as another request of the same browser (nothing cached by the test's)."""
    db.session.commit()
    with app.app_context():
        return client.get(url)


def test_a_change_to_the_account_or_its_unit_shows_on_the_next_request(app, login_as, world):
    client = login_as(world.office)
    assert _get(app, client, "/verification").status_code == 403
    world.office.organization.name = "Văn phòng đổi tên"
    world.office.display_name = "Người đổi tên"
    world.office.role = Role.INSPECTOR
    page = _get(app, client, "/").get_data(as_text=True)
    assert "Người đổi tên · Văn phòng đổi tên" in page
    assert _get(app, client, "/verification").status_code == 200  # the inspector's page, at once


def test_each_way_a_session_ends_is_seen_on_the_next_request(app, login_as, world):
    for end in ("sign-out elsewhere", "all sessions", "deactivated"):
        client = login_as(world.office)
        assert _get(app, client, "/").status_code == 200
        if end == "sign-out elsewhere":  # the same session ended by another worker process
            ended = db.session.scalars(select(LoginSession).order_by(LoginSession.id.desc())).first()
            ended.ended_at = utcnow()
        elif end == "all sessions":  # a password change or an administrator's revocation
            signin.end_all_sessions(world.office)
        else:
            world.office.is_active = False
        assert _get(app, client, "/").status_code == 302, end
        world.office.is_active = True


BADGE = r'href="([^"]+)"[^>]*>\s*[^<]*<span class="badge text-bg-warning">(\d+)</span>'


def _unread_badge(page: str) -> str | None:
    """The count beside the inbox's link in the header."""
    return dict(re.findall(BADGE, page)).get("/inbox")


def _notify(user: User, task: Task, day: date) -> None:
    db.session.add(
        Notification(
            recipient_id=user.id,
            task_id=task.id,
            kind=NotificationKind.OVERDUE,
            key_on=day,
            is_coordinating=False,
            email_attempts=0,
        )
    )


def test_a_pages_badges_are_read_with_the_session_check_from_its_second_visit(
    app, login_as, world, query_counter, monkeypatch
):
    client = login_as(world.office)
    _get(app, client, "/")  # the first visit learns that this page shows the header
    with query_counter() as together:
        _get(app, client, "/")
    monkeypatch.setattr(navigation, "badges_beside_session_check", lambda _user_id: ())
    with query_counter() as apart:
        _get(app, client, "/")
    assert together.count == apart.count - 1


def test_badges_read_with_the_session_check_are_the_counts_of_the_moment(app, login_as, world, create_task):
    task = create_task()
    client = login_as(world.office)
    first = int(_unread_badge(_get(app, client, "/").get_data(as_text=True)) or 0)
    assert _unread_badge(_get(app, client, "/").get_data(as_text=True)) == (str(first) if first else None)
    _notify(world.office, task, date(2026, 11, 1))
    assert _unread_badge(_get(app, client, "/").get_data(as_text=True)) == str(first + 1)
    _notify(world.office, task, date(2026, 11, 2))
    assert _unread_badge(_get(app, client, "/").get_data(as_text=True)) == str(first + 2)
    # Another user's pages in the same process: the badges are guessed per user, read per request.
    client = login_as(world.inspector)
    assert _unread_badge(_get(app, client, "/").get_data(as_text=True)) is None
    assert _unread_badge(_get(app, client, "/").get_data(as_text=True)) is None
    client = login_as(world.office)
    _notify(world.office, task, date(2026, 11, 3))
    assert _unread_badge(_get(app, client, "/").get_data(as_text=True)) == str(first + 3)


def _badges(page: str) -> dict[str, str]:
    """Each header link's count, by its address."""
    return dict(re.findall(BADGE, page))


def test_badges_guessed_from_the_last_page_are_not_shown_after_a_change_of_role(
    app, login_as, world, create_task, monkeypatch
):
    create_task()  # overdue, for the office's unit
    client = login_as(world.office)
    for _ in range(2):
        page = _get(app, client, "/").get_data(as_text=True)
        assert 'href="/verification"' not in page
        assert _badges(page).get("/tasks") == "1"
    world.office.role = Role.INSPECTOR
    page = _get(app, client, "/").get_data(as_text=True)
    assert 'href="/verification"' in page  # the inspector's links, at once
    monkeypatch.setattr(navigation, "badges_beside_session_check", lambda _user_id: ())
    assert _badges(page) == _badges(_get(app, client, "/").get_data(as_text=True))  # and their own counts
    signin.end_all_sessions(world.office)
    assert _get(app, client, "/").status_code == 302  # a session ended is still refused
