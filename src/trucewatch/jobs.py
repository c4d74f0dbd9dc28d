"""Plain functions that run whole jobs over the store: what the CLI, the web app and the batch runner call.

Each returns data; none prints (progress bars are drawn only when asked, on stderr).

Agreements: `load_agreements` validates an agreements file and upserts it; `assess_agreement` assesses the stored
incidents against one agreement afresh each time it is called (nothing of an assessment is stored, so it always
reflects the incidents as they are now). See docs/agreements.md.

Incidents: `ingest_report` resolves each stored report's events at once (`resolve_new`: they join incidents already
known or open new ones, and nothing else is recomputed); `resolve_all` replays every event from scratch. Monitors'
overrides are recorded by `override` (and `merge_incidents`, `pin_event`), then everything is re-resolved so that
they take effect. See docs/incidents.md.

The conflict: jobs that read the actor dictionary, the gazetteer, the sides or the parties' clocks take the
`Conflict` the caller loaded from its settings (`trucewatch.conflict.load_conflict`); without one, the shipped data.

Audit: every write hands its Store method an `audit=recorder(...)` hook (trucewatch.verify.audit), which appends the
write's entry to the audit log in the write's own transaction. A new write must do the same. See docs/audit.md.
"""
from __future__ import annotations

import logging
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from trucewatch.agreements import (
    clock_in, dump_agreements, local_time, read_agreements, supersession_problem,
)
from trucewatch.conflict import Conflict, shipped_conflict
from trucewatch.errors import AgreementError, IncidentError, IngestError, TrucewatchError
from trucewatch.pipeline.assess import PartySummary, assess, party_summary, window_of
from trucewatch.pipeline.extract import extract_events
from trucewatch.pipeline.incident import describe
from trucewatch.pipeline.ingest import DEFAULT_MAX_BYTES, iter_sources, read_reports
from trucewatch.pipeline.resolve import Resolver, candidate_of, incident_id_for, resolve
from trucewatch.pipeline.sides import Sides
from trucewatch.publish.compliance import check_compliance_format, write_compliance
from trucewatch.publish.export import ExportCounts, check_format, export
from trucewatch.records import Agreement, Assessment, Event, Incident, IngestResult, Override, Report, Window
from trucewatch.storage import IncidentFilter, IncidentSummary, Store, migrate
from trucewatch.storage.repository import BATCH
from trucewatch.verify.audit import agreement_entry, default_actor, override_entry, recorder, report_entry

if TYPE_CHECKING:
    from trucewatch.publish.report import ComplianceReport

OVERRIDE_KINDS = ("merge", "split", "pin")
DESCRIBE_BATCH = 200  # incidents described and saved per transaction by `resolve_all`

log = logging.getLogger(__name__)


def ingest_paths(paths: list[Path], db_url: str, published: date | None = None, progress: bool = False,
                 max_report_bytes: int | None = None, conflict: Conflict | None = None) -> list[IngestResult]:
    """Read every file under `paths`, extract its events (with the conflict's actor dictionary and gazetteer) and
    store each report in its own transaction.

    One bad file gives one refused IngestResult with the reason; the rest of the batch goes on. Content already
    stored (same SHA-256) is "unchanged" and not extracted again.
    """
    return list(iter_ingest(paths, db_url, published, progress, max_report_bytes, conflict))


def iter_ingest(paths: list[Path], db_url: str, published: date | None = None, progress: bool = False,
                max_report_bytes: int | None = None, conflict: Conflict | None = None) -> Iterator[IngestResult]:
    """`ingest_paths`, one result at a time as each report is done."""
    from tqdm import tqdm  # noqa: PLC0415  (only ingest draws a bar)

    conflict = conflict or shipped_conflict()
    limit = max_report_bytes or DEFAULT_MAX_BYTES
    sources = list(iter_sources(paths))
    with Store.open(db_url) as store, tqdm(total=len(sources), unit="file", file=sys.stderr,
                                           disable=not progress) as bar:
        for source in sources:
            if isinstance(source, IngestError):
                yield _refused(source.details.get("source", "?"), source)
            else:
                for item in read_reports(source, published, limit):
                    yield _refused(item.details["source"], item) if isinstance(item, IngestError) \
                        else ingest_report(store, item, conflict)
            bar.update()


