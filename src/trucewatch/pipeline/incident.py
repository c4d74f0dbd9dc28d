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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from trucewatch.pipeline.digest import (
    IncidentDigest,
    agreed_place,
    agreed_type,
    contest_reasons,
    digest_of,
    estimates,
    main_actors,
    span,
)
from trucewatch.pipeline.sides import Nationality, Sides
from trucewatch.pipeline.stories import source_groups
from trucewatch.records import (
    Claim,
    Estimate,
    Event,
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
    sides = Sides(side_of=side_of, nationalities=tuple(nationalities if nationalities is not None
                                                        else Sides.shipped().nationalities))
    sources = sources_of(events, reports, stories or {})
    return _record(incident_id, events, sources, digest_of(events, sources, sides), side_of, reports, overrides)


def _record(incident_id: str, events: list[Event], sources: dict[str, Source], digest: IncidentDigest,
            side_of: Callable[[str], str | None], reports: dict[str, Report],
            overrides: Iterable[Override]) -> Incident:
    figures = tuple(SourcedFigure(f, e.event_id, sources[e.report_id]) for e in events for f in e.fatalities)
    claims = tuple(_sourced_claim(c, e, sources[e.report_id], side_of, reports[e.report_id].text)
                   for e in events for c in e.claims)
    event_type, sub_type = agreed_type(digest)
    first, last, precision = span(digest)
    actor1, actor2 = main_actors(digest)
    reasons = contest_reasons(digest)
    return Incident(
        incident_id=incident_id, events=tuple(events), sources=tuple(dict.fromkeys(sources.values())),
        event_type=event_type, sub_event_type=sub_type, first_date=first, last_date=last, time_precision=precision,
        place=agreed_place(digest), actor1=actor1, actor2=actor2, figures=figures, estimates=estimates(digest),
        claims=tuple(sorted(claims, key=lambda c: (c.party, c.made_on))), contested=bool(reasons),
        reasons=reasons, overrides=tuple(overrides))


# --- sources ------------------------------------------------------------------------------------------------------

def sources_of(events: Iterable[Event], reports: Mapping[str, Report],
               stories: Mapping[str, str]) -> dict[str, Source]:
    """Each event's report as a `Source`, with its story: as recorded (`stories`), else found among these reports'
    texts."""
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
    return _summary(incident.incident_id, incident.place, incident, len(incident.events),
                    len({e.report_id for e in incident.events}), incident.estimates, at)


def summary_of_digest(incident_id: str, digest: IncidentDigest, at: datetime | None = None) -> IncidentSummary:
    """The summary row of an incident from its digest alone: the same row `summary_of` gives for its record."""
    first, last, precision = span(digest)
    event_type, sub_type = agreed_type(digest)
    actor1, actor2 = main_actors(digest)
    reasons = contest_reasons(digest)
    agreed = _Agreed(first, last, precision, event_type, sub_type, actor1, actor2, bool(reasons), reasons)
    return _summary(incident_id, agreed_place(digest), agreed, digest.n_events, len(digest.reports),
                    estimates(digest), at)


@dataclass(frozen=True, slots=True)
class _Agreed:
    """The agreed fields of an incident's summary, as the incident record has them."""

    first_date: date | None
    last_date: date | None
    time_precision: int
    event_type: str
    sub_event_type: str
    actor1: str | None
    actor2: str | None
    contested: bool
    reasons: tuple[str, ...]


def _summary(incident_id: str, p: Place | None, agreed: Incident | _Agreed, n_events: int, n_reports: int,
             found: Iterable[Estimate], at: datetime | None) -> IncidentSummary:
    low, best, high = total_fatalities(found)
    return IncidentSummary(
        incident_id=incident_id, first_date=agreed.first_date, last_date=agreed.last_date,
        time_precision=agreed.time_precision, event_type=agreed.event_type, sub_event_type=agreed.sub_event_type,
        country=p.country if p else None, admin1=p.admin1 if p else None, admin2=p.admin2 if p else None,
        location=p.name if p else None, latitude=p.latitude if p else None, longitude=p.longitude if p else None,
        geo_precision=p.geo_precision if p else None, actor1=agreed.actor1, actor2=agreed.actor2,
        n_events=n_events, n_reports=n_reports, contested=agreed.contested, reasons=agreed.reasons,
        fatalities_low=low, fatalities_best=best, fatalities_high=high, updated_at=at)


def summarised(incidents: Iterable[Incident], at: datetime | None = None) -> list[tuple[IncidentSummary, list[str]]]:
    """Each incident's summary (updated `at`, default now) with the ids of its events: what the store keeps for
    fast listing (`Store.save_incidents`)."""
    at = at or datetime.now(UTC)
    return [(summary_of(incident, at), [e.event_id for e in incident.events]) for incident in incidents]
