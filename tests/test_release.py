"""What an office installing a release relies on: the source link, its own packages, help writes nothing."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import types
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

import app as kiemtra_app
from models import Organization, User, Visit, db
from models.enums import OrgKind

REPO = Path(__file__).resolve().parent.parent


def test_every_page_links_to_the_source_archive_of_the_running_code(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert '<a href="/ma-nguon.zip">Mã nguồn</a>' in page

    response = client.get("/ma-nguon.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    for expected in (
        "kiemtra/app/__init__.py",
        "kiemtra/app/source.py",
        "kiemtra/models/migrations/env.py",
        "kiemtra/workflows/__init__.py",
        "kiemtra/exports/__init__.py",
        "kiemtra/templates/base.html",
        "kiemtra/LICENSE",
    ):
        assert expected in names
    assert not any("__pycache__" in name for name in names)
    assert b"GNU AFFERO GENERAL PUBLIC LICENSE" in archive.read("kiemtra/LICENSE")
    assert archive.read("kiemtra/app/source.py") == (REPO / "app" / "source.py").read_bytes()


def test_a_configured_source_url_is_the_footer_link(app: Flask) -> None:
    app.config["SOURCE_URL"] = "https://example.org/kiemtra/tree/v0.1.0"
    try:
        page = app.test_client().get("/login").get_data(as_text=True)
    finally:
        app.config["SOURCE_URL"] = None
    assert '<a href="https://example.org/kiemtra/tree/v0.1.0">Mã nguồn</a>' in page


def test_another_projects_models_package_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    kiemtra_app.check_own_packages()  # kiemtra's own packages pass
    monkeypatch.setitem(sys.modules, "models", types.ModuleType("models"))
    with pytest.raises(kiemtra_app.ForeignPackage, match=r"«models».*không phải của kiemtra"):
        kiemtra_app.check_own_packages()
    with pytest.raises(kiemtra_app.ForeignPackage):
        kiemtra_app.create_app({"TESTING": True})


def _kiemtra(cwd: Path, *args: str, pythonpath: str = str(REPO)) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KIEMTRA_")}
    env["PYTHONPATH"] = pythonpath
    return subprocess.run(
        [sys.executable, "-c", "import sys, app; sys.argv[0] = 'kiemtra'; app.run_cli()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow  # another process or a deliberate wait
def test_the_command_stops_with_a_clear_message_when_models_is_another_projects(tmp_path: Path) -> None:
    other = tmp_path / "models"
    other.mkdir()
    (other / "__init__.py").write_text('"""Somebody else\'s models."""\n', encoding="utf-8")

    result = _kiemtra(tmp_path, "--help")  # the working folder comes first on sys.path

    assert result.returncode == 1
    assert "«models»" in result.stderr
    assert "môi trường ảo riêng" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow  # another process or a deliberate wait
def test_commands_that_only_print_help_write_nothing(tmp_path: Path) -> None:
    for args in (["--help"], ["demo", "--help"], ["serve", "--help"]):
        result = _kiemtra(tmp_path, *args)
        assert result.returncode == 0, result.stderr
        assert "Usage" in result.stdout
    assert list(tmp_path.iterdir()) == []


def _count(model: type) -> int:
    value = db.session.scalar(select(func.count()).select_from(model))
    db.session.rollback()  # end the read transaction before the command opens its own
    return int(value or 0)


def test_load_demo_refuses_an_offices_database_and_writes_nothing(runner: Any) -> None:
    office = Organization(code="TU-HG", doc_code="TU", name="Tỉnh ủy Hà Giang", kind=OrgKind.PARTY_COMMITTEE)
    office.place_path(None)
    db.session.add(office)
    db.session.commit()
    before = (_count(Organization), _count(User), _count(Visit))

    result = runner.invoke(args=["load-demo", "--today", "2026-11-26"])

    assert result.exit_code == 1
    assert "TU-HG" in result.output
    assert "--force" in result.output
    assert "Traceback" not in result.output
    assert (_count(Organization), _count(User), _count(Visit)) == before

    forced = runner.invoke(args=["load-demo", "--today", "2026-11-26", "--force"])
    assert forced.exit_code == 0, forced.output
    assert _count(User) > before[1]
