"""Latency of the workplace's busiest reads on a big store: the incident list, an incident's page and the map's data.

    python benchmarks/bench_web.py                       # 1,000,000 events (loading takes a few minutes)
    python benchmarks/bench_web.py --events 100000 --requests 100     # a quick run
    python benchmarks/bench_web.py --db big.sqlite3 --keep            # keep the store; a later run reuses it
    python benchmarks/bench_web.py --db postgresql+psycopg://USER@HOST/NAME     # on PostgreSQL (empty: filled)
    python benchmarks/bench_web.py --postgres             # a throw-away PostgreSQL server (tests/postgres.py)
    python benchmarks/bench_web.py --map                 # the map in Chromium at 30,000 and 100,000 (bench_map.py)

1. load: a fresh store (SQLite by default, any database URL with --db; the real schema, through its migrations)
   filled with N synthetic events through SQLAlchemy Core in batches, with their reports, fatality figures,
   claims and the incidents' summary rows, as ingest and resolution would leave them (each made-up happening told
   by 1 to 6 reports, 2.8 on average, spread
   over Afghanistan and Pakistan at 65 accounts a day, so 1,000,000 events cover 42 years); timed.
2. serve: `trucewatch serve --dev` over it, in a process of its own, on a free loopback port.
3. measure: over one kept-alive HTTP connection, R requests of each kind, one after the other, and their p50, p99
   and mean wall times at the client, with the size of the answers:
   - the incident list, first page (`/api/v1/incidents?limit=50`, by date) and filtered ones: country, type and
     dates; province, type and dates; an actor and dates;
   - an incident's page (`/incidents/ID`, HTML: the incident described afresh from its events, its reports, the
     assessment against each agreement), a different incident each time;
   - the map's data (`/api/v1/map?bbox=...`) for a box chosen to hold about 30,000 incidents.
"""
from __future__ import annotations

import argparse
import http.client
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import create_engine, func, insert, inspect, select
from sqlalchemy.engine import make_url

from trucewatch.demo import example_agreements_path
from trucewatch.jobs.agreements import load_agreements
from trucewatch.settings import database_url, masked_url
from trucewatch.storage import Database, Store
from trucewatch.storage.repository import EVENTS, INCIDENTS, REPORTS
from trucewatch.storage.schema import ClaimRow, FigureRow

FIGURES, CLAIMS = FigureRow.__table__, ClaimRow.__table__
PER_DAY = 65  # accounts a day, as bench_resolve.py assumes
LAST_DAY = date(2025, 12, 31)
BATCH = 20_000  # events per transaction while loading
MAP_POINTS = 30_000  # the map's box is chosen to hold about this many incidents
# (latitude, longitude, spread in degrees, weight): towns and districts of Khyber Pakhtunkhwa, Balochistan, the
# tribal districts and eastern and southern Afghanistan
AREAS = ((34.01, 71.58, 0.5, 6), (33.0, 70.1, 0.5, 5), (30.18, 66.98, 0.7, 5), (30.92, 66.45, 0.2, 3),
         (34.53, 69.17, 0.4, 3), (32.3, 69.6, 0.6, 4), (27.3, 65.3, 1.4, 2), (35.2, 71.9, 0.4, 2),
         (31.61, 65.71, 0.5, 2), (33.6, 73.05, 0.3, 1), (24.86, 67.0, 0.4, 1), (36.7, 67.1, 0.9, 1))
TYPES = (("Battles", "Armed clash", 35), ("Explosions/Remote violence", "Remote explosive/landmine/IED", 12),
         ("Explosions/Remote violence", "Suicide bomb", 3), ("Explosions/Remote violence", "Air/drone strike", 8),
         ("Explosions/Remote violence", "Shelling/artillery/missile attack", 6),
         ("Violence against civilians", "Attack", 14),
         ("Violence against civilians", "Abduction/forced disappearance", 4),
         ("Protests", "Peaceful protest", 8), ("Riots", "Violent demonstration", 3),
         ("Strategic developments", "Arrests", 7))
