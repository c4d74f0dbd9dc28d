"""The bundled demo reports are well-formed articles that `trucewatch ingest` accepts, and say they are synthetic; the
demo's window holds what a ceasefire monitor is for: potential violations of the Doha ceasefire by each party."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from trucewatch.cli.main import main
from trucewatch.demo import sample_report_paths, sample_reports_dir
from trucewatch.pipeline.extract import extract_events
from trucewatch.pipeline.ingest import read_reports
from trucewatch.records import Report

KINDS = {"news", "statement", "complaint", "field-report"}


def _reports() -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sample_report_paths()]


def test_the_demo_folder_holds_ten_to_twenty_reports() -> None:
    assert sample_reports_dir().is_dir()
    assert 10 <= len(sample_report_paths()) <= 20


def test_each_report_is_a_short_article_with_a_date() -> None:
    ids = set()
    for path, report in zip(sample_report_paths(), _reports()):
        assert set(report) == {"id", "url", "outlet", "published", "kind", "title", "text"}, path.name
        assert report["id"] == path.stem and report["id"] not in ids
        ids.add(report["id"])
        assert report["url"].startswith("https://example.org/")
        assert date(2025, 10, 1) <= date.fromisoformat(report["published"]) <= date(2025, 11, 30)
        assert report["kind"] in KINDS
        assert 120 <= len(re.findall(r"\S+", report["text"])) <= 350, path.name


def test_the_reports_cover_each_kind_and_the_contested_figures() -> None:
    reports = {r["id"]: r for r in _reports()}
    assert {r["kind"] for r in reports.values()} == KINDS
    texts = " ".join(r["text"] for r in reports.values())
    for needed in ("58", "23", "17", "Doha", "Istanbul", "Khawaja Asif", "overnight", "last Wednesday", "on Friday"):
        assert needed in texts


def test_the_readme_says_the_reports_are_synthetic_and_lists_each() -> None:
    readme = (sample_reports_dir().parent / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower()
    for path in sample_report_paths():
        assert path.stem in readme


# --- after the Doha ceasefire began (00:00 PKT on 19 October 2025): the invented happenings of sample-15 to 18 -----

@dataclass(frozen=True)
class Happening:
    """What one invented report tells, as the extractor should code it and the Doha assessment should judge it."""

    report_id: str
    sub_event_type: str
    day: date
    perpetrator: str  # actor1 as coded
    admin1: str
    accused: str  # the party the assessment accuses
    commitment: str  # ... under this commitment of the Doha ceasefire
    window_status: str  # inside, or uncertain: across the window's start


AFTER_DOHA = [
    Happening("sample-15", "Shelling/artillery/missile attack", date(2025, 10, 18), "Military Forces of Pakistan",
              "Paktia", "PAK", "no-cross-border-attacks", "uncertain"),  # late on the 18th in Kabul: 23:30 is the start
    Happening("sample-16", "Armed clash", date(2025, 10, 23), "TTP: Tehreek-e-Taliban Pakistan",
              "Khyber Pakhtunkhwa", "AFG", "no-support-to-attacking-groups", "inside"),  # AFG answers for the TTP
    Happening("sample-17", "Shelling/artillery/missile attack", date(2025, 11, 3),
              "Military Forces of Afghanistan (Taliban)", "Khyber Pakhtunkhwa", "AFG", "no-cross-border-attacks",
              "inside"),
    Happening("sample-18", "Air/drone strike", date(2025, 11, 12), "Military Forces of Pakistan", "Khost", "PAK",
              "no-targeting", "inside"),  # civilians killed; Pakistan denies it
]


def _report(report_id: str) -> Report:
    (report,) = read_reports(sample_reports_dir() / f"{report_id}.json")
    assert isinstance(report, Report), report
    return report


@pytest.mark.parametrize("happening", AFTER_DOHA, ids=lambda h: h.report_id)
def test_each_invented_report_is_coded_as_the_happening_it_tells(happening: Happening) -> None:
    coded = [(e.sub_event_type, e.event_date, e.actor1, e.place.admin1 if e.place else None)
             for e in extract_events(_report(happening.report_id))]
    assert (happening.sub_event_type, happening.day, happening.perpetrator, happening.admin1) in coded, coded


def test_the_readme_says_which_reports_are_invented() -> None:
    readme = (sample_reports_dir().parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## After the Doha ceasefire: invented happenings", 1)[1].split("\n## ", 1)[0]
    assert "did not take place" in section
    for happening in AFTER_DOHA:
        assert f"| {happening.report_id} |" in readme and "*invented*" in readme.split(f"| {happening.report_id} |")[1]


@dataclass(frozen=True)
class DemoRun:
    result: Result
    out: Path


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    folder = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--db", str(folder / "demo.sqlite3"), "--out", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return DemoRun(result, folder / "out")


def _party_rows(stdout: str) -> dict[str, list[str]]:
    """The per-party summary the demo prints: PARTY, POTENTIAL, UNCERTAIN, ... by party."""
    table = stdout.split("Potential violations per party:", 1)[1]
    return {cells[0]: cells for line in table.splitlines() if (cells := line.split()) and cells[0] in ("PAK", "AFG")}


def test_the_demo_summary_shows_potential_violations_by_each_party(demo_run: DemoRun) -> None:
    rows = _party_rows(demo_run.result.stdout)
    assert set(rows) == {"PAK", "AFG"}
    for party, cells in rows.items():
        assert int(cells[1]) >= 1, f"{party} shows no potential violation: {cells}"
    assert int(rows["PAK"][2]) >= 1  # the boundary case counts as uncertain


def test_the_potential_violations_are_the_happenings_after_the_ceasefire_began(demo_run: DemoRun) -> None:
    lines = [json.loads(line) for line in (demo_run.out / "demo-compliance-doha-2025-10-19.jsonl").open()]
    violations = {(line["first_date"], line["sub_event_type"], line["admin1"]): line for line in lines
                  if line["window_status"] in ("inside", "uncertain") and line["accused"] and line["commitments"]}
    for happening in AFTER_DOHA:
        key = (happening.day.isoformat(), happening.sub_event_type, happening.admin1)
        assert key in violations, (happening, sorted(violations))
        line = violations[key]
        assert line["window_status"] == happening.window_status, line["reason"]
        assert f"{happening.accused}:{happening.commitment}" in line["accused_under"], line["reason"]
    (strike,) = [line for line in violations.values() if line["sub_event_type"] == "Air/drone strike"]
    assert strike["evidence_state"] == "denied" and strike["accusers"] == ["AFG"]  # Kabul blames, Islamabad denies
    before = [line for line in lines if (line["last_date"] or line["first_date"]) < "2025-10-18"]
    assert before and all(line["window_status"] == "outside" for line in before)
