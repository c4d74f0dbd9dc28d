#!/usr/bin/env python
"""Train the learned layer's event-type model (src/trucewatch/pipeline/extract/learned.py) from an annotated corpus.

    python scripts/train_event_model.py                        # train on ../shared/corpus/dev, measure on broad
    python scripts/train_event_model.py --train ../shared/corpus/broad --eval ../shared/corpus/dev --out /tmp/m.npz

Needs scikit-learn (`pip install -e '.[learn]'`). Reproducible: fixed seed, deterministic solver, examples in sorted
order. Only the annotated corpus named by --train is read; no article text is written anywhere (the model file keeps
hashed feature numbers and weights only).

How sentences get labels (from the corpus's gold.json, our own annotation):

1. Hint sentences. Each gold incident lists the articles that report it with a `sentence_hint`, a stretch of the
   article's text. The sentences (split by the project's own `split_sentences`) that the hint overlaps are labelled
   with the incident's (event type, sub-event type). A sentence that two incidents of different types claim is left out.
2. Single-type articles. In an article all of whose gold incidents share one (type, sub-type), every other sentence in
   which the project's trigger finder (`event_types.find_mentions`) sees a trigger, specific or generic, takes that
   label too.
3. Event units. For each single-type article, one more example joins all its triggered sentences, as `events.py` joins
   an event's sentences before asking the layer.

Each example carries the sub-event types the trigger rules voted for in its text and whether they abstained (only
generic triggers), as `events.py` passes them at run time. The confidence threshold is chosen on the training corpus
alone, by leave-one-article-out predictions: the lowest probability at which the out-of-fold answers are right at
least TARGET_PRECISION of the time.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from trucewatch.pipeline.extract import event_types as et, learned  # noqa: E402
from trucewatch.pipeline.extract.sentences import split_sentences  # noqa: E402

SEED = 20251201
C = 4.0
TARGET_PRECISION = 0.9
DEFAULT_TRAIN = ROOT.parent / "shared" / "corpus" / "dev"
DEFAULT_EVAL = ROOT.parent / "shared" / "corpus" / "broad"


def examples(corpus: Path) -> list[dict]:
    """(text, votes, abstained, label, article) for every labelled sentence and event unit of a corpus."""
    gold = json.loads((corpus / "gold.json").read_text(encoding="utf-8"))
    articles = {}
    for path in sorted((corpus / "articles").glob("*.json")):
        article = json.loads(path.read_text(encoding="utf-8"))
        articles[article["id"]] = article["text"] or ""
    hints: dict[str, list[tuple[str, tuple[str, str]]]] = {}
    for incident in gold:
        label = (incident["event_type"], incident["sub_event_type"])
        for mention in incident.get("reported_in", []):
            hints.setdefault(mention["article_id"], []).append((mention.get("sentence_hint") or "", label))
    out = []
    for article_id in sorted(articles):
        text = articles[article_id]
        sentences = split_sentences(text)
        mentions = et.find_mentions(sentences)
        by_sentence: dict[int, list] = {}
        for m in mentions:
            by_sentence.setdefault(m.sentence, []).append(m)
        labels: dict[int, set[tuple[str, str]]] = {}
        for hint, label in hints.get(article_id, []):
            start = text.find(hint) if hint else -1
            if start < 0:
                continue
            for s in sentences:
                if s.span.start < start + len(hint) and start < s.span.end:
                    labels.setdefault(s.index, set()).add(label)
        kinds = {label for _, label in hints.get(article_id, [])}
        if len(kinds) == 1:
            for index in by_sentence:
                labels.setdefault(index, set()).update(kinds)
        for s in sentences:
            if len(labels.get(s.index, ())) == 1:
                out.append(_example(s.text, by_sentence.get(s.index, []), next(iter(labels[s.index])), article_id))
        if len(kinds) == 1 and by_sentence:
            unit = [s for s in sentences if s.index in by_sentence]
            out.append(_example(" ".join(s.text for s in unit), [m for s in unit for m in by_sentence[s.index]],
                                next(iter(kinds)), article_id))
    return out


def _example(text: str, mentions: list, label: tuple[str, str], article: str) -> dict:
    votes = [m.sub_event_type for m in mentions if not et.is_generic(m)]
    return {"text": text, "votes": votes, "abstained": not votes, "label": label, "article": article}


def matrix(rows: list[dict]):
    return learned.featurize([r["text"] for r in rows], [r["votes"] for r in rows], [r["abstained"] for r in rows])


class Fitted:
    """A logistic regression fitted on the hashed columns the training texts use (a column no example uses keeps
    weight 0 under L2 anyway; leaving them out makes fitting fast)."""

    def __init__(self, rows: list[dict]) -> None:
        import numpy as np  # noqa: PLC0415
        from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

        x = matrix(rows).tocsc()
        self.width = x.shape[1]
        self.used = np.flatnonzero(x.getnnz(axis=0))
        self.model = LogisticRegression(C=C, solver="newton-cg", max_iter=1000, random_state=SEED)
        self.model.fit(x[:, self.used].tocsr(), [_key(r["label"]) for r in rows])
        self.classes_ = list(self.model.classes_)

    def predict_proba(self, x):
        return self.model.predict_proba(x.tocsc()[:, self.used].tocsr())

    def weights(self):
        """Coefficients over all hashed columns (one row per class) and intercepts."""
        import numpy as np  # noqa: PLC0415

        coef, intercept = self.model.coef_, self.model.intercept_
        if len(self.classes_) == 2:  # a binary model keeps one row: softmax over (0, z) is its sigmoid
            coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
        full = np.zeros((len(self.classes_), self.width))
        full[:, self.used] = coef
        return full, intercept


def fit(rows: list[dict]) -> Fitted:
    return Fitted(rows)


def _key(label: tuple[str, str]) -> str:
    return f"{label[0]}|{label[1]}"


def out_of_fold(rows: list[dict]) -> list[tuple[str, float, str]]:
    """Leave-one-article-out: (predicted, probability, gold) for every example, in the order of `rows`."""
    result: dict[int, tuple[str, float, str]] = {}
    for article in sorted({r["article"] for r in rows}):
        train = [r for r in rows if r["article"] != article]
        test = [i for i, r in enumerate(rows) if r["article"] == article]
        if len({_key(r["label"]) for r in train}) < 2:  # nothing to learn from: the one label, unsure
            result.update({i: (_key(train[0]["label"]), 0.0, _key(rows[i]["label"])) for i in test})
            continue
        model = fit(train)
        probs = model.predict_proba(matrix([rows[i] for i in test]))
        for i, p in zip(test, probs, strict=True):
            best = p.argmax()
            result[i] = (model.classes_[best], float(p[best]), _key(rows[i]["label"]))
    return [result[i] for i in range(len(rows))]


def choose_threshold(predictions: list[tuple[str, float, str]]) -> float:
    """The lowest probability at which the answers at or above it are right TARGET_PRECISION of the time."""
    for t in sorted({round(p, 3) for _, p, _ in predictions}):
        kept = [(a, g) for a, p, g in predictions if p >= t]
        if kept and sum(a == g for a, g in kept) / len(kept) >= TARGET_PRECISION:
            return t
    return 1.01  # never confident enough: the layer keeps the rules' answer


def report(name: str, predictions: list[tuple[str, float, str]], threshold: float, rows: list[dict]) -> dict:
    """Accuracy, and how many answers clear the threshold and how many of those are right, over all examples and
    over those where the rules abstain (where the layer is mostly asked), beside always answering the commonest
    label there."""
    def figures(chosen: list[tuple[str, float, str]]) -> dict:
        kept = [(a, g) for a, p, g in chosen if p >= threshold]
        commonest = Counter(g for _, _, g in chosen).most_common(1)
        return {"examples": len(chosen),
                "accuracy": round(sum(a == g for a, _, g in chosen) / max(1, len(chosen)), 3),
                "commonest_label_accuracy": round(commonest[0][1] / len(chosen), 3) if commonest else 0.0,
                "over_threshold": len(kept),
                "accuracy_over_threshold": round(sum(a == g for a, g in kept) / max(1, len(kept)), 3)}

    result = {"all": figures(predictions),
              "rules_abstain": figures([p for p, r in zip(predictions, rows, strict=True) if r["abstained"]])}
    print(f"{name}:\n  all examples:      {json.dumps(result['all'])}\n"
          f"  rules abstain:     {json.dumps(result['rules_abstain'])}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=Path, default=DEFAULT_TRAIN, help="annotated corpus to train on")
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="held-out corpus to measure on (optional)")
    parser.add_argument("--out", type=Path, default=learned.model_path(), help="model file to write")
    args = parser.parse_args()

    rows = examples(args.train)
    print(f"training examples from {args.train.name}: {len(rows)}; labels: "
          f"{dict(Counter(r['label'][1] for r in rows).most_common())}")
    oof = out_of_fold(rows)
    threshold = choose_threshold(oof)
    print(f"threshold (leave-one-article-out on {args.train.name}, precision >= {TARGET_PRECISION}): {threshold}")
    meta = {"trained_on": args.train.name, "seed": SEED, "C": C, "target_precision": TARGET_PRECISION,
            "examples": len(rows), "cv": report(f"leave-one-article-out on {args.train.name}", oof, threshold, rows)}

    model = fit(rows)
    if args.eval and (args.eval / "gold.json").is_file():
        held = examples(args.eval)
        probs = model.predict_proba(matrix(held))
        predictions = [(model.classes_[p.argmax()], float(p.max()), _key(r["label"])) for r, p in zip(held, probs,
                                                                                                     strict=True)]
        meta["held_out"] = {"corpus": args.eval.name,
                            **report(f"held out: {args.eval.name} (trained on {args.train.name})", predictions,
                                     threshold, held)}
    classes = [tuple(c.split("|", 1)) for c in model.classes_]
    import sklearn  # noqa: PLC0415
    meta["sklearn"] = sklearn.__version__
    coef, intercept = model.weights()
    learned.save(args.out, classes, coef, intercept, threshold, meta)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
