"""trucewatch's scorer gives exactly the shared scorer's figures, and a corpus folder is read or refused clearly.

The shared scorer (`shared/eval/score.py`, beside the repository) is the reference: CI always has it, so there its
absence is a failure; in a clone without ../shared the comparisons are skipped and reported as not run (the
`shared_dir` fixture, tests/conftest.py). Every incident and prediction below is made up for these tests.
"""
from __future__ import annotations

import copy
import importlib.util
import json
import random
from pathlib import Path
from types import ModuleType

import pytest

from trucewatch.errors import TrucewatchError
from trucewatch.jobs import evaluate
from trucewatch.storage import Database


def _load_reference(scorer: Path) -> ModuleType:
    if not scorer.is_file():
        pytest.fail(f"the shared scorer is missing: expected {scorer} (the 'shared' folder beside the "
                    f"repository); these tests compare trucewatch.jobs.evaluate with it and cannot run without it")
    spec = importlib.util.spec_from_file_location("shared_eval_score", scorer)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reference(shared_dir: Path) -> ModuleType:
    return _load_reference(shared_dir / "eval" / "score.py")


@pytest.fixture(scope="module")
def dev_corpus(shared_dir: Path) -> Path:
    return shared_dir / "corpus" / "dev"


# --- made-up gold incidents -----------------------------------------------------------------------------------------

def _incident(incident_id: str, **fields: object) -> dict:
    base = {
        "incident_id": incident_id, "event_date": "2025-10-12", "event_date_end": None,
        "event_type": "Battles", "sub_event_type": "Armed clash",
        "actor1": "Military Forces of Pakistan", "actor2": "Military Forces of Afghanistan (Taliban)",
        "country": "Pakistan", "admin1": "Khyber Pakhtunkhwa", "location": "Angoor Adda",
        "latitude": 32.33, "longitude": 69.42, "fatalities": [], "claims": [], "reported_in": [],
    }
    base.update(fields)
    return base


def _mention(article_id: str) -> dict:
    return {"article_id": article_id, "sentence_hint": "made up", "role": "main"}


