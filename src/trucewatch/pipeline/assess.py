"""Assess incidents against an agreement: inside its window or not, which commitments they may breach, who is accused
by whom, and how sure that is. Pure functions, records in, records out; the rules, with worked examples, are in
docs/agreements.md.

- **Window.** An agreement is in force from its start to its end, or to the start of a later agreement that supersedes
  it, whichever comes first (`window_of`); open-ended without either. An incident's possible time is an interval of
  instants: its days, from 00:00 of the first to 24:00 of the last in the local time of its country (a party's
  country has the zone the actor dictionary's `[[side]]` gives it; anywhere else UTC), widened by its time precision
  as resolution widens it (a week: three days either side). Wholly within the window: inside; wholly before or after:
  outside; across a boundary: uncertain.
- **Accused.** Only violent incidents (battles, explosions and remote violence, violence against civilians) are
  attributed, and only with backing: a party whose forces, or a group it answers for, a report codes as the
  perpetrator (actor1); a party that acknowledges the incident; or, for a strike or shelling whose attacker is
  unidentified, the other party of a two-party agreement, accused by the claim of the party it hit. A party is accused
  only of the commitments it is bound by that concern the incident; attributed but bound by none, it is not accused.
- **Evidence.** denied (an accused party denies occurrence or responsibility, and has not acknowledged since),
  contested (the incident record is contested), corroborated (two or more independent source groups), single source.

The views (`party_summary`, `daily_counts`, `escalation_timeline`) summarise assessments for the report and the CLI.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from trucewatch.pipeline.incident import total_fatalities
from trucewatch.pipeline.sides import Sides
from trucewatch.records import (
    TIME_DAY,
    TIME_MONTH,
    TIME_WEEK,
    Agreement,
    Assessment,
    Incident,
    SourcedClaim,
    Window,
)

VIOLENT = ("Battles", "Explosions/Remote violence", "Violence against civilians")
HALF_WIDTH = {TIME_DAY: 0, TIME_WEEK: 3, TIME_MONTH: 15}  # days either side of a date, as resolution reads precision
# Sub-event types that only a state's forces carry out in this conflict: without an identified perpetrator, the claim
# of responsibility or civilian deaths by the party they hit accuses the other party's forces.
STATE_STRIKES = ("Air/drone strike", "Shelling/artillery/missile attack")
UNIDENTIFIED = "UNK"
ACCUSING_TOPICS = ("occurrence", "responsibility", "civilian deaths", "casualties")
DENIED_TOPICS = ("occurrence", "responsibility")


# --- windows and times -----------------------------------------------------------------------------------------------

def window_of(agreement: Agreement, agreements: Iterable[Agreement] = ()) -> Window:
    """When `agreement` is in force: to its end, or to the start of a later agreement that supersedes it, whichever
    is first; open when neither."""
    start, end = _utc(agreement.start), _utc(agreement.end) if agreement.end else None
    enders = sorted((a for a in agreements if agreement.agreement_id in a.supersedes and _utc(a.start) > start),
                    key=lambda a: _utc(a.start))
    if enders and (end is None or _utc(enders[0].start) < end):
        return Window(agreement.agreement_id, start, _utc(enders[0].start), enders[0].agreement_id)
    return Window(agreement.agreement_id, start, end)


def _utc(at: datetime) -> datetime:
    """In UTC: Python compares and subtracts two times of one zone by their clock readings, which summer time
    makes wrong; in UTC it is always right."""
    return at.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class PossibleTime:
    """The instants an incident may have happened in, [start, end), and how that was read, in words."""

    start: datetime
    end: datetime
    zone: str
    words: str
    days: tuple[date, date]  # the first and last possible local day


def zone_of(incident: Incident, sides: Sides | None = None) -> str:
    """The time zone an incident's dates are read in: its country's, if a party's, else UTC."""
    return zone_of_country(incident.place.country if incident.place else None, sides)


def zone_of_country(country: str | None, sides: Sides | None = None) -> str:
    return (sides or Sides.shipped()).zone_of_country(country)


def possible_time(incident: Incident, sides: Sides | None = None) -> PossibleTime | None:
    """The interval of instants the incident may have happened in; None for an undated incident."""
    return possible_time_of(incident.first_date, incident.last_date, incident.time_precision,
                            incident.place.country if incident.place else None, sides)


