"""Select options for an enum's members, worded by ``models.labels``."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from flask_babel import LazyString
from wtforms import SelectChoice

from models.labels import label


def choices(enum_class: type[enum.Enum], members: Iterable[enum.Enum] | None = None) -> list[SelectChoice]:
    """Options for ``members`` of ``enum_class`` (all of them by default), translated when shown.

    Forms build their choices at import time, so each word stays lazy until a page renders it.
    """
    chosen = list(members) if members is not None else list(enum_class)
    return [SelectChoice(member.value, LazyString(label, member)) for member in chosen]
