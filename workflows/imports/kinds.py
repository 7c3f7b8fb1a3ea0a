"""The sheets kiemtra imports, by the name the command line and the pages use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workflows.imports import organizations, people
from workflows.imports.plan import ImportResult
from workflows.imports.sheet import SheetData, SheetSpec


@dataclass(frozen=True)
class ImportKind:
    """One kind of sheet: its columns and the function that applies its rows."""

    name: str
    spec: SheetSpec
    run: Callable[[Any, SheetData], ImportResult]


KINDS = {
    "orgs": ImportKind("orgs", organizations.SPEC, organizations.import_organizations),
    "people": ImportKind("people", people.SPEC, people.import_people),
}
