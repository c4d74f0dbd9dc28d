"""Resolve events of many reports into incidents: one incident per real-world happening.

An event joins the incident it fits best, or founds a new one. It fits an incident when it fits at least one of the
incident's events and conflicts with none of them (so incidents do not chain from day to day or town to town):

- dates: each event is an interval of days (a day, the night of two days, or the range its precision allows: a
  week-precise date is the week around it) and the intervals must overlap within a day — reports often date one
  happening a day apart ("overnight", the statement's day, time zones) — and lie within two days of every account;
- places: within 15 km when both are towns, 40 km when either is a district or "near" a town, or in the same
  province when either is only known to the province (ACLED precision 3); it must be at the place of every account
  (at one of the sites, for an account that names several);
- types: the same event type, or a defensible alternative (a suicide bombing and the gunfight around it);
- actors: order-free; two named armed groups that differ (the TTP and the BLA) are different happenings;
- two events of one report never join each other: the extractor already split that report's happenings — except the
  sites of one happening: one sentence that tells of one attack at several places ("Afghan forces opened fire on posts
  in Kurram, Bajaur and Chitral") gives an event per site, as ACLED codes them, and those events share an incident,
  so a toll given for the whole night sits beside the toll another party gives for it.

An account known only to the province, or only to a week or a month, that fits two incidents about equally well
cannot say which it tells of: it founds its own incident rather than mix two happenings' claims, and nothing joins
that incident later (it tells of one of the incidents it fits, not of a new one). Events a monitor
merged or pinned into an incident do not keep new accounts out of it.

Candidates are found through indexes by (day, cell), (day, district) and (day, province), so each event is compared
with a handful of incidents, not all of them. An incident is indexed by its anchor (its first precise plain account,
which every later account must fit) rather than by every account, so a big incident's month-wide and province-only
accounts do not spread it over every day and cell they could mean; each index entry keeps the account it was made
from, and an incident whose account the event cannot fit in type, armed group or days is left out before comparing.
Resolution is incremental:
`Resolver.add` places one new event among incidents already known; `resolve` replays every event (precise accounts
in date order, then coarse ones: `resolution_order`), which gives the same incident ids every time for the same
events.

Monitor overrides (merge, split, pin) are applied after the automatic pass, in the order they were made, so they
survive re-resolution and re-ingest. A split event is never joined automatically, and joins nothing.
"""
from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import count

from trucewatch.pipeline.extract.event_types import DEFENSIBLE, STRATEGIC, defensible
from trucewatch.pipeline.sides import Sides
from trucewatch.records import Event, Override

# Cells of the index: an event is compared with the incidents in its cell and the 8 around it, so a cell must be
# wider than the farthest two events of one happening may lie apart — NEAR_KM for any point, TOWN_KM between two
# towns — up to 38° N, where a degree of longitude is 88 km.
CELL_DEGREES = 0.5
TOWN_CELL = 0.2
AMBIGUITY_MARGIN = 0.5  # a coarse account joins the best incident only if it fits clearly better than the next
DAY_TOLERANCE = 1
# An event must fit one account of an incident within DAY_TOLERANCE, and lie within one more day of every other:
# accounts of one happening spread over two or three days ("overnight", a late statement), chains of days do not.
SPREAD_TOLERANCE = 1
TOWN_KM, NEAR_KM = 15.0, 40.0
# How far an undated-to-the-day event may lie from its date: ACLED time precision 2 is a week, 3 a month.
HALF_WIDTH = {1: 0, 2: 3, 3: 15}


@dataclass(frozen=True, slots=True)
class Candidate:
    """The few fields of an event that resolution reads: a million of them fit in memory."""

    event_id: str
    report_id: str
    first_day: int  # proleptic ordinal of the first possible day
    last_day: int
    latitude: float | None
    longitude: float | None
    geo_precision: int
    country: str | None
    admin1: str | None
    admin2: str | None
    event_type: str
    sub_event_type: str
    groups: frozenset[str]  # sides of named non-state armed groups among the actors
    happening: str | None = None  # events of one report with the same key are sites of one happening