def ingest_report(store: Store, report: Report, conflict: Conflict | None = None) -> IngestResult:
    """Extract one report's events, save it with them in one transaction, then resolve them into incidents; never
    raises for a bad report. A report whose id is stored with other content is stored as a revision (new id)."""
    conflict = conflict or shipped_conflict()
    source = report.source or report.report_id
    if store.has_report(report.sha256):
        return IngestResult(source, report.report_id, "unchanged", at=_now())
    report = store.versioned(report)
    try:
        events = extract_events(report, conflict.dictionary, conflict.gazetteer)
    except TrucewatchError as err:
        return _refused(source, err, report.report_id)
    except Exception as err:  # a bug in extraction must not stop the batch, nor pass unnoticed
        log.exception("event extraction failed for %s", source)
        return _refused(source, IngestError("TW-E114", source=source, detail=f"{type(err).__name__}: {err}"),
                        report.report_id)
    try:
        added = store.save(report, events, audit=recorder(default_actor(), report_entry(report, events)))
    except TrucewatchError as err:
        return _refused(source, err, report.report_id)
    if not added:
        return IngestResult(source, report.report_id, "unchanged", at=_now())
    notes = [f"a revision of {report.revision_of}"] if report.revision_of else []
    try:
        resolve_new(store, events, conflict.sides)
    except Exception as err:  # the report is stored; `trucewatch resolve` places its events later
        log.exception("incident resolution failed for %s", source)
        notes.append(f"not yet in incidents ({type(err).__name__}: {err}); run 'trucewatch resolve'")
    return IngestResult(source, report.report_id, "added", reason="; ".join(notes), events=len(events), at=_now())


# --- incidents ---------------------------------------------------------------------------------------------------


def resolve_new(store: Store, events: Sequence[Event], sides: Sides | None = None) -> list[Incident]:
    """Place newly stored events among the incidents already known, and rewrite the incidents they touch.

    Only stored events near the new ones (`Store.events_near`) and the other events of their incidents are read, and
    only their own columns; they keep their incidents. A new event joins the best-fitting of them or opens its own.
    Stored events that have no incident yet are placed like new ones. Returns the incidents touched. `sides`: the
    conflict's (default: the shipped data's)."""
    if not events:
        return []
    sides = sides or Sides.shipped()
    overrides = store.overrides()
    known = _neighbourhood(store, events)
    resolver = Resolver(overrides)
    for e in known.values():
        candidate = candidate_of(e, sides.side_of, sides.not_groups)
        if e.incident_id is not None and candidate is not None:
            resolver.seed(candidate, e.incident_id)
    loose = [store.get_event(e.event_id) or e for e in known.values() if e.incident_id is None]
    placed = _place(resolver, [*loose, *events], sides)
    members: dict[str, list[Event]] = defaultdict(list, store.events_of_incidents(set(placed.values())))
    for e in [*loose, *events]:
        members[placed[e.event_id]].append(e)
    incidents = _describe_all(store, members, sides, overrides)
    store.save_incidents(incidents)
    return incidents


def _neighbourhood(store: Store, events: Sequence[Event]) -> dict[str, Event]:
    """Stored events that the new ones might join, with every other event of their incidents, without their child
    rows; the new ones left out."""
    near: dict[str, Event] = {}
    for e in events:
        if e.event_date is None or e.place is None:
            continue
        p = e.place
        for other in store.events_near(e.event_date, e.event_date_end or e.event_date, p.country, p.admin1,
                                       p.latitude, p.longitude, with_children=False):
            near.setdefault(other.event_id, other)
    incident_ids = {e.incident_id for e in near.values() if e.incident_id}
    for found in store.events_of_incidents(incident_ids, with_children=False).values():
        for member in found:
            near.setdefault(member.event_id, member)
    new = {e.event_id for e in events}
    return {event_id: e for event_id, e in near.items() if event_id not in new}


def _place(resolver: Resolver, events: Iterable[Event], sides: Sides) -> dict[str, str]:
    """Each event's incident, adding them in date order as `resolve` does; an undated one stands alone."""
    placed: dict[str, str] = {}
    candidates = []
    for e in events:
        candidate = candidate_of(e, sides.side_of, sides.not_groups)
        if candidate is None:
            placed[e.event_id] = incident_id_for(e.event_id)
        else:
            candidates.append(candidate)
    placed.update(resolver.add_all(candidates))
    return placed


