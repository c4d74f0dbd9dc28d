"""How fast extraction alone runs on one core: reports/s and words/s, synthetic and real news.

    python benchmarks/bench_extract.py                     # 300 synthetic reports of ~600 words, and the corpora
    python benchmarks/bench_extract.py --n 500 --words 300 --repeat 5
    python benchmarks/bench_extract.py --corpus ../shared/corpus/dev --no-synthetic

The process pins itself to one core (`os.sched_setaffinity`, where the system has it), extracts one report first so
that the dictionaries, the gazetteer and the parser are loaded outside the timing, then times
`trucewatch.pipeline.extract.extract_events` over every report, `--repeat` times, in CPU time (`time.process_time`: on
a shared machine wall time counts other people's work); the median pass is printed, with the fastest and slowest.
Before each report the cache of recent dependency parses (`attribution.py`) is cleared, as `bench_ingest.py` does,
since the synthetic reports repeat template sentences that real reports do not.

Two sets: the synthetic reports of `generate_reports.py` (`--n`, `--words`), and the article files of the real
corpora (`--corpus`, default ../shared/corpus/dev and ../shared/corpus/broad beside the repository, when they exist;
their texts are read where they lie, never copied). Words are counted as whitespace-separated tokens of the text.
`--workers 1 2` times the same sets through worker processes instead, as `ingest --workers N` runs them: a pool of
N spawned processes, each loading the dictionaries, gazetteer and parser once, fed in input order in tasks of
`REPORTS_PER_TASK` reports with `TASKS_PER_WORKER` tasks out per worker, every report's events sent back to this
process (`jobs.extract_pool.extract_partition`). Nothing is stored, so the figure is extraction's own scaling,
without the one writer that storing and resolving add (`bench_backfill.py` times those). A speed-up can only be
read in wall time, so run it on quiet cores. Beside each pool the same passes run a pure-Python loop of the same
length, which nothing in trucewatch slows: its speed-up is what the machine itself gives two processes at that
moment (on a shared virtual machine, less than 2x).
See benchmarks/README.md for the figures.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_CORPORA = [HERE.parent.parent / "shared" / "corpus" / name for name in ("dev", "broad")]


def pin_to_one_core() -> int | None:
    """Pin this process to the first core it may run on; None where the system cannot pin."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core


def synthetic_reports(n: int, words: int) -> list[Any]:
    sys.path.insert(0, str(HERE))
    from generate_reports import generate_reports

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "reports.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in generate_reports(n, seed=0, words=words)), encoding="utf-8")
        return _read(path)


def corpus_reports(folders: list[Path]) -> list[Any]:
    return [report for folder in folders for path in sorted((folder / "articles").glob("*.json"))
            for report in _read(path)]


def _read(path: Path) -> list[Any]:
    from trucewatch.pipeline.ingest import read_reports
    from trucewatch.records import Report

    return [item for item in read_reports(path) if isinstance(item, Report)]


def timed_passes(reports: list[Any], repeat: int) -> list[float]:
    """CPU seconds per pass over all the reports, one per repeat: this process's own time, so that other work on a
    shared machine slows the figure less than it would wall time."""
    from trucewatch.pipeline.extract import extract_events

    forget = getattr(importlib.import_module("trucewatch.pipeline.extract.attribution"), "_attributions", None)
    clear: Callable[[], None] = forget.cache_clear if forget is not None else (lambda: None)
    passes = []
    for _ in range(repeat):
        started = time.process_time()
        for report in reports:
            clear()
            extract_events(report)
        passes.append(time.process_time() - started)
    return passes


def load_parser() -> None:
    """The dependency parser loads once per process: load it now, outside the timing."""
    parser_of = getattr(importlib.import_module("trucewatch.pipeline.extract.attribution"), "parser", None)
    if parser_of is not None:
        parser_of()


def _start_worker(source: str) -> None:
    """A pool worker's start: the conflict's dictionaries and gazetteer, and the parser, loaded before any timing."""
    from trucewatch.jobs.extract_pool import load_in_worker

    load_in_worker(source)
    load_parser()