def candidate_of(event: Event, side_of: Callable[[str], str | None],
                 not_groups: Collection[str] | None = None) -> Candidate | None:
    """The resolution view of an event, or None for an undated event (it cannot be matched in time).

    Sides that name one armed group are kept (two different ones make two happenings): every side but `not_groups`,
    the parties, their civilians, the media and the generic markers of the conflict (`Sides.not_groups`; default:
    the shipped data's)."""
    if event.event_date is None:
        return None
    generic = Sides.shipped().not_groups if not_groups is None else not_groups
    first, last = _day_range(event.event_date, event.event_date_end, event.time_precision)
    place = event.place
    sides = {side_of(name) for name in (event.actor1, event.actor2) if name}
    return Candidate(
        event_id=event.event_id, report_id=event.report_id, first_day=first, last_day=last,
        latitude=place.latitude if place else None, longitude=place.longitude if place else None,
        geo_precision=place.geo_precision if place else 3, country=place.country if place else None,
        admin1=place.admin1 if place else None, admin2=place.admin2 if place else None,
        event_type=event.event_type, sub_event_type=event.sub_event_type,
        groups=frozenset(s for s in sides if s and s not in generic), happening=_happening(event))


def _happening(event: Event) -> str | None:
    """Report, trigger sentence, type and dates: shared by the events the extractor split by site from one sentence.
    None when the event's provenance is not loaded (stored events compared by their own columns only)."""
    trigger = next((span for name, span in event.provenance if name == "event_type"), None)
    if trigger is None:
        return None
    return f"{event.report_id}|{trigger.start}|{event.event_type}|{event.event_date}|{event.event_date_end}"


def day_range(event: Event) -> tuple[date, date] | None:
    """The days an event may have happened on: its date, its stated range, or the week or month an imprecise date
    allows; None for an undated event."""
    if event.event_date is None:
        return None
    first, last = _day_range(event.event_date, event.event_date_end, event.time_precision)
    return date.fromordinal(first), date.fromordinal(last)


def _day_range(start: date, end: date | None, precision: int) -> tuple[int, int]:
    if end is not None and end >= start:
        return start.toordinal(), end.toordinal()
    half = HALF_WIDTH.get(precision, 0)
    return start.toordinal() - half, start.toordinal() + half


def incident_id_for(event_id: str) -> str:
    """An incident is named after the event that founded it, so replaying the same events gives the same ids."""
    return "inc-" + hashlib.sha1(event_id.encode()).hexdigest()[:12]


# --- whether two events can be one happening --------------------------------------------------------------------

def fit(a: Candidate, b: Candidate) -> float | None:
    """How well two events fit as one happening (higher is better), or None if they cannot be one."""
    if a.report_id == b.report_id or not _types_fit(a, b):
        return None
    gap = _day_gap(a, b)
    if gap > DAY_TOLERANCE:
        return None
    closeness = _place_fit(a, b)
    if closeness is None:
        return None
    if a.groups and b.groups and not a.groups & b.groups:
        return None
    score = 2.0 - gap + closeness
    score += 1.0 if a.sub_event_type == b.sub_event_type else 0.0
    score += 0.5 if a.groups & b.groups else 0.0
    return score


def _conflicts_only_in_place(a: Candidate, b: Candidate) -> bool:
    """True when two events of different reports would fit but for their places (another site of one happening)."""
    return (_types_fit(a, b) and _day_gap(a, b) <= DAY_TOLERANCE + SPREAD_TOLERANCE
            and not (a.groups and b.groups and not a.groups & b.groups))


def _types_fit(a: Candidate, b: Candidate) -> bool:
    return _types_fit_values(a, b.event_type, b.sub_event_type)


def _types_fit_values(a: Candidate, event_type: str, sub_event_type: str) -> bool:
    if (a.event_type == STRATEGIC) != (event_type == STRATEGIC):
        return False
    if a.event_type == STRATEGIC:
        return a.sub_event_type == sub_event_type
    return a.event_type == event_type or defensible(a.sub_event_type, sub_event_type)


def fitting_types(event_type: str, sub_event_type: str) -> tuple[str | None, frozenset[str]]:
    """What another account may be typed as to be one happening with this one (`_types_fit`): any sub-type of
    the returned event type (None for a strategic development, which fits only its own sub-type), or one of the
    returned sub-types."""
    if event_type == STRATEGIC:
        return None, frozenset({sub_event_type})
    return event_type, frozenset({sub_event_type}.union(*(pair for pair in DEFENSIBLE if sub_event_type in pair)))


def _day_gap(a: Candidate, b: Candidate) -> int:
    return max(0, a.first_day - b.last_day, b.first_day - a.last_day)


