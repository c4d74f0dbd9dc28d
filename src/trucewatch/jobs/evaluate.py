"""Score an event export against a gold corpus, by the rules of the shared scorer (`shared/eval/score.py`).

The rules are the scorer's, figure for figure and rounding for rounding (tests/test_evaluate.py checks that both give
the same answer on the same inputs); only the layout is trucewatch's. In short:

- predicted events are matched one-to-one, per report, to the gold incidents that report mentions: within two days of
  the gold date and within 100 km of the gold place (or in the same province; strategic developments match on type and
  date only), greedily by a compatibility score;
- fields are scored on matched pairs (`fields`) and over every gold event of the scored reports (`fields_recall`);
- fatality figures and (side, stance) claim pairs count only on the right event;
- incident ids are scored pairwise across reports.

The actor aliases below are the scorer's own mapping of free-text names to sides, not trucewatch's actor dictionary
(`data/actors.toml`): they must stay as the scorer has them for the figures to agree.

`evaluate_corpus` runs the whole pipeline over a corpus folder (ingest, extract, store, export) and scores the export;
`format_figures` renders the figures for a terminal.
"""
from __future__ import annotations

import json
import math
import re
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from trucewatch.errors import TrucewatchError
from trucewatch.jobs.exports import export_events
from trucewatch.jobs.ingest import ingest_paths
from trucewatch.records import IngestResult
from trucewatch.storage import Database

DATE_WINDOW_DAYS = 2  # a predicted event may be dated this far from the gold date and still be the same event
PLACE_WINDOW_KM = 100.0  # ... and this far from the gold place (or in the same province)
LOCATION_EXACT_KM = 25.0  # the location field counts as right within this distance
EARTH_RADIUS_KM = 6371.0
PLACE_FIELDS = ("location_25km", "admin1")  # not asked of strategic developments

# Before the Taliban took Kabul, Afghanistan's state forces and government were the Republic's, the Taliban's enemy.
TALIBAN_TAKEOVER = date(2021, 8, 15)

# The scorer's actor keys: first match on the normalised name wins.
_ACTOR_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((key, re.compile(pattern)) for key, pattern in (
    ("HGB", r"gul bahadur"),
    ("ISKP", r"\b(iskp|islamic state|isis|is k|daesh)\b"),
    ("BALOCH", r"\b(bla|blf|brg|bra|bras|bna|uba|blt|baloch|balochistan liberation|fitna al hindustan)\b"),
    ("PTI", r"\b(pti|insaf)\b"),  # Pakistan Tehreek-e-Insaf, a political party, not the TTP
    ("RIGHTS", r"\b(hrcp|human rights|amnesty)\b"),
    # armed opposition to the Taliban
    ("AFG_OPP", r"\b(national resistance front|nrf|afghanistan freedom front|aff)\b"),
    ("IRN", r"\biran"),
    ("TJK", r"\btajik"),
    ("CHN", r"\b(china|chinese)\b"),
    ("IND", r"\b(india|indian)\b"),
    ("TTP", r"\b(ttp|tehr[e]?e?k|tehrik|pakistani taliban|fitna al khawarij|khawarij)"),
    ("NATO", r"\b(nato|resolute support|us forces|american forces|coalition)\b"),
    ("MILITIA", r"\bmilitia|arbaki|uprising forces"),
    ("UNK", r"unidentified|unknown|gunmen"),
    ("CIV_AFG", r"civilians? .*afghan|afghan .*civilians?|civilians? \(afghanistan\)"),
    ("CIV_PAK", r"civilians? .*pakistan|pakistani .*civilians?|civilians? \(pakistan\)"),
    ("CIV", r"\bcivilians?\b"),
    ("UN", r"\b(unama|united nations|un)\b"),
    ("QAT", r"\bqatar"),
    ("TUR", r"\b(turkey|turkiye|tuerkiye)"),
    ("SAU", r"\bsaudi"),
    ("PAK_GOV", r"\b(government|ministry|minister|foreign office|islamabad|prime minister|spokes)\b.*pakistan"
                r"|pakistan.*\b(government|ministry|minister|foreign office)\b|\bislamabad\b|\basif\b"),
    ("PAK_MIL", r"pakistan|\bispr\b|\bpaf\b|frontier corps|levies"),
    ("AFG_GOV", r"\b(government|ministry|minister|spokes|mujahid|islamic emirate|kabul)\b.*afghan"
                r"|afghan.*\b(government|ministry|minister)\b|islamic emirate|\bmujahid\b|\bkabul\b"),
    ("AFG_MIL", r"afghan|taliban"),
    ("UNK", r"\bmilitants?\b"),
))
_SIDES = {"PAK_GOV": "PAK", "PAK_MIL": "PAK", "AFG_GOV": "AFG", "AFG_MIL": "AFG", "CIV_AFG": "AFG_CIV",
          "CIV_PAK": "PAK_CIV"}
