"""Extraction time against input size: one run-on "sentence" (a crafted file) and normal prose, 0.1 to 8 MB.

    python benchmarks/bench_long_input.py                      # 0.1 0.4 1 2 4 MB, about 2.5 minutes on 2 cores
    python benchmarks/bench_long_input.py --mb 8               # 8 MB, about 3 minutes more
    python benchmarks/bench_long_input.py --mb 0.1 0.4 1       # a quick run

For each size two reports are extracted (`trucewatch.pipeline.extract.extract_events`, with no time budget), each in
the same warm process after one warm-up call that loads the dictionaries and the dependency parser:

- single: one line with no full stop, made of a stretch of words, place names, dates, figures and trigger words
  repeated to the size (what a crafted file or a text that lost its punctuation looks like);
- prose: the synthetic news of `generate_reports.py` (about 600 words an article, paragraphs, full stops), joined
  into one report of the size.

It prints seconds, seconds per MB and events for each, and the ratio of single-sentence to prose s/MB, which should
stay within 2x (the line says whether it does). Extraction is linear when s/MB stays flat as the size grows.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
MB = 1_000_000
TARGET_RATIO = 2.0

# Words, places, dates, figures and triggers of this project's own wording, with no full stop anywhere.
RUN_ON = ("militants of the TTP attacked a police post in Bannu on Monday killing at least five soldiers and the "
          "army said a drone strike in Khost killed 12 civilians while the Pakistani Taliban claimed responsibility "
          "for the blast near Quetta and officials denied the shelling in Kurram and a suicide bomber struck a "
          "checkpoint in North Waziristan on 14 March as clashes erupted along the border with Afghan forces ")


def single_sentence(size: int) -> str:
    return (RUN_ON * (size // len(RUN_ON) + 1))[:size].rstrip()


def prose(size: int) -> str:
    sys.path.insert(0, str(HERE))
    from generate_reports import generate_reports  # noqa: PLC0415  (a sibling script, not a package)

    parts: list[str] = []
    total, batch = 0, 0
    while total < size:
        for article in generate_reports(100, seed=batch, words=600):
            parts.append(article["text"])
            total += len(article["text"]) + 2
            if total >= size:
                break
        batch += 1
    return "\n\n".join(parts)[:size]


def extract_seconds(text: str) -> tuple[float, int]:
    from trucewatch.pipeline.extract import extract_events  # noqa: PLC0415
    from trucewatch.records import Report  # noqa: PLC0415

    report = Report(report_id="bench", sha256="0", text=text, published=date(2025, 6, 1), published_basis="file",
                    outlet="example.org")
    started = time.perf_counter()
    events = extract_events(report, max_seconds=10**9)
    return time.perf_counter() - started, len(events)


def warm_up() -> None:
    """Load the dictionaries, the gazetteer and the dependency parser outside the timings."""
    extract_seconds("Militants attacked a police post in Bannu on Monday, the Pakistani Taliban said. "
                    "The army denied it, officials told reporters.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[0.1, 0.4, 1, 2, 4],
                        help="input sizes in MB (default: 0.1 0.4 1 2 4; 8 MB adds about 3 minutes)")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {sys.platform}", flush=True)
    warm_up()
    print(f"{'size':>7}  {'single s':>9} {'s/MB':>7} {'events':>7}   {'prose s':>8} {'s/MB':>7} {'events':>7}"
          f"   single/prose", flush=True)
    worst = 0.0
    for mb in args.mb:
        size = int(mb * MB)
        one, one_events = extract_seconds(single_sentence(size))
        many, many_events = extract_seconds(prose(size))
        ratio = (one / mb) / (many / mb) if many else float("inf")
        worst = max(worst, ratio)
        print(f"{mb:>5g}MB  {one:9.2f} {one / mb:7.2f} {one_events:7d}   {many:8.2f} {many / mb:7.2f} {many_events:7d}"
              f"   {ratio:6.2f}x", flush=True)
    verdict = "within" if worst <= TARGET_RATIO else "NOT within"
    print(f"worst single-sentence/prose ratio of s/MB: {worst:.2f}x ({verdict} the {TARGET_RATIO:g}x target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
