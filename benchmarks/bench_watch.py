"""The watch's lag: from an item's appearance in a feed to its incident, and to its alert, with the watch's CPU share.

    python benchmarks/bench_watch.py                    # 2 000 items over 50 sources: about 4.5 minutes on 2 cores
    python benchmarks/bench_watch.py --items 20000      # the issue's size, same rate: 42 min, keeps pace

50 RSS feeds are served on 127.0.0.1 .. 127.0.0.50 (a host each, as 50 outlets are: the watch asks one host at most
once per second) by a process of their own, beside a webhook receiver. Items appear at a steady rate (`--rate`, 8 a
second by default) over the run, item i in feed i mod 50 at T0 + i / rate, each feed listing its newest 50 items with
an ETag (304 when nothing is new). Each item carries its whole text (no page to fetch): one incident paragraph of
benchmarks/generate_reports.py (a happening with its place, day and figures, wording of that file) dated by the day
of the run, and a closing sentence of this file.

The watch (`jobs.watch.Watch.run`, what `trucewatch watch` runs) polls every 10 s, each source every 10 s, into a
fresh SQLite database with the example agreements and one user's alert rule of kind `violation` posting to the
receiver. Printed: the lag from an item's appearance to its incident (its report stored and resolved: the moment its
source's new items of the round are all in) and to its alert (the receiver's arrival time, for the items whose reports
fired an alert), p50 / p99 / max, against the goal of 60 s; and the watch's CPU share, the process's CPU time over the
wall time of the rounds (the feeds and the receiver run in the other process). The run ends when every item has been
taken, or `--drain` seconds after the last one appeared (the items not taken by then are counted, not waited for).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from xml.sax.saxutils import escape

from generate_reports import incident_paragraph

FEED_SIZE = 50  # items a feed lists, newest first (an outlet's feed holds its latest few dozen)
CLOSING = ("Officials said the figures were provisional and could change as more information came in from the area, "
           "and that a fuller account would be given later in the day.")


# --- the feeds and the receiver (a process of their own) ---------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """When each item appears: item i in feed i % sources at t0 + i / rate (time.time())."""

    items: int
    sources: int
    rate: float
    t0: float
    seed: int

    def appears(self, i: int) -> float:
        return self.t0 + i / self.rate

    def shown(self, source: int, now: float) -> list[int]:
        """The items feed `source` lists at `now`, newest first."""
        last = min(self.items - 1, int((now - self.t0) * self.rate))
        newest = last - ((last - source) % self.sources)
        return [i for i in range(newest, -1, -self.sources)][:FEED_SIZE] if last >= source else []


def item_text(plan: Plan, i: int) -> tuple[str, str]:
    """Item i's title and text: one happening, dated by the day it appears."""
    published = datetime.fromtimestamp(plan.appears(i), UTC).date()
    paragraph, place = incident_paragraph(random.Random(plan.seed * 1_000_003 + i), published)
    return f"{place.name}: {paragraph.split('.')[0][:80]}", f"{paragraph} {CLOSING}"


def rss(plan: Plan, source: int, now: float, texts: dict[int, tuple[str, str]]) -> bytes:
    entries = []
    for i in plan.shown(source, now):
        if i not in texts:
            texts[i] = item_text(plan, i)
        title, text = texts[i]
        when = format_datetime(datetime.fromtimestamp(plan.appears(i), UTC), usegmt=True)
        entries.append(f"<item><guid>bench-{i}</guid><title>{escape(title)}</title><pubDate>{when}</pubDate>"
                       f"<link>https://outlet-{source}.example/news/{i}</link>"
                       f"<content:encoded>{escape(text)}</content:encoded></item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>outlet {source}</title>{''.join(entries)}</channel></rss>").encode()


