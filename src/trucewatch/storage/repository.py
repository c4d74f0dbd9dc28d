"""The store: records in, records out. The only module that runs SQL.

`connect(url)` (called once by `Database.open`) connects to any SQLAlchemy URL and creates or upgrades the schema with
the Alembic revisions in `migrations/`. A report and its events are saved in one transaction; events are read back as
a stream in (event_date, event_id) order, a batch at a time, so an export of millions of events runs in bounded
memory.

Incidents live in two places: each event's `incident_id` (the truth) and the `incidents` table, a summary per
incident kept for fast listing and filtering, rewritten by `save_incidents` whenever resolution touches the incident.
Monitors' overrides are only ever added (`add_override`), never changed.
"""
from __future__ import annotations

import random
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar, overload
from zoneinfo import ZoneInfo

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import (
    Engine,
    Row,
    Table,
    and_,
    bindparam,
    case,
    create_engine,
    delete,
    event,
    exists,
    false,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)

from trucewatch.errors import IngestError, StorageError
from trucewatch.pipeline.digest import IncidentDigest, decode, encode
from trucewatch.pipeline.resolve import DAY_TOLERANCE, HALF_WIDTH
from trucewatch.records import (
    Agreement,
    Claim,
    Commitment,
    Event,
    Figure,
    IncidentFilter,
    IncidentSummary,
    Mention,
    Override,
    Party,
    Place,
    Report,
    SourcedEvent,
    Span,
)
from trucewatch.settings import masked_url
from trucewatch.storage.schema import (
    AgreementCommitmentRow,
    AgreementPartyRow,
    AgreementRow,
    ClaimRow,
    EventRow,
    FigureRow,
    IncidentDigestRow,
    IncidentRow,
    MentionRow,
    OverrideRow,
    ProvenanceRow,
    ReportRow,
)
from trucewatch.storage.stories import record_story, stories_of

MIGRATIONS = Path(__file__).parent / "migrations"
WRITE_WAIT_SECONDS = 120.0  # how long a writer waits in all for the writer lock before TW-E205
BATCH = 500  # events per round trip when streaming; also bounds the IN (...) lists
KNOWN_ROWS = 20_000  # events, reports and stories kept in memory as summaries read them (`Known`)
V = TypeVar("V")

REPORTS: Table = ReportRow.__table__  # type: ignore[assignment]
EVENTS: Table = EventRow.__table__  # type: ignore[assignment]
MENTIONS: Table = MentionRow.__table__  # type: ignore[assignment]
FIGURES: Table = FigureRow.__table__  # type: ignore[assignment]
CLAIMS: Table = ClaimRow.__table__  # type: ignore[assignment]
PROVENANCE: Table = ProvenanceRow.__table__  # type: ignore[assignment]
INCIDENTS: Table = IncidentRow.__table__  # type: ignore[assignment]
DIGESTS: Table = IncidentDigestRow.__table__  # type: ignore[assignment]
OVERRIDES: Table = OverrideRow.__table__  # type: ignore[assignment]
AGREEMENTS: Table = AgreementRow.__table__  # type: ignore[assignment]
AGREEMENT_PARTIES: Table = AgreementPartyRow.__table__  # type: ignore[assignment]
AGREEMENT_COMMITMENTS: Table = AgreementCommitmentRow.__table__  # type: ignore[assignment]
ROLES = ("party", "guarantor", "mediator")
NEAR_DAYS = 35  # how far in time `events_near` looks around the days asked for
NEAR_DEGREES = 1.5  # and how far in latitude and longitude, for events of another (or no) province
# How far in latitude and longitude two points can be one happening: resolve.NEAR_KM (40 km) is 0.36° of latitude
# and, at 38° N, the north of the region, 0.46° of longitude.
POINT_DEGREES = 0.5
# appends a write's audit-log entries in its transaction (storage/audit_log.py: recorder)
AuditHook = Callable[[Connection], object]


