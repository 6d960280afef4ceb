"""Bulk INSERT without SQLAlchemy's per-row bookkeeping (which dominates at 10^6 rows)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import chain
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def _memoised(process: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """A bind processor that converts each distinct value once (times repeat per respondent)."""
    if process is None:
        return None
    cached = lru_cache(maxsize=8192)(process)

    def convert(value: Any) -> Any:
        try:
            return cached(value)
        except TypeError:  # unhashable (JSON): convert directly
            return process(value)

    return convert


def bulk_insert(
    session: Session,
    table: Table,
    keys: Sequence[str],
    rows: Sequence[Sequence[Any]],
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """INSERT `rows` (tuples in `keys` order) with the SQL and bind processing SQLAlchemy uses.

    Skips SQLAlchemy's per-row bookkeeping, which dominates at 10^6 rows. On SQLite the
    rows go in as multi-row VALUES statements: the full-text index's per-statement
    flush made one statement per row several times slower. `returning` (plain columns,
    positional drivers such as SQLite's only) gives those columns of every row inserted,
    in no particular order; elsewhere it is refused.
    """
    if not rows:
        return []
    conn = session.connection()
    dialect = conn.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    procs = [_memoised(table.c[k].type.dialect_impl(dialect).bind_processor(dialect)) for k in keys]
    position = {k: i for i, k in enumerate(keys)}
    if compiled.positional:
        order = [position[compiled.binds[name].key] for name in compiled.positiontup or ()]
    else:
        names = {compiled.binds[name].key: name for name in compiled.binds}
        order = list(range(len(keys)))
    steps = [(i, procs[i]) for i in order]
    if dialect.name == "postgresql" and dialect.driver == "psycopg" and not returning:
        _copy(conn, table, keys, rows, procs)
        return []
    if not compiled.positional:
        if returning:
            raise ValueError("bulk_insert(returning=...) needs a positional driver")
        conn.exec_driver_sql(
            compiled.string,
            [{names[keys[i]]: (p(r[i]) if p else r[i]) for i, p in steps} for r in rows],
        )
        return []
    head, _, group = compiled.string.rpartition(" VALUES ")
    tail = f" RETURNING {', '.join(table.c[c].name for c in returning)}" if returning else ""
    per_statement = max(1, min(500, 30_000 // max(1, len(order))))  # under SQLite's bind limit
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), per_statement):
        part = rows[start : start + per_statement]
        # Column by column (map runs in C), then interleaved back into rows, flattened.
        columns = list(zip(*part, strict=True))
        ordered = [map(p, columns[i]) if p else columns[i] for i, p in steps]
        flat = tuple(chain.from_iterable(zip(*ordered, strict=True)))
        result = conn.exec_driver_sql(f"{head} VALUES {','.join([group] * len(part))}{tail}", flat)
        if returning:
            found.extend(map(tuple, result.fetchall()))
    return found


def _copy(
    conn: Any,
    table: Table,
    keys: Sequence[str],
    rows: Sequence[Sequence[Any]],
    procs: Sequence[Callable[[Any], Any] | None],
) -> None:
    """PostgreSQL: the rows through `COPY ... FROM STDIN`, inside the session's transaction."""
    columns = ", ".join(f'"{table.c[k].name}"' for k in keys)
    raw = conn.connection.driver_connection  # the psycopg connection under the session
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([p(v) if p else v for v, p in zip(row, procs, strict=True)])
