"""An incident's digest: what its summary is computed from, kept small enough to update as reports join.

An incident's agreed type, date span, place and actors, its estimates and why it is contested depend on its events
only through tallies: how many accounts give each type, place and actor (and which came first, for ties), the first
and last day at each date precision, each distinct casualty figure with the independent sources and claimants that
give it, and which parties assert or deny what. `digest_of` makes those tallies from events; `combined` adds two
digests of disjoint sets of events. Adding is associative and commutative, so the digest of an incident that gains
events is its stored digest combined with the digest of the new events: ingest updates a 500-report incident's
summary without reading its 500 members (`jobs.ingest.resolve_new`). `pipeline.incident.describe` computes the same
fields from the same tallies, so a summary made from deltas and one made afresh are one computation.

What grows with an incident is only what must: its report ids (for the report count) and, per distinct figure, the
story ids that give it (for corroboration). Every account's own record stays in the store.

A digest is made under one conflict's sides (whose party a claimant is, the nationalities a figure names); `basis`
records them (`Sides.basis`), and a digest made under other sides is not combined but made again.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from trucewatch.pipeline.sides import Nationality, Sides
from trucewatch.records import Estimate, Event, Figure, Place, Source

FORMAT = 1  # the stored digest's layout; a digest of another layout is made again
_TYPE_ORDER = (
    "Suicide bomb", "Air/drone strike", "Remote explosive/landmine/IED", "Shelling/artillery/missile attack", "Grenade",
    "Abduction/forced disappearance", "Armed clash", "Attack", "Agreement", "Other", "Arrests",
)  # an incident whose accounts are tied between types takes the first of these (the more specific)
DISPUTED = (("responsibility", "responsibility disputed"), ("civilian deaths", "civilian deaths disputed"))

# Where an account stands in the incident's order (its day, else its report's, then its event id, then the figure's
# place among its event's): ties between equally frequent values go to the one seen first, as a reader would.
Order = tuple[str, str, int]
K = TypeVar("K")
FigureKey = tuple[str, str | None, int, int | None]  # victims, the nationality the figure names, low, high


@dataclass(frozen=True, slots=True)
class Tally:
    count: int
    first: Order


@dataclass(frozen=True, slots=True)
class FigureTally:
    """The accounts that give one figure (victims, nationality, low, high)."""

    first: Order
    last: Order
    last_claimant: str | None  # who gives it in the last account: the one shown beside it when figures conflict
    claimants: frozenset[str | None]
    sources: frozenset[str]  # independent sources: story ids (syndicated copies are one), else report ids


@dataclass(frozen=True, slots=True)
class IncidentDigest:
    basis: str
    n_events: int
    reports: frozenset[str]
    types: Mapping[tuple[str, str], Tally]
    spans: Mapping[int, tuple[date, date]]  # date precision -> first and last day of the accounts dated so
    places: Mapping[Place, Tally]
    actor1: Mapping[str, Tally]
    actor2: Mapping[str, Tally]
    figures: Mapping[FigureKey, FigureTally]
    claims: frozenset[tuple[str, str, str]]  # (about, stance, party): what contest reasons compare


# --- making and adding ---------------------------------------------------------------------------------------------

def digest_of(events: Iterable[Event], sources: Mapping[str, Source], sides: Sides) -> IncidentDigest:
    """The digest of these events; `sources` has each one's report as a `Source` (its day and story)."""
    digests = [_digest_of_event(e, sources[e.report_id], sides) for e in events]
    total = empty(sides.basis)
    for d in digests:
        total = combined(total, d)
    return total


def empty(basis: str) -> IncidentDigest:
    return IncidentDigest(basis, 0, frozenset(), {}, {}, {}, {}, {}, {}, frozenset())


