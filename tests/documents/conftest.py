"""Fixtures of the documents area: a visit with every kind of finding, the demo data, and readers
that reopen a Word file the way a person would see it."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from sqlalchemy import select

from models import Organization, User, Visit, db
from models.enums import DelegationRole, FindingKind
from tests.conftest import PASSWORD_HASH
from workflows import documents as flow
from workflows import visits as visit_flow
from workflows.demo import SEED_REFERENCE, load_demo

DEMO_TODAY = date(2025, 12, 1)


def open_docx(data: bytes) -> DocxDocument:
    """Reopen a built document."""
    return Document(io.BytesIO(data))


def blocks(document: DocxDocument) -> Iterator[Paragraph | Table]:
    """Paragraphs and tables of the body, in reading order."""
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, document)
        elif child.tag == qn("w:tbl"):
            yield Table(child, document)


def body_texts(document: DocxDocument) -> list[str]:
    """Every paragraph's text in reading order, table cells included (row by row)."""
    texts: list[str] = []
    for block in blocks(document):
        if isinstance(block, Paragraph):
            texts.append(block.text)
        else:
            for row in block.rows:
                for cell in row.cells:
                    texts.extend(p.text for p in cell.paragraphs)
    return texts


def tables(document: DocxDocument) -> list[list[list[str]]]:
    """Each table as rows of cell texts."""
    return [
        [[cell.text for cell in row.cells] for row in block.rows]
        for block in blocks(document)
        if isinstance(block, Table)
    ]


def paragraph_starting(document: DocxDocument, prefix: str) -> Paragraph:
    """The first body paragraph whose text starts with ``prefix``."""
    for block in blocks(document):
        if isinstance(block, Paragraph) and block.text.startswith(prefix):
            return block
    raise AssertionError(f"no paragraph starts with {prefix!r}")


@pytest.fixture
def demo(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The demo data as loaded on 01/12/2025, with the seed visit loaded for printing.

    Demo users get the shared test password's hash: hashing seven passwords with argon2 would
    take seconds per test.
    """
    monkeypatch.setattr(
        User, "set_password", lambda user, _password: setattr(user, "password_hash", PASSWORD_HASH)
    )
    load_demo(DEMO_TODAY)
    db.session.commit()
    visit_id = db.session.scalar(select(Visit.id).where(Visit.reference == SEED_REFERENCE))
    orgs = {org.code: org for org in db.session.scalars(select(Organization))}
    return {"visit": flow.load_visit(visit_id), "orgs": orgs, "today": DEMO_TODAY}


@pytest.fixture
def conducted_visit(world: Any, create_visit: Callable[..., Visit]) -> Callable[..., Visit]:
    """Return a factory of a conducted visit with a host, findings of the given kinds and directives."""

    def factory(
        findings: dict[FindingKind, list[str]] | None = None,
        directives: list[tuple[str | None, str]] | None = None,
        **overrides: Any,
    ) -> Visit:
        visit = create_visit(**overrides)
        visit_flow.add_delegation_member(
            visit, world.inspector, person=world.host, role=DelegationRole.HOST_CHAIR
        )
        for kind, texts in (findings or {}).items():
            for text in texts:
                visit_flow.add_finding(visit, world.inspector, kind=kind, text=text)
        for title, body in directives or []:
            visit_flow.issue_directive(visit, world.inspector, title=title, body=body)
        visit_flow.mark_conducted(visit, world.inspector)
        db.session.commit()
        loaded = flow.load_visit(visit.id)
        assert loaded is not None
        return loaded

    return factory


@pytest.fixture(autouse=True)
def word_only_unless_slow(request: pytest.FixtureRequest, app: Any) -> None:
    """Issuing keeps the Word file and its PDF; converting takes LibreOffice seconds, so tests not
    marked slow keep the Word file alone and the slow ones check the PDF kept beside it."""
    app.config["ISSUED_PDF"] = request.node.get_closest_marker("slow") is not None
