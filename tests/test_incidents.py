"""Incidents as a monitor meets them: reports ingested with the real extractor, resolved into incidents, listed,
shown, and corrected by overrides that survive re-resolution and re-ingest.

The reports are short texts written for these tests; each says only what its test needs.
"""
from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from trucewatch import jobs
from trucewatch.cli.main import main
from trucewatch.errors import IncidentError
from trucewatch.pipeline.resolve import incident_id_for, keep_incident_ids
from trucewatch.storage import Database

REPORTS = {  # id: (published, outlet, text)
    "raid-kabul": ("2025-10-12", "Kabul Desk", (
        "Afghan forces attacked Pakistani border posts at Angoor Adda late on Saturday. The Afghan government said its "
        "forces killed 58 Pakistani soldiers in the fighting.")),
    "raid-ispr": ("2025-10-12", "ISPR", (
        "Afghan forces attacked Pakistani border posts at Angoor Adda overnight. The Pakistani military said 23 "
        "soldiers were killed in the clashes.")),
    "raid-late": ("2025-10-13", "Frontier Notes", (
        "Afghan and Pakistani troops clashed at Angoor Adda on Saturday night, officials on both sides said.")),
    "strike-denied": ("2025-10-17", "Eastern Desk", (
        "Pakistani jets struck a market in Barmal, Paktika, on Thursday night, killing 17 civilians, the Afghan "
        "government said. Pakistan denied carrying out the strike.")),
    "strike-admitted": ("2025-10-20", "Margalla Notes", (
        "Pakistan's defence minister Khawaja Asif on Monday acknowledged for the first time that Pakistani jets "
        "struck Barmal in Paktika on Thursday night.")),
    "bus-bomb": ("2025-10-14", "Chaman Times", (
        "A roadside bomb hit a bus near Chaman on Monday, killing nine passengers, police said.")),
}
SITES = {  # one night's attack on several posts, each side naming different ones
    "posts-kabul": ("2025-10-12", "Kabul Desk", (
        "The Afghan government said on Sunday its forces had killed 40 Pakistani soldiers in overnight attacks on "
        "Pakistani border posts in Kurram and Bajaur.")),
    "posts-ispr": ("2025-10-12", "Inter-Services Public Relations", (
        "Overnight, Afghan forces opened fire on Pakistani border posts at Angoor Adda, in Bajaur and in Chitral. "
        "In these engagements 12 soldiers of the Pakistan Army were martyred.")),
}
WIRE = ("Gunmen attacked a police checkpoint in Quetta on Tuesday, killing 20 policemen, officials said. The "
        "attackers fled into the hills after the raid, and police began a search of nearby villages.")


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "reports"
    path.mkdir()
    return path


@pytest.fixture
def db(db_url) -> Iterator[Database]:
    """The store, on SQLite and PostgreSQL both (db_url: tests/postgres.py)."""
    with Database.open(db_url) as opened:
        yield opened


def write(folder: Path, report_id: str, published: str | None = None, outlet: str | None = None,
          text: str | None = None) -> Path:
    day, source, body = REPORTS.get(report_id, (published, outlet, text))
    path = folder / f"{report_id}.json"
    path.write_text(json.dumps({"id": report_id, "published": published or day, "outlet": outlet or source,
                                "url": f"https://example.org/{report_id}", "text": text or body}))
    return path


def ingest(db: Database, folder: Path, *report_ids: str) -> list:
    return jobs.ingest.ingest_paths([write(folder, r) for r in report_ids], db)


def incident_of(db: Database, report_id: str) -> str:
    store = db.reports
    (event,) = store.events_of(report_id)
    return event.incident_id


def event_of(db: Database, report_id: str) -> str:
    store = db.reports
    (event,) = store.events_of(report_id)
    return event.event_id


def all_incidents(db: Database) -> dict[str, str]:
    store = db.reports
    return {e.event_id: e.incident_id for e in store.iter_events()}


# --- one incident, every account -----------------------------------------------------------------------------------

