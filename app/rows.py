"""Repeated form rows (delegation members, findings, directives, tasks) read safely and in bounded number.

WTForms' ``FieldList`` takes any key whose row number ``str.isdigit()`` accepts, then calls ``int()`` on it:
``directives-²-body`` is a 500. And it takes as many rows as are posted: ten thousand directives were saved
(after minutes) and then weighed on every page. ``Rows`` reads ASCII row numbers only and, past ``limit``
rows, keeps the first ``limit`` and marks the list as overflowing, for the form to say so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_babel import gettext
from wtforms import FieldList
from wtforms.utils import unset_value

from models.vntext import whole_number

# Row numbers a browser sends count up from 0; anything beyond this is not a row of a real page.
_LARGEST_INDEX = 99_999


class Rows(FieldList):
    """A FieldList of at most ``limit`` rows, with ASCII row numbers."""

    def __init__(self, unbound_field: Any, label: Any = None, *, limit: int, **kwargs: Any) -> None:
        super().__init__(unbound_field, label, max_entries=limit, **kwargs)
        self.limit = limit
        self.overflowing = False

    def _extract_indices(self, prefix: str, formdata: Any) -> Iterator[int]:
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = whole_number(key[offset:].split(self._field_separator, 1)[0], largest=_LARGEST_INDEX)
                if index is not None:
                    yield index

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        if formdata:
            self.overflowing = len(set(self._extract_indices(self.name, formdata))) > self.limit
        elif data is not unset_value and data is not None:
            data = list(data)
            self.overflowing = len(data) > self.limit
            data = data[: self.limit]
        super().process(formdata, data, extra_filters)

    def overflow_message(self) -> str:
        """What the page says when more rows were sent than the list may have."""
        return gettext(
            "«%(name)s» có tối đa %(limit)d dòng; các dòng thừa không được lưu.",
            name=self.label.text,
            limit=self.limit,
        )

    def append_entry(self, data: Any = unset_value) -> Any:
        """A new row, unless the list is full (the page then says so instead of growing)."""
        if len(self.entries) >= self.limit:
            self.overflowing = True
            return None
        return super().append_entry(data)
