"""The one error a document builder raises when it cannot make its file.

``message`` is safe to show to the user (Vietnamese, translated when shown); ``app.acting.run`` turns it
into the same answer as a workflow's refusal.
"""

from __future__ import annotations


class ExportError(Exception):
    """A file could not be made or checked (a PDF conversion, a signature)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)