def test_two_accounts_of_one_raid_are_one_incident_with_both_figures_side_by_side(db, folder):
    ingest(db, folder, "raid-kabul", "raid-ispr")
    (summary,), total = jobs.incidents.list_incidents(db)
    assert total == 1 and summary.n_reports == 2 and summary.contested
    incident = jobs.incidents.get_incident(db, summary.incident_id)
    figures = {(f.figure.low, f.figure.victims, f.source.report_id) for f in incident.figures}
    assert figures == {(58, "soldiers", "raid-kabul"), (23, "soldiers", "raid-ispr")}
    claimants = {f.figure.claimed_by for f in incident.figures}
    assert len(claimants) == 2 and any("Afghanistan" in c for c in claimants)
    assert any(r.startswith("conflicting figures for") and "soldiers" in r for r in incident.reasons)


def test_the_sites_of_one_nights_attack_are_one_incident_whichever_report_comes_first(db, folder):
    for report_id, (day, outlet, text) in SITES.items():
        write(folder, report_id, day, outlet, text)
    jobs.ingest.ingest_paths([folder / "posts-kabul.json"], db)
    jobs.ingest.ingest_paths([folder / "posts-ispr.json"], db)  # incremental: joins what is stored
    incidents, total = jobs.incidents.list_incidents(db)
    assert total == 1 and incidents[0].n_reports == 2
    incident = jobs.incidents.get_incident(db, incidents[0].incident_id)
    assert {(f.figure.low, f.figure.claimed_by) for f in incident.figures} == {
        (40, "Government of Afghanistan (Taliban)"), (12, "Military Forces of Pakistan")}
    assert any("Pakistani soldiers" in r for r in incident.reasons)


