"""Extraction in worker processes, storing in this one: `ingest --workers N` and the workers of a backfill.

A worker process runs only `extract_events` (the same code as a one-process ingest) and sends back plain records: a
report's events, or its refusal as an `IngestResult`. The process that reads the reports stores them, one writer, so
the store sees what a one-process ingest gives it, in the same order. Each worker loads the conflict's dictionary and
gazetteer once, by the conflict's name (`SHIPPED` or its data folder), not by sending it: the gazetteer is large.
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from trucewatch.conflict import SHIPPED, Conflict, read_conflict, shipped_conflict
from trucewatch.errors import IngestError
from trucewatch.jobs.ingest import _refused, extract_or_refuse, ingest_report, store_extracted, utc_now
from trucewatch.records import Event, IngestResult, Report
from trucewatch.storage import Store

IN_FLIGHT_PER_WORKER = 4  # reports handed out ahead per worker: enough to keep it busy, few enough to bound memory

Extracted = list[Event] | IngestResult  # what a worker sends back for one report


def conflict_named(source: str) -> Conflict:
    """The conflict a worker process codes with: the shipped data or a data folder, read once per process (both
    loaders keep what they read)."""
    return shipped_conflict() if source == SHIPPED else read_conflict(Path(source))


def load_in_worker(source: str) -> None:
    """A worker's start: read the conflict's dictionary and gazetteer now, not during its first report."""
    _ = conflict_named(source).gazetteer


def extract_in_worker(report: Report, source: str, max_seconds: float | None) -> Extracted:
    return extract_or_refuse(report, conflict_named(source), max_seconds)


def extract_partition(reports: list[Report], source: str, max_seconds: float | None) -> list[Extracted]:
    """A backfill's task: the events of each report of a partition, in order."""
    conflict = conflict_named(source)
    return [extract_or_refuse(report, conflict, max_seconds) for report in reports]


def store_checked(store: Store, report: Report, extracted: Extracted, conflict: Conflict,
                  max_seconds: float | None, *, resolve: bool = True) -> IngestResult:
    """Store what a worker extracted from `report`. Should an earlier report of the batch have taken its id with
    other content since it was handed out, it is a revision now, with other event ids: it is extracted again here."""
    if isinstance(extracted, IngestResult):
        return extracted
    now = store.versioned(report)
    if now.report_id != report.report_id:
        return ingest_report(store, now, conflict, max_seconds) if resolve else \
            _store_again(store, now, conflict, max_seconds)
    return store_extracted(store, report, extracted, conflict, resolve=resolve)


def _store_again(store: Store, report: Report, conflict: Conflict, max_seconds: float | None) -> IngestResult:
    extracted = extract_or_refuse(report, conflict, max_seconds)
    if isinstance(extracted, IngestResult):
        return extracted
    return store_extracted(store, report, extracted, conflict, resolve=False)


@dataclass
class _Pending:
    """One input in the window: a result known at once (unchanged, refused while reading), or a report out to a
    worker (`future` None once the pool it went to broke: it is run again, alone)."""

    result: IngestResult | None = None
    report: Report | None = None
    future: Future[Extracted] | None = None
    pool_generation: int = 0


class _Pool:
    """A process pool that is replaced when a worker dies (killed by the system, out of memory, a crash in C code);
    `generation` counts the pools, so that a future of a pool already replaced does not replace the new one."""

    def __init__(self, workers: int, source: str, max_seconds: float | None) -> None:
        self.workers, self.source, self.max_seconds = workers, source, max_seconds
        self.generation = 0
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: this process holds a database engine and tqdm's thread, which a fork would copy
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=load_in_worker, initargs=(self.source,))

    def submit(self, report: Report) -> _Pending:
        """Hand a report to a worker; a pool found broken here (a worker died since) is replaced first."""
        try:
            future = self.executor.submit(extract_in_worker, report, self.source, self.max_seconds)
        except BrokenProcessPool:
            self.restart()
            future = self.executor.submit(extract_in_worker, report, self.source, self.max_seconds)
        return _Pending(report=report, future=future, pool_generation=self.generation)

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._start()
        self.generation += 1

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def ingest_in_workers(store: Store, items: Iterable[Report | IngestResult], conflict: Conflict,
                      max_seconds: float | None, workers: int) -> Iterator[IngestResult]:
    """`ingest_report` of every report of `items` with extraction spread over `workers` processes: results in input
    order, stored and resolved one at a time here. A worker that dies costs one refused report (TW-E120) at most:
    the reports it may have held are coded again one at a time, and the one that kills a worker alone is refused."""
    pool = _Pool(workers, conflict.source, max_seconds)
    window: deque[_Pending] = deque()
    todo = iter(items)
    try:
        while True:
            if not any(p.report is not None and p.future is None for p in window):  # none to code again alone
                _fill(window, todo, store, pool, workers * IN_FLIGHT_PER_WORKER)
            if not window:
                return
            yield _finish(window.popleft(), window, store, pool, conflict)
    finally:
        pool.close()


def _fill(window: deque[_Pending], todo: Iterator[Report | IngestResult], store: Store, pool: _Pool,
          size: int) -> None:
    while len(window) < size:
        item = next(todo, None)
        if item is None:
            return
        if isinstance(item, IngestResult):
            window.append(_Pending(result=item))
        elif store.has_report(item.sha256):
            window.append(_Pending(result=IngestResult(item.source or item.report_id, item.report_id, "unchanged",
                                                       at=utc_now())))
        else:
            window.append(pool.submit(store.versioned(item)))


def _finish(pending: _Pending, window: deque[_Pending], store: Store, pool: _Pool,
            conflict: Conflict) -> IngestResult:
    if pending.report is None:
        return pending.result or IngestResult("?", None, "refused", at=utc_now())
    report, alone = pending.report, pending.future is None  # alone: no other report is out to a worker
    if pending.future is None:
        pending = pool.submit(report)
    try:
        extracted = pending.future.result() if pending.future else None
    except BrokenProcessPool:
        if pending.pool_generation == pool.generation:
            pool.restart()
        for other in window:  # what was out with it went down with its pool: each is coded again, alone
            if other.future is not None and other.pool_generation < pool.generation and not _succeeded(other.future):
                other.future = None
        if alone:
            source = report.source or report.report_id
            return _refused(source, IngestError("TW-E120", source=source), report.report_id)
        return _finish(_Pending(report=report), window, store, pool, conflict)
    return store_checked(store, report, extracted or [], conflict, pool.max_seconds)


def _succeeded(future: Future[Extracted]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None