def combined(a: IncidentDigest, b: IncidentDigest) -> IncidentDigest:
    """The digest of the events of `a` and of `b` (no event in both); both made under the same sides."""
    if a.basis != b.basis:
        raise ValueError("digests made under different sides cannot be combined; make the digest again")
    return IncidentDigest(
        basis=a.basis, n_events=a.n_events + b.n_events, reports=a.reports | b.reports,
        types=_add_tallies(a.types, b.types), spans=_add_spans(a.spans, b.spans),
        places=_add_tallies(a.places, b.places), actor1=_add_tallies(a.actor1, b.actor1),
        actor2=_add_tallies(a.actor2, b.actor2), figures=_add_figures(a.figures, b.figures),
        claims=a.claims | b.claims)


def _digest_of_event(e: Event, source: Source, sides: Sides) -> IncidentDigest:
    day = (e.event_date or source.published).isoformat()
    at: Order = (day, e.event_id, 0)
    spans = {e.time_precision: (e.event_date, e.event_date_end or e.event_date)} if e.event_date else {}
    figures: dict[FigureKey, FigureTally] = {}
    for index, f in enumerate(e.fatalities):
        figure_at: Order = (day, e.event_id, index)
        tally = FigureTally(figure_at, figure_at, f.claimed_by, frozenset({f.claimed_by}),
                            frozenset({source.source_group or source.report_id}))
        key = (f.victims, nationality(f, sides.nationalities), f.low, f.high)
        figures[key] = _add_figure(figures[key], tally) if key in figures else tally
    return IncidentDigest(
        basis=sides.basis, n_events=1, reports=frozenset({e.report_id}),
        types={(e.event_type, e.sub_event_type): Tally(1, at)}, spans=spans,
        places={e.place: Tally(1, at)} if e.place is not None else {},
        actor1={e.actor1: Tally(1, at)} if e.actor1 else {}, actor2={e.actor2: Tally(1, at)} if e.actor2 else {},
        figures=figures,
        claims=frozenset((c.about, c.stance, sides.side_of(c.claimant) or c.claimant) for c in e.claims))


def _add_tallies(a: Mapping[K, Tally], b: Mapping[K, Tally]) -> dict[K, Tally]:
    total = dict(a)
    for key, tally in b.items():
        had = total.get(key)
        total[key] = tally if had is None else Tally(had.count + tally.count, min(had.first, tally.first))
    return total


def _add_spans(a: Mapping[int, tuple[date, date]], b: Mapping[int, tuple[date, date]]) -> dict[int, tuple[date, date]]:
    total = dict(a)
    for precision, (first, last) in b.items():
        had = total.get(precision)
        total[precision] = (first, last) if had is None else (min(had[0], first), max(had[1], last))
    return total


def _add_figures(a: Mapping[FigureKey, FigureTally],
                 b: Mapping[FigureKey, FigureTally]) -> dict[FigureKey, FigureTally]:
    total = dict(a)
    for key, tally in b.items():
        total[key] = _add_figure(total[key], tally) if key in total else tally
    return total


def _add_figure(a: FigureTally, b: FigureTally) -> FigureTally:
    later = b if b.last > a.last else a
    return FigureTally(min(a.first, b.first), later.last, later.last_claimant, a.claimants | b.claimants,
                       a.sources | b.sources)


# --- what the summary shows ----------------------------------------------------------------------------------------

def agreed_type(d: IncidentDigest) -> tuple[str, str]:
    """The type most accounts give; a tie goes to the more specific sub-event type, then to the first seen."""
    top = max(t.count for t in d.types.values())
    tied = [(pair, t) for pair, t in d.types.items() if t.count == top]
    rank = {sub: i for i, sub in enumerate(_TYPE_ORDER)}
    return min(tied, key=lambda item: (rank.get(item[0][1], len(_TYPE_ORDER)), item[1].first))[0]


def span(d: IncidentDigest) -> tuple[date | None, date | None, int]:
    """The first and last day of the most precisely dated accounts, with that precision (3 when none is dated)."""
    if not d.spans:
        return None, None, 3
    precision = min(d.spans)
    first, last = d.spans[precision]
    return first, last, precision


def agreed_place(d: IncidentDigest) -> Place | None:
    """The place most of the most precisely placed accounts give (the first seen of equals)."""
    if not d.places:
        return None
    precision = min(p.geo_precision for p in d.places)
    return _most_common({p: t for p, t in d.places.items() if p.geo_precision == precision})


