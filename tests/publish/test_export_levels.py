"""Exports at the level an analyst asks for: a row per incident, whose deaths add up, or a row per report's account.

The store is real: three reports of our own writing, ingested and resolved as `trucewatch ingest` does it (two tell of
one drone strike with different tolls, one of a separate attack), plus the sample reports in a second store.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from trucewatch.demo import sample_report_paths
from trucewatch.errors import ExportError
from trucewatch.jobs.exports import export_events
from trucewatch.jobs.ingest import ingest_paths
from trucewatch.publish.export import ACLED_COLUMNS, INCIDENT_COLUMNS, ROW_GROUP, deaths_text
from trucewatch.storage import Database

REPORTS = [
    {"id": "lv-1", "outlet": "Valley Courier", "url": "https://example.org/lv-1", "published": "2025-10-16",
     "title": "Drone strike on Khost market",
     "text": "A drone strike hit a crowded market in Khost on October 15, killing 12 civilians, provincial officials "
             "said. Residents said the strike came shortly after noon."},
    {"id": "lv-2", "outlet": "Border Herald", "url": "https://example.org/lv-2", "published": "2025-10-17",
     "title": "Toll rises in Khost",
     "text": "A drone strike hit a market in Khost on October 15, killing at least 20 civilians, hospital officials "
             "said on Thursday."},
    {"id": "lv-3", "outlet": "Valley Courier", "url": "https://example.org/lv-3", "published": "2025-10-20",
     "title": "Checkpoint attacked in Bannu",
     "text": "Militants attacked a police checkpoint in Bannu on October 19, killing four policemen, police said."},
]


def _store(folder: Path, paths: list[Path]) -> Database:
    database = Database.open(f"sqlite:///{folder / 'store.sqlite3'}", upgrade=True)
    results = ingest_paths(paths, database)
    assert {r.status for r in results} == {"added"}
    return database


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("levels")
    reports = folder / "reports.jsonl"
    reports.write_text("".join(json.dumps(r) + "\n" for r in REPORTS), encoding="utf-8")
    database = _store(folder, [reports])
    yield database
    database.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    database = _store(tmp_path_factory.mktemp("sample"), sample_report_paths())
    yield database
    database.close()


def text_export(database: Database, fmt: str, level: str | None = None) -> str:
    out = io.StringIO()
    export_events(database, fmt, out, level)
    return out.getvalue()


def read_csv(database: Database, level: str | None = None) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text_export(database, "csv", level)))


def best_estimates(database: Database) -> dict[str, int]:
    return {s.incident_id: s.fatalities_best or 0 for s in database.reports.list_incidents()}


@pytest.mark.parametrize("which", ["store", "sample"])
def test_summed_fatalities_of_the_default_csv_are_the_incidents_best_estimates(which, request):
    database = request.getfixturevalue(which)
    frame = read_csv(database)  # what a new user does first
    best = best_estimates(database)
    assert len(frame) == len(best) == frame["incident_id"].nunique()  # one row per incident
    assert frame["fatalities"].sum() == sum(best.values())
    assert dict(zip(frame["incident_id"], frame["fatalities"], strict=True)) == best
    assert set(frame["level"]) == {"incident"}
    assert tuple(frame.columns) == INCIDENT_COLUMNS and tuple(frame.columns[:31]) == ACLED_COLUMNS


def test_an_incident_told_twice_is_one_row_with_both_sources_its_range_and_the_disagreement(store):
    frame = read_csv(store)
    strike = frame[frame["sub_event_type"] == "Air/drone strike"].iloc[0]
    assert strike["source"] == "Valley Courier; Border Herald"  # ACLED's separator, in the order they came out
    assert (strike["n_sources"], strike["n_reports"], strike["n_accounts"]) == (2, 2, 2)
    assert strike["fatalities_low"] <= strike["fatalities"]
    assert strike["notes"].startswith("2 accounts in 2 reports. Accounts disagree on deaths: best estimate ")
    assert "12 civilians" in strike["notes"] and "20 civilians" in strike["notes"]
    assert "[Border Herald]" in strike["notes"]
    single = frame[frame["sub_event_type"] != "Air/drone strike"].iloc[0]
    assert single["notes"] == "1 account in 1 report." and single["fatalities"] == 4


def test_the_account_level_keeps_a_row_per_account_each_with_its_incident(store):
    accounts, incidents = read_csv(store, "account"), read_csv(store)
    assert len(accounts) == 3 and len(incidents) == 2
    assert accounts["incident_id"].notna().all() and set(accounts["level"]) == {"account"}
    assert set(accounts["incident_id"]) == set(incidents["incident_id"])
    assert list(accounts.columns) == [*ACLED_COLUMNS, "incident_id", "level"]
    # summing the accounts counts the strike's dead twice over: the reason incidents are the default
    assert accounts["fatalities"].sum() > incidents["fatalities"].sum()


@pytest.mark.parametrize("level", ["incident", "account"])
def test_parquet_reads_back_as_the_csv_rows(sample, level, tmp_path):
    path = tmp_path / f"{level}.parquet"
    with path.open("wb") as out:
        counts = export_events(sample, "parquet", out, level)
    table = pq.read_table(path)
    csv_rows = pd.read_csv(io.StringIO(text_export(sample, "csv", level)), dtype=str, keep_default_na=False)
    assert counts.written == table.num_rows == len(csv_rows)
    assert table.column_names == list(csv_rows.columns)
    as_text = [{k: "" if v is None else str(v) for k, v in row.items()} for row in table.to_pylist()]
    assert as_text == csv_rows.to_dict("records")
    assert table.schema.field("fatalities").type == "int64" and table.schema.field("latitude").type == "double"


def test_parquet_is_written_a_row_group_at_a_time(sample, tmp_path, monkeypatch):
    monkeypatch.setattr("trucewatch.publish.export.ROW_GROUP", 4)
    path = tmp_path / "groups.parquet"
    with path.open("wb") as out:
        counts = export_events(sample, "parquet", out, "account")
    assert ROW_GROUP == 10_000 and counts.written > 8
    assert pq.ParquetFile(path).metadata.num_row_groups == -(-counts.written // 4)


def test_jsonl_and_geojson_carry_the_incident_and_the_level(store):
    accounts = [json.loads(line) for line in text_export(store, "jsonl").splitlines()]  # jsonl: accounts by default
    assert len(accounts) == 3 and all(a["incident_id"] and a["level"] == "account" for a in accounts)
    incidents = [json.loads(line) for line in text_export(store, "jsonl", "incident").splitlines()]
    assert sorted(i["incident_id"] for i in incidents) == sorted(best_estimates(store))
    strike = next(i for i in incidents if i["n_reports"] == 2)
    assert strike["level"] == "incident" and strike["sources"] == ["Valley Courier", "Border Herald"]
    assert [a["report_id"] for a in strike["accounts"]] == ["lv-1", "lv-2"]
    for level, count in (("incident", 2), ("account", 3)):
        features = json.loads(text_export(store, "geojson", level))["features"]
        assert len(features) == count
        assert all(f["properties"]["incident_id"] and f["properties"]["level"] == level for f in features)


def test_geojson_and_parquet_default_to_incidents_and_an_unknown_level_is_refused(store):
    assert json.loads(text_export(store, "geojson"))["features"][0]["properties"]["level"] == "incident"
    with pytest.raises(ExportError, match="TW-E303: unknown export level 'events'; choose one of incident, account"):
        export_events(store, "csv", io.StringIO(), "events")


@pytest.mark.parametrize(("low", "best", "high", "terminal", "page"), [
    (5, 5, 5, "5", "5"),  # every account gives 5: no "5 (5-5)"
    (23, 23, 58, "23 (23-58)", "23 (23–58)"),
    (20, 20, None, "20 (20-?)", "20 (20–?)"),  # "at least 20"
    (None, None, None, "-", ""),
])
def test_deaths_are_one_number_when_the_accounts_agree_and_a_range_when_not(low, best, high, terminal, page):
    from trucewatch.publish.incidents import render_incident_table
    from trucewatch.records import IncidentSummary
    from trucewatch.web.pages import deaths

    summary = IncidentSummary("inc-1", None, None, 1, "Battles", "Armed clash", None, None, None, None, None, None,
                              None, None, None, 1, 1, False, (), low, best, high)
    assert deaths_text(low, best, high) == terminal
    assert deaths(summary) == page
    table = list(render_incident_table([summary]))[-1]
    assert f"  {terminal}  " in table + "  "