ACTORS = ("Military Forces of Pakistan", "TTP: Tehreek-e-Taliban Pakistan", "Military Forces of Afghanistan (Taliban)",
          "Police Forces of Pakistan", "BLA: Baloch Liberation Army", "Unidentified Armed Group (Pakistan)")
OUTLETS = ("Dawn", "The Express Tribune", "Tolo News", "Pajhwok", "Frontier Post", "ISPR", "Ariana News")
COUNTRY = {"Pakistan": "Khyber Pakhtunkhwa", "Afghanistan": "Nangarhar"}


# --- loading -----------------------------------------------------------------------------------------------------


def happenings(n_events: int, seed: int) -> Iterator[tuple[int, list[int]]]:
    """(happening number, the sizes of its accounts): 1 to 6 accounts each, 2.8 on average, until n events."""
    rng = random.Random(seed)
    made, number = 0, 0
    while made < n_events:
        accounts = min(rng.choice((1, 1, 1, 2, 2, 3, 3, 4, 5, 6)), n_events - made)
        yield number, [1] * accounts
        made += accounts
        number += 1


def rows_of(number: int, accounts: int, rng: random.Random, days: int, now: datetime) -> dict[str, list[dict]]:
    """The rows of one happening: its reports, events, figures, claims and incident summary."""
    lat, lon, spread, _ = rng.choices(AREAS, weights=[a[3] for a in AREAS])[0]
    event_type, sub, _ = rng.choices(TYPES, weights=[t[2] for t in TYPES])[0]
    actor = rng.choice(ACTORS)
    day = LAST_DAY - timedelta(days=rng.randrange(days))
    lat, lon = round(lat + rng.gauss(0, spread), 4), round(lon + rng.gauss(0, spread), 4)
    country = "Pakistan" if lon > 69.3 or lat < 29.5 else "Afghanistan"
    incident_id = f"inc-{number:012x}"
    out: dict[str, list[dict]] = {"reports": [], "events": [], "figures": [], "claims": []}
    dead = []
    for k in range(accounts):
        report_id, event_id = f"r-{number:09d}-{k}", f"evt-{number:09d}-{k}"
        text = f"{rng.choice(OUTLETS)}: {sub} near {lat:.2f},{lon:.2f}; {actor}. Officials said nine were killed."
        out["reports"].append({
            "report_id": report_id, "sha256": f"{number:056x}{k:08x}", "source": f"{report_id}.json",
            "outlet": rng.choice(OUTLETS), "url": f"https://example.org/{report_id}", "title": f"{sub} ({report_id})",
            "published": day + timedelta(days=rng.choice((0, 0, 1))), "published_basis": "file",
            "media_type": "application/json", "kind": "news", "text": text, "ingested_at": now, "revision_of": None})
        out["events"].append({
            "event_id": event_id, "report_id": report_id, "seq": 0, "event_type": event_type, "sub_event_type": sub,
            "event_date": day, "event_date_end": None, "time_precision": 1, "actor1": actor, "actor2": None,
            "location": f"place {number % 5000}", "country": country, "admin1": COUNTRY[country], "admin2": None,
            "latitude": lat, "longitude": lon, "geo_precision": 1, "feature": "town", "incident_id": incident_id,
            "notes": ""})
        if rng.random() < 0.4:
            low = rng.choice((1, 2, 3, 5, 9, 12, 30))
            dead.append(low)
            out["figures"].append({"event_id": event_id, "seq": 0, "low": low, "high": low, "victims": "unspecified",
                                   "claimed_by": None, "surface": "nine were killed", "span_start": len(text) - 17,
                                   "span_end": len(text) - 1, "sentence": 1})
        if rng.random() < 0.3:
            out["claims"].append({"event_id": event_id, "seq": 0, "claimant": "Government of Pakistan",
                                  "stance": rng.choice(("asserts", "denies")), "about": "occurrence",
                                  "stated_on": None, "surface": "said", "span_start": len(text) - 27,
                                  "span_end": len(text) - 23, "sentence": 1})
    best = max(dead) if dead else None
    out["incidents"] = [{
        "incident_id": incident_id, "first_date": day, "last_date": day, "time_precision": 1,
        "event_type": event_type, "sub_event_type": sub, "country": country, "admin1": COUNTRY[country],
        "admin2": None, "location": f"place {number % 5000}", "latitude": lat, "longitude": lon, "geo_precision": 1,
        "actor1": actor, "actor2": None, "n_events": accounts, "n_reports": accounts,
        "contested": len(set(dead)) > 1, "reasons": "conflicting figures" if len(set(dead)) > 1 else "",
        "fatalities_low": min(dead) if dead else None, "fatalities_best": best, "fatalities_high": best,
        "updated_at": now}]
    return out