def possible_time_of(first_date: date | None, last_date: date | None, precision: int,
                     country: str | None, sides: Sides | None = None) -> PossibleTime | None:
    """`possible_time` from an incident's dates, time precision and country alone (what its stored summary holds),
    so that a window status can be read without describing the incident."""
    if first_date is None:
        return None
    tz = zone_of_country(country, sides)
    first, last = first_date, last_date or first_date
    half = HALF_WIDTH.get(precision, HALF_WIDTH[TIME_MONTH])
    if precision != TIME_DAY and first == last:
        first, last = first - timedelta(days=half), last + timedelta(days=half)
    return PossibleTime(_utc(_midnight(first, tz)), _utc(_midnight(last + timedelta(days=1), tz)), tz,
                        _date_words(first_date, last_date, precision, first, last, tz), (first, last))


def _midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))


def _date_words(stated: date, stated_last: date | None, precision: int, first: date, last: date, tz: str) -> str:
    if precision == TIME_DAY:
        span = f"the day {first}" if first == last else f"the days {first} to {last}"
        return f"dated to {span} in {tz}"
    unit = "week" if precision == TIME_WEEK else "month"
    if stated == stated_last or stated_last is None:
        return f"dated to the {unit} around {stated} ({first} to {last}) in {tz}"
    return f"dated to {first} to {last}, no closer than a {unit}, in {tz}"


def window_status(when: PossibleTime | None, window: Window) -> str:
    """inside, outside or uncertain (undated incidents are uncertain)."""
    if when is None:
        return "uncertain"
    if when.end <= window.start or (window.end is not None and when.start >= window.end):
        return "outside"
    if when.start >= window.start and (window.end is None or when.end <= window.end):
        return "inside"
    return "uncertain"


# --- assessment ------------------------------------------------------------------------------------------------------

@dataclass
class _Accusation:
    party: str
    via: str | None  # the side of the group the party answers for; None: its own forces
    basis: list[str] = field(default_factory=list)
    accusers: set[str] = field(default_factory=set)
    commitments: tuple[str, ...] = ()


def assess_all(incidents: Iterable[Incident], agreement: Agreement, agreements: Iterable[Agreement] = (),
               sides: Sides | None = None) -> list[Assessment]:
    """`assess` for each incident, in the order given."""
    sides = sides or Sides.shipped()
    window = window_of(agreement, agreements)
    return [assess(incident, agreement, window=window, sides=sides) for incident in incidents]


def assess(incident: Incident, agreement: Agreement, agreements: Iterable[Agreement] = (), *,
           window: Window | None = None, sides: Sides | None = None) -> Assessment:
    """One incident against one agreement (see the module docstring and docs/agreements.md)."""
    sides = sides or Sides.shipped()
    window = window or window_of(agreement, agreements)
    when = possible_time(incident, sides)
    status = window_status(when, window)
    accusations, note = _attribute(incident, agreement, sides)
    accused = tuple(p.code for p in agreement.parties if any(a.party == p.code for a in accusations))
    accusers = tuple(p.code for p in agreement.parties if any(p.code in a.accusers for a in accusations))
    found = {c for a in accusations for c in a.commitments}
    commitments = tuple(c.commitment_id for c in agreement.commitments if c.commitment_id in found)
    evidence, evidence_words = _evidence(incident, accused)
    reason = " ".join(s for s in (_window_reason(when, status, window, agreement, sides.zone_names),
                                  _accusation_reason(accusations, note), evidence_words) if s)
    p = incident.place
    return Assessment(
        incident_id=incident.incident_id, agreement_id=agreement.agreement_id, window_status=status, reason=reason,
        commitments=commitments, accused=accused, accusers=accusers, evidence_state=evidence,
        first_date=incident.first_date, last_date=incident.last_date, event_type=incident.event_type,
        sub_event_type=incident.sub_event_type, location=p.name if p else None, admin1=p.admin1 if p else None,
        country=p.country if p else None, latitude=p.latitude if p else None, longitude=p.longitude if p else None,
        fatalities_best=total_fatalities(incident.estimates)[1], time_precision=incident.time_precision,
        accused_under=tuple((party, c.commitment_id) for party in accused for c in agreement.commitments
                            if any(a.party == party and c.commitment_id in a.commitments for a in accusations)))


