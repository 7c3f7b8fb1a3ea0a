"""Which statements a reading page may run outside a transaction (``app.database.plain_read``) is decided
from what SQLAlchemy compiled, not from SQL text: on either database, the same decision."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, literal_column, select, text, union_all

from app.database import plain_read
from models import Organization, Task, User, db
from workflows.timeliness import local_day


@pytest.mark.parametrize(
    ("build", "plain"),
    [
        (lambda: select(User), True),
        (lambda: select(func.count()).select_from(Task), True),
        (lambda: select(func.count(Task.id)).where(local_day(Task.created_at) > func.current_date()), False),
        (lambda: select(func.count(Task.id)).where(local_day(Task.created_at) == Task.due_on), True),
        (lambda: select(select(func.count(Task.id)).scalar_subquery(), func.max(User.id)), True),
        (lambda: union_all(select(User.id), select(Organization.id)), True),
        (lambda: select(User).with_for_update(), False),
        (lambda: select(User).with_for_update(read=True), False),
        (
            lambda: select(User.id).where(User.id == select(User.id).with_for_update().scalar_subquery()),
            False,
        ),
        (lambda: select(func.nextval("task_id_seq")), False),
        (lambda: select(func.pg_advisory_xact_lock(1)), False),
        (lambda: select(User.id).where(text("id > 0")), False),
        (lambda: select(literal_column("nextval('x')")), False),
        (lambda: text("SELECT 1"), False),
        (lambda: insert(User).values(username="x"), False),
        (
            lambda: select(insert(Organization).values(name="x").returning(Organization.id).cte("made").c.id),
            False,
        ),
    ],
)
def test_a_statement_is_a_plain_read_only_when_it_is_a_select_that_locks_and_calls_nothing_unknown(
    app, build, plain
):
    with app.app_context():
        compiled = build().compile(dialect=db.engine.dialect)
        assert plain_read(compiled) is plain
        assert plain_read(compiled) is plain  # kept on the compiled statement, the same answer


@pytest.mark.parametrize("variant", ["page", "undated", "dated"])
def test_the_office_list_sent_as_text_is_a_plain_read_decided_from_what_was_compiled(app, variant):
    """The office's one-statement list goes to the driver as text: what it is is read from the statement
    it was compiled from (a read of the unit's tasks, its visits and counts), never from the text."""
    from datetime import date

    from app.board.views import _unit_list_statement

    with app.app_context():
        compiled = _unit_list_statement("1/2/", date(2026, 12, 7), 3, variant, db.engine.dialect.name)
        # On SQLite the list writes out the rank's SQL (its list_rank column is VIRTUAL, computed from
        # the whole row at every read): SQL text, so not a plain read; only PostgreSQL reads outside a
        # transaction, and there the list reads the stored column.
        assert plain_read(compiled) is (db.engine.dialect.name == "postgresql")
