"""Incidents for people at a terminal: a table of summaries, and one incident in full.

The full view puts every account side by side and never averages: the reports in the order they came out, every
figure under the party that gave it, the derived estimates with their basis, every claim under the party that made
it with the day it was made and what it claims in the report's words, and the monitors' overrides. See
docs/incidents.md.
"""
from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date

from trucewatch.publish.export import STANCE_WORDS, deaths_text, speaker_of
from trucewatch.records import (
    Figure,
    Incident,
    IncidentSummary,
    Override,
    Place,
    Source,
    SourcedClaim,
    SourcedFigure,
)

SUMMARY_COLUMNS = (("INCIDENT", 16), ("DATES", 12), ("TYPE", 22), ("PLACE", 22), ("ACTORS", 28), ("REPORTS", 7),
                   ("DEATHS", 12), ("CONTESTED", 9))
PRECISION_WORDS = {1: "to the day", 2: "to the week", 3: "to the month"}
GEO_WORDS = {1: "town", 2: "near a town or district", 3: "province"}


# --- the table ---------------------------------------------------------------------------------------------------

def render_incident_table(incidents: Iterable[IncidentSummary]) -> Iterator[str]:
    """Incident summaries as a plain-text table, a block of lines per incident, for `trucewatch incidents`."""
    widths = [width for _, width in SUMMARY_COLUMNS]
    yield _line([[name] for name, _ in SUMMARY_COLUMNS], widths)
    yield _rule(widths)
    for summary in incidents:
        yield _line(_summary_cells(summary), widths)


def _summary_cells(s: IncidentSummary) -> list[list[str]]:
    place = ", ".join(dict.fromkeys(part for part in (s.location, s.admin1, s.country) if part)) or "?"
    return [
        [s.incident_id],
        _dates(s.first_date, s.last_date),
        [s.sub_event_type],
        [place],
        [s.actor1 or "?"] + ([f"vs {s.actor2}"] if s.actor2 else []),
        [str(s.n_reports)],
        [_deaths(s.fatalities_low, s.fatalities_best, s.fatalities_high)],
        ["yes" if s.contested else ""],
    ]


def _dates(first: date | None, last: date | None) -> list[str]:
    if first is None:
        return ["undated"]
    return [first.isoformat()] + ([f"to {last.isoformat()}"] if last and last != first else [])


def _deaths(low: int | None, best: int | None, high: int | None) -> str:
    """'23 (23-58)': the best estimate, and the range when it is one; '-' without figures."""
    return deaths_text(low, best, high)


# --- one incident --------------------------------------------------------------------------------------------------

def render_incident(incident: Incident) -> Iterator[str]:
    """One incident in full, for `trucewatch incident ID`: header, reports, events, figures, estimates, claims,
    overrides."""
    yield from _header(incident)
    yield from _section("Reports", _reports(incident))
    yield from _section("Events", _events(incident))
    yield from _section("Figures by claimant", _figures(incident.figures))
    yield from _section("Estimates", _estimates(incident))
    yield from _section("Claims by party", _claims(incident.claims))
    yield from _section("Overrides", _overrides(incident.overrides))


def _header(i: Incident) -> Iterator[str]:
    yield f"Incident {i.incident_id}" + ("  CONTESTED" if i.contested else "")
    yield f"  type:    {i.event_type} / {i.sub_event_type}"
    when = " ".join(_dates(i.first_date, i.last_date))
    yield f"  when:    {when}" + (f" ({PRECISION_WORDS.get(i.time_precision, '?')})" if i.first_date else "")
    yield f"  where:   {_place(i.place)}"
    sites = [name for name in dict.fromkeys(e.place.name for e in i.events if e.place) if not i.place
             or name != i.place.name]
    if sites:
        yield from _wrapped(f"also at: {', '.join(sites)}", "           ", "           ")
    yield f"  actors:  {i.actor1 or '?'}" + (f" vs {i.actor2}" if i.actor2 else "")
    yield f"  events:  {len(i.events)} from {len(i.sources)} reports"
    if i.reasons:
        yield "  contested because:"
        for reason in i.reasons:
            yield from _wrapped(reason, "    - ", "      ")


def _place(place: Place | None) -> str:
    if place is None:
        return "unknown"
    names = ", ".join(dict.fromkeys(part for part in (place.name, place.admin2, place.admin1, place.country) if part))
    return f"{names} ({GEO_WORDS.get(place.geo_precision, '?')}; {place.latitude:.3f}, {place.longitude:.3f})"