class Kept(Generic[V]):
    """Values by id, the least recently used going first past `limit`. The web app's threads share one store, so
    each call holds a lock (a value looked up by one thread could otherwise be dropped by another before it moves)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept: OrderedDict[str, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def keep(self, items: Iterable[tuple[str, V]]) -> None:
        with self._lock:
            for key, value in items:
                self._kept[key] = value
                self._kept.move_to_end(key)
            while len(self._kept) > self.limit:
                self._kept.popitem(last=False)


@dataclass
class Known:
    """What an incident's summary reads, kept between a process's transactions. Once stored, an event's row and its
    child rows, a report's row and its story never change (an event's incident does, and is read afresh every time),
    so the members of an incident that report after report joins are read from the database once, then only the new
    ones. A transaction's reads are kept only once it commits (`Store.writing`): a row whose storing was rolled back
    is never kept."""

    events: Kept[Event] = field(default_factory=lambda: Kept(KNOWN_ROWS))  # with figures and claims only
    reports: Kept[Report] = field(default_factory=lambda: Kept(KNOWN_ROWS))  # without their texts
    stories: Kept[str] = field(default_factory=lambda: Kept(KNOWN_ROWS))


class Store:
    """Reports and their coded events, incidents, overrides and agreements: a view over an open `Database`
    (`db.reports`); it never opens or closes the database itself."""

    def __init__(self, engine: Engine, conn: Connection | None = None, known: Known | None = None) -> None:
        self.engine = engine
        self.conn = conn  # set on the store that `writing` yields: every call is part of that one transaction
        self.known = known if known is not None else Known()
        self._read_here: list[tuple[Kept[Any], list[tuple[str, Any]]]] = []  # kept when its transaction commits

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """This store bound to one write transaction: every call on the store it yields reads and writes inside it,
        and it commits when the block ends (rolls back if it raises). On SQLite the transaction begins with BEGIN
        IMMEDIATE, so it holds the one writer's lock from its first read: what it reads cannot change under it
        (`write_transaction`). Inside a bound store, `writing` yields the store itself."""
        if self.conn is not None:
            yield self
            return
        with write_transaction(self.engine) as conn:
            bound = Store(self.engine, conn, self.known)
            yield bound
        for kept, items in bound._read_here:  # committed: what it read exists as read
            kept.keep(items)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Within `writing`: a part that, if it raises, is undone alone, leaving the rest of the transaction."""
        if self.conn is None:
            raise RuntimeError("Store.savepoint needs a store bound by Store.writing")
        with self.conn.begin_nested():
            yield

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        if self.conn is not None:
            yield self.conn
        else:
            with write_transaction(self.engine) as conn:
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        if self.conn is not None:
            yield self.conn
        else:
            with self.engine.connect() as conn:
                yield conn

    # --- writing -----------------------------------------------------------------------------------------------

    def save(self, report: Report, events: Sequence[Event], at: datetime | None = None,
             audit: AuditHook | None = None) -> bool:
        """Store a report and its events in one transaction (with `audit`'s log entries). False if the same content
        (sha256) is already stored."""
        try:
            with self._write() as conn:
                if _already_stored(conn, report):
                    return False
                _insert_all(conn, report, events, at or datetime.now(UTC))
                if audit is not None:
                    audit(conn)
        except IntegrityError as err:
            # stored meanwhile by another process (asked of what is committed, outside this transaction)?
            if Store(self.engine).has_report(report.sha256):
                return False
            raise StorageError("TW-E204", source=_name(report), detail=_first_line(err.orig)) from err
        except SQLAlchemyError as err:
            raise StorageError("TW-E204", source=_name(report), detail=_first_line(err)) from err
        return True

    def versioned(self, report: Report) -> Report:
        """The report as it is to be stored: itself when its id is free or holds this very content; else a revision of
        the stored report, with id `ID~<first 8 hex digits of its SHA-256>` and `revision_of` = ID. Ask before coding
        its events: their ids derive from the report id."""
        with self._read() as conn:
            stored = conn.execute(select(REPORTS.c.sha256, REPORTS.c.revision_of)
                                  .where(REPORTS.c.report_id == report.report_id)).first()
        if stored is None or stored.sha256 == report.sha256:
            return report
        original = stored.revision_of or report.report_id
        return replace(report, report_id=f"{original}~{report.sha256[:8]}", revision_of=original)

    def add_override(self, override: Override, audit: AuditHook | None = None) -> Override:
        """Record a monitor's decision (with `audit`'s log entries); returns it with its `override_id`. Overrides are
        never changed or deleted."""
        row = {"kind": override.kind, "event_id": override.event_id, "target_event_id": override.target_event_id,
               "by": override.by, "at": _as_utc(override.at), "note": override.note}
        with self._write() as conn:
            key = _new_key(conn.execute(insert(OVERRIDES), [row]).inserted_primary_key)
            if audit is not None:
                audit(conn)
        return replace(override, override_id=key)

    def save_incidents(self, incidents: Iterable[tuple[IncidentSummary, Sequence[str]]],
                       digests: Mapping[str, IncidentDigest] | None = None) -> int:
        """Write (or rewrite) these incidents' summaries and set `incident_id` of their events (each summary comes
        with the ids of its events: `trucewatch.pipeline.incident.summarised`), in one transaction; returns how many
        incidents were written. A rewritten incident's stored digest goes with its old row; `digests` are kept in
        its place (`resolve_new` gives them; a full rewrite gives none, and the next join makes them again)."""
        rows, members = [], []
        for summary, event_ids in incidents:
            rows.append(_incident_row(replace(summary, updated_at=_as_utc(summary.updated_at or datetime.now(UTC)))))
            members += [{"e": event_id, "i": summary.incident_id} for event_id in event_ids]
        if not rows:
            return 0
        assign = update(EVENTS).where(EVENTS.c.event_id == bindparam("e")).values(incident_id=bindparam("i"))
        written = {row["incident_id"] for row in rows}
        kept = [{"incident_id": i, "digest": encode(d)} for i, d in (digests or {}).items() if i in written]
        with self._write() as conn:
            for chunk in _chunks(sorted(written)):
                # The digests go first. The foreign key would take them with their rows, but a row deleted outside
                # trucewatch (SQLite keeps foreign keys off unless asked) leaves its digest behind.
                conn.execute(delete(DIGESTS).where(DIGESTS.c.incident_id.in_(chunk)))
                conn.execute(delete(INCIDENTS).where(INCIDENTS.c.incident_id.in_(chunk)))
            conn.execute(insert(INCIDENTS), rows)
            if kept:
                conn.execute(insert(DIGESTS), kept)
            if members:
                conn.execute(assign, members)
        return len(rows)

    def incident_digests(self, ids: Collection[str]) -> dict[str, IncidentDigest]:
        """The stored digests of these incidents (`trucewatch.pipeline.digest`). An incident without one (never
        joined since its last rewrite, or stored in another layout) is not in the result, nor is one whose digest
        counts other than its events now (rows changed outside trucewatch, as `incident_mismatches` finds stale
        rows): its digest is made again."""
        members = (select(func.count()).select_from(EVENTS).where(EVENTS.c.incident_id == DIGESTS.c.incident_id)
                   .scalar_subquery())
        found: dict[str, IncidentDigest] = {}
        with self._read() as conn:
            for chunk in _chunks(sorted(ids)):
                for incident_id, text, n_events in conn.execute(
                        select(DIGESTS.c.incident_id, DIGESTS.c.digest, members)
                        .where(DIGESTS.c.incident_id.in_(chunk))):
                    if (digest := decode(text)) is not None and digest.n_events == n_events:
                        found[incident_id] = digest
        return found

    def drop_incidents(self, ids: Iterable[str] | None = None) -> int:
        """Remove the summaries of incidents that no longer have any event: of these ids, or of all when None.
        A summary whose incident still has events is kept. Returns how many were removed."""
        orphan = ~exists().where(EVENTS.c.incident_id == INCIDENTS.c.incident_id)
        chunks = [None] if ids is None else _chunks(list(ids))
        removed = 0
        with self._write() as conn:
            for chunk in chunks:
                stmt = delete(INCIDENTS).where(orphan)
                if chunk is not None:
                    stmt = stmt.where(INCIDENTS.c.incident_id.in_(chunk))
                removed += conn.execute(stmt).rowcount
        return removed

    def assign_incidents(self, pairs: Iterable[tuple[str, str | None]]) -> int:
        """Set the incident id of events, given (event_id, incident_id) pairs; returns how many events changed."""
        stmt = update(EVENTS).where(EVENTS.c.event_id == bindparam("e")).values(incident_id=bindparam("i"))
        rows = [{"e": event_id, "i": incident_id} for event_id, incident_id in pairs]
        if not rows:
            return 0
        with self._write() as conn:
            return conn.execute(stmt, rows).rowcount

    def save_agreements(self, agreements: Iterable[Agreement], at: datetime | None = None,
                        audit: AuditHook | None = None) -> dict[str, str]:
        """Write agreements, each replacing the stored one of its id with its parties and commitments, in one
        transaction (with `audit`'s log entries, when anything was written). Returns each id's status: "added",
        "updated", or "unchanged" (nothing written)."""
        at = _as_utc(at or datetime.now(UTC))
        statuses: dict[str, str] = {}
        with self._write() as conn:
            for agreement in agreements:
                stored = _read_agreements(conn, AGREEMENTS.c.agreement_id == agreement.agreement_id)
                if stored and stored[0] == agreement:
                    statuses[agreement.agreement_id] = "unchanged"
                    continue
                _delete_agreement(conn, agreement.agreement_id)
                _insert_agreement(conn, agreement, at)
                statuses[agreement.agreement_id] = "updated" if stored else "added"
            if audit is not None and set(statuses.values()) - {"unchanged"}:
                audit(conn)
        return statuses

    def remove_agreement(self, agreement_id: str, audit: AuditHook | None = None) -> list[str] | None:
        """Remove an agreement, and its id from the `supersedes` of every other, in one transaction (with `audit`'s
        log entries). Returns the ids of the agreements whose `supersedes` changed, or None if there was no such
        agreement."""
        with self._write() as conn:
            every = _read_agreements(conn)
            if not any(a.agreement_id == agreement_id for a in every):
                return None
            changed = []
            for other in every:
                if agreement_id in other.supersedes:
                    supersedes = tuple(s for s in other.supersedes if s != agreement_id)
                    conn.execute(update(AGREEMENTS).where(AGREEMENTS.c.agreement_id == other.agreement_id)
                                 .values(supersedes="\n".join(supersedes)))
                    changed.append(other.agreement_id)
            _delete_agreement(conn, agreement_id)
            if audit is not None:
                audit(conn)
        return changed

    # --- reading -----------------------------------------------------------------------------------------------

    def has_report(self, sha256: str) -> bool:
        with self._read() as conn:
            return conn.execute(select(REPORTS.c.report_id).where(REPORTS.c.sha256 == sha256)).first() is not None

    def get_report(self, report_id: str) -> Report | None:
        with self._read() as conn:
            row = conn.execute(select(REPORTS).where(REPORTS.c.report_id == report_id)).first()
        return _report(row) if row else None

    def reports(self, ids: Iterable[str], *, with_text: bool = True) -> dict[str, Report]:
        """The stored reports of these ids, by id; ids not stored are left out. `with_text=False` leaves each text
        empty (a report's text is most of its row: an incident's sources need only who, when and where)."""
        found: dict[str, Report] = {}
        wanted = list(dict.fromkeys(ids))
        if not with_text:
            found = {i: r for i in wanted if (r := self.known.reports.get(i)) is not None}
            wanted = [i for i in wanted if i not in found]
        columns = [c for c in REPORTS.c if with_text or c.name != "text"]
        read: list[tuple[str, Report]] = []
        with self._read() as conn:
            for chunk in _chunks(wanted):
                read += [(row.report_id, _report(row))
                         for row in conn.execute(select(*columns).where(REPORTS.c.report_id.in_(chunk)))]
        if not with_text:
            self._remember(self.known.reports, read)
        found.update(read)
        return found

    def stories(self, report_ids: Iterable[str]) -> dict[str, str]:
        """Each report's story: the first stored report it is a copy of, else itself (`pipeline.stories`). Reports
        without a recorded story are left out."""
        wanted = list(dict.fromkeys(report_ids))
        found = {i: story for i in wanted if (story := self.known.stories.get(i)) is not None}
        with self._read() as conn:
            read = stories_of(conn, [i for i in wanted if i not in found])
        self._remember(self.known.stories, list(read.items()))
        return found | read

    def get_event(self, event_id: str) -> Event | None:
        found = self._events(EVENTS.c.event_id == event_id)
        return found[0] if found else None

    def events_of(self, report_id: str) -> list[Event]:
        """A report's events, in the order the extractor gave them."""
        return self._events(EVENTS.c.report_id == report_id)

    def events_of_incident(self, incident_id: str) -> list[Event]:
        """An incident's events in (event_date, event_id) order; empty for an unknown incident."""
        return self.events_of_incidents([incident_id]).get(incident_id, [])

    def events_near(self, first: date, last: date, country: str | None, admin1: str | None, lat: float | None,
                    lon: float | None, *, with_children: bool = True, point_in: str | None = None,
                    decided: Collection[str] = (),
                    fitting: tuple[str | None, Collection[str]] | None = None) -> list[Event]:
        """Events that resolution might join to an event of these days and this place: dated within NEAR_DAYS of
        [first, last], and in the same country and province or within NEAR_DEGREES of (lat, lon). Undated events and
        events without a place are never near anything. `with_children=False` leaves out figures, claims, mentions
        and provenance (the event's own columns are enough to compare it), which is much faster.

        `point_in` (the district, or "" when unknown) says the event asked about is at a point, a town or near one
        (ACLED precision 1 or 2). Such an event can only be one happening with a point within reach (`resolve`'s
        NEAR_KM: the box shrinks to POINT_DEGREES), an event of its district, or a province-only account of an
        incident with no point of its own (an incident with a point is found by that point): so of the rest of
        the province, only those are read. A big province's other happenings are not. An incident holding a `decided`
        event (a monitor's override, which holds no account to its place) counts as having no point.

        `fitting` (`pipeline.resolve.fitting_types` of the event asked about: an event type any of whose sub-types
        fits, and the sub-types that fit) leaves out events of a type that cannot be one happening with it, but
        `decided` ones: every account of an incident the event may join fits its type."""
        kinds = true() if fitting is None else or_(
            EVENTS.c.event_type == fitting[0] if fitting[0] else false(),
            EVENTS.c.sub_event_type.in_(list(fitting[1])), EVENTS.c.event_id.in_(list(decided)))
        if point_in is not None and country is not None and admin1 is not None and lat is not None \
                and lon is not None:
            return self._events(and_(_days_within_reach(first, last), kinds,
                                     _within_reach_of_point(country, admin1, point_in, lat, lon, decided)),
                                by_date=True, with_children=with_children)
        areas: list[Any] = []
        if country is not None and admin1 is not None:
            areas.append(and_(EVENTS.c.country == country, EVENTS.c.admin1 == admin1))
        if lat is not None and lon is not None:
            areas.append(and_(EVENTS.c.latitude.between(lat - NEAR_DEGREES, lat + NEAR_DEGREES),
                              EVENTS.c.longitude.between(lon - NEAR_DEGREES, lon + NEAR_DEGREES)))
        if not areas:
            return []
        return self._events(and_(_days_within_reach(first, last), kinds, or_(*areas)), by_date=True,
                            with_children=with_children)

    def events_of_incidents(self, incident_ids: Iterable[str], *, with_children: bool = True,
                            only_figures_and_claims: bool = False) -> dict[str, list[Event]]:
        """The events of each of these incidents, by incident id, each list in (event_date, event_id) order
        (`with_children` as for `events_near`; `only_figures_and_claims`: of the child rows, only what an incident's
        summary reads, not mentions and provenance)."""
        if only_figures_and_claims and with_children:
            return self._summary_events_of_incidents(incident_ids)
        found: dict[str, list[Event]] = {}
        tables = (FIGURES, CLAIMS) if only_figures_and_claims else CHILD_TABLES
        for chunk in _chunks(list(dict.fromkeys(incident_ids))):
            for e in self._events(EVENTS.c.incident_id.in_(chunk), by_date=True, with_children=with_children,
                                  tables=tables):
                found.setdefault(e.incident_id or "", []).append(e)
        return found

    def _summary_events_of_incidents(self, incident_ids: Iterable[str]) -> dict[str, list[Event]]:
        """`events_of_incidents(..., only_figures_and_claims=True)`: the members' ids and incidents read from the
        database, their events from `known` where it has them (a big incident's hundreds), the rest read whole."""
        found: dict[str, list[Event]] = {}
        order = (EVENTS.c.event_date.asc().nulls_last(), EVENTS.c.event_id)
        for chunk in _chunks(list(dict.fromkeys(incident_ids))):
            with self._read() as conn:
                members = conn.execute(select(EVENTS.c.event_id, EVENTS.c.incident_id)
                                       .where(EVENTS.c.incident_id.in_(chunk)).order_by(*order)).all()
            events = {event_id: e for event_id, _ in members if (e := self.known.events.get(event_id)) is not None}
            for missing in _chunks([event_id for event_id, _ in members if event_id not in events]):
                read = [(e.event_id, e) for e in self._events(EVENTS.c.event_id.in_(missing), tables=(FIGURES, CLAIMS))]
                self._remember(self.known.events, read)
                events.update(read)
            for event_id, incident_id in members:
                member = events[event_id]
                if member.incident_id != incident_id:
                    member = replace(member, incident_id=incident_id)
                found.setdefault(incident_id, []).append(member)
        return found

    def _remember(self, kept: Kept[V], items: list[tuple[str, V]]) -> None:
        if self.conn is None:
            kept.keep(items)  # read outside any transaction: committed
        else:
            self._read_here.append((kept, items))

    def incident_accounts(self, incident_ids: Iterable[str], keep: Collection[str] = ()) -> list[Event]:
        """What resolution compares of these incidents' events, without reading each of a big incident's hundreds:
        the events of reports that have one event in their incident are read as their distinct (incident, date,
        precision, place, type, actors) — one stand-in event per distinct value, with an id and report id of its
        own (`incident~n`) — and the events of reports with several events in one incident, and those named in
        `keep` (a monitor's overrides), are read whole, without child rows."""
        found: list[Event] = []
        columns = [EVENTS.c[name] for name in ACCOUNT_COLUMNS]
        for chunk in _chunks(list(dict.fromkeys(incident_ids))):
            accounts = (select(EVENTS.c.incident_id, EVENTS.c.report_id, func.count().label("n"))
                        .where(EVENTS.c.incident_id.in_(chunk))
                        .group_by(EVENTS.c.incident_id, EVENTS.c.report_id).subquery())
            joined = EVENTS.join(accounts, and_(EVENTS.c.incident_id == accounts.c.incident_id,
                                                EVENTS.c.report_id == accounts.c.report_id))
            kept = EVENTS.c.event_id.in_(list(keep)) if keep else false()
            whole = select(EVENTS).select_from(joined).where(or_(accounts.c.n > 1, kept)).order_by(EVENTS.c.event_id)
            alike = (select(*columns).select_from(joined).where(accounts.c.n == 1, ~kept).distinct()
                     .order_by(*columns))
            with self._read() as conn:
                found += [_event(row, _NO_CHILDREN) for row in conn.execute(whole)]
                found += [_stand_in(row, number) for number, row in enumerate(conn.execute(alike))]
        return found

    def overrides(self) -> list[Override]:
        """Every monitor's override, oldest first."""
        stmt = select(OVERRIDES).order_by(OVERRIDES.c.at, OVERRIDES.c.override_id)
        with self._read() as conn:
            return [Override(kind=row.kind, event_id=row.event_id, target_event_id=row.target_event_id, by=row.by,
                             at=_utc(row.at), note=row.note, override_id=row.override_id)
                    for row in conn.execute(stmt)]

    def agreements(self) -> list[Agreement]:
        """Every stored agreement, by start, then id."""
        with self._read() as conn:
            return _read_agreements(conn)

    def get_agreement(self, agreement_id: str) -> Agreement | None:
        with self._read() as conn:
            found = _read_agreements(conn, AGREEMENTS.c.agreement_id == agreement_id)
        return found[0] if found else None

    def list_incidents(self, filters: IncidentFilter | None = None, limit: int | None = None,
                       offset: int = 0) -> list[IncidentSummary]:
        """Incident summaries matching `filters`, in (first_date, incident_id) order, undated last."""
        stmt = (select(INCIDENTS).where(*_incident_where(filters or IncidentFilter()))
                .order_by(INCIDENTS.c.first_date.asc().nulls_last(), INCIDENTS.c.incident_id)
                .limit(limit).offset(offset or None))
        with self._read() as conn:
            return [_summary(row) for row in conn.execute(stmt)]

    def count_incidents(self, filters: IncidentFilter | None = None) -> int:
        return self._scalar(select(func.count()).select_from(INCIDENTS)
                            .where(*_incident_where(filters or IncidentFilter())))

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
        with self._read() as conn:
            result = conn.execute(stmt, execution_options={"yield_per": batch_size})
            for rows in result.partitions():
                children = _children(conn, [row.event_id for row in rows])
                for row in rows:
                    yield SourcedEvent(_event(row, children), row.outlet, row.url, row.ingested_at)

    def has_loose_events(self) -> bool:
        """Whether any event is in no incident (one look-up in the index on `incident_id`)."""
        with self._read() as conn:
            return conn.execute(select(EVENTS.c.event_id).where(EVENTS.c.incident_id.is_(None)).limit(1)).first() \
                is not None

    def loose_events(self) -> list[Event]:
        """The events that are in no incident."""
        return self._events(EVENTS.c.incident_id.is_(None), by_date=True)

    def incident_mismatches(self) -> dict[str, list[str]]:
        """Incident rows that disagree with their events: `ghost` (a row whose incident has no event), `stale` (a row
        whose event count is not its events'), `missing` (events' incident with no row). One pass over the events."""
        counted = (select(EVENTS.c.incident_id, func.count().label("n")).where(EVENTS.c.incident_id.is_not(None))
                   .group_by(EVENTS.c.incident_id).subquery())
        rows = select(INCIDENTS.c.incident_id, INCIDENTS.c.n_events, counted.c.n).outerjoin(
            counted, counted.c.incident_id == INCIDENTS.c.incident_id)
        missing = select(counted.c.incident_id).outerjoin(
            INCIDENTS, INCIDENTS.c.incident_id == counted.c.incident_id).where(INCIDENTS.c.incident_id.is_(None))
        found: dict[str, list[str]] = {"ghost": [], "stale": [], "missing": []}
        with self._read() as conn:
            for row in conn.execute(rows):
                if row.n is None:
                    found["ghost"].append(row.incident_id)
                elif row.n != row.n_events:
                    found["stale"].append(row.incident_id)
            found["missing"] = sorted(conn.execute(missing).scalars())
        return found

    def count_reports(self) -> int:
        return self._scalar(select(func.count()).select_from(REPORTS))

    def count_events(self, report_id: str | None = None) -> int:
        stmt = select(func.count()).select_from(EVENTS)
        if report_id is not None:
            stmt = stmt.where(EVENTS.c.report_id == report_id)
        return self._scalar(stmt)

    def schema_revision(self) -> str | None:
        with self._read() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def _scalar(self, stmt: Any) -> int:
        with self._read() as conn:
            return int(conn.execute(stmt).scalar_one())

    def _events(self, where: Any, by_date: bool = False, with_children: bool = True,
                tables: Sequence[Table] | None = None) -> list[Event]:
        order = (EVENTS.c.event_date.asc().nulls_last(),) if by_date else (EVENTS.c.seq,)
        stmt = select(EVENTS).where(where).order_by(*order, EVENTS.c.event_id)
        with self._read() as conn:
            rows = conn.execute(stmt).all()
            children = _children(conn, [row.event_id for row in rows], tables or CHILD_TABLES) if with_children \
                else _NO_CHILDREN
        return [_event(row, children) for row in rows]


