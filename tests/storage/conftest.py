from __future__ import annotations

from datetime import date

import pytest

from trucewatch.records import Claim, Event, Figure, Mention, Place, Report, Span
from trucewatch.storage import Database

KABUL = Place("Kabul", "Afghanistan", "Kabul", "Kabul", 34.53, 69.17, 1, "town")


def _make_report(report_id: str = "t-001", text: str = "Jets struck a depot. Officials denied any deaths.") -> Report:
    return Report(report_id=report_id, sha256=(report_id.encode().hex() * 64)[:64], text=text,
                  published=date(2025, 10, 16), published_basis="file", title="A test report", outlet="example.org",
                  url="https://example.org/a", source=f"{report_id}.json", media_type="application/json")


def _make_event(event_id: str, report_id: str = "t-001", day: date | None = date(2025, 10, 15),
               place: Place | None = KABUL) -> Event:
    return Event(
        event_id=event_id, report_id=report_id, event_type="Explosions/Remote violence",
        sub_event_type="Air/drone strike", event_date=day, actor1="Military Forces of Pakistan",
        actor2="Civilians (Afghanistan)", place=place,
        fatalities=(Figure(17, None, "civilians", "Government of Afghanistan", "17", Span(0, 2), 0),
                    Figure(7, 8, "unspecified", None, "seven to eight", Span(3, 17), 0)),
        claims=(Claim("Government of Pakistan", "denies", "civilian deaths", "denied", Span(21, 47), 1,
                      stated_on=date(2025, 10, 16)),),
        mentions=(Mention(0, Span(0, 20), "Explosions/Remote violence", "Air/drone strike", "struck"),),
        provenance=(("event_date", Span(0, 20)), ("location", Span(0, 20))),
        notes="A depot was hit.",
    )


@pytest.fixture
def store(db_url):  # on SQLite and PostgreSQL both (db_url: tests/postgres.py)
    with Database.open(db_url) as database:
        opened = database.reports
        yield opened


@pytest.fixture
def make_report():
    """Build a Report: make_report(report_id="t-001", text=...)."""
    return _make_report


@pytest.fixture
def make_event():
    """Build an Event with figures, a denial, a mention and provenance: make_event(event_id, report_id, day, place)."""
    return _make_event
