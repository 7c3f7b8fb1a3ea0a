"""Fixtures: one migrated database per run (SQLite, or PostgreSQL when KIEMTRA_TEST_DATABASE_URL is
set), emptied after every test; an organisation tree with one user per role; factories."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask, g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url

from app import create_app
from app.auth import SESSION_TOKEN_KEY
from models import Organization, Person, Task, TaskCountDay, User, Visit, db
from models.enums import DelegationRole, FindingKind, OrgKind, Role
from workflows import signin
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.clock import LOCAL_ZONE, local_today

PASSWORD = "mật-khẩu-thử"
# argon2 is slow by design (about 0.1-0.8 s per hash or check). The tests are not about its cost:
# within this process passwords are hashed and checked with the smallest argon2id parameters, as
# Django's test settings swap in a fast hasher. The same code paths run (hash, verify, the dummy check
# for unknown names, the rehash of an outdated hash), only cheaper; `real_argon2` restores the
# production profile for the tests that are about it. Servers started as other processes keep it.
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD_HASH = TEST_HASHER.hash(PASSWORD)


@pytest.fixture(scope="session", autouse=True)
def _cheap_argon2() -> Iterator[None]:
    import app.auth
    import models.user

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app.auth, "_hasher", TEST_HASHER)
        patch.setattr(models.user, "_hasher", TEST_HASHER)
        app.auth._dummy_hash.cache_clear()
        yield
    app.auth._dummy_hash.cache_clear()


@pytest.fixture
def real_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """The production argon2id profile, for the tests about hashing itself."""
    import app.auth
    import models.user

    production = PasswordHasher()
    monkeypatch.setattr(app.auth, "_hasher", production)
    monkeypatch.setattr(models.user, "_hasher", production)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under CI (KIEMTRA_NO_SKIP=1) a skipped test fails: a missing service must not pass silently."""
    outcome = yield
    report = outcome.get_result()
    if (
        os.environ.get("KIEMTRA_NO_SKIP") == "1"
        and report.skipped
        and not hasattr(report, "wasxfail")
        and item.get_closest_marker("may_skip") is None
    ):
        report.outcome = "failed"
        report.longrepr = f"skipped under KIEMTRA_NO_SKIP=1: {report.longrepr}"


def _reset_postgresql(url: str) -> None:
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist (`-n 2`) each worker gets a PostgreSQL database of its own, named after the
    configured one with the worker's id (kiemtra_test_gw0, …), created on first use."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    configured = make_url(url)
    own = configured.set(database=f"{configured.database}_{worker}")
    server = create_engine(
        configured.set(drivername="postgresql+psycopg", database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with server.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    server.dispose()
    return own.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database: PostgreSQL if KIEMTRA_TEST_DATABASE_URL names one, else a SQLite file."""
    url = os.environ.get("KIEMTRA_TEST_DATABASE_URL")
    if url:
        url = _database_of_this_worker(url)
        _reset_postgresql(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'kiemtra-test.sqlite'}"


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A kiemtra app on a database migrated once for the whole run."""
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            # The reminder tests scan on a Friday; the working-day rule has its own tests.
            "REMINDERS_ON_WORKING_DAYS": False,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
        }
    )
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        # Organisations refer to their parent; check foreign keys only at commit.
        db.session.execute(text("PRAGMA defer_foreign_keys = ON"))
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


def _counts_kept_today(app: Flask) -> None:
    """An empty database's kept counts (none) are today's, as after the day's scan: a test starts
    where a page reads them (tests/test_asof.py builds them from tasks and makes them stale)."""
    db.session.execute(delete(TaskCountDay))
    db.session.add(TaskCountDay(id=1, day=local_today(), due_soon_days=app.config["DUE_SOON_DAYS"]))
    db.session.commit()


@pytest.fixture(autouse=True)
def _app_context(app: Flask) -> Iterator[None]:
    """Run every test inside an app context and leave the database empty after it."""
    with app.app_context():
        _counts_kept_today(app)
        yield
        db.session.rollback()
        db.session.remove()
        _empty_all_tables()
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


def at(day: date, hour: int = 9) -> datetime:
    """An aware instant at ``hour`` o'clock Vietnamese time on ``day``."""
    return datetime.combine(day, time(hour), LOCAL_ZONE).astimezone(UTC)


