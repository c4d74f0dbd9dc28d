"""The map at 30,000 and 100,000 incidents, as a browser sees it (issue 17's budget: first view drawn < 1.5 s, each
zoom < 200 ms of main-thread work, < 300 KB per view).

    python benchmarks/bench_map.py                 # 30,000 and 100,000 incidents
    python benchmarks/bench_map.py --sizes 30000   # one size

For each size: a fresh store of that many incident summaries (bench_web.py's synthetic happenings), `trucewatch
serve` over it, then
- the map's data per view (`/api/v1/map?bbox=...&zoom=...` for the first view and three zoomed ones): bytes as sent
  gzipped and uncompressed, and the API's time (the first request, which reads the index, and the median of 20);
- in headless Chromium (Playwright, /usr/bin/chromium): the first view drawn (the performance mark "tw-map-drawn"
  the page sets; a page without it: when #map is ready), the long tasks (PerformanceObserver 'longtask') until then,
  and for each of four zooms (the zoom-in control) the main-thread work: the long tasks' time from the click until
  the view is drawn, and that wall time.
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).parent))
from bench_web import serve  # noqa: E402

from trucewatch.storage import Database  # noqa: E402
from trucewatch.storage.repository import INCIDENTS  # noqa: E402

VIEWS = (("first view (zoom 5)", "58.0,20.0,81.0,41.0", 5), ("Khyber Pakhtunkhwa (zoom 7)", "69,31.5,74,36", 7),
         ("Peshawar (zoom 9)", "71.0,33.5,72.2,34.5", 9), ("Peshawar town (zoom 12)", "71.45,33.95,71.65,34.07", 12))
CHROMIUM = "/usr/bin/chromium"
LONG_TASKS = """window.twLong = []; new PerformanceObserver(l => l.getEntries().forEach(e =>
  window.twLong.push([e.startTime, e.duration]))).observe({type: 'longtask', buffered: true});"""


def load_summaries(db_url: str, n: int, seed: int = 0) -> None:
    """`n` incidents (summaries only: the map reads nothing else), as bench_web.py's happenings would leave them."""
    from bench_web import rows_of  # noqa: PLC0415

    rng = random.Random(seed)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    days = max(1, n * 3 // 65)
    with Database.open(db_url) as db:
        for start in range(0, n, 20_000):
            rows = [rows_of(i, 1, rng, days, now)["incidents"][0] for i in range(start, min(n, start + 20_000))]
            with db.transaction() as conn:
                conn.execute(insert(INCIDENTS), rows)


def fetch(port: int, path: str) -> tuple[float, int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    answer = conn.getresponse()
    body = answer.read()
    took = (time.perf_counter() - started) * 1000
    conn.close()
    plain = gzip.decompress(body) if answer.getheader("Content-Encoding") == "gzip" else body
    return took, len(body), len(plain)


def api_figures(port: int) -> None:
    for name, bbox, zoom in VIEWS:
        path = f"/api/v1/map?bbox={bbox}&zoom={zoom}"
        first, sent, plain = fetch(port, path)
        times = [fetch(port, path)[0] for _ in range(20)]
        print(f"  {name:<30} {sent / 1024:7.1f} KiB gzipped {plain / 1024:7.1f} KiB plain   API first "
              f"{first:7.1f} ms, p50 {statistics.median(times):6.1f} ms", flush=True)


def browser_figures(port: int) -> None:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.add_init_script(LONG_TASKS)
        page.set_default_timeout(120_000)
        page.goto(f"http://127.0.0.1:{port}/map")
        page.wait_for_selector("#map[data-state=ready]")
        drawn = page.evaluate("""() => { const m = performance.getEntriesByName('tw-map-drawn');
            return m.length ? m[0].startTime : performance.now(); }""")
        long = page.evaluate("window.twLong")
        print(f"  first view drawn {drawn:7.0f} ms after navigation; long tasks until then: {len(long)}, "
              f"{sum(d for s, d in long if s <= drawn):.0f} ms (longest {max((d for _, d in long), default=0):.0f})")
        for step in range(4):
            views = page.get_attribute("#map", "data-views")
            start = page.evaluate("performance.now()")
            page.click(".leaflet-control-zoom-in")
            if views is None:  # a page that does not count its views: give it 1.5 s
                page.wait_for_timeout(1500)
            else:
                page.wait_for_function("v => document.querySelector('#map').dataset.views !== v && "
                                       "document.querySelector('#map').dataset.state === 'ready'", arg=views)
            end = page.evaluate("performance.now()")
            work = sum(d for s, d in page.evaluate("window.twLong") if start <= s <= end)
            print(f"  zoom {step + 1}: main thread blocked {work:5.0f} ms (long tasks), drawn in {end - start:5.0f} ms",
                  flush=True)
        browser.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30_000, 100_000])
    args = parser.parse_args(argv)
    for n in args.sizes:
        folder = Path(tempfile.mkdtemp(prefix="bench-map-"))
        db = folder / "map.sqlite3"
        with Database.open(f"sqlite:///{db}"):
            pass
        started = time.perf_counter()
        load_summaries(f"sqlite:///{db}", n)
        print(f"{n:,} incidents (loaded in {time.perf_counter() - started:.1f} s):", flush=True)
        process, port = serve(db)
        try:
            api_figures(port)
            browser_figures(port)
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