GOLD = [
    # An overnight battle at the border, told by two reports with different tolls and claims per report.
    _incident("T-01", event_date="2025-10-11", event_date_end="2025-10-12", actors_unordered=True,
              fatalities=[
                  {"figure_low": 23, "figure_high": 23, "who_died": "soldiers", "claimed_by": "ISPR",
                   "article_ids": ["r1"]},
                  {"figure_low": 58, "figure_high": None, "who_died": "soldiers",
                   "claimed_by": "Government of Afghanistan (Taliban)", "article_ids": ["r2"]},
                  {"figure_low": 200, "figure_high": None, "who_died": "militants", "claimed_by": "ISPR"},
              ],
              claims=[
                  {"claimant": "Military Forces of Pakistan (ISPR)", "stance": "asserts", "about": "casualties",
                   "article_ids": ["r1"]},
                  {"claimant": "Government of Afghanistan (Zabihullah Mujahid)", "stance": "asserts",
                   "about": "casualties", "article_ids": ["r2"]},
                  {"claimant": "Government of Pakistan", "stance": "denies", "about": "casualties",
                   "article_ids": ["r2"]},
              ],
              reported_in=[_mention("r1"), _mention("r2")]),
    # An air strike with a contested civilian toll, and a later acknowledgement.
    _incident("T-02", event_date="2025-10-17", event_type="Explosions/Remote violence",
              sub_event_type="Air/drone strike", actor2="Civilians (Afghanistan)", country="Afghanistan",
              admin1="Paktika", location="Urgun", latitude=32.93, longitude=69.18,
              fatalities=[{"figure_low": 17, "figure_high": 17, "who_died": "civilians",
                           "claimed_by": "Government of Afghanistan"},
                          {"figure_low": 10, "figure_high": 12, "who_died": "civilians", "claimed_by": "officials",
                           "article_ids": ["r3"]}],
              claims=[{"claimant": "Government of Afghanistan", "stance": "asserts", "about": "civilian deaths"},
                      {"claimant": "Government of Pakistan (Foreign Office)", "stance": "denies",
                       "about": "civilian deaths"},
                      {"claimant": "Khawaja Asif", "stance": "acknowledges_later", "about": "occurrence",
                       "article_ids": ["r4"]}],
              reported_in=[_mention("r2"), _mention("r3"), "r4"]),
    # A strategic development: place is not scored, type must match.
    _incident("T-03", event_date="2025-10-19", event_type="Strategic developments", sub_event_type="Agreement",
              actor1="Government of Pakistan", actor2="Government of Afghanistan (Taliban)", country="Qatar",
              admin1="Ad Dawhah", location="Doha", latitude=25.29, longitude=51.53,
              claims=[{"claimant": "Government of Qatar", "stance": "asserts", "about": "occurrence"},
                      {"claimant": "Turkiye (Foreign Ministry)", "stance": "asserts", "about": "occurrence"}],
              reported_in=[_mention("r3"), _mention("r4")]),
    # A suicide bombing with a defensible alternative type and a claim of responsibility.
    _incident("T-04", event_date="2025-10-08", event_type="Explosions/Remote violence", sub_event_type="Suicide bomb",
              alt_types=[{"event_type": "Battles", "sub_event_type": "Armed clash"}],
              actor1="TTP: Tehreek-e-Taliban Pakistan", actor2="Military Forces of Pakistan", admin1="Khyber "
                                                                                                     "Pakhtunkhwa",
              location="Orakzai", latitude=33.68, longitude=70.95,
              fatalities=[{"figure_low": 11, "figure_high": 11, "who_died": "soldiers", "claimed_by": "ISPR"},
                          {"figure_low": 19, "figure_high": None, "who_died": "militants", "claimed_by": "ISPR"}],
              claims=[{"claimant": "Tehrik-i-Taliban Pakistan", "stance": "asserts", "about": "responsibility"},
                      {"claimant": "ISPR", "stance": "asserts", "about": "casualties"}],
              reported_in=[_mention("r5")]),
    # Violence against civilians: actor order matters here.
    _incident("T-05", event_date="2025-10-09", event_type="Violence against civilians", sub_event_type="Attack",
              actor1="Unidentified Armed Group (Pakistan)", actor2="Civilians (Pakistan)", admin1="Balochistan",
              location="Chaman", latitude=30.92, longitude=66.45,
              fatalities=[{"figure_low": 3, "figure_high": None, "who_died": "civilians", "claimed_by": "police"}],
              claims=[{"claimant": "Balochistan police", "stance": "neither_confirms_nor_denies", "about": "other"}],
              reported_in=[_mention("r5"), _mention("r6")]),
    # A Republic-era incident: the Afghan army then was not the Taliban.
    _incident("T-06", event_date="2019-05-02", actor1="Military Forces of Afghanistan (2004-2021)",
              actor2="Taliban", country="Afghanistan", admin1="Kunar", location="Asadabad",
              latitude=34.87, longitude=71.15, actors_unordered=True,
              reported_in=[_mention("r7")]),
    # Only a location name, no coordinates.
    _incident("T-07", event_date="2025-10-15", event_date_end="2025-10-16", location="Spin Boldak",
              latitude=None, longitude=None, admin1="Kandahar", country="Afghanistan",
              reported_in=[_mention("r6")]),
]


def _pred(report_id: str, incident_id: str | None, **fields: object) -> dict:
    base = {"report_id": report_id, "event_id": f"e-{report_id}-{incident_id}", "incident_id": incident_id,
            "event_date": "2025-10-12", "event_date_end": None, "time_precision": 1,
            "event_type": "Battles", "sub_event_type": "Armed clash",
            "actor1": "Military Forces of Pakistan", "actor2": "Military Forces of Afghanistan (Taliban)",
            "country": "Pakistan", "admin1": "Khyber Pakhtunkhwa", "location": "Angoor Adda",
            "latitude": 32.33, "longitude": 69.42, "geo_precision": 1, "fatalities": [], "claims": []}
    base.update(fields)
    return base