def load(db_url: str, n_events: int, seed: int) -> dict[str, float]:
    """Fill a fresh store with `n_events` synthetic events and what goes with them; the counts and the time."""
    started = time.perf_counter()
    rng = random.Random(seed)
    days = max(1, math.ceil(n_events / PER_DAY))
    now = datetime(2026, 1, 1, tzinfo=UTC)
    counts = dict.fromkeys(("reports", "events", "figures", "claims", "incidents"), 0)
    tables = {"reports": REPORTS, "events": EVENTS, "figures": FIGURES, "claims": CLAIMS, "incidents": INCIDENTS}
    with Database.open(db_url) as database:
        store = database.reports
        pending: dict[str, list[dict]] = {name: [] for name in tables}
        for number, accounts in happenings(n_events, seed):
            for name, rows in rows_of(number, len(accounts), rng, days, now).items():
                pending[name] += rows
            if len(pending["events"]) >= BATCH:
                _flush(store, tables, pending, counts)
        _flush(store, tables, pending, counts)
        load_agreements(database, example_agreements_path())
    return {**counts, "days": days, "seconds": time.perf_counter() - started}


def _flush(store: Store, tables: dict, pending: dict[str, list[dict]], counts: dict[str, int]) -> None:
    with store.engine.begin() as conn:
        for name, table in tables.items():  # reports before their events, events before their children
            if pending[name]:
                conn.execute(insert(table), pending[name])
                counts[name] += len(pending[name])
                pending[name] = []


def box_for(db_url: str, target: int) -> tuple[str, int]:
    """A box around the busiest area holding about `target` incidents: its bbox parameter and the count."""
    lat, lon = AREAS[0][0], AREAS[0][1]
    with Database.open(db_url, upgrade=False) as database, database.engine.connect() as conn:
        def count(half: float) -> int:
            c = INCIDENTS.c
            return conn.execute(select(func.count()).where(
                c.latitude.between(lat - half, lat + half), c.longitude.between(lon - half, lon + half))).scalar()

        low, high = 0.0, 10.0
        for _ in range(25):
            half = (low + high) / 2
            found = count(half)
            if abs(found - target) <= target * 0.02:
                break
            low, high = (half, high) if found < target else (low, half)
    return f"{lon - half:.4f},{lat - half:.4f},{lon + half:.4f},{lat + half:.4f}", found