def _place_fit(a: Candidate, b: Candidate) -> float | None:
    """1 for the same spot, falling towards 0 at the edge of what may be one place; None if it may not."""
    if a.country and b.country and a.country != b.country:
        return None
    coarse = max(a.geo_precision, b.geo_precision)
    if coarse >= 3:
        return 0.2 if a.admin1 and a.admin1 == b.admin1 else None
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return 0.2 if a.admin1 and a.admin1 == b.admin1 else None
    distance = km(a.latitude, a.longitude, b.latitude, b.longitude)
    limit = TOWN_KM if coarse == 1 else NEAR_KM
    if distance <= limit:
        return 1.0 - distance / limit
    if coarse == 2 and a.admin2 and a.admin2 == b.admin2:
        return 0.1
    return None


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, h)))


# An index's bucket: the incidents under one key, each with the account it was indexed by (None for a monitor's
# decision, which holds no later event to anything), so `_nearby` can leave out what cannot fit before comparing.
_Bucket = dict[str, Candidate | None]
_EMPTY: _Bucket = {}

# --- the resolver ------------------------------------------------------------------------------------------------

def _place_key(c: Candidate) -> tuple:
    return (c.latitude, c.longitude, c.geo_precision, c.country, c.admin1, c.admin2)


def _score_key(c: Candidate) -> tuple:
    return (c.first_day, c.last_day, c.sub_event_type, c.groups)


class _Accounts:
    """One incident's accounts, as `Resolver._fit_incident` reads them.

    A big incident is hundreds of reports of one happening, geocoded to the same few places, dated to the same few
    days, typed and blamed the same few ways. Its single-event accounts are kept as counts of what `fit` reads, each
    facet apart: the (type, sub-type) pairs, the armed groups named, the first and last days, the places, and the
    (days, sub-type, groups) each place was given with. An event fits every such account when it fits every distinct
    value of each facet (the conditions are separate), and its best score is found over the distinct (days, sub-type,
    groups) and places, not over reports: so fitting an event costs the number of distinct values, which stops
    growing long before the incident does.

    Accounts that are not one plain event — several sites of one report, or an event a monitor decided — are kept
    whole (`whole`: report id -> its events) and compared event by event."""

    __slots__ = ("reports", "simple_of", "whole", "isolated", "types", "groups", "firsts", "lasts", "places",
                 "provinces", "scored", "_span")

    def __init__(self) -> None:
        self.reports: set[str] = set()
        self.simple_of: dict[str, Candidate] = {}  # report id -> its one event
        self.whole: dict[str, list[Candidate]] = {}
        self.isolated = False
        self.types: Counter[tuple[str, str]] = Counter()
        self.groups: Counter[frozenset[str]] = Counter()
        self.firsts: Counter[int] = Counter()
        self.lasts: Counter[int] = Counter()
        self.places: dict[tuple, list] = {}  # place key -> [an event at it, how many]
        self.provinces: Counter[tuple[str | None, str | None]] = Counter()  # (country, admin1) of each account
        self._span: tuple[int, int] | None = None  # (earliest last day, latest first day), kept until a count moves
        self.scored: dict[tuple, Counter[tuple]] = {}  # (days, sub-type, groups) -> place keys it was given with

    def add(self, c: Candidate, special: bool) -> None:
        if c.report_id in self.simple_of:  # a second site of this report: the account is kept whole from now on
            first = self.simple_of.pop(c.report_id)
            self._count(first, -1)
            self.whole[c.report_id] = [first]
        if special or c.report_id in self.whole:
            self.whole.setdefault(c.report_id, []).append(c)
        else:
            self.simple_of[c.report_id] = c
            self._count(c, 1)
        self.reports.add(c.report_id)

    def _count(self, c: Candidate, step: int) -> None:
        _step(self.types, (c.event_type, c.sub_event_type), step)
        if c.groups:
            _step(self.groups, c.groups, step)
        _step(self.firsts, c.first_day, step)
        _step(self.lasts, c.last_day, step)
        _step(self.provinces, (c.country, c.admin1), step)
        self._span = None
        place = _place_key(c)
        entry = self.places.setdefault(place, [c, 0])
        entry[1] += step
        if not entry[1]:
            del self.places[place]
        _step(self.scored.setdefault(_score_key(c), Counter()), place, step)
        if not self.scored[_score_key(c)]:
            del self.scored[_score_key(c)]

    def simple_fit(self, c: Candidate) -> tuple[bool, float | None]:
        """Whether `c` fits every single-event account (as `fit`, or but for a day, at its place), and the best
        `fit` score among them (None when none is within DAY_TOLERANCE)."""
        if not self.firsts:
            return True, None
        if any(not _types_fit_values(c, event_type, sub) for event_type, sub in self.types):
            return False, None
        if c.groups and any(not group & c.groups for group in self.groups):
            return False, None
        if self._span is None:
            self._span = (min(self.lasts), max(self.firsts))
        earliest_last, latest_first = self._span
        if c.first_day - earliest_last > DAY_TOLERANCE + SPREAD_TOLERANCE or \
                latest_first - c.last_day > DAY_TOLERANCE + SPREAD_TOLERANCE:
            return False, None
        closeness = self._closeness(c)
        if closeness is None:
            return False, None
        return True, self._best_score(c, closeness)

    def _closeness(self, c: Candidate) -> dict[tuple, float] | float | None:
        """`_place_fit` of `c` with each place (one figure when `c` has no point: it is compared by province, so
        only each account's country and province matter), or None when one place does not fit."""
        if _has_no_point(c):
            if any(not c.admin1 or admin1 != c.admin1 or (country and c.country and country != c.country)
                   for country, admin1 in self.provinces):
                return None
            return 0.2
        closeness = {}
        for place, (member, _) in self.places.items():
            found = _place_fit(c, member)
            if found is None:
                return None
            closeness[place] = found
        return closeness

    def _best_score(self, c: Candidate, closeness: dict[tuple, float] | float) -> float | None:
        """The best `fit` score of `c` with an account within DAY_TOLERANCE; it stops at the highest possible."""
        highest = 2.0 + (closeness if isinstance(closeness, float) else max(closeness.values())) + 1.0 + \
            (0.5 if c.groups else 0.0)
        best = None
        for (first, last, sub, groups), places in self.scored.items():
            gap = max(0, c.first_day - last, first - c.last_day)
            if gap > DAY_TOLERANCE:
                continue
            near = closeness if isinstance(closeness, float) else max(map(closeness.__getitem__, places))
            score = 2.0 - gap + near + (1.0 if sub == c.sub_event_type else 0.0) + (0.5 if groups & c.groups else 0.0)
            if best is None or score > best:
                best = score
                if best >= highest:
                    break
        return best