PREDS = [
    # r1: right incident, actors swapped (order-free), one figure right, a wrong claim side.
    _pred("r1", "i-border", event_date="2025-10-12", actor1="Afghan Taliban forces", actor2="Pakistan Army",
          fatalities=[{"low": 23, "high": None}, {"low": 200, "high": 200}],
          claims=[{"claimant": "ISPR", "stance": "asserts", "about": "casualties"},
                  {"claimant": "Dawn", "stance": "asserts", "about": "casualties"}]),
    # r1: a second prediction 60 km away and 2 days off: matches nothing left.
    _pred("r1", "i-border", event_date="2025-10-14", latitude=32.80, longitude=69.80),
    # r2: the battle (date inside the range, 20 km off), and the strike a day early, 80 km off in another province.
    _pred("r2", "i-border", event_date="2025-10-11", latitude=32.45, longitude=69.55,
          fatalities=[{"low": 58, "high": None}],
          claims=[{"claimant": "Zabihullah Mujahid", "stance": "asserts", "about": "casualties"},
                  {"claimant": "Pakistan's Foreign Office", "stance": "denies", "about": "casualties"}]),
    _pred("r2", "i-urgun", event_date="2025-10-16", event_type="Explosions/Remote violence",
          sub_event_type="Air/drone strike", admin1="Khost", location="Khost", latitude=33.34, longitude=69.92,
          actor1="Pakistan Air Force", actor2="civilians",
          fatalities=[{"low": 17, "high": 17}],
          claims=[{"claimant": "Islamic Emirate of Afghanistan", "stance": "asserts", "about": "civilian deaths"}]),
    # r3: the strike with a range figure, and the agreement placed far away but of the right type.
    _pred("r3", "i-urgun", event_date="2025-10-17", event_type="Explosions/Remote violence",
          sub_event_type="Air/drone strike", admin1="Paktika", location="Urgun", latitude=32.94, longitude=69.19,
          actor1="Pakistani military", actor2="Civilians (Afghanistan)",
          fatalities=[{"low": 10, "high": 12}, {"low": 17}],
          claims=[{"claimant": "Government of Pakistan", "stance": "denies", "about": "civilian deaths"}]),
    _pred("r3", "i-doha", event_date="2025-10-20", event_type="Strategic developments", sub_event_type="Agreement",
          actor1="Pakistan", actor2="Afghanistan", country="Qatar", admin1=None, location="Istanbul",
          latitude=41.01, longitude=28.97,
          claims=[{"claimant": "Qatar's foreign ministry", "stance": "asserts", "about": "occurrence"}]),
    # r4: the agreement with the wrong type (cannot match), and the strike without coordinates but in the right
    # province.
    _pred("r4", "i-doha", event_date="2025-10-19", event_type="Battles", sub_event_type="Armed clash",
          location="Doha", latitude=None, longitude=None, admin1=None),
    _pred("r4", None, event_date="2025-10-18", event_type="Explosions/Remote violence",
          sub_event_type="Air/drone strike", admin1="Paktika", location="Barmal", latitude=None, longitude=None,
          claims=[{"claimant": "Khawaja Asif, defence minister", "stance": "acknowledges_later",
                   "about": "occurrence"}]),
    # r5: the bombing coded as a clash (an accepted alternative), and the Chaman attack with actors reversed.
    _pred("r5", "i-orakzai", event_date="2025-10-07", actor1="Fitna al-Khawarij", actor2="Pakistani soldiers",
          admin1="Khyber Pakhtunkhwa", location="Orakzai", latitude=33.70, longitude=70.90,
          fatalities=[{"low": 11, "high": 11}, {"low": 19, "high": None}],
          claims=[{"claimant": "TTP", "stance": "asserts", "about": "responsibility"},
                  {"claimant": None, "stance": None, "about": "other"}]),
    _pred("r5", "i-chaman", event_date="2025-10-09", event_type="Violence against civilians", sub_event_type="Attack",
          actor1="Civilians (Pakistan)", actor2="gunmen", admin1="Balochistan", location="Chaman",
          latitude=30.92, longitude=66.45),
    # r6: Chaman, same incident id as r5's; Spin Boldak by name only (no coordinates on either side).
    _pred("r6", "i-chaman", event_date="2025-10-11", event_type="Violence against civilians", sub_event_type="Attack",
          actor1="unknown gunmen", actor2="Civilians (Pakistan)", admin1="Balochistan", location="Chaman town",
          latitude=30.95, longitude=66.50, fatalities=[{"low": 3, "high": None}],
          claims=[{"claimant": "Balochistan police", "stance": "neither_confirms_nor_denies", "about": "other"}]),
    _pred("r6", "i-border", event_date="2025-10-16", admin1=None, location="Spin  Boldak!", latitude=None,
          longitude=None, actor1="Afghan forces", actor2="Pakistani forces"),
    # r7: a 2019 clash; the "Afghan army" is the Republic's then, and the Taliban are the other side.
    _pred("r7", "i-kunar", event_date="2019-05-03", actor1="Taliban", actor2="Afghan National Army",
          country="Afghanistan", admin1="Kunar", location="Asadabad", latitude=34.87, longitude=71.15),
    # r8: a report that no gold mentions: not scored.
    _pred("r8", "i-other", event_date="2025-10-12"),
]


