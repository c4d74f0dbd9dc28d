"""Watched sources and the items taken from them (migration 0012_sources): the only SQL of live intake.

`SourceStore(db.engine)` reads and writes the `sources` and `source_items` tables. Times are kept in UTC (SQLite
keeps the clock reading and drops the zone; they come back with UTC put on again).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Engine, Table, delete, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from trucewatch.errors import SourceError
from trucewatch.storage.repository import write_transaction
from trucewatch.storage.schema import SourceItemRow, SourceRow

SOURCES = cast(Table, SourceRow.__table__)
ITEMS = cast(Table, SourceItemRow.__table__)


@dataclass(frozen=True, slots=True)
class Source:
    """A watched source and the state of its polls."""

    name: str
    url: str
    kind: str
    every_seconds: int
    paused: bool
    added_at: datetime
    next_poll_at: datetime
    failures: int = 0  # in a row
    etag: str | None = None
    last_modified: str | None = None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None
    items_seen: int = 0


@dataclass(frozen=True, slots=True)
class SeenItem:
    """An item taken from a source, and what became of it."""

    key: str
    url: str | None
    status: str  # added, unchanged, refused
    report_id: str | None
    published_at: datetime | None


class SourceStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, source: Source) -> None:
        """Store a new source; TW-E903 when its name is taken."""
        try:
            with write_transaction(self.engine) as conn:
                conn.execute(insert(SOURCES).values(
                    name=source.name, url=source.url, kind=source.kind, every_seconds=source.every_seconds,
                    paused=source.paused, added_at=_utc(source.added_at), failures=0,
                    next_poll_at=_utc(source.next_poll_at)))
        except IntegrityError:
            taken = self.get(source.name)
            raise SourceError("TW-E903", name=source.name, url=taken.url if taken else "?") from None

    def get(self, name: str) -> Source | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(SOURCES).where(SOURCES.c.name == name)).mappings().first()
            return _source(row, self._counts(conn, [name])) if row else None

    def all(self) -> list[Source]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(SOURCES).order_by(SOURCES.c.name)).mappings().all()
            counts = self._counts(conn, None)
        return [_source(row, counts) for row in rows]

    def due(self, now: datetime) -> list[Source]:
        """Sources not paused whose next poll is at or before `now`, the most overdue first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(SOURCES).where(SOURCES.c.paused.is_(False),
                                                      SOURCES.c.next_poll_at <= _utc(now))
                                .order_by(SOURCES.c.next_poll_at, SOURCES.c.name)).mappings().all()
        return [_source(row, {}) for row in rows]

    def next_due(self) -> datetime | None:
        """When the next source not paused is due; None when none is watched."""
        with self.engine.connect() as conn:
            found = conn.execute(select(func.min(SOURCES.c.next_poll_at))
                                 .where(SOURCES.c.paused.is_(False))).scalar()
        return _as_utc(found) if found else None

    def set_paused(self, name: str, paused: bool, now: datetime) -> None:
        """Pause or resume a source (TW-E904 when there is none); a resumed source is due at once."""
        values: dict[str, object] = {"paused": paused}
        if not paused:
            values |= {"next_poll_at": _utc(now), "failures": 0}
        self._update(name, values)

    def remove(self, name: str) -> None:
        """Forget a source and its seen items (the reports stay); TW-E904 when there is none."""
        with write_transaction(self.engine) as conn:
            conn.execute(delete(ITEMS).where(ITEMS.c.source == name))
            if conn.execute(delete(SOURCES).where(SOURCES.c.name == name)).rowcount == 0:
                raise SourceError("TW-E904", name=name)

    def record_success(self, name: str, now: datetime, next_poll_at: datetime, *, etag: str | None,
                       last_modified: str | None, keep_validators: bool) -> None:
        """A poll that worked: failures cleared, due again at `next_poll_at`. The validators of the answer are kept
        only when every item of it was taken (`keep_validators`), else the next poll asks for the whole feed again."""
        values: dict[str, object] = {"last_polled_at": _utc(now), "last_success_at": _utc(now), "failures": 0,
                                     "next_poll_at": _utc(next_poll_at)}
        if keep_validators:
            values |= {"etag": etag, "last_modified": last_modified}
        self._update(name, values)

    def record_failure(self, name: str, now: datetime, error: str, failures: int, next_poll_at: datetime) -> None:
        self._update(name, {"last_polled_at": _utc(now), "last_error_at": _utc(now), "last_error": error,
                            "failures": failures, "next_poll_at": _utc(next_poll_at)})

    def seen(self, name: str, keys: Sequence[str]) -> set[str]:
        """Which of `keys` were already taken from source `name`."""
        found: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start:start + 500])
                found.update(conn.execute(select(ITEMS.c.item_key).where(
                    ITEMS.c.source == name, ITEMS.c.item_key.in_(chunk))).scalars())
        return found

    def mark_seen(self, name: str, items: Iterable[SeenItem], now: datetime) -> None:
        rows = [{"source": name, "item_key": i.key, "url": i.url, "status": i.status, "report_id": i.report_id,
                 "published_at": _utc(i.published_at) if i.published_at else None, "seen_at": _utc(now)}
                for i in items]
        if not rows:
            return
        with write_transaction(self.engine) as conn:
            already = {k for k, in conn.execute(select(ITEMS.c.item_key).where(
                ITEMS.c.source == name, ITEMS.c.item_key.in_([r["item_key"] for r in rows])))}
            fresh = [r for r in rows if r["item_key"] not in already]  # a second watch on the database took it too
            if fresh:
                conn.execute(insert(ITEMS), fresh)

    def _update(self, name: str, values: dict[str, object]) -> None:
        with write_transaction(self.engine) as conn:
            if conn.execute(update(SOURCES).where(SOURCES.c.name == name).values(**values)).rowcount == 0:
                raise SourceError("TW-E904", name=name)

    @staticmethod
    def _counts(conn: object, names: list[str] | None) -> dict[str, int]:
        query = select(ITEMS.c.source, func.count()).group_by(ITEMS.c.source)
        if names is not None:
            query = query.where(ITEMS.c.source.in_(names))
        return {name: count for name, count in conn.execute(query)}  # type: ignore[attr-defined]


def _source(row: RowMapping, counts: dict[str, int]) -> Source:
    times = {k: _as_utc(row[k]) if row[k] else None
             for k in ("last_polled_at", "last_success_at", "last_error_at")}
    return Source(name=row["name"], url=row["url"], kind=row["kind"], every_seconds=row["every_seconds"],
                  paused=bool(row["paused"]), added_at=_as_utc(row["added_at"]),
                  next_poll_at=_as_utc(row["next_poll_at"]), failures=row["failures"], etag=row["etag"],
                  last_modified=row["last_modified"], last_error=row["last_error"],
                  items_seen=counts.get(row["name"], 0), **times)


def _utc(at: datetime) -> datetime:
    """A time to store: in UTC."""
    return at.astimezone(UTC) if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _as_utc(at: datetime) -> datetime:
    """A time read back: SQLite's have no zone, and are UTC."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
