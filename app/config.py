"""Configuration: defaults, overridden by ``KIEMTRA_*`` environment variables, then by tests."""

from __future__ import annotations

import os
from typing import Any

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,  # required outside demo and tests; see create_app
    "DATABASE_URL": None,  # None: SQLite file in the instance folder
    "TIMEZONE": "Asia/Ho_Chi_Minh",
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    "LANGUAGES": ("vi", "en"),
    # How long a SQLite writer waits for the write lock before "database is locked".
    "SQLITE_BUSY_TIMEOUT_MS": 15000,
    # PostgreSQL: how long opening a connection may take (a server that accepts and never answers),
    # and how long one statement may run (0: no limit) before it is cancelled; also the TCP keepalive.
    "DB_CONNECT_TIMEOUT_S": 10,
    "DB_STATEMENT_TIMEOUT_MS": 60000,
    "DUE_SOON_DAYS": 3,
    "REMINDER_DAYS": (7, 3, 1),
    "ESCALATE_AFTER_DAYS": 7,
    # A reminder falling on a weekend, holiday or announced day off goes out on the working day before.
    "REMINDERS_ON_WORKING_DAYS": True,
    "SCAN_TIME": "07:00",
    "UPLOAD_MAX_MB": 20,
    # A cap on every request body; routes that take files may raise it up to UPLOAD_MAX_MB.
    "MAX_CONTENT_LENGTH": 21 * 1024 * 1024,
    "SMTP_HOST": None,
    "SMTP_PORT": 25,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_SENDER": "kiemtra@localhost",
    "SMTP_STARTTLS": False,
    # starttls, ssl (implicit TLS, usually port 465) or none; unset: starttls if SMTP_STARTTLS, else none.
    "SMTP_TLS": None,
    # The password is never sent over an unencrypted connection unless this is set.
    "SMTP_ALLOW_PLAINTEXT_AUTH": False,
    "BASE_URL": "http://127.0.0.1:5000",
    # How many reverse proxies stand in front of kiemtra (0: clients connect directly).
    "PROXY_COUNT": 0,
    # Daily backup by the scheduler into this folder (None: off), keeping the newest BACKUP_KEEP archives.
    "BACKUP_DIR": None,
    "BACKUP_KEEP": 7,
    "BACKUP_TIME": "02:00",
    "PG_BIN_DIR": None,  # where pg_dump and pg_restore are, when not on PATH
    "SESSION_COOKIE_HTTPONLY": True,
    # A long visit form must not lose its CSRF token halfway; the session's own lifetime bounds it (a
    # default here, because Flask-WTF sets its own one hour when it is initialised).
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # The public news site's masthead and Open Graph: the agency's name (None: the root organisation's
    # name) and a logo file (PNG, JPEG, WebP or SVG; None: kiemtra's emblem, the favicon).
    "AGENCY_NAME": None,
    "AGENCY_LOGO": None,
    # Where the footer's "Mã nguồn" link points; None: /ma-nguon.zip, the code this process runs.
    "SOURCE_URL": None,
}

# Settings that are lists or numbers when read from the environment.
_INT_KEYS = {
    "PROXY_COUNT",
    "MAX_CONTENT_LENGTH",
    "SQLITE_BUSY_TIMEOUT_MS",
    "DB_CONNECT_TIMEOUT_S",
    "DB_STATEMENT_TIMEOUT_MS",
    "DUE_SOON_DAYS",
    "ESCALATE_AFTER_DAYS",
    "UPLOAD_MAX_MB",
    "SMTP_PORT",
    "BACKUP_KEEP",
}
_INT_TUPLE_KEYS = {"REMINDER_DAYS"}
_BOOL_KEYS = {
    "REMINDERS_ON_WORKING_DAYS",
    "SMTP_STARTTLS",
    "SMTP_ALLOW_PLAINTEXT_AUTH",
    "SESSION_COOKIE_SECURE",
    "TESTING",
    "DEBUG",
    "REQUEST_LOG",
}


def from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Read every ``KIEMTRA_<NAME>`` variable into ``NAME``, typed like its default."""
    settings: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith("KIEMTRA_"):
            continue
        name = key.removeprefix("KIEMTRA_")
        if name in _INT_KEYS:
            settings[name] = int(raw)
        elif name in _INT_TUPLE_KEYS:
            settings[name] = tuple(int(part) for part in raw.split(",") if part.strip())
        elif name in _BOOL_KEYS:
            settings[name] = raw.strip().lower() in {"1", "true", "yes", "on"}
        else:
            settings[name] = raw
    return settings
