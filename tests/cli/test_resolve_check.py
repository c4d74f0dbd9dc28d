"""Events a crash left in no incident, and incident rows that disagree with their events, are found and repaired:
by `trucewatch resolve --check`, and cheaply by the start of `ingest` and `resolve` (issue 14, F)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from trucewatch.cli.main import main


@pytest.fixture
def db(runner, reports, tmp_path) -> Path:
    path = tmp_path / "store.sqlite3"
    result = runner.invoke(main, ["ingest", str(reports), "--published", "2025-10-16", "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


def sql(db: Path, statement: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(statement).fetchall()


def crash_before_resolution(db: Path) -> None:
    """What a kill between storing a report and resolving it left before: its events in no incident, no row."""
    sql(db, "UPDATE events SET incident_id = NULL")
    sql(db, "DELETE FROM incidents")


def test_ingest_again_after_a_crash_places_the_loose_events(runner, reports, db):
    crash_before_resolution(db)
    again = runner.invoke(main, ["ingest", str(reports), "--published", "2025-10-16", "--db", str(db)])
    assert again.exit_code == 0
    assert "placed 2 events that were in no incident" in again.stderr
    assert sql(db, "SELECT count(*) FROM events WHERE incident_id IS NULL") == [(0,)]
    listed = runner.invoke(main, ["incidents", "--db", str(db)])
    assert listed.exit_code == 0 and "inc-" in listed.stdout


def test_resolve_check_lists_and_repairs_loose_events_ghost_and_stale_rows(runner, db):
    (incident_id,) = sql(db, "SELECT incident_id FROM incidents")[0]
    columns = [row[1] for row in sql(db, "PRAGMA table_info(incidents)")]
    sql(db, f"INSERT INTO incidents ({', '.join(columns)}) SELECT 'inc-ghost', {', '.join(columns[1:])} "
            f"FROM incidents WHERE incident_id = '{incident_id}'")  # a row whose incident has no event
    sql(db, f"UPDATE incidents SET n_events = 7 WHERE incident_id = '{incident_id}'")  # a stale count
    sql(db, "UPDATE events SET incident_id = NULL WHERE rowid = (SELECT max(rowid) FROM events)")  # a loose event
    result = runner.invoke(main, ["resolve", "--check", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "ghost: inc-ghost" in result.stdout and f"stale: {incident_id}" in result.stdout
    assert "1 events in no incident, 1 ghost, 1 stale" in result.stdout and "repaired" in result.stdout
    clean = runner.invoke(main, ["resolve", "--check", "--db", str(db)])
    assert clean.stdout.startswith("0 events in no incident, 0 ghost, 0 stale and 0 missing incident rows in")
    listed = runner.invoke(main, ["incidents", "--db", str(db)])
    assert "inc-ghost" not in listed.stdout
    for (shown_id,) in sql(db, "SELECT incident_id FROM incidents"):
        assert runner.invoke(main, ["incident", shown_id, "--db", str(db)]).exit_code == 0