_NON_WORD = re.compile(r"[^a-z0-9 ]+")
_YEAR = re.compile(r"\b(19|20)\d\d\b")


# --- names ---------------------------------------------------------------------------------------------------------

def normalise(text: object) -> str:
    """Lower-case ASCII letters, digits and spaces: how the scorer compares names."""
    plain = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return _NON_WORD.sub(" ", plain.lower()).strip()


def actor_key(name: object, when: date | None = None) -> str | None:
    """The scorer's key for a free-text actor name ("PAK_MIL", "TTP", ...); unknown names key to themselves."""
    text = normalise(name)
    if not text:
        return None
    for key, pattern in _ACTOR_RULES:
        if pattern.search(text):
            return _republic_era(key, text, when)
    return "OTHER:" + text


def _republic_era(key: str, text: str, when: date | None) -> str:
    """Afghan state actors before 15 August 2021 (or named with a pre-2021 year such as "(2014-)") are the
    Republic's."""
    if key not in ("AFG_MIL", "AFG_GOV") or "taliban" in text or "islamic emirate" in text:
        return key
    named_period = _YEAR.search(text)
    if named_period and int(named_period.group(0)) < 2021:
        return "AFG_REP"
    if not named_period and when is not None and when < TALIBAN_TAKEOVER:
        return "AFG_REP"
    return key


def side(name: object, when: date | None = None) -> str | None:
    key = actor_key(name, when)
    return _SIDES.get(key, key) if key else None


def same_actor(a: object, b: object, when: date | None = None) -> bool:
    """Same actor key, or the same side (a ministry and the army of one state count as one)."""
    key_a, key_b = actor_key(a, when), actor_key(b, when)
    if key_a is None or key_b is None:
        return key_a is None and key_b is None
    return key_a == key_b or _SIDES.get(key_a, key_a) == _SIDES.get(key_b, key_b)


# --- dates and places ----------------------------------------------------------------------------------------------

def parse_date(text: object) -> date | None:
    try:
        return date.fromisoformat(str(text)[:10])
    except (TypeError, ValueError):
        return None


def km(lat1: object, lon1: object, lat2: object, lon2: object) -> float:
    """Great-circle distance; infinite when a coordinate is missing."""
    if None in (lat1, lon1, lat2, lon2):
        return math.inf
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))  # type: ignore[arg-type]
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))  # type: ignore[arg-type]
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return EARTH_RADIUS_KM * 2 * math.asin(math.sqrt(min(1.0, a)))


def day_gap(pred: dict, gold: dict) -> float:
    """Days between the predicted date and the gold date or range (0 inside the range)."""
    predicted, start = parse_date(pred.get("event_date")), parse_date(gold.get("event_date"))
    if predicted is None or start is None:
        return math.inf
    end = parse_date(gold.get("event_date_end")) or start
    if start <= predicted <= end:
        return 0
    return min(abs((predicted - start).days), abs((predicted - end).days))


def place_gap(pred: dict, gold: dict) -> float:
    """Kilometres between the places; 0 for the same location name when coordinates are missing."""
    distance = km(pred.get("latitude"), pred.get("longitude"), gold.get("latitude"), gold.get("longitude"))
    if distance < math.inf:
        return distance
    location = normalise(pred.get("location"))
    if location and location == normalise(gold.get("location")):
        return 0.0
    return math.inf


def same_province(pred: dict, gold: dict) -> bool:
    a, b = normalise(pred.get("admin1")), normalise(gold.get("admin1"))
    return bool(a) and a == b


