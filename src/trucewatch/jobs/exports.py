"""What leaves the store as files: events as JSONL, CSV or GeoJSON, compliance assessments, and the compliance
report of one agreement (HTML, Markdown or PDF by `trucewatch.publish.report`).
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any, TextIO

from trucewatch.conflict import Conflict, shipped_conflict
from trucewatch.jobs.agreements import (
    assess_agreement,
    assess_incidents,
    list_agreements,
    require_agreement,
)
from trucewatch.jobs.inbox import latest_published
from trucewatch.jobs.ingest import DESCRIBE_BATCH, describe_all, utc_now
from trucewatch.jobs.record_views import reach_of
from trucewatch.pipeline.assess import window_of
from trucewatch.pipeline.sides import Sides
from trucewatch.publish.compliance import check_compliance_format, write_compliance
from trucewatch.publish.export import (
    Account,
    ExportCounts,
    IncidentAccounts,
    export,
    export_incidents,
    level_for,
)
from trucewatch.records import (
    Incident,
    IncidentFilter,
    Window,
)
from trucewatch.storage import Database
from trucewatch.storage.views import summary_rows

if TYPE_CHECKING:
    from trucewatch.publish.report import ComplianceReport

EXPORT_BATCH = 500  # incidents read per round trip by the incident-level export


def export_events(db: Database, fmt: str, out: IO[Any], level: str | None = None) -> ExportCounts:
    """Stream the record to `out` as jsonl, csv, geojson or parquet (a binary `out`): one row per incident (level
    `incident`) or per report's account of an event (`account`); without a level, the format's default
    (`publish.export.DEFAULT_LEVELS`). Returns how many rows were written (and skipped). TW-E301, TW-E303."""
    if level_for(fmt, level) == "account":
        return export(db.reports.iter_sourced_events(), fmt, out)
    return export_incidents(iter_incident_accounts(db), fmt, out)


def iter_incident_accounts(db: Database, batch_size: int = EXPORT_BATCH) -> Iterator[IncidentAccounts]:
    """Every stored incident, in (first day, id) order with undated ones last, with every report's account of it:
    the store's summary (its estimates as the pages show them), its events and their reports' outlets, read
    `batch_size` incidents at a time. Events in no incident are in none of them (`trucewatch resolve --check`)."""
    store = db.reports
    offset = 0
    while summaries := store.list_incidents(limit=batch_size, offset=offset):
        offset += len(summaries)
        events = store.events_of_incidents([s.incident_id for s in summaries])
        reports = store.reports(e.report_id for members in events.values() for e in members)
        for summary in summaries:
            accounts = []
            for e in events.get(summary.incident_id, []):
                report = reports.get(e.report_id)
                accounts.append(Account(e, report.outlet if report else None, report.url if report else None,
                                        report.published if report else None))
            yield IncidentAccounts(summary, tuple(accounts))


def export_compliance(db: Database, agreement_id: str, fmt: str, out: TextIO, date_from: date | None = None,
                      date_to: date | None = None, conflict: Conflict | None = None) -> int:
    """Write the assessments of `assess_agreement` as jsonl or csv (TW-E506 otherwise); returns how many."""
    check_compliance_format(fmt)
    return write_compliance(assess_agreement(db, agreement_id, date_from, date_to, conflict), fmt, out)


# --- compliance report -----------------------------------------------------------------------------------------


def compliance_report(db: Database, agreement_id: str, date_from: date | None = None, date_to: date | None = None,
                      generated_at: datetime | None = None, conflict: Conflict | None = None) -> ComplianceReport:
    """The compliance report of one agreement (see docs/reports.md): its window in force, the assessments of
    `assess_incidents` and the full record of every incident inside the window or on its boundary. TW-E503 for an
    unknown agreement. Render it with `trucewatch.publish.report.write_report`.

    Only the incidents whose stored dates reach the window (`reach_of`: widened by what a coarse date and the time
    zones can add) are described and assessed; the others are outside it by their dates alone and only counted, so
    a store of years costs what its window holds."""
    from trucewatch.publish.report import build_report  # noqa: PLC0415  (matplotlib: only reports need it)

    conflict = conflict or shipped_conflict()
    agreements = list_agreements(db)
    agreement = require_agreement(agreements, agreement_id)
    window = window_of(agreement, agreements)
    near, far, span = _near_window(db, window, IncidentFilter(date_from=date_from, date_to=date_to))
    assessments = assess_incidents(db, agreement_id, near, conflict)
    shown = [a.incident_id for a in assessments if a.window_status in ("inside", "uncertain")]
    findings = [f for f in latest_published(db.cases.findings(published_only=True)) if f.agreement_id == agreement_id]
    return build_report(agreement, assessments, _incidents(db, shown, conflict.sides), window=window,
                        date_from=date_from, date_to=date_to, generated_at=generated_at or utc_now(),
                        area=conflict.map, zone_names=conflict.zone_names, findings=findings, also_outside=far,
                        span=span)


def _near_window(db: Database, window: Window,
                 filters: IncidentFilter) -> tuple[list[str], int, tuple[date, date] | None]:
    """The incidents (matching `filters`) whose stored dates reach the window, or that are undated, in date order;
    how many others there are; and the first and last day of them all."""
    first, last = reach_of(window)
    near: list[str] = []
    far = 0
    dates: list[date] = []
    for row in summary_rows(db.engine, filters):
        end = row.last_date or row.first_date
        if row.first_date is None or (end is not None and end >= first and (last is None or row.first_date <= last)):
            near.append(row.incident_id)
        else:
            far += 1
        dates += [d for d in (row.first_date, end) if d is not None]
    span = (min(dates), max(dates)) if dates else None
    return near[::-1], far, span


def _incidents(db: Database, incident_ids: Sequence[str], sides: Sides) -> dict[str, Incident]:
    """The full records of these incidents, described afresh from their events, by id."""
    found: dict[str, Incident] = {}
    store = db.reports
    overrides = store.overrides()
    for start in range(0, len(incident_ids), DESCRIBE_BATCH):
        members = store.events_of_incidents(incident_ids[start:start + DESCRIBE_BATCH])
        found.update((i.incident_id, i) for i in describe_all(store, members, sides, overrides))
    return found
