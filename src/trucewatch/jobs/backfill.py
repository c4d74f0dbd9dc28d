"""Backfill: years of reports coded on a Dask cluster, stored by one writer, resolved once at the end.

The reports are read here; those already stored (by SHA-256) are skipped before extraction, so a backfill that was
killed resumes where it stopped, with nothing stored twice. Partitions of `batch` reports go to the workers, which run
the same extraction as `ingest` (`jobs.extract_pool.extract_partition`) and send back the events; this process stores
each partition's reports in one transaction with no incident (`store_extracted(..., resolve=False)`). When every report
is stored, `incidents.resolve_all` places every event, so accounts of one happening that fell into different
partitions (or different runs) end as one incident.

Dask is imported here only, when a backfill runs: no other command pays for it. See docs/backfill.md.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from trucewatch.conflict import Conflict, shipped_conflict
from trucewatch.errors import IngestError
from trucewatch.jobs.extract_pool import Extracted, extract_partition, load_in_worker, store_checked
from trucewatch.jobs.incidents import resolve_all
from trucewatch.jobs.ingest import _refused, count_reports, read_all
from trucewatch.pipeline.ingest import iter_sources
from trucewatch.records import IngestResult, Report
from trucewatch.storage import Database, Store

if TYPE_CHECKING:
    from distributed import Client, Future

DEFAULT_BATCH = 200  # reports per partition: a task long enough (seconds) that Dask's overhead per task is small
SCHEDULER_TIMEOUT = 15  # seconds to wait for --scheduler's answer
IN_FLIGHT_PER_WORKER = 2  # partitions handed out ahead per worker: the workers stay busy, memory stays bounded


@dataclass
class BackfillCounts:
    """What a backfill did: reports added, skipped (stored before: this run's or an earlier one's) and refused; events
    stored; and the incidents after resolution (`resolve_all`'s counts)."""

    added: int = 0
    skipped: int = 0
    refused: int = 0
    events: int = 0
    resolved: dict[str, int] = field(default_factory=dict)

    def count(self, result: IngestResult) -> None:
        if result.status == "added":
            self.added += 1
            self.events += result.events
        elif result.status == "refused":
            self.refused += 1
        else:
            self.skipped += 1


@dataclass(frozen=True)
class BackfillOptions:
    workers: int = 2  # the local cluster's worker processes (one thread each); ignored with `scheduler`
    scheduler: str | None = None  # an existing Dask scheduler's address, e.g. tcp://10.0.0.5:8786
    batch: int = DEFAULT_BATCH
    published: date | None = None
    max_report_bytes: int | None = None
    max_extract_seconds: float | None = None
    progress: bool = False


def backfill_job(paths: list[Path], db: Database, options: BackfillOptions, conflict: Conflict | None = None, *,
                 on_cluster: Callable[[str], None] = lambda _: None,
                 refused: Callable[[IngestResult], None] = lambda _: None) -> BackfillCounts:
    """Code, store and resolve every report under `paths` on a Dask cluster. `on_cluster` is told the dashboard's
    address once the cluster is up; `refused` each report refused, or stored with a note (a revision), as it is done.
    Refused reports are not stored: a later backfill tries them again."""
    from tqdm import tqdm  # noqa: PLC0415  (only long jobs draw a bar)

    conflict = conflict or shipped_conflict()
    counts = BackfillCounts()
    sources = list(iter_sources(paths))
    total = count_reports(sources) if options.progress else None
    with _client(options) as client, tqdm(total=total, unit="report", file=sys.stderr, smoothing=0.1,
                                           disable=not options.progress) as bar:
        on_cluster(str(client.dashboard_link))

        def done(result: IngestResult) -> None:
            counts.count(result)
            bar.update()
            if result.reason:
                refused(result)

        client.run(load_in_worker, conflict.source)  # each worker reads the dictionary and gazetteer now, once
        store = db.reports
        items = read_all(sources, options.published, options.max_report_bytes)
        for result in _coded(client, _partitions(store, items, options.batch, done), store, conflict, options):
            done(result)
    counts.resolved = resolve_all(db, conflict)
    return counts


@contextmanager
def _client(options: BackfillOptions) -> Iterator[Client]:
    """A client of the scheduler named, else of a local cluster of `workers` processes of one thread each (extraction
    is pure Python: threads would share one core)."""
    try:
        from distributed import Client, LocalCluster  # noqa: PLC0415  (only a backfill loads Dask)
    except ImportError as err:
        raise IngestError("TW-E123", detail=str(err)) from err
    if options.scheduler:
        try:
            client = Client(options.scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as err:
            raise IngestError("TW-E122", address=options.scheduler, detail=f"{type(err).__name__}: {err}") from err
        with client:
            yield client
        return
    with LocalCluster(n_workers=options.workers, threads_per_worker=1, processes=True,
                      silence_logs=logging.CRITICAL) as cluster, Client(cluster) as client:
        yield client


def _partitions(store: Store, items: Iterator[Report | IngestResult], batch: int,
                done: Callable[[IngestResult], None]) -> Iterator[list[Report]]:
    """The reports to code, `batch` at a time, each already `versioned`; what needs no worker (stored before,
    unreadable) is counted and told at once."""
    part: list[Report] = []
    for item in items:
        if isinstance(item, Report) and not store.has_report(item.sha256):
            part.append(store.versioned(item))
            if len(part) >= batch:
                yield part
                part = []
            continue
        result = item if isinstance(item, IngestResult) else \
            IngestResult(item.source or item.report_id, item.report_id, "unchanged")
        done(result)
    if part:
        yield part


def _coded(client: Client, partitions: Iterator[list[Report]], store: Store, conflict: Conflict,
           options: BackfillOptions) -> Iterator[IngestResult]:
    """Each partition sent to a worker, and stored here as its events come back (in the order they finish), with a
    bounded number of partitions out at once."""
    from distributed import as_completed  # noqa: PLC0415  (only a backfill loads Dask)

    out = max(1, len(client.scheduler_info()["workers"])) * IN_FLIGHT_PER_WORKER
    reports_of: dict[Future, list[Report]] = {}
    done = as_completed()
    for part in partitions:
        future = client.submit(extract_partition, part, conflict.source, options.max_extract_seconds, pure=False)
        reports_of[future] = part
        done.add(future)
        if done.count() >= out:
            yield from _stored(next(done), reports_of, store, conflict, options)
    for future in done:
        yield from _stored(future, reports_of, store, conflict, options)


def _stored(future: Future, reports_of: dict[Future, list[Report]], store: Store, conflict: Conflict,
            options: BackfillOptions) -> list[IngestResult]:
    """A partition's reports stored in one transaction, each in a savepoint of its own: one that cannot be stored is
    refused alone. A partition whose worker was lost is refused whole (TW-E121); the next backfill codes it again."""
    reports = reports_of.pop(future)
    try:
        extracted: list[Extracted] = future.result()
    except Exception as err:  # a worker lost, or killed by Dask after repeated deaths: the batch goes on
        return [_lost(report, err) for report in reports]
    finally:
        future.release()
    with store.writing() as writing:
        return [_store_one(writing, report, found, conflict, options) for report, found in zip(reports, extracted,
                                                                                               strict=True)]


def _store_one(writing: Store, report: Report, extracted: Extracted, conflict: Conflict,
               options: BackfillOptions) -> IngestResult:
    try:
        with writing.savepoint():
            result = store_checked(writing, report, extracted, conflict, options.max_extract_seconds, resolve=False)
            if result.status == "refused":
                raise _Undo(result)
    except _Undo as undone:
        return undone.result
    return result


class _Undo(Exception):
    """Rolls back the savepoint of a report that could not be stored, carrying its refusal."""

    def __init__(self, result: IngestResult) -> None:
        super().__init__(result.reason)
        self.result = result


def _lost(report: Report, err: Exception) -> IngestResult:
    source = report.source or report.report_id
    return _refused(source, IngestError("TW-E121", source=source, detail=f"{type(err).__name__}: {err}"),
                    report.report_id)
