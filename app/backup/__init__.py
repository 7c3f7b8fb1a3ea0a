"""Backup and restore: one archive with the database, the file folders and a manifest of hashes.

``archive`` reads and writes the archive and checks it; ``dumps`` takes and restores the database on
SQLite and PostgreSQL; ``service`` puts them together for ``kiemtra backup`` / ``kiemtra restore``
(``cli``) and for the scheduled daily backup (``job``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from flask import current_app

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


class BackupError(Exception):
    """A refusal: the archive or the target is not fit; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _(text: str, **variables: Any) -> str:
    """``text`` in the configured language (``BABEL_DEFAULT_LOCALE``): commands have no request, so
    Flask-Babel's per-request language does not apply."""
    locale = current_app.config.get("BABEL_DEFAULT_LOCALE", "vi") if current_app else "vi"
    translations: NullTranslations = NullTranslations()
    if locale != "vi":
        translations = Translations.load(str(TRANSLATIONS_DIR), [locale])
    translated = translations.gettext(text)
    return translated % variables if variables else translated
