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
