"""The learned layer: consulted only where the trigger rules abstain or disagree, off unless TRUCEWATCH_LEARNED=1.

The sentences here are invented. The model tests train a tiny model on invented sentences in a temporary folder, so
they check the layer's behaviour, not the figures of the shipped model (docs/extraction.md, "The learned layer").
"""
from datetime import date

import pytest

from trucewatch.pipeline.extract import learned
from trucewatch.pipeline.extract.events import assemble_events
from trucewatch.records import Report

CLASH = ("Battles", "Armed clash")
DRONE = ("Explosions/Remote violence", "Air/drone strike")
SUICIDE = ("Explosions/Remote violence", "Suicide bomb")
INVENTED = [  # (text, label); the rules' votes are left out, so the model learns from the words alone
    ("A drone fired two missiles at a compound, killing four.", DRONE),
    ("An unmanned aircraft fired a missile at a house near the border.", DRONE),
    ("A drone targeted a car on the highway, killing its driver.", DRONE),
    ("The drone hit a hideout in the hills after midnight.", DRONE),
    ("Troops and militants traded gunfire for two hours near the checkpost.", CLASH),
    ("Soldiers fought insurgents in the valley until dawn.", CLASH),
    ("Guards and gunmen fought at the gate for an hour.", CLASH),
    ("Militants fought troops near the border post overnight.", CLASH),
    ("A bomber wearing an explosive vest blew himself up at the gate.", SUICIDE),
    ("The bomber detonated his vest among the worshippers.", SUICIDE),
    ("A man in an explosive vest blew himself up beside a bus.", SUICIDE),
    ("The bomber rammed a car packed with explosives into the wall.", SUICIDE),
]


@pytest.fixture(scope="module")
def tiny_model_file(tmp_path_factory):
    """A model trained once on INVENTED."""
    sklearn = pytest.importorskip("sklearn.linear_model")
    texts = [t for t, _ in INVENTED]
    x = learned.featurize(texts, [[] for _ in texts], [True for _ in texts])
    keys = [f"{a}|{b}" for _, (a, b) in INVENTED]
    fitted = sklearn.LogisticRegression(C=100.0, max_iter=2000, random_state=0).fit(x, keys)
    path = tmp_path_factory.mktemp("model") / "event_type.npz"
    learned.save(path, [tuple(k.split("|", 1)) for k in fitted.classes_], fitted.coef_, fitted.intercept_,
                 threshold=0.5, meta={"trained_on": "invented test sentences"})
    return path


@pytest.fixture
def tiny_model(tiny_model_file, monkeypatch):
    """The tiny model, switched on through the environment, as a user would."""
    path = tiny_model_file
    monkeypatch.setenv(learned.MODEL_ENV, str(path))
    monkeypatch.setenv(learned.ENV, "1")
    return path


def test_disabled_layer_keeps_the_rules_answer(tiny_model, monkeypatch):
    monkeypatch.setenv(learned.ENV, "0")
    assert learned.refine("A drone fired two missiles at a compound, killing four.", CLASH, [], True) == CLASH


def test_layer_is_off_by_default(tiny_model, monkeypatch):
    monkeypatch.delenv(learned.ENV)
    assert learned.refine("A drone fired two missiles at a compound, killing four.", CLASH, [], True) == CLASH


def test_missing_model_keeps_the_rules_answer(tmp_path, monkeypatch):
    monkeypatch.setenv(learned.ENV, "1")
    monkeypatch.setenv(learned.MODEL_ENV, str(tmp_path / "absent.npz"))
    assert learned.refine("Soldiers and militants fought at the gate.", SUICIDE, [], True) == SUICIDE


def test_an_abstained_clearly_worded_sentence_is_typed(tiny_model):
    assert learned.refine("A drone fired two missiles at a compound, killing four.", CLASH, [], True) == DRONE
    assert learned.refine("Troops and militants fought near the checkpost for two hours.", SUICIDE, [],
                          True) == CLASH


def test_it_never_overrides_rules_that_agree(tiny_model):
    text = "A drone fired two missiles at a compound, killing four."
    assert learned.refine(text, CLASH, ["Armed clash"], False) == CLASH
    assert learned.refine(text, SUICIDE, ["Suicide bomb", "Armed clash"], False) == SUICIDE  # defensible pair


def test_where_rules_disagree_it_picks_only_among_their_votes(tiny_model):
    text = "A drone fired two missiles at a compound, killing four."
    assert learned.refine(text, CLASH, ["Air/drone strike", "Armed clash"], False) in (DRONE, CLASH)
    # The rules saw an abduction and a grenade; the model's favourite (a drone strike) is not among them.
    rule = ("Violence against civilians", "Abduction/forced disappearance")
    assert learned.refine(text, rule, ["Abduction/forced disappearance", "Grenade"], False) == rule


def test_low_confidence_keeps_the_rules_answer(tiny_model, tmp_path, monkeypatch):
    model = learned.load(tiny_model)
    unsure = tmp_path / "unsure.npz"
    learned.save(unsure, model.classes, _full(model), model.intercept, threshold=1.01, meta={})
    monkeypatch.setenv(learned.MODEL_ENV, str(unsure))
    assert learned.refine("A drone fired two missiles at a compound, killing four.", CLASH, [], True) == CLASH


def test_events_with_a_clear_trigger_are_not_retyped(tiny_model):
    report = Report(report_id="t", sha256="0", text="Soldiers and militants exchanged fire in Bannu on Sunday, "
                    "killing two.", published=date(2025, 10, 20), published_basis="file", outlet="example.org")
    assert [(e.event_type, e.sub_event_type) for e in assemble_events(report)] == [CLASH]


def _full(model):
    import numpy as np  # noqa: PLC0415

    full = np.zeros((len(model.classes), model.meta["features"]["n_features"] * 2 + len(learned.VOTE_TYPES) + 1))
    full[:, model.columns] = model.weights.T
    return full


def test_the_shipped_model_loads_and_codes_in_acled_terms(monkeypatch):
    pytest.importorskip("sklearn")
    monkeypatch.delenv(learned.MODEL_ENV, raising=False)
    if not learned.model_path().is_file():
        pytest.skip("no model shipped")
    model = learned.load()
    assert model is not None, "the shipped model was trained with other features: python scripts/train_event_model.py"
    assert 0.0 < model.threshold <= 1.01
    assert {kind for kind, _ in model.classes} <= {
        "Battles", "Explosions/Remote violence", "Violence against civilians", "Strategic developments", "Protests"}
    monkeypatch.setenv(learned.ENV, "1")
    answer = learned.refine("Gunmen seized two engineers from their car near the market.", CLASH, [], True)
    assert answer == CLASH or answer in model.classes