def _describe_all(store: Store, members: dict[str, list[Event]], sides: Sides,
                  overrides: list[Override]) -> list[Incident]:
    """The incident record of each incident id, from its events and their reports."""
    reports = store.reports(e.report_id for found in members.values() for e in found)
    return [_describe(incident_id, found, reports, sides, overrides) for incident_id, found in members.items()]


def _describe(incident_id: str, events: list[Event], reports: dict[str, Report], sides: Sides,
              overrides: list[Override]) -> Incident:
    events = [replace(e, incident_id=incident_id) for e in events]
    ids = {e.event_id for e in events}
    own = [o for o in overrides if o.event_id in ids or o.target_event_id in ids]
    return describe(incident_id, events, reports, sides.side_of, own, sides.nationalities)


def _sides(conflict: Conflict | None) -> Sides:
    return (conflict or shipped_conflict()).sides


def resolve_all(db_url: str, conflict: Conflict | None = None) -> dict[str, int]:
    """Resolve every stored event from scratch (in date order, then the monitors' overrides), rewrite every
    incident's summary and drop those of incidents that are gone.

    Returns counts: `events`, `incidents`, `changed` (events whose incident changed) and `dropped` (summaries
    removed). Memory holds one small record per event (not the events), and the incidents a batch at a time."""
    sides = _sides(conflict)
    with Store.open(db_url) as store:
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
            store.save_incidents(_describe_all(store, members, sides, overrides))
        dropped = store.drop_incidents()
    return {"events": len(before), "incidents": len(incident_ids), "changed": changed, "dropped": dropped}


def keep_incident_ids(assignment: dict[str, str], before: dict[str, str | None]) -> dict[str, str]:
    """The same grouping of events, each incident renamed to the id most of its events had `before` where it can,
    so that re-resolving does not rename incidents whose events stay together.

    Greedy, strongest claims first: an old id goes to the incident that holds most of its events (ties: the one
    resolution named the same, then the larger); an incident that wins no old id keeps its new id, or, if another
    took that, the id named after the first of its events that is free."""
    groups: dict[str, list[str]] = defaultdict(list)
    for event_id, incident_id in assignment.items():
        groups[incident_id].append(event_id)
    claims = sorted((-votes, old != new, -len(members), new, old) for new, members in groups.items()
                    for old, votes in Counter(before[e] for e in members if before.get(e)).items())
    rename: dict[str, str] = {}
    taken: set[str] = set()
    for *_, new, old in claims:
        if new not in rename and old not in taken:
            rename[new] = old
            taken.add(old)
    for new in sorted(set(groups) - set(rename)):
        rename[new] = next(name for name in _fresh_names(new, groups[new]) if name not in taken)
        taken.add(rename[new])
    return {event_id: rename[incident_id] for event_id, incident_id in assignment.items()}


def _fresh_names(new: str, members: list[str]) -> Iterator[str]:
    yield new
    for event_id in sorted(members):
        yield incident_id_for(event_id)
    for n in count(1):
        yield incident_id_for(f"{new}#{n}")


def incident_of_event(db_url: str, event_id: str) -> str | None:
    """The incident an event is in now; TW-E306 for an unknown event."""
    with Store.open(db_url, upgrade=False) as store:
        return _require_event(store, event_id).incident_id


def list_incidents(db_url: str, limit: int | None = 50, offset: int = 0, *, date_from: date | None = None,
                   date_to: date | None = None, country: str | None = None, province: str | None = None,
                   event_type: str | None = None, actor: str | None = None,
                   contested: bool | None = None) -> tuple[list[IncidentSummary], int]:
    """Incident summaries that match the filters (see `IncidentFilter`), at most `limit` from `offset`, and how many
    match in all."""
    filters = IncidentFilter(date_from=date_from, date_to=date_to, country=country, admin1=province,
                             event_type=event_type, actor=actor, contested=contested)
    with Store.open(db_url, upgrade=False) as store:
        return store.list_incidents(filters, limit, offset), store.count_incidents(filters)


def get_incident(db_url: str, incident_id: str, conflict: Conflict | None = None) -> Incident:
    """The full incident record, described afresh from its stored events; TW-E305 for an unknown id."""
    with Store.open(db_url, upgrade=False) as store:
        events = store.events_of_incident(incident_id)
        if not events:
            raise IncidentError("TW-E305", incident_id=incident_id)
        return _describe_all(store, {incident_id: events}, _sides(conflict), store.overrides())[0]