def _most_common(tallies: Mapping[K, Tally]) -> K | None:
    if not tallies:
        return None
    return min(tallies.items(), key=lambda item: (-item[1].count, item[1].first))[0]


def main_actors(d: IncidentDigest) -> tuple[str | None, str | None]:
    return _most_common(d.actor1), _most_common(d.actor2)


def nationality(figure: Figure, nationalities: Sequence[Nationality] | None = None) -> str | None:
    """'58 Pakistani soldiers', '23 soldiers of the Pakistan Army': whose dead the figure counts, when it names one
    party's country or nationals (`Sides.nationalities`; default: the shipped data's)."""
    known = Sides.shipped().nationalities if nationalities is None else nationalities
    found = [name for name, pattern in known if pattern.search(figure.surface)]
    return found[0] if len(found) == 1 else None


def victim_groups(d: IncidentDigest) -> dict[str, dict[FigureKey, FigureTally]]:
    """Figures by whom they count: the victim category, split by nationality where figures name one ("9 Afghan
    soldiers" and "23 Pakistani soldiers" are different dead). A figure that names none joins the only nationality
    given for its category, else stands under the bare category."""
    named: dict[str, set[str]] = defaultdict(set)
    for victims, who, _, _ in d.figures:
        if who is not None:
            named[victims].add(who)
    groups: dict[str, dict[FigureKey, FigureTally]] = defaultdict(dict)
    for key, tally in d.figures.items():
        victims, who = key[0], key[1]
        if who is None and len(named[victims]) == 1:
            who = next(iter(named[victims]))
        groups[f"{who} {victims}" if who else victims][key] = tally
    return dict(groups)


def estimates(d: IncidentDigest) -> tuple[Estimate, ...]:
    """Low/best/high per victim category, every figure counted once per independent source."""
    return tuple(_estimate(victims, found) for victims, found in sorted(victim_groups(d).items()))


def _estimate(victims: str, found: Mapping[FigureKey, FigureTally]) -> Estimate:
    low = min(key[2] for key in found)
    top = max(_top(key) for key in found)
    # "at least 90" as the largest account leaves the top open.
    high = None if any(key[3] is None and key[2] >= top for key in found) else top
    sources_per_value: dict[int, set[str]] = defaultdict(set)
    for key, tally in found.items():
        sources_per_value[key[2]] |= tally.sources
    corroborated = sorted(v for v, groups in sources_per_value.items() if len(groups) >= 2)
    if corroborated:
        best = corroborated[0]
        basis = f"lowest figure given by {len(sources_per_value[best])} independent sources"
    else:
        best = low
        basis = "lowest figure reported; no figure is given by two independent sources"
    return Estimate(victims=victims, low=low, best=best, high=high, basis=basis)


def _top(key: FigureKey) -> int:
    return key[3] if key[3] is not None else key[2]


def contest_reasons(d: IncidentDigest) -> tuple[str, ...]:
    """Why the accounts disagree, in words a monitor can check; empty when they do not."""
    reasons = _conflicting_figures(d)
    for about, label in DISPUTED:
        reasons += _disputes(d.claims, about, label)
    deniers = sorted({party for about, stance, party in d.claims if about == "occurrence" and stance == "denies"})
    if deniers:
        reasons.append(f"occurrence denied by {', '.join(deniers)}")
    return tuple(reasons)


def _conflicting_figures(d: IncidentDigest) -> list[str]:
    """Figures for the same victims whose ranges do not overlap, from different claimants."""
    reasons = []
    for victims, found in sorted(victim_groups(d).items()):
        ranges = _ranges(found)
        claimants = set().union(*(tally.claimants for tally in found.values()))
        if len({low for low, _ in ranges}) > 1 and not _all_overlap(ranges) and len(claimants) > 1:
            shown = "; ".join(f"{low if high in (None, low) else f'{low}-{high}'}{'+' if high is None else ''} "
                              f"({claimant})" for (low, high), claimant in ranges.items())
            reasons.append(f"conflicting figures for {victims}: {shown}")
    return reasons