def _extract_fresh(reports: list[Any], source: str) -> tuple[Any, float]:
    """One task's extraction in a worker, as `ingest --workers` does it (a few reports, their events sent back), with
    the parse cache cleared before each report as in one process; and the worker's CPU seconds for it."""
    from trucewatch.jobs.extract_pool import extract_partition

    started = time.process_time()
    forget = getattr(importlib.import_module("trucewatch.pipeline.extract.attribution"), "_attributions", None)
    extracted = []
    for report in reports:
        if forget is not None:
            forget.cache_clear()
        extracted += extract_partition([report], source, None)
    return extracted, time.process_time() - started


def _spin(seconds: list[float], _: str) -> tuple[None, float]:
    """The control: pure-Python arithmetic for about `sum(seconds)` of CPU, touching nothing of trucewatch."""
    started = time.process_time()
    total = 0
    while time.process_time() - started < sum(seconds):
        for i in range(2000):
            total += i * i % 7
    return None, time.process_time() - started


def at_least(reports: list[Any], n: int) -> list[Any]:
    """The set repeated until it has `n` reports or more: a pass of 60 real reports lasts half a second, too short
    for a wall-time rate (the pool's first and last moments, a worker waiting for the other, weigh too much)."""
    times = max(1, -(-n // len(reports)))
    return reports * times


@dataclass
class PooledPass:
    wall: float  # seconds, from the first report handed out to the last one's events back
    cpu: float  # the workers' CPU seconds, summed over the reports
    mine: float  # this process's CPU seconds: handing reports out and taking their events back
    load: float  # the 1-minute load average just before the pass


def pooled_passes(reports: list[Any], counts: list[int], repeat: int,
                  ) -> tuple[dict[int, list[PooledPass]], dict[int, list[PooledPass]]]:
    """The passes over all the reports through a pool of each count of worker processes, and the control's passes
    (as many spins as reports, each as long as a report's mean CPU time alone) through the same pools. The pools are
    started and warmed first, and the passes alternate (1, 2, 1, 2, ...), so that a stretch when the shared machine
    is busy slows each count alike."""
    import multiprocessing
    from contextlib import ExitStack

    from trucewatch.conflict import SHIPPED

    passes: dict[int, list[PooledPass]] = {n: [] for n in counts}
    control: dict[int, list[PooledPass]] = {n: [] for n in counts}
    with ExitStack() as stack:
        pools = {n: stack.enter_context(ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"),
                                                            initializer=_start_worker, initargs=(SHIPPED,)))
                 for n in counts}
        for n, pool in pools.items():
            for future in [pool.submit(_extract_fresh, [report], SHIPPED) for report in reports[:4 * n]]:
                future.result()
        spin: list[float] = []
        for _ in range(repeat):
            for n, pool in pools.items():
                passes[n].append(_one_pooled_pass(pool, n, _extract_fresh, reports))
                if not spin:  # a report's mean CPU seconds, from the first pass of the first pool
                    spin = [passes[n][0].cpu / len(reports)] * len(reports)
                control[n].append(_one_pooled_pass(pool, n, _spin, spin))
    return passes, control


def _one_pooled_pass(pool: ProcessPoolExecutor, workers: int, task: Callable[[Any, str], tuple[Any, float]],
                     items: list[Any]) -> PooledPass:
    """Every item through the pool in input order as ingest hands them out: `REPORTS_PER_TASK` a task,
    `TASKS_PER_WORKER` tasks out per worker."""
    from trucewatch.conflict import SHIPPED
    from trucewatch.jobs.extract_pool import REPORTS_PER_TASK, TASKS_PER_WORKER

    load = os.getloadavg()[0]
    cpu = 0.0
    mine = time.process_time()
    started = time.perf_counter()
    window: deque[Future[tuple[Any, float]]] = deque()
    for start in range(0, len(items), REPORTS_PER_TASK):
        if len(window) >= workers * TASKS_PER_WORKER:
            cpu += window.popleft().result()[1]
        window.append(pool.submit(task, items[start:start + REPORTS_PER_TASK], SHIPPED))
    while window:
        cpu += window.popleft().result()[1]
    return PooledPass(time.perf_counter() - started, cpu, time.process_time() - mine, load)


def describe_pooled(label: str, reports: list[Any], by_workers: dict[int, list[PooledPass]],
                    control: dict[int, list[PooledPass]]) -> list[str]:
    """Per count of workers: reports/s (median pass), the cores kept busy (workers' CPU over wall) and the workers'
    CPU ms a report; then each count's speed-up over one worker, beside the control's. Busy cores near N with a
    speed-up below N mean the pool keeps every worker busy and each core did less work a second than when it ran
    alone: the control's speed-up says how much of that is the machine."""
    lines = [f"  {label}: {len(reports)} reports through worker processes, wall time"]
    for workers, passes in by_workers.items():
        median = statistics.median(p.wall for p in passes)
        busy = statistics.median(p.cpu / p.wall for p in passes)
        cpu_ms = statistics.median(p.cpu for p in passes) / len(reports) * 1000
        mine_ms = statistics.median(p.mine for p in passes) / len(reports) * 1000
        loads = ", ".join(f"{p.load:.1f}" for p in passes)
        lines.append(f"    --workers {workers}: {len(reports) / median:7.1f} reports/s (median of {len(passes)} "
                     f"passes: {median:.2f} s; fastest {min(p.wall for p in passes):.2f} s, slowest "
                     f"{max(p.wall for p in passes):.2f} s); {busy:.2f} cores busy, {cpu_ms:.1f} CPU ms a report "
                     f"(this process: {mine_ms:.2f} ms); load average before each pass: {loads}")
    for workers in by_workers:
        if 1 in by_workers and workers > 1:
            lines.append(f"    {workers} workers: {_speedup(by_workers, workers)} one"
                         + (" (issue 15 target: >= 1.8x)" if workers == 2 else "")
                         + f"; the control, a pure-Python loop: {_speedup(control, workers)} one")
    return lines


def _speedup(by_workers: dict[int, list[PooledPass]], workers: int) -> str:
    """The median pass's speed-up of `workers` over one, and each pass's against the one-worker pass just before."""
    ratio = statistics.median(p.wall for p in by_workers[1]) / statistics.median(p.wall for p in by_workers[workers])
    paired = [alone.wall / shared.wall for alone, shared in zip(by_workers[1], by_workers[workers], strict=True)]
    return f"{ratio:.2f}x (pass by pass {', '.join(f'{r:.2f}' for r in paired)})"


def describe(label: str, reports: list[Any], passes: list[float]) -> str:
    words = sum(len(r.text.split()) for r in reports)
    median = statistics.median(passes)
    return (f"  {label:<34} {len(reports) / median:7.1f} reports/s  {words / median / 1000:6.1f} k words/s  "
            f"(median of {len(passes)} passes: {median:.2f} CPU s; fastest {min(passes):.2f} s, "
            f"slowest {max(passes):.2f} s; {words / len(reports):.0f} words a report)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=300, help="synthetic reports (default 300)")
    parser.add_argument("--words", type=int, default=600, help="words per synthetic report (default 600)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over each set; the median is printed")
    parser.add_argument("--corpus", type=Path, action="append", help="a corpus folder with articles/*.json "
                        "(repeatable; default ../shared/corpus/dev and broad where they exist)")
    parser.add_argument("--no-synthetic", action="store_true", help="time only the corpora")
    parser.add_argument("--workers", type=int, nargs="+", metavar="N",
                        help="time extraction through pools of N worker processes instead, in wall time (e.g. 1 2); "
                             "each set is repeated to --n reports or more")
    args = parser.parse_args(argv)

    from trucewatch.pipeline.extract import extract_events

    sets: list[tuple[str, list[Any]]] = []
    if not args.no_synthetic:
        sets.append((f"synthetic, ~{args.words} words", synthetic_reports(args.n, args.words)))
    folders = args.corpus or [f for f in DEFAULT_CORPORA if (f / "articles").is_dir()]
    if folders:
        sets.append((f"real news ({', '.join(f.name for f in folders)})", corpus_reports(folders)))
    if args.workers:
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, not pinned")
        for label, reports in sets:
            if reports:
                reports = at_least(reports, args.n)
                print("\n".join(describe_pooled(label, reports, *pooled_passes(reports, args.workers, args.repeat))))
        return 0
    core = pin_to_one_core()
    print(f"python {sys.version.split()[0]}, pinned to core {core}" if core is not None else "not pinned")
    load_parser()
    for _, reports in sets:
        if reports:
            extract_events(reports[0])  # loads the dictionaries and the gazetteer outside the timing
    for label, reports in sets:
        if reports:
            print(describe(label, reports, timed_passes(reports, args.repeat)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
