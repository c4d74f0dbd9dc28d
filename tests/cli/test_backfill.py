"""`trucewatch backfill`: reports coded on a local Dask cluster, stored by one writer, resolved once at the end.

What a user notices: accounts of one happening that went to different workers end as one incident; a backfill killed
part way and run again stores every report once, with every event in an incident; Dask is loaded by this command only.
The reports are this file's own sentences, or generated (benchmarks/generate_reports.py). Speed is printed by
benchmarks/bench_backfill.py, not asserted here.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from trucewatch.jobs.backfill import BackfillOptions, backfill_job
from trucewatch.storage import Database

ROOT = Path(__file__).resolve().parents[2]
TRUCEWATCH = Path(sys.executable).with_name("trucewatch")

# Two outlets' accounts of one raid, and a third report of another happening.
ONE_RAID = {
    "raid-ledger": ("Frontier Ledger", "Militants attacked a police checkpost in Bannu district on Saturday night, "
                                       "killing three policemen, officials said. The attackers fled towards the hills "
                                       "after an hour-long gunfight."),
    "raid-wire": ("Indus Daily Wire", "Three police officers were killed when gunmen stormed a checkpoint in Bannu "
                                      "late on Saturday, a district police spokesman told reporters on Sunday."),
}
ELSEWHERE = ("Quetta Courier", "A roadside bomb struck a paramilitary vehicle near Turbat on Friday, wounding four "
                               "soldiers, the provincial home department said.")


def write_report(folder: Path, report_id: str, outlet: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{report_id}.json").write_text(json.dumps({
        "id": report_id, "published": "2025-10-13", "outlet": outlet, "url": f"https://example.org/{report_id}",
        "text": text}), encoding="utf-8")


def test_accounts_of_one_happening_in_different_partitions_end_as_one_incident(tmp_path):
    folder = tmp_path / "reports"
    for report_id, (outlet, text) in ONE_RAID.items():
        write_report(folder, report_id, outlet, text)
    write_report(folder, "bomb-courier", *ELSEWHERE)
    told: list[str] = []
    with Database.open(f"sqlite:///{tmp_path / 'b.sqlite3'}", upgrade=True) as db:
        counts = backfill_job([folder], db, BackfillOptions(workers=2, batch=1), on_cluster=told.append)
        incident_of = {e.report_id: e.incident_id for e in db.reports.iter_events()}
    assert (counts.added, counts.skipped, counts.refused) == (3, 0, 0)
    assert told and told[0].startswith("http")  # the dashboard's address
    assert incident_of["raid-ledger"] is not None
    assert incident_of["raid-ledger"] == incident_of["raid-wire"] != incident_of["bomb-courier"]
    assert counts.resolved["incidents"] == 2


def generated(folder: Path, n: int) -> Path:
    """`n` generated reports in one .jsonl (a war's shape: several outlets per happening)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate_reports import generate_war_reports  # noqa: PLC0415
    finally:
        sys.path.pop(0)
    folder.mkdir()
    path = folder / "archive.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in generate_war_reports(n, seed=5, words=120, days=4)),
                    encoding="utf-8")
    return path


def stored(db: Path) -> tuple[int, int, int]:
    """Reports, distinct contents among them, and events in no incident."""
    if not db.exists():
        return 0, 0, 0
    with sqlite3.connect(db, timeout=30) as conn:
        try:
            reports, contents = conn.execute("SELECT count(*), count(DISTINCT sha256) FROM reports").fetchone()
            (loose,) = conn.execute("SELECT count(*) FROM events WHERE incident_id IS NULL").fetchone()
        except sqlite3.OperationalError:  # the schema is not made yet
            return 0, 0, 0
    return reports, contents, loose


def backfill_command(archive: Path, db: Path) -> list[str]:
    return [str(TRUCEWATCH), "backfill", str(archive), "--db", str(db), "--workers", "2", "--batch", "5",
            "--no-progress"]


def test_a_killed_backfill_resumes_and_stores_every_report_once(tmp_path):
    n = 120
    archive, db = generated(tmp_path / "archive", n), tmp_path / "k.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in ("TRUCEWATCH_CONFIG", "TRUCEWATCH_DB")}
    first = subprocess.Popen(backfill_command(archive, db), env=env, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while stored(db)[0] < 10 and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:  # the backfill and its cluster's workers: its whole process group, as a terminal's kill would
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    before, _, loose_before = stored(db)
    assert 10 <= before < n and loose_before > 0  # killed part way, before resolution
    again = subprocess.run(backfill_command(archive, db), env=env, capture_output=True, text=True, timeout=400)
    assert again.returncode == 0, again.stderr
    assert f"skipped {before} already stored" in again.stdout
    assert f"added {n - before}," in again.stdout
    assert "Dask dashboard: http" in again.stderr
    assert stored(db) == (n, n, 0)  # every report once; every event in an incident


def test_only_the_backfill_loads_dask():
    probe = ("import sys; from trucewatch.cli.main import main\n"
             "try: main(sys.argv[1:], prog_name='trucewatch')\nexcept SystemExit: pass\n"
             "print('DASK', 'dask' in sys.modules or 'distributed' in sys.modules, file=sys.stderr)")
    for args in (["--version"], ["ingest", "--help"], ["backfill", "--help"]):
        done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True)
        assert done.stderr.strip().endswith("DASK False"), args
