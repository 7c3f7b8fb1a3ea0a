"""Audit entries for changes that are not task events."""

from __future__ import annotations

import json
from typing import Any

from models import AuditEntry, User, db


def record(actor: Any, action: str, obj: Any, **details: Any) -> AuditEntry:
    """Add an audit entry for ``action`` on ``obj`` (flushed so the object has an id).

    ``actor`` is an account, None, or a system actor (a server command), which is named in the
    details since it has no account.
    """
    db.session.flush()
    if actor is not None and not isinstance(actor, User):
        details = {"system": actor.label, **details}
        actor = None
    entry = AuditEntry(
        actor=actor,
        action=action,
        object_type=type(obj).__tablename__,
        object_id=obj.id,
        details=json.dumps(details, ensure_ascii=False, default=str) if details else None,
    )
    db.session.add(entry)
    return entry
