"""The learned layer: a small probabilistic classifier consulted only where the rules abstain or disagree.

`events._event_type` calls `refine` only for an event whose sentences carry no specific trigger (the rules abstain:
only words such as "attack" or "incident") or carry triggers of types no careful coder would give one happening
together (the rules disagree). Everywhere else the rules' answer stands and this module is never asked.

The model is a multinomial logistic regression over hashed features: word uni- and bigrams and character 3–5-grams of
the event's text (scikit-learn's `HashingVectorizer`, so the file keeps no vocabulary, only bucket numbers and
weights), plus which sub-event types the trigger rules voted for. It is trained by `scripts/train_event_model.py` on
sentence labels derived from our own gold annotation of the dev corpus, and stored as `data/models/event_type.npz`
(plain NumPy arrays, loaded without pickle). Its probabilities are the regression's own (softmax); the threshold
stored with it is the lowest at which its leave-one-article-out answers on the training corpus were right 90% of
the time.

`refine` keeps the rules' answer when the environment variable `TRUCEWATCH_LEARNED` is unset or `0`, the model file
is absent, scikit-learn is not installed (`pip install 'trucewatch[learn]'`), or the model's probability for its
answer is under the threshold stored with it. Where the rules disagree, the model may only pick one of the types they
voted for. The layer is off by default (`TRUCEWATCH_LEARNED=1` turns it on): measured end to end it did not improve
the held-out corpus (docs/extraction.md, "The learned layer"). `TRUCEWATCH_LEARNED_MODEL` names another model file.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypedDict

# The sub-event types the rules can vote for (data/lexicon/event_triggers.toml), one feature each; a vote for a type
# not listed here is not a feature. The order is part of the model: change it and retrain.
VOTE_TYPES = (
    "Suicide bomb", "Air/drone strike", "Remote explosive/landmine/IED", "Shelling/artillery/missile attack",
    "Grenade", "Abduction/forced disappearance", "Armed clash", "Attack", "Agreement", "Arrests", "Other",
    "Peaceful protest",
)
# Hashing settings; stored in the model file and checked on load, so a model is never read with other settings.
class Features(TypedDict):
    word_ngrams: list[int]  # [shortest, longest]
    char_ngrams: list[int]  # [shortest, longest]
    n_features: int  # hash buckets per vectorizer


FEATURES: Features = {"word_ngrams": [1, 2], "char_ngrams": [3, 5], "n_features": 2 ** 18}
MODEL_FILE = "event_type.npz"
ENV = "TRUCEWATCH_LEARNED"
MODEL_ENV = "TRUCEWATCH_LEARNED_MODEL"
DEFAULT_ENABLED = False


@dataclass(frozen=True)
class Model:
    classes: list[tuple[str, str]]  # (event type, sub-event type) per column of `weights`
    columns: Any  # int array: the hashed feature indices with a weight (all others weigh nothing)
    weights: Any  # float array (len(columns), len(classes))
    intercept: Any  # float array (len(classes),)
    threshold: float
    meta: dict


_cache: dict[str, Model | None] = {}
_warned: set[str] = set()
log = logging.getLogger(__name__)


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


def enabled() -> bool:
    value = os.environ.get(ENV)
    if value is None:
        return DEFAULT_ENABLED
    return value.strip().lower() not in ("0", "false", "no", "off", "")


def model_path() -> Path:
    """The shipped model, or the file `TRUCEWATCH_LEARNED_MODEL` names (for measuring a model trained elsewhere)."""
    other = os.environ.get(MODEL_ENV)
    if other:
        return Path(other)
    return Path(str(resources.files("trucewatch") / "data" / "models" / MODEL_FILE))


def refine(text: str, rule_type: tuple[str, str], votes: list[str], abstained: bool) -> tuple[str, str]:
    """The (event type, sub-event type) to code: the rules' answer unless a confident model says otherwise.

    `text` is the event's sentences joined; `votes` the sub-event types the trigger rules found in them; `abstained`
    is true when no specific trigger was found (only generic words such as "attack").
    """
    if not enabled() or _rules_agree(votes, abstained):
        return rule_type
    model = load()
    if model is None:
        _warn_once(f"{ENV} is on but no usable model at {model_path()} (or scikit-learn is missing: "
                   "pip install 'trucewatch[learn]'); keeping the rules' event types")
        return rule_type
    answer = predict(model, text, votes, abstained)
    return answer[0] if answer is not None else rule_type


def _rules_agree(votes: list[str], abstained: bool) -> bool:
    """The rules found specific triggers that one happening can carry together: their answer stands."""
    from trucewatch.pipeline.extract.event_types import defensible  # noqa: PLC0415

    return bool(votes) and not abstained and all(defensible(a, b) for a in votes for b in votes)


def predict(model: Model, text: str, votes: list[str], abstained: bool
            ) -> tuple[tuple[str, str], float] | None:
    """The model's (type, probability), or None when it is not confident enough or would leave the rules' votes."""
    probs = probabilities(model, text, votes, abstained)
    allowed: Sequence[int] = range(len(model.classes))
    if votes and not abstained:  # disagreement: choose among what the rules found, never a type none of them saw
        allowed = [i for i, (_, sub) in enumerate(model.classes) if sub in set(votes)]
        if not allowed:
            return None
    best = max(allowed, key=lambda i: probs[i])
    if probs[best] < model.threshold:
        return None
    return model.classes[best], float(probs[best])


def probabilities(model: Model, text: str, votes: list[str], abstained: bool) -> Any:
    import numpy as np  # noqa: PLC0415

    row = featurize([text], [votes], [abstained], model.meta["features"]).tocsc()[:, model.columns]
    scores = np.asarray(row @ model.weights).ravel() + model.intercept
    scores = np.exp(scores - scores.max())
    return scores / scores.sum()


def featurize(texts: list[str], votes: list[list[str]], abstained: list[bool], features: Features | None = None) -> Any:
    """Hashed word and character n-grams of each text, then one column per voted sub-event type and one for
    'the rules abstained'. Needs scikit-learn (imported here, so a plain install never loads it)."""
    import numpy as np  # noqa: PLC0415
    from scipy import sparse  # noqa: PLC0415
    from sklearn.feature_extraction.text import HashingVectorizer  # noqa: PLC0415

    features = features or FEATURES
    n = features["n_features"]
    words = HashingVectorizer(analyzer="word", ngram_range=tuple(features["word_ngrams"]), n_features=n,
                              alternate_sign=False, lowercase=True, norm="l2")
    chars = HashingVectorizer(analyzer="char_wb", ngram_range=tuple(features["char_ngrams"]), n_features=n,
                              alternate_sign=False, lowercase=True, norm="l2")
    rules = np.zeros((len(texts), len(VOTE_TYPES) + 1))
    for i, (vote, abstain) in enumerate(zip(votes, abstained, strict=True)):
        for sub in vote:
            if sub in VOTE_TYPES:
                rules[i, VOTE_TYPES.index(sub)] = 1.0
        rules[i, -1] = 1.0 if abstain else 0.0
    return sparse.hstack([words.transform(texts), chars.transform(texts), sparse.csr_matrix(rules)]).tocsr()


def load(path: Path | None = None) -> Model | None:
    """The shipped model, read once per process (None when the file or scikit-learn is missing)."""
    key = str(path or model_path())
    if key not in _cache:
        _cache[key] = _read(Path(key))
    return _cache[key]


def _read(path: Path) -> Model | None:
    if not path.is_file():
        return None
    try:
        import numpy as np  # noqa: PLC0415
        import sklearn  # noqa: F401, PLC0415
    except ImportError:
        return None
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        if meta.get("features") != FEATURES or meta.get("vote_types") != list(VOTE_TYPES):
            return None  # trained with other settings: retrain (scripts/train_event_model.py)
        return Model(classes=[tuple(c.split("|", 1)) for c in meta["classes"]], columns=data["columns"],
                     weights=data["weights"].astype(np.float64), intercept=data["intercept"].astype(np.float64),
                     threshold=float(meta["threshold"]), meta=meta)


def save(path: Path, classes: list[tuple[str, str]], coef: Any, intercept: Any, threshold: float, meta: dict) -> None:
    """Write a model: only the hashed columns with a non-zero weight, as float32."""
    import numpy as np  # noqa: PLC0415

    coef = np.asarray(coef)
    columns = np.flatnonzero(np.abs(coef).max(axis=0) > 0).astype(np.int32)
    meta = {**meta, "classes": [f"{t}|{s}" for t, s in classes], "threshold": threshold, "features": FEATURES,
            "vote_types": list(VOTE_TYPES)}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        np.savez_compressed(out, columns=columns, weights=coef[:, columns].T.astype(np.float32),
                            intercept=np.asarray(intercept, dtype=np.float32), meta=np.array(json.dumps(meta)))
    _cache.pop(str(path), None)
