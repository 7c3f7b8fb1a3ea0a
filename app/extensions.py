"""Flask extensions, created unbound and initialised in the factory."""

from __future__ import annotations

from pathlib import Path

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

import models

MIGRATIONS_DIR = str(Path(models.__file__).resolve().parent / "migrations")

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate(directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