def _step(counter: Counter, key: object, step: int) -> None:
    counter[key] += step
    if not counter[key]:
        del counter[key]


class Resolver:
    """Incidents known so far, indexed by day and area; `add` places one more event.

    The indexes return only incidents an event can fit: by (day, 0.5° cell) for events with a point; by (day,
    district) for events with a point, for the district rule of `_place_fit`; by (day, province) for events known
    only to the province, and, for an event known only to the province, by (day, province) for every event."""

    def __init__(self, overrides: Iterable[Override] = ()) -> None:
        self.members: dict[str, list[Candidate]] = {}
        self.incident_of: dict[str, str] = {}
        self._accounts: dict[str, _Accounts] = {}
        # (day, cell) of events with a point: all of them in 0.5° cells; those of precision 2 in 0.5° cells apart;
        # those of precision 1 in TOWN_CELL cells (two towns must be within TOWN_KM, a tenth of the area to look in)
        self._by_cell: dict[tuple[int, int, int], _Bucket] = {}
        self._near_by_cell: dict[tuple[int, int, int], _Bucket] = {}
        self._town_by_cell: dict[tuple[int, int, int], _Bucket] = {}
        self._by_district: dict[tuple[int, str, str, str], _Bucket] = {}
        self._near_by_district: dict[tuple[int, str, str, str], _Bucket] = {}
        self._coarse_by_province: dict[tuple[int, str, str], _Bucket] = {}
        self._by_province: dict[tuple[int, str, str], _Bucket] = {}
        overrides = list(overrides)
        self._isolated = {o.event_id for o in overrides if o.kind == "split"}
        # Events a monitor put in their incident: they are there by decision, and do not keep new accounts out.
        self._decided = {e for o in overrides if o.kind in ("merge", "pin") for e in (o.event_id, o.target_event_id)}
        self._sites: dict[str, str] = {}  # happening key -> the incident its first site joined
        self._anchors: dict[str, str] = {}  # incident id -> the report of its anchor (`_indexes_for`)

    def seed(self, candidate: Candidate, incident_id: str) -> None:
        """Make an already resolved event known, in the incident it is stored with."""
        self._join(candidate, incident_id)

    def add(self, candidate: Candidate) -> str:
        """The incident this event belongs to: the best-fitting known one, or a new one founded by it."""
        if candidate.event_id in self.incident_of:
            return self.incident_of[candidate.event_id]
        best, best_score, parked = None, 0.0, False
        if candidate.event_id not in self._isolated and candidate.happening in self._sites:
            best = self._sites[candidate.happening]
        elif candidate.event_id not in self._isolated:
            fits = sorted(((score, incident_id) for incident_id in self._nearby(candidate)
                           if (score := self._fit_incident(candidate, incident_id)) is not None), reverse=True)
            parked = bool(fits) and _ambiguous(candidate, fits)
            if fits and not parked:
                best_score, best = fits[0]
        incident_id = best or incident_id_for(candidate.event_id)
        self._join(candidate, incident_id, indexed=not parked)
        return incident_id

    def add_all(self, candidates: Iterable[Candidate]) -> dict[str, str]:
        """Place many events (`resolution_order`), the sites of one happening together: they join the incident that
        fits any one of them best, or found one. Returns each event's incident."""
        ordered = sorted(candidates, key=resolution_order)
        sites: dict[str, list[Candidate]] = {}
        for c in ordered:
            if c.happening is not None and c.event_id not in self._isolated:
                sites.setdefault(c.happening, []).append(c)
        placed: dict[str, str] = {}
        for c in ordered:
            if c.event_id in placed:
                continue
            group = sites.get(c.happening or "", [])
            if len(group) < 2 or c.happening in self._sites:
                placed[c.event_id] = self.add(c)
                continue
            incident_id = self._best_for(group) or incident_id_for(group[0].event_id)
            for site in group:
                self._join(site, incident_id)
                placed[site.event_id] = incident_id
        return placed

    def _best_for(self, group: list[Candidate]) -> str | None:
        fits = [(score, incident_id) for site in group for incident_id in self._nearby(site)
                if (score := self._fit_incident(site, incident_id)) is not None]
        return max(fits)[1] if fits else None

    def _fit_incident(self, candidate: Candidate, incident_id: str) -> float | None:
        """How well the event fits the incident: it must fit every account of it in time, type and armed group
        (so incidents do not chain from day to day or town to town), and be at the place of each account — of at
        least one site where an account names several."""
        accounts = self._accounts[incident_id]
        if accounts.isolated or candidate.report_id in accounts.reports:
            return None
        fits, best = accounts.simple_fit(candidate)
        if not fits:
            return None
        placed: dict[str, bool] = {}  # each whole account (its sites together): whether the event is at one of them
        for member in (m for sites in accounts.whole.values() for m in sites):
            score = fit(candidate, member)
            if score is None and member.event_id in self._decided:
                continue
            account = member.report_id  # two events of one report in one incident are sites of one happening
            placed.setdefault(account, False)
            if score is None:
                if not _conflicts_only_in_place(candidate, member):
                    return None
                placed[account] = placed[account] or _place_fit(candidate, member) is not None
                continue
            placed[account] = True
            best = score if best is None else max(best, score)
        return best if all(placed.values()) else None

    def _nearby(self, c: Candidate) -> list[str]:
        """The incidents with an event that `c` might fit in place and time (`fit`): a point within reach (the
        3x3 cells around it span more than NEAR_KM), the same district (`_place_fit`'s last rule), or the same
        province where either is known only to the province."""
        seen: dict[str, bool] = {}  # incident id -> whether `c` may fit it (one account that it cannot fit decides)
        for bucket in self._buckets_near(c):
            for incident_id, account in bucket.items():
                if seen.get(incident_id, True):
                    seen[incident_id] = _may_fit(c, account)
        return [incident_id for incident_id, may in seen.items() if may]

    def _buckets_near(self, c: Candidate) -> Iterator[_Bucket]:
        """The index buckets `_nearby` reads: the keys of every day within reach of `c`'s, around its point."""
        coarse = _has_no_point(c)
        country = c.country or ""
        keys: list[tuple[dict, tuple]] = []  # (index, key without the day)
        if c.admin1:
            keys.append((self._by_province if coarse else self._coarse_by_province, (country, c.admin1)))
        if not coarse and c.latitude is not None and c.longitude is not None:
            # a town meets towns within TOWN_KM and "near" events within NEAR_KM; a "near" event meets both within
            # NEAR_KM
            town = c.geo_precision <= 1
            grids = ((self._town_by_cell, TOWN_CELL), (self._near_by_cell, CELL_DEGREES)) if town \
                else ((self._by_cell, CELL_DEGREES),)
            for grid, size in grids:
                row, col = _cell(c.latitude, c.longitude, size)
                keys.extend((grid, (row + dr, col + dc)) for dr in (-1, 0, 1) for dc in (-1, 0, 1))
            if c.admin1 and c.admin2:
                keys.append((self._near_by_district if town else self._by_district, (country, c.admin1, c.admin2)))
        reach = DAY_TOLERANCE + SPREAD_TOLERANCE  # the farthest an incident's anchor may lie (`_join`)
        for day in range(c.first_day - reach, c.last_day + reach + 1):
            for index, key in keys:
                bucket = index.get((day, *key))
                if bucket:
                    yield bucket

    def _join(self, c: Candidate, incident_id: str, indexed: bool = True) -> None:
        """Put the event in the incident; unless not `indexed` (an ambiguous account standing alone: it tells of
        one of the incidents it fits, so nothing later joins it), the incident is found near it from now on."""
        self.members.setdefault(incident_id, []).append(c)
        self.incident_of[c.event_id] = incident_id
        accounts = self._accounts.setdefault(incident_id, _Accounts())
        accounts.isolated = accounts.isolated or c.event_id in self._isolated
        accounts.add(c, special=c.event_id in self._decided or c.event_id in self._isolated)
        if c.happening is not None and c.event_id not in self._isolated:
            self._sites.setdefault(c.happening, incident_id)
        if not indexed or not self._indexes_for(c, incident_id):
            return
        account = None if c.event_id in self._decided or c.event_id in self._isolated else c
        country = c.country or ""
        point = None if _has_no_point(c) or c.latitude is None or c.longitude is None else (c.latitude, c.longitude)
        town = c.geo_precision <= 1
        for day in range(c.first_day, c.last_day + 1):
            if c.admin1:
                _append_once(self._by_province, (day, country, c.admin1), incident_id, account)
                if point is None:
                    _append_once(self._coarse_by_province, (day, country, c.admin1), incident_id, account)
                elif c.admin2:
                    district = (day, country, c.admin1, c.admin2)
                    _append_once(self._by_district, district, incident_id, account)
                    if not town:
                        _append_once(self._near_by_district, district, incident_id, account)
            if point is not None:
                _append_once(self._by_cell, (day, *_cell(*point, CELL_DEGREES)), incident_id, account)
                if town:
                    _append_once(self._town_by_cell, (day, *_cell(*point, TOWN_CELL)), incident_id, account)
                else:
                    _append_once(self._near_by_cell, (day, *_cell(*point, CELL_DEGREES)), incident_id, account)


    def _indexes_for(self, c: Candidate, incident_id: str) -> bool:
        """Whether the incident must be found by this event's days and places too.

        An event that joins must fit every plain account of the incident (`_fit_incident`): within a day of one
        and within DAY_TOLERANCE + SPREAD_TOLERANCE days of each, at each one's place. So one plain account, the
        incident's anchor, is enough to find it by: an event that would fit the incident fits the anchor, and
        `_nearby` looks that far. The first precise plain account (a point, a day or a night) anchors the incident;
        the accounts before it are indexed too (a superset finds no fewer), and so are the other sites of the
        anchor's report, since an event need only be at one of those. After that, nothing more: a big incident's
        month-wide and province-only accounts no longer spread it over every day and cell they could mean."""
        anchor = self._anchors.get(incident_id)
        if anchor is not None:
            return c.report_id == anchor
        if c.event_id not in self._decided and c.event_id not in self._isolated and not _is_coarse(c):
            self._anchors[incident_id] = c.report_id
        return True


