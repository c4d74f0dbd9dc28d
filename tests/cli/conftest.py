from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from trucewatch import jobs
from trucewatch.records import Claim, Event, Figure, Place, Report, Span

KABUL = Place("Kabul", "Afghanistan", "Kabul", "Kabul", 34.53, 69.17, 1, "town")


def stand_in_extractor(report: Report, *_conflict: object) -> list[Event]:
    """One fully coded event per report, so CLI tests need nothing from the real extractor (nor the conflict's data
    it is handed)."""
    return [Event(
        event_id=f"{report.report_id}-e1", report_id=report.report_id, event_type="Explosions/Remote violence",
        sub_event_type="Air/drone strike", event_date=report.published, actor1="Military Forces of Pakistan",
        actor2="Civilians (Afghanistan)", place=KABUL,
        fatalities=(Figure(9, None, "civilians", "Government of Afghanistan", "nine", Span(0, 4), 0),),
        claims=(Claim("Government of Pakistan", "denies", "civilian deaths", "denied", Span(0, 6), 0),),
    )]


@pytest.fixture
def runner(tmp_path, monkeypatch) -> CliRunner:
    """A runner whose default database is in tmp_path (through TRUCEWATCH_DB), with the stand-in extractor."""
    monkeypatch.setattr(jobs.ingest, "extract_events", stand_in_extractor)
    monkeypatch.delenv("TRUCEWATCH_CONFIG", raising=False)
    monkeypatch.delenv("TRUCEWATCH_DATA_DIR", raising=False)
    return CliRunner(env={"TRUCEWATCH_DB": str(tmp_path / "cli.sqlite3")})


@pytest.fixture
def reports(tmp_path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps({"id": "c-1", "published": "2025-10-15", "outlet": "example.org",
                                               "text": "Jets struck a compound near the capital."}))
    (folder / "b.txt").write_text("A statement without any date in it.")
    return folder