@dataclass
class World:
    """A province with an inspecting board, two districts with offices, and a user per role."""

    province: Organization
    board: Organization  # the inspecting body
    district: Organization
    district_office: Organization
    district_culture: Organization  # a coordinating unit inside the district
    other_district: Organization
    other_office: Organization
    admin: User
    inspector: User
    office: User
    coordinator: User
    other_office_user: User
    other_inspector: User  # an inspector of another board, outside the first board's subtree
    leader: User
    head: Person
    host: Person


def _org(code: str, name: str, kind: OrgKind, parent: Organization | None, **kw: Any) -> Organization:
    org = Organization(code=code, doc_code=code.split("-")[0], name=name, kind=kind, **kw)
    org.place_path(parent)
    db.session.add(org)
    return org


def _user(username: str, role: Role, org: Organization) -> User:
    user = User(
        username=username,
        role=role,
        organization=org,
        display_name=username,
        email=f"{username}@example.test",
    )
    user.password_hash = PASSWORD_HASH
    db.session.add(user)
    return user


@pytest.fixture
def world() -> World:
    """Build the organisation tree and users every test can lean on."""
    province = _org("TU-BP", "Tỉnh ủy Bình Phước", OrgKind.PARTY_COMMITTEE, None, place_name="Bình Phước")
    board = _org("BTGTU-BP", "Ban Tuyên giáo Tỉnh ủy", OrgKind.PARTY_BOARD, province)
    other_board = _org("UBKTTU-BP", "Ủy ban Kiểm tra Tỉnh ủy", OrgKind.PARTY_BOARD, province)
    district = _org("HU-BUDOP", "Huyện ủy Bù Đốp", OrgKind.PARTY_COMMITTEE, province, place_name="Bù Đốp")
    district_office = _org("BTGHU-BUDOP", "Ban Tuyên giáo Huyện ủy Bù Đốp", OrgKind.PARTY_BOARD, district)
    culture = _org("VHTT-BUDOP", "Phòng Văn hóa và Thông tin huyện Bù Đốp", OrgKind.STATE_OFFICE, district)
    other = _org("HU-LOCNINH", "Huyện ủy Lộc Ninh", OrgKind.PARTY_COMMITTEE, province)
    other_office = _org("BTGHU-LOCNINH", "Ban Tuyên giáo Huyện ủy Lộc Ninh", OrgKind.PARTY_BOARD, other)
    head = Person(full_name="Mạc Đình Huấn", position="Phó Trưởng Ban Tuyên giáo Tỉnh ủy", organization=board)
    host = Person(
        full_name="Dương Thanh Huân",
        position="Bí thư Huyện ủy Bù Đốp",
        party_titles="TUV",
        organization=district,
    )
    db.session.add_all([head, host])
    result = World(
        province=province,
        board=board,
        district=district,
        district_office=district_office,
        district_culture=culture,
        other_district=other,
        other_office=other_office,
        admin=_user("admin", Role.ADMIN, province),
        inspector=_user("inspector", Role.INSPECTOR, board),
        office=_user("office", Role.OFFICE, district_office),
        coordinator=_user("culture", Role.OFFICE, culture),
        other_office_user=_user("locninh", Role.OFFICE, other_office),
        other_inspector=_user("ubkt", Role.INSPECTOR, other_board),
        leader=_user("leader", Role.LEADER, province),
        head=head,
        host=host,
    )
    db.session.commit()
    return result


VISIT_DAY = date(2023, 6, 14)


@pytest.fixture
def create_visit(world: World) -> Callable[..., Visit]:
    """Return a factory of visits of the board to the district, with a head of delegation."""

    def factory(**overrides: Any) -> Visit:
        fields: dict[str, Any] = {
            "title": "Kiểm tra công tác tuyên giáo 6 tháng đầu năm 2023",
            "subject": "công tác tuyên giáo",
            "visited_on": VISIT_DAY,
            "inspecting_org": world.board,
            "inspected_org": world.district,
            "period_label": "6 tháng đầu năm 2023",
        }
        fields.update(overrides)
        visit = visit_flow.create_visit(world.inspector, **fields)
        visit_flow.add_delegation_member(visit, world.inspector, person=world.head, role=DelegationRole.HEAD)
        db.session.flush()
        return visit

    return factory


