"""kiemtra's application factory."""

from __future__ import annotations

import importlib
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from app import config

# An installed wheel carries the templates inside the package (setup.py copies them); a checkout keeps
# them in the top-level templates/ folder.
_PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATES_DIR = (
    _PACKAGED_TEMPLATES
    if _PACKAGED_TEMPLATES.is_dir()
    else Path(__file__).resolve().parent.parent / "templates"
)


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` limited to what an id column can hold, so a larger number is a 404, not an overflow."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        from models.base import LARGEST_ID  # here, so that importing app imports no model

        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


class MissingSecretKey(RuntimeError):
    """A server was about to start without ``KIEMTRA_SECRET_KEY``: each process would invent its own
    key, and a form signed by one would be refused by the next."""


def select_locale() -> str:
    """The signed-in user's language, else the browser's best match, else Vietnamese."""
    from flask import current_app, session

    languages = current_app.config["LANGUAGES"]
    if request.blueprint == "api":  # a program says which language it reads; else its owner's
        asked = request.accept_languages.best_match(languages) if request.accept_languages else None
        if asked:
            return asked
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:  # chosen with the switch before signing in
        return session["locale"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


# kiemtra's packages have generic names; each carries ``__kiemtra__ = True`` so that another project's
# ``models`` (say) installed over or before ours is refused with a clear message, not a confusing error.
OWN_PACKAGES = ("models", "workflows", "exports")


_MARKER = "\n__kiemtra__ = True"


class ForeignPackage(RuntimeError):
    """A package kiemtra imports by a generic name belongs to another project."""


def check_own_packages(*, load: bool = True) -> None:
    """Refuse to run when ``models``, ``workflows`` or ``exports`` is not kiemtra's own package.

    With ``load=False`` a package not yet imported is found without importing it and its marker line
    read from its ``__init__.py``, so that a command starts without importing every model.
    """
    import sys
    from importlib.util import find_spec

    for name in OWN_PACKAGES:
        try:
            if load or name in sys.modules:
                module = importlib.import_module(name)
                is_ours = getattr(module, "__kiemtra__", False) is True
                where = getattr(module, "__file__", None) or name
            else:
                spec = find_spec(name)
                where = (spec.origin if spec else None) or name
                is_ours = (
                    spec is not None
                    and spec.origin is not None
                    and _MARKER in Path(spec.origin).read_text(encoding="utf-8", errors="replace")
                )
        except (ImportError, OSError) as error:
            is_ours, where = False, f"{name} ({error})"
        if not is_ours:
            raise ForeignPackage(
                f"kiemtra: gói «{name}» nạp từ {where} không phải của kiemtra "
                "(một dự án khác dùng cùng tên). Hãy cài kiemtra vào một môi trường ảo riêng "
                "(README: Installing a release). / "
                f"The package '{name}' is not kiemtra's: install kiemtra into an environment of its own."
            )


def run_cli() -> None:
    """The ``kiemtra`` command: check kiemtra's packages, then run its command line."""
    import sys

    try:
        check_own_packages(load=False)
    except ForeignPackage as error:
        sys.exit(str(error))
    from app.cli import main

    main()


def create_app(
    test_config: dict[str, Any] | None = None,
    *,
    command_line: bool = False,
    features: tuple[str, ...] | None = None,
) -> Flask:
    """Build and configure a kiemtra application.

    Outside tests and debugging a server needs ``KIEMTRA_SECRET_KEY``; only the command line (whose
    ``serve`` refuses on its own and whose ``demo`` keeps a key in the instance folder) starts without.
    ``features`` names the ones of :data:`FEATURE_MODULES` to set up (a command that only reads the
    database needs none); by default all.
    """
    check_own_packages()
    instance_path = (
        (test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("KIEMTRA_INSTANCE_PATH")
        or str(Path.cwd() / "instance")
    )
    app = Flask(
        __name__,
        instance_path=instance_path,
        template_folder=str(TEMPLATES_DIR),
    )
    from app.jinja import Environment

    app.jinja_environment = Environment  # before anything reads app.jinja_env
    app.config.update(config.DEFAULTS)
    app.config.update(config.from_environment(os.environ))
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        if not (command_line or app.config.get("TESTING") or app.config.get("DEBUG")):
            raise MissingSecretKey("KIEMTRA_SECRET_KEY is not set: every worker would sign with its own key.")
        # Good for one process: commands that serve nothing, tests, and the debugger.
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        app.config["SECRET_KEY_IS_EPHEMERAL"] = True

    from app import database
    from app.extensions import babel, csrf, init_migrate, login_manager

    database.init_app(app)
    if features is None:  # a command names its features, and sets up migrations if it needs them
        init_migrate(app)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)

    if app.config.get("PROXY_COUNT"):
        # Behind a reverse proxy: take the client's address and scheme from the proxy's headers, so
        # sign-in throttling counts people, not the proxy.
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]

    # The file folders' defaults (kept by the board and the office features too), here so that a command
    # in a smaller application (backup, restore, prune-uploads) finds them.
    app.config.setdefault("UPLOAD_DIR", str(Path(app.instance_path) / "uploads"))
    app.config.setdefault("IMPORT_DIR", str(Path(app.instance_path) / "imports"))

    # Ids beyond a 64-bit integer are not found rather than an overflow in the database driver.
    app.url_map.converters["int"] = BoundedIntConverter

    for name in FEATURE_MODULES if features is None else features:
        importlib.import_module(f"app.{name}").init_app(app)
    return app


# Each module exposes init_app(app): its blueprint, policy rules, CLI commands or scheduler wiring.
FEATURE_MODULES = (
    "policy",
    "errors",
    "guards",  # NUL bytes refused, a content security policy and HSTS on every answer
    "jinja",
    "auth",
    "views",
    "cli",
    "workspace",  # the inspection team's visits, directives, verification, registry, administration
    "board",  # the district office task board and the leadership dashboard
    "reminders",  # deadline scan, scheduler, e-mail digests, inbox, calendar feed
    "documents",  # Word and PDF documents
    "news",  # news posts and the public news pages
    "intake",  # article intake
    "office",  # the office's own data: spreadsheet imports, people directory, audit log
    "health",  # /healthz for the reverse proxy, one log line per request
    "source",  # the running code for every user (AGPL section 13), linked from every page's footer
    "api",  # the JSON API under /api/v1 and the personal tokens page
)
