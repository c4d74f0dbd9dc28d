"""Ingest: read report files, code their events, store each report with its events and audit entry in one
transaction, and resolve the new events into incidents at once (`resolve_new`: they join incidents already known or
open new ones; nothing else is recomputed). Each job returns data; none prints (a progress bar only when asked, on
stderr).

The conflict: jobs that read the actor dictionary, the gazetteer or the sides take the `Conflict` the caller loaded
from its settings (`trucewatch.conflict.load_conflict`); without one, the shipped data.
"""
from __future__ import annotations

import logging
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from trucewatch.audit.log import (
    default_actor,
    report_entry,
)
from trucewatch.conflict import Conflict, shipped_conflict
from trucewatch.errors import (
    IngestError,
    TrucewatchError,
)
from trucewatch.pipeline.digest import IncidentDigest, combined, digest_of
from trucewatch.pipeline.extract import extract_events
from trucewatch.pipeline.incident import describe, sources_of, summary_of_digest
from trucewatch.pipeline.ingest import DEFAULT_MAX_BYTES, iter_sources, read_reports
from trucewatch.pipeline.resolve import Resolver, candidate_of, day_range, fitting_types, incident_id_for
from trucewatch.pipeline.sides import Sides
from trucewatch.records import (
    Event,
    Incident,
    IngestResult,
    Override,
    Report,
    Source,
)
from trucewatch.storage import Database, Store
from trucewatch.storage.audit_log import recorder

if TYPE_CHECKING:
    pass

DESCRIBE_BATCH = 200  # incidents described and saved per transaction by `describe_all` callers

log = logging.getLogger(__name__)


def ingest_paths(paths: list[Path], db: Database, published: date | None = None, progress: bool = False,
                 max_report_bytes: int | None = None, conflict: Conflict | None = None,
                 max_extract_seconds: float | None = None, workers: int = 1) -> list[IngestResult]:
    """Read every file under `paths`, extract its events (with the conflict's actor dictionary and gazetteer) and
    store each report in its own transaction.

    One bad file gives one refused IngestResult with the reason; the rest of the batch goes on. Content already
    stored (same SHA-256) is "unchanged" and not extracted again. `workers` > 1 extracts in that many processes;
    the results are the same (`jobs.extract_pool`).
    """
    return list(iter_ingest(paths, db, published, progress, max_report_bytes, conflict, max_extract_seconds,
                            workers))


def iter_ingest(paths: list[Path], db: Database, published: date | None = None, progress: bool = False,
                max_report_bytes: int | None = None, conflict: Conflict | None = None,
                max_extract_seconds: float | None = None, workers: int = 1) -> Iterator[IngestResult]:
    """`ingest_paths`, one result at a time as each report is done, in input order."""
    from tqdm import tqdm  # noqa: PLC0415  (only ingest draws a bar)

    conflict = conflict or shipped_conflict()
    sources = list(iter_sources(paths))
    store = db.reports
    total = count_reports(sources) if progress else None
    items = read_all(sources, published, max_report_bytes)
    if workers > 1:
        from trucewatch.jobs.extract_pool import ingest_in_workers  # noqa: PLC0415  (it imports this module)

        results = ingest_in_workers(store, items, conflict, max_extract_seconds, workers)
    else:
        results = (item if isinstance(item, IngestResult) else ingest_report(store, item, conflict, max_extract_seconds)
                   for item in items)
    with tqdm(total=total, unit="report", file=sys.stderr, disable=not progress) as bar:
        for result in results:
            yield result
            bar.update()  # a report at a time: one .jsonl of 300 reports moves the bar 300 times


def read_all(sources: Iterable[Path | IngestError], published: date | None = None,
             max_report_bytes: int | None = None) -> Iterator[Report | IngestResult]:
    """Every report of `sources` in order, or the refusal of what cannot be read, one file at a time."""
    limit = max_report_bytes or DEFAULT_MAX_BYTES
    for source in sources:
        if isinstance(source, IngestError):
            yield _refused(str(source.details.get("source", "?")), source)
            continue
        for item in read_reports(source, published, limit):
            yield _refused(str(item.details["source"]), item) if isinstance(item, IngestError) else item


COUNT_LINES_BYTES = 256 * 2**20  # .jsonl files up to this size in all are scanned for the bar's total


def count_reports(sources: Sequence[Path | IngestError]) -> int | None:
    """How many reports (and refusals) ingesting `sources` gives, for the progress bar: a file's one, a .jsonl file's
    non-blank lines. None (a bar without a total) when the .jsonl files are too large to scan at once."""
    lines = [s for s in sources if isinstance(s, Path) and s.suffix.lower() == ".jsonl"]
    try:
        if sum(path.stat().st_size for path in lines) > COUNT_LINES_BYTES:
            return None
        return len(sources) - len(lines) + sum(_non_blank_lines(path) for path in lines)
    except OSError:  # the file is refused with its reason when it is read
        return None


def _non_blank_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return max(1, sum(1 for line in fh if line.strip()))  # an empty file still gives one refusal


