"""Flask extensions, created unbound and initialised in the factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

import models

MIGRATIONS_DIR = str(Path(models.__file__).resolve().parent / "migrations")

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()


def init_migrate(app: Flask) -> None:
    """Set up Flask-Migrate (``kiemtra db``, ``upgrade()``); imported here, as Alembic costs a command's
    start a tenth of a second."""
    from flask_migrate import Migrate

    Migrate(directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True).init_app(app, models.db)
