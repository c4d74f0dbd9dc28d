"""Plain functions that run whole jobs over the store: what the CLI, the web app and the batch runner call.

Each returns data; none prints (progress bars are drawn only when asked, on stderr).
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TextIO

from trucewatch.errors import IngestError, TrucewatchError
from trucewatch.pipeline.extract import extract_events
from trucewatch.pipeline.ingest import DEFAULT_MAX_BYTES, iter_sources, read_reports
from trucewatch.publish.export import ExportCounts, check_format, export
from trucewatch.records import Event, IngestResult, Report
from trucewatch.storage import Store, migrate
from trucewatch.storage.repository import BATCH

log = logging.getLogger(__name__)


def ingest_paths(paths: list[Path], db_url: str, published: date | None = None, progress: bool = False,
                 max_report_bytes: int | None = None) -> list[IngestResult]:
    """Read every file under `paths`, extract its events and store each report in its own transaction.

    One bad file gives one refused IngestResult with the reason; the rest of the batch goes on. Content already
    stored (same SHA-256) is "unchanged" and not extracted again.
    """
    return list(iter_ingest(paths, db_url, published, progress, max_report_bytes))


def iter_ingest(paths: list[Path], db_url: str, published: date | None = None, progress: bool = False,
                max_report_bytes: int | None = None) -> Iterator[IngestResult]:
    """`ingest_paths`, one result at a time as each report is done."""
    from tqdm import tqdm  # noqa: PLC0415  (only ingest draws a bar)

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
                        else ingest_report(store, item)
            bar.update()


def ingest_report(store: Store, report: Report) -> IngestResult:
    """Extract one report's events and save it with them in one transaction; never raises for a bad report."""
    source = report.source or report.report_id
    if store.has_report(report.sha256):
        return IngestResult(source, report.report_id, "unchanged", at=_now())
    try:
        events = extract_events(report)
    except TrucewatchError as err:
        return _refused(source, err, report.report_id)
    except Exception as err:  # a bug in extraction must not stop the batch, nor pass unnoticed
        log.exception("event extraction failed for %s", source)
        return _refused(source, IngestError("TW-E114", source=source, detail=f"{type(err).__name__}: {err}"),
                        report.report_id)
    try:
        added = store.save(report, events)
    except TrucewatchError as err:
        return _refused(source, err, report.report_id)
    if not added:
        return IngestResult(source, report.report_id, "unchanged", at=_now())
    return IngestResult(source, report.report_id, "added", events=len(events), at=_now())


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
    """What the demo did: ingest results, the events stored, and the export files written."""

    ingest: list[IngestResult]
    events: list[Event]
    exports: dict[str, Path]


def run_demo(db_url: str, out_dir: Path, progress: bool = False) -> DemoResult:
    """The main job on the bundled sample: ingest the sample reports, then export every event in each format."""
    from trucewatch.demo import sample_report_paths  # noqa: PLC0415

    results = ingest_paths(sample_report_paths(), db_url, progress=progress)
    out_dir.mkdir(parents=True, exist_ok=True)
    exports = {}
    for fmt in ("jsonl", "csv", "geojson"):
        path = out_dir / f"demo-events.{fmt}"
        with path.open("w", encoding="utf-8", newline="") as out:
            export_events(db_url, fmt, out)
        exports[fmt] = path
    events, _ = list_events(db_url)
    return DemoResult(results, events, exports)
