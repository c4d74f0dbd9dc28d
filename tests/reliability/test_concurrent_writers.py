"""Concurrent writers: two and four real `trucewatch ingest` processes, each on its own folder of generated reports,
write to one SQLite database at the same time; then the store must be exactly what one process would have made:
no report refused, every report stored once, every event in an incident, one incident row per incident that has
events with its right event count, every listed incident shown in full. Also two processes on a store not yet
created (both create the schema). Each case prints its figures (reports, events, incidents, seconds).

Fault found by the probe of issue 14: 15 reports refused with "database is locked", 174 incident rows for 136
incidents, 80 stale counts, 6 ghost incidents, and on a fresh store the second process failed outright.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trucewatch import jobs
from trucewatch.storage import Database

ROOT = Path(__file__).resolve().parents[2]
TRUCEWATCH = Path(sys.executable).with_name("trucewatch")
REPORTS_EACH = 30  # per process: enough that the writers overlap for several seconds on 2 cores
WORDS = 120


def write_reports(folder: Path, seed: int, n: int = REPORTS_EACH) -> Path:
    """`n` generated reports (benchmarks/generate_reports.py), one .json file each, ids unique to this seed."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate_reports import generate_reports  # noqa: PLC0415
    finally:
        sys.path.pop(0)
    folder.mkdir(parents=True)
    for i, article in enumerate(generate_reports(n, seed=seed, words=WORDS)):
        article["id"] = f"w{seed}-{i:03d}"
        (folder / f"{i:03d}.json").write_text(json.dumps(article), encoding="utf-8")
    return folder


def ingest_all(folders: list[Path], db: Path) -> list[subprocess.CompletedProcess[str]]:
    """One real `trucewatch ingest` process per folder, all started together; waits for them all."""
    env = {**os.environ, "TRUCEWATCH_DB": str(db)}
    env.pop("TRUCEWATCH_CONFIG", None)
    procs = [subprocess.Popen([str(TRUCEWATCH), "ingest", str(folder), "--no-progress"], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for folder in folders]
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


def assert_store_is_whole(db: Path, expected_reports: int) -> dict[str, int]:
    """The invariants, read straight from the file; returns the figures."""
    with sqlite3.connect(db) as conn:
        reports, distinct = conn.execute("SELECT count(*), count(DISTINCT sha256) FROM reports").fetchone()
        events, loose = conn.execute("SELECT count(*), count(*) - count(incident_id) FROM events").fetchone()
        with_events = dict(conn.execute("SELECT incident_id, count(*) FROM events WHERE incident_id IS NOT NULL "
                                        "GROUP BY incident_id").fetchall())
        rows = dict(conn.execute("SELECT incident_id, n_events FROM incidents").fetchall())
        logged = conn.execute("SELECT count(*) FROM audit_log WHERE action = 'ingest.report'").fetchone()[0]
    assert (reports, distinct, logged) == (expected_reports, expected_reports, expected_reports)
    assert loose == 0, f"{loose} events in no incident"
    assert set(rows) == set(with_events), (f"ghost rows {sorted(set(rows) - set(with_events))[:5]}, "
                                           f"missing rows {sorted(set(with_events) - set(rows))[:5]}")
    stale = {i for i, n in rows.items() if n != with_events[i]}
    assert not stale, f"{len(stale)} incident rows with a stale event count"
    with Database.open(f"sqlite:///{db}", upgrade=False) as database:
        listed, total = jobs.incidents.list_incidents(database, limit=None)
        assert total == len(listed) == len(rows)
        for summary in listed:  # every listed incident can be shown
            assert jobs.incidents.get_incident(database, summary.incident_id).incident_id == summary.incident_id
    return {"reports": reports, "events": events, "incidents": len(rows)}


@pytest.mark.parametrize(("writers", "fresh"), [(2, False), (4, False), (2, True)],
                         ids=["2-writers", "4-writers", "2-writers-fresh-store"])
def test_concurrent_ingests_leave_a_whole_store(tmp_path, writers, fresh):
    db = tmp_path / "shared.sqlite3"
    if not fresh:
        with Database.open(f"sqlite:///{db}"):
            pass  # created beforehand: the writers race on reports and incidents only
    folders = [write_reports(tmp_path / f"w{seed}", seed) for seed in range(writers)]
    started = time.monotonic()
    results = ingest_all(folders, db)
    seconds = time.monotonic() - started
    for result in results:
        assert result.returncode == 0, result.stderr
        assert f"added {REPORTS_EACH}, unchanged 0, refused 0" in result.stdout, result.stdout + result.stderr
    figures = assert_store_is_whole(db, writers * REPORTS_EACH)
    print(f"\n{writers} concurrent ingests ({'fresh' if fresh else 'existing'} store): {figures['reports']} reports, "
          f"{figures['events']} events, {figures['incidents']} incidents, {seconds:.1f} s")
