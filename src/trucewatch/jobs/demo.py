"""The main job on the bundled sample (`./scripts/demo`): ingest, resolve, export, assess and report."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from trucewatch.jobs.agreements import (
    AgreementChange,
    assess_agreement,
    get_agreement,
    load_agreements,
)
from trucewatch.jobs.exports import compliance_report, export_events
from trucewatch.jobs.incidents import get_incident, list_events, list_incidents
from trucewatch.jobs.ingest import ingest_paths
from trucewatch.pipeline.assess import PartySummary, party_summary
from trucewatch.publish.compliance import write_compliance
from trucewatch.records import (
    Assessment,
    Event,
    Incident,
    IncidentSummary,
    IngestResult,
)
from trucewatch.storage import Database

if TYPE_CHECKING:
    pass

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


def run_demo(db: Database, out_dir: Path, progress: bool = False) -> DemoResult:
    """The main job on the bundled sample: ingest the sample reports (which resolves them into incidents), export
    every event in each format, pick the most disputed incident to show, load the example agreements and assess the
    incidents against the Doha ceasefire (out/demo-compliance-doha-2025-10-19.jsonl) and write its compliance report
    (out/demo-report-doha-2025-10-19.html and .pdf). The sample is the shipped conflict's: it runs on the shipped data
    whatever `data_dir` says."""
    from trucewatch.demo import example_agreements_path, sample_report_paths  # noqa: PLC0415

    results = ingest_paths(sample_report_paths(), db, progress=progress)
    out_dir.mkdir(parents=True, exist_ok=True)
    exports = {}
    for fmt in ("jsonl", "csv", "geojson"):
        path = out_dir / f"demo-events.{fmt}"
        with path.open("w", encoding="utf-8", newline="") as out:
            export_events(db, fmt, out)
        exports[fmt] = path
    events, _ = list_events(db)
    incidents, _ = list_incidents(db, limit=None)
    showcase = most_disputed(incidents)
    contested = get_incident(db, showcase.incident_id) if showcase else None
    loaded = load_agreements(db, example_agreements_path())
    assessments = assess_agreement(db, DEMO_AGREEMENT)
    path = out_dir / f"demo-compliance-{DEMO_AGREEMENT}.jsonl"
    with path.open("w", encoding="utf-8", newline="") as out:
        write_compliance(assessments, "jsonl", out)
    exports["compliance"] = path
    from trucewatch.publish.report import write_report  # noqa: PLC0415 - matplotlib and WeasyPrint load only here

    report = compliance_report(db, DEMO_AGREEMENT)
    for fmt in ("html", "pdf"):
        exports[f"report {fmt}"] = write_report(report, fmt, out_dir / f"demo-report-{DEMO_AGREEMENT}.{fmt}")[0]
    parties = party_summary(assessments, get_agreement(db, DEMO_AGREEMENT))
    return DemoResult(results, events, exports, incidents, contested, loaded, assessments, parties)


def most_disputed(incidents: Iterable[IncidentSummary]) -> IncidentSummary | None:
    """The contested incident most worth showing: conflicting figures first, then the most reports and events."""
    contested = [i for i in incidents if i.contested]
    if not contested:
        return None
    return max(contested, key=lambda i: (any(r.startswith("conflicting figures") for r in i.reasons), i.n_reports,
                                         i.n_events, i.incident_id))
