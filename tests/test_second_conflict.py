"""The conflict as data: a second, invented conflict run through the commands a user would, with no code changed.

tests/fixtures/northvale/ is another conflict's data folder (docs/conflict.md): the Republic of Northvale (NOR, on
Europe/Helsinki time) and the Estrian Federation (EST, on Europe/Istanbul time) along the invented Varan range, an
armed group Estria answers for (the Grey Hand Brigade), a guarantor (Aldmark), their actor dictionary, gazetteer and
demonyms, four reports and one agreement, all made up. `TRUCEWATCH_DATA_DIR` names the folder; the shipped data stay as
they are.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from trucewatch.cli.main import main
from trucewatch.conflict import load_conflict, shipped_conflict
from trucewatch.settings import Settings
from trucewatch.web.app import create_app

FOLDER = Path(__file__).parent / "fixtures" / "northvale"
AGREEMENT = "aldhaven-2026-02-10"
SECRET = "test-secret-key-0123456789-abcdefghijklmnop"


class Northvale:
    """A store with the invented conflict's reports ingested and its agreement loaded, through the CLI."""

    def __init__(self, folder: Path) -> None:
        self.db = folder / "northvale.sqlite3"
        self.runner = CliRunner(env={"TRUCEWATCH_DATA_DIR": str(FOLDER), "TRUCEWATCH_DB": str(self.db),
                                     "TRUCEWATCH_CONFIG": None})

    def run(self, *args: str, stdin: str | None = None) -> Result:
        return self.runner.invoke(main, list(args), input=stdin)

    def jsonl(self, *args: str) -> list[dict]:
        result = self.run(*args)
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def northvale(tmp_path_factory) -> tuple[Northvale, Result, Result]:
    world = Northvale(tmp_path_factory.mktemp("northvale"))
    ingested = world.run("ingest", str(FOLDER / "reports"), "--no-progress")
    loaded = world.run("agreements", "load", str(FOLDER / "agreements.toml"))
    return world, ingested, loaded


@pytest.fixture(scope="module")
def assessed(northvale) -> dict[str, dict]:
    """The compliance export against the Aldhaven ceasefire, by the incident's place."""
    world, _, _ = northvale
    return {a["location"]: a for a in world.jsonl("compliance", "--agreement", AGREEMENT, "--format", "jsonl")}


def test_ingest_codes_the_invented_parties_actors_and_places(northvale):
    world, ingested, _ = northvale
    assert ingested.exit_code == 0, ingested.output
    assert "added 4, unchanged 0, refused 0" in ingested.stdout
    events = {e["location"]: e for e in world.jsonl("export", "--format", "jsonl")}
    shelling = events["Tollbridge"]
    assert (shelling["actor1"], shelling["actor2"]) == ("Military Forces of Estria", "Civilians (Northvale)")
    assert (shelling["country"], shelling["admin1"], shelling["latitude"]) == ("Northvale", "Varan March", 45.15)
    assert shelling["sub_event_type"] == "Shelling/artillery/missile attack"
    assert shelling["event_date"] == "2026-02-12"  # "on Thursday", published on Friday 13 February
    strike = events["Kessa"]
    assert (strike["actor1"], strike["sub_event_type"], strike["country"]) == (
        "Military Forces of Northvale", "Air/drone strike", "Estria")
    assert ("Military Forces of Northvale", "denies", "occurrence", None) in {
        (c["claimant"], c["stance"], c["about"], c["stated_on"]) for c in strike["claims"]}
    assert events["Marrowby"]["actor1"] == "Grey Hand Brigade"
    assert events["Orrin Pass"]["actor1"] == "Military Forces of Northvale"


def test_incidents_are_listed_by_the_invented_countries(northvale):
    world, _, _ = northvale
    listed = world.run("incidents", "--country", "Northvale")
    assert listed.exit_code == 0, listed.output
    assert all(town in listed.stdout for town in ("Tollbridge", "Marrowby", "Orrin Pass"))
    assert "Kessa" not in listed.stdout and "3 of 3 incidents" in listed.stdout
    assert "Grey Hand Brigade" in listed.stdout


def test_the_agreement_names_the_invented_sides_and_is_read_in_their_clocks(northvale):
    world, _, loaded = northvale
    assert loaded.exit_code == 0, loaded.output
    assert f"added      {AGREEMENT}" in loaded.stdout
    shown = world.run("agreements", "show", AGREEMENT)
    assert shown.exit_code == 0, shown.output
    assert "from:         2026-02-10 22:00 NVT = 2026-02-10 20:00 UTC" in shown.stdout  # NVT: the [[side]]'s zone_name
    assert "parties:      NOR Northvale; EST Estria, answering for GHB" in shown.stdout
    assert "guarantors:   ALD Aldmark" in shown.stdout


def test_compliance_accuses_the_party_whose_forces_struck(assessed):
    shelling = assessed["Tollbridge"]
    assert shelling["window_status"] == "inside"
    assert (shelling["accused"], shelling["accusers"]) == (["EST"], ["NOR"])
    assert shelling["commitments"] == ["no-cross-border-attacks", "no-targeting-civilians"]
    assert shelling["evidence_state"] == "denied"  # Estria's foreign ministry denied it


