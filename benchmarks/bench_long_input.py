"""Extraction time against input size: one run-on "sentence" (a crafted file) and normal prose, 0.1 to 8 MB.

    python benchmarks/bench_long_input.py                      # 0.1 0.4 1 2 4 MB, about 2.5 minutes on 2 cores
    python benchmarks/bench_long_input.py --mb 8               # 8 MB, about 3 minutes more
    python benchmarks/bench_long_input.py --mb 0.1 0.4 1       # a quick run

For each size three reports are extracted (`trucewatch.pipeline.extract.extract_events`, with no time budget), each
in the same warm process after one warm-up call that loads the dictionaries and the dependency parser:

- prose: the synthetic news of `generate_reports.py` (about 600 words an article, paragraphs, full stops), joined
  into one report of the size;
- one line: the same prose as one sentence: every full stop, question mark and line break taken out (a text that
  lost its punctuation, or a file crafted to be one line). The 2x target compares this with prose: the same words,
  with and without sentences;
- crafted: a stretch of our own wording packed with trigger words, places, dates, figures and reporting verbs
  (one of each every few words) repeated to the size with no full stop: the densest input we could think of. It is
  printed as a stress figure; its s/MB is higher because it holds many times more happenings and statements per MB
  than news does, not because anything is quadratic (its s/MB stays flat as the size grows).

It prints seconds, seconds per MB and events for each, and the ratio of one-line to prose s/MB, which should stay
within 2x (the line says whether it does). Extraction is linear when s/MB stays flat as the size grows. Whatever the
input, the time budget (`max_extract_seconds`, 30 s by default) refuses a report before it can stall intake.
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


def one_line(text: str) -> str:
    """The same words with no sentence ends: full stops, question and exclamation marks and line breaks become
    spaces."""
    return text.translate(str.maketrans({".": " ", "?": " ", "!": " ", "\n": " "}))


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


def without_parse_cache() -> None:
    """Parse every candidate sentence afresh. The synthetic prose repeats its template sentences, which real news
    does not: with the parse cache on, prose would be timed on cache hits and the text without sentence ends (cut at
    other places, so never repeated) on real parses, and the comparison would measure the cache."""
    from trucewatch.pipeline.extract import attribution  # noqa: PLC0415

    attribution._attributions = attribution._attributions.__wrapped__  # type: ignore[method-assign]


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
    without_parse_cache()
    warm_up()
    print(f"{'size':>7}  {'prose s':>8} {'s/MB':>6} {'events':>6}   {'1-line s':>8} {'s/MB':>6} {'events':>6}"
          f"   {'crafted s':>9} {'s/MB':>6} {'events':>6}   1-line/prose  crafted/prose", flush=True)
    worst = 0.0
    for mb in args.mb:
        size = int(mb * MB)
        text = prose(size)
        many, many_events = extract_seconds(text)
        line, line_events = extract_seconds(one_line(text))
        crafted, crafted_events = extract_seconds(single_sentence(size))
        ratio = line / many if many else float("inf")
        worst = max(worst, ratio)
        print(f"{mb:>5g}MB  {many:8.2f} {many / mb:6.2f} {many_events:6d}   {line:8.2f} {line / mb:6.2f} "
              f"{line_events:6d}   {crafted:9.2f} {crafted / mb:6.2f} {crafted_events:6d}   {ratio:11.2f}x "
              f"{crafted / many if many else float('inf'):13.2f}x", flush=True)
    verdict = "within" if worst <= TARGET_RATIO else "NOT within"
    print(f"worst one-line/prose ratio of s/MB: {worst:.2f}x ({verdict} the {TARGET_RATIO:g}x target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