def test_every_export_carries_the_incident_id_after_ingest(db, folder):
    ingest(db, folder, "raid-kabul", "raid-ispr", "bus-bomb")
    out = io.StringIO()
    jobs.exports.export_events(db, "jsonl", out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    by_report = {row["report_id"]: row["incident_id"] for row in rows}
    assert by_report["raid-kabul"] == by_report["raid-ispr"] != by_report["bus-bomb"]
    assert all(row["incident_id"] for row in rows)


def test_claims_per_party_show_the_denial_and_the_later_acknowledgement_with_their_days(db, folder):
    ingest(db, folder, "strike-denied", "strike-admitted")
    incident_id = incident_of(db, "strike-denied")
    assert incident_of(db, "strike-admitted") == incident_id
    claims = jobs.incidents.get_incident(db, incident_id).claims
    pakistan = [(c.claim.stance, c.made_on) for c in claims if c.party == "PAK"]
    assert ("denies", date(2025, 10, 17)) in pakistan
    assert ("acknowledges_later", date(2025, 10, 20)) in pakistan
    shown = CliRunner().invoke(main, ["incident", incident_id, "--db", db.url])
    assert shown.exit_code == 0
    text = shown.stdout
    assert "Claims by party" in text and "2025-10-17  denies (occurrence)" in text
    assert "2025-10-20  later acknowledges (occurrence)" in text
    assert "Figures by claimant" in text and "17 civilians" in text


def test_a_revised_report_adds_its_figure_as_a_new_claim_and_keeps_the_first(db, folder):
    first = ingest(db, folder, "bus-bomb")
    revised = write(folder, "bus-bomb", published="2025-10-15", text=REPORTS["bus-bomb"][2].replace("nine", "14"))
    (result,) = jobs.ingest.ingest_paths([revised], db)
    assert first[0].status == result.status == "added"
    assert result.report_id.startswith("bus-bomb~") and result.reason == "a revision of bus-bomb"
    incident = jobs.incidents.get_incident(db, incident_of(db, "bus-bomb"))
    assert sorted((f.source.published, f.figure.low) for f in incident.figures) == [
        (date(2025, 10, 14), 9), (date(2025, 10, 15), 14)]
    store = db.reports
    assert "nine" in store.get_report("bus-bomb").text
    again = CliRunner().invoke(main, ["ingest", str(revised), "--db", db.url])
    assert again.stdout.startswith("added 0, unchanged 1")  # the revision itself is not stored twice


def test_syndicated_copies_are_one_source_when_figures_are_corroborated(db, folder):
    write(folder, "wire-a", "2025-10-15", "Agency One", "QUETTA (Wire) - " + WIRE)
    write(folder, "wire-b", "2025-10-15", "Agency Two", WIRE + " Copyright the wire service.")
    write(folder, "own", "2025-10-15", "Quetta Courier", "Twelve police officers died when militants stormed a "
                                                         "checkpoint in Quetta on Tuesday, a police spokesman said.")
    jobs.ingest.ingest_paths([folder], db)
    (summary,), _ = jobs.incidents.list_incidents(db)
    incident = jobs.incidents.get_incident(db, summary.incident_id)
    assert summary.n_reports == 3
    groups = {s.report_id: s.source_group for s in incident.sources}
    assert groups["wire-b"] == groups["wire-a"] != groups["own"]
    (estimate,) = [e for e in incident.estimates if e.low == 12]
    assert estimate.best == 12  # the wire's 20, told twice, is still one source: nothing is corroborated
    assert "no figure is given by two independent sources" in estimate.basis


# --- incremental resolution ----------------------------------------------------------------------------------------

def test_a_newly_ingested_report_joins_its_incident_and_no_other_incident_changes(db, folder):
    ingest(db, folder, "raid-kabul", "raid-ispr", "strike-denied", "bus-bomb")
    before = all_incidents(db)
    (result,) = ingest(db, folder, "raid-late")
    assert result.status == "added"
    after = all_incidents(db)
    assert {e: i for e, i in after.items() if e in before} == before
    raid = incident_of(db, "raid-kabul")
    assert incident_of(db, "raid-late") == raid
    (summary,), _ = jobs.incidents.list_incidents(db, country="Pakistan", event_type="Armed clash")
    assert (summary.incident_id, summary.n_reports) == (raid, 3)
    assert jobs.incidents.resolve_all(db)["changed"] == 0  # replaying everything agrees


# --- overrides -------------------------------------------------------------------------------------------------

def _split(db: Database) -> None:
    jobs.incidents.split_event(db, event_of(db, "raid-ispr"), by="ana", note="another post")


def _merge(db: Database) -> None:
    jobs.incidents.merge_incidents(db, incident_of(db, "raid-kabul"), incident_of(db, "bus-bomb"), by="ana")


def _pin(db: Database) -> None:
    jobs.incidents.pin_event(db, event_of(db, "bus-bomb"), incident_of(db, "raid-kabul"), by="ana")


def _split_holds(db: Database) -> bool:
    alone = incident_of(db, "raid-ispr")
    return alone != incident_of(db, "raid-kabul") and list(all_incidents(db).values()).count(alone) == 1


def _joined_holds(db: Database) -> bool:
    return incident_of(db, "bus-bomb") == incident_of(db, "raid-kabul")


@pytest.mark.parametrize(("apply", "holds"), [(_split, _split_holds), (_merge, _joined_holds), (_pin, _joined_holds)],
                         ids=["split", "merge", "pin"])
def test_an_override_survives_re_resolution_and_re_ingest(db, folder, apply, holds):
    ingest(db, folder, "raid-kabul", "raid-ispr", "bus-bomb")
    assert not holds(db)
    apply(db)
    assert holds(db)
    jobs.incidents.resolve_all(db)
    assert holds(db)
    assert {r.status for r in jobs.ingest.ingest_paths([folder], db)} == {"unchanged"}
    assert holds(db)
    ingest(db, folder, "raid-late")
    assert holds(db)
    assert incident_of(db, "raid-late") == incident_of(db, "raid-kabul")
    overridden = incident_of(db, "raid-ispr" if apply is _split else "bus-bomb")
    (override,) = jobs.incidents.get_incident(db, overridden).overrides
    assert override.by == "ana" and override.at is not None


def test_override_commands_record_who_and_show_in_the_incident(db, folder, monkeypatch):
    ingest(db, folder, "raid-kabul", "bus-bomb")
    monkeypatch.setenv("TRUCEWATCH_USER", "monitor-7")
    runner = CliRunner()
    keep, absorb = incident_of(db, "raid-kabul"), incident_of(db, "bus-bomb")
    merged = runner.invoke(main, ["merge", keep, absorb, "--db", db.url, "--note", "same raid"])
    assert merged.exit_code == 0, merged.output
    assert "recorded by monitor-7" in merged.stdout and f"now incident {keep}" in merged.stdout
    shown = runner.invoke(main, ["incident", keep, "--db", db.url]).stdout
    overrides = shown.split("Overrides")[1]
    assert "monitor-7" in overrides and "merge" in overrides and "same raid" in overrides
    split = runner.invoke(main, ["split", event_of(db, "bus-bomb"), "--db", db.url, "--by", "ana"])
    assert split.exit_code == 0 and "recorded by ana" in split.stdout
    pinned = runner.invoke(main, ["pin", event_of(db, "bus-bomb"), keep, "--db", db.url])
    assert pinned.exit_code == 0 and incident_of(db, "bus-bomb") == keep


def test_unknown_ids_give_the_documented_errors(db, folder):
    ingest(db, folder, "raid-kabul")
    runner = CliRunner()
    known = incident_of(db, "raid-kabul")
    cases = {
        ("incident", "inc-nothing"): "TW-E305: no incident 'inc-nothing'; list them with 'trucewatch incidents'",
        ("split", "evt-nothing", "--by", "ana"): "TW-E306: no event 'evt-nothing'",
        ("pin", event_of(db, "raid-kabul"), "inc-nothing", "--by", "ana"): "TW-E305",
        ("merge", known, known, "--by", "ana"): "TW-E308",
    }
    for args, message in cases.items():
        result = runner.invoke(main, [*args, "--db", db.url])
        assert result.exit_code == 2 and result.stderr.startswith(message), args
    with pytest.raises(IncidentError, match="TW-E307"):
        jobs.incidents.override(db, "annex", event_of(db, "raid-kabul"), None, by="ana")
    store = db.reports
    assert store.overrides() == []  # nothing refused was recorded


# --- listing -------------------------------------------------------------------------------------------------------

def test_incidents_lists_and_filters(db, folder):
    ingest(db, folder, "raid-kabul", "raid-ispr", "strike-denied", "bus-bomb")
    raid, strike, bus = (incident_of(db, r) for r in ("raid-kabul", "strike-denied", "bus-bomb"))
    runner = CliRunner()

    def listed(*options: str) -> set[str]:
        result = runner.invoke(main, ["incidents", "--db", db.url, *options])
        assert result.exit_code == 0, result.output
        return {i for i in (raid, strike, bus) if i in result.stdout}

    assert listed() == {raid, strike, bus}
    assert listed("--province", "paktika") == {strike}
    assert listed("--country", "Pakistan") == {raid, bus}
    assert listed("--type", "Air/drone strike") == {strike}
    assert listed("--type", "Battles") == {raid}
    assert listed("--actor", "afghanistan") >= {raid}
    assert listed("--from", "2025-10-13", "--to", "2025-10-14") == {bus}
    assert listed("--contested") == {raid, strike}
    assert listed("--uncontested") == {bus}
    assert listed("--limit", "1") == {raid}  # in date order
    assert runner.invoke(main, ["incidents", "--db", db.url, "--from", "soon"]).exit_code == 2


def test_resolve_command_prints_counts(db, folder):
    ingest(db, folder, "raid-kabul", "raid-ispr", "bus-bomb")
    result = CliRunner().invoke(main, ["resolve", "--db", db.url])
    assert result.exit_code == 0
    assert result.stdout.startswith("3 events in 2 incidents; 0 events changed incident, 0 incidents gone")


def test_keep_incident_ids_renames_regrouped_incidents_to_the_ids_their_events_had():
    before = {"a": "inc-old", "b": "inc-old", "c": "inc-old", "d": None}
    regrouped = {"a": "inc-new1", "b": "inc-new1", "c": "inc-new2", "d": "inc-new2"}
    kept = keep_incident_ids(regrouped, before)
    assert kept["a"] == kept["b"] == "inc-old"  # most of inc-old's events stayed together
    assert kept["c"] == kept["d"] == "inc-new2"
    assert keep_incident_ids({"x": "inc-old", "y": "inc-y"}, {"x": None, "y": "inc-old"}) == {
        "x": incident_id_for("x"), "y": "inc-old"}  # a new id never takes one still in use


# --- the demo ------------------------------------------------------------------------------------------------------

def test_the_demo_resolves_the_sample_into_incidents_and_shows_a_contested_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Incidents: the" in result.stdout and "CONTESTED" in result.stdout
    for section in ("Reports", "Figures by claimant", "Estimates", "Claims by party", "Overrides"):
        assert f"\n{section}\n" in result.stdout
