"""The commands as a user runs them: what they print and the exit codes scripts rely on."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from trucewatch.cli.main import main
from trucewatch.storage import Database


def test_ingest_prints_refusals_and_a_summary_and_exits_1_when_any_was_refused(runner, reports):
    result = runner.invoke(main, ["ingest", str(reports), "--no-progress"])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{reports / 'b.txt'}: TW-E101: no publication date; add a 'published' field " \
                                    "(YYYY-MM-DD) or pass --published YYYY-MM-DD"
    assert result.stdout.startswith("added 1, unchanged 0, refused 1; 1 events stored in sqlite:///")


def test_ingest_with_published_then_again_is_all_unchanged_and_exits_0(runner, reports):
    first = runner.invoke(main, ["ingest", str(reports), "--published", "2025-10-16"])
    again = runner.invoke(main, ["ingest", str(reports), "--published", "2025-10-16"])
    assert first.exit_code == 0 and first.stdout.startswith("added 2, unchanged 0, refused 0; 2 events")
    assert again.exit_code == 0 and again.stdout.startswith("added 0, unchanged 2, refused 0; 0 events")


def test_ingest_refuses_a_malformed_published_option(runner, reports):
    result = runner.invoke(main, ["ingest", str(reports), "--published", "16/10/2025"])
    assert result.exit_code == 2 and "is not a date; write it as YYYY-MM-DD" in result.stderr


def test_db_option_beats_the_environment(runner, reports, tmp_path):
    other = tmp_path / "other.sqlite3"
    assert runner.invoke(main, ["ingest", str(reports / "a.json"), "--db", str(other)]).exit_code == 0
    with Database.open(f"sqlite:///{other}") as database:
        store = database.reports
        assert store.count_reports() == 1
    assert not (tmp_path / "cli.sqlite3").exists()


def test_export_writes_each_format_to_a_file_or_stdout(runner, reports, tmp_path):
    runner.invoke(main, ["ingest", str(reports / "a.json")])
    lines = runner.invoke(main, ["export"]).stdout.splitlines()
    assert [json.loads(line)["report_id"] for line in lines] == ["c-1"]
    out = tmp_path / "events.csv"
    result = runner.invoke(main, ["export", "--format", "csv", "-o", str(out)])  # a row per incident by default
    assert result.exit_code == 0 and result.stderr.strip() == f"1 incident written to {out}"
    row = next(csv.DictReader(io.StringIO(out.read_text())))
    assert (row["event_id_cnty"], row["fatalities"], row["source"]) == (row["incident_id"], "9", "example.org")
    result = runner.invoke(main, ["export", "--format", "csv", "--level", "account", "-o", str(out)])
    assert result.exit_code == 0 and result.stderr.strip() == f"1 event written to {out}"
    row = next(csv.DictReader(io.StringIO(out.read_text())))
    assert (row["event_id_cnty"], row["level"], row["source"]) == ("c-1-e1", "account", "example.org")
    geo = json.loads(runner.invoke(main, ["export", "--format", "geojson"]).stdout)
    assert geo["features"][0]["geometry"]["coordinates"] == [69.17, 34.53]


def test_an_unknown_format_or_a_missing_database_is_exit_2_with_the_error(runner, tmp_path):
    result = runner.invoke(main, ["export", "--format", "xlsx"])
    assert result.exit_code == 2 and result.stderr.startswith("TW-E301: unknown export format 'xlsx'")
    result = runner.invoke(main, ["events", "--db", str(tmp_path / "typo.sqlite3")])
    assert result.exit_code == 2 and result.stderr.startswith("TW-E201: cannot open the database")
    assert "no such database file" in result.stderr


def test_a_failed_export_leaves_no_half_written_file(runner, tmp_path):
    out = tmp_path / "events.jsonl"
    result = runner.invoke(main, ["export", "-o", str(out), "--db", str(tmp_path / "typo.sqlite3")])
    assert result.exit_code == 2 and list(tmp_path.iterdir()) == []


def test_events_shows_a_table_with_figures_claimants_and_claims(runner, reports):
    runner.invoke(main, ["ingest", str(reports), "--published", "2025-10-16"])
    result = runner.invoke(main, ["events", "--limit", "1"])
    assert result.exit_code == 0
    header, *rest = result.stdout.splitlines()
    assert header.split() == ["DATE", "EVENT", "ACTORS", "PLACE", "FATALITIES", "CLAIMS"]
    table = result.stdout
    for words in ("2025-10-15", "Explosions/Remote violence", "Military Forces of Pakistan", "Kabul, Afghanistan",
                  "9 civilians (Government of", "Government of Pakistan denies"):
        assert words in table
    assert rest[-1] == "1 of 2 events"


def test_db_upgrade_creates_then_reports_the_schema(runner, tmp_path):
    first = runner.invoke(main, ["db", "upgrade"])
    again = runner.invoke(main, ["db", "upgrade"])
    assert first.exit_code == 0 and "upgraded from nothing to schema" in first.stdout
    assert "already at schema" in again.stdout


def test_settings_errors_are_exit_2(runner, reports):
    result = runner.invoke(main, ["ingest", str(reports)], env={"TRUCEWATCH_MAX_REPORT_BYTES": "lots"})
    assert result.exit_code == 2 and result.stderr.startswith("TW-E401: setting max_report_bytes = 'lots'")


def test_the_installed_command_runs_in_a_real_process(tmp_path):
    """The whole chain, real extractor included: only that the report is stored is asserted, not what it codes."""
    report = tmp_path / "statement.txt"
    report.write_text("Officials said two guards were wounded when shells hit a border post on Friday.")
    (tmp_path / "empty.txt").write_bytes(b"")
    command = [str(Path(sys.executable).with_name("trucewatch")), "ingest", str(report), str(tmp_path / "empty.txt"),
               "--published", "2025-10-18"]
    env = {**os.environ, "TRUCEWATCH_DB": str(tmp_path / "run.sqlite3")}
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert (first.returncode, again.returncode) == (1, 1)
    assert first.stderr.strip() == f"{tmp_path / 'empty.txt'}: TW-E104: empty report (no text); nothing to ingest"
    assert first.stdout.startswith("added 1, unchanged 0, refused 1; ")
    assert again.stdout.startswith("added 0, unchanged 1, refused 1; 0 events stored in sqlite:///")
    with Database.open(f"sqlite:///{tmp_path / 'run.sqlite3'}") as database:
        store = database.reports
        assert store.count_reports() == 1
