"""How fast trucewatch resolves events into incidents, how much memory it takes, and how well it finds duplicates.

    python benchmarks/bench_resolve.py                     # 100,000 and 1,000,000 events
    python benchmarks/bench_resolve.py --n 20000 --heap    # a quick run, with the Python heap peak
    python benchmarks/bench_resolve.py --fixed-span 731 --n 10000 50000 100000   # density rising with n
    python benchmarks/bench_resolve.py --fixed-span 731 --n 10000 --ingest-path  # also the per-report ingest path

The input is synthetic `trucewatch.pipeline.resolve.Candidate`s (the few fields resolution reads, as a real run builds
them from stored events), with planted duplicates: each made-up happening is told by 1 to 6 reports whose accounts
differ as real ones do (the date by a day, the spot by a few km, a district or province instead of the town, a
defensible other sub-type, the armed group named or not). So the true incidents are known, and the benchmark scores
the resolver's incidents against them, pair by pair.

For each N, in a fresh Python process (so peak memory is that N's own):

1. generate: the N candidates, timed apart from resolution;
2. resolve: `resolve(candidates)`, timed; peak resident memory from `resource.getrusage(...).ru_maxrss`, which
   includes the candidates themselves;
3. score: incidents found and planted, pairwise precision, recall and F1;
4. with --heap, in another process: `tracemalloc`'s peak during `resolve` alone (the resolver's own Python objects).

With --fixed-span DAYS every N is spread over the same DAYS (so the density rises with N, as in a war), and the
growth exponent between sizes (log t2/t1 / log n2/n1: 1 is linear) is printed. With --ingest-path, the path a report
takes at ingest is timed too, in another process: the events of N accounts are stored as reports and events in a
SQLite store and resolved by the job (`resolve_all`), leaving --ingest-reports reports out; then each of those is
stored and resolved as `ingest_report` does after extraction (`Store.save` and `resolve_new` in one write
transaction), timed one by one.

See benchmarks/README.md for what the figures mean.
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from array import array
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from importlib.resources import files

from trucewatch.pipeline.extract.event_types import DEFENSIBLE
from trucewatch.pipeline.extract.places import read_rows
from trucewatch.pipeline.resolve import Candidate, resolve

PHASES = ("resolve", "heap", "ingest")
LAST_DAY, DAYS = date(2025, 12, 31).toordinal(), 731  # the shortest span: two years, 2024 and 2025
# Accounts a day on average, kept for any N by default: ACLED codes some 25-30 events a day in Pakistan and
# Afghanistan in 2025, and each is told by 2.45 reports here. A bigger backfill covers more years, not busier days.
PER_DAY = 65
# Surges: (first day, days, times the usual rate). The fortnight of open war is the October 2025 border fighting.
SURGES = ((date(2025, 10, 9).toordinal(), 14, 10.0), (date(2024, 3, 16).toordinal(), 7, 3.0),
          (date(2025, 3, 11).toordinal(), 7, 3.0))
GROWTH = 1.5  # the usual rate at the end of the two years, relative to the start

# ACLED's event types and sub-types, with their rough shares of this conflict's events.
TYPES = (
    ("Battles", "Armed clash", 35),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", 12),
    ("Explosions/Remote violence", "Suicide bomb", 3),
    ("Explosions/Remote violence", "Air/drone strike", 8),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", 7),
    ("Explosions/Remote violence", "Grenade", 2),
    ("Violence against civilians", "Attack", 15),
    ("Violence against civilians", "Abduction/forced disappearance", 5),
    ("Strategic developments", "Arrests", 8),
    ("Strategic developments", "Agreement", 1),
    ("Strategic developments", "Other", 4),
)
EVENT_TYPE_OF = {sub: event_type for event_type, sub, _ in TYPES}
ALTERNATIVES = {sub: tuple(sorted(other for pair in DEFENSIBLE if sub in pair for other in pair if other != sub))
                for _, sub, _ in TYPES}

# Shares of happenings by region, and which named armed group the region's happenings are blamed on.
REGION_SHARE = {"Khyber Pakhtunkhwa": 0.45, "Balochistan": 0.25, "Afghanistan": 0.22, "elsewhere": 0.08}
GROUPS = {"Khyber Pakhtunkhwa": (("TTP", 75), ("HGB", 15), ("ISKP", 10)),
          "Balochistan": (("BALOCH", 70), ("TTP", 20), ("ISKP", 10)),
          "Afghanistan": (("ISKP", 60), ("TTP", 40)),
          "elsewhere": (("TTP", 50), ("BALOCH", 30), ("ISKP", 20))}
TOWNS_PER_REGION = {"Khyber Pakhtunkhwa": 78, "Balochistan": 51, "Afghanistan": 131, "elsewhere": 40}  # 300 in all
REPORTS_PER_HAPPENING = (35, 25, 17, 11, 7, 5)  # weights of 1..6 reports: 2.45 on average
NAMED, MISNAMED = 0.65, 0.02  # shares of accounts that name the happening's armed group, and that name another one
OTHER_SUB_TYPE = 0.12  # share of accounts that give a defensible other sub-type
KM_PER_DEGREE = 111.2
# --shape war: the world's happenings do not multiply with the reports read about them. Happenings come at a fixed
# rate (about ACLED's count of political violence in Pakistan and Afghanistan, some 4,700 a year), with the surges;
# more events are more reports of them, spread like the outlets' attention (the k-th biggest happening gets extra
# reports in proportion to 1/sqrt(k)). And accounts are geocoded as the extractor does, to the points of a gazetteer:
# a spot "a few km off" is the nearest point of a GAZETTEER_GRID grid (villages are a few km apart), not a new
# coordinate for every report.
WAR_PER_DAY = 13
GAZETTEER_GRID = 0.05
SHAPES = ("default", "war")
_shape = "default"  # set by main() from --shape, in the parent and in each measuring child


@dataclass(frozen=True, slots=True)
class Town:
    country: str
    admin1: str
    admin2: str | None
    latitude: float
    longitude: float
    region: str


@dataclass(frozen=True, slots=True)
class Happening:
    """One planted incident: what every account of it varies around."""

    number: int
    day: int
    town: Town
    latitude: float  # the spot, a few km from the town
    longitude: float
    sub_event_type: str
    group: str | None


# --- the synthetic happenings and their accounts ---------------------------------------------------------------------

def load_places() -> tuple[list[Town], dict[str, float], dict[tuple[str, str], tuple[float, float]]]:
    """300 towns of the gazetteer (all of Khyber Pakhtunkhwa and Balochistan, the most populous of Afghanistan and the
    rest of Pakistan), each one's sampling weight, and each province's point (what a province-only event carries)."""
    rows = read_rows((files("trucewatch") / "data" / "gazetteer.tsv").read_text(encoding="utf-8"))
    centres = {(r["country"], r["admin1"]): (float(r["latitude"]), float(r["longitude"]))
               for r in rows if r["feature"] == "province"}
    by_region: dict[str, list[dict]] = {region: [] for region in REGION_SHARE}
    for r in rows:
        if r["feature"] == "town" and 24 <= float(r["latitude"]) <= 37 and 60 <= float(r["longitude"]) <= 75:
            by_region[_region(r["country"], r["admin1"])].append(r)
    towns, weights = [], {}
    for region, members in by_region.items():
        members.sort(key=lambda r: (-int(r["population"] or 0), r["name"]))
        chosen = members[:TOWNS_PER_REGION[region]]
        ranks = [1 / math.sqrt(rank + 1) for rank in range(len(chosen))]  # bigger towns see more events
        for r, rank in zip(chosen, ranks):
            town = Town(r["country"], r["admin1"], r["admin2"] or None, float(r["latitude"]), float(r["longitude"]),
                        region)
            towns.append(town)
            weights[town] = REGION_SHARE[region] * rank / sum(ranks)
    return towns, weights, centres


def _region(country: str, admin1: str) -> str:
    if country == "Afghanistan":
        return "Afghanistan"
    return admin1 if admin1 in ("Khyber Pakhtunkhwa", "Balochistan") else "elsewhere"


def span_for(n: int) -> int:
    """Days that N accounts cover at the default density (never fewer than two years)."""
    return max(DAYS, round(n / PER_DAY))


def day_weights(days: int = DAYS) -> list[float]:
    """The rate of happenings on each day of the `days` ending on LAST_DAY: growing by GROWTH over the span, with
    surges."""
    FIRST_DAY = LAST_DAY - days + 1
    weights = [1 + (GROWTH - 1) * i / max(days - 1, 1) for i in range(days)]
    for first, length, factor in SURGES:
        for day in range(max(first, FIRST_DAY), min(first + length, FIRST_DAY + days)):
            weights[day - FIRST_DAY] *= factor
    return weights


def generate(n: int, seed: int, days: int = DAYS) -> tuple[list[Candidate], array]:
    """N candidates over `days` days from 2024-01-01, and for each the number of the happening it tells: the planted
    incidents (--shape war: `_war_sizes`, and places on gazetteer points)."""
    rng = random.Random(seed)
    sizes = _war_sizes(n, days, rng) if _shape == "war" else _reports_per_happening(n, rng)
    towns, town_weights, centres = load_places()
    first_day = LAST_DAY - days + 1
    days = sorted(rng.choices(range(first_day, first_day + days), weights=day_weights(days), k=len(sizes)))
    places = rng.choices(towns, weights=[town_weights[t] for t in towns], k=len(sizes))
    kinds = rng.choices([sub for _, sub, _ in TYPES], weights=[w for _, _, w in TYPES], k=len(sizes))
    happenings_on = Counter(days)
    ids = _Ids(seed)
    candidates: list[Candidate] = []
    truth = array("l")
    for number, (size, day, town, sub) in enumerate(zip(sizes, days, places, kinds)):
        happening = _happening(number, day, town, sub, rng)
        roundups = max(1, happenings_on[day] // 10)  # daily round-up reports, each telling several happenings
        used: set[int] = set()
        for _ in range(size):
            report_id = ids.report()
            if rng.random() < 0.1 and len(used) < roundups:
                pick = rng.randrange(roundups)
                if pick not in used:
                    used.add(pick)
                    report_id = f"rep-roundup-{day}-{pick}"
            account = _account(happening, report_id, ids.event(), centres, rng)
            candidates.append(_on_gazetteer(account) if _shape == "war" else account)
            truth.append(number)
    return candidates, truth


def _war_sizes(n: int, days: int, rng: random.Random) -> list[int]:
    """Reports per happening for --shape war: WAR_PER_DAY happenings a day (fewer if N is smaller), each told once,
    and the other reports shared out in proportion to 1/sqrt(rank), so a few happenings are told hundreds of times."""
    happenings = min(n, WAR_PER_DAY * days)
    sizes = [1] * happenings
    for k in rng.choices(range(happenings), weights=[1 / math.sqrt(k + 1) for k in range(happenings)],
                         k=n - happenings):
        sizes[k] += 1
    rng.shuffle(sizes)  # the biggest are not all on the first days
    return sizes


def _on_gazetteer(c: Candidate) -> Candidate:
    """The account as a geocoder gives it: a point of the gazetteer grid, not a coordinate of its own."""
    if c.latitude is None or c.longitude is None or c.geo_precision >= 3:
        return c
    snap = GAZETTEER_GRID
    return replace(c, latitude=round(round(c.latitude / snap) * snap, 5),
                   longitude=round(round(c.longitude / snap) * snap, 5))


def _reports_per_happening(n: int, rng: random.Random) -> list[int]:
    estimate = int(n / 2.45 * 1.02) + 10
    sizes = rng.choices(range(1, len(REPORTS_PER_HAPPENING) + 1), weights=REPORTS_PER_HAPPENING, k=estimate)
    while sum(sizes) < n:
        sizes.append(rng.randint(1, 3))
    total = 0
    for i, size in enumerate(sizes):  # cut at exactly n accounts
        if total + size >= n:
            sizes[i] = n - total
            return sizes[:i + 1]
        total += size
    return sizes


def _happening(number: int, day: int, town: Town, sub: str, rng: random.Random) -> Happening:
    lat, lon = _jitter(town.latitude, town.longitude, 3.0, rng)
    group = None
    if EVENT_TYPE_OF[sub] != "Strategic developments" and rng.random() < 0.45:
        names, weights = zip(*GROUPS[town.region])
        group = rng.choices(names, weights=weights)[0]
    return Happening(number, day, town, lat, lon, sub, group)


def _account(h: Happening, report_id: str, event_id: str, centres: dict, rng: random.Random) -> Candidate:
    """One report's version of a happening."""
    first, last = _days(h.day, rng)
    latitude, longitude, precision, admin2 = _where(h, centres, rng)
    sub = h.sub_event_type
    if ALTERNATIVES[sub] and rng.random() < OTHER_SUB_TYPE:
        sub = rng.choice(ALTERNATIVES[sub])
    return Candidate(event_id=event_id, report_id=report_id, first_day=first, last_day=last, latitude=latitude,
                     longitude=longitude, geo_precision=precision, country=h.town.country, admin1=h.town.admin1,
                     admin2=admin2, event_type=EVENT_TYPE_OF[sub], sub_event_type=sub, groups=_groups(h, rng))


