"""The audit log's part of the store: entries appended and read in order, and the guarantors' checkpoint keys.

Only SQL lives here; what an entry means, how it is hashed and how the log is verified is
`trucewatch.audit.log`. Entries are appended on the connection of the write they record (so both commit or
neither does), after that write: by then the transaction holds SQLite's write lock, so the next `seq` read here
stays free until commit; PostgreSQL is asked for a table lock that serialises appenders the same way.

`append(conn, actor, action, subject, payload)` appends one entry on a write's connection; `recorder(actor,
(action, subject, payload), ...)` is the hook a store write takes (`audit=`) to append its entries the same way.
"""
from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select, text
from sqlalchemy.engine import Connection, Row

from trucewatch.audit.log import make_entry, now_utc
from trucewatch.records import AuditEntry, AuditKey, Event, Report
from trucewatch.storage.repository import EVENTS, REPORTS, AuditHook, _children, _event, _report, _utc
from trucewatch.storage.schema import AuditKeyRow, AuditLogRow

AUDIT_LOG: Table = AuditLogRow.__table__  # type: ignore[assignment]
AUDIT_KEYS: Table = AuditKeyRow.__table__  # type: ignore[assignment]
BATCH = 1000  # entries per round trip when streaming the log


def next_seq(conn: Connection) -> int:
    """The seq the next entry gets, holding the log for this transaction where the database needs telling."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"))
    return int(conn.execute(select(func.coalesce(func.max(AUDIT_LOG.c.seq), 0))).scalar_one()) + 1


def insert_entry(conn: Connection, entry: AuditEntry) -> None:
    conn.execute(insert(AUDIT_LOG), [{"seq": entry.seq, "at": entry.at, "actor": entry.actor, "action": entry.action,
                                      "subject": entry.subject, "payload": entry.payload,
                                      "leaf_hash": entry.leaf_hash}])


def append(conn: Connection, actor: str, action: str, subject: str, payload: Mapping[str, Any]) -> AuditEntry:
    """Append one entry in the transaction of `conn` (call it after the write it records)."""
    entry = make_entry(next_seq(conn), now_utc(), actor or "unknown", action, subject, payload)
    insert_entry(conn, entry)
    return entry


def recorder(actor: str, *entries: tuple[str, str, Mapping[str, Any]]) -> AuditHook:
    """A hook for a store write: appends these (action, subject, payload) entries on the write's connection."""
    def record(conn: Connection) -> list[AuditEntry]:
        return [append(conn, actor, action, subject, payload) for action, subject, payload in entries]
    return record


def insert_key(conn: Connection, key: AuditKey) -> None:
    conn.execute(insert(AUDIT_KEYS), [{"name": key.name, "guarantor": key.guarantor, "added_at": key.added_at,
                                       "public_key": base64.b64encode(key.public_key).decode("ascii")}])


class AuditStore:
    """The audit log and keys of a database. A view over an open `Database` (`db.audit_log`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def iter_entries(self) -> Iterator[AuditEntry]:
        """Every entry (whatever its seq), in seq order, a batch at a time."""
        stmt = select(AUDIT_LOG).order_by(AUDIT_LOG.c.seq)
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=BATCH).execute(stmt)
            for rows in result.partitions():
                yield from (_entry(row) for row in rows)

    def entries(self, first: int = 1, limit: int | None = None) -> list[AuditEntry]:
        stmt = select(AUDIT_LOG).where(AUDIT_LOG.c.seq >= first).order_by(AUDIT_LOG.c.seq).limit(limit)
        with self.engine.connect() as conn:
            return [_entry(row) for row in conn.execute(stmt)]

    def entry(self, seq: int) -> AuditEntry | None:
        found = self.entries(seq, 1)
        return found[0] if found and found[0].seq == seq else None

    def leaf_hashes(self, last: int) -> Iterator[str]:
        """The stored leaf hashes of entries 1..last, in seq order."""
        stmt = select(AUDIT_LOG.c.leaf_hash).where(AUDIT_LOG.c.seq <= last).order_by(AUDIT_LOG.c.seq)
        with self.engine.connect() as conn:
            yield from conn.execution_options(yield_per=BATCH).execute(stmt).scalars()

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(AUDIT_LOG)).scalar_one())

    def stored_reports(self) -> Iterator[tuple[Report, datetime | None, tuple[Event, ...]]]:
        """Every stored report with when it was stored and its events (in the extractor's order), by report id, a
        batch at a time: what `audit verify` checks against the reports' `ingest.report` entries."""
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=BATCH).execute(select(REPORTS).order_by(REPORTS.c.report_id))
            for rows in result.partitions():
                ids = [row.report_id for row in rows]
                event_rows = conn.execute(select(EVENTS).where(EVENTS.c.report_id.in_(ids))
                                          .order_by(EVENTS.c.report_id, EVENTS.c.seq)).all()
                children = _children(conn, [row.event_id for row in event_rows])
                events: dict[str, list[Event]] = {rid: [] for rid in ids}
                for row in event_rows:
                    events[row.report_id].append(_event(row, children))
                for row in rows:
                    yield _report(row), _utc(row.ingested_at), tuple(events[row.report_id])

    def keys(self) -> list[AuditKey]:
        """Every registered key, by guarantor then name."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(AUDIT_KEYS).order_by(AUDIT_KEYS.c.guarantor, AUDIT_KEYS.c.name)).all()
        return [AuditKey(row.name, row.guarantor, _raw(row.public_key), row.added_at) for row in rows]


def _raw(encoded: str) -> bytes:
    """The key's bytes; an altered value that is not base64 gives bytes no signature verifies with."""
    try:
        return base64.b64decode(encoded, validate=True)
    except ValueError:
        return b""


def _entry(row: Row[Any]) -> AuditEntry:
    return AuditEntry(seq=row.seq, at=row.at, actor=row.actor, action=row.action, subject=row.subject,
                      payload=row.payload, leaf_hash=row.leaf_hash)