def _attribute(incident: Incident, agreement: Agreement, sides: Sides) -> tuple[list[_Accusation], str]:
    """The backed accusations that some commitment covers, and a note on why there are none, if there are none."""
    if incident.event_type not in VIOLENT:
        return [], f"Not violent ({incident.event_type}): no commitment concerns it."
    codes = tuple(p.code for p in agreement.parties)
    found: dict[tuple[str, str | None], _Accusation] = {}
    perpetrators = _coded(incident, agreement, sides, found)
    claims = [c for c in incident.claims if c.party in codes]
    _acknowledged(claims, found)
    if not found and all(side in (None, UNIDENTIFIED) for side in perpetrators.values()):
        _inferred(incident, agreement, claims, sides, found)
    _accusers(claims, found)
    for accusation in found.values():
        accusation.commitments = _commitments(incident, agreement, accusation, sides)
    covered = [a for a in found.values() if a.commitments]
    return covered, _no_accusation_note(found, perpetrators, agreement) if not covered else ""


def _coded(incident: Incident, agreement: Agreement, sides: Sides,
           found: dict[tuple[str, str | None], _Accusation]) -> dict[str, str | None]:
    """Accusations from the perpetrators the reports code (actor1); returns every perpetrator name with its side."""
    answering = {group: p.code for p in agreement.parties for group in p.answers_for}
    codes = {p.code for p in agreement.parties}
    names = dict.fromkeys(name for name in (incident.actor1, *(e.actor1 for e in incident.events)) if name)
    perpetrators = {name: sides.side_of(name) for name in names}
    for name, side in perpetrators.items():
        if side in codes:
            _accusation(found, side, None).basis.append(f"coded perpetrator {name}")
        elif side in answering:
            _accusation(found, answering[side], side).basis.append(
                f"coded perpetrator {name}, which {answering[side]} answers for")
    return perpetrators


def _acknowledged(claims: list[SourcedClaim], found: dict[tuple[str, str | None], _Accusation]) -> None:
    """A party that later acknowledges the incident is accused of it, whoever the reports code."""
    for c in claims:
        if c.claim.stance == "acknowledges_later":
            _accusation(found, c.party, None).basis.append(f"acknowledged by {c.party} on {c.made_on}")


def _inferred(incident: Incident, agreement: Agreement, claims: list[SourcedClaim], sides: Sides,
              found: dict[tuple[str, str | None], _Accusation]) -> None:
    """A strike or shelling with no identified perpetrator: in a two-party agreement, the party it hit accuses the
    other when it asserts responsibility or civilian deaths (only a state's forces strike or shell here)."""
    codes = [p.code for p in agreement.parties]
    if len(codes) != 2 or incident.sub_event_type not in STATE_STRIKES:
        return
    for c in claims:
        accusing = c.claim.about in ("responsibility", "civilian deaths")
        if c.claim.stance != "asserts" or not accusing or not _happened_to(incident, c.party, sides):
            continue
        other = codes[1] if c.party == codes[0] else codes[0]
        accusation = _accusation(found, other, None)
        accusation.basis.append(f"{c.party}'s claim of {c.claim.about}, the attacker being unidentified")
        accusation.accusers.add(c.party)


def _happened_to(incident: Incident, party: str, sides: Sides) -> bool:
    """The incident took place in the party's country, or hit its forces or its civilians."""
    country = incident.place.country if incident.place else None
    if country is not None and country == sides.countries.get(party):
        return True
    return any(_victim_side(e.actor2, sides) in (party, f"CIV_{party}") for e in incident.events if e.actor2)


def _victim_side(name: str | None, sides: Sides) -> str | None:
    return sides.side_of(name) if name else None


def _accusers(claims: list[SourcedClaim], found: dict[tuple[str, str | None], _Accusation]) -> None:
    """Parties whose claims assert the incident, its toll or responsibility for it against another party."""
    for accusation in found.values():
        for c in claims:
            if c.party != accusation.party and c.claim.stance == "asserts" and c.claim.about in ACCUSING_TOPICS:
                accusation.accusers.add(c.party)


def _accusation(found: dict[tuple[str, str | None], _Accusation], party: str, via: str | None) -> _Accusation:
    return found.setdefault((party, via), _Accusation(party, via))