def feed_handler(plan: Plan, source: int, texts: dict[int, tuple[str, str]],
                 lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Feed(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            now = time.time()
            shown = plan.shown(source, now)
            etag = f'"{source}-{shown[0] if shown else -1}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            with lock:
                body = rss(plan, source, now, texts)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Feed


def receiver_handler(arrivals: list[tuple[float, dict]], lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                arrivals.append((time.time(), json.loads(body)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Receiver


def serve(plan: Plan, conn: Connection) -> None:
    """The 50 feeds (one server per loopback address) and the receiver; sends their addresses, then, when asked,
    what the receiver got."""
    texts: dict[int, tuple[str, str]] = {}
    lock = threading.Lock()
    arrivals: list[tuple[float, dict]] = []
    servers = [ThreadingHTTPServer((f"127.0.0.{k + 1}", 0), feed_handler(plan, k, texts, lock))
               for k in range(plan.sources)]
    servers.append(ThreadingHTTPServer(("127.0.0.1", 0), receiver_handler(arrivals, lock)))
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    conn.send([f"http://{s.server_address[0]}:{s.server_address[1]}" for s in servers])
    conn.recv()  # the run is over
    with lock:
        conn.send(list(arrivals))


# --- the watch (this process) --------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def shown_lags(label: str, lags: list[float]) -> str:
    return (f"{label}: {len(lags)} items, p50 {percentile(lags, 0.5):.1f} s, p99 {percentile(lags, 0.99):.1f} s, "
            f"max {max(lags, default=float('nan')):.1f} s  (goal < 60 s: "
            f"{'met' if lags and percentile(lags, 0.99) < 60 else 'NOT met'})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=2000, help="items appearing over the run [2000]")
    parser.add_argument("--sources", type=int, default=50, help="RSS sources, one loopback host each [50]")
    parser.add_argument("--rate", type=float, default=8.0, help="items appearing per second, over all feeds [8]")
    parser.add_argument("--poll", type=float, default=10.0, help="the watch's poll, and each source's interval [10]")
    parser.add_argument("--drain", type=float, default=120.0,
                        help="seconds to keep watching after the last item appeared [120]")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not 1 <= args.sources <= 250:
        parser.error("--sources must be between 1 and 250 (one loopback address each)")

    from tqdm import tqdm  # noqa: PLC0415  (after the arguments: --help stays quick)

    from trucewatch import jobs  # noqa: PLC0415
    from trucewatch.conflict import shipped_conflict  # noqa: PLC0415
    from trucewatch.demo import example_agreements_path  # noqa: PLC0415
    from trucewatch.jobs import alerts  # noqa: PLC0415
    from trucewatch.jobs.accounts import add_user  # noqa: PLC0415
    from trucewatch.jobs.sources import add_source  # noqa: PLC0415
    from trucewatch.jobs.watch import RoundResult, Watch, WatchOptions  # noqa: PLC0415
    from trucewatch.settings import Settings  # noqa: PLC0415
    from trucewatch.storage import Database  # noqa: PLC0415
    from trucewatch.storage.feeds import ITEMS  # noqa: PLC0415

    class TimedWatch(Watch):
        """The watch, noting when each source's new items of a round are all stored and resolved."""

        def __init__(self, *a, **k) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*a, **k)
            self.stored_at: dict[str, float] = {}

        def _ingest(self, *a, **k):  # type: ignore[no-untyped-def]
            result = super()._ingest(*a, **k)
            at = time.time()
            for report_id in result.added:
                self.stored_at[report_id] = at
            return result

    folder = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    settings = Settings(db=str(folder / "watch.sqlite3"), site_url="http://127.0.0.1:8000", alert_attempts=2,
                        alert_retry_seconds=5.0, watch_poll_seconds=args.poll)
    conflict = shipped_conflict()
    lead = 15.0  # seconds to set up before the first item appears
    plan = Plan(args.items, args.sources, args.rate, time.time() + lead, args.seed)
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    feeds = context.Process(target=serve, args=(plan, theirs), daemon=True)
    feeds.start()
    *feed_urls, receiver = ours.recv()

    db = Database.open(settings.database_url, upgrade=True)
    jobs.agreements.load_agreements(db, example_agreements_path())
    add_user(db, "bench", "analyst", "a long enough bench password", by="bench")
    now = datetime.now(UTC)
    alerts.add_rule(db, "bench", "violation", webhook_url=receiver + "/hook", secret="bench-secret",
                    settings=settings, now=now)
    for k, url in enumerate(feed_urls):
        add_source(db, url + "/feed.xml", "rss", f"outlet-{k:03d}", f"{args.poll:g}s", now)

    watch = TimedWatch(db, conflict, WatchOptions.of(settings), settings=settings)
    stop = threading.Event()
    rounds: list[RoundResult] = []
    bar = tqdm(total=args.items, unit="item", desc="items taken", file=sys.stderr)
    last_appears = plan.appears(args.items - 1)

    def on_round(result: RoundResult) -> None:
        rounds.append(result)
        taken = sum(len(s.added) + s.unchanged + s.refused for s in result.sources)
        bar.update(taken)
        if bar.n >= args.items or time.time() > last_appears + args.drain:
            stop.set()

    time.sleep(max(0.0, plan.t0 - time.time()))
    wall0, cpu0 = time.time(), time.process_time()
    watch.run(args.poll, stop, on_round)
    wall, cpu = time.time() - wall0, time.process_time() - cpu0
    bar.close()
    watch.close()
    ours.send("done")
    arrivals = ours.recv()
    feeds.join(timeout=10)

    ended = time.time()
    with db.engine.connect() as conn:
        taken = {int(key.removeprefix("bench-")): report_id for key, report_id in conn.execute(
            ITEMS.select().with_only_columns(ITEMS.c.item_key, ITEMS.c.report_id))}
    report_items = {report_id: i for i, report_id in taken.items() if report_id}
    waiting = [i for i in range(args.items) if i not in taken]
    incidents, _ = jobs.incidents.list_incidents(db, limit=None)
    db.close()
    to_incident = [at - plan.appears(report_items[r]) for r, at in watch.stored_at.items() if r in report_items]
    to_alert = [at - plan.appears(report_items[r]) for at, body in arrivals for r in body["reports"]
                if r in report_items]
    statuses = {status: sum(getattr(s, status) if status != "added" else len(s.added)
                            for r in rounds for s in r.sources) for status in ("added", "unchanged", "refused")}
    errors = sum(r.errors for r in rounds)
    took = [(rounds[i + 1].at - rounds[i].at).total_seconds() for i in range(len(rounds) - 1)]

    print(f"bench_watch: {args.items} items over {args.sources} RSS sources at {args.rate:g} items/s "
          f"({(last_appears - plan.t0) / 60:.1f} min of items), poll {args.poll:g} s; "
          f"{date.today()}, {multiprocessing.cpu_count()} cores")
    print(f"rounds: {len(rounds)} in {wall:.0f} s (start to start p50 {percentile(took, 0.5):.1f} s, "
          f"max {max(took, default=0):.1f} s); items taken {bar.n} of {args.items}: {statuses['added']} added, "
          f"{statuses['unchanged']} unchanged (the same text again), {statuses['refused']} refused; {errors} errors")
    print(f"incidents: {len(incidents)}; alerts received by the webhook: {len(arrivals)} "
          f"(rule 'violation', at most one per incident)")
    if waiting:  # their lag is longer than any printed below: the watch fell behind
        print(f"not taken by the end: {len(waiting)} items, the oldest of them appeared "
              f"{ended - plan.appears(waiting[0]):.0f} s before the end")
    print(shown_lags("lag to incident", to_incident))
    print(shown_lags("lag to alert", to_alert))
    print(f"watch CPU: {cpu:.0f} s over {wall:.0f} s of wall time = {cpu / wall:.0%} of one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
