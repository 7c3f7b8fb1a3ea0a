"""The registry of cited documents: add an entry by its code, correct what is known about it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import LegalDocument, User, db
from models.enums import Role
from models.vntext import nfc
from workflows import audit
from workflows.citations import parse_citation
from workflows.errors import PermissionDenied, ValidationFailed
from workflows.visits import register_document, tree_root_id

EDITORS = frozenset({Role.ADMIN, Role.INSPECTOR})


def _check_editor(actor: User) -> None:
    if actor.role not in EDITORS:
        raise PermissionDenied("Chỉ quản trị viên và cán bộ kiểm tra được sửa danh mục văn bản.")


def can_edit(document: LegalDocument, actor: User) -> bool:
    """An editor (administrator, inspector) of the tree that owns the entry; an entry no tree owns yet
    (kept from before owners were, or registered without a writer) goes to the tree of its first
    editor."""
    if actor.role not in EDITORS:
        return False
    return document.owner_root_id is None or document.owner_root_id == tree_root_id(actor)


def add_document(
    actor: User,
    *,
    citation: str,
    title: str | None = None,
    issued_on: date | None = None,
    is_secret: bool = False,
) -> LegalDocument:
    """Add a document typed as a code or a full citation ("Quy định số 85-QĐ/TW ngày 07/10/2022")."""
    _check_editor(actor)
    parsed = parse_citation(citation)
    if db.session.scalar(select(LegalDocument.id).where(LegalDocument.code == parsed.code)):
        raise ValidationFailed("Văn bản %(code)s đã có trong danh mục.", code=parsed.code)
    document = register_document(parsed, title=title, owner=actor)
    document.issued_on = issued_on or document.issued_on
    document.is_secret = document.is_secret or is_secret
    document.owner_root_id = tree_root_id(actor)
    db.session.flush()
    audit.record(actor, "document.added", document, code=document.code)
    return document


def update_document(
    document: LegalDocument,
    actor: User,
    *,
    title: str | None,
    issued_on: date | None,
    type_name: str | None,
    issuer_name: str | None,
    is_secret: bool,
) -> None:
    """Correct the title, date, names and secrecy of a registry entry; its code never changes."""
    _check_editor(actor)
    if not can_edit(document, actor):
        raise PermissionDenied("Văn bản này do hệ thống tổ chức khác đưa vào danh mục; chỉ họ được sửa.")
    document.owner_root_id = tree_root_id(actor)
    if issued_on is not None and document.year is not None and issued_on.year != document.year:
        raise ValidationFailed(
            "Ngày ban hành phải thuộc năm %(year)d như trong số hiệu %(code)s.",
            year=document.year,
            code=document.code,
        )
    document.title = nfc(title) or None
    document.issued_on = issued_on
    document.type_name = nfc(type_name) or None
    document.issuer_name = nfc(issuer_name) or None
    document.is_secret = is_secret
    audit.record(actor, "document.updated", document, code=document.code)