def override(db_url: str, kind: str, event_id: str, target_event_id: str | None, by: str, note: str = "",
             at: datetime | None = None, conflict: Conflict | None = None) -> Override:
    """Record a monitor's override (merge, split or pin; see `trucewatch.records.Override`), then re-resolve
    everything so that it takes effect. Unknown events give TW-E306, a senseless override TW-E308."""
    if kind not in OVERRIDE_KINDS:
        raise IncidentError("TW-E307", kind=kind)
    if not by.strip():
        raise IncidentError("TW-E308", detail="say who decides: --by NAME, or set TRUCEWATCH_USER")
    target_event_id = None if kind == "split" else target_event_id
    with Store.open(db_url, upgrade=False) as store:
        event = _require_event(store, event_id)
        if kind != "split":
            if not target_event_id:
                raise IncidentError("TW-E308", detail=f"a {kind} needs a target event")
            target = _require_event(store, target_event_id)
            if kind == "merge" and event.incident_id is not None and event.incident_id == target.incident_id:
                raise IncidentError("TW-E308", detail=f"events {event_id!r} and {target_event_id!r} are already in "
                                                      f"one incident ({event.incident_id})")
        made = Override(kind=kind, event_id=event_id, target_event_id=target_event_id, by=by.strip(),
                        at=at or _now(), note=note)
        recorded = store.add_override(made, audit=recorder(made.by, override_entry(made)))
    resolve_all(db_url, conflict)
    return recorded


def merge_incidents(db_url: str, keep: str, absorb: str, by: str, note: str = "",
                    conflict: Conflict | None = None) -> Override:
    """The events of incident `absorb` join incident `keep` (an override between an event of each)."""
    if keep == absorb:
        raise IncidentError("TW-E308", detail=f"incident {keep!r} cannot be merged with itself")
    with Store.open(db_url, upgrade=False) as store:
        kept, absorbed = _anchor(store, keep), _anchor(store, absorb)
    return override(db_url, "merge", absorbed, kept, by, note, conflict=conflict)


def pin_event(db_url: str, event_id: str, incident_id: str, by: str, note: str = "",
              conflict: Conflict | None = None) -> Override:
    """Event `event_id` belongs to incident `incident_id`, whatever resolution says."""
    with Store.open(db_url, upgrade=False) as store:
        target = _anchor(store, incident_id)
    return override(db_url, "pin", event_id, target, by, note, conflict=conflict)


def split_event(db_url: str, event_id: str, by: str, note: str = "", conflict: Conflict | None = None) -> Override:
    """Event `event_id` stands alone, and nothing joins it automatically."""
    return override(db_url, "split", event_id, None, by, note, conflict=conflict)


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


def export_events(db_url: str, fmt: str, out: TextIO) -> ExportCounts:
    """Stream every stored event to `out` as jsonl, csv or geojson; returns how many were written (and skipped)."""
    check_format(fmt)
    with Store.open(db_url, upgrade=False) as store:
        return export(store.iter_sourced_events(), fmt, out)


def list_events(db_url: str, limit: int | None = None) -> tuple[list[Event], int]:
    """The first `limit` stored events in date order, and how many there are in all."""
    with Store.open(db_url, upgrade=False) as store:
        events: list[Event] = []
        for event in store.iter_events(batch_size=min(limit or BATCH, BATCH) or 1):
            if limit is not None and len(events) >= limit:
                break
            events.append(event)
        return events, store.count_events()


def upgrade_db(db_url: str) -> tuple[str | None, str]:
    """Create or upgrade the database schema; returns (revision before, revision after)."""
    return migrate(db_url)


# --- agreements and compliance -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgreementChange:
    """What loading a file did to one agreement: "added", "updated" or "unchanged"."""

    agreement_id: str
    status: str