def _days(day: int, rng: random.Random) -> tuple[int, int]:
    """The same day for most reports, a day later or earlier for some; a night, a week or a month for a few."""
    r = rng.random()
    day += 0 if r < 0.7 else 1 if r < 0.9 else -1
    r = rng.random()
    if r < 0.80:
        return day, day
    if r < 0.88:
        return (day - 1, day) if r < 0.84 else (day, day + 1)
    return (day - 3, day + 3) if r < 0.96 else (day - 15, day + 15)


def _where(h: Happening, centres: dict, rng: random.Random) -> tuple[float | None, float | None, int, str | None]:
    """The town, a few km off (60%); near the town or the district (10%); the province only (30%: its point, or no
    coordinates at all for one in six of those)."""
    r = rng.random()
    if r < 0.60:
        return (*_jitter(h.latitude, h.longitude, 2.0, rng), 1, h.town.admin2)
    if r < 0.70:
        return (*_jitter(h.town.latitude, h.town.longitude, 10.0, rng), 2, h.town.admin2)
    if r < 0.95:
        return (*centres[(h.town.country, h.town.admin1)], 3, None)
    return None, None, 3, None


def _jitter(latitude: float, longitude: float, km: float, rng: random.Random) -> tuple[float, float]:
    dlat = rng.gauss(0.0, km) / KM_PER_DEGREE
    dlon = rng.gauss(0.0, km) / (KM_PER_DEGREE * math.cos(math.radians(latitude)))
    return round(latitude + dlat, 5), round(longitude + dlon, 5)


