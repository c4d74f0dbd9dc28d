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

# A worker codes a few reports per task: handing a task out and taking its results back costs this process about
# half a millisecond whatever its size, and with one report a task that is 6 % of a 10 ms report, taken from the
# cores the workers need (benchmarks/bench_extract.py --workers). Two tasks are out per worker, so that it never waits
# for this process between them; the window stays small enough to bound memory.
REPORTS_PER_TASK = 4
TASKS_PER_WORKER = 2
IN_FLIGHT_PER_WORKER = REPORTS_PER_TASK * TASKS_PER_WORKER  # reports handed out ahead per worker

Extracted = list[Event] | IngestResult  # what a worker sends back for one report


def conflict_named(source: str) -> Conflict:
    """The conflict a worker process codes with: the shipped data or a data folder, read once per process (both
    loaders keep what they read)."""
    return shipped_conflict() if source == SHIPPED else read_conflict(Path(source))


def load_in_worker(source: str) -> None:
    """A worker's start: read the conflict's dictionary and gazetteer now, not during its first report."""
    _ = conflict_named(source).gazetteer


def extract_partition(reports: list[Report], source: str, max_seconds: float | None) -> list[Extracted]:
    """A worker's task (`ingest --workers`: a few reports; a backfill: a partition): the events of each report, in
    order."""
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
    worker in a task of a few (`future` gives the task's results, this report's at `index`; None until the task is
    handed out, and once the pool it went to broke: it is then run again, alone)."""

    result: IngestResult | None = None
    report: Report | None = None
    future: Future[list[Extracted]] | None = None
    index: int = 0
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

    def submit(self, task: list[_Pending]) -> None:
        """Hand these reports to a worker as one task; a pool found broken here (a worker died since) is replaced
        first."""
        reports = [p.report for p in task if p.report is not None]
        try:
            future = self.executor.submit(extract_partition, reports, self.source, self.max_seconds)
        except BrokenProcessPool:
            self.restart()
            future = self.executor.submit(extract_partition, reports, self.source, self.max_seconds)
        for index, pending in enumerate(task):
            pending.future, pending.index, pending.pool_generation = future, index, self.generation

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
    size = workers * IN_FLIGHT_PER_WORKER
    try:
        while True:
            # topped up a whole task at a time, and not while one is to be coded again alone
            if len(window) <= size - REPORTS_PER_TASK and not any(p.report is not None and p.future is None
                                                                  for p in window):
                _fill(window, todo, store, pool, size)
            if not window:
                return
            yield _finish(window.popleft(), window, store, pool, conflict)
    finally:
        pool.close()


def _fill(window: deque[_Pending], todo: Iterator[Report | IngestResult], store: Store, pool: _Pool,
          size: int) -> None:
    task: list[_Pending] = []
    while len(window) < size:
        item = next(todo, None)
        if item is None:
            break
        if isinstance(item, IngestResult):
            window.append(_Pending(result=item))
        elif store.has_report(item.sha256):
            window.append(_Pending(result=IngestResult(item.source or item.report_id, item.report_id, "unchanged",
                                                       at=utc_now())))
        else:
            task.append(_Pending(report=store.versioned(item)))
            window.append(task[-1])
            if len(task) == REPORTS_PER_TASK:
                pool.submit(task)
                task = []
    if task:
        pool.submit(task)


def _finish(pending: _Pending, window: deque[_Pending], store: Store, pool: _Pool,
            conflict: Conflict) -> IngestResult:
    if pending.report is None:
        return pending.result or IngestResult("?", None, "refused", at=utc_now())
    report, alone = pending.report, pending.future is None  # alone: no other report is out to a worker
    if pending.future is None:
        pool.submit([pending])
    try:
        extracted = pending.future.result()[pending.index] if pending.future else None
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


def _succeeded(future: Future[list[Extracted]]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None