def ingest_report(store: Store, report: Report, conflict: Conflict | None = None,
                  max_extract_seconds: float | None = None) -> IngestResult:
    """Extract one report's events, save it with them in one transaction, then resolve them into incidents; never
    raises for a bad report. A report whose id is stored with other content is stored as a revision (new id); one
    whose extraction takes longer than `max_extract_seconds` (default 30) is refused with TW-E119, nothing stored."""
    conflict = conflict or shipped_conflict()
    if store.has_report(report.sha256):
        return IngestResult(report.source or report.report_id, report.report_id, "unchanged", at=utc_now())
    report = store.versioned(report)
    extracted = extract_or_refuse(report, conflict, max_extract_seconds)
    if isinstance(extracted, IngestResult):
        return extracted
    return store_extracted(store, report, extracted, conflict)


def extract_or_refuse(report: Report, conflict: Conflict, max_extract_seconds: float | None = None,
                      ) -> list[Event] | IngestResult:
    """A report's events, or its refusal (a plain record, so that a worker process can send it back): TW-E119 when
    extraction takes too long, TW-E114 for a bug in extraction, which must not stop the batch nor pass unnoticed."""
    source = report.source or report.report_id
    try:
        return extract_events(report, conflict.dictionary, conflict.gazetteer, max_extract_seconds)
    except TrucewatchError as err:
        return _refused(source, err, report.report_id)
    except Exception as err:
        log.exception("event extraction failed for %s", source)
        return _refused(source, IngestError("TW-E114", source=source, detail=f"{type(err).__name__}: {err}"),
                        report.report_id)


def store_extracted(store: Store, report: Report, events: Sequence[Event], conflict: Conflict | None = None, *,
                    resolve: bool = True) -> IngestResult:
    """Save a report (already `Store.versioned`) with the events extracted from it and its audit entry in one
    transaction, then resolve them into incidents in it; never raises for a bad report. With `resolve=False` the
    events stay in no incident, for a backfill that resolves everything once at its end (`incidents.resolve_all`)."""
    conflict = conflict or shipped_conflict()
    source = report.source or report.report_id
    notes = [f"a revision of {report.revision_of}"] if report.revision_of else []
    try:  # the report, its events, its audit entry and the incidents they change: one write transaction
        with store.writing() as writing:
            added = writing.save(report, events, audit=recorder(default_actor(), report_entry(report, events)))
            if added and resolve:
                notes += _resolve_stored(writing, events, conflict.sides, source)
    except TrucewatchError as err:
        return _refused(source, err, report.report_id)
    if not added:
        return IngestResult(source, report.report_id, "unchanged", at=utc_now())
    return IngestResult(source, report.report_id, "added", reason="; ".join(notes), events=len(events), at=utc_now())


def _resolve_stored(writing: Store, events: Sequence[Event], sides: Sides, source: str) -> list[str]:
    """Resolve a report's events in the transaction that stores them. Should resolution fail (a bug), only its part
    is undone: the report stays stored, its events in no incident, and the note says so (`check_incidents` and
    `trucewatch resolve` place them)."""
    try:
        with writing.savepoint():
            resolve_new(writing, events, sides)
    except Exception as err:
        log.exception("incident resolution failed for %s", source)
        return [f"not yet in incidents ({type(err).__name__}: {err}); run 'trucewatch resolve --check'"]
    return []


# --- incidents ---------------------------------------------------------------------------------------------------


def resolve_new(store: Store, events: Sequence[Event], sides: Sides | None = None) -> list[str]:
    """Place newly stored events among the incidents already known, and update the summaries of the incidents they
    join. Returns the ids of those incidents. `sides`: the conflict's (default: the shipped data's).

    Only stored events near the new ones (`Store.events_near`) and the other events of their incidents are read, and
    only their own columns; they keep their incidents. A new event joins the best-fitting of them or opens its own.
    Stored events that have no incident yet are placed like new ones. An incident's summary is made from its stored
    digest and the joining events' (`pipeline.digest`): its other members are read only when it has no digest yet."""
    if not events:
        return []
    sides = sides or Sides.shipped()
    overrides = store.overrides()
    known = _neighbourhood(store, events, {e for o in overrides for e in (o.event_id, o.target_event_id) if e})
    resolver = Resolver(overrides)
    for e in known.values():
        candidate = candidate_of(e, sides.side_of, sides.not_groups)
        if e.incident_id is not None and candidate is not None:
            resolver.seed(candidate, e.incident_id)
    loose = [store.get_event(e.event_id) or e for e in known.values() if e.incident_id is None]
    placed = _place(resolver, [*loose, *events], sides)
    joining: dict[str, list[Event]] = defaultdict(list)
    for e in [*loose, *events]:
        joining[placed[e.event_id]].append(e)
    digests = digests_after_joining(store, joining, sides)
    at = utc_now()
    # Only the joining events change incident: the others' rows are left as they are (a big incident's hundreds).
    store.save_incidents(((summary_of_digest(incident_id, digest, at), [e.event_id for e in joining[incident_id]])
                          for incident_id, digest in digests.items()), digests)
    return sorted(joining)


