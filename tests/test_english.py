"""The English catalogue is complete: every message id the code and templates use has a translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
# The keywords babel.cfg names for `pybabel extract` (keep the two lists alike).
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "N_": None,
    "P_": ((1, "c"), 2),
    "DomainError": None,
    "ValidationFailed": None,
    "InvalidState": None,
    "PermissionDenied": None,
    "OutOfScope": None,
    "StaleRecord": None,
    "require_text": (2,),
}


def _used_messages() -> list[tuple[str, str, str | None]]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = []
    for filename, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map=method_map, options_map=options_map, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        found.append((filename, msgid, context))
    return found


def test_babel_cfg_names_every_keyword_the_test_extracts_with():
    config = (ROOT / "babel.cfg").read_text(encoding="utf-8")
    for keyword in ("_l", "lazy_gettext", "N_", "P_:1c,2", "DomainError", "StaleRecord", "require_text:2"):
        assert f"-k {keyword}" in config


def test_every_message_id_used_anywhere_has_an_english_translation():
    with open(ROOT / "app/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle, locale="en")
    used = _used_messages()
    assert len(used) > 700  # the extraction found the code and the templates
    missing = sorted(
        {
            f"{filename}: {msgid}" + (f" (context {context})" if context else "")
            for filename, msgid, context in used
            if not ((entry := catalogue.get(msgid, context=context)) and entry.string)
        }
    )
    assert missing == [], "translate these at the end of app/translations/en/LC_MESSAGES/messages.po"