def _has_no_point(c: Candidate) -> bool:
    """Known only to the province (ACLED precision 3) or without coordinates: `_place_fit` compares it by province."""
    return c.geo_precision >= 3 or c.latitude is None or c.longitude is None


def _is_coarse(candidate: Candidate) -> bool:
    """Known only to the province, or only to a week or a month."""
    return candidate.geo_precision >= 3 or candidate.latitude is None or candidate.last_day - candidate.first_day > 1


def resolution_order(candidate: Candidate) -> tuple[bool, int, str]:
    """Precise accounts first, in date order, then coarse ones: a province-only account then meets every incident
    it might tell of, and stands alone when it cannot tell which (`_ambiguous`)."""
    return _is_coarse(candidate), candidate.first_day, candidate.event_id


def _ambiguous(candidate: Candidate, fits: list[tuple[float, str]]) -> bool:
    """An account known only to the province (or to a week or month) that fits several incidents equally well
    cannot say which it tells of: it stands alone rather than mix two happenings' claims (a monitor may pin it)."""
    return _is_coarse(candidate) and len(fits) > 1 and fits[1][0] >= fits[0][0] - AMBIGUITY_MARGIN


def _cell(latitude: float, longitude: float, size: float) -> tuple[int, int]:
    return int(math.floor(latitude / size)), int(math.floor(longitude / size))