def _reports(i: Incident) -> list[str]:
    lines = []
    for s in sorted(i.sources, key=lambda s: (s.published, s.report_id)):
        copy = f"  [same story as {s.source_group}]" if s.source_group and s.source_group != s.report_id else ""
        lines.append(f"{s.published.isoformat()}  {s.outlet or '?'}  {s.report_id}  sha256 {(s.sha256 or '?')[:12]}"
                     f"  {s.url or ''}".rstrip() + copy)
    return lines


def _events(i: Incident) -> list[str]:
    return [f"{e.event_id}  {e.event_date.isoformat() if e.event_date else 'undated'}  {e.sub_event_type}  "
            f"{e.place.name if e.place else '?'}  (report {e.report_id})" for e in i.events]


def _figures(figures: Iterable[SourcedFigure]) -> list[str]:
    by_claimant: dict[str, list[SourcedFigure]] = defaultdict(list)
    for f in figures:
        by_claimant[f.figure.claimed_by or "unattributed"].append(f)
    lines = []
    for claimant in sorted(by_claimant):
        lines.append(claimant)
        for f in sorted(by_claimant[claimant], key=lambda f: (f.source.published, f.source.report_id)):
            lines.append(f"  {_number(f.figure)} {f.figure.victims}  \"{f.figure.surface}\"  ({_source(f.source)})")
    return lines


def _number(figure: Figure) -> str:
    if figure.high is None:
        return f"at least {figure.low}"
    return str(figure.low) if figure.high == figure.low else f"{figure.low}-{figure.high}"


def _source(source: Source) -> str:
    return f"{source.outlet or '?'}, {source.published.isoformat()}, report {source.report_id}"


def _estimates(i: Incident) -> list[str]:
    return [f"{e.victims}: low {e.low} / best {e.best} / high {e.high if e.high is not None else 'open'}"
            f"  ({e.basis})" for e in i.estimates]


def _claims(claims: Iterable[SourcedClaim]) -> list[str]:
    by_party: dict[str, list[SourcedClaim]] = defaultdict(list)
    for c in claims:
        by_party[c.party].append(c)
    lines = []
    for party in sorted(by_party):
        lines.append(party)
        for c in sorted(by_party[party], key=lambda c: (c.made_on, c.source.report_id)):
            stance = STANCE_WORDS.get(c.claim.stance, c.claim.stance)
            quote = c.quote or c.claim.content or c.claim.surface
            lines.append(f"  {c.made_on.isoformat()}  {stance} ({c.claim.about}): \"{quote}\" — "
                         f"{speaker_of(c.claim)} ({c.claim.claimant}), {_source(c.source)}, "
                         f"sentence {c.claim.sentence + 1}")
    return lines


def _overrides(overrides: Iterable[Override]) -> list[str]:
    lines = []
    for o in sorted(overrides, key=lambda o: (o.at, o.override_id or 0)):
        lines.append(f"{o.at:%Y-%m-%d %H:%M} UTC  {o.by}  {override_text(o)}")
        if o.note:
            lines.append(f"  note: {o.note}")
    return lines


def override_text(o: Override) -> str:
    """What an override does, in words."""
    if o.kind == "merge":
        return f"merge: the incident of {o.event_id} joined that of {o.target_event_id}"
    if o.kind == "pin":
        return f"pin: {o.event_id} belongs to the incident of {o.target_event_id}"
    return f"split: {o.event_id} stands alone"


# --- layout --------------------------------------------------------------------------------------------------------

def _section(title: str, lines: list[str]) -> Iterator[str]:
    yield ""
    yield title
    for line in lines or ["(none)"]:
        yield from _wrapped(line, "  ", "      ")


def _wrapped(text: str, first: str, rest: str, width: int = 118) -> list[str]:
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False,
                         break_long_words=False) or [first.rstrip()]


def _line(cells: list[list[str]], widths: list[int]) -> str:
    wrapped = [[piece for line in cell for piece in textwrap.wrap(line, width) or [""]]
               for cell, width in zip(cells, widths, strict=True)]
    height = max(len(cell) for cell in wrapped)
    return "\n".join("  ".join((cell[i] if i < len(cell) else "").ljust(width)
                               for cell, width in zip(wrapped, widths, strict=True)).rstrip()
                     for i in range(height))


def _rule(widths: list[int]) -> str:
    return "  ".join("-" * width for width in widths)
