"""Copying a whole store between two databases, table by table: the SQL behind `trucewatch db copy`.

Tables go in an order that the foreign keys and the triggers accept: parents before children (the schema's
dependency order) and, among the findings' tables, a finding's lists before its signatures and its signatures before
its publication (the triggers refuse a list row of a signed finding and a publication without the signatures).
Rows keep their primary keys; on PostgreSQL each serial column's sequence is then moved past the ids copied, so the
next row the application adds gets a new id. Times are handed over in UTC, so a server in another time zone reads
the same instants.

The figures that show nothing was lost are read the same way on both sides: rows per table, a digest of every
report's (id, SHA-256, SHA-256 of its stored text) that does not depend on the order rows come back in (SQLite and
PostgreSQL sort text differently).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, Integer, Table, func, insert, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError

from trucewatch.errors import StorageError
from trucewatch.settings import masked_url
from trucewatch.storage.repository import _broken, _engine
from trucewatch.storage.schema import Base

# the triggers of 0006/0009 want these after the other findings' tables, in this order
LAST = ("finding_signatures", "finding_publications")
# rows a table's own foreign key needs first: a finding's earlier version before the version that supersedes it
ORDER_BY = {"findings": ("version", "finding_id")}
DIGEST_MODULUS = 2**256


@dataclass(frozen=True, slots=True)
class ReportDigest:
    """Every report's (id, SHA-256, SHA-256 of its text), summed as numbers: equal digests, equal reports."""

    reports: int
    digest: str


def copy_order() -> list[Table]:
    """Every table of the schema, in an order in which inserting is accepted (see the module's docstring)."""
    tables = list(Base.metadata.sorted_tables)
    last = [t for name in LAST for t in tables if t.name == name]
    return [t for t in tables if t not in last] + last


def filled_tables(url: str) -> dict[str, int]:
    """The tables of the database at `url` that hold rows (whatever its schema revision), with their row counts;
    read before anything is created there. TW-E201 when it cannot be reached."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
            counts = {name: _count(conn, name) for name in names}
    except DatabaseError as err:
        raise StorageError("TW-E201", url=masked_url(url), detail=_broken(err)) from err
    finally:
        engine.dispose()
    return {name: n for name, n in counts.items() if n}


def row_counts(conn: Connection, tables: list[Table]) -> dict[str, int]:
    return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in tables}


def copy_rows(source: Connection, target: Connection, table: Table, batch: int,
              copied: Callable[[int], object]) -> int:
    """Every row of `table` from `source` into `target`, `batch` rows a round trip; `copied(n)` after each batch."""
    order = [table.c[name] for name in ORDER_BY.get(table.name, ())] or list(table.primary_key.columns)
    result = source.execution_options(yield_per=batch).execute(select(table).order_by(*order))
    moved_times = [c.name for c in table.columns if isinstance(c.type, DateTime) and c.type.timezone]
    done = 0
    for rows in result.partitions():
        values = [_in_utc(dict(row._mapping), moved_times) for row in rows]
        target.execute(insert(table), values)
        done += len(values)
        copied(len(values))
    return done


def move_sequences(conn: Connection, tables: list[Table]) -> None:
    """PostgreSQL: each serial or identity column's sequence set so that its next value is past the largest id."""
    if conn.dialect.name != "postgresql":
        return  # SQLite's INTEGER PRIMARY KEY takes max(id) + 1 by itself
    quote = conn.dialect.identifier_preparer.quote
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                    {"t": table.name, "c": column.name}).scalar()
            if sequence:
                conn.execute(text(f"SELECT setval(:s, (SELECT COALESCE(MAX({quote(column.name)}), 0) + 1 "
                                  f"FROM {quote(table.name)}), false)"), {"s": sequence})


def analyse(conn: Connection) -> None:
    """PostgreSQL: statistics for the planner now, not when autovacuum gets round to the new rows."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ANALYZE"))


def report_digest(engine: Engine) -> ReportDigest:
    """The reports' digest (see `ReportDigest`), read a batch at a time."""
    reports = Base.metadata.tables["reports"]
    stmt = select(reports.c.report_id, reports.c.sha256, reports.c.text)
    total, n = 0, 0
    with engine.connect() as conn:
        for rows in conn.execution_options(yield_per=2000).execute(stmt).partitions():
            for report_id, sha256, body in rows:
                total = (total + _number(report_id, sha256, body)) % DIGEST_MODULUS
                n += 1
    return ReportDigest(n, f"{total:064x}")


def report_hashes(engine: Engine) -> Iterator[tuple[str, str, str]]:
    """(report id, SHA-256, SHA-256 of the stored text) of every report, to find which differ when digests do."""
    reports = Base.metadata.tables["reports"]
    with engine.connect() as conn:
        stmt = select(reports.c.report_id, reports.c.sha256, reports.c.text)
        for rows in conn.execution_options(yield_per=2000).execute(stmt).partitions():
            for report_id, sha256, body in rows:
                yield report_id, sha256, hashlib.sha256(body.encode()).hexdigest()


def _number(report_id: str, sha256: str, body: str) -> int:
    text_hash = hashlib.sha256(body.encode()).hexdigest()
    line = f"{report_id}\x00{sha256}\x00{text_hash}".encode()
    return int.from_bytes(hashlib.sha256(line).digest(), "big")


def _in_utc(row: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    """A row's zone-aware times as UTC instants: SQLite hands back its stored UTC clock reading without a zone, which
    PostgreSQL would take as its own session's zone; PostgreSQL hands back its session's zone, which SQLite drops."""
    for name in columns:
        at = row[name]
        if isinstance(at, datetime):
            row[name] = at.astimezone(UTC) if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return row


def _count(conn: Connection, name: str) -> int:
    quoted = conn.dialect.identifier_preparer.quote(name)
    return int(conn.execute(text(f"SELECT count(*) FROM {quoted}")).scalar_one())  # names from the database itself