def _ranges(found: Mapping[FigureKey, FigureTally]) -> dict[tuple[int, int | None], str | None]:
    """Each distinct range of a victim group with who gives it last, by its low end (equals: the first seen)."""
    first: dict[tuple[int, int | None], Order] = {}
    last: dict[tuple[int, int | None], FigureTally] = {}
    for (_, _, low, high), tally in found.items():
        key = (low, high)
        first[key] = min(first.get(key, tally.first), tally.first)
        if key not in last or tally.last > last[key].last:
            last[key] = tally
    ordered = sorted(first, key=lambda r: (r[0], r[1] if r[1] is not None else r[0], first[r]))
    return {r: last[r].last_claimant for r in ordered}


def _all_overlap(ranges: Mapping[tuple[int, int | None], str | None]) -> bool:
    """True when one number fits every range ("at least 5" and "7" agree; "23" and "58" do not)."""
    floor = max(low for low, _ in ranges)
    return all(high is None or high >= floor for _, high in ranges)


def _disputes(claims: frozenset[tuple[str, str, str]], about: str, label: str) -> list[str]:
    asserted = sorted({party for topic, stance, party in claims if topic == about and stance == "asserts"})
    denied = sorted({party for topic, stance, party in claims if topic == about and stance == "denies"})
    if asserted and denied and set(asserted) != set(denied):
        return [f"{label}: asserted by {', '.join(asserted)}, denied by {', '.join(denied)}"]
    return []


# --- stored form ---------------------------------------------------------------------------------------------------

def encode(d: IncidentDigest) -> str:
    """The digest as compact JSON (what `Store.save_incidents` keeps), its parts in a fixed order (sorted by their
    JSON: values may be missing, and None does not compare with text)."""
    def tallies(found: Mapping, key: Callable) -> list:
        return sorted(([*key(k), t.count, *t.first] for k, t in found.items()), key=json.dumps)

    return json.dumps({
        "format": FORMAT, "basis": d.basis, "events": d.n_events, "reports": sorted(d.reports),
        "types": tallies(d.types, list), "actor1": tallies(d.actor1, lambda a: [a]),
        "actor2": tallies(d.actor2, lambda a: [a]),
        "places": tallies(d.places, lambda p: [p.name, p.country, p.admin1, p.admin2, p.latitude, p.longitude,
                                               p.geo_precision, p.feature]),
        "spans": sorted([p, first.isoformat(), last.isoformat()] for p, (first, last) in d.spans.items()),
        "figures": sorted(([*key, *t.first, *t.last, t.last_claimant, sorted(t.claimants, key=_none_first),
                            sorted(t.sources)] for key, t in d.figures.items()), key=json.dumps),
        "claims": sorted(list(c) for c in d.claims),
    }, separators=(",", ":"), ensure_ascii=False)


def decode(text: str) -> IncidentDigest | None:
    """The digest `encode` wrote; None when it was written in another layout (it is then made again)."""
    data = json.loads(text)
    if data.get("format") != FORMAT:
        return None
    return IncidentDigest(
        basis=data["basis"], n_events=data["events"], reports=frozenset(data["reports"]),
        types={(t, s): Tally(n, (a, b, c)) for t, s, n, a, b, c in data["types"]},
        spans={p: (date.fromisoformat(first), date.fromisoformat(last)) for p, first, last in data["spans"]},
        places={Place(*fields): Tally(n, (a, b, c)) for *fields, n, a, b, c in data["places"]},
        actor1={name: Tally(n, (a, b, c)) for name, n, a, b, c in data["actor1"]},
        actor2={name: Tally(n, (a, b, c)) for name, n, a, b, c in data["actor2"]},
        figures={(v, who, low, high): FigureTally((f1, f2, f3), (l1, l2, l3), claimant, frozenset(claimants),
                                                  frozenset(sources))
                 for v, who, low, high, f1, f2, f3, l1, l2, l3, claimant, claimants, sources in data["figures"]},
        claims=frozenset((a, s, p) for a, s, p in data["claims"]))


def _none_first(value: str | None) -> tuple[bool, str]:
    return value is not None, value or ""