def _both(reference: ModuleType, gold: list[dict], preds: list[dict]) -> tuple[dict, dict]:
    ours = evaluate.score(copy.deepcopy(gold), copy.deepcopy(preds))
    theirs = reference.score(copy.deepcopy(gold), copy.deepcopy(preds))
    return ours, theirs


def test_same_figures_as_the_shared_scorer(reference: ModuleType) -> None:
    ours, theirs = _both(reference, GOLD, PREDS)
    assert ours == theirs
    assert list(ours) == list(theirs)


def test_the_made_up_case_exercises_every_figure(reference: ModuleType) -> None:
    """Guards the comparison above against being vacuous: some of each figure is right and some wrong."""
    ours, _ = _both(reference, GOLD, PREDS)
    assert 0 < ours["events"]["tp"] < ours["events"]["pred"]
    assert 0 < ours["claims"]["tp"] < ours["claims"]["gold"]
    assert 0 < ours["incidents_pairwise"]["tp"]
    assert 0 < ours["fatality_figures_recall"] < 1
    assert set(ours["fields"]) == {"actor1", "actor2", "admin1", "date_exact", "event_type", "location_25km",
                                   "sub_event_type"}
    assert any(0 < value < 1 for value in ours["fields"].values())
    assert ours["reports_scored"] == 7 and ours["reports_with_predictions"] == 7


@pytest.mark.parametrize("seed", range(40))
def test_same_figures_on_perturbed_predictions(reference: ModuleType, seed: int) -> None:
    """Predictions built from the gold and then moved, retyped, renamed, dropped or duplicated at random."""
    preds = _perturbed_predictions(GOLD, random.Random(seed))
    ours, theirs = _both(reference, GOLD, preds)
    assert ours == theirs


@pytest.mark.parametrize("seed", range(10))
def test_same_figures_on_perturbed_predictions_of_the_dev_gold(reference: ModuleType, dev_corpus: Path,
                                                               seed: int) -> None:
    gold = _dev_gold(dev_corpus, "gold.json")
    preds = _perturbed_predictions(gold, random.Random(seed))
    ours, theirs = _both(reference, gold, preds)
    assert ours == theirs


def test_empty_inputs(reference: ModuleType) -> None:
    for gold, preds in (([], []), (GOLD, []), ([], PREDS)):
        ours, theirs = _both(reference, gold, preds)
        assert ours == theirs


def test_one_report_scored_by_hand() -> None:
    gold = [_incident("H-1", fatalities=[{"figure_low": 5, "figure_high": None}],
                      claims=[{"claimant": "ISPR", "stance": "asserts", "about": "casualties"}],
                      reported_in=["a"])]
    right = _pred("a", "x", event_date="2025-10-13", fatalities=[{"low": 5, "high": 5}],
                  claims=[{"claimant": "Pakistan Army", "stance": "asserts", "about": "casualties"}])
    extra = _pred("a", "x", event_date="2025-10-20")
    figures = evaluate.score(gold, [right, extra])
    assert figures["events"] == {"precision": 0.5, "recall": 1.0, "f1": 0.667, "tp": 1, "pred": 2, "gold": 1}
    assert figures["fields"]["date_exact"] == 0.0
    assert figures["fields"]["actor1"] == 1.0
    assert figures["fatality_figures_recall"] == 1.0
    assert figures["claims"]["f1"] == 1.0
    assert figures["incidents_pairwise"]["gold"] == 0


def _perturbed_predictions(gold: list[dict], rng: random.Random) -> list[dict]:
    preds = []
    for incident in gold:
        for mention in incident["reported_in"]:
            report = mention["article_id"] if isinstance(mention, dict) else mention
            if rng.random() < 0.15:
                continue
            pred = _perfect_prediction(incident, report)
            _perturb(pred, rng)
            preds.append(pred)
            if rng.random() < 0.2:
                twin = copy.deepcopy(pred)
                _perturb(twin, rng)
                preds.append(twin)
    rng.shuffle(preds)
    return preds