# --- serving and measuring ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUCEWATCH_")}
    process = subprocess.Popen([sys.executable, "-c", "from trucewatch.cli.main import main; main()", "serve",
                                "--dev", "--port", str(port), "--db", db],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, port
        except OSError:
            if process.poll() is not None:
                said = process.stderr.read() if process.stderr else ""
                raise SystemExit(f"the server did not start: {said}") from None
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start within 60 s")


def measure(port: int, paths: list[str]) -> tuple[list[float], int]:
    """Each path once, in order, over one kept-alive connection: the wall times (ms) and the bytes of the last."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    times, size = [], 0
    for path in paths:
        started = time.perf_counter()
        conn.request("GET", path)
        answer = conn.getresponse()
        body = answer.read()
        times.append((time.perf_counter() - started) * 1000)
        if answer.status != 200:
            raise SystemExit(f"GET {path}: {answer.status} {body[:300]!r}")
        size = len(body)
    conn.close()
    return times, size


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def report_line(name: str, times: list[float], size: int) -> str:
    return (f"  {name:<34} p50 {percentile(times, 50):8.1f} ms   p99 {percentile(times, 99):8.1f} ms   "
            f"mean {statistics.fmean(times):8.1f} ms   {size / 1024:8.1f} KiB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events to load (default 1,000,000)")
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", help="the store: an SQLite file or a database URL (default: a temporary SQLite file); "
                                     "reused if it holds incidents, else filled")
    parser.add_argument("--postgres", action="store_true",
                        help="on a throw-away PostgreSQL server (tests/postgres.py), stopped at the end")
    parser.add_argument("--keep", action="store_true", help="keep the store's file")
    parser.add_argument("--map", type=int, nargs="*", metavar="N",
                        help="only the map in a browser at N incidents (default 30,000 and 100,000): bench_map.py")
    args = parser.parse_args(argv)
    if args.map is not None:
        from bench_map import main as bench_map  # noqa: PLC0415 (it needs Playwright and Chromium)

        bench_map(["--sizes", *[str(n) for n in args.map or (30_000, 100_000)]])
        return
    folder = tempfile.mkdtemp(prefix="bench-web-")
    server = _postgres() if args.postgres else None
    db_url = server.fresh_database(migrated=False) if server else database_url(args.db or f"{folder}/web.sqlite3")
    try:
        _fill_and_measure(db_url, args)
    finally:
        if server:
            server.stop()
    db = Path(make_url(db_url).database or "")
    if not args.keep and args.db is None and not server:
        db.unlink(missing_ok=True)
        for extra in (Path(f"{db}-wal"), Path(f"{db}-shm")):
            extra.unlink(missing_ok=True)
    if not os.listdir(folder):
        os.rmdir(folder)


def _postgres() -> Any:
    """A throw-away PostgreSQL server, as the tests start one (tests/postgres.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from postgres import start_postgres  # noqa: PLC0415

    return start_postgres()


def _holds_incidents(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            if "incidents" not in inspect(conn).get_table_names():
                return 0
            return int(conn.execute(select(func.count()).select_from(INCIDENTS)).scalar_one())
    finally:
        engine.dispose()


def _fill_and_measure(db_url: str, args: argparse.Namespace) -> None:
    if _holds_incidents(db_url):
        print(f"reusing {masked_url(db_url)}")
    else:
        found = load(db_url, args.events, args.seed)
        print(f"loaded {found['events']:,} events ({found['reports']:,} reports, {found['figures']:,} figures, "
              f"{found['claims']:,} claims) into {found['incidents']:,} incidents over {found['days']:,} days "
              f"in {found['seconds']:.1f} s ({found['events'] / found['seconds']:,.0f} events/s) into "
              f"{make_url(db_url).get_backend_name()}")
    bbox, in_box = box_for(db_url, MAP_POINTS)
    with Database.open(db_url, upgrade=False) as database, database.engine.connect() as conn:
        ids = list(conn.execute(select(INCIDENTS.c.incident_id)).scalars())
    rng = random.Random(args.seed)
    n = args.requests
    kinds = {
        "incident list, first page": ["/api/v1/incidents?limit=50"] * n,
        "incident list, filtered": ["/api/v1/incidents?" + urlencode(
            {"country": "Pakistan", "type": "Armed clash", "from": "2024-01-01", "to": "2025-12-31",
             "limit": 50})] * n,
        "filtered: province, type, dates": ["/api/v1/incidents?" + urlencode(
            {"province": "khyber pakhtunkhwa", "type": "Air/drone strike", "from": "2019-03-01",
             "to": "2021-06-30", "limit": 50})] * n,
        "filtered: actor, dates": ["/api/v1/incidents?" + urlencode(
            {"actor": "baloch", "from": "2010-01-01", "to": "2025-12-31", "limit": 50})] * n,
        "incident page (HTML)": [f"/incidents/{i}" for i in rng.sample(ids, min(n, len(ids)))],
        f"map data, {in_box:,} incidents": [f"/api/v1/map?bbox={bbox}&limit=100000"] * n,
    }
    process, port = serve(db_url)
    try:
        measure(port, ["/api/v1/incidents?limit=1", f"/incidents/{ids[0]}"])  # warm up: imports, caches
        print(f"{n} requests of each kind, one at a time, over one connection ({len(ids):,} incidents; map box "
              f"{bbox}):")
        for name, paths in kinds.items():
            times, size = measure(port, paths)
            print(report_line(name, times, size), flush=True)
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