_NO_GROUPS: frozenset[str] = frozenset()
_ONE_GROUP = {name: frozenset({name}) for name in ("TTP", "BALOCH", "ISKP", "HGB")}


def _groups(h: Happening, rng: random.Random) -> frozenset[str]:
    if h.group is None:
        return _NO_GROUPS
    r = rng.random()
    if r < NAMED:
        return _ONE_GROUP[h.group]
    if r < NAMED + MISNAMED:
        return _ONE_GROUP[rng.choice([g for g in _ONE_GROUP if g != h.group])]
    return _NO_GROUPS


class _Ids:
    """Unique ids that look like the extractor's ("evt-" and 12 hex digits) and sort in no useful order: an odd
    multiplier modulo 2**48 is a bijection, so counters never collide."""

    def __init__(self, seed: int) -> None:
        self._events, self._reports, self._salt = 0, 0, (seed * 0x5851F42D4C957F2D) % 2**48

    def event(self) -> str:
        self._events += 1
        return f"evt-{(self._events * 0x9E3779B97F4B ^ self._salt) % 2**48:012x}"

    def report(self) -> str:
        self._reports += 1
        return f"rep-{(self._reports * 0xC2B2AE3D27D5 ^ self._salt) % 2**48:012x}"


# --- scoring against the planted incidents ---------------------------------------------------------------------------

