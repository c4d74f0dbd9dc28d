"""How long the compliance report of an agreement takes on a big store, and how big it comes out.

    python benchmarks/bench_report.py                  # 32,000 incidents (the store is built once, then reused)
    python benchmarks/bench_report.py --quick          # 2,000 incidents, for a quick look
    python benchmarks/bench_report.py --incidents 100000 --profile     # cProfile's top functions of each step

1. store: N synthetic incidents (and their reports, events, figures and claims) made the way
   `benchmarks/bench_web.py` makes them (its `rows_of`: 1 to 6 accounts each, 65 accounts a day, so the incidents
   end on 31 December 2025 and 32,000 of them reach back about 3.8 years), with the example agreements. The store is
   kept in the temporary folder under a name keyed by N and the seed, and reused by later runs (`--fresh` rebuilds).
2. build: `jobs.exports.compliance_report` for the agreement (default the Doha ceasefire, open-ended from 19 October
   2025): the assessments, the full record of the incidents the report details, the plain report.
3. HTML: `render_html` (the charts drawn by matplotlib) and its size; PDF: `html_to_pdf` (WeasyPrint) and its pages.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import math
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import PER_DAY, _flush, happenings, rows_of  # noqa: E402

from trucewatch.demo import example_agreements_path  # noqa: E402
from trucewatch.jobs.agreements import load_agreements  # noqa: E402
from trucewatch.storage import Database  # noqa: E402
from trucewatch.storage.repository import EVENTS, INCIDENTS, REPORTS  # noqa: E402
from trucewatch.storage.schema import ClaimRow, FigureRow  # noqa: E402

AGREEMENT = "doha-2025-10-19"
AVERAGE_ACCOUNTS = 2.8  # bench_web's happenings: 1 to 6 accounts each, 2.8 on average


def store_path(n_incidents: int, seed: int) -> Path:
    return Path(tempfile.gettempdir()) / f"trucewatch-bench-report-{n_incidents}-{seed}.sqlite3"


def build_store(path: Path, n_incidents: int, seed: int) -> float:
    """Fill a fresh store with `n_incidents` synthetic incidents; returns the seconds it took."""
    started = time.perf_counter()
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    rng = random.Random(seed)
    days = max(1, math.ceil(n_incidents * AVERAGE_ACCOUNTS / PER_DAY))
    now = datetime(2026, 1, 1, tzinfo=UTC)
    tables = {"reports": REPORTS, "events": EVENTS, "figures": FigureRow.__table__, "claims": ClaimRow.__table__,
              "incidents": INCIDENTS}
    counts = dict.fromkeys(tables, 0)
    with Database.open(f"sqlite:///{partial}") as database:
        pending: dict[str, list[dict]] = {name: [] for name in tables}
        for number, accounts in happenings(10 * n_incidents, seed):
            if number >= n_incidents:
                break
            for name, rows in rows_of(number, len(accounts), rng, days, now).items():
                pending[name] += rows
            if len(pending["events"]) >= 20_000:
                _flush(database.reports, tables, pending, counts)
        _flush(database.reports, tables, pending, counts)
        load_agreements(database, example_agreements_path())
    partial.replace(path)
    return time.perf_counter() - started


def timed(name: str, work: Callable[[], Any], profile: bool) -> tuple[Any, float]:
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    result = work()
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(f"--- profile of {name} ---\n{out.getvalue()}")
    return result, seconds


def pdf_pages(pdf: bytes) -> int:
    import pypdfium2  # noqa: PLC0415  (a test dependency)

    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def run(n_incidents: int, seed: int, agreement: str, fresh: bool, profile: bool) -> None:
    from trucewatch.jobs.exports import compliance_report  # noqa: PLC0415
    from trucewatch.publish.report import html_to_pdf, render_html  # noqa: PLC0415

    path = store_path(n_incidents, seed)
    if fresh:
        path.unlink(missing_ok=True)
    if path.exists():
        print(f"reusing {path}")
    else:
        print(f"built {path} ({n_incidents:,} incidents) in {build_store(path, n_incidents, seed):.1f} s")
    with Database.open(f"sqlite:///{path}") as db:  # brought to the schema in use
        report, build_s = timed("build_report", lambda: compliance_report(db, agreement), profile)
    page, html_s = timed("render_html", lambda: render_html(report), profile)
    pdf, pdf_s = timed("html_to_pdf", lambda: html_to_pdf(page), profile)
    counts = report.counts
    print(f"{agreement} on {n_incidents:,} incidents ({counts['inside']:,} inside the window, "
          f"{counts['uncertain']:,} boundary cases, {counts['outside']:,} outside):")
    print(f"  build_report  {build_s:7.2f} s")
    print(f"  HTML          {html_s:7.2f} s  {len(page.encode('utf-8')) / 1024:,.0f} KiB")
    print(f"  PDF           {pdf_s:7.2f} s  {pdf_pages(pdf)} pages, {len(pdf) / 1024:,.0f} KiB")
    print(f"  total         {build_s + html_s + pdf_s:7.2f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=32_000, help="incidents in the store (default 32,000)")
    parser.add_argument("--quick", action="store_true", help="2,000 incidents")
    parser.add_argument("--agreement", default=AGREEMENT, help=f"the agreement reported on (default {AGREEMENT})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fresh", action="store_true", help="rebuild the store even if one is kept")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions of each step")
    args = parser.parse_args(argv)
    run(2_000 if args.quick else args.incidents, args.seed, args.agreement, args.fresh, args.profile)


if __name__ == "__main__":
    main()
