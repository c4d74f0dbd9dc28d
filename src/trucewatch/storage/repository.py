"""The store: records in, records out. The only module that runs SQL.

`Store.open(url)` connects to any SQLAlchemy URL (SQLite by default) and creates or upgrades the schema with the Alembic
revisions in `migrations/`. A report and its events are saved in one transaction; events are read back as a stream in
(event_date, event_id) order, a batch at a time, so an export of millions of events runs in bounded memory.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, Row, Table, bindparam, create_engine, event, func, insert, or_, select, update
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, OperationalError, SQLAlchemyError

from trucewatch.errors import IngestError, StorageError
from trucewatch.records import Claim, Event, Figure, Mention, Place, Report, Span
from trucewatch.settings import masked_url
from trucewatch.storage.schema import ClaimRow, EventRow, FigureRow, MentionRow, ProvenanceRow, ReportRow

MIGRATIONS = Path(__file__).parent / "migrations"
BATCH = 500  # events per round trip when streaming; also bounds the IN (...) lists

REPORTS: Table = ReportRow.__table__  # type: ignore[assignment]
EVENTS: Table = EventRow.__table__  # type: ignore[assignment]
MENTIONS: Table = MentionRow.__table__  # type: ignore[assignment]
FIGURES: Table = FigureRow.__table__  # type: ignore[assignment]
CLAIMS: Table = ClaimRow.__table__  # type: ignore[assignment]
PROVENANCE: Table = ProvenanceRow.__table__  # type: ignore[assignment]


class SourcedEvent(NamedTuple):
    """An event with what an export needs to know of its report."""

    event: Event
    outlet: str | None
    url: str | None
    ingested_at: datetime


class Store:
    """Reports and their coded events in a database. Use `Store.open(url)`; close it (or use `with`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        """Connect; create or upgrade the schema when `upgrade`, else insist it is current (TW-E202)."""
        if not upgrade:
            _require_sqlite_file(url)
        engine = _engine(url)
        try:
            with engine.begin() as conn:
                _bring_to_head(conn, url, upgrade)
        except (OperationalError, CommandError) as err:
            engine.dispose()
            raise StorageError("TW-E201", url=masked_url(url), detail=_first_line(err)) from err
        except StorageError:
            engine.dispose()
            raise
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing -----------------------------------------------------------------------------------------------

    def save(self, report: Report, events: Sequence[Event], at: datetime | None = None) -> bool:
        """Store a report and its events in one transaction. False if the same content (sha256) is already stored."""
        try:
            with self.engine.begin() as conn:
                if _already_stored(conn, report):
                    return False
                _insert_all(conn, report, events, at or datetime.now(timezone.utc))
        except IntegrityError as err:
            if self.has_report(report.sha256):  # stored meanwhile by another process: same content, same outcome
                return False
            raise StorageError("TW-E204", source=_name(report), detail=_first_line(err.orig)) from err
        except SQLAlchemyError as err:
            raise StorageError("TW-E204", source=_name(report), detail=_first_line(err)) from err
        return True

    def assign_incidents(self, pairs: Iterable[tuple[str, str | None]]) -> int:
        """Set the incident id of events, given (event_id, incident_id) pairs; returns how many events changed."""
        stmt = update(EVENTS).where(EVENTS.c.event_id == bindparam("e")).values(incident_id=bindparam("i"))
        rows = [{"e": event_id, "i": incident_id} for event_id, incident_id in pairs]
        if not rows:
            return 0
        with self.engine.begin() as conn:
            return conn.execute(stmt, rows).rowcount

    # --- reading -----------------------------------------------------------------------------------------------

    def has_report(self, sha256: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(REPORTS.c.report_id).where(REPORTS.c.sha256 == sha256)).first() is not None

    def get_report(self, report_id: str) -> Report | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(REPORTS).where(REPORTS.c.report_id == report_id)).first()
        return _report(row) if row else None

    def get_event(self, event_id: str) -> Event | None:
        found = self._events(EVENTS.c.event_id == event_id)
        return found[0] if found else None

    def events_of(self, report_id: str) -> list[Event]:
        """A report's events, in the order the extractor gave them."""
        return self._events(EVENTS.c.report_id == report_id)

    def iter_events(self, batch_size: int = BATCH) -> Iterator[Event]:
        """Every event in (event_date, event_id) order, undated last, fetched `batch_size` at a time."""
        for sourced in self.iter_sourced_events(batch_size):
            yield sourced.event

    def iter_sourced_events(self, batch_size: int = BATCH) -> Iterator[SourcedEvent]:
        """Like `iter_events`, with each event's outlet, URL and ingest time."""
        stmt = (
            select(EVENTS, REPORTS.c.outlet, REPORTS.c.url, REPORTS.c.ingested_at)
            .join(REPORTS, REPORTS.c.report_id == EVENTS.c.report_id)
            .order_by(EVENTS.c.event_date.asc().nulls_last(), EVENTS.c.event_id)
        )
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=batch_size).execute(stmt)
            for rows in result.partitions():
                children = _children(conn, [row.event_id for row in rows])
                for row in rows:
                    yield SourcedEvent(_event(row, children), row.outlet, row.url, row.ingested_at)

    def count_reports(self) -> int:
        return self._scalar(select(func.count()).select_from(REPORTS))

    def count_events(self, report_id: str | None = None) -> int:
        stmt = select(func.count()).select_from(EVENTS)
        if report_id is not None:
            stmt = stmt.where(EVENTS.c.report_id == report_id)
        return self._scalar(stmt)

    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def _scalar(self, stmt: Any) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def _events(self, where: Any) -> list[Event]:
        stmt = select(EVENTS).where(where).order_by(EVENTS.c.seq, EVENTS.c.event_id)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
            children = _children(conn, [row.event_id for row in rows])
        return [_event(row, children) for row in rows]