def _perturb(pred: dict, rng: random.Random) -> None:
    if rng.random() < 0.4:
        pred["event_date"] = _shift(pred["event_date"], rng.choice([-3, -2, -1, 1, 2, 3]))
    if rng.random() < 0.4 and pred["latitude"] is not None:
        pred["latitude"] += rng.choice([0.05, 0.3, 0.8, 1.5])
    if rng.random() < 0.2:
        pred["admin1"] = rng.choice([None, "Paktika", "Khyber Pakhtunkhwa", "Balochistan"])
    if rng.random() < 0.25:
        pred["event_type"], pred["sub_event_type"] = rng.choice(
            [("Battles", "Armed clash"), ("Strategic developments", "Agreement"),
             ("Explosions/Remote violence", "Air/drone strike")])
    if rng.random() < 0.3:
        pred["actor1"], pred["actor2"] = pred["actor2"], pred["actor1"]
    if rng.random() < 0.2:
        pred["actor1"] = rng.choice(["ISKP", "Baloch Liberation Army", "Hafiz Gul Bahadur group", "", None, "NATO"])
    if rng.random() < 0.3:
        pred["incident_id"] = rng.choice([None, "p-1", "p-2", pred["incident_id"]])
    if rng.random() < 0.3 and pred["fatalities"]:
        pred["fatalities"].pop(rng.randrange(len(pred["fatalities"])))
    if rng.random() < 0.3:
        pred["claims"].append({"claimant": rng.choice(["UNAMA", "Amu TV", "Kabul", "Islamabad"]),
                               "stance": rng.choice(["asserts", "denies"]), "about": "occurrence"})


def _shift(day: str, days: int) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


# --- a perfect export of the development gold ------------------------------------------------------------------------

def _perfect_prediction(incident: dict, report: str) -> dict:
    """The export row a flawless system would write for one mention of a gold incident."""
    def carried(item: dict) -> bool:
        return report in item.get("article_ids", [report])

    return {
        "report_id": report, "incident_id": incident["incident_id"],
        "event_date": incident["event_date"], "event_date_end": incident.get("event_date_end"),
        "event_type": incident["event_type"], "sub_event_type": incident["sub_event_type"],
        "actor1": incident["actor1"], "actor2": incident["actor2"], "admin1": incident["admin1"],
        "location": incident["location"], "latitude": incident["latitude"], "longitude": incident["longitude"],
        "fatalities": [{"low": f["figure_low"], "high": f["figure_high"]}
                       for f in incident["fatalities"] if carried(f)],
        "claims": [{"claimant": c["claimant"], "stance": c["stance"], "about": c["about"]}
                   for c in incident["claims"] if carried(c)],
    }


def _perfect_export(gold: list[dict]) -> list[dict]:
    return [_perfect_prediction(incident, mention["article_id"])
            for incident in gold for mention in incident["reported_in"]]


def _dev_gold(corpus: Path, name: str) -> list[dict]:
    path = corpus / name
    if not path.is_file():
        pytest.fail(f"the development gold is missing: expected {path} (the 'shared' folder beside the repository)")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("gold_file", ["gold.json", "gold.main.json"])
def test_a_perfect_export_of_the_dev_gold_scores_one(reference: ModuleType, dev_corpus: Path, gold_file: str) -> None:
    gold = _dev_gold(dev_corpus, gold_file)
    figures = evaluate.score(gold, _perfect_export(gold))
    assert figures == reference.score(gold, _perfect_export(gold))
    assert figures["events"]["f1"] == 1.0
    assert figures["claims"]["f1"] == 1.0
    assert figures["incidents_pairwise"]["f1"] == 1.0
    assert figures["fatality_figures_recall"] == 1.0
    assert all(value == 1.0 for value in figures["fields"].values())
    assert all(value == 1.0 for value in figures["fields_recall"].values())


# --- corpus folders and the terminal ---------------------------------------------------------------------------------

