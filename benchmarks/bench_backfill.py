"""Backfill and parallel ingest: reports/s with 1 and 2 workers, scaling efficiency, peak memory per worker.

    python benchmarks/bench_backfill.py                 # 2 000 synthetic 600-word reports: a few minutes on 2 cores
    python benchmarks/bench_backfill.py --n 100000      # the issue's sizes (hours on 2 cores; use a bigger machine)
    python benchmarks/bench_backfill.py --skip-ingest   # only `backfill`

Each run codes the same reports (benchmarks/generate_reports.py, seed 0) into a fresh SQLite file. `backfill` runs on a
local Dask cluster the benchmark starts itself (and hands to the job as `--scheduler` would), so that it can ask each
worker for its peak memory; its rate counts from the cluster being up to the incidents resolved. `ingest --workers N`
is timed whole (the pool's start included). Efficiency = rate(N) / (N x rate(1)). On a machine whose cores other work
shares, the rates are noisy: the medians of --repeat runs are printed.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from generate_reports import generate_reports

from trucewatch import jobs
from trucewatch.jobs.backfill import BackfillOptions, backfill_job
from trucewatch.storage import Database


def write_archive(folder: Path, n: int, words: int) -> Path:
    path = folder / "archive.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for start in range(0, n, 1000):  # a thousand at a time: 1 M reports never sit in memory together
            for article in generate_reports(min(1000, n - start), seed=start // 1000, words=words):
                article["id"] = f"{article['id']}-{start}"
                fh.write(json.dumps(article) + "\n")
    return path


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def time_backfill(archive: Path, folder: Path, n: int, workers: int, batch: int) -> tuple[float, float]:
    """reports/s (cluster start excluded) and the largest worker's peak memory in MiB."""
    import logging  # noqa: PLC0415

    from distributed import Client, LocalCluster  # noqa: PLC0415

    db_path = folder / f"backfill-{workers}-{time.monotonic_ns()}.sqlite3"
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.CRITICAL) as cluster, Client(cluster) as client, \
            Database.open(f"sqlite:///{db_path}", upgrade=True) as db:
        started = time.perf_counter()
        counts = backfill_job([archive], db, BackfillOptions(scheduler=cluster.scheduler_address, batch=batch))
        seconds = time.perf_counter() - started
        peaks = client.run(peak_mib)
    assert counts.added == n, counts
    return n / seconds, max(peaks.values())


def time_ingest(archive: Path, folder: Path, n: int, workers: int) -> float:
    db_path = folder / f"ingest-{workers}-{time.monotonic_ns()}.sqlite3"
    with Database.open(f"sqlite:///{db_path}", upgrade=True) as db:
        started = time.perf_counter()
        results = jobs.ingest.ingest_paths([archive], db, workers=workers)
        seconds = time.perf_counter() - started
    assert sum(r.status == "added" for r in results) == n
    return n / seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="reports (default 2000)")
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--batch", type=int, default=200, help="reports per backfill partition")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is printed")
    parser.add_argument("--skip-ingest", action="store_true", help="time only backfill")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        archive = write_archive(folder, args.n, args.words)
        print(f"{args.n} synthetic reports of ~{args.words} words, batch {args.batch}, medians of {args.repeat}")
        rates: dict[tuple[str, int], float] = {}
        for workers in (1, 2):
            runs = [time_backfill(archive, folder, args.n, workers, args.batch) for _ in range(args.repeat)]
            rates["backfill", workers] = statistics.median(rate for rate, _ in runs)
            print(f"backfill --workers {workers}: {rates['backfill', workers]:7.1f} reports/s "
                  f"(runs: {', '.join(f'{rate:.1f}' for rate, _ in runs)}); peak memory per worker "
                  f"{max(peak for _, peak in runs):.0f} MiB", flush=True)
        if not args.skip_ingest:
            for workers in (1, 2):
                runs_i = [time_ingest(archive, folder, args.n, workers) for _ in range(args.repeat)]
                rates["ingest", workers] = statistics.median(runs_i)
                child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
                print(f"ingest --workers {workers}:   {rates['ingest', workers]:7.1f} reports/s "
                      f"(runs: {', '.join(f'{rate:.1f}' for rate in runs_i)})"
                      + (f"; peak memory per worker {child:.0f} MiB" if workers > 1 else ""), flush=True)
        for kind in ("backfill", "ingest"):
            if (kind, 2) in rates:
                speedup = rates[kind, 2] / rates[kind, 1]
                print(f"{kind}: 2 workers {speedup:.2f}x one, scaling efficiency {speedup / 2:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
