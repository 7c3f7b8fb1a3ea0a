"""A second, empty installation to restore into: its own database (a scratch PostgreSQL database when
the suite runs on PostgreSQL, created and dropped here) and its own folders."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from models import db


def sha256_of_folder(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path, with its sha256."""
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _admin_engine(url: str) -> Any:
    return create_engine(
        make_url(url).set(drivername="postgresql+psycopg", database="postgres"), isolation_level="AUTOCOMMIT"
    )


@pytest.fixture
def empty_installation(database_url: str, tmp_path: Path) -> Iterator[Callable[[], Flask]]:
    """Return a factory of apps on a new empty database and new empty folders (not migrated)."""
    made: list[tuple[Flask, str | None]] = []

    def factory() -> Flask:
        number = len(made)
        scratch = None
        if database_url.startswith("postgresql"):
            scratch = f"kiemtra_restore_{secrets.token_hex(4)}"
            engine = _admin_engine(database_url)
            with engine.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{scratch}"'))
            engine.dispose()
            url = make_url(database_url).set(database=scratch).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{tmp_path / f'restored-{number}.sqlite'}"
        target = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": url,
                "SECRET_KEY": "test-secret",
                "WTF_CSRF_ENABLED": False,
                "INSTANCE_PATH": str(tmp_path / f"instance-{number}"),
            }
        )
        made.append((target, scratch))
        return target

    yield factory
    for target, scratch in made:
        with target.app_context():
            db.engine.dispose()
        if scratch:
            engine = _admin_engine(database_url)
            with engine.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
            engine.dispose()