# --- schema and connections ----------------------------------------------------------------------------------


def head_revision() -> str:
    """The schema revision this trucewatch needs."""
    return _head()



def connect(url: str, *, upgrade: bool = True) -> Engine:
    """An engine on `url` with its schema checked: created or upgraded when `upgrade`, else required current (TW-E202);
    TW-E201 when the database cannot be reached or is not a (whole) database. `Database.open` calls it, once per
    caller. Creating the schema is a write transaction (BEGIN IMMEDIATE on SQLite): two processes creating it at once
    take turns, and the second finds it made."""
    if not upgrade:
        _require_sqlite_file(url)
    _require_whole_sqlite_file(url)
    engine = _engine(url)
    try:
        with write_transaction(engine) if upgrade else engine.begin() as conn:
            _bring_to_head(conn, url, upgrade)
    except (DatabaseError, CommandError) as err:
        engine.dispose()
        raise StorageError("TW-E201", url=masked_url(url), detail=_broken(err)) from err
    except StorageError:
        engine.dispose()
        raise
    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction, committed when the block ends (rolled back if it raises). On SQLite it begins with
    BEGIN IMMEDIATE, which takes the database's one writer lock at once (waiting up to the busy timeout), so a
    transaction never reads, then finds it cannot write ("database is locked" mid-way); when the lock stays taken
    (a long `trucewatch resolve` in another process), it tries again after a random pause, for up to
    `WRITE_WAIT_SECONDS` in all, then gives TW-E205."""
    deadline = time.monotonic() + WRITE_WAIT_SECONDS
    while True:
        conn = engine.connect()
        try:
            conn.execution_options(trucewatch_write=True)
            transaction = conn.begin()
            _postgresql_writers_take_turns(conn)
            break
        except OperationalError as err:
            conn.close()
            if not _busy(err):
                raise
            if time.monotonic() >= deadline:
                raise StorageError("TW-E205", url=masked_url(str(engine.url)),
                                   seconds=WRITE_WAIT_SECONDS) from err
            time.sleep(random.uniform(0.05, 0.5))  # jitter: waiting writers do not wake together
    with conn, transaction:
        yield conn


WRITER_LOCK = 0x7472_7563_6577  # PostgreSQL advisory lock key of trucewatch's writers ("trucew")


def _postgresql_writers_take_turns(conn: Connection) -> None:
    """On PostgreSQL, what BEGIN IMMEDIATE does on SQLite: one writer at a time, from its first read (a transaction
    advisory lock, released at commit or rollback), so a write never acts on what another changes meanwhile (ingest's
    neighbourhood, a merge's incidents). Waits up to `WRITE_WAIT_SECONDS` (then "lock timeout": TW-E205)."""
    if conn.dialect.name != "postgresql":
        return
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(WRITE_WAIT_SECONDS)}s'")
    conn.execute(select(func.pg_advisory_xact_lock(WRITER_LOCK)))


