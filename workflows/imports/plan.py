"""What an import did or would do, row by row.

Imports never commit: the caller commits only a result without problems and rolls back anything
else (and every dry run), so one bad row writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from models import db
from workflows.errors import DomainError
from workflows.imports.sheet import Problem, SheetData, SheetRow

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class FieldChange:
    """One field of a record that the row changes."""

    label: str  # the column header
    before: str
    after: str


@dataclass
class Change:
    """What one row does: create, update or leave alone one record."""

    row: int
    action: str
    record: str  # "HU-BUDOP – Huyện ủy Bù Đốp"
    fields: list[FieldChange] = field(default_factory=list)
    note: str | None = None  # e.g. a generated first password, shown once
    obj: Any = field(default=None, repr=False)  # the record created or updated


@dataclass
class ImportResult:
    """Every row's change and every problem; nothing is kept unless there is no problem."""

    sheet: SheetData
    changes: list[Change] = field(default_factory=list)
    # What will be saved but deserves a second look (a unit that ends before a due date, or that no
    # office account receives): shown on the preview, never blocking the save.
    warnings: list[Problem] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return self.sheet.problems

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)


@contextmanager
def on_row(sheet: SheetData, row: SheetRow, column_of: Callable[[DomainError], str | None]) -> Iterator[None]:
    """Run one row's workflow in a savepoint; a refusal becomes a problem at that row and the
    column ``column_of`` names, and the session stays usable for the next row."""
    savepoint = db.session.begin_nested()
    try:
        yield
    except DomainError as error:
        savepoint.rollback()
        sheet.problem(row, column_of(error), error.template, **error.params)
        raise RowFailed from error
    else:
        savepoint.commit()


class RowFailed(Exception):
    """A row was refused; its problem is already recorded."""


def differences(pairs: list[tuple[str, Any, Any]]) -> list[FieldChange]:
    """The fields whose value changes, as text."""
    return [
        FieldChange(label, _shown(before), _shown(after)) for label, before, after in pairs if before != after
    ]


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)