# --- schema and connections ----------------------------------------------------------------------------------


def head_revision() -> str:
    """The schema revision this trucewatch needs."""
    return _head()


def migrate(url: str) -> tuple[str | None, str]:
    """Create or upgrade the schema at `url`; returns (revision before, revision after)."""
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            before = MigrationContext.configure(conn).get_current_revision()
            _bring_to_head(conn, url, upgrade=True)
    except (OperationalError, CommandError) as err:
        raise StorageError("TW-E201", url=masked_url(url), detail=_first_line(err)) from err
    finally:
        engine.dispose()
    return before, _head()


def _engine(url: str) -> Engine:
    try:
        engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as err:
        raise StorageError("TW-E201", url=masked_url(url), detail=_first_line(err)) from err
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so DDL is transactional too.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=10000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN")


def _require_sqlite_file(url: str) -> None:
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise StorageError("TW-E201", url=masked_url(url), detail=_first_line(err)) from err
    path = parsed.database
    if parsed.get_backend_name() == "sqlite" and path and path != ":memory:" and not Path(path).exists():
        raise StorageError("TW-E201", url=masked_url(url), detail="no such database file; ingest reports first")


def _alembic_config(conn: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


@lru_cache(maxsize=1)
def _head() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "storage/migrations has no revisions"
    return head


def _bring_to_head(conn: Connection, url: str, upgrade: bool) -> None:
    current = MigrationContext.configure(conn).get_current_revision()
    if current == _head():
        return
    if current is not None and not _known(current):
        raise StorageError("TW-E203", url=masked_url(url), found=current, wanted=_head())
    if not upgrade:
        raise StorageError("TW-E202", url=masked_url(url), found=current or "none (empty database)", wanted=_head())
    command.upgrade(_alembic_config(conn), "head")


def _known(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(_alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


# --- records -> rows -----------------------------------------------------------------------------------------


def _already_stored(conn: Connection, report: Report) -> bool:
    """True if this content is stored; TW-E113 if its report id is taken by other content."""
    stmt = select(REPORTS.c.report_id, REPORTS.c.sha256).where(
        or_(REPORTS.c.sha256 == report.sha256, REPORTS.c.report_id == report.report_id))
    rows = conn.execute(stmt).all()
    if any(row.sha256 == report.sha256 for row in rows):
        return True
    if rows:
        raise IngestError("TW-E113", source=_name(report), report_id=report.report_id)
    return False


def _insert_all(conn: Connection, report: Report, events: Sequence[Event], at: datetime) -> None:
    conn.execute(insert(REPORTS), [_report_row(report, at)])
    if not events:
        return
    conn.execute(insert(EVENTS), [_event_row(e, seq) for seq, e in enumerate(events)])
    for table, rows in _child_rows(events).items():
        if rows:
            conn.execute(insert(table), rows)


def _report_row(r: Report, at: datetime) -> dict[str, Any]:
    return {"report_id": r.report_id, "sha256": r.sha256, "source": r.source, "outlet": r.outlet, "url": r.url,
            "title": r.title, "published": r.published, "published_basis": r.published_basis,
            "media_type": r.media_type, "kind": r.kind, "text": r.text, "ingested_at": at}


def _event_row(e: Event, seq: int) -> dict[str, Any]:
    p = e.place
    return {
        "event_id": e.event_id, "report_id": e.report_id, "seq": seq, "event_type": e.event_type,
        "sub_event_type": e.sub_event_type, "event_date": e.event_date, "event_date_end": e.event_date_end,
        "time_precision": e.time_precision, "actor1": e.actor1, "actor2": e.actor2,
        "location": p.name if p else None, "country": p.country if p else None, "admin1": p.admin1 if p else None,
        "admin2": p.admin2 if p else None, "latitude": p.latitude if p else None,
        "longitude": p.longitude if p else None, "geo_precision": p.geo_precision if p else None,
        "feature": p.feature if p else None, "incident_id": e.incident_id, "notes": e.notes,
    }


def _child_rows(events: Sequence[Event]) -> dict[Table, list[dict[str, Any]]]:
    rows: dict[Table, list[dict[str, Any]]] = {MENTIONS: [], FIGURES: [], CLAIMS: [], PROVENANCE: []}
    for e in events:
        rows[MENTIONS] += [_mention_row(e.event_id, i, m) for i, m in enumerate(e.mentions)]
        rows[FIGURES] += [_figure_row(e.event_id, i, f) for i, f in enumerate(e.fatalities)]
        rows[CLAIMS] += [_claim_row(e.event_id, i, c) for i, c in enumerate(e.claims)]
        rows[PROVENANCE] += [{"event_id": e.event_id, "seq": i, "field": name, "span_start": span.start,
                              "span_end": span.end} for i, (name, span) in enumerate(e.provenance)]
    return rows


def _mention_row(event_id: str, seq: int, m: Mention) -> dict[str, Any]:
    return {"event_id": event_id, "seq": seq, "sentence": m.sentence, "span_start": m.span.start,
            "span_end": m.span.end, "event_type": m.event_type, "sub_event_type": m.sub_event_type,
            "trigger": m.trigger}


def _figure_row(event_id: str, seq: int, f: Figure) -> dict[str, Any]:
    return {"event_id": event_id, "seq": seq, "low": f.low, "high": f.high, "victims": f.victims,
            "claimed_by": f.claimed_by, "surface": f.surface, "span_start": f.span.start, "span_end": f.span.end,
            "sentence": f.sentence}


def _claim_row(event_id: str, seq: int, c: Claim) -> dict[str, Any]:
    return {"event_id": event_id, "seq": seq, "claimant": c.claimant, "stance": c.stance, "about": c.about,
            "stated_on": c.stated_on, "surface": c.surface, "span_start": c.span.start, "span_end": c.span.end,
            "sentence": c.sentence}


# --- rows -> records -----------------------------------------------------------------------------------------


def _report(row: Row[Any]) -> Report:
    return Report(report_id=row.report_id, sha256=row.sha256, text=row.text, published=row.published,
                  published_basis=row.published_basis, title=row.title, outlet=row.outlet, url=row.url,
                  source=row.source, media_type=row.media_type, kind=row.kind)


def _children(conn: Connection, event_ids: list[str]) -> dict[Table, dict[str, list[Row[Any]]]]:
    """Child rows of the given events, per table, grouped by event id, in order."""
    found: dict[Table, dict[str, list[Row[Any]]]] = {}
    for table in (MENTIONS, FIGURES, CLAIMS, PROVENANCE):
        grouped: dict[str, list[Row[Any]]] = defaultdict(list)
        for start in range(0, len(event_ids), BATCH):
            chunk = event_ids[start:start + BATCH]
            stmt = select(table).where(table.c.event_id.in_(chunk)).order_by(table.c.event_id, table.c.seq)
            for row in conn.execute(stmt):
                grouped[row.event_id].append(row)
        found[table] = grouped
    return found


def _event(row: Row[Any], children: dict[Table, dict[str, list[Row[Any]]]]) -> Event:
    eid = row.event_id
    return Event(
        event_id=eid, report_id=row.report_id, event_type=row.event_type, sub_event_type=row.sub_event_type,
        event_date=row.event_date, event_date_end=row.event_date_end, time_precision=row.time_precision,
        actor1=row.actor1, actor2=row.actor2, place=_place(row), incident_id=row.incident_id, notes=row.notes,
        fatalities=tuple(Figure(low=f.low, high=f.high, victims=f.victims, claimed_by=f.claimed_by,
                                surface=f.surface, span=Span(f.span_start, f.span_end), sentence=f.sentence)
                         for f in children[FIGURES].get(eid, ())),
        claims=tuple(Claim(claimant=c.claimant, stance=c.stance, about=c.about, surface=c.surface,
                           span=Span(c.span_start, c.span_end), sentence=c.sentence, stated_on=c.stated_on)
                     for c in children[CLAIMS].get(eid, ())),
        mentions=tuple(Mention(sentence=m.sentence, span=Span(m.span_start, m.span_end), event_type=m.event_type,
                               sub_event_type=m.sub_event_type, trigger=m.trigger)
                       for m in children[MENTIONS].get(eid, ())),
        provenance=tuple((p.field, Span(p.span_start, p.span_end)) for p in children[PROVENANCE].get(eid, ())),
    )


def _place(row: Row[Any]) -> Place | None:
    if row.location is None or row.latitude is None or row.longitude is None:
        return None
    return Place(name=row.location, country=row.country, admin1=row.admin1, admin2=row.admin2,
                 latitude=row.latitude, longitude=row.longitude, geo_precision=row.geo_precision,
                 feature=row.feature)


# --- helpers -------------------------------------------------------------------------------------------------


def _name(report: Report) -> str:
    return report.source or report.report_id


def _first_line(err: object) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