def test_load_corpus_reads_articles_and_gold(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    for n in (2, 1):
        (tmp_path / "articles" / f"00{n}.json").write_text("{}", encoding="utf-8")
    (tmp_path / "gold.json").write_text(json.dumps({"incidents": GOLD}), encoding="utf-8")
    articles, gold = evaluate.load_corpus(tmp_path)
    assert [p.name for p in articles] == ["001.json", "002.json"]
    assert gold == GOLD


@pytest.mark.parametrize("missing", ["articles", "gold.json"])
def test_load_corpus_refuses_a_folder_that_is_not_a_corpus(tmp_path: Path, missing: str) -> None:
    if missing != "articles":
        (tmp_path / "articles").mkdir()
        (tmp_path / "articles" / "001.json").write_text("{}", encoding="utf-8")
    else:
        (tmp_path / "gold.json").write_text("[]", encoding="utf-8")
    with pytest.raises(TrucewatchError) as caught:
        evaluate.load_corpus(tmp_path)
    assert caught.value.code == "TW-E302"
    assert str(tmp_path) in str(caught.value)
    assert "gold.json" in str(caught.value)


def test_format_figures_shows_every_figure() -> None:
    figures = evaluate.score(GOLD, PREDS)
    text = evaluate.format_figures(figures)
    for label in ("events", "claims", "incidents (pairwise)", "fatality figures", *figures["fields"]):
        assert label in text
    assert f"{figures['events']['f1']:.3f}" in text
    assert "reports scored 7" in text


def test_format_figures_with_nothing_scored() -> None:
    text = evaluate.format_figures(evaluate.score([], []))
    assert "fatality figures" in text and "-" in text


# --- the whole pipeline over a corpus folder -------------------------------------------------------------------------

def _tiny_corpus(folder: Path) -> None:
    articles = folder / "articles"
    articles.mkdir()
    texts = {
        "t-001": ("2025-10-16", "PESHAWAR: Militants attacked a police checkpoint in Bannu on Wednesday night, killing "
                                "at least four policemen, officials said. The TTP claimed responsibility."),
        "t-002": ("2025-10-17", "BANNU: Four policemen were killed when fighters stormed a checkpoint in Bannu late "
                                "on Wednesday, police said on Friday."),
    }
    for report_id, (published, text) in texts.items():
        article = {"id": report_id, "url": f"https://example.org/{report_id}", "outlet": "Test Wire",
                   "published": published, "title": None, "text": text}
        (articles / f"{report_id}.json").write_text(json.dumps(article), encoding="utf-8")
    gold = [_incident("TINY-1", event_date="2025-10-15", event_date_end="2025-10-16", location="Bannu",
                      latitude=32.99, longitude=70.60, actor1="TTP: Tehreek-e-Taliban Pakistan",
                      actor2="Police Forces of Pakistan", actors_unordered=True,
                      fatalities=[{"figure_low": 4, "figure_high": None, "who_died": "soldiers",
                                   "claimed_by": "officials"}],
                      reported_in=[_mention("t-001"), _mention("t-002")])]
    (folder / "gold.json").write_text(json.dumps(gold), encoding="utf-8")


def test_evaluate_corpus_ingests_exports_and_scores(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _tiny_corpus(corpus)
    export = tmp_path / "export.jsonl"
    result = evaluate.evaluate_corpus(corpus, export_path=export)
    assert result["ingest"]["added"] == 2, result["ingest"]
    assert result["ingest"]["refused"] == 0 and result["ingest"]["refusals"] == []
    assert result["export_path"] == export and export.is_file()
    rows = evaluate.read_jsonl(export)
    assert {row["report_id"] for row in rows} <= {"t-001", "t-002"}
    assert len(rows) == result["ingest"]["events"]
    assert result["figures"] == evaluate.score(json.loads((corpus / "gold.json").read_text()), rows)
    assert result["figures"]["reports_scored"] == 2


def test_evaluate_corpus_keeps_a_given_store(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _tiny_corpus(corpus)
    with Database.open(f"sqlite:///{tmp_path / 'kept.sqlite3'}") as db:
        first = evaluate.evaluate_corpus(corpus, db, export_path=tmp_path / "one.jsonl")
        again = evaluate.evaluate_corpus(corpus, db, export_path=tmp_path / "two.jsonl")
    assert (tmp_path / "kept.sqlite3").is_file()
    assert again["ingest"]["unchanged"] == 2 and again["ingest"]["added"] == 0
    assert again["figures"] == first["figures"]