@pytest.fixture
def create_task(world: World, create_visit: Callable[..., Visit]) -> Callable[..., Task]:
    """Return a factory of tasks led by the district office, one directive each."""
    visits: list[Visit] = []

    def factory(due_on: date | None = date(2023, 12, 31), **overrides: Any) -> Task:
        if not visits:
            visits.append(create_visit())
        directive = visit_flow.issue_directive(
            visits[0], world.inspector, body="Tổ chức hội nghị quán triệt Quy định 85-QĐ/TW."
        )
        fields: dict[str, Any] = {"lead_org": world.district_office, "due_on": due_on, "now": at(VISIT_DAY)}
        fields.update(overrides)
        task = task_flow.assign_task(directive, world.inspector, **fields)
        db.session.flush()
        return task

    return factory


@pytest.fixture
def full_visit(world: World, create_visit: Callable[..., Visit]) -> Callable[..., Visit]:
    """Return a factory of visits with both sides, two findings, and directives with tasks."""

    def factory(directives: int = 3, **overrides: Any) -> Visit:
        visit = create_visit(**overrides)
        inspector = world.inspector
        member = Person(
            full_name="Phan Duy Khiêm",
            position="Trưởng phòng Thông tin - Khoa giáo",
            organization=world.board,
        )
        deputy = Person(full_name="Lê Thị Hoa", position="Phó Bí thư Huyện ủy", organization=world.district)
        db.session.add_all([member, deputy])
        visit_flow.add_delegation_member(visit, inspector, person=member, role=DelegationRole.MEMBER)
        visit_flow.add_delegation_member(visit, inspector, person=world.host, role=DelegationRole.HOST_CHAIR)
        visit_flow.add_delegation_member(
            visit, inspector, person=deputy, role=DelegationRole.HOST_PARTICIPANT
        )
        visit_flow.add_finding(
            visit, inspector, kind=FindingKind.ACHIEVEMENT, text="Tổ chức tốt việc học tập nghị quyết."
        )
        visit_flow.add_finding(
            visit, inspector, kind=FindingKind.LIMITATION, text="Trang thông tin của huyện cập nhật chậm."
        )
        for n in range(directives):
            directive = visit_flow.issue_directive(
                visit,
                inspector,
                body=f"Yêu cầu thứ {n + 1}: triển khai Quy định 85-QĐ/TW ở cơ sở.",
                citations=["85-QĐ/TW"] if n == 0 else [],
                due_on=date(2023, 12, 31),
            )
            task_flow.assign_task(
                directive,
                inspector,
                lead_org=world.district_office,
                coordinating=[world.district_culture],
                due_on=date(2023, 12, 31),
                now=at(VISIT_DAY),
            )
        db.session.commit()
        return visit

    return factory


@pytest.fixture
def login_as(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Sign a user in the way the sign-in form leaves things: a server-side session and its cookie.

    The form itself is exercised by the sign-in tests (tests/workspace/test_sign_in.py and the browser
    tests); skipping it here saves an argon2 verification (about half a second) in every other test.
    The session is real: the app's own checks (an open, unexpired session row) decide every request.
    """

    def sign_in(user: User) -> FlaskClient:
        token = signin.open_session(user, address="127.0.0.1", user_agent="pytest")
        db.session.commit()
        with client.session_transaction() as session:
            session.clear()
            session[SESSION_TOKEN_KEY] = token
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        g.pop("_login_user", None)  # requests of a test share its app context, and Flask-Login caches there
        return client

    return sign_in


class _QueryCount:
    count = 0


@pytest.fixture
def query_counter() -> Callable[[], Any]:
    """Count the SQL statements run inside a ``with`` block."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting() -> Iterator[_QueryCount]:
        counted = _QueryCount()

        def before(*_args: Any) -> None:
            counted.count += 1

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counted
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


CHROMIUM = os.environ.get("KIEMTRA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _whole_answers(app: Flask) -> Callable[..., Any]:
    """The app as the live server runs it: each answer read whole and closed before it is sent.

    Werkzeug's development server never closes an answer whose browser hung up mid-send (a favicon or
    stylesheet left behind when a test moves on), and the open static file then surfaces as a
    ResourceWarning in whatever test runs next: an error under this suite's warning filter. Buffered
    answers hold no file while they are sent (waitress, the real server, closes them itself).
    """

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()

    return wsgi


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the test app from a thread of this process; yield its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _whole_answers(app), threaded=True)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (browsers cannot be downloaded here)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser tab in Vietnamese."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()