def _commitments(incident: Incident, agreement: Agreement, accusation: _Accusation,
                 sides: Sides) -> tuple[str, ...]:
    """The commitments binding the accused party that concern the incident: for its own forces, by the incident's
    tags; for a group it answers for, the commitments that concern 'proxy'."""
    bound = [c for c in agreement.commitments if accusation.party in c.binds]
    if accusation.via is not None:
        return tuple(c.commitment_id for c in bound if "proxy" in c.concerns)
    tags = incident_tags(incident, accusation.party, agreement, sides)
    return tuple(c.commitment_id for c in bound if tags & set(c.concerns))


def incident_tags(incident: Incident, party: str, agreement: Agreement, sides: Sides) -> set[str]:
    """What an incident is, for commitments, when `party`'s forces did it: its event type and sub-event type;
    violence; cross-border (in another party's or any other country than the party's own, or against another party's
    forces); forces (another party's forces the target); civilians (another party's civilians hit: coded as the
    target, or civilians counted or claimed dead in another party's country)."""
    tags = {incident.event_type, incident.sub_event_type}
    if incident.event_type in VIOLENT:
        tags.add("violence")
    others = [p.code for p in agreement.parties if p.code != party]
    targets = {_victim_side(e.actor2, sides) for e in incident.events if e.actor2}
    country = incident.place.country if incident.place else None
    home = sides.countries.get(party)
    if targets & set(others):
        tags |= {"forces", "cross-border"}
    if country is not None and home is not None and country != home:
        tags.add("cross-border")
    abroad = country is not None and country in {sides.countries.get(o) for o in others}
    if targets & {f"CIV_{o}" for o in others} or (abroad and _civilians_dead(incident)):
        tags.add("civilians")
    return tags


def _civilians_dead(incident: Incident) -> bool:
    return (any(f.figure.victims == "civilians" for f in incident.figures)
            or any(c.claim.about == "civilian deaths" and c.claim.stance == "asserts" for c in incident.claims))


def _evidence(incident: Incident, accused: Sequence[str]) -> tuple[str, str]:
    """The evidence state, and a sentence saying why."""
    for party in accused:
        denial = _standing_denial(incident.claims, party)
        if denial is not None:
            return "denied", f"Evidence: denied by {party} ({denial.claim.about}, {denial.made_on})."
    if incident.contested:
        return "contested", f"Evidence: contested ({'; '.join(incident.reasons)})."
    groups = {s.source_group or s.report_id for s in incident.sources}
    if len(groups) >= 2:
        return "corroborated", f"Evidence: corroborated by {len(groups)} independent sources."
    return "single source", "Evidence: a single source."


def _standing_denial(claims: Iterable[SourcedClaim], party: str) -> SourcedClaim | None:
    """The party's latest denial of occurrence or responsibility, unless it acknowledged the incident on that day
    or later."""
    own = [c for c in claims if c.party == party]
    denials = [c for c in own if c.claim.stance == "denies" and c.claim.about in DENIED_TOPICS]
    if not denials:
        return None
    latest = max(denials, key=lambda c: c.made_on)
    later = [c for c in own if c.claim.stance == "acknowledges_later" and c.made_on >= latest.made_on]
    return None if later else latest


# --- reasons in words ------------------------------------------------------------------------------------------------

def _window_reason(when: PossibleTime | None, status: str, window: Window, agreement: Agreement,
                   names: Mapping[str, str]) -> str:
    kind = f"the {agreement.kind}"
    if when is None:
        return f"Undated: it cannot be placed against {kind} ({_window_words(window, agreement, names)})."
    if status == "inside":
        return f"{_cap(when.words)}: wholly within {kind} ({_window_words(window, agreement, names)})."
    if status == "outside":
        if when.end <= window.start:
            return f"{_cap(when.words)}: before {kind} began at {_at(window.start, agreement.tz, names, when)}."
        return f"{_cap(when.words)}: after {kind} {_ended(window, agreement, names, when)}."
    crossed = []
    if when.start < window.start < when.end:
        crossed.append(f"{kind} began at {_at(window.start, agreement.tz, names, when)}")
    if window.end is not None and when.start < window.end < when.end:
        crossed.append(f"{kind} {_ended(window, agreement, names, when)}")
    return f"{_cap(when.words)}; {' and '.join(crossed)}."


def _ended(window: Window, agreement: Agreement, names: Mapping[str, str], when: PossibleTime | None = None) -> str:
    assert window.end is not None
    at = _at(window.end, agreement.tz, names, when)
    return f"ended at {at}, when {window.ended_by} superseded it" if window.ended_by else f"ended at {at}"


