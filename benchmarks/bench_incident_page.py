"""Latency and size of one incident's page and API answer as the incident grows: 1, 100 and 300 reports.

    python benchmarks/bench_incident_page.py                     # incidents of 1, 100 and 300 reports
    python benchmarks/bench_incident_page.py --sizes 300 --requests 50

A war's big happenings are told by hundreds of outlets within days, many of them copies of one wire story. This fills a
fresh SQLite store (the real schema) with one incident of each size, as ingest and resolution would leave it: each
report about 300 words of its own wording (a third of them near-identical copies of an earlier one, as syndication
makes), one event per report, a death figure in most and a claim by one of three parties in every other. Then, against
`trucewatch serve --dev`, it requests the incident's page (`/incidents/ID`) and its API answer
(`/api/v1/incidents/ID`) R times each and prints the p50 and p99 wall times and the size of the answer. The words are
this file's own.
"""
from __future__ import annotations

import argparse
import random
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench_web import FIGURES, _flush, measure, percentile, serve

from trucewatch.demo import example_agreements_path
from trucewatch.jobs.agreements import load_agreements
from trucewatch.storage import Database
from trucewatch.storage.repository import CLAIMS, EVENTS, INCIDENTS, REPORTS
from trucewatch.storage.stories import record_story

DAY = date(2025, 10, 12)
WORDS = ("strike", "border", "village", "officials", "district", "residents", "night", "shelling", "convoy", "police",
         "checkpoint", "hospital", "market", "witnesses", "mortar", "drone", "province", "elders", "road", "bridge",
         "compound", "soldiers", "fighters", "crossing", "valley", "homes", "school", "mosque", "statement", "army")
CLAIMANTS = (("Inter-Services Public Relations", "asserts"), ("Zabihullah Mujahid", "denies"),
             ("Tehreek-e-Taliban Pakistan", "asserts"))
OUTLETS = tuple(f"Outlet {i}" for i in range(40))


def report_text(rng: random.Random, words: int = 300) -> str:
    """About `words` words of varied wording, in sentences of 12 to 20 words."""
    sentences, made = [], 0
    while made < words:
        n = rng.randint(12, 20)
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + ".")
        made += n
    return " ".join(sentences)


def incident_rows(size: int, seed: int, now: datetime) -> dict[str, list[dict]]:
    """The rows of one incident of `size` reports: reports, events, figures, claims and its summary row."""
    rng = random.Random(seed * 1000 + size)
    incident_id = f"inc-bench-{size:04d}"
    out: dict[str, list[dict]] = {"reports": [], "events": [], "figures": [], "claims": [], "incidents": []}
    texts: list[str] = []
    for k in range(size):
        report_id, event_id = f"r-{size:04d}-{k:04d}", f"evt-{size:04d}-{k:04d}"
        if texts and rng.random() < 1 / 3:  # a syndicated copy: an earlier story with a line of its own added
            text = rng.choice(texts) + " " + report_text(rng, 12)
        else:
            text = report_text(rng)
        texts.append(text)
        tail = " Officials said nine people were killed."
        text += tail
        out["reports"].append({
            "report_id": report_id, "sha256": f"{size:056x}{k:08x}", "source": f"{report_id}.json",
            "outlet": rng.choice(OUTLETS), "url": f"https://example.org/{report_id}", "title": f"Strike ({report_id})",
            "published": DAY + timedelta(days=rng.choice((0, 0, 1))), "published_basis": "file",
            "media_type": "application/json", "kind": "news", "text": text, "ingested_at": now, "revision_of": None})
        out["events"].append({
            "event_id": event_id, "report_id": report_id, "seq": 0, "event_type": "Explosions/Remote violence",
            "sub_event_type": "Air/drone strike", "event_date": DAY, "event_date_end": None, "time_precision": 1,
            "actor1": "Military Forces of Pakistan", "actor2": None, "location": "Kabul", "country": "Afghanistan",
            "admin1": "Kabul", "admin2": None, "latitude": 34.53, "longitude": 69.17, "geo_precision": 1,
            "feature": "town", "incident_id": incident_id, "notes": ""})
        end = len(text) - 1
        if rng.random() < 0.8:
            low = rng.choice((5, 9, 9, 12))
            out["figures"].append({"event_id": event_id, "seq": 0, "low": low, "high": low, "victims": "unspecified",
                                   "claimed_by": None, "surface": "nine people were killed",
                                   "span_start": end - 23, "span_end": end, "sentence": 1})
        if k % 2 == 0:
            claimant, stance = CLAIMANTS[(k // 2) % len(CLAIMANTS)]
            out["claims"].append({"event_id": event_id, "seq": 0, "claimant": claimant, "stance": stance,
                                  "about": "occurrence", "stated_on": None, "surface": "said",
                                  "span_start": end - 33, "span_end": end, "sentence": 1,
                                  "content": "nine people were killed", "content_start": end - 23,
                                  "content_end": end})
    out["incidents"].append({
        "incident_id": incident_id, "first_date": DAY, "last_date": DAY, "time_precision": 1,
        "event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike", "country": "Afghanistan",
        "admin1": "Kabul", "admin2": None, "location": "Kabul", "latitude": 34.53, "longitude": 69.17,
        "geo_precision": 1, "actor1": "Military Forces of Pakistan", "actor2": None, "n_events": size,
        "n_reports": size, "contested": True, "reasons": "conflicting figures", "fatalities_low": 5,
        "fatalities_best": 9, "fatalities_high": 12, "updated_at": now})
    return out


def record_stories(database: Database, reports: list[dict]) -> None:
    """Each report's story, in the order of arrival, as `Store.save` records it at ingest."""
    with database.engine.begin() as conn:
        for row in reports:
            record_story(conn, row["report_id"], row["text"])


def load(db_url: str, sizes: list[int], seed: int) -> None:
    tables = {"reports": REPORTS, "events": EVENTS, "figures": FIGURES, "claims": CLAIMS, "incidents": INCIDENTS}
    now = datetime(2026, 1, 1, tzinfo=UTC)
    counts = dict.fromkeys(tables, 0)
    with Database.open(db_url) as database:
        for size in sizes:
            rows = incident_rows(size, seed, now)
            reports = list(rows["reports"])  # _flush empties the lists it writes
            _flush(database.reports, tables, rows, counts)
            record_stories(database, reports)
        load_agreements(database, example_agreements_path())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 300], help="reports per incident")
    parser.add_argument("--requests", type=int, default=30, help="requests of each kind (default 30)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-incident-") as folder:
        db = Path(folder) / "incident.sqlite3"
        load(f"sqlite:///{db}", args.sizes, args.seed)
        process, port = serve(db)
        try:
            measure(port, [f"/incidents/inc-bench-{args.sizes[0]:04d}"])  # warm up: imports, caches
            print(f"{args.requests} requests of each, one at a time, over one connection:")
            for size in args.sizes:
                for name, path in (("page", f"/incidents/inc-bench-{size:04d}"),
                                   ("API", f"/api/v1/incidents/inc-bench-{size:04d}")):
                    times, body = measure(port, [path] * args.requests)
                    print(f"  {size:>4} reports, {name:<4}  p50 {percentile(times, 50):8.1f} ms   "
                          f"p99 {percentile(times, 99):8.1f} ms   {body / 1024:8.1f} KiB", flush=True)
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
