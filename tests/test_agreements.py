"""Agreements as a monitor meets them: the shipped example file, mistakes named by their field path, loading into a
store (added, updated, unchanged), editing, and the Doha assessment of the demo.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from trucewatch import jobs
from trucewatch.agreements import dump_agreements, parse_agreements, read_agreements
from trucewatch.cli.main import main
from trucewatch.demo import example_agreements_path
from trucewatch.errors import AgreementError
from trucewatch.pipeline.assess import window_of
from trucewatch.storage import Database

ROOT = Path(__file__).resolve().parents[1]
IDS = ("truce-2025-10-15", "truce-extension-2025-10-17", "doha-2025-10-19", "istanbul-2025-10-30")
GOOD = """
[[agreements]]
id = "truce"
name = "A truce"
kind = "truce"

[agreements.window]
start = "2025-10-15T18:00"
end = "2025-10-17T18:00"
tz = "Asia/Karachi"

[[agreements.parties]]
code = "PAK"
name = "Pakistan"

[[agreements.parties]]
code = "AFG"
name = "Afghanistan"
answers_for = ["TTP"]

[[agreements.commitments]]
id = "no-cross-border-attacks"
text = "No attacks across the border."
binds = ["PAK", "AFG"]
concerns = ["cross-border"]
"""


@pytest.fixture
def db(db_url) -> Iterator[Database]:
    """The store, on SQLite and PostgreSQL both (db_url: tests/postgres.py)."""
    with Database.open(db_url) as opened:
        yield opened


def mistake(text: str) -> str:
    with pytest.raises(AgreementError) as caught:
        parse_agreements(text, "test.toml")
    assert caught.value.code == "TW-E501"
    return str(caught.value)


# --- the example file ----------------------------------------------------------------------------------------------

def test_the_example_file_loads_and_holds_the_four_agreements_of_october_2025():
    agreements = {a.agreement_id: a for a in read_agreements(example_agreements_path())}
    assert tuple(agreements) == IDS
    truce, extension, doha, istanbul = (agreements[i] for i in IDS)
    assert truce.start == datetime(2025, 10, 15, 13, tzinfo=UTC)  # 18:00 PKT
    assert truce.end - truce.start == timedelta(hours=48)
    assert extension.end is None and "UNCERTAIN" in extension.notes and "contested" in extension.notes
    assert {p.code for p in doha.guarantors} == {"QAT", "TUR"} and doha.end is None
    assert doha.supersedes == ("truce-extension-2025-10-17",)
    assert window_of(extension, agreements.values()).end == doha.start
    assert ("TTP",) in {p.answers_for for p in doha.parties}
    assert "Istanbul" in doha.notes and istanbul.start.date().isoformat() == "2025-10-30"


def test_examples_holds_a_relative_link_to_the_packaged_file():
    link = ROOT / "examples" / "agreements-2025.toml"
    assert link.is_symlink() and not os.path.isabs(os.readlink(link))
    assert link.resolve() == (ROOT / "src" / "trucewatch" / "demo" / "agreements-2025.toml").resolve()


def test_an_exported_file_reads_back_to_the_same_agreements():
    agreements = read_agreements(example_agreements_path())
    assert parse_agreements(dump_agreements(agreements)) == agreements


# --- mistakes, by path ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "expected"), [
    (('start = "2025-10-15T18:00"', 'start = "2025-10-15 25:00"'),
     "agreements[0].window.start: '2025-10-15 25:00' is not a time; write 2025-10-15T00:00 with tz = \"Asia/Karachi\""),
    (('start = "2025-10-15T18:00"', 'start = "2025-10-15"'),
     "agreements[0].window.start: '2025-10-15' has no time of day; write 2025-10-15T00:00"),
    (('start = "2025-10-15T18:00"', 'start = "2025-10-15T18:00+05:00"'),
     "agreements[0].window.start: '2025-10-15T18:00' carries an offset of its own"),
    (('tz = "Asia/Karachi"', 'tz = "PKT"'), "agreements[0].window.tz: 'PKT' is not a time zone"),
    (('end = "2025-10-17T18:00"', 'end = "2025-10-14T18:00"'),
     "agreements[0].window.end: '2025-10-14T18:00' is not after the start"),
    (('kind = "truce"', 'kind = "treaty"'), "agreements[0].kind: 'treaty' is not one of truce, ceasefire"),
    (('code = "PAK"', 'code = "PK"'), "agreements[0].parties[0].code: 'PK' is not a side of the actor dictionary"),
    (('answers_for = ["TTP"]', 'answers_for = "TTP"'), "agreements[0].parties[1].answers_for: expected a list"),
    (('binds = ["PAK", "AFG"]', 'binds = ["PAK", "IND"]'),
     "agreements[0].commitments[0].binds[1]: 'IND' is not a party of this agreement; use one of PAK, AFG"),
    (('concerns = ["cross-border"]', 'concerns = ["cross border"]'),
     ("agreements[0].commitments[0].concerns[0]: 'cross border' is not something a commitment can concern; did you "
      "mean 'cross-border'?")),
    (('id = "truce"', 'id = "The Truce"'), "agreements[0].id: 'The Truce' is not an id"),
    (('name = "A truce"', 'nmae = "A truce"'), "agreements[0].nmae: unknown field; did you mean 'name'?"),
    (('kind = "truce"', 'kind = "truce"\nsupersedes = ["nothing"]'),
     "agreements[0].supersedes[0]: 'nothing' is not an agreement in this file or the database"),
    (('kind = "truce"', 'kind = "truce"\nsources = ["example.org/a"]'),
     "agreements[0].sources[0]: 'example.org/a' is not a web address"),
])
def test_each_mistake_is_named_by_its_field_path_with_what_to_write(change, expected):
    old, new = change
    assert old in GOOD
    assert expected in mistake(GOOD.replace(old, new, 1))


def test_every_mistake_of_a_file_is_listed_at_once_and_a_second_id_must_differ():
    text = GOOD.replace('kind = "truce"', 'kind = "treaty"').replace('tz = "Asia/Karachi"', 'tz = "Asia/Kabull"')
    message = mistake(text + GOOD)
    assert "2 mistakes, nothing was loaded" in message
    assert "agreements[0].kind" in message and "agreements[0].window.tz" in message
    assert "agreements[1].id: 'truce' is already the id of agreements[0]" in mistake(GOOD + GOOD)


def test_a_later_agreement_supersedes_only_an_earlier_one():
    later = (GOOD.replace('id = "truce"', 'id = "later"').replace('end = "2025-10-17T18:00"\n', "")
             .replace('kind = "truce"', 'kind = "truce"\nsupersedes = ["truce"]'))
    assert [a.supersedes for a in parse_agreements(GOOD + later.replace("2025-10-15T18:00", "2025-10-17T18:00"))] \
        == [(), ("truce",)]
    earlier = later.replace("2025-10-15T18:00", "2025-10-10T18:00")
    assert "'truce' began at 2025-10-15T18:00, not before this agreement" in mistake(GOOD + earlier)


def test_a_file_that_is_not_toml_or_not_there_says_so(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[[agreements]\nid = 1\n")
    with pytest.raises(AgreementError, match="TW-E502: .*broken.toml: not valid TOML"):
        read_agreements(broken)
    with pytest.raises(AgreementError, match="TW-E504: .*missing.toml: cannot read"):
        read_agreements(tmp_path / "missing.toml")


# --- the store -----------------------------------------------------------------------------------------------------

def test_loading_adds_then_leaves_unchanged_then_updates_by_id(db, tmp_path):
    assert {c.status for c in jobs.agreements.load_agreements(db, example_agreements_path())} == {"added"}
    assert {c.status for c in jobs.agreements.load_agreements(db, example_agreements_path())} == {"unchanged"}
    edited = tmp_path / "edited.toml"
    edited.write_text(example_agreements_path().read_text(encoding="utf-8").replace(
        'name = "Doha ceasefire"', 'name = "The Doha ceasefire"'), encoding="utf-8")
    changes = {c.agreement_id: c.status for c in jobs.agreements.load_agreements(db, edited)}
    assert changes["doha-2025-10-19"] == "updated" and changes["truce-2025-10-15"] == "unchanged"
    assert jobs.agreements.get_agreement(db, "doha-2025-10-19").name == "The Doha ceasefire"
    assert [a.agreement_id for a in jobs.agreements.list_agreements(db)] == list(IDS)


def test_a_file_with_a_mistake_loads_nothing(db, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD + GOOD.replace('id = "truce"', 'id = "second"').replace('code = "AFG"', 'code = "AFGH"'))
    with pytest.raises(AgreementError, match="agreements\\[1\\].parties\\[1\\].code"):
        jobs.agreements.load_agreements(db, bad)
    assert jobs.agreements.list_agreements(db) == []


def test_an_unknown_agreement_is_refused_naming_the_known_ones(db):
    jobs.agreements.load_agreements(db, example_agreements_path())
    known = "TW-E503: no agreement 'doha'; known: truce-2025-10-15, .*doha-2025-10-19"
    with pytest.raises(AgreementError, match=known):
        jobs.agreements.assess_agreement(db, "doha")


def test_edits_change_the_end_supersession_and_notes_and_refuse_what_makes_no_sense(db):
    jobs.agreements.load_agreements(db, example_agreements_path())
    ended = jobs.agreements.set_agreement(db, "istanbul-2025-10-30", end="2025-11-07T17:30", tz="Asia/Kabul",
                               note="Talks ended on 7 November.")
    assert ended.end == datetime(2025, 11, 7, 13, tzinfo=UTC)
    assert ended.notes.endswith("Talks ended on 7 November.")
    assert jobs.agreements.set_agreement(db, "istanbul-2025-10-30", open_ended=True).end is None
    jobs.agreements.set_agreement(db, "doha-2025-10-19", superseded_by="istanbul-2025-10-30")
    assert "doha-2025-10-19" in jobs.agreements.get_agreement(db, "istanbul-2025-10-30").supersedes
    for bad, message in (({"superseded_by": "truce-2025-10-15"}, "only a later agreement supersedes"),
                         ({"end": "2025-10-01T00:00"}, "the end must be after the start"),
                         ({"end": "tomorrow"}, "'tomorrow' is not a time"), ({}, "nothing to change")):
        with pytest.raises(AgreementError, match=f"TW-E505: .*{message}.*nothing was changed"):
            jobs.agreements.set_agreement(db, "doha-2025-10-19", **bad)
    assert jobs.agreements.remove_agreement(db, "doha-2025-10-19") == ["istanbul-2025-10-30"]
    assert jobs.agreements.get_agreement(db, "istanbul-2025-10-30").supersedes == ()
    assert jobs.agreements.get_agreement(db, "truce-extension-2025-10-17").end is None  # its window is open again


# --- the demo ------------------------------------------------------------------------------------------------------

def test_the_demo_assesses_the_sample_against_the_doha_ceasefire(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Against doha-2025-10-19:" in result.stdout and "POTENTIAL" in result.stdout
    lines = [json.loads(line) for line in (tmp_path / "out" / "demo-compliance-doha-2025-10-19.jsonl").open()]
    assert lines and all(list(line)[:8] == ["incident_id", "agreement_id", "window_status", "reason", "commitments",
                                            "accused", "accusers", "evidence_state"] for line in lines)
    assert {line["window_status"] for line in lines} >= {"inside", "outside"}
    before = [line for line in lines if (line["last_date"] or line["first_date"]) < "2025-10-18"]
    assert before and all(line["window_status"] == "outside" for line in before)
    page = (tmp_path / "out" / "demo-report-doha-2025-10-19.html").read_text(encoding="utf-8")
    assert "Doha ceasefire" in page and "Summary by party" in page
    assert (tmp_path / "out" / "demo-report-doha-2025-10-19.pdf").read_bytes().startswith(b"%PDF-")
