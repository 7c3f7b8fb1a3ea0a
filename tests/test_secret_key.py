"""A server never starts with a key of its own invention: each worker would refuse the others' forms.
The demo keeps one key in its instance folder."""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest

from app import MissingSecretKey, create_app
from tests.servers import ROOT


def _environment(tmp_path, **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIEMTRA_", "FLASK_"))}
    env.update(KIEMTRA_INSTANCE_PATH=str(tmp_path / "instance"), **extra)
    return env


def test_a_wsgi_app_without_a_secret_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.delenv("KIEMTRA_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(MissingSecretKey):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_tests_and_the_debugger_may_run_without_a_configured_key(monkeypatch, tmp_path):
    monkeypatch.delenv("KIEMTRA_SECRET_KEY", raising=False)
    for settings in ({"TESTING": True}, {"DEBUG": True}):
        app = create_app({"INSTANCE_PATH": str(tmp_path), **settings})
        assert len(app.config["SECRET_KEY"]) >= 32


@pytest.mark.slow
def test_kiemtra_serve_without_a_secret_key_says_so_and_stops(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--no-scheduler", "--port", "1"],
        cwd=ROOT,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "KIEMTRA_SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_the_demo_makes_one_key_in_its_instance_folder_and_keeps_it(tmp_path):
    def demo() -> None:
        subprocess.run(
            [sys.executable, "-m", "app.cli", "demo", "--no-serve", "--today", "2026-11-30"],
            cwd=ROOT,
            env=_environment(tmp_path),
            capture_output=True,
            check=True,
            timeout=300,
        )

    demo()
    key_file = tmp_path / "instance" / "secret_key"
    key = key_file.read_text()
    assert len(key.strip()) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # readable by its owner only
    demo()
    assert key_file.read_text() == key