def load_agreements(db_url: str, path: Path, conflict: Conflict | None = None) -> list[AgreementChange]:
    """Validate an agreements file (TW-E501/502/504) against the conflict's sides and store its agreements, each
    replacing the stored one of its id; agreements stored but not in the file are kept. All or nothing."""
    conflict = conflict or shipped_conflict()
    with Store.open(db_url) as store:
        known = {a.agreement_id: a for a in store.agreements()}
        agreements = read_agreements(path, sides=conflict.side_codes, parties=conflict.party_codes, known=known)
        logged = [agreement_entry("agreement.load", a, file=path.name,
                                  status="updated" if a.agreement_id in known else "added")
                  for a in agreements if known.get(a.agreement_id) != a]
        statuses = store.save_agreements(agreements, audit=recorder(default_actor(), *logged))
    return [AgreementChange(a.agreement_id, statuses[a.agreement_id]) for a in agreements]


def list_agreements(db_url: str) -> list[Agreement]:
    """Every stored agreement, by start."""
    with Store.open(db_url, upgrade=False) as store:
        return store.agreements()


def get_agreement(db_url: str, agreement_id: str) -> Agreement:
    """One stored agreement; TW-E503, naming the known ids, for an unknown one."""
    return _require_agreement(list_agreements(db_url), agreement_id)


def set_agreement(db_url: str, agreement_id: str, *, end: str | datetime | None = None, tz: str | None = None,
                  open_ended: bool = False, superseded_by: str | None = None,
                  note: str | None = None) -> Agreement:
    """Edit a stored agreement: a new `end` (a local time in zone `tz`, default the agreement's, or an aware
    datetime), or `open_ended`; `superseded_by` another stored agreement (added to that one's `supersedes`); a `note`
    added to its notes. Refused edits (TW-E505) change nothing. Returns the agreement as stored now."""
    if end is not None and open_ended:
        raise AgreementError("TW-E505", detail="give an end or open-ended, not both")
    if end is None and not open_ended and superseded_by is None and not note:
        raise AgreementError("TW-E505", detail="nothing to change; give an end, open-ended, superseded-by or a note")
    with Store.open(db_url, upgrade=False) as store:
        agreements = store.agreements()
        agreement = _require_agreement(agreements, agreement_id)
        changed = replace(agreement, end=None if open_ended else _new_end(agreement, end, tz),
                          notes="\n".join(part for part in (agreement.notes, (note or "").strip()) if part))
        writes = [changed]
        if superseded_by is not None:
            later = _require_agreement(agreements, superseded_by)
            problem = supersession_problem(later, changed, agreement_id, [a.agreement_id for a in agreements])
            if problem:
                raise AgreementError("TW-E505", detail=f"{superseded_by} cannot supersede {agreement_id}: {problem}")
            if agreement_id not in later.supersedes:
                writes.append(replace(later, supersedes=(*later.supersedes, agreement_id)))
        logged = agreement_entry("agreement.set", changed, end=changed.end.isoformat() if changed.end else None,
                                 superseded_by=superseded_by, note=note or None)
        store.save_agreements(writes, audit=recorder(default_actor(), logged))
        return store.get_agreement(agreement_id) or changed


def _new_end(agreement: Agreement, end: str | datetime | None, tz: str | None) -> datetime | None:
    if end is None:
        return agreement.end
    try:
        instant = end if isinstance(end, datetime) and end.tzinfo else local_time(end, tz or agreement.tz)
    except ValueError as err:
        raise AgreementError("TW-E505", detail=f"end: {err}") from err
    if instant.astimezone(timezone.utc) <= agreement.start.astimezone(timezone.utc):
        raise AgreementError("TW-E505", detail=f"the end must be after the start of {agreement.agreement_id} "
                                               f"({clock_in(agreement.start, agreement.tz)} in {agreement.tz})")
    return instant


def remove_agreement(db_url: str, agreement_id: str) -> list[str]:
    """Remove a stored agreement (TW-E503 if unknown), and its id from the `supersedes` of the others; returns the
    ids of those others."""
    with Store.open(db_url, upgrade=False) as store:
        changed = store.remove_agreement(agreement_id, audit=recorder(default_actor(),
                                                                      ("agreement.remove", agreement_id, {})))
        if changed is None:
            raise AgreementError("TW-E503", agreement_id=agreement_id, known=_known(store.agreements()))
        return changed


def export_agreements(db_url: str, out: TextIO) -> int:
    """Write every stored agreement to `out` as an agreements file (it loads back unchanged); returns how many."""
    agreements = list_agreements(db_url)
    out.write(dump_agreements(agreements))
    return len(agreements)