def _append_once(index: dict, key: tuple, incident_id: str, account: Candidate | None) -> None:
    index.setdefault(key, {}).setdefault(incident_id, account)


def _may_fit(c: Candidate, account: Candidate | None) -> bool:
    """False when `c` cannot join an incident with this account: every account but a monitor's decision (None)
    holds an event to its type, its armed groups and its days, wherever it is (`_fit_incident`)."""
    return account is None or _conflicts_only_in_place(c, account)  # what holds wherever the account is


def resolve(candidates: Iterable[Candidate], overrides: Iterable[Override] = (),
            unmatched: Iterable[str] = ()) -> dict[str, str]:
    """Every event's incident, from scratch: events in date order, then the monitors' overrides.

    `unmatched` are events that cannot be matched (undated: no candidate): each founds its own incident, and a monitor
    may still pin or merge it."""
    overrides = list(overrides)
    resolver = Resolver(overrides)
    resolver.add_all(candidates)
    assignment = resolver.incident_of | {event_id: incident_id_for(event_id) for event_id in unmatched}
    return apply_overrides(assignment, overrides)


def apply_overrides(assignment: dict[str, str], overrides: Iterable[Override]) -> dict[str, str]:
    """Monitors' decisions, oldest first, on top of the automatic result. Unknown events are skipped."""
    result = dict(assignment)
    for o in sorted(overrides, key=lambda o: (o.at, o.override_id or 0)):
        if o.event_id not in result:
            continue
        if o.kind == "split":
            result[o.event_id] = incident_id_for(o.event_id)
        elif o.kind == "pin" and o.target_event_id in result:
            result[o.event_id] = result[o.target_event_id]
        elif o.kind == "merge" and o.target_event_id in result:
            absorbed, kept = result[o.event_id], result[o.target_event_id]
            for event_id, incident_id in result.items():
                if incident_id == absorbed:
                    result[event_id] = kept
    return result


