"""Exports a user opens in a scorer, a spreadsheet or a map: complete fields, ACLED's conventions, safe cells."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from trucewatch.errors import ExportError
from trucewatch.jobs.exports import export_events
from trucewatch.publish.export import ACCOUNT_COLUMNS, ACLED_COLUMNS, export
from trucewatch.records import Claim, Event, Figure, Place, Report, SourcedEvent, Span
from trucewatch.storage import Database

# The fields shared/eval/FORMAT.md lists for each exported event: all present, null when unknown.
FORMAT_FIELDS = {
    "report_id", "event_id", "incident_id", "event_date", "event_date_end", "time_precision", "event_type",
    "sub_event_type", "actor1", "actor2", "country", "admin1", "location", "latitude", "longitude", "geo_precision",
    "fatalities", "claims",
}
KABUL = Place("Kabul", "Afghanistan", "Kabul", "Kabul", 34.53, 69.17, 1, "town")
AT = datetime(2025, 10, 16, 12, 0, tzinfo=UTC)


def strike(**changes) -> Event:
    base = dict(
        event_id="e-1", report_id="t-001", event_type="Explosions/Remote violence", sub_event_type="Air/drone strike",
        event_date=date(2025, 10, 15), actor1="Military Forces of Pakistan", actor2="Civilians (Afghanistan)",
        place=KABUL, incident_id="inc-7",
        fatalities=(Figure(17, None, "unspecified", "Government of Afghanistan", "17", Span(0, 2), 0),
                    Figure(20, 25, "civilians", "UNAMA", "20 to 25", Span(3, 11), 0)),
        claims=(Claim("Government of Pakistan", "denies", "civilian deaths", "denied", Span(12, 18), 1),
                Claim("Government of Afghanistan", "asserts", "civilian deaths", "said", Span(0, 4), 0,
                      stated_on=date(2025, 10, 16))),
        provenance=(("event_date", Span(0, 20)),),
    )
    return Event(**{**base, **changes})


def run(fmt: str, *events: Event, outlet: str | None = "example.org") -> tuple[str, object]:
    out = io.StringIO()
    counts = export([SourcedEvent(e, outlet, None, AT) for e in events], fmt, out)
    return out.getvalue(), counts


def test_jsonl_has_every_scored_field_and_the_extras():
    text, counts = run("jsonl", strike(), strike(event_id="e-2", place=None, actor2=None, fatalities=(), claims=()))
    first, bare = (json.loads(line) for line in text.splitlines())
    assert counts.written == 2
    assert FORMAT_FIELDS | {"admin2", "provenance"} <= first.keys() == bare.keys()
    assert first["event_date"] == "2025-10-15" and first["latitude"] == 34.53 and first["country"] == "Afghanistan"
    assert first["fatalities"][1] == {"low": 20, "high": 25, "victims": "civilians", "claimed_by": "UNAMA"}
    assert first["claims"][1] == {"claimant": "Government of Afghanistan", "stance": "asserts",
                                  "about": "civilian deaths", "stated_on": "2025-10-16", "content": None,
                                  "content_start": None, "content_end": None, "figure": None}
    assert first["provenance"] == [{"field": "event_date", "start": 0, "end": 20}]
    assert (first["incident_id"], first["level"]) == ("inc-7", "account")
    assert [bare[k] for k in ("location", "latitude", "admin1", "actor2", "geo_precision")] == [None] * 5
    assert bare["fatalities"] == [] and bare["claims"] == []


def test_csv_uses_acled_columns_and_conventions():
    text, _ = run("csv", strike())
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0].keys()) == ACCOUNT_COLUMNS  # ACLED's, in ACLED's order, then the incident and the level
    assert ACCOUNT_COLUMNS[:len(ACLED_COLUMNS)] == ACLED_COLUMNS
    row = rows[0]
    assert (row["incident_id"], row["level"]) == ("inc-7", "account")
    assert row["fatalities"] == "17"  # the lowest figure reported
    assert row["notes"] == ("Figures disputed: 17 (Government of Afghanistan); 20-25 civilians (UNAMA); "
                            "0 civilians (Government of Pakistan denies).")
    assert (row["year"], row["disorder_type"], row["iso"], row["region"]) == ("2025", "Political violence", "4",
                                                                              "South Asia")
    # Pakistan's forces acting in Afghanistan are external forces there; civilians were the target.
    assert (row["inter1"], row["inter2"]) == ("External/Other forces", "Civilians")
    assert row["interaction"] == "Civilians-External/Other forces"
    assert row["civilian_targeting"] == "Civilian targeting"
    assert (row["source"], row["timestamp"]) == ("example.org", str(int(AT.timestamp())))


def test_csv_without_figures_counts_zero_and_keeps_denials_in_notes():
    event = strike(fatalities=(), claims=(Claim("Military Forces of Pakistan", "denies", "occurrence", "denied",
                                                Span(0, 6), 0),), notes="Reported by one outlet.")
    row = next(csv.DictReader(io.StringIO(run("csv", event)[0])))
    assert row["fatalities"] == "0"
    assert row["notes"] == "Reported by one outlet. Denied: Military Forces of Pakistan denies that it happened."


ASSERTED = Claim("Government of Afghanistan", "asserts", "civilian deaths", "Zabihullah Mujahid … said", Span(0, 80),
                 0, stated_on=date(2025, 10, 17), content="17 civilians, including women and children, were killed",
                 content_span=Span(24, 79), figure=17)
DENIED = Claim("Government of Pakistan", "denies", "civilian deaths", "Islamabad … denied", Span(81, 130), 1,
               content="its jets had struck civilians", content_span=Span(100, 129))


def test_jsonl_and_geojson_claims_carry_what_was_claimed_its_span_and_figure():
    event = strike(claims=(ASSERTED, DENIED))
    for claims in (json.loads(run("jsonl", event)[0])["claims"],
                   json.loads(run("geojson", event)[0])["features"][0]["properties"]["claims"]):
        assert claims[0] == {"claimant": "Government of Afghanistan", "stance": "asserts", "about": "civilian deaths",
                             "stated_on": "2025-10-17",
                             "content": "17 civilians, including women and children, were killed",
                             "content_start": 24, "content_end": 79, "figure": 17}
        assert (claims[1]["content"], claims[1]["content_start"], claims[1]["figure"]) == (
            "its jets had struck civilians", 100, None)


def test_csv_notes_quote_what_a_denial_denies():
    row = next(csv.DictReader(io.StringIO(run("csv", strike(claims=(ASSERTED, DENIED)))[0])))
    assert row["notes"] == ("Figures disputed: 17 (Government of Afghanistan); 20-25 civilians (UNAMA); "
                            '0 civilians (Government of Pakistan denies: "its jets had struck civilians").')


@pytest.mark.parametrize("evil", ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)"])
def test_csv_cells_cannot_become_spreadsheet_formulas(evil):
    west = Place(evil, "Afghanistan", "Herat", None, 34.3, -62.2, 1, "town")  # a negative number is still a number
    row = next(csv.DictReader(io.StringIO(run("csv", strike(actor1=evil, place=west), outlet=evil)[0])))
    assert row["actor1"] == row["location"] == row["source"] == "'" + evil
    assert row["longitude"] == "-62.2"


def test_geojson_is_a_feature_collection_of_points_without_the_unplaced():
    text, counts = run("geojson", strike(), strike(event_id="e-2", place=None))
    collection = json.loads(text)
    assert collection["type"] == "FeatureCollection"
    assert collection["skipped_without_coordinates"] == 1 and counts == (1, 1)
    (feature,) = collection["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [69.17, 34.53]}  # GeoJSON: longitude first
    assert feature["properties"]["event_id"] == "e-1"
    assert (feature["properties"]["incident_id"], feature["properties"]["level"]) == ("inc-7", "account")
    assert feature["properties"]["fatalities"][0]["claimed_by"] == "Government of Afghanistan"


def test_geojson_of_nothing_is_still_valid():
    assert json.loads(run("geojson")[0])["features"] == []


def test_unknown_format_is_refused_with_the_choices():
    with pytest.raises(ExportError,
                       match="TW-E301: unknown export format 'xlsx'; choose one of jsonl, csv, geojson, parquet"):
        run("xlsx", strike())


def test_export_of_50000_events_writes_every_one_in_date_order(tmp_path):
    # Memory and speed of the streamed export are measured by benchmarks/bench_export.py, not asserted here.
    url = f"sqlite:///{tmp_path / 'big.sqlite3'}"
    plain = strike(claims=(), provenance=(), fatalities=strike().fatalities[:1], incident_id=None)
    out = io.StringIO()
    with Database.open(url) as database:
        for r in range(50):
            report = Report(f"r{r}", f"{r:064x}", "text", date(2025, 1, 1), "file", outlet="example.org")
            database.reports.save(report, [
                replace(plain, event_id=f"r{r}-{i}", report_id=f"r{r}",
                        event_date=date(2025, 1, 1) + timedelta(days=i % 300)) for i in range(1000)])
        counts = export_events(database, "jsonl", out)  # JSON Lines: one object per account by default
    dates = [json.loads(line)["event_date"] for line in out.getvalue().splitlines()]
    assert counts.written == len(dates) == 50_000
    assert dates == sorted(dates)


def test_jsonl_scores_perfectly_against_a_gold_incident_that_says_the_same():
    from trucewatch.jobs.evaluate import (
        score,  # the shared scorer's rules, kept in the project
    )

    gold = {"incident_id": "g-1", "event_date": "2025-10-15", "event_type": "Explosions/Remote violence",
            "sub_event_type": "Air/drone strike", "actor1": "Military Forces of Pakistan",
            "actor2": "Civilians (Afghanistan)", "country": "Afghanistan", "admin1": "Kabul", "location": "Kabul",
            "latitude": 34.5, "longitude": 69.2, "reported_in": ["t-001"],
            "fatalities": [{"figure_low": 17, "figure_high": 17, "who_died": "unspecified",
                            "claimed_by": "Government of Afghanistan"},
                           {"figure_low": 20, "figure_high": 25, "who_died": "civilians", "claimed_by": "UNAMA"}],
            "claims": [{"claimant": "Government of Pakistan", "stance": "denies", "about": "civilian deaths"},
                       {"claimant": "Government of Afghanistan", "stance": "asserts", "about": "civilian deaths"}]}
    preds = [json.loads(line) for line in run("jsonl", strike())[0].splitlines()]
    figures = score([gold], preds)
    assert figures["events"]["f1"] == 1.0
    assert set(figures["fields"].values()) == {1.0}
    assert figures["fatality_figures_recall"] == 1.0 and figures["claims"]["f1"] == 1.0
