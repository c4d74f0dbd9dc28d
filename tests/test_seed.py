"""The seed article this project started from (read from ../shared/seed, never copied into the repository).

Its README fixes the facts a correct reading must produce; these tests hold the extractor to them. Without ../shared
they are skipped, and under CI they fail (the `shared_dir` fixture, tests/conftest.py).
"""
from datetime import date
from pathlib import Path

import pytest

from trucewatch.pipeline.extract import extract_events
from trucewatch.records import Report

INTERVIEW_DAY = date(2025, 10, 20)  # the Monday of the interview; the README resolves every relative date from it


@pytest.fixture(scope="module")
def events(shared_dir: Path):
    seed_dir = shared_dir / "seed"
    articles = sorted(seed_dir.glob("*.txt"))
    assert articles, f"the seed article is missing from {seed_dir}; CI keeps ../shared beside the repository"
    text = articles[0].read_text(encoding="utf-8")
    report = Report(report_id="seed", sha256="-", text=text, published=INTERVIEW_DAY, published_basis="option",
                    outlet="arabnews.com")
    return extract_events(report)


def test_strikes_on_kabul_and_kandahar_are_pakistans_on_the_15th(events):
    strikes = {e.place.name: e for e in events if e.sub_event_type == "Air/drone strike" and e.place}
    for city in ("Kabul", "Kandahar"):
        assert strikes[city].event_date == date(2025, 10, 15)
        assert strikes[city].actor1 == "Military Forces of Pakistan"


def test_the_truce_of_the_15th_and_the_ceasefire_of_sunday_19th(events):
    agreements = {e.event_date for e in events if e.sub_event_type == "Agreement"}
    assert {date(2025, 10, 15), date(2025, 10, 19)} <= agreements


def test_istanbul_talks_on_the_25th(events):
    talks = [e for e in events if e.sub_event_type == "Other" and e.place and e.place.name == "Istanbul"]
    assert [e.event_date for e in talks] == [date(2025, 10, 25)]


def test_strikes_after_the_truce_expired_on_friday_17th_keep_both_accounts(events):
    strike = next(e for e in events if e.sub_event_type == "Air/drone strike" and e.event_date == date(2025, 10, 17))
    assert (17, "Government of Afghanistan (Taliban)") in {(f.low, f.claimed_by) for f in strike.fatalities}
    assert ("Government of Pakistan", "denies", "civilian deaths") in {
        (c.claimant, c.stance, c.about) for c in strike.claims}


def test_asif_acknowledges_the_strikes_later(events):
    assert any(c.claimant == "Government of Pakistan" and c.stance == "acknowledges_later"
               for e in events for c in e.claims)


def test_the_later_acknowledgement_stands_beside_the_denial_on_friday_s_strikes(events):
    (friday,) = [e for e in events if e.sub_event_type == "Air/drone strike" and e.event_date == date(2025, 10, 17)]
    pakistan = {c.stance: c for c in friday.claims if c.claimant == "Government of Pakistan"}
    assert {"denies", "acknowledges_later"} <= pakistan.keys()
    assert "civilians" in pakistan["denies"].content
    assert "airstrikes" in pakistan["acknowledges_later"].content
