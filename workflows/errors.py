"""Domain errors raised by workflows; views map them to a flash message or an HTTP status.

Messages are written in Vietnamese, the source language of kiemtra's catalogue; the English
catalogue translates them.
"""

from __future__ import annotations

import enum

from models.labels import label


class DomainError(Exception):
    """A rule of the domain refused an operation; ``message`` is safe to show to the user."""

    def __init__(self, message: str, **params: object) -> None:
        self.template = str(message)
        self.params = params  # a state or kind stays an enum: each reader sees its word in their language
        vietnamese = {k: label(v, "vi") if isinstance(v, enum.Enum) else v for k, v in params.items()}
        try:
            # Always format, so a doubled %% in a message without parameters reads as one %.
            self.message = self.template % vietnamese
        except (KeyError, TypeError, ValueError):
            self.message = self.template
        super().__init__(self.message)


class ValidationFailed(DomainError):
    """Input that can never be valid (a malformed date or code, an empty text)."""


class InvalidState(DomainError):
    """The record is not in a state that allows the operation."""


class PermissionDenied(DomainError):
    """The actor's role does not allow the operation on a record in their scope (HTTP 403)."""


class OutOfScope(DomainError):
    """The record lies outside the actor's organisation subtree (HTTP 404: do not reveal it)."""


class StaleRecord(DomainError):
    """Someone else saved the record since the actor loaded it."""
