"""What each test article should read as, field by field; shared by the tests and benchmarks/intake.py.

Each article ``articles/NN_name.(txt|html)`` has ``articles/NN_name.expected.json``:

* scalar fields (title, dates, bodies, subject, author) compare exactly;
* ``period`` is ``[label, start_on, end_on]``; people are ``[name, position, party titles, role]``;
* ``findings`` are ``[kind, the first 60 characters]`` in order;
* ``directives`` are ``[number, the first 50 characters, [cited codes], due_on, due_period_label]``;
* ``warnings`` lists fragments that must each appear in one of the draft's warnings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workflows.intake import DraftPerson, DraftVisit, parse_article

ARTICLES = Path(__file__).resolve().parent / "articles"

FIELDS = (
    "title",
    "published_on",
    "visited_on",
    "day_part",
    "inspecting_body",
    "inspected_unit",
    "subject",
    "period",
    "place",
    "head",
    "members",
    "hosts",
    "findings",
    "directives",
    "citations",
    "author",
    "warnings",
)


def article_paths() -> list[Path]:
    """The test articles, in order."""
    return sorted(p for p in ARTICLES.iterdir() if p.suffix in (".txt", ".html") and p.name[:2].isdigit())


def expected_for(path: Path) -> dict[str, Any]:
    return json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))


def parse_file(path: Path) -> DraftVisit:
    return parse_article(path.read_bytes(), path.name)


def _value(found: Any) -> Any:
    if found is None:
        return None
    value = found.value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _person(p: DraftPerson) -> list[Any]:
    return [p.name, p.position, p.party_titles, p.role.value]


def picture(draft: DraftVisit) -> dict[str, Any]:
    """The draft in the expectation files' shape (warnings in full)."""
    period = draft.period
    return {
        "title": _value(draft.title),
        "published_on": _value(draft.published_on),
        "visited_on": _value(draft.visited_on),
        "day_part": _value(draft.day_part),
        "inspecting_body": _value(draft.inspecting_body),
        "inspected_unit": _value(draft.inspected_unit),
        "subject": _value(draft.subject),
        "period": [period.label, _iso(period.start_on), _iso(period.end_on)] if period else None,
        "place": _value(draft.place),
        "head": _person(draft.head)[:3] if draft.head else None,
        "members": [_person(p) for p in draft.members],
        "hosts": [_person(p) for p in draft.hosts],
        "findings": [[f.kind.value, f.text[:60]] for f in draft.findings],
        "directives": [
            [d.number, d.text[:50], [c.code for c in d.citations], _iso(d.due_on), d.due_period_label]
            for d in draft.directives
        ],
        "citations": [c.code for c in draft.citations],
        "author": _value(draft.author),
        "warnings": list(draft.warnings),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def compare(draft: DraftVisit, expected: dict[str, Any]) -> dict[str, tuple[bool, Any, Any]]:
    """Field -> (matches, found, expected) for every field the expectation names."""
    got = picture(draft)
    result = {}
    for name in FIELDS:
        if name not in expected:
            continue
        want = expected[name]
        if name == "warnings":
            ok = all(any(fragment in w for w in got["warnings"]) for fragment in want)
        else:
            ok = got[name] == want
        result[name] = (ok, got[name], want)
    return result
