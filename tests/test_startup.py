"""Commands start fast: making the application imports no document, spreadsheet, calendar, feed or
scheduler library and configures no mapper; those come when a page or command first needs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Libraries a command or page imports on first use, never at start (python-docx still comes with
# app.documents.service, which imports every Word builder).
ON_USE = (
    "openpyxl",
    "icalendar",
    "feedgen",
    "nh3",
    "apscheduler",
    "holidays",
    "matplotlib",
    "pyhanko",
)

PROBE = """
import json, sys
from app import create_app
from models import Task
create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"}, command_line=True)
print(json.dumps({
    "loaded": sorted(m for m in %r if m in sys.modules),
    "pending": Task.__mapper__.registry._new_mappers,
}))
"""


@pytest.mark.slow  # another process or a deliberate wait
def test_making_the_app_imports_no_library_a_page_uses_on_demand(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIEMTRA_")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE % (ON_USE,)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["loaded"] == []
    assert found["pending"] is True, "mappers were configured while the application was made"


def test_help_lists_the_commands(runner):
    result = runner.invoke(args=["--help"])
    assert result.exit_code == 0, result.output
    for command in ("stats", "scan-deadlines", "scheduler", "serve", "db"):
        assert command in result.output


# `kiemtra --help` and each `kiemtra <command> --help`, in a fresh process: the listing imports no model,
# no workflow and no Alembic, and no help builds the application or configures a mapper.
CLI_PROBE = """
import json, sys
import app

built = []
real_create_app = app.create_app
app.create_app = lambda *args, **kwargs: built.append(1) or real_create_app(*args, **kwargs)

from app.cli import COMMANDS, main

def run(*args):
    try:
        main.main(list(args), prog_name="kiemtra", standalone_mode=False)
    except SystemExit:
        pass

run("--help")
heavy = ("models", "flask_sqlalchemy", "alembic", "workflows", "exports")
listed = sorted(m for m in heavy if m in sys.modules)
for name in COMMANDS:
    run(name, "--help")
from models import db
print(json.dumps({"listed": listed, "built": len(built), "pending": db.Model.registry._new_mappers}))
"""


@pytest.mark.slow  # another process
def test_help_imports_no_model_and_builds_no_app(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIEMTRA_")}
    result = subprocess.run(
        [sys.executable, "-c", CLI_PROBE],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["listed"] == [], "kiemtra --help imported these"
    assert found["built"] == 0, "a --help built the application"
    assert found["pending"] is True, "a --help configured the mappers"
    assert list(tmp_path.iterdir()) == []


def test_the_listed_commands_are_the_apps_own_with_their_own_help(app):
    import click

    from app.cli import COMMANDS

    assert set(COMMANDS) == set(app.cli.commands)
    for name, entry in COMMANDS.items():
        command, loaded = app.cli.commands[name], entry.load()
        listed = click.Command(name, help=entry.summary).get_short_help_str(200)
        assert listed == command.get_short_help_str(200), name
        if isinstance(command, click.Group):  # the app's export group gathers the features' commands
            assert isinstance(loaded, click.Group) and loaded.commands == command.commands, name
        else:
            assert loaded is command, name


KIEMTRA = "import sys, app; sys.argv[0] = 'kiemtra'; app.run_cli()"


@pytest.mark.slow  # another process
def test_stats_in_its_own_small_app_counts_as_in_the_whole_app(runner, database_url, tmp_path):
    from models import db

    assert runner.invoke(args=["load-demo", "--today", "2026-11-26"]).exit_code == 0
    whole = runner.invoke(args=["stats", "--today", "2026-11-26", "--json"])
    assert whole.exit_code == 0, whole.output
    db.session.rollback()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIEMTRA_")}
    result = subprocess.run(
        [sys.executable, "-c", KIEMTRA, "stats", "--today", "2026-11-26", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT), "KIEMTRA_DATABASE_URL": database_url},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(whole.output)


@pytest.mark.slow  # another process
def test_the_migration_command_runs_in_its_small_app(database_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIEMTRA_")}
    result = subprocess.run(
        [sys.executable, "-c", KIEMTRA, "db", "current"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT), "KIEMTRA_DATABASE_URL": database_url},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "(head)" in result.stdout


SCAN_PROBE = """
import json, sys
from app import create_app
from app.cli import COMMANDS
create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"}, command_line=True,
           features=COMMANDS["scan-deadlines"].features)
WORD = ("docx", "app.documents.service", "exports.report_back")
print(json.dumps(sorted(m for m in WORD if m in sys.modules)))
"""


@pytest.mark.slow  # another process
def test_the_deadline_scans_application_imports_no_word_library(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIEMTRA_")}
    result = subprocess.run(
        [sys.executable, "-c", SCAN_PROBE],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