# --- types and actors ----------------------------------------------------------------------------------------------

def is_strategic(gold: dict) -> bool:
    return normalise(gold.get("event_type")) == "strategic developments"


def _accepted(gold: dict, name: str) -> set[str]:
    """The gold value and any alternative a careful coder could defend (the gold's `alt_types`)."""
    values = {normalise(gold.get(name))}
    values |= {normalise(alt.get(name)) for alt in gold.get("alt_types") or []}
    return values


def same_type(pred: dict, gold: dict) -> bool:
    return normalise(pred.get("event_type")) in _accepted(gold, "event_type")


def same_sub_type(pred: dict, gold: dict) -> bool:
    return normalise(pred.get("sub_event_type")) in _accepted(gold, "sub_event_type")


def _actor_right(pred: dict, gold: dict, mine: str, other: str) -> bool:
    when = parse_date(gold.get("event_date"))
    if same_actor(pred.get(mine), gold.get(mine), when):
        return True
    return bool(gold.get("actors_unordered")) and same_actor(pred.get(mine), gold.get(other), when)


def actor1_right(pred: dict, gold: dict) -> bool:
    return _actor_right(pred, gold, "actor1", "actor2")


def actor2_right(pred: dict, gold: dict) -> bool:
    return _actor_right(pred, gold, "actor2", "actor1")


# --- matching ------------------------------------------------------------------------------------------------------

def compatible(pred: dict, gold: dict) -> float | None:
    """How well a predicted event pairs with a gold incident (higher is better), or None if they cannot be one."""
    days = day_gap(pred, gold)
    if days > DATE_WINDOW_DAYS:
        return None
    distance = place_gap(pred, gold)
    if is_strategic(gold):
        if not same_type(pred, gold):
            return None
        distance = 0.0
    elif distance > PLACE_WINDOW_KM and not same_province(pred, gold):
        return None
    fit = 3.0 - days
    fit += 2.0 if distance <= LOCATION_EXACT_KM else 1.0
    fit += 1.0 if same_type(pred, gold) else 0.0
    fit += 1.0 if actor1_right(pred, gold) else 0.0
    return fit


def match(preds: list[dict], golds: list[dict]) -> list[tuple[dict, dict]]:
    """Greedy one-to-one pairing by descending compatibility, ties broken by input order."""
    candidates = []
    for i, pred in enumerate(preds):
        for j, gold in enumerate(golds):
            fit = compatible(pred, gold)
            if fit is not None:
                candidates.append((fit, i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_preds: set[int] = set()
    used_golds: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_preds and j not in used_golds:
            used_preds.add(i)
            used_golds.add(j)
            pairs.append((preds[i], golds[j]))
    return pairs


# --- figures and claims --------------------------------------------------------------------------------------------

def prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3),
            "tp": tp, "pred": n_pred, "gold": n_gold}


def _in_report(item: dict, report: str) -> bool:
    """A gold figure or claim counts for a report only if that report carries it (when the gold says which)."""
    cited = item.get("article_ids")
    return not cited or report in cited


def _low_high(entry: dict, low_key: str, high_key: str) -> tuple[int, int] | None:
    """(low, high), a missing or null high being the low; None without a low."""
    low, high = entry.get(low_key), entry.get(high_key, entry.get(low_key))
    if low is None:
        return None
    return int(low), int(high if high is not None else low)


def gold_figures(gold: dict, report: str) -> set[tuple[int, int]]:
    found = (_low_high(f, "figure_low", "figure_high") for f in gold.get("fatalities") or [] if _in_report(f, report))
    return {figure for figure in found if figure is not None}


def pred_figures(pred: dict) -> set[tuple[int, int]]:
    found = (_low_high(f, "low", "high") for f in pred.get("fatalities") or [])
    return {figure for figure in found if figure is not None}


def claim_pairs(event: dict, report: str | None = None) -> set[tuple[str, str]]:
    """(side of the claimant, stance) of each claim, limited to the report's own claims when `report` is given."""
    return {(side(c.get("claimant")) or "?", str(c.get("stance") or "?"))
            for c in event.get("claims") or [] if report is None or _in_report(c, report)}


# --- scoring -------------------------------------------------------------------------------------------------------