def score(found: list[str], planted: array) -> dict:
    """Pairwise precision and recall: of the pairs of events put in one incident, how many are one happening, and of
    the pairs that are one happening, how many were put together. Counted from cluster sizes, not pair by pair."""
    found_sizes, planted_sizes = Counter(found), Counter(planted)
    both = Counter(zip(found, planted))
    found_pairs, planted_pairs = _pairs(found_sizes), _pairs(planted_sizes)
    true_pairs = _pairs(both)
    precision = true_pairs / found_pairs if found_pairs else 1.0
    recall = true_pairs / planted_pairs if planted_pairs else 1.0
    exact = sum(1 for (f, p), k in both.items() if k == found_sizes[f] == planted_sizes[p])
    return {"incidents_found": len(found_sizes), "incidents_planted": len(planted_sizes),
            "exact": exact, "precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0}


def _pairs(sizes: Counter) -> int:
    return sum(k * (k - 1) // 2 for k in sizes.values())


# --- the measurements, each run in its own process -------------------------------------------------------------------

def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def measure_resolve(n: int, seed: int, days: int) -> dict:
    started = time.perf_counter()
    candidates, planted = generate(n, seed, days)
    generated = time.perf_counter() - started
    rss_before = peak_rss_mib()
    started = time.perf_counter()
    assignment = resolve(candidates)
    seconds = time.perf_counter() - started
    rss_after = peak_rss_mib()
    figures = score([assignment[c.event_id] for c in candidates], planted)
    return {"generate_seconds": generated, "seconds": seconds, "rss_generated_mib": rss_before,
            "peak_rss_mib": rss_after, **figures}


def measure_heap(n: int, seed: int, days: int) -> dict:
    candidates, _ = generate(n, seed, days)
    tracemalloc.start()
    resolve(candidates)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"heap_peak_mib": peak / 2**20}


# --- the ingest path: one report's events resolved against a filled store ------------------------------------------

ACTOR_OF_GROUP = {"TTP": "TTP: Tehreek-e-Taliban Pakistan", "BALOCH": "BLA: Baloch Liberation Army",
                  "ISKP": "ISKP: Islamic State Khorasan Province", "HGB": "Hafiz Gul Bahadur Group (Jaish al-Fursan)"}
INGEST_REPORTS = 200  # reports timed one by one on the ingest path (default of --ingest-reports)


def _event_of(c: Candidate) -> object:
    from trucewatch.records import Event, Place

    place = None
    if c.latitude is not None and c.longitude is not None:
        feature = {1: "town", 2: "district"}.get(c.geo_precision, "province")
        place = Place(c.admin2 or c.admin1 or "", c.country or "", c.admin1, c.admin2, c.latitude, c.longitude,
                      c.geo_precision, feature)
    group = next(iter(c.groups), None)
    return Event(event_id=c.event_id, report_id=c.report_id, event_type=c.event_type, sub_event_type=c.sub_event_type,
                 event_date=date.fromordinal(c.first_day),
                 event_date_end=date.fromordinal(c.last_day) if c.last_day != c.first_day else None,
                 actor1=ACTOR_OF_GROUP[group] if group else None, place=place)


def _reports_of(candidates: list[Candidate]) -> list[tuple[object, list]]:
    """One short stored report per report id, with its accounts as events (round-ups carry several)."""
    import hashlib

    from trucewatch.records import Report

    by_report: dict[str, list] = {}
    for c in candidates:
        by_report.setdefault(c.report_id, []).append(_event_of(c))
    reports = []
    for report_id, events in by_report.items():
        published = max(e.event_date_end or e.event_date for e in events)
        text = f"Synthetic report {report_id} of {len(events)} accounts."
        reports.append((Report(report_id, hashlib.sha256(text.encode()).hexdigest(), text, published, "option"),
                        events))
    return reports


def measure_ingest_path(n: int, seed: int, days: int, timed: int = INGEST_REPORTS) -> dict:
    import tempfile

    from trucewatch.jobs.incidents import resolve_all
    from trucewatch.jobs.ingest import resolve_new
    from trucewatch.pipeline.sides import Sides
    from trucewatch.storage import Database

    candidates, _ = generate(n, seed, days)
    reports = _reports_of(candidates)
    step = max(1, len(reports) // timed)  # the timed reports spread over the span, every step-th one
    held = reports[step - 1::step][:timed]
    held_ids = {r.report_id for r, _ in held}
    sides = Sides.shipped()
    with tempfile.TemporaryDirectory(prefix="trucewatch-bench-") as tmp, \
            Database.open(f"sqlite:///{tmp}/resolve.sqlite3") as db:
        started = time.perf_counter()
        with db.reports.writing() as store:
            for report, events in reports:
                if report.report_id not in held_ids:
                    store.save(report, events)
        stored = time.perf_counter() - started
        started = time.perf_counter()
        counts = resolve_all(db)
        prefill_resolve = time.perf_counter() - started
        times = []
        for report, events in held:
            started = time.perf_counter()
            with db.reports.writing() as store:
                store.save(report, events)
                resolve_new(store, events, sides)
            times.append(time.perf_counter() - started)
    times.sort()
    return {"stored_events": n - sum(len(e) for _, e in held), "store_seconds": stored,
            "resolve_all_seconds": prefill_resolve, "incidents": counts["incidents"], "timed_reports": len(times),
            "timed_events": sum(len(e) for _, e in held), "mean_ms": 1000 * sum(times) / len(times),
            "p50_ms": 1000 * times[len(times) // 2], "p90_ms": 1000 * times[int(len(times) * 0.9)],
            "max_ms": 1000 * times[-1], "peak_rss_mib": peak_rss_mib()}


MEASURES = {"resolve": measure_resolve, "heap": measure_heap, "ingest": measure_ingest_path}


def run_phase(phase: str, n: int, seed: int, days: int, timeout: float | None, extra: tuple[str, ...] = ()) -> dict:
    """One measurement in a fresh interpreter; its figures come back as JSON on the last line of stdout. A run
    longer than `timeout` seconds is stopped and reported as such."""
    command = [sys.executable, os.path.abspath(__file__), "--phase", phase, "--n", str(n), "--seed", str(seed),
               "--days", str(days), "--shape", _shape, *extra]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"timed_out": timeout}
    if done.returncode != 0:
        raise RuntimeError(f"the {phase} measurement of {n} events failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- reporting -------------------------------------------------------------------------------------------------------

def bench(n: int, seed: int, days: int, heap: bool, timeout: float | None, ingest_reports: int | None = None) -> dict:
    """The resolve figures of N events over `days`; with `ingest_reports`, the ingest path's too (that many reports
    timed over a store of the rest)."""
    figures = {"n": n, "seed": seed, "days": days, "resolve": run_phase("resolve", n, seed, days, timeout)}
    if heap and "timed_out" not in figures["resolve"]:
        figures["heap"] = run_phase("heap", n, seed, days, timeout)
    if ingest_reports:
        figures["ingest"] = run_phase("ingest", n, seed, days, timeout, ("--ingest-reports", str(ingest_reports)))
    return figures


def ingest_summary(f: dict) -> str:
    i = f["ingest"]
    if "timed_out" in i:
        return f"  ingest path: did not finish within {i['timed_out']:.0f} s (--timeout); stopped"
    return "\n".join([
        f"  ingest path, store filled with {i['stored_events']} events: stored in {i['store_seconds']:.1f} s,"
        f" resolved by resolve_all in {i['resolve_all_seconds']:.1f} s ({i['incidents']} incidents)",
        f"  ingest path, {i['timed_reports']} reports ({i['timed_events']} events) each saved and resolved"
        f" (save + resolve_new): mean {i['mean_ms']:.1f} ms, p50 {i['p50_ms']:.1f} ms, p90 {i['p90_ms']:.1f} ms,"
        f" max {i['max_ms']:.1f} ms per report; {1000 / i['mean_ms']:.1f} reports/s"])


def summary(f: dict) -> str:
    r, n = f["resolve"], f["n"]
    head = f"{n} events over {f['days']} days (seed {f['seed']}, shape {_shape})"
    if "timed_out" in r:
        return f"{head}\n  generate+resolve did not finish within {r['timed_out']:.0f} s (--timeout); stopped"
    lines = [
        head,
        f"  generate        {r['generate_seconds']:8.1f} s   (not part of the resolve time)",
        f"  resolve         {r['seconds']:8.1f} s   {n / r['seconds']:10.0f} events/s",
        f"  peak RSS        {r['peak_rss_mib']:8.0f} MiB (after generating: {r['rss_generated_mib']:.0f} MiB)",
        (f"  incidents       {r['incidents_found']} found, {r['incidents_planted']} planted"
         f" ({r['exact']} found exactly, {100 * r['exact'] / r['incidents_planted']:.1f}%)"),
        f"  pairs           precision {r['precision']:.3f}  recall {r['recall']:.3f}  F1 {r['f1']:.3f}",
    ]
    if "timed_out" in f.get("heap", {}):
        lines.append(f"  Python heap peak: not measured, the tracemalloc run passed {f['heap']['timed_out']:.0f} s")
    elif "heap" in f:
        lines.append(f"  Python heap peak during resolve (tracemalloc): {f['heap']['heap_peak_mib']:.0f} MiB")
    return "\n".join(lines)


def growth(every: list[dict]) -> list[str]:
    """Time ratios between successive sizes: 10x the events in about 10x the time is linear."""
    lines = []
    for small, big in itertools.pairwise(every):
        if "timed_out" in small["resolve"] or "timed_out" in big["resolve"]:
            continue
        ratio = big["resolve"]["seconds"] / small["resolve"]["seconds"]
        times = big["n"] / small["n"]
        lines.append(f"{small['n']} -> {big['n']} events ({times:g}x): resolve time {ratio:.1f}x"
                     f" (linear would be {times:g}x, n log n {times * math.log(big['n']) / math.log(small['n']):.1f}x,"
                     f" quadratic {times ** 2:g}x); growth exponent {exponent(ratio, times):.2f}")
        if "mean_ms" in small.get("ingest", {}) and "mean_ms" in big.get("ingest", {}):
            per_report = big["ingest"]["mean_ms"] / small["ingest"]["mean_ms"]
            lines.append(f"  ingest path, time per report: {per_report:.2f}x for {times:g}x the stored events"
                         f" (growth exponent {exponent(per_report, times):.2f}; 0 is flat)")
    return lines


def exponent(time_ratio: float, size_ratio: float) -> float:
    """log(t2/t1) / log(n2/n1): 1 when time grows like n, 2 when like n squared."""
    return math.log(time_ratio) / math.log(size_ratio)


# --- command line ----------------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="event counts (default: 100000 1000000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic events (default 0)")
    parser.add_argument("--days", type=int, default=None,
                        help=f"days the events are spread over, ending 2025-12-31 (default: {DAYS} for 100,000 "
                             "events and proportionally more for more, so the events a day stay as dense; give a "
                             "number to pack more events into the same days)")
    parser.add_argument("--fixed-span", type=int, metavar="DAYS", dest="fixed_span",
                        help="spread every N over these DAYS (e.g. 731), so density rises with N; same as --days")
    parser.add_argument("--shape", choices=SHAPES, default="default",
                        help="default: 1-6 reports per happening, happenings as dense as the events; war: happenings "
                             f"at {WAR_PER_DAY} a day, more events are more reports of them, places on gazetteer "
                             "points")
    parser.add_argument("--ingest-path", action="store_true",
                        help="also time the per-report ingest path (save + resolve_new) over a store of N events")
    parser.add_argument("--ingest-reports", type=int, default=INGEST_REPORTS,
                        help=f"reports timed on the ingest path (default {INGEST_REPORTS})")
    parser.add_argument("--heap", action="store_true", help="also measure the Python heap peak (slow)")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="stop a measurement that runs longer than this many seconds (default 3600)")
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.days = args.fixed_span or args.days
    global _shape
    _shape = args.shape
    if args.phase == "ingest":
        print(json.dumps(measure_ingest_path(args.n[0], args.seed, args.days or span_for(args.n[0]),
                                             args.ingest_reports)))
        return 0
    if args.phase:  # a child process: one measurement, printed as JSON
        print(json.dumps(MEASURES[args.phase](args.n[0], args.seed, args.days or span_for(args.n[0]))))
        return 0
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {sys.platform}", flush=True)
    every = []
    for n in args.n:
        every.append(bench(n, args.seed, args.days or span_for(n), args.heap, args.timeout,
                           args.ingest_reports if args.ingest_path else None))
        print(summary(every[-1]), flush=True)
        if "ingest" in every[-1]:
            print(ingest_summary(every[-1]), flush=True)
    for line in growth(every):
        print(line)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(every, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
