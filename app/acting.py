"""The one way a view or a command runs a workflow: call it, commit once, turn a refusal into an answer.

Views use ``run()``; commands use ``run_command()``, which turns a refusal into click's error message.

A workflow checks permission and state and raises a ``DomainError`` when it refuses; it never commits.
``run()`` commits once when the call succeeds and, when it refuses, rolls back and answers:

- ``OutOfScope`` → 404 (the record's existence is not revealed),
- ``PermissionDenied`` → 403,
- ``StaleRecord`` (someone else saved first) → raised again for the view, which shows its "saved by
  someone else" page with the user's input kept,
- a refusal already put under a field by ``on_field`` → a flash asking to mend the marked fields,
- any other refusal, or a file that could not be made (``exports.errors.ExportError``: a PDF, a
  signature) → an error under the form field named by the view, else a flash message.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

from flask import abort, flash, request, url_for
from flask_babel import gettext
from sqlalchemy.orm.exc import StaleDataError

from app import database
from exports.errors import ExportError
from models import db
from models.labels import label
from workflows.errors import DomainError, OutOfScope, PermissionDenied, StaleRecord, ValidationFailed

T = TypeVar("T")


class FormRejected(Exception):
    """A workflow refused a value of the form; the message is already under its field (``on_field``)."""


@contextmanager
def on_field(field: Any) -> Iterator[None]:
    """Put a workflow's refusal under ``field`` (scope and rights still answer 404/403 through ``run``).

    For a save that calls several workflows, each about a different field of one form.
    """
    try:
        yield
    except (OutOfScope, PermissionDenied):
        raise
    except DomainError as error:
        field.errors = [*list(field.errors), error_message(error)]
        raise FormRejected(error.message) from error


class Refused(Exception):
    """A workflow refused and the answer (a field error or a flash) is already given."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(error.message)
        self.error = error


def error_message(error: DomainError) -> str:
    """The error's message in the user's language (the Vietnamese text is the msgid).

    A state or kind passed as a parameter is shown by its display word in the same language.
    """
    params = {
        key: label(value) if isinstance(value, enum.Enum) else value for key, value in error.params.items()
    }
    if params:
        return gettext(error.template, **params)
    return gettext(error.template).replace("%%", "%")  # no formatting ran to undouble it


def refuse(error: DomainError) -> NoReturn:
    """Answer 404 for a record outside the user's scope and 403 for a missing right; else raise again."""
    if isinstance(error, OutOfScope):
        abort(404)
    if isinstance(error, PermissionDenied):
        abort(403, description=error_message(error))
    raise error


def run(
    call: Callable[[], T], *, form: Any = None, field: str | None = None, starts_writing: bool = False
) -> T:
    """Call a workflow and commit once; on a refusal roll back and answer (see the module's docstring).

    Raises ``Refused`` after putting the message under ``form[field]`` (above the form when only
    ``form`` is given, in a flash when neither is), so the view can show its form again;
    ``StaleRecord`` is raised as it is.

    In a ``database.reads_first`` view the write transaction starts before the call, unless the call
    says it ``starts_writing`` itself (``database.start_writing()``) after a slow part that only reads.
    """
    if database.reading() and not starts_writing:
        database.start_writing()  # a reads_first view's slow part is over: take the write lock now
    try:
        result = call()
        db.session.commit()
    except FormRejected:
        db.session.rollback()
        flash(gettext("Chưa lưu: hãy sửa các chỗ được đánh dấu bên dưới."), "error")
        raise Refused(ValidationFailed("Chưa lưu: hãy sửa các chỗ được đánh dấu bên dưới.")) from None
    except StaleDataError:
        # The version counter caught a concurrent save at the flush: the same answer as a stale form.
        db.session.rollback()
        raise StaleRecord("Bản ghi vừa được người khác lưu; vui lòng xem lại trước khi lưu.") from None
    except (DomainError, ExportError) as raised:
        db.session.rollback()
        # A file that could not be made (a PDF, a signature) is refused like a workflow's rule.
        error = raised if isinstance(raised, DomainError) else ValidationFailed(raised.message)
        if isinstance(error, (OutOfScope, PermissionDenied)):
            refuse(error)
        if isinstance(error, StaleRecord):
            raise
        text = error_message(error)
        if form is not None and field is not None:
            form[field].errors = [*form[field].errors, text]
        elif form is not None:  # about the form as a whole: shown above it
            form.form_errors.append(text)
        else:
            flash(text, "error")
        raise Refused(error) from None
    except BaseException:
        # Anything else (a unique clash the view answers, a lost connection): nothing half-written stays.
        db.session.rollback()
        raise
    return result


def run_command(call: Callable[[], T]) -> T:
    """``run()`` for a command: call and commit once; a refusal rolls back and becomes click's message.

    The message stays Vietnamese (commands speak the office's language, as the documents do).
    """
    import click  # only the command line needs it

    try:
        result = call()
        db.session.commit()
    except (DomainError, ExportError) as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    except BaseException:
        db.session.rollback()
        raise
    return result


def safe_back(fallback: str | None = None) -> str:
    """The page the request came from when it is a page of this site, else ``fallback`` (or home)."""
    return safe_path(request.referrer, fallback)


def safe_path(target: str | None, fallback: str | None = None) -> str:
    """``target`` when it is a path of this site (or a URL on this host), never another site."""
    if target:
        parts = urlsplit(target)
        relative = not parts.scheme and not parts.netloc
        same_host = relative or (parts.scheme in ("http", "https") and parts.netloc == request.host)
        path = parts.path
        if same_host and path.startswith("/") and not path.startswith("//") and "\\" not in target:
            return (
                path
                + (f"?{parts.query}" if parts.query else "")
                + (f"#{parts.fragment}" if parts.fragment else "")
            )
    return fallback or url_for("main.home")
