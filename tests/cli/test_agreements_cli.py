"""`trucewatch agreements ...` and `trucewatch compliance` as a user runs them (the stand-in extractor codes one
Pakistani air strike on civilians in Kabul per report, dated to the report's day)."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from trucewatch.cli.main import main
from trucewatch.demo import example_agreements_path

FIELDS = ["incident_id", "agreement_id", "window_status", "reason", "commitments", "accused", "accusers",
          "evidence_state"]


@pytest.fixture
def loaded(runner, tmp_path) -> Path:
    """A store with two strikes (12 and 16 October) and the example agreements."""
    folder = tmp_path / "strikes"
    folder.mkdir()
    for day in ("12", "16"):
        (folder / f"s{day}.json").write_text(json.dumps({
            "id": f"s-{day}", "published": f"2025-10-{day}", "text": "Jets struck a compound in Kabul."}))
    assert runner.invoke(main, ["ingest", str(folder)]).exit_code == 0
    result = runner.invoke(main, ["agreements", "load", str(example_agreements_path())])
    assert result.exit_code == 0, result.output
    return folder


def test_load_prints_what_happened_to_each_agreement(runner, loaded):
    again = runner.invoke(main, ["agreements", "load", str(example_agreements_path())])
    assert "unchanged  doha-2025-10-19" in again.stdout
    assert "added 0, updated 0, unchanged 4" in again.stdout


def test_list_and_show_read_well(runner, loaded):
    listed = runner.invoke(main, ["agreements", "list"]).stdout
    assert "from 2025-10-17 18:00 PKT" in listed and "(superseded by doha-2025-10-19)" in listed
    assert "4 agreements" in listed
    shown = runner.invoke(main, ["agreements", "show", "doha-2025-10-19"]).stdout
    for expected in ("Agreement doha-2025-10-19: Doha ceasefire (ceasefire)",
                     "from:         2025-10-19 00:00 PKT = 2025-10-18 19:00 UTC", "to:           open-ended",
                     "AFG Afghanistan (Islamic Emirate, Taliban government), answering for TTP",
                     "guarantors:   QAT Qatar; TUR Türkiye", "supersedes:   truce-extension-2025-10-17",
                     "no-support-to-attacking-groups  binds PAK, AFG; concerns proxy"):
        assert expected in shown


def test_load_set_export_load_leaves_everything_unchanged(runner, loaded, tmp_path):
    result = runner.invoke(main, ["agreements", "set", "istanbul-2025-10-30", "--end", "2025-11-07T17:30",
                                  "--tz", "Asia/Kabul", "--note", "Talks ended without agreement."])
    assert result.exit_code == 0, result.output
    assert "to 2025-11-07 18:00 PKT" in result.stdout  # 17:30 in Kabul, shown in the agreement's own zone
    exported = tmp_path / "agreements.toml"
    assert runner.invoke(main, ["agreements", "export", "-o", str(exported)]).exit_code == 0
    assert 'end = "2025-11-07T18:00"' in exported.read_text(encoding="utf-8")
    again = runner.invoke(main, ["agreements", "load", str(exported)])
    assert "added 0, updated 0, unchanged 4" in again.stdout


def test_compliance_writes_one_line_per_incident_with_the_fields_in_order(runner, loaded):
    result = runner.invoke(main, ["compliance", "--agreement", "truce-2025-10-15", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [list(line)[:8] for line in lines] == [FIELDS, FIELDS]
    by_day = {line["first_date"]: line for line in lines}
    assert by_day["2025-10-12"]["window_status"] == "outside"
    inside = by_day["2025-10-16"]
    assert inside["window_status"] == "inside" and inside["accused"] == ["PAK"]
    assert inside["commitments"] == ["no-cross-border-attacks", "no-targeting"]
    csv_out = runner.invoke(main, ["compliance", "--agreement", "truce-2025-10-15", "--format", "csv",
                                   "--from", "2025-10-15"]).stdout
    rows = list(csv.reader(io.StringIO(csv_out)))
    assert rows[0][:8] == FIELDS and len(rows) == 2 and rows[1][5] == "PAK"


def test_compliance_views_print_tables(runner, loaded):
    parties = runner.invoke(main, ["compliance", "--agreement", "truce-2025-10-15", "--view", "parties"]).stdout
    assert "PAK    1          0" in parties and "no-targeting: 1" in parties
    daily = runner.invoke(main, ["compliance", "--agreement", "truce-2025-10-15", "--view", "daily"]).stdout
    assert "2025-10-16  PAK    1      +1" in daily
    timeline = runner.invoke(main, ["compliance", "--agreement", "truce-2025-10-15", "--view", "timeline"]).stdout
    assert timeline.index("2025-10-12") < timeline.index("2025-10-16")
    assert "2 incidents assessed against truce-2025-10-15: 1 inside, 0 uncertain, 1 outside the window" in timeline


def test_an_unknown_agreement_or_a_bad_file_is_an_error_that_says_what_to_do(runner, loaded, tmp_path):
    result = runner.invoke(main, ["compliance", "--agreement", "doha", "--view", "parties"])
    assert result.exit_code == 2
    assert "TW-E503: no agreement 'doha'; known: truce-2025-10-15, truce-extension-2025-10-17" in result.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text(example_agreements_path().read_text(encoding="utf-8").replace(
        'start = "2025-10-19T00:00"', 'start = "2025-10-19 25:00"'), encoding="utf-8")
    result = runner.invoke(main, ["agreements", "load", str(bad)])
    assert result.exit_code == 2
    assert ("agreements[2].window.start: '2025-10-19 25:00' is not a time; write 2025-10-19T00:00 with "
            "tz = \"Asia/Karachi\"") in result.stderr


def test_remove_forgets_an_agreement_and_its_supersession(runner, loaded):
    result = runner.invoke(main, ["agreements", "remove", "truce-extension-2025-10-17"])
    assert result.stdout.strip() == ("removed truce-extension-2025-10-17; no longer in the supersedes of "
                                     "doha-2025-10-19")
    assert "truce-extension" not in runner.invoke(main, ["agreements", "list"]).stdout
