"""`ingest --workers N`: extraction in worker processes, storing in the main one, gives what one process gives.

The reports are generated (benchmarks/generate_reports.py, a war's shape: several outlets tell each happening), plus a
revision and a copy of one of them, so that storing in input order matters. Speed is printed by
benchmarks/bench_backfill.py, not asserted here.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from trucewatch import jobs
from trucewatch.storage import Database

ROOT = Path(__file__).resolve().parents[2]
REPORTS = 24
WORDS = 150


def war_reports(n: int, seed: int = 3, words: int = WORDS) -> list[dict]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate_reports import generate_war_reports  # noqa: PLC0415
    finally:
        sys.path.pop(0)
    return generate_war_reports(n, seed=seed, words=words, days=3)


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """One .jsonl of generated reports, with a revision of the first (same id, other text) and a copy of the second
    in the middle: what they become depends on what was stored before them."""
    articles = war_reports(REPORTS)
    revised = {**articles[0], "text": articles[0]["text"].replace("—", "— Updated:", 1)}
    articles[REPORTS // 2:REPORTS // 2] = [revised, {**articles[1]}]
    path = tmp_path_factory.mktemp("batch") / "reports.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path) -> Iterator[Database]:
    with Database.open(f"sqlite:///{tmp_path / 'w.sqlite3'}", upgrade=True) as database:
        yield database


def record(db: Database) -> tuple[list[tuple], dict[str, set[str]]]:
    """What a user sees of the store: each report's events (id, type, date, place, incident) and each incident's
    reports."""
    store = db.reports
    events = sorted((e.event_id, e.report_id, e.event_type, e.event_date, e.place and e.place.name, e.incident_id)
                    for e in store.iter_events())
    incidents: dict[str, set[str]] = {}
    for e in store.iter_events():
        incidents.setdefault(e.incident_id or "", set()).add(e.report_id)
    return events, incidents


def test_two_workers_store_the_same_events_and_incidents_as_one(batch, tmp_path):
    found = []
    for workers in (1, 2):
        with Database.open(f"sqlite:///{tmp_path / f'{workers}.sqlite3'}", upgrade=True) as database:
            results = jobs.ingest.ingest_paths([batch], database, workers=workers)
            found.append(([(r.source, r.report_id, r.status, r.reason, r.events) for r in results], record(database)))
    (one_results, one_record), (two_results, two_record) = found
    assert two_results == one_results  # the same lines, in input order
    assert two_record == one_record
    statuses = [status for _, _, status, _, _ in one_results]
    assert statuses.count("added") == REPORTS + 1 and statuses.count("unchanged") == 1  # the revision; the copy
    assert any("a revision of" in reason for *_, reason, _ in one_results)
    assert any(len(reports) > 1 for reports in one_record[1].values())  # accounts of one happening joined


def test_a_bad_report_is_one_refusal_and_the_batch_goes_on(batch, db, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.json").write_text(json.dumps({"id": "empty", "published": "2025-10-10", "text": ""}))
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    results = jobs.ingest.ingest_paths([bad, batch], db, workers=2)
    refused = [r for r in results if r.status == "refused"]
    assert [Path(r.source).name for r in refused] == ["binary.txt", "empty.json"]
    assert all(r.reason.startswith("TW-E1") for r in refused)
    assert sum(r.status == "added" for r in results) == REPORTS + 1


def test_a_worker_killed_midway_does_not_stop_the_batch(batch, db):
    """The system kills an extraction worker (out of memory, say): the reports it held are coded again, alone, and the
    batch ends with every report stored."""
    results = jobs.ingest.iter_ingest([batch], db, workers=2)
    first = next(results)
    killed = threading.Event()

    def kill_a_worker() -> None:
        children = multiprocessing.active_children()
        if children:
            os.kill(children[0].pid, signal.SIGKILL)
            killed.set()

    kill_a_worker()
    rest = list(results)
    assert killed.is_set()
    done = [first, *rest]
    assert len(done) == REPORTS + 2
    assert [r.status for r in done].count("added") == REPORTS + 1
    assert all(r.status != "refused" for r in done)
    assert len(list(db.reports.iter_events())) > 0
