"""Incidents and events: list and show them, replay resolution from scratch (`resolve_all`), and record monitors'
overrides (`override`, `merge_incidents`, `pin_event`, `split_event`), after which everything is re-resolved so that
they take effect. See docs/incidents.md. Every write hands its store method an `audit=recorder(...)` hook, which
appends the write's entry to the audit log in the write's own transaction (docs/audit.md).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING

from trucewatch.audit.log import (
    override_entry,
)
from trucewatch.conflict import Conflict
from trucewatch.errors import (
    IncidentError,
)
from trucewatch.jobs.ingest import DESCRIBE_BATCH, describe_all, resolve_new, sides_of, utc_now
from trucewatch.pipeline.extract.sentences import split_sentences
from trucewatch.pipeline.incident import summarised
from trucewatch.pipeline.resolve import (
    candidate_of,
    incident_id_for,
    keep_incident_ids,
    resolve,
)
from trucewatch.pipeline.sides import Sides
from trucewatch.records import (
    Event,
    Incident,
    IncidentFilter,
    IncidentSummary,
    Override,
)
from trucewatch.storage import Database, Store
from trucewatch.storage.audit_log import recorder
from trucewatch.storage.repository import BATCH

if TYPE_CHECKING:
    pass

OVERRIDE_KINDS = ("merge", "split", "pin")


def resolve_all(db: Database, conflict: Conflict | None = None) -> dict[str, int]:
    """Resolve every stored event from scratch (in date order, then the monitors' overrides), rewrite every
    incident's summary and drop those of incidents that are gone.

    Returns counts: `events`, `incidents`, `changed` (events whose incident changed) and `dropped` (summaries
    removed). Memory holds one small record per event (not the events), and the incidents a batch at a time.

    It is one write transaction: no other writer changes events or incidents in between, and a crash leaves the
    incidents as they were."""
    with db.reports.writing() as store:
        return _resolve_everything(store, sides_of(conflict))


def _resolve_everything(store: Store, sides: Sides) -> dict[str, int]:
    overrides = store.overrides()
    candidates, unmatched, before = [], [], {}
    for e in store.iter_events():
        before[e.event_id] = e.incident_id
        candidate = candidate_of(e, sides.side_of, sides.not_groups)
        if candidate is None:
            unmatched.append(e.event_id)
        else:
            candidates.append(candidate)
    assignment = keep_incident_ids(resolve(candidates, overrides, unmatched), before)
    changed = store.assign_incidents((event_id, incident_id) for event_id, incident_id in assignment.items()
                                     if before[event_id] != incident_id)
    incident_ids = sorted(set(assignment.values()))
    for start in range(0, len(incident_ids), DESCRIBE_BATCH):
        members = store.events_of_incidents(incident_ids[start:start + DESCRIBE_BATCH])
        store.save_incidents(summarised(describe_all(store, members, sides, overrides)))
    dropped = store.drop_incidents()
    return {"events": len(before), "incidents": len(incident_ids), "changed": changed, "dropped": dropped}


def incident_of_event(db: Database, event_id: str) -> str | None:
    """The incident an event is in now; TW-E306 for an unknown event."""
    store = db.reports
    return _require_event(store, event_id).incident_id


def list_incidents(db: Database, limit: int | None = 50, offset: int = 0, *, date_from: date | None = None,
                   date_to: date | None = None, country: str | None = None, province: str | None = None,
                   event_type: str | None = None, actor: str | None = None,
                   contested: bool | None = None) -> tuple[list[IncidentSummary], int]:
    """Incident summaries that match the filters (see `IncidentFilter`), at most `limit` from `offset`, and how many
    match in all."""
    filters = IncidentFilter(date_from=date_from, date_to=date_to, country=country, admin1=province,
                             event_type=event_type, actor=actor, contested=contested)
    store = db.reports
    return store.list_incidents(filters, limit, offset), store.count_incidents(filters)


def get_incident(db: Database, incident_id: str, conflict: Conflict | None = None) -> Incident:
    """The full incident record, described afresh from its stored events; TW-E305 for an unknown id."""
    store = db.reports
    events = store.events_of_incident(incident_id)
    if not events:
        raise IncidentError("TW-E305", incident_id=incident_id)
    return describe_all(store, {incident_id: events}, sides_of(conflict), store.overrides())[0]


def override(db: Database, kind: str, event_id: str, target_event_id: str | None, by: str, note: str = "",
             at: datetime | None = None, conflict: Conflict | None = None) -> Override:
    """Record a monitor's override (merge, split or pin; see `trucewatch.records.Override`), then re-resolve
    everything so that it takes effect. Unknown events give TW-E306, a senseless override TW-E308."""
    if kind not in OVERRIDE_KINDS:
        raise IncidentError("TW-E307", kind=kind)
    if not by.strip():
        raise IncidentError("TW-E308", detail="say who decides: --by NAME, or set TRUCEWATCH_USER")
    target_event_id = None if kind == "split" else target_event_id
    store = db.reports
    event = _require_event(store, event_id)
    if kind != "split":
        if not target_event_id:
            raise IncidentError("TW-E308", detail=f"a {kind} needs a target event")
        target = _require_event(store, target_event_id)
        if kind == "merge" and event.incident_id is not None and event.incident_id == target.incident_id:
            raise IncidentError("TW-E308", detail=f"events {event_id!r} and {target_event_id!r} are already in "
                                                  f"one incident ({event.incident_id})")
    made = Override(kind=kind, event_id=event_id, target_event_id=target_event_id, by=by.strip(),
                    at=at or utc_now(), note=note)
    with store.writing() as writing:  # the override and the incidents it changes: one transaction
        recorded = writing.add_override(made, audit=recorder(made.by, override_entry(made)))
        _resolve_everything(writing, sides_of(conflict))
    return recorded


def check_incidents(db: Database, conflict: Conflict | None = None, *, repair: bool = True,
                    thorough: bool = True) -> dict[str, list[str]]:
    """Find what a crash or an older trucewatch may have left: events in no incident (`loose`, event ids), and
    incident rows that disagree with their events (`ghost`, `stale`, `missing`: `Store.incident_mismatches`, incident
    ids; only when `thorough`, as it reads every event's incident). With `repair`, in one write transaction: place
    the loose events as ingest does, drop ghost rows, rewrite stale and missing ones. Returns what was found."""
    sides = sides_of(conflict)
    with db.reports.writing() if repair else _reading(db) as store:
        found = {"loose": [e.event_id for e in store.loose_events()]}
        found.update(store.incident_mismatches() if thorough else {"ghost": [], "stale": [], "missing": []})
        if repair and any(found.values()):
            _repair(store, found, sides)
    return found


def repair_loose_events(db: Database, conflict: Conflict | None = None) -> int:
    """The cheap check the CLI's ingest and resolve and the app's startup run: if any event is in no incident (one
    indexed look-up), place them. Returns how many were placed."""
    if not db.reports.has_loose_events():
        return 0
    return len(check_incidents(db, conflict, thorough=False)["loose"])


def _repair(store: Store, found: dict[str, list[str]], sides: Sides) -> None:
    store.drop_incidents(found["ghost"])
    loose = store.loose_events()
    touched = set(resolve_new(store, loose, sides))
    redo = sorted(set(found["stale"] + found["missing"]) - touched)
    overrides = store.overrides()
    for start in range(0, len(redo), DESCRIBE_BATCH):
        members = store.events_of_incidents(redo[start:start + DESCRIBE_BATCH])
        store.save_incidents(summarised(describe_all(store, members, sides, overrides)))


@contextmanager
def _reading(db: Database) -> Iterator[Store]:
    yield db.reports


def merge_incidents(db: Database, keep: str, absorb: str, by: str, note: str = "",
                    conflict: Conflict | None = None) -> Override:
    """Every event of incident `absorb` joins incident `keep`: a merge override between an event of each, then the
    absorbed incident's other events pinned to it. (The merge alone joins the two anchors; the
    other events would follow only as long as resolution still puts them beside their anchor, and a report that
    arrives later can draw them away, which is not what the monitor decided.)"""
    if keep == absorb:
        raise IncidentError("TW-E308", detail=f"incident {keep!r} cannot be merged with itself")
    store = db.reports
    kept, absorbed = _anchor(store, keep), _anchor(store, absorb)
    merged = override(db, "merge", absorbed, kept, by, note, conflict=conflict)
    others = [e.event_id for e in store.events_of_incident(absorb) if e.event_id != absorbed]
    if others:
        pins = [Override(kind="pin", event_id=e, target_event_id=kept, by=by.strip(), at=merged.at, note=note)
                for e in others]
        with store.writing() as writing:
            for pin in pins:
                writing.add_override(pin, audit=recorder(pin.by, override_entry(pin)))
            _resolve_everything(writing, sides_of(conflict))
    return merged


def pin_event(db: Database, event_id: str, incident_id: str, by: str, note: str = "",
              conflict: Conflict | None = None) -> Override:
    """Event `event_id` belongs to incident `incident_id`, whatever resolution says."""
    store = db.reports
    target = _anchor(store, incident_id)
    return override(db, "pin", event_id, target, by, note, conflict=conflict)


def split_event(db: Database, event_id: str, by: str, note: str = "", conflict: Conflict | None = None) -> Override:
    """Event `event_id` stands alone, and nothing joins it automatically."""
    return override(db, "split", event_id, None, by, note, conflict=conflict)


def _require_event(store: Store, event_id: str) -> Event:
    event = store.get_event(event_id)
    if event is None:
        raise IncidentError("TW-E306", event_id=event_id)
    return event


def _anchor(store: Store, incident_id: str) -> str:
    """The event that stands for an incident in an override: the one it is named after, else its earliest."""
    events = store.events_of_incident(incident_id)
    if not events:
        raise IncidentError("TW-E305", incident_id=incident_id)
    founders = [e.event_id for e in events if incident_id_for(e.event_id) == incident_id]
    return founders[0] if founders else events[0].event_id


def list_events(db: Database, limit: int | None = None) -> tuple[list[Event], int]:
    """The first `limit` stored events in date order, and how many there are in all."""
    store = db.reports
    events: list[Event] = []
    for event in store.iter_events(batch_size=min(limit or BATCH, BATCH) or 1):
        if limit is not None and len(events) >= limit:
            break
        events.append(event)
    return events, store.count_events()


def text_pieces(text: str) -> list[tuple[int | None, str]]:
    """A report's whole text as (sentence number, text) pieces in order: each sentence (numbered from 1, as the
    extractor counts them from 0) and the spaces between them (None), so a page shows the text exactly as stored and
    a claim can link to its sentence."""
    pieces: list[tuple[int | None, str]] = []
    at = 0
    for sentence in split_sentences(text):
        if sentence.span.start > at:
            pieces.append((None, text[at:sentence.span.start]))
        pieces.append((sentence.index + 1, sentence.text))
        at = sentence.span.end
    if at < len(text):
        pieces.append((None, text[at:]))
    return pieces