def digests_after_joining(store: Store, joining: Mapping[str, Sequence[Event]],
                          sides: Sides) -> dict[str, IncidentDigest]:
    """Each incident's digest once these events (stored, in no incident yet) have joined it: its stored digest and
    theirs combined. An incident without a stored digest made under these sides (new, or rewritten since) has its
    digest made from its stored members and the joining events."""
    stored = {i: d for i, d in store.incident_digests(set(joining)).items() if d.basis == sides.basis}
    redo = {i for i in joining if i not in stored}
    members = store.events_of_incidents(redo, only_figures_and_claims=True) if redo else {}
    sources = _sources(store, [*(e for found in joining.values() for e in found),
                               *(e for found in members.values() for e in found)])
    return {incident_id: combined(stored.get(incident_id) or digest_of(members.get(incident_id, ()), sources, sides),
                                  digest_of(found, sources, sides))
            for incident_id, found in joining.items()}


def _sources(store: Store, events: Sequence[Event]) -> dict[str, Source]:
    """The reports of these events as sources, with their stories."""
    reports, stories = _reports_of(store, events)
    return sources_of(events, reports, stories)


def _reports_of(store: Store, events: Iterable[Event],
                quoted: bool = False) -> tuple[dict[str, Report], dict[str, str]]:
    """The reports of these events, each with its story as the store recorded it. Reports are read without their
    texts: a text is read only for a report stored without a story (its story is found among the others' texts) and,
    when `quoted`, for a claim without content of its own (its sentence is quoted)."""
    events = list(events)
    report_ids = {e.report_id for e in events}
    reports = store.reports(report_ids, with_text=False)
    stories = store.stories(report_ids)
    need_text = {e.report_id for e in events
                 if e.report_id not in stories or (quoted and any(not c.content.strip() for c in e.claims))}
    reports.update(store.reports(need_text))
    return reports, stories


def _neighbourhood(store: Store, events: Sequence[Event], decided: set[str]) -> dict[str, Event]:
    """Stored events that the new ones might join, and what resolution compares of the other events of their
    incidents (`Store.incident_accounts`: a big incident's hundreds of one-event accounts read as their few distinct
    values; `decided`, the events of monitors' overrides, read whole), without child rows; the new ones left out."""
    near: dict[str, Event] = {}
    for e in events:
        days = day_range(e)
        if days is None or e.place is None:
            continue
        p = e.place
        point_in = (p.admin2 or "") if p.geo_precision <= 2 else None
        for other in store.events_near(*days, p.country, p.admin1, p.latitude, p.longitude, with_children=False,
                                       point_in=point_in, decided=decided,
                                       fitting=fitting_types(e.event_type, e.sub_event_type)):
            near.setdefault(other.event_id, other)
    incident_ids = {e.incident_id for e in near.values() if e.incident_id}
    known = {event_id: e for event_id, e in near.items() if e.incident_id is None}  # loose: placed like new ones
    for member in store.incident_accounts(incident_ids, keep=decided):
        known.setdefault(member.event_id, member)
    new = {e.event_id for e in events}
    return {event_id: e for event_id, e in known.items() if event_id not in new}


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


def describe_all(store: Store, members: dict[str, list[Event]], sides: Sides,
                  overrides: list[Override]) -> list[Incident]:
    """The incident record of each incident id, from its events and their reports.

    Reports are read without their texts, and each one's story as the store recorded it: a text is read only for a
    claim without content of its own (its sentence is quoted) or a report without a recorded story."""
    reports, stories = _reports_of(store, (e for found in members.values() for e in found), quoted=True)
    return [_describe(incident_id, found, reports, sides, overrides, stories)
            for incident_id, found in members.items()]


def _describe(incident_id: str, events: list[Event], reports: dict[str, Report], sides: Sides,
              overrides: list[Override], stories: dict[str, str]) -> Incident:
    events = [replace(e, incident_id=incident_id) for e in events]
    ids = {e.event_id for e in events}
    own = [o for o in overrides if o.event_id in ids or o.target_event_id in ids]
    return describe(incident_id, events, reports, sides.side_of, own, sides.nationalities, stories)


def sides_of(conflict: Conflict | None) -> Sides:
    return (conflict or shipped_conflict()).sides


def _refused(source: str, err: TrucewatchError, report_id: str | None = None) -> IngestResult:
    return IngestResult(str(source), report_id, "refused", reason=reason(err, str(source)), at=utc_now())


def reason(err: TrucewatchError, source: str) -> str:
    """'TW-E104: empty report (no text); nothing to ingest': the error without the source it names first."""
    text = str(err)
    prefix = f"{err.code}: {source}: "
    return f"{err.code}: {text[len(prefix):]}" if text.startswith(prefix) else text


def utc_now() -> datetime:
    return datetime.now(UTC)