def test_who_answers_for_whom_comes_from_the_agreement(assessed):
    raid = assessed["Marrowby"]
    assert (raid["window_status"], raid["accused"]) == ("inside", ["EST"])
    assert raid["accused_under"] == ["EST:no-support-to-armed-groups"]  # the proxy commitment only
    assert "Grey Hand Brigade, which EST answers for" in raid["reason"]


def test_the_window_is_read_in_each_partys_own_time_zone(assessed):
    # 22:00 in Helsinki on 10 February is 23:00 in Istanbul: a strike in Estria that day may have come before it.
    strike = assessed["Kessa"]
    assert (strike["window_status"], strike["accused"], strike["accusers"]) == ("uncertain", ["NOR"], ["EST"])
    assert strike["reason"].startswith("Dated to the day 2026-02-10 in Europe/Istanbul; the ceasefire began at "
                                       "22:00 NVT (23:00 in Europe/Istanbul that day).")
    clash = assessed["Orrin Pass"]
    assert (clash["window_status"], clash["accused"]) == ("outside", ["NOR"])
    assert "before the ceasefire began at 22:00 NVT on 2026-02-10" in clash["reason"]


def test_the_per_party_view_counts_each_invented_party(northvale):
    world, _, _ = northvale
    view = world.run("compliance", "--agreement", AGREEMENT, "--view", "parties")
    assert view.exit_code == 0, view.output
    rows = {line.split()[0]: line.split() for line in view.stdout.splitlines() if line[:4] in ("NOR ", "EST ")}
    assert rows["NOR"][1:3] == ["1", "1"]  # one potential violation, across the boundary
    assert rows["EST"][1:3] == ["2", "0"]
    assert "2 inside, 2 uncertain, 1 outside the window" in view.stdout


def test_agreements_may_name_only_the_conflicts_sides(northvale):
    world, _, _ = northvale
    shipped = Path(__file__).parents[1] / "src" / "trucewatch" / "demo" / "agreements-2025.toml"
    refused = world.run("agreements", "load", str(shipped))
    assert refused.exit_code == 2
    assert "is not a side of the actor dictionary" in refused.stderr
    assert "the sides are ALD, EST, GHB, MEDIA, NOR" in refused.stderr


def test_liaison_officers_speak_for_the_invented_parties(northvale):
    world, _, _ = northvale
    added = world.run("users", "add", "vesna", "--role", "liaison", "--party", "est", "--password-stdin",
                      stdin="a long enough password here\n")
    assert added.exit_code == 0, added.output
    assert "added vesna: liaison (EST)" in added.stdout
    refused = world.run("users", "add", "farid", "--role", "liaison", "--party", "PAK", "--password-stdin",
                        stdin="a long enough password here\n")
    assert refused.exit_code == 2
    assert "choose NOR or EST" in refused.output


def test_the_workplace_shows_the_invented_conflict(northvale):
    world, _, _ = northvale
    settings = Settings(db=str(world.db), secret_key=SECRET, data_dir=str(FOLDER))
    with TestClient(create_app(settings)) as client:
        page = client.get("/map")
        assert page.status_code == 200
        assert "NOR: Northvale" in page.text and "GHB: Grey Hand Brigade" in page.text
        assert 'data-area=""' in page.text  # no map.toml: the map fits the incidents
        assert client.get("/api/v1/boundaries").json() == {"type": "FeatureCollection", "features": []}
        found = client.get("/api/v1/incidents", params={"limit": 50}).json()["data"]
        tollbridge = next(i for i in found if i["location"] == "Tollbridge")
        incident = client.get(f"/incidents/{tollbridge['incident_id']}")
        assert "NOR: Northvale" in incident.text and "EST: Estria" in incident.text


def test_a_data_folder_that_cannot_be_used_is_refused(tmp_path):
    runner = CliRunner(env={"TRUCEWATCH_DATA_DIR": str(tmp_path / "nowhere"), "TRUCEWATCH_DB": str(tmp_path / "x.db"),
                            "TRUCEWATCH_CONFIG": None})
    missing = runner.invoke(main, ["ingest", str(FOLDER / "reports"), "--no-progress"])
    assert missing.exit_code == 2 and "TW-E402" in missing.stderr and "no such folder" in missing.stderr
    partyless = tmp_path / "partyless"
    partyless.mkdir()
    (partyless / "actors.toml").write_text('[[side]]\ncode = "X"\nname = "X"\nrole = "armed_group"\n'
                                           '[metonyms]\nX = "X"\n', encoding="utf-8")
    (partyless / "gazetteer.tsv").write_text((FOLDER / "gazetteer.tsv").read_text(encoding="utf-8"), encoding="utf-8")
    runner.env["TRUCEWATCH_DATA_DIR"] = str(partyless)
    refused = runner.invoke(main, ["ingest", str(FOLDER / "reports"), "--no-progress"])
    assert refused.exit_code == 2 and "names no party" in refused.stderr


def test_the_shipped_data_stay_the_shipped_conflicts():
    assert load_conflict(Settings()) is shipped_conflict()
    assert load_conflict(Settings(data_dir=str(FOLDER))).party_codes == ("NOR", "EST")
    assert not {"NOR", "EST", "GHB", "ALD"} & shipped_conflict().side_codes
