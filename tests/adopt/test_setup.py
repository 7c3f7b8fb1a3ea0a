"""First run: ``kiemtra setup`` on an empty database, and accounts made from the command line."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from models import AuditEntry, Organization, User, db
from models.enums import Role

SETUP = [
    "setup",
    "--org-code",
    "tu-bp",
    "--org-name",
    "Tỉnh ủy Bình Phước",
    "--doc-code",
    "TU",
    "--place",
    "Bình Phước",
    "--username",
    "quantri",
    "--password",
    "mat-khau-dai-du",
]


def _counts() -> tuple[int, int, int]:
    counts = tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Organization, User, AuditEntry)
    )
    db.session.rollback()  # end the read transaction before the command opens its own
    return counts  # type: ignore[return-value]


@pytest.fixture
def fresh_app(database_url: str, tmp_path) -> Iterator[Flask]:
    """An app on a database that has never been migrated: a new SQLite file, or a new PostgreSQL database."""
    if database_url.startswith("postgresql"):
        admin_url = make_url(database_url).set(drivername="postgresql+psycopg")
        name = f"{admin_url.database}_fresh"
        engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.set(database=name).render_as_string(hide_password=False)
    else:
        engine, name = None, None
        url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    application = create_app(
        {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)}
    )
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if engine is not None:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def _invoke_on(application: Flask, args: list[str]):
    # The test's own app context is current; the command must run on the fresh app instead.
    with application.app_context():
        return application.test_cli_runner().invoke(args=args)


def test_setup_migrates_a_never_used_database_and_creates_the_root_and_its_administrator(fresh_app):
    result = _invoke_on(fresh_app, SETUP)
    assert result.exit_code == 0, result.output
    assert "TU-BP" in result.output
    with fresh_app.app_context():
        root = db.session.scalar(select(Organization))
        assert (root.code, root.name, root.doc_code, root.place_name) == (
            "TU-BP",
            "Tỉnh ủy Bình Phước",
            "TU",
            "Bình Phước",
        )
        assert root.parent is None and root.path == "/TU-BP/"
        admin = db.session.scalar(select(User))
        assert admin.username == "quantri" and admin.role is Role.ADMIN and admin.organization is root
        assert admin.check_password("mat-khau-dai-du")
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [e.action for e in entries] == ["organization.created", "user.created"]
        assert all(
            e.actor_id is None and json.loads(e.details)["system"].startswith("kiemtra setup")
            for e in entries
        )


def test_the_first_administrator_can_sign_in_and_open_the_admin_pages(fresh_app):
    assert _invoke_on(fresh_app, SETUP).exit_code == 0
    fresh_app.config["WTF_CSRF_ENABLED"] = False
    client = fresh_app.test_client()
    response = client.post("/login", data={"username": "quantri", "password": "mat-khau-dai-du"})
    assert response.status_code == 302
    page = client.get("/admin/organizations")
    assert page.status_code == 200
    assert "Tỉnh ủy Bình Phước" in page.get_data(as_text=True)


def test_setup_asks_for_what_the_options_do_not_give(runner):
    answers = "HU-BUDOP\nHuyện ủy Bù Đốp\n\nBù Đốp\n\nmat-khau-dai-du\nmat-khau-dai-du\n"
    result = runner.invoke(args=["setup"], input=answers)
    assert result.exit_code == 0, result.output
    root = db.session.scalar(select(Organization))
    assert (root.code, root.doc_code) == ("HU-BUDOP", "HU")  # the symbol defaults to the code's first part
    assert db.session.scalar(select(User.username)) == "admin"
    assert "mat-khau-dai-du" not in result.output


def test_setup_refuses_a_database_that_already_has_organisations(runner, world):
    db.session.commit()
    before = _counts()
    result = runner.invoke(args=SETUP)
    assert result.exit_code != 0
    assert "đã có cơ quan, đơn vị" in result.output
    assert _counts() == before


@pytest.mark.parametrize(
    ("password", "message"),
    [("ngan", "ít nhất 8 ký tự"), ("QuanTri", "ít nhất 8 ký tự"), ("quantri1", None)],
)
def test_setup_applies_the_admin_pages_password_rule_and_writes_nothing_when_refused(
    runner, password, message
):
    args = [*SETUP[:-1], password]
    result = runner.invoke(args=args)
    if message is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code != 0
    assert message in result.output
    assert _counts() == (0, 0, 0)


def test_setup_refuses_a_password_equal_to_the_username(runner):
    args = [*SETUP[:-3], "matkhau-dai", "--password", "MATKHAU-DAI"]
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "trùng tên đăng nhập" in result.output
    assert _counts() == (0, 0, 0)


def test_create_user_goes_through_the_workflow_with_its_rule_and_audit(runner):
    assert runner.invoke(args=SETUP).exit_code == 0
    weak = runner.invoke(
        args=["create-user", "canbo", "--role", "inspector", "--org", "TU-BP", "--password", "123"]
    )
    assert weak.exit_code != 0 and "ít nhất 8 ký tự" in weak.output
    assert db.session.scalar(select(User).where(User.username == "canbo")) is None
    db.session.rollback()
    made = runner.invoke(
        args=[
            "create-user",
            "CanBo",
            "--role",
            "inspector",
            "--org",
            "tu-bp",
            "--password",
            "mat-khau-can-bo",
        ]
    )
    assert made.exit_code == 0, made.output
    user = db.session.scalar(select(User).where(User.username == "canbo"))
    assert user.role is Role.INSPECTOR and user.check_password("mat-khau-can-bo")
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.object_id == user.id, AuditEntry.action == "user.created")
    )
    assert json.loads(entry.details)["system"].startswith("kiemtra create-user")
    db.session.rollback()
    taken = runner.invoke(
        args=["create-user", "canbo", "--role", "office", "--org", "TU-BP", "--password", "mat-khau-khac"]
    )
    assert taken.exit_code != 0 and "đã có" in taken.output


def test_create_user_names_an_unknown_organisation(runner):
    result = runner.invoke(
        args=["create-user", "x", "--role", "office", "--org", "NOPE", "--password", "mat-khau-dai"]
    )
    assert result.exit_code != 0 and "NOPE" in result.output


@pytest.mark.skipif(os.name != "posix", reason="the prompt test reads a POSIX terminal")
def test_setup_prompts_hide_the_password(runner):
    result = runner.invoke(args=SETUP[:-2], input="mat-khau-dai-du\nmat-khau-dai-du\n")
    assert result.exit_code == 0, result.output
    assert "mat-khau-dai-du" not in result.output
