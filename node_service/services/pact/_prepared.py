"""Hot read statements compiled once per dialect and run on the DBAPI cursor.

Through SQLAlchemy a short indexed read costs ~0.15 ms of CPU beyond the database's own ~0.015 ms (SQLite):
compile-cache lookup, event dispatch, parameter and result wrapping. The PACT read path runs a few fixed
statements per request (the token's client, GetFootprint, a page of ListFootprints), so :class:`Prepared`
compiles each once per dialect and runs it on the cursor of the request's ``Connection``, with the same bind
and result type processing SQLAlchemy applies (e.g. datetimes as text on SQLite). Statements with expanding
``IN`` parameters (their SQL depends on the values) keep going through SQLAlchemy.

On SQLite the node's connections are in driver autocommit (``isolation_level = None``; SQLAlchemy emits BEGIN
itself when a transaction starts): a statement run here before any SQLAlchemy statement is its own read
transaction, afterwards it joins the open one.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

__all__ = ["Prepared"]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # parameter order for positional paramstyles; None: by name
    binds: dict[str, Callable[[Any], Any]]
    defaults: dict[str, Any]  # values bound in the statement itself (e.g. literals SQLAlchemy parameterised)
    results: tuple[Callable[[Any], Any] | None, ...]
    row: Any  # namedtuple class of the result columns

    def parameters(self, values: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        merged = {**self.defaults, **values} if self.defaults else values
        processed = {k: (self.binds[k](v) if k in self.binds else v) for k, v in merged.items()}
        if self.names is None:
            return processed
        return tuple(processed[name] for name in self.names)

    def make_row(self, raw: tuple[Any, ...]) -> Any:
        if any(self.results):
            raw = tuple(p(v) if p is not None else v for p, v in zip(self.results, raw, strict=True))
        return self.row._make(raw)


class Prepared:
    """A SELECT without expanding parameters, compiled once per dialect, run on the DBAPI cursor."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            binds: dict[str, Callable[[Any], Any]] = {}
            for name, bind in compiled.binds.items():
                processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if processor is not None:
                    binds[name] = processor
            columns = list(self.statement.selected_columns)
            found = _Compiled(
                sql=compiled.string,
                names=tuple(compiled.positiontup) if compiled.positiontup is not None else None,
                binds=binds,
                defaults={n: b.effective_value for n, b in compiled.binds.items() if not b.required},
                results=tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns),
                row=namedtuple("Row", [c.key or f"c{i}" for i, c in enumerate(columns)], rename=True),  # type: ignore[misc]
            )
            self._compiled[dialect.name] = found
        return found

    def _run(self, connection: Session | Connection, values: dict[str, Any]) -> tuple[_Compiled, Any]:
        conn = connection.connection() if isinstance(connection, Session) else connection
        compiled = self._for(conn.dialect)
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None, "the connection is closed"
        cursor = dbapi.cursor()
        cursor.execute(compiled.sql, compiled.parameters(values))
        return compiled, cursor

    def first(self, connection: Session | Connection, values: dict[str, Any]) -> Any:
        """The first row (attributes named like the selected columns), or None."""
        compiled, cursor = self._run(connection, values)
        try:
            raw = cursor.fetchone()
        finally:
            cursor.close()
        return None if raw is None else compiled.make_row(tuple(raw))

    def all(self, connection: Session | Connection, values: dict[str, Any]) -> list[Any]:
        compiled, cursor = self._run(connection, values)
        try:
            raws = cursor.fetchall()
        finally:
            cursor.close()
        return [compiled.make_row(tuple(raw)) for raw in raws]
