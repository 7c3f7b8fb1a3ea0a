"""Every state and kind has one display word, in Vietnamese and in English, and one colour."""

from __future__ import annotations

import enum
import inspect
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

import models.enums
from models.enums import Role, TaskEventKind, TaskStatus, Timeliness, TimelinessGroup, VisitStatus
from models.labels import LABELS, css_class, label

ROOT = Path(__file__).resolve().parents[1]
ENUMS = [
    member
    for _name, cls in inspect.getmembers(models.enums, inspect.isclass)
    if issubclass(cls, enum.Enum) and cls.__module__ == "models.enums"
    for member in cls
]


def _english(word: str) -> str | None:
    with open(ROOT / "app/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        entry = read_po(handle, locale="en").get(str(word), context=getattr(word, "context", None))
    return entry.string if entry is not None else None


@pytest.mark.parametrize("member", ENUMS, ids=lambda m: f"{type(m).__name__}.{m.name}")
def test_every_enum_member_has_a_vietnamese_word_and_an_english_translation(member):
    word = LABELS.get(type(member), {}).get(member)
    assert word, f"add {type(member).__name__}.{member.name} to models/labels.py"
    assert _english(word), f"translate «{word}» in the English catalogue"


def test_a_word_is_shown_in_the_interface_language(app):
    with app.test_request_context():
        assert label(TaskStatus.REPORTED) == "Chờ xác nhận"
        with force_locale("en"):
            assert label(TaskStatus.REPORTED) == "Awaiting verification"
            assert label(Role.OFFICE) == "Unit office"
        assert label(TaskStatus.REPORTED, "en") == "Awaiting verification"
        assert label(None) == ""
        with force_locale("en"):
            assert label(TaskEventKind.CREATED) == "Task assigned"  # "Giao nhiệm vụ" in the history
        assert label(TaskEventKind.CREATED) == "Giao nhiệm vụ"


def test_documents_ask_for_the_vietnamese_word_whatever_the_interface_language(app):
    with app.test_request_context(), force_locale("en"):
        assert label(Timeliness.OVERDUE, "vi") == "Quá hạn"


def test_one_colour_per_state_each_defined_in_the_stylesheet():
    css = (ROOT / "app/static/kiemtra.css").read_text(encoding="utf-8")
    for member in [*TaskStatus, *VisitStatus, *Timeliness, *TimelinessGroup]:
        name = css_class(member)
        assert name and re.search(r"\." + re.escape(name) + r"\b", css), f"{name} is not in kiemtra.css"
    assert css_class(TaskStatus.REPORTED) == "kt-task-reported"  # the same on the board and in the workspace


def test_a_state_on_the_task_page_and_on_the_visit_dossier_reads_the_same(login_as, world, create_task):
    task = create_task()
    client = login_as(world.inspector)
    dossier = client.get(f"/visits/{task.directive.visit_id}").get_data(as_text=True)
    board = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    badge = '<span class="badge kt-badge kt-task-assigned">Đã giao</span>'
    assert badge in dossier and badge in board
