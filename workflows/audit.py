"""Audit entries for changes that are not task events."""

from __future__ import annotations

import json
from typing import Any

from models import AuditEntry, User, db


def record(actor: User | None, action: str, obj: Any, **details: Any) -> AuditEntry:
    """Add an audit entry for ``action`` on ``obj`` (flushed so the object has an id)."""
    db.session.flush()
    entry = AuditEntry(
        actor=actor,
        action=action,
        object_type=type(obj).__tablename__,
        object_id=obj.id,
        details=json.dumps(details, ensure_ascii=False, default=str) if details else None,
    )
    db.session.add(entry)
    return entry
