"""The few statements every page runs, sent straight to the database driver, and their rows made into
the session's objects without the ORM's loader.

The session check (the signed-in user and its unit) and the header's badges are small SELECTs run on
every page. For them SQLAlchemy's work around an execution (the statement's cache key, the engine's
events, the result object and its metadata, the ORM's loading context) costs several times what the
database takes to answer. So each is compiled once per dialect and run on the DB-API cursor of the
session's own connection, inside its transaction; parameters and values go through the type processors
SQLAlchemy itself would apply. Only for SELECTs. The engine's ``before_cursor_execute`` listeners
(the reads-first guard, the tests' query counter) see them, with a context that holds only the compiled
statement; its other events and SQLAlchemy's statement log do not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import BindParameter, Select, bindparam
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from models.base import Base

M = TypeVar("M", bound=Base)


@dataclass(frozen=True)
class _Context:
    """What the engine's ``before_cursor_execute`` listeners read of an execution context: the compiled
    statement (``app.database`` decides from it whether a page may read outside a transaction)."""

    compiled: Any
    execution_options: Mapping[str, Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positions: tuple[str, ...] | None  # the parameters' order for a positional driver (SQLite)
    binds: Mapping[str, Callable[[Any], Any] | None]  # each parameter's processor
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, processor) of each column with one
    context: _Context  # for the engine's listeners


class _Param(ColumnElement[Any]):
    """A parameter sent to the driver as a value even in a statement compiled with its other values
    written in (``rows(..., literal=True)``)."""

    inherit_cache = True
    _traverse_internals = [("bind", InternalTraversal.dp_clauseelement)]

    def __init__(self, bind: BindParameter[Any]) -> None:
        self.bind = bind
        self.type = bind.type


@compiles(_Param)
def _compile_param(element: _Param, compiler: Any, **kw: Any) -> str:
    kw.pop("literal_binds", None)
    return str(compiler.process(element.bind, **kw))


def param(name: str, type_: Any) -> ColumnElement[Any]:
    """A named parameter of a statement run with ``rows()``, bound at each run even when the statement
    is compiled with its other values written in: a statement made of one whose values change at each
    run (the session check's) and SQL built once with its values (the header's badges)."""
    return _Param(bindparam(name, type_=type_))


# Per statement object and dialect; the statement is kept with it, so a recycled id is not mistaken.
_COMPILED: dict[tuple[int, str], tuple[Select[Any], _Compiled]] = {}


def _compile(statement: Select[Any], dialect: Dialect, literal: bool) -> _Compiled:
    key = (id(statement), f"{dialect.name}+{dialect.driver}")
    found = _COMPILED.get(key)
    if found is not None and found[0] is statement:
        return found[1]
    compiled = statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True} if literal else {})
    if compiled.post_compile_params:
        raise ValueError("an expanding IN needs its values in the statement: run it with literal=True")
    binds = {
        name: bind.type.dialect_impl(dialect).bind_processor(dialect)
        for bind, name in compiled.bind_names.items()
    }
    processors = (
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in statement.selected_columns
    )
    # Only the columns that have a processor are walked for each row (most have none: ids, texts, and
    # on PostgreSQL dates and instants too).
    results = tuple((at, process) for at, process in enumerate(processors) if process is not None)
    prepared = _Compiled(
        str(compiled),
        tuple(compiled.positiontup or ()) if compiled.positional else None,
        binds,
        results,
        _Context(compiled, {}),
    )
    if len(_COMPILED) > 4096:
        _COMPILED.clear()
    _COMPILED[key] = (statement, prepared)
    return prepared


def rows(
    session: Any, statement: Select[Any], params: Mapping[str, Any] | None = None, *, literal: bool = False
) -> list[tuple[Any, ...]]:
    """Run a SELECT on the session's connection (in its transaction) and return its rows as tuples.

    ``session`` may be that connection itself (``session.connection()``), for a caller that runs several
    statements: asking the session for it costs more than a small statement's processing.

    ``literal``: the statement carries its values (but those of ``param()``, given in ``params``) and is
    compiled with them written in, for one whose ``IN`` lists SQLAlchemy would otherwise expand at
    each run.
    """
    connection = session if isinstance(session, Connection) else session.connection()
    prepared = _compile(statement, connection.dialect, literal)
    given = params or {}
    values: Any = {
        name: process(given[name]) if process is not None else given[name]
        for name, process in prepared.binds.items()
    }
    if prepared.positions is not None:
        values = tuple(values[name] for name in prepared.positions)
    cursor = connection.connection.cursor()
    try:
        # The engine's listeners of each statement (kiemtra's reads-first guard, tests' query counter).
        connection.dispatch.before_cursor_execute(
            connection, cursor, prepared.sql, values, prepared.context, False
        )
        cursor.execute(prepared.sql, values)
        fetched: Sequence[Sequence[Any]] = cursor.fetchall()
    finally:
        cursor.close()
    results = prepared.results
    if not results:
        return [tuple(row) for row in fetched]
    processed = []
    for row in fetched:
        values = list(row)
        for at, process in results:
            values[at] = process(values[at])
        processed.append(tuple(values))
    return processed


def persistent(session: Any, model: type[M], values: dict[str, Any]) -> M:
    """The session's object for a row read with ``rows()``: the one it already holds (with what it has
    not loaded, or has expired, filled in from ``values``, as a query would), else a new one made as the
    ORM's loader makes it: persistent, clean, in the identity map, without SQL.

    ``values`` gives every column attribute (a relationship given is loaded; one not given loads lazily).
    """
    mapper = sa_inspect(model)
    key = mapper.identity_key_from_primary_key(
        tuple(values[mapper.get_property_by_column(column).key] for column in mapper.primary_key)
    )
    identity_map = session.identity_map
    found = identity_map.get(key)
    if found is not None:
        loaded = instance_state(found).dict
        for name, value in values.items():
            if name not in loaded:
                set_committed_value(found, name, value)
        return found
    instance = mapper.class_manager.new_instance()
    state = instance_state(instance)
    # As sqlalchemy.orm.loading._instance_processor does for a row whose identity the session lacks.
    state.key = key
    state.identity_token = None
    state.session_id = session.hash_key
    identity_map._add_unpresent(state, key)
    state.dict.update(values)
    state._commit_all(state.dict, identity_map)
    return instance  # type: ignore[return-value]