@dataclass
class _Tally:
    """What the matched pairs of all scored reports add up to."""

    fields: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # name -> [right, asked]
    pairs: int = 0
    figures_tp: int = 0
    claims_tp: int = 0
    linked: list[tuple[object, object]] = field(default_factory=list)  # (predicted, gold) incident id per pair

    def field_check(self, name: str, ok: bool) -> None:
        self.fields[name][0] += int(bool(ok))
        self.fields[name][1] += 1

    def add_pair(self, pred: dict, gold: dict, report: str) -> None:
        self.pairs += 1
        self.field_check("date_exact", day_gap(pred, gold) == 0)
        self.field_check("event_type", same_type(pred, gold))
        self.field_check("sub_event_type", same_sub_type(pred, gold))
        self.field_check("actor1", actor1_right(pred, gold))
        self.field_check("actor2", actor2_right(pred, gold))
        if not is_strategic(gold):
            self.field_check("location_25km", place_gap(pred, gold) <= LOCATION_EXACT_KM)
            self.field_check("admin1", same_province(pred, gold))
        self.figures_tp += len(gold_figures(gold, report) & pred_figures(pred))
        self.claims_tp += len(claim_pairs(gold, report) & claim_pairs(pred))
        self.linked.append((pred.get("incident_id"), gold.get("incident_id")))


def gold_by_report(gold_incidents: list[dict]) -> dict[str, list[dict]]:
    """Report id -> the gold incidents it mentions (`reported_in` holds dicts with `article_id`, or bare ids)."""
    grouped: dict[str, list[dict]] = defaultdict(list)
    for incident in gold_incidents:
        for mention in incident.get("reported_in") or []:
            report = mention["article_id"] if isinstance(mention, dict) else mention
            grouped[str(report)].append(incident)
    return grouped


