"""Vietnamese by default, English when chosen; the English catalogue is complete and compiled."""

from __future__ import annotations

import gettext
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from models import db
from tests.test_english import KEYWORDS as ENGLISH_KEYWORDS
from tests.workspace.forms import visit_form

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "app" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = ENGLISH_KEYWORDS  # the keywords babel.cfg names, kept in one place


def _po():
    with open(CATALOGUE / "messages.po", "rb") as handle:
        return read_po(handle, locale="en")


def test_the_committed_mo_matches_the_po():
    compiled = BytesIO()
    write_mo(compiled, _po())
    compiled.seek(0)
    expected = _messages(gettext.GNUTranslations(compiled))
    with open(CATALOGUE / "messages.mo", "rb") as handle:
        committed = _messages(gettext.GNUTranslations(handle))
    assert committed == expected, "run: pybabel compile -d app/translations"


def _messages(translations: gettext.GNUTranslations) -> dict:
    """The translated messages without the header entry, whose Generated-By line names the Babel that wrote
    the file: a newer Babel on a fresh machine must not fail a catalogue whose messages are the same."""
    return {key: value for key, value in translations._catalog.items() if key != ""}


@pytest.mark.parametrize(
    ("directory", "method"),
    [("app/workspace", "python"), ("templates/workspace", "jinja2"), ("templates", "jinja2")],
)
def test_every_workspace_text_has_an_english_translation(directory, method):
    catalogue = _po()
    pattern = "**.html" if method == "jinja2" else "**.py"
    found = extract_from_dir(
        str(ROOT / directory), method_map=[(pattern, method)], keywords=KEYWORDS, options_map={pattern: {}}
    )
    mine = {"base.html", "home.html", "login.html"}
    missing = []
    for filename, _line, message, _comments, _context in found:
        if directory == "templates" and filename not in mine:
            continue
        msgid = message if isinstance(message, str) else message[0]
        entry = catalogue.get(msgid)
        if entry is None or not entry.string:
            missing.append(f"{filename}: {msgid}")
    assert missing == [], "add these to app/translations/en/LC_MESSAGES/messages.po (see babel.cfg)"


def test_vietnamese_is_the_default(client):
    page = client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert 'lang="vi"' in page and "Đăng nhập" in page


def test_the_sign_in_page_speaks_english_when_asked(client):
    client.post("/language", data={"locale": "en", "next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page and "Username" in page and "Đăng nhập" not in page


def test_an_english_speaking_inspector_works_in_english(login_as, world, full_visit):
    world.inspector.locale = "en"
    visit = full_visit()
    client = login_as(world.inspector)
    listing = client.get("/visits").get_data(as_text=True)
    assert "Inspected unit" in listing and "Record a new visit" in listing
    dossier = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Head of delegation" in dossier and "Achievements" in dossier
    assert "Một là," in dossier  # the directive ordinal is part of the record, not of the interface
    assert "14/06/2023" in dossier  # dates stay dd/mm/yyyy


def test_form_and_workflow_messages_are_translated(login_as, world):
    world.inspector.locale = "en"
    db.session.commit()
    client = login_as(world.inspector)
    page = client.post("/visits/new", data=visit_form(world, title="", visited_on="31/02/2023")).get_data(
        as_text=True
    )
    assert "Please enter a title." in page
    assert "Date of the visit “31/02/2023” does not exist on the calendar." in page
    assert "Not saved: please correct the marked fields below." in page


def test_vietnamese_data_is_marked_lang_vi_in_the_english_interface(login_as, world, full_visit):
    world.inspector.locale = "en"
    visit = full_visit()
    task = visit.directives[0].tasks[0]
    db.session.commit()
    client = login_as(world.inspector)
    dossier = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert f'<span lang="vi">{visit.title}</span>' in dossier
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f'<span lang="vi">{task.title}</span>' in page
    assert f'<span lang="vi">{task.lead_org.name}</span>' in page