def assess_agreement(db_url: str, agreement_id: str, date_from: date | None = None,
                     date_to: date | None = None, conflict: Conflict | None = None) -> list[Assessment]:
    """Every stored incident (those overlapping [date_from, date_to] when given; undated ones only without dates)
    assessed against the agreement, in date order; computed afresh from the incidents' events. TW-E503 for an
    unknown agreement."""
    sides = _sides(conflict)
    with Store.open(db_url, upgrade=False) as store:
        agreements = store.agreements()
        agreement = _require_agreement(agreements, agreement_id)
        window = window_of(agreement, agreements)
        overrides = store.overrides()
        ids = [s.incident_id for s in store.list_incidents(IncidentFilter(date_from=date_from, date_to=date_to))]
        return _assess_in_batches(store, ids, agreement, window, overrides, sides)


def assess_incidents(db_url: str, agreement_id: str, incident_ids: Sequence[str],
                     conflict: Conflict | None = None) -> list[Assessment]:
    """These incidents (unknown ids are left out) assessed against the agreement, in the order given; as
    `assess_agreement` does for all. TW-E503 for an unknown agreement."""
    sides = _sides(conflict)
    with Store.open(db_url, upgrade=False) as store:
        agreements = store.agreements()
        agreement = _require_agreement(agreements, agreement_id)
        window = window_of(agreement, agreements)
        overrides = store.overrides()
        return _assess_in_batches(store, list(incident_ids), agreement, window, overrides, sides)


def _assess_in_batches(store: Store, ids: list[str], agreement: Agreement, window: Window, overrides: list[Override],
                       sides: Sides) -> list[Assessment]:
    """The incidents of `ids` (unknown ones left out), described a batch at a time and assessed, in that order."""
    found: list[Assessment] = []
    for start in range(0, len(ids), DESCRIBE_BATCH):
        chunk = ids[start:start + DESCRIBE_BATCH]
        described = {i.incident_id: i for i in _describe_all(store, store.events_of_incidents(chunk), sides,
                                                               overrides)}
        found += [assess(described[i], agreement, window=window, sides=sides) for i in chunk if i in described]
    return found


def export_compliance(db_url: str, agreement_id: str, fmt: str, out: TextIO, date_from: date | None = None,
                      date_to: date | None = None, conflict: Conflict | None = None) -> int:
    """Write the assessments of `assess_agreement` as jsonl or csv (TW-E506 otherwise); returns how many."""
    check_compliance_format(fmt)
    return write_compliance(assess_agreement(db_url, agreement_id, date_from, date_to, conflict), fmt, out)


def _require_agreement(agreements: list[Agreement], agreement_id: str) -> Agreement:
    for agreement in agreements:
        if agreement.agreement_id == agreement_id:
            return agreement
    raise AgreementError("TW-E503", agreement_id=agreement_id, known=_known(agreements))


def _known(agreements: list[Agreement]) -> str:
    if not agreements:
        return "none stored yet; load some with 'trucewatch agreements load FILE'"
    return ", ".join(a.agreement_id for a in agreements) + " (see 'trucewatch agreements list')"


def _refused(source: str, err: TrucewatchError, report_id: str | None = None) -> IngestResult:
    return IngestResult(str(source), report_id, "refused", reason=reason(err, str(source)), at=_now())


def reason(err: TrucewatchError, source: str) -> str:
    """'TW-E104: empty report (no text); nothing to ingest': the error without the source it names first."""
    text = str(err)
    prefix = f"{err.code}: {source}: "
    return f"{err.code}: {text[len(prefix):]}" if text.startswith(prefix) else text


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class DemoResult:
    """What the demo did: ingest results, the events stored, the export files written, the incidents resolved and
    the contested incident shown in full (None if none is contested)."""

    ingest: list[IngestResult]
    events: list[Event]
    exports: dict[str, Path]
    incidents: list[IncidentSummary] = field(default_factory=list)
    contested: Incident | None = None
    agreements: list[AgreementChange] = field(default_factory=list)
    compliance: list[Assessment] = field(default_factory=list)  # of the incidents against DEMO_AGREEMENT
    parties: list[PartySummary] = field(default_factory=list)  # potential violations of DEMO_AGREEMENT per party


DEMO_AGREEMENT = "doha-2025-10-19"