def preds_by_report(preds: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for pred in preds:
        grouped[str(pred.get("report_id"))].append(pred)
    return grouped


def _pairs_of(counts: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in counts)


def incident_pairs(linked: list[tuple[object, object]]) -> dict:
    """Pairwise precision and recall of predicted incident ids against gold ids, over the matched events.

    Two events are one predicted incident when they share a non-null id; gold ids are compared as they are.
    """
    same_pred = _pairs_of(Counter(p for p, _ in linked if p is not None).values())
    same_gold = _pairs_of(Counter(g for _, g in linked).values())
    same_both = _pairs_of(Counter((p, g) for p, g in linked if p is not None).values())
    return prf(same_both, same_pred, same_gold)


def _ratio(right: int, asked: int) -> float | None:
    return round(right / asked, 3) if asked else None


def score(gold_incidents: list[dict], preds: list[dict]) -> dict:
    """The shared scorer's figures for `preds` (export rows) against `gold_incidents` (gold.json's list)."""
    golds, predicted = gold_by_report(gold_incidents), preds_by_report(preds)
    scored = set(golds)
    n_pred = sum(len(predicted[r]) for r in scored)
    n_gold = sum(len(golds[r]) for r in scored)
    figures_gold = sum(len(gold_figures(g, r)) for r in scored for g in golds[r])
    claims_gold = sum(len(claim_pairs(g, r)) for r in scored for g in golds[r])
    claims_pred = sum(len(claim_pairs(p)) for r in scored for p in predicted[r])
    tally = _Tally()
    for report in sorted(scored):
        for pred, gold in match(predicted[report], golds[report]):
            tally.add_pair(pred, gold, report)
    placed_gold = sum(1 for r in scored for g in golds[r] if not is_strategic(g))
    asked_of_gold = {name: placed_gold if name in PLACE_FIELDS else n_gold for name in tally.fields}
    return {
        "events": prf(tally.pairs, n_pred, n_gold),
        "fields": {name: _ratio(*tally.fields[name]) for name in sorted(tally.fields)},
        "fields_recall": {name: _ratio(tally.fields[name][0], asked_of_gold[name]) for name in sorted(tally.fields)},
        "fatality_figures_recall": _ratio(tally.figures_tp, figures_gold),
        "claims": prf(tally.claims_tp, claims_pred, claims_gold),
        "incidents_pairwise": incident_pairs(tally.linked),
        "reports_scored": len(scored),
        "reports_with_predictions": len([r for r in scored if predicted[r]]),
    }


# --- corpus folders ------------------------------------------------------------------------------------------------

def load_corpus(corpus_dir: Path) -> tuple[list[Path], list[dict]]:
    """A corpus folder's article files (articles/*.json, sorted) and gold incidents (gold.json, a list or
    {"incidents": [...]})."""
    corpus_dir = Path(corpus_dir)
    articles_dir, gold_path = corpus_dir / "articles", corpus_dir / "gold.json"
    articles = sorted(articles_dir.glob("*.json")) if articles_dir.is_dir() else []
    if not articles or not gold_path.is_file():
        raise TrucewatchError("TW-E302", path=corpus_dir)
    return articles, _read_gold(gold_path)


def _read_gold(path: Path) -> list[dict]:
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise TrucewatchError("TW-E105", source=path, detail=err) from err
    if isinstance(gold, dict):
        gold = gold.get("incidents", [])
    if not isinstance(gold, list):
        raise TrucewatchError("TW-E302", path=path)
    return gold


def read_jsonl(path: Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def ingest_summary(results: list[IngestResult]) -> dict:
    """Counts by status, events stored, and why each refused input was refused."""
    counts = Counter(result.status for result in results)
    return {
        "added": counts["added"],
        "unchanged": counts["unchanged"],
        "refused": counts["refused"],
        "events": sum(result.events for result in results),
        "refusals": [{"source": r.source, "reason": r.reason} for r in results if r.status == "refused"],
    }


def evaluate_corpus(corpus_dir: Path, db: Database | None = None, progress: bool = False,
                    export_path: Path | None = None) -> dict:
    """Ingest a corpus folder's articles, export the stored events as jsonl, and score the export against gold.json.

    Without `db` the store is a throw-away SQLite file, opened and removed here. The export is written to
    `export_path`, or to a new temporary file that is kept (its path is in the result) so the events can be looked at
    afterwards.
    """
    articles, gold = load_corpus(corpus_dir)
    export_path = Path(export_path) if export_path else _new_export_path()
    if db is None:
        with tempfile.TemporaryDirectory(prefix="trucewatch-eval-") as tmp, \
                Database.open(f"sqlite:///{Path(tmp) / 'evaluate.sqlite3'}") as scratch:
            results = _ingest_and_export(articles, scratch, export_path, progress)
    else:
        results = _ingest_and_export(articles, db, export_path, progress)
    return {"figures": score(gold, read_jsonl(export_path)), "export_path": export_path,
            "ingest": ingest_summary(results)}


def _new_export_path() -> Path:
    handle = tempfile.NamedTemporaryFile("w", prefix="trucewatch-eval-", suffix=".jsonl", delete=False)
    handle.close()
    return Path(handle.name)


def _ingest_and_export(articles: list[Path], db: Database, export_path: Path, progress: bool) -> list[IngestResult]:
    results = ingest_paths(articles, db, progress=progress)
    with export_path.open("w", encoding="utf-8") as out:
        export_events(db, "jsonl", out)
    return results


# --- the terminal --------------------------------------------------------------------------------------------------

def _num(value: object) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _prf_line(label: str, figures: dict) -> str:
    return (f"{label:<22}P {_num(figures['precision'])}  R {_num(figures['recall'])}  F1 {_num(figures['f1'])}"
            f"   (tp {figures['tp']}, predicted {figures['pred']}, gold {figures['gold']})")


def format_figures(figures: dict) -> str:
    """The figures of `score` as a compact table for a terminal."""
    lines = [
        _prf_line("events", figures["events"]),
        _prf_line("claims", figures["claims"]),
        _prf_line("incidents (pairwise)", figures["incidents_pairwise"]),
        f"{'fatality figures':<22}R {_num(figures['fatality_figures_recall'])}",
        "",
        f"{'field':<22}{'on matched':>10}  {'of all gold':>11}",
    ]
    for name, value in figures["fields"].items():
        lines.append(f"{name:<22}{_num(value):>10}  {_num(figures['fields_recall'].get(name)):>11}")
    lines += ["", f"reports scored {figures['reports_scored']}, "
                  f"with predictions {figures['reports_with_predictions']}"]
    return "\n".join(lines)
