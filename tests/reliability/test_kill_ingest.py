"""kill -9 at random moments of `trucewatch ingest` and `trucewatch resolve` (30 kills of each, about 90 s on 2 cores);
after each, the repair (`trucewatch resolve --check`, as the next command's startup runs it) and the invariants:
nothing lost (a report stored stays stored, and every report is stored by a last ingest), nothing half-stored (a
stored report has all its events), nothing duplicated, every event in an incident, incident rows that match their
events, and `trucewatch audit verify` exits 0. Prints the counts.

Fault found by the probe of issue 14: a crash between storing a report and resolving it left its events in no
incident, silently; ingesting it again said "unchanged".
"""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from trucewatch.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
TRUCEWATCH = Path(sys.executable).with_name("trucewatch")
INGEST_KILLS, RESOLVE_KILLS = 30, 30  # the issue: 30 kills of each
REPORTS_PER_ROUND = 20


def write_reports(folder: Path, seed: int, n: int) -> Path:
    """`n` generated reports (benchmarks/generate_reports.py), one .json file each, ids unique to this seed."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate_reports import generate_reports  # noqa: PLC0415
    finally:
        sys.path.pop(0)
    folder.mkdir(parents=True)
    for i, article in enumerate(generate_reports(n, seed=seed, words=120)):
        article["id"] = f"k{seed}-{i:03d}"
        (folder / f"{i:03d}.json").write_text(json.dumps(article), encoding="utf-8")
    return folder


def run_and_kill(args: list[str], env: dict[str, str], rng: random.Random) -> bool:
    """Start a real trucewatch process and kill -9 it after a random delay; True if it was still running."""
    proc = subprocess.Popen([str(TRUCEWATCH), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.5, 2.2))  # about 1 s of start-up, then writing
    alive = proc.poll() is None
    if alive:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return alive


def stored(db: Path) -> dict[str, int]:
    """Each stored report's number of events."""
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT r.report_id, count(e.event_id) FROM reports r "
                                 "LEFT JOIN events e ON e.report_id = r.report_id GROUP BY r.report_id").fetchall())


def assert_invariants(db: Path, expected_events: dict[str, int], before: set[str]) -> dict[str, int]:
    runner = CliRunner()
    repair = runner.invoke(main, ["resolve", "--check", "--db", str(db)])
    assert repair.exit_code == 0, repair.output
    now = stored(db)
    assert before <= set(now), f"lost {sorted(before - set(now))[:5]}"
    half = {r: n for r, n in now.items() if n != expected_events[r]}
    assert not half, f"stored without all their events: {half}"
    with sqlite3.connect(db) as conn:
        loose = conn.execute("SELECT count(*) FROM events WHERE incident_id IS NULL").fetchone()[0]
        dupes = conn.execute("SELECT count(*) - count(DISTINCT sha256) FROM reports").fetchone()[0]
        logged = conn.execute("SELECT count(*), count(DISTINCT subject) FROM audit_log "
                              "WHERE action = 'ingest.report'").fetchone()
        with_events = dict(conn.execute("SELECT incident_id, count(*) FROM events GROUP BY incident_id").fetchall())
        rows = dict(conn.execute("SELECT incident_id, n_events FROM incidents").fetchall())
    assert (loose, dupes) == (0, 0)
    assert logged == (len(now), len(now)), f"audit entries {logged} for {len(now)} reports"
    assert rows == with_events
    verify = runner.invoke(main, ["audit", "verify", "--db", str(db)])
    assert verify.exit_code == 0, verify.output
    return now


def test_kill_9_during_ingest_and_resolve_loses_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("TRUCEWATCH_CONFIG", raising=False)
    monkeypatch.delenv("TRUCEWATCH_DB", raising=False)
    rng = random.Random(14)
    db = tmp_path / "killed.sqlite3"
    env = {**os.environ, "TRUCEWATCH_DB": str(db)}
    env.pop("TRUCEWATCH_CONFIG", None)
    rounds = [write_reports(tmp_path / f"r{i:02d}", seed=100 + i, n=REPORTS_PER_ROUND) for i in range(INGEST_KILLS)]
    reference = tmp_path / "reference.sqlite3"  # the same reports ingested without faults: each one's event count
    assert CliRunner().invoke(main, ["ingest", str(tmp_path), "--db", str(reference), "--no-progress"]).exit_code == 0
    expected_events = stored(reference)
    started, killed, finished, kept = time.monotonic(), 0, 0, set[str]()
    for i in range(INGEST_KILLS + RESOLVE_KILLS):
        args = ["ingest", str(rounds[i]), "--no-progress"] if i < INGEST_KILLS else ["resolve"]
        if i >= INGEST_KILLS and i % 2:
            args = ["ingest", str(tmp_path), "--no-progress"]  # stored reports skipped, the killed rounds' rest added
        alive = run_and_kill(args, env, rng)
        killed, finished = killed + alive, finished + (not alive)
        kept = set(assert_invariants(db, expected_events, kept))
    last = CliRunner().invoke(main, ["ingest", *map(str, rounds), "--db", str(db), "--no-progress"])
    assert last.exit_code == 0, last.output
    final = assert_invariants(db, expected_events, kept)
    assert set(final) == set(expected_events)  # nothing lost: every report is stored once in the end
    print(f"\nkill -9: {killed} processes killed mid-run, {finished} had finished first "
          f"({INGEST_KILLS + RESOLVE_KILLS} tries: ingest and resolve); {len(final)} reports, "
          f"{sum(final.values())} events, every one in an incident; {time.monotonic() - started:.0f} s")