def _window_words(window: Window, agreement: Agreement, names: Mapping[str, str]) -> str:
    start = _at(window.start, agreement.tz, names)
    if window.end is None:
        return f"from {start}, open-ended"
    return f"from {start} to {_at(window.end, agreement.tz, names)}" + (
        f", when {window.ended_by} superseded it" if window.ended_by else "")


def _at(instant: datetime, tz: str, names: Mapping[str, str], when: PossibleTime | None = None) -> str:
    """'18:00 PKT on 2025-10-15'; against a one-day incident '18:00 PKT that day'; with the clock of the incident's
    zone where it differs: '18:00 PKT (17:30 in Asia/Kabul that day)'."""
    local = instant.astimezone(ZoneInfo(tz))
    text = f"{local:%H:%M} {zone_name(tz, local, names)}"
    if when is None or when.zone == tz:
        return f"{text}{_day_words(local.date(), when)}"
    there = instant.astimezone(ZoneInfo(when.zone))
    where = "UTC" if when.zone == "UTC" else f"in {when.zone}"
    aside = f"({there:%H:%M} {where}{_day_words(there.date(), when)})"
    return f"{text} {aside}" if there.date() == local.date() else f"{text} on {local.date()} {aside}"


def _day_words(day: date, when: PossibleTime | None) -> str:
    if when is not None and when.days[0] == when.days[1] == day:
        return " that day"
    return f" on {day}"


def zone_name(tz: str, at: datetime | None = None, names: Mapping[str, str] | None = None) -> str:
    """A short name for a zone: the one the conflict's sides give it (PKT, AFT; default: the shipped data's), UTC, or
    the zone's own abbreviation, else its offset."""
    names = Sides.shipped().zone_names if names is None else names
    if tz in names:
        return names[tz]
    if tz == "UTC":
        return "UTC"
    name = (at or datetime.now(UTC)).astimezone(ZoneInfo(tz)).tzname() or tz
    return name if name.isalpha() else f"UTC{name}"


def _accusation_reason(accusations: list[_Accusation], note: str) -> str:
    if not accusations:
        return note
    parts = []
    for a in accusations:
        basis = "; ".join(dict.fromkeys(a.basis))
        accusers = f"; accused by {', '.join(sorted(a.accusers))}" if a.accusers else ""
        parts.append(f"{a.party} ({basis}{accusers}) under {', '.join(a.commitments)}")
    return "Accused: " + "; ".join(parts) + "."


def _no_accusation_note(found: dict[tuple[str, str | None], _Accusation], perpetrators: dict[str, str | None],
                        agreement: Agreement) -> str:
    if found:
        names = ", ".join(sorted({a.party for a in found.values()}))
        return f"No party accused: {names} is attributed, but no commitment binding it concerns this incident."
    named = [name for name, side in perpetrators.items() if side not in (None, UNIDENTIFIED)]
    if named:
        return (f"No party accused: the coded perpetrator ({', '.join(named)}) is no party's forces, nor a group a "
                f"party of {agreement.agreement_id} answers for.")
    return "No party accused: the perpetrator is unidentified and no party's claim accuses one."


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- views -----------------------------------------------------------------------------------------------------------

def potential_violation(a: Assessment) -> bool:
    """Inside the window, or across a boundary of it, with a party accused under a commitment."""
    return a.window_status in ("inside", "uncertain") and bool(a.accused) and bool(a.commitments)


@dataclass(frozen=True, slots=True)
class PartySummary:
    """One party's potential violations of an agreement: `total` incidents inside the window or across a boundary of
    it (`uncertain` of them across), per commitment, and by evidence: `corroborated` or `alleged_only` (single
    source, contested or denied; `denied` of them denied by the party)."""

    party: str
    name: str
    total: int
    uncertain: int
    by_commitment: tuple[tuple[str, int], ...]
    corroborated: int
    alleged_only: int
    denied: int = 0
    accused_by: tuple[tuple[str, int], ...] = ()  # (accusing party, how many of these incidents it accuses)


