"""Describe an incident: every account of one happening side by side, never averaged.

`describe` takes the events resolved into one incident and the reports they came from, and gives the `Incident`
record: the agreed date span and place, every casualty figure with its claimant and source, a low/best/high
estimate per victim category, every claim per party with the day it was made and what it claims (its content, else
its sentence), and whether the incident is contested and why.

The estimate (see docs/incidents.md): `low` is the lowest figure anyone reports, `high` the highest (None when a
source gives only "at least"), and `best` is ACLED's conservative choice made UCDP-style: the lowest figure that at
least two independent sources give (corroborated), else the lowest figure reported. Syndicated copies of one wire
story are one source: reports whose texts share most of their word shingles are one story (`pipeline.stories`;
the store records each report's story when it is stored).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime

from trucewatch.pipeline.sides import Nationality, Sides
from trucewatch.pipeline.stories import source_groups
from trucewatch.records import (
    Claim,
    Estimate,
    Event,
    Figure,
    Incident,
    IncidentSummary,
    Override,
    Place,
    Report,
    Source,
    SourcedClaim,
    SourcedFigure,
)

QUOTE_CHARS = 240  # a claim without content is shown by its sentence, cut at a word after this many characters
_TYPE_ORDER = (
    "Suicide bomb", "Air/drone strike", "Remote explosive/landmine/IED", "Shelling/artillery/missile attack", "Grenade",
    "Abduction/forced disappearance", "Armed clash", "Attack", "Agreement", "Other", "Arrests",
)


def describe(incident_id: str, events: list[Event], reports: dict[str, Report], side_of: Callable[[str], str | None],
             overrides: Iterable[Override] = (), nationalities: Sequence[Nationality] | None = None,
             stories: Mapping[str, str] | None = None) -> Incident:
    """The incident record for these events (all of one incident) and the reports they came from. `nationalities`
    are the parties' as figures name them (`Sides.nationalities`; default: the shipped data's). `stories`: each
    report's story as the store recorded it (`Store.stories`); the stories of reports not in it are found among
    these reports' texts.

    A report's text is read only for a claim that has no content of its own (its sentence is quoted): the caller may
    pass the other reports without their texts."""
    events = sorted(events, key=lambda e: (e.event_date or reports[e.report_id].published, e.event_id))
    sources = _sources(events, reports, stories or {})
    figures = tuple(SourcedFigure(f, e.event_id, sources[e.report_id]) for e in events for f in e.fatalities)
    claims = tuple(_sourced_claim(c, e, sources[e.report_id], side_of, reports[e.report_id].text)
                   for e in events for c in e.claims)
    event_type, sub_type = _agreed_type(events)
    first, last, precision = _span(events)
    reasons = contest_reasons(figures, claims, nationalities)
    return Incident(
        incident_id=incident_id, events=tuple(events), sources=tuple(dict.fromkeys(sources.values())),
        event_type=event_type, sub_event_type=sub_type, first_date=first, last_date=last, time_precision=precision,
        place=_agreed_place(events), actor1=_most_common(e.actor1 for e in events),
        actor2=_most_common(e.actor2 for e in events), figures=figures, estimates=estimates(figures, nationalities),
        claims=tuple(sorted(claims, key=lambda c: (c.party, c.made_on))), contested=bool(reasons),
        reasons=reasons, overrides=tuple(overrides))


# --- sources ------------------------------------------------------------------------------------------------------

def _sources(events: list[Event], reports: dict[str, Report], stories: Mapping[str, str]) -> dict[str, Source]:
    used = [reports[r] for r in dict.fromkeys(e.report_id for e in events)]
    unrecorded = {r.report_id: r.text for r in used if r.report_id not in stories}
    groups = {**source_groups(unrecorded), **stories} if unrecorded else stories
    return {r.report_id: Source(r.report_id, r.outlet, r.published, r.url, r.sha256, groups[r.report_id])
            for r in used}


def _sourced_claim(claim: Claim, event: Event, source: Source, side_of: Callable[[str], str | None],
                   text: str) -> SourcedClaim:
    party = side_of(claim.claimant) or claim.claimant
    return SourcedClaim(claim, party, claim.stated_on or source.published, event.event_id, source,
                        claim_quote(claim, text))


def claim_quote(claim: Claim, text: str) -> str:
    """What a claim says, to show beside who said it: its content (the clause or quote claimed), else the sentence it
    stands in, from the report's `text` (a "did not comment" claims no clause; claims stored before content was coded
    have none), cut at a word after QUOTE_CHARS characters. The speaker and verb alone are a last resort."""
    if claim.content.strip():
        return claim.content.strip()
    sentence = " ".join(text[claim.span.start:claim.span.end].split())
    if len(sentence) <= QUOTE_CHARS:
        return sentence or claim.surface
    cut = sentence[:QUOTE_CHARS + 1].rsplit(" ", 1)[0] if " " in sentence[:QUOTE_CHARS] else sentence[:QUOTE_CHARS]
    return cut.rstrip(" ,;:-–—") + " …"


# --- figures -------------------------------------------------------------------------------------------------------

def estimates(figures: Iterable[SourcedFigure],
              nationalities: Sequence[Nationality] | None = None) -> tuple[Estimate, ...]:
    """Low/best/high per victim category, every figure counted once per independent source."""
    groups = victim_groups(figures, nationalities)
    return tuple(_estimate(victims, found) for victims, found in sorted(groups.items()))


def nationality(figure: Figure, nationalities: Sequence[Nationality] | None = None) -> str | None:
    """'58 Pakistani soldiers', '23 soldiers of the Pakistan Army': whose dead the figure counts, when it names one
    party's country or nationals (`Sides.nationalities`; default: the shipped data's)."""
    known = Sides.shipped().nationalities if nationalities is None else nationalities
    found = [name for name, pattern in known if pattern.search(figure.surface)]
    return found[0] if len(found) == 1 else None


def victim_groups(figures: Iterable[SourcedFigure],
                  nationalities: Sequence[Nationality] | None = None) -> dict[str, list[SourcedFigure]]:
    """Figures by whom they count: the victim category, split by nationality where figures name one ("9 Afghan
    soldiers" and "23 Pakistani soldiers" are different dead). A figure that names none joins the only nationality
    given for its category, else stands under the bare category."""
    figures = list(figures)
    known = Sides.shipped().nationalities if nationalities is None else nationalities
    named: dict[str, set[str]] = defaultdict(set)
    for f in figures:
        if (who := nationality(f.figure, known)) is not None:
            named[f.figure.victims].add(who)
    groups: dict[str, list[SourcedFigure]] = defaultdict(list)
    for f in figures:
        victims = f.figure.victims
        who = nationality(f.figure, known)
        if who is None and len(named[victims]) == 1:
            who = next(iter(named[victims]))
        groups[f"{who} {victims}" if who else victims].append(f)
    return dict(groups)


def _estimate(victims: str, found: list[SourcedFigure]) -> Estimate:
    low = min(f.figure.low for f in found)
    top = max(_top(f.figure) for f in found)
    # "at least 90" as the largest account leaves the top open.
    high = None if any(f.figure.high is None and f.figure.low >= top for f in found) else top
    sources_per_value: dict[int, set[str]] = defaultdict(set)
    for f in found:
        sources_per_value[f.figure.low].add(f.source.source_group or f.source.report_id)
    corroborated = sorted(v for v, groups in sources_per_value.items() if len(groups) >= 2)
    if corroborated:
        best = corroborated[0]
        basis = f"lowest figure given by {len(sources_per_value[best])} independent sources"
    else:
        best = low
        basis = "lowest figure reported; no figure is given by two independent sources"
    return Estimate(victims=victims, low=low, best=best, high=high, basis=basis)


def _top(figure: Figure) -> int:
    return figure.high if figure.high is not None else figure.low


# --- contested ---------------------------------------------------------------------------------------------------

def contest_reasons(figures: tuple[SourcedFigure, ...], claims: tuple[SourcedClaim, ...],
                    nationalities: Sequence[Nationality] | None = None) -> tuple[str, ...]:
    """Why the accounts disagree, in words a monitor can check; empty when they do not."""
    reasons = []
    reasons += _conflicting_figures(figures, nationalities)
    reasons += _disputes(claims, "responsibility", "responsibility disputed")
    reasons += _disputes(claims, "civilian deaths", "civilian deaths disputed")
    deniers = sorted({c.party for c in claims if c.claim.about == "occurrence" and c.claim.stance == "denies"})
    if deniers:
        reasons.append(f"occurrence denied by {', '.join(deniers)}")
    return tuple(reasons)


def _conflicting_figures(figures: tuple[SourcedFigure, ...],
                         nationalities: Sequence[Nationality] | None = None) -> list[str]:
    """Figures for the same victims whose ranges do not overlap, from different claimants."""
    reasons = []
    for victims, found in sorted(victim_groups(figures, nationalities).items()):
        ranges = {(f.figure.low, _top(f.figure) if f.figure.high is not None else None): f.figure.claimed_by
                  for f in found}
        lows = sorted({low for low, _ in ranges})
        if len(lows) > 1 and not _all_overlap(ranges) and len({f.figure.claimed_by for f in found}) > 1:
            shown = "; ".join(f"{low if high in (None, low) else f'{low}-{high}'}{'+' if high is None else ''} "
                              f"({claimant})" for (low, high), claimant in sorted(ranges.items(), key=_by_low))
            reasons.append(f"conflicting figures for {victims}: {shown}")
    return reasons


def _by_low(item: tuple[tuple[int, int | None], str | None]) -> tuple[int, int]:
    (low, high), _ = item
    return low, high if high is not None else low


def _all_overlap(ranges: dict[tuple[int, int | None], str | None]) -> bool:
    """True when one number fits every range ("at least 5" and "7" agree; "23" and "58" do not)."""
    floor = max(low for low, _ in ranges)
    return all(high is None or high >= floor for _, high in ranges)


def _disputes(claims: tuple[SourcedClaim, ...], about: str, label: str) -> list[str]:
    asserted = sorted({c.party for c in claims if c.claim.about == about and c.claim.stance == "asserts"})
    denied = sorted({c.party for c in claims if c.claim.about == about and c.claim.stance == "denies"})
    if asserted and denied and set(asserted) != set(denied):
        return [f"{label}: asserted by {', '.join(asserted)}, denied by {', '.join(denied)}"]
    return []


# --- agreed fields -------------------------------------------------------------------------------------------------

def _agreed_type(events: list[Event]) -> tuple[str, str]:
    counts = Counter((e.event_type, e.sub_event_type) for e in events)
    top = max(counts.values())
    tied = [pair for pair, n in counts.items() if n == top]
    return min(tied, key=lambda pair: _TYPE_ORDER.index(pair[1]) if pair[1] in _TYPE_ORDER else len(_TYPE_ORDER))


def _span(events: list[Event]) -> tuple[date | None, date | None, int]:
    """The first and last day of the most precisely dated events, with that precision (3 when none is dated)."""
    dated = [(e.event_date, e.event_date_end or e.event_date, e.time_precision)
             for e in events if e.event_date is not None]
    if not dated:
        return None, None, 3
    precision = min(p for _, _, p in dated)
    first = min(start for start, _, p in dated if p == precision)
    last = max(end for _, end, p in dated if p == precision)
    return first, last, precision


def _agreed_place(events: list[Event]) -> Place | None:
    places = [e.place for e in events if e.place is not None]
    if not places:
        return None
    precision = min(p.geo_precision for p in places)
    counts = Counter(p for p in places if p.geo_precision == precision)
    return counts.most_common(1)[0][0]


def _most_common(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


# --- totals -------------------------------------------------------------------------------------------------------

def total_fatalities(estimates: Iterable[Estimate]) -> tuple[int | None, int | None, int | None]:
    """(low, best, high) of all deaths: per bound, the larger of the unspecified estimate and the sum of the
    civilians', soldiers' and militants' estimates. High is None if a needed bound is open; all None without figures."""
    estimates = list(estimates)
    if not estimates:
        return None, None, None
    # Categories may carry a nationality ("Pakistani soldiers"): the last word says who died.
    unspecified = [e for e in estimates if e.victims.split()[-1] == "unspecified"]
    named = [e for e in estimates if e.victims.split()[-1] != "unspecified"]
    low = max(sum(e.low for e in unspecified), sum(e.low for e in named))
    best = max(sum(e.best for e in unspecified), sum(e.best for e in named))
    tops = [e.high for e in estimates]
    high = None if None in tops else max(sum(e.high or 0 for e in unspecified), sum(e.high or 0 for e in named))
    return low, best, high


def summary_of(incident: Incident, at: datetime | None = None) -> IncidentSummary:
    """The summary row of an incident (see IncidentSummary for how fatalities are totalled)."""
    p = incident.place
    low, best, high = total_fatalities(incident.estimates)
    return IncidentSummary(
        incident_id=incident.incident_id, first_date=incident.first_date, last_date=incident.last_date,
        time_precision=incident.time_precision, event_type=incident.event_type,
        sub_event_type=incident.sub_event_type, country=p.country if p else None, admin1=p.admin1 if p else None,
        admin2=p.admin2 if p else None, location=p.name if p else None, latitude=p.latitude if p else None,
        longitude=p.longitude if p else None, geo_precision=p.geo_precision if p else None, actor1=incident.actor1,
        actor2=incident.actor2, n_events=len(incident.events),
        n_reports=len({e.report_id for e in incident.events}), contested=incident.contested,
        reasons=incident.reasons, fatalities_low=low, fatalities_best=best, fatalities_high=high, updated_at=at)


def summarised(incidents: Iterable[Incident], at: datetime | None = None) -> list[tuple[IncidentSummary, list[str]]]:
    """Each incident's summary (updated `at`, default now) with the ids of its events: what the store keeps for
    fast listing (`Store.save_incidents`)."""
    at = at or datetime.now(UTC)
    return [(summary_of(incident, at), [e.event_id for e in incident.events]) for incident in incidents]
