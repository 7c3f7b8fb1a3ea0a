"""Every text of the imports, the people directory and the audit page has an English translation."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from workflows.imports import organizations, people, progress

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "_l": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "DomainError": None,
    "ValidationFailed": None,
    "InvalidState": None,
    "PermissionDenied": None,
    "OutOfScope": None,
    "SheetRefused": None,
    "problem": (3,),  # SheetData.problem(row, column, message, ...)
    "require_text": (2,),
}
TEMPLATE_SHEET_WORDS = (
    "Hướng dẫn",
    "Cột",
    "Bắt buộc",
    "Ghi chú",
    "có",
    "Ví dụ (chép sang trang đầu nếu cần):",
)


def _catalogue():
    with open(ROOT / "app/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        return read_po(handle, locale="en")


@pytest.mark.parametrize(
    ("directory", "method", "pattern"),
    [
        ("app/office", "python", "**.py"),
        ("templates/office", "jinja2", "**.html"),
        ("workflows/imports", "python", "**.py"),
        ("workflows", "python", "system.py"),
        ("workflows", "python", "people.py"),
    ],
)
def test_every_new_text_has_an_english_translation(directory, method, pattern):
    catalogue = _catalogue()
    found = extract_from_dir(
        str(ROOT / directory), method_map=[(pattern, method)], keywords=KEYWORDS, options_map={pattern: {}}
    )
    missing = []
    for filename, _line, message, _comments, _context in found:
        msgid = message if isinstance(message, str) else message[0]
        entry = catalogue.get(msgid)
        if entry is None or not entry.string:
            missing.append(f"{filename}: {msgid}")
    assert missing == []


def test_the_column_hints_and_the_template_help_sheet_are_translated():
    catalogue = _catalogue()
    texts = [
        c.hint for spec in (organizations.SPEC, people.SPEC, progress.SPEC) for c in spec.columns if c.hint
    ]
    missing = [
        t for t in [*texts, *TEMPLATE_SHEET_WORDS] if catalogue.get(t) is None or not catalogue.get(t).string
    ]
    assert missing == []
