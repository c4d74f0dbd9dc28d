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
from collections.abc import Callable
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
    args = parser.parse_args(argv)

    from trucewatch.pipeline.extract import extract_events

    sets: list[tuple[str, list[Any]]] = []
    if not args.no_synthetic:
        sets.append((f"synthetic, ~{args.words} words", synthetic_reports(args.n, args.words)))
    folders = args.corpus or [f for f in DEFAULT_CORPORA if (f / "articles").is_dir()]
    if folders:
        sets.append((f"real news ({', '.join(f.name for f in folders)})", corpus_reports(folders)))
    core = pin_to_one_core()
    print(f"python {sys.version.split()[0]}, pinned to core {core}" if core is not None else "not pinned")
    parser_of = getattr(importlib.import_module("trucewatch.pipeline.extract.attribution"), "parser", None)
    if parser_of is not None:
        parser_of()  # the dependency parser loads once per process, outside the timing
    for _, reports in sets:
        if reports:
            extract_events(reports[0])  # loads the dictionaries and the gazetteer outside the timing
    for label, reports in sets:
        if reports:
            print(describe(label, reports, timed_passes(reports, args.repeat)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