def party_summary(assessments: Iterable[Assessment], agreement: Agreement) -> list[PartySummary]:
    """Per party of the agreement, its potential violations (see `potential_violation`)."""
    found = [a for a in assessments if potential_violation(a)]
    summaries = []
    for party in agreement.parties:
        own = [a for a in found if party.code in a.accused]
        bound = [c for c in agreement.commitments if party.code in c.binds]
        by_commitment = tuple((c.commitment_id, sum((party.code, c.commitment_id) in a.accused_under for a in own))
                              for c in bound)
        corroborated = sum(a.evidence_state == "corroborated" for a in own)
        accusers = Counter(p for a in own for p in a.accusers if p != party.code)
        summaries.append(PartySummary(
            party=party.code, name=party.name, total=len(own),
            uncertain=sum(a.window_status == "uncertain" for a in own),
            by_commitment=by_commitment, corroborated=corroborated, alleged_only=len(own) - corroborated,
            denied=sum(a.evidence_state == "denied" for a in own), accused_by=tuple(sorted(accusers.items()))))
    return summaries


@dataclass(frozen=True, slots=True)
class DayCount:
    """Potential violations by one party on one day (an incident counts on its first possible day, or the window's
    first or last day if that lies outside), with the change from the day before (None on the first day), OSCE
    daily-report style; `uncertain` of them across a boundary of the window."""

    day: date
    party: str
    count: int
    change: int | None
    uncertain: int


def daily_counts(assessments: Iterable[Assessment], agreement: Agreement,
                 agreements: Iterable[Agreement] = ()) -> list[DayCount]:
    """Every day of the window in the agreement's zone (its end counted from `agreements` that supersede it; an
    open window runs to the last potential violation), for every party, zeros included."""
    found = [a for a in assessments if potential_violation(a)]
    window = window_of(agreement, agreements)
    tz = ZoneInfo(agreement.tz)
    first = window.start.astimezone(tz).date()
    if window.end is not None:
        last = (window.end - timedelta(microseconds=1)).astimezone(tz).date()
    else:
        last = max([first, *(d for d in map(_first_day, found) if d)])
    counts: dict[tuple[date, str], list[Assessment]] = defaultdict(list)
    for a in found:
        day = min(max(_first_day(a) or first, first), last)
        for party in a.accused:
            counts[(day, party)].append(a)
    order = [p.code for p in agreement.parties]
    rows = []
    for party in order:
        before: int | None = None
        for n in range((last - first).days + 1):
            day = first + timedelta(days=n)
            today = counts.get((day, party), [])
            rows.append(DayCount(day, party, len(today), None if before is None else len(today) - before,
                                 sum(a.window_status == "uncertain" for a in today)))
            before = len(today)
    return sorted(rows, key=lambda r: (r.day, order.index(r.party)))


def _first_day(a: Assessment) -> date | None:
    """The first day an assessed incident may have happened on (a week-precise date reaches three days back)."""
    if a.first_date is None or a.time_precision == TIME_DAY or a.first_date != a.last_date:
        return a.first_date
    return a.first_date - timedelta(days=HALF_WIDTH.get(a.time_precision, HALF_WIDTH[TIME_MONTH]))


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One incident on the timeline: `type` is its sub-event type, `status` its window status."""

    day: date | None
    incident_id: str
    type: str
    place: str
    fatalities_best: int | None
    accused: tuple[str, ...]
    status: str
    event_type: str = ""
    accusers: tuple[str, ...] = ()
    evidence_state: str = ""
    commitments: tuple[str, ...] = ()


def escalation_timeline(assessments: Iterable[Assessment]) -> list[TimelineEntry]:
    """The assessed incidents in date order (undated last), one entry each."""
    entries = [TimelineEntry(
        day=a.first_date, incident_id=a.incident_id, type=a.sub_event_type, place=place_words(a),
        fatalities_best=a.fatalities_best, accused=a.accused, status=a.window_status, event_type=a.event_type,
        accusers=a.accusers, evidence_state=a.evidence_state, commitments=a.commitments) for a in assessments]
    return sorted(entries, key=lambda e: (e.day is None, e.day or date.min, e.incident_id))


def place_words(a: Assessment) -> str:
    return ", ".join(dict.fromkeys(part for part in (a.location, a.admin1, a.country) if part)) or "unknown"


def status_counts(assessments: Iterable[Assessment]) -> dict[str, int]:
    """How many assessments are inside, outside and uncertain."""
    counts = Counter(a.window_status for a in assessments)
    return {status: counts.get(status, 0) for status in ("inside", "uncertain", "outside")}