def _earlier_ids(event_ids: list[str], before: dict[str, str | None]) -> Counter[str]:
    """How many of the events each earlier incident id held (events that had none are left out)."""
    return Counter(old for old in (before.get(e) for e in event_ids) if old)


def keep_incident_ids(assignment: dict[str, str], before: dict[str, str | None]) -> dict[str, str]:
    """The same grouping of events, each incident renamed to the id most of its events had `before` where it can,
    so that re-resolving does not rename incidents whose events stay together.

    Greedy, strongest claims first: an old id goes to the incident that holds most of its events (ties: the one
    resolution named the same, then the larger); an incident that wins no old id keeps its new id, or, if another
    took that, the id named after the first of its events that is free."""
    groups: dict[str, list[str]] = defaultdict(list)
    for event_id, incident_id in assignment.items():
        groups[incident_id].append(event_id)
    claims = sorted((-votes, old != new, -len(members), new, old) for new, members in groups.items()
                    for old, votes in _earlier_ids(members, before).items())
    rename: dict[str, str] = {}
    taken: set[str] = set()
    for *_, new, old in claims:
        if new not in rename and old not in taken:
            rename[new] = old
            taken.add(old)
    for new in sorted(set(groups) - set(rename)):
        rename[new] = next(name for name in _fresh_names(new, groups[new]) if name not in taken)
        taken.add(rename[new])
    return {event_id: rename[incident_id] for event_id, incident_id in assignment.items()}


def _fresh_names(new: str, members: list[str]) -> Iterator[str]:
    yield new
    for event_id in sorted(members):
        yield incident_id_for(event_id)
    for n in count(1):
        yield incident_id_for(f"{new}#{n}")