def run_demo(db_url: str, out_dir: Path, progress: bool = False) -> DemoResult:
    """The main job on the bundled sample: ingest the sample reports (which resolves them into incidents), export
    every event in each format, pick the most disputed incident to show, load the example agreements and assess the
    incidents against the Doha ceasefire (out/demo-compliance-doha-2025-10-19.jsonl) and write its compliance report
    (out/demo-report-doha-2025-10-19.html and .pdf). The sample is the shipped conflict's: it runs on the shipped data
    whatever `data_dir` says."""
    from trucewatch.demo import example_agreements_path, sample_report_paths  # noqa: PLC0415

    results = ingest_paths(sample_report_paths(), db_url, progress=progress)
    out_dir.mkdir(parents=True, exist_ok=True)
    exports = {}
    for fmt in ("jsonl", "csv", "geojson"):
        path = out_dir / f"demo-events.{fmt}"
        with path.open("w", encoding="utf-8", newline="") as out:
            export_events(db_url, fmt, out)
        exports[fmt] = path
    events, _ = list_events(db_url)
    incidents, _ = list_incidents(db_url, limit=None)
    showcase = most_disputed(incidents)
    contested = get_incident(db_url, showcase.incident_id) if showcase else None
    loaded = load_agreements(db_url, example_agreements_path())
    assessments = assess_agreement(db_url, DEMO_AGREEMENT)
    path = out_dir / f"demo-compliance-{DEMO_AGREEMENT}.jsonl"
    with path.open("w", encoding="utf-8", newline="") as out:
        write_compliance(assessments, "jsonl", out)
    exports["compliance"] = path
    from trucewatch.publish.report import write_report  # noqa: PLC0415 - matplotlib and WeasyPrint load only here

    report = compliance_report(db_url, DEMO_AGREEMENT)
    for fmt in ("html", "pdf"):
        exports[f"report {fmt}"] = write_report(report, fmt, out_dir / f"demo-report-{DEMO_AGREEMENT}.{fmt}")[0]
    parties = party_summary(assessments, get_agreement(db_url, DEMO_AGREEMENT))
    return DemoResult(results, events, exports, incidents, contested, loaded, assessments, parties)


def most_disputed(incidents: Iterable[IncidentSummary]) -> IncidentSummary | None:
    """The contested incident most worth showing: conflicting figures first, then the most reports and events."""
    contested = [i for i in incidents if i.contested]
    if not contested:
        return None
    return max(contested, key=lambda i: (any(r.startswith("conflicting figures") for r in i.reasons), i.n_reports,
                                         i.n_events, i.incident_id))


# --- compliance report -----------------------------------------------------------------------------------------


def compliance_report(db_url: str, agreement_id: str, date_from: date | None = None, date_to: date | None = None,
                      generated_at: datetime | None = None, conflict: Conflict | None = None) -> ComplianceReport:
    """The compliance report of one agreement (see docs/reports.md): its window in force, the assessments of
    `assess_agreement` and the full record of every incident inside the window or on its boundary. TW-E503 for an
    unknown agreement. Render it with `trucewatch.publish.report.write_report`."""
    from trucewatch.publish.report import build_report  # noqa: PLC0415  (matplotlib: only reports need it)
    from trucewatch.settings import masked_url  # noqa: PLC0415

    conflict = conflict or shipped_conflict()
    agreements = list_agreements(db_url)
    agreement = _require_agreement(agreements, agreement_id)
    assessments = assess_agreement(db_url, agreement_id, date_from, date_to, conflict)
    shown = [a.incident_id for a in assessments if a.window_status in ("inside", "uncertain")]
    return build_report(agreement, assessments, _incidents(db_url, shown, conflict.sides),
                        window=window_of(agreement, agreements), date_from=date_from, date_to=date_to,
                        database=masked_url(db_url), generated_at=generated_at or _now(), area=conflict.map,
                        zone_names=conflict.zone_names)


def _incidents(db_url: str, incident_ids: Sequence[str], sides: Sides) -> dict[str, Incident]:
    """The full records of these incidents, described afresh from their events, by id."""
    found: dict[str, Incident] = {}
    with Store.open(db_url, upgrade=False) as store:
        overrides = store.overrides()
        for start in range(0, len(incident_ids), DESCRIBE_BATCH):
            members = store.events_of_incidents(incident_ids[start:start + DESCRIBE_BATCH])
            found.update((i.incident_id, i) for i in _describe_all(store, members, sides, overrides))
    return found