def _busy(err: OperationalError) -> bool:
    text = str(err.orig).lower()
    return "locked" in text or "busy" in text or "lock timeout" in text


def _broken(err: Exception) -> str:
    """The database's reason, with what to do when the file is not a database or is damaged."""
    detail = _first_line(getattr(err, "orig", None) or err)
    if any(word in detail for word in ("not a database", "malformed", "truncated")):
        return f"{detail} (not a whole trucewatch database: name the right file, or restore it from a backup)"
    return detail


def migrate(url: str) -> tuple[str | None, str]:
    """Create or upgrade the schema at `url`; returns (revision before, revision after)."""
    engine = _engine(url)
    try:
        with write_transaction(engine) as conn:
            before = MigrationContext.configure(conn).get_current_revision()
            _bring_to_head(conn, url, upgrade=True)
    except (DatabaseError, CommandError) as err:
        raise StorageError("TW-E201", url=masked_url(url), detail=_broken(err)) from err
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
    # the busy timeout first: switching a new file to WAL takes a lock another process may hold
    for pragma in ("busy_timeout=10000", "foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # Writes (`write_transaction`) take the writer lock at BEGIN; reads stay deferred and never wait for a writer.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("trucewatch_write") else "BEGIN")


def _require_whole_sqlite_file(url: str) -> None:
    """TW-E201 for an SQLite file shorter than its own header says (a copy cut short), which SQLite itself notices
    only when a query reaches a missing page. A file with a write-ahead log beside it is left to SQLite."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return
    path = Path(parsed.database or "")
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:" \
            or not path.is_file() or Path(f"{path}-wal").exists():
        return
    with path.open("rb") as f:
        header = f.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return  # not SQLite at all, or empty: SQLite says so (an empty file is a new database)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages, valid_for, changes = (int.from_bytes(header[i:i + 4], "big") for i in (28, 92, 24))
    if valid_for == changes and pages and path.stat().st_size < pages * page_size:
        raise StorageError("TW-E201", url=masked_url(url),
                           detail=_broken(ValueError(f"truncated: {path.stat().st_size} bytes of "
                                                     f"{pages * page_size}")))


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


def _within_reach_of_point(country: str, admin1: str, admin2: str, lat: float, lon: float,
                           decided: Collection[str]) -> Any:
    """The places `events_near` reads for an event at a point (see there)."""
    box = and_(EVENTS.c.latitude.between(lat - POINT_DEGREES, lat + POINT_DEGREES),
               EVENTS.c.longitude.between(lon - POINT_DEGREES, lon + POINT_DEGREES))
    province = and_(EVENTS.c.country == country, EVENTS.c.admin1 == admin1)
    district = and_(province, EVENTS.c.admin2 == admin2) if admin2 else false()
    without_point = or_(EVENTS.c.geo_precision.is_(None), EVENTS.c.geo_precision >= 3, EVENTS.c.latitude.is_(None))
    pointless = select(INCIDENTS.c.incident_id).where(or_(
        INCIDENTS.c.geo_precision.is_(None), INCIDENTS.c.geo_precision >= 3, INCIDENTS.c.latitude.is_(None)))
    open_incident = or_(EVENTS.c.incident_id.is_(None), EVENTS.c.incident_id.in_(pointless))
    if decided:  # a monitor's decision holds no account to its place: its incident may have no other point
        chosen = EVENTS.alias("chosen")
        open_incident = or_(open_incident, EVENTS.c.incident_id.in_(
            select(chosen.c.incident_id).where(chosen.c.event_id.in_(list(decided)))))
    return or_(box, district, and_(province, without_point, open_incident))


def _days_within_reach(first: date, last: date) -> Any:
    """Events whose possible days (`pipeline.resolve.day_range`: a day, a stated range, or the week or month an
    imprecise date allows) come within DAY_TOLERANCE of [first, last], the possible days of the event asked about:
    no other event can be its happening. Bounded by NEAR_DAYS on the start date, so the date index serves it."""
    lo, hi = first - timedelta(days=DAY_TOLERANCE), last + timedelta(days=DAY_TOLERANCE)
    start, end, precision = EVENTS.c.event_date, EVENTS.c.event_date_end, EVENTS.c.time_precision

    def widened(days: int) -> Any:
        return start.between(lo - timedelta(days=days), hi + timedelta(days=days))

    stated = and_(end.is_not(None), end >= start)
    by_precision = or_(*(and_(precision == p, widened(half)) for p, half in HALF_WIDTH.items()),
                       and_(precision.not_in(list(HALF_WIDTH)), widened(0)))
    return and_(start.between(lo - timedelta(days=NEAR_DAYS), hi + timedelta(days=max(HALF_WIDTH.values()))),
                or_(and_(stated, start <= hi, end >= lo), and_(~stated, by_precision)))


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
    record_story(conn, report.report_id, report.text)
    if not events:
        return
    conn.execute(insert(EVENTS), [_event_row(e, seq) for seq, e in enumerate(events)])
    for table, rows in _child_rows(events).items():
        if rows:
            conn.execute(insert(table), rows)


def _report_row(r: Report, at: datetime) -> dict[str, Any]:
    return {"report_id": r.report_id, "sha256": r.sha256, "source": r.source, "outlet": r.outlet, "url": r.url,
            "title": r.title, "published": r.published, "published_basis": r.published_basis,
            "media_type": r.media_type, "kind": r.kind, "text": r.text, "ingested_at": at,
            "revision_of": r.revision_of}


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
    span = c.content_span
    return {"event_id": event_id, "seq": seq, "claimant": c.claimant, "stance": c.stance, "about": c.about,
            "stated_on": c.stated_on, "surface": c.surface, "span_start": c.span.start, "span_end": c.span.end,
            "sentence": c.sentence, "content": c.content or None, "content_start": span.start if span else None,
            "content_end": span.end if span else None, "figure": c.figure}


def _claim(row: Row[Any]) -> Claim:
    """A stored claim; one stored before its content was coded (migration 0007) has none: content ""."""
    span = Span(row.content_start, row.content_end) \
        if row.content_start is not None and row.content_end is not None else None
    return Claim(claimant=row.claimant, stance=row.stance, about=row.about, surface=row.surface,
                 span=Span(row.span_start, row.span_end), sentence=row.sentence, stated_on=row.stated_on,
                 content=row.content or "", content_span=span, figure=row.figure)


def _incident_row(s: IncidentSummary) -> dict[str, Any]:
    row = {name: getattr(s, name) for name in IncidentSummary.__dataclass_fields__}
    row["reasons"] = "\n".join(s.reasons)
    return row


def _incident_where(f: IncidentFilter) -> list[Any]:
    c = INCIDENTS.c
    where = common_where(c, f, first=c.first_date, last=c.last_date)
    if f.date_from is not None:
        where.append(c.first_date >= _earliest_start(f.date_from))
    if f.contested is not None:
        where.append(c.contested == f.contested)
    return where


def _earliest_start(day: date) -> Any:
    """The first day of the earliest incident that reaches `day` (`day` itself when none began before it): a bound
    that keeps the same incidents as "last day >= `day`", but lets the database read the (first_date, id) order from
    there instead of from the first incident ever recorded (0.5 s a filtered page at a million events). Only the few
    incidents that span days can begin before `day` and reach it; the partial index `ix_incidents_spans` holds just
    those (migration 0011_list_indexes)."""
    spans = INCIDENTS.alias("spans")
    # min() of an expression, not of the bare column: SQLite would otherwise walk the whole (first_date) index
    # looking for the first spanning incident, instead of reading the few in the partial index
    began = (select(func.min(func.coalesce(spans.c.first_date, day)))
             .where(spans.c.last_date > spans.c.first_date, spans.c.last_date >= day).scalar_subquery())
    return case((began < day, began), else_=day)  # none (NULL) or none before `day`: `day`


def common_where(c: Any, f: Any, *, first: Any, last: Any) -> list[Any]:
    """The filters events and incidents share, on table columns `c`: days that overlap [date_from, date_to] (from the
    `first` and `last` day columns), country, province (admin1), event or sub-event type (any case), part of either
    actor's name."""
    where: list[Any] = []
    if f.date_from is not None:
        where.append(func.coalesce(last, first) >= f.date_from)
    if f.date_to is not None:
        where.append(first <= f.date_to)
    if f.country:
        where.append(func.lower(c.country) == f.country.lower())
    if f.admin1:
        where.append(func.lower(c.admin1) == f.admin1.lower())
    if f.event_type:
        where.append(or_(func.lower(c.event_type) == f.event_type.lower(),
                         func.lower(c.sub_event_type) == f.event_type.lower()))
    if f.actor:
        pattern = "%" + f.actor.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(or_(c.actor1.ilike(pattern, escape="\\"), c.actor2.ilike(pattern, escape="\\")))
    return where


# --- rows -> records -----------------------------------------------------------------------------------------


def _summary(row: Row[Any]) -> IncidentSummary:
    values = {name: getattr(row, name) for name in IncidentSummary.__dataclass_fields__}
    values["reasons"] = tuple(row.reasons.split("\n")) if row.reasons else ()
    values["contested"] = bool(row.contested)
    values["updated_at"] = _utc(row.updated_at)
    return IncidentSummary(**values)


def _as_utc(at: datetime) -> datetime:
    """A time to store: in UTC (SQLite keeps the clock reading and drops the zone)."""
    return at.astimezone(UTC) if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _new_key(primary_key: Any) -> int:
    """The id the database gave the row just inserted (an integer primary key always has one)."""
    if primary_key is None:
        raise StorageError("TW-E204", source="insert", detail="the database gave the new row no id")
    return int(primary_key[0])


@overload
def _utc(at: datetime) -> datetime: ...
@overload
def _utc(at: None) -> None: ...
def _utc(at: datetime | None) -> datetime | None:
    """SQLite gives stored times back without their zone; they were stored in UTC."""
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def _report(row: Row[Any]) -> Report:
    return Report(report_id=row.report_id, sha256=row.sha256, text=getattr(row, "text", ""), published=row.published,
                  published_basis=row.published_basis, title=row.title, outlet=row.outlet, url=row.url,
                  source=row.source, media_type=row.media_type, kind=row.kind, revision_of=row.revision_of)


def _children(conn: Connection, event_ids: list[str],
              tables: Sequence[Table] | None = None) -> dict[Table, dict[str, list[Row[Any]]]]:
    """Child rows of the given events in these tables (the others left empty), per table, grouped by event id, in
    order."""
    found: dict[Table, dict[str, list[Row[Any]]]] = {table: {} for table in CHILD_TABLES}
    for table in tables or CHILD_TABLES:
        grouped: dict[str, list[Row[Any]]] = defaultdict(list)
        for start in range(0, len(event_ids), BATCH):
            chunk = event_ids[start:start + BATCH]
            stmt = select(table).where(table.c.event_id.in_(chunk)).order_by(table.c.event_id, table.c.seq)
            for row in conn.execute(stmt):
                grouped[row.event_id].append(row)
        found[table] = grouped
    return found


CHILD_TABLES = (MENTIONS, FIGURES, CLAIMS, PROVENANCE)
_NO_CHILDREN: dict[Table, dict[str, list[Row[Any]]]] = {table: {} for table in CHILD_TABLES}


def _event(row: Row[Any], children: dict[Table, dict[str, list[Row[Any]]]]) -> Event:
    eid = row.event_id
    return Event(
        event_id=eid, report_id=row.report_id, event_type=row.event_type, sub_event_type=row.sub_event_type,
        event_date=row.event_date, event_date_end=row.event_date_end, time_precision=row.time_precision,
        actor1=row.actor1, actor2=row.actor2, place=_place(row), incident_id=row.incident_id, notes=row.notes,
        fatalities=tuple(Figure(low=f.low, high=f.high, victims=f.victims, claimed_by=f.claimed_by,
                                surface=f.surface, span=Span(f.span_start, f.span_end), sentence=f.sentence)
                         for f in children[FIGURES].get(eid, ())),
        claims=tuple(_claim(c) for c in children[CLAIMS].get(eid, ())),
        mentions=tuple(Mention(sentence=m.sentence, span=Span(m.span_start, m.span_end), event_type=m.event_type,
                               sub_event_type=m.sub_event_type, trigger=m.trigger)
                       for m in children[MENTIONS].get(eid, ())),
        provenance=tuple((p.field, Span(p.span_start, p.span_end)) for p in children[PROVENANCE].get(eid, ())),
    )


ACCOUNT_COLUMNS = ("incident_id", "event_type", "sub_event_type", "event_date", "event_date_end", "time_precision",
                   "actor1", "actor2", "location", "country", "admin1", "admin2", "latitude", "longitude",
                   "geo_precision", "feature")


def _stand_in(row: Row[Any], number: int) -> Event:
    """An event standing for the one-event accounts of an incident that share these values (`incident_accounts`)."""
    own = f"{row.incident_id}~{number}"
    return Event(event_id=own, report_id=own, event_type=row.event_type, sub_event_type=row.sub_event_type,
                 event_date=row.event_date, event_date_end=row.event_date_end, time_precision=row.time_precision,
                 actor1=row.actor1, actor2=row.actor2, place=_place(row), incident_id=row.incident_id)


def _place(row: Row[Any]) -> Place | None:
    if row.location is None or row.latitude is None or row.longitude is None:
        return None
    return Place(name=row.location, country=row.country, admin1=row.admin1, admin2=row.admin2,
                 latitude=row.latitude, longitude=row.longitude, geo_precision=row.geo_precision,
                 feature=row.feature)


# --- agreements ------------------------------------------------------------------------------------------------


def _insert_agreement(conn: Connection, a: Agreement, at: datetime) -> None:
    conn.execute(insert(AGREEMENTS), [{
        "agreement_id": a.agreement_id, "name": a.name, "kind": a.kind, "start": _as_utc(a.start),
        "end": _as_utc(a.end) if a.end else None, "tz": a.tz, "supersedes": "\n".join(a.supersedes),
        "sources": "\n".join(a.sources), "notes": a.notes, "updated_at": at}])
    members = [(role, seq, p) for role, found in zip(ROLES, (a.parties, a.guarantors, a.mediators), strict=True)
               for seq, p in enumerate(found)]
    if members:
        conn.execute(insert(AGREEMENT_PARTIES), [
            {"agreement_id": a.agreement_id, "role": role, "seq": seq, "code": p.code, "name": p.name,
             "answers_for": "\n".join(p.answers_for)} for role, seq, p in members])
    if a.commitments:
        conn.execute(insert(AGREEMENT_COMMITMENTS), [
            {"agreement_id": a.agreement_id, "seq": seq, "commitment_id": c.commitment_id, "text": c.text,
             "binds": "\n".join(c.binds), "concerns": "\n".join(c.concerns)} for seq, c in enumerate(a.commitments)])


def _delete_agreement(conn: Connection, agreement_id: str) -> None:
    for table in (AGREEMENT_COMMITMENTS, AGREEMENT_PARTIES, AGREEMENTS):
        conn.execute(delete(table).where(table.c.agreement_id == agreement_id))


def _read_agreements(conn: Connection, where: Any = None) -> list[Agreement]:
    stmt = select(AGREEMENTS).order_by(AGREEMENTS.c.start, AGREEMENTS.c.agreement_id)
    rows = conn.execute(stmt if where is None else stmt.where(where)).all()
    ids = [row.agreement_id for row in rows]
    members: dict[tuple[str, str], list[Party]] = defaultdict(list)
    commitments: dict[str, list[Commitment]] = defaultdict(list)
    for chunk in _chunks(ids):
        for p in conn.execute(select(AGREEMENT_PARTIES).where(AGREEMENT_PARTIES.c.agreement_id.in_(chunk))
                              .order_by(AGREEMENT_PARTIES.c.seq)):
            members[(p.agreement_id, p.role)].append(Party(p.code, p.name, _lines(p.answers_for)))
        for c in conn.execute(select(AGREEMENT_COMMITMENTS).where(AGREEMENT_COMMITMENTS.c.agreement_id.in_(chunk))
                              .order_by(AGREEMENT_COMMITMENTS.c.seq)):
            commitments[c.agreement_id].append(Commitment(c.commitment_id, c.text, _lines(c.binds),
                                                          _lines(c.concerns)))
    return [_agreement(row, members, commitments[row.agreement_id]) for row in rows]


def _agreement(row: Row[Any], members: dict[tuple[str, str], list[Party]],
               commitments: list[Commitment]) -> Agreement:
    zone = ZoneInfo(row.tz)
    aid = row.agreement_id
    return Agreement(
        agreement_id=aid, name=row.name, kind=row.kind, parties=tuple(members[(aid, "party")]),
        guarantors=tuple(members[(aid, "guarantor")]), mediators=tuple(members[(aid, "mediator")]),
        start=_utc(row.start).astimezone(zone), end=_utc(row.end).astimezone(zone) if row.end else None, tz=row.tz,
        supersedes=_lines(row.supersedes), commitments=tuple(commitments), sources=_lines(row.sources),
        notes=row.notes)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(text.split("\n")) if text else ()


# --- helpers -------------------------------------------------------------------------------------------------


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[start:start + BATCH] for start in range(0, len(values), BATCH)]


def _name(report: Report) -> str:
    return report.source or report.report_id


def _first_line(err: object) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
