"""The record as the map, the timeline and the agreement pages show it.

- **Map points**: one compact array per incident, `[id, latitude, longitude, type code, deaths, first date]`, read
  from the incidents' summaries in one query (`storage.views.summary_rows`); nothing is described one by one.
  Filters: dates, event type, a bounding box; a party (the side of the incident's first actor, or, when an
  agreement is chosen, the party the assessment accuses); and, for a chosen agreement, the window status, which the
  summary's dates, time precision and country give (`assess.possible_time_of`). Sides, parties and clocks are the
  conflict's (`RecordContext.conflict`).
- **Activity**: incidents and deaths per day (per week over long spans) and party, with the agreements' windows.
- **Assessments** against an agreement (`jobs.agreements.assess_incidents`) are kept in an `AssessmentCache` until the
  incidents, the overrides or the agreements change.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from trucewatch import jobs
from trucewatch.conflict import Conflict, shipped_conflict
from trucewatch.pipeline.assess import (
    UNIDENTIFIED as UNIDENTIFIED_SIDE,
    VIOLENT,
    possible_time_of,
    window_of,
    window_status,
)
from trucewatch.records import Agreement, Assessment, Incident, IncidentFilter, Source, Window
from trucewatch.storage import Database
from trucewatch.storage.views import (
    Box,
    SummaryRow,
    activity_rows,
    count_incidents,
    record_state,
    summary_rows,
)

# ACLED's event types, in the order of their codes on the map; anything else is OTHER_TYPE (the last code)
EVENT_TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
               "Strategic developments")
OTHER_TYPE = "Other"
# Okabe-Ito colours (colour-blind safe), one per type code
TYPE_COLOURS = ("#d55e00", "#0072b2", "#cc79a7", "#009e73", "#e69f00", "#56b4e9", "#7f7f7f")
MAP_COLUMNS = ("incident_id", "latitude", "longitude", "type", "deaths", "first_date")
MAP_LIMIT, MAX_MAP_LIMIT = 50_000, 100_000
UNIDENTIFIED, OTHERS, NOT_ATTRIBUTED = "unidentified", "others", "not attributed"
SEVERAL = "several parties accused"  # an incident in which more than one party is accused: counted once, here
NAMED_SIDES = 3  # sides other than the parties that get a series of their own on the timeline
DAILY_DAYS = 120  # longer spans are counted per week
ASSESS_CHUNK = 500
WINDOW_REACH = timedelta(days=17)  # HALF_WIDTH of a month-precise date, and a day for the zones, and a day to spare
MAX_ASSESSED = 10_000  # incidents the map assesses for one request to find a party's accusations (about 10 s at most)


TYPE_CODES = {name: code for code, name in enumerate(EVENT_TYPES)}


def type_code(event_type: str) -> int:
    return TYPE_CODES.get(event_type, len(EVENT_TYPES))


def legend() -> list[tuple[str, str]]:
    """(type, colour), in the order of the codes."""
    return list(zip((*EVENT_TYPES, OTHER_TYPE), TYPE_COLOURS, strict=True))


@lru_cache(maxsize=4096)
def side_of(conflict: Conflict, actor: str | None) -> str | None:
    """The side of an ACLED actor name in the conflict ("Military Forces of Pakistan" -> PAK), None if unknown or
    none."""
    return conflict.side_of(actor) if actor else None


# --- assessments, kept -----------------------------------------------------------------------------------------


class AssessmentCache:
    """Assessments of incidents against agreements, kept until `record_state` changes (then all are dropped), at
    most `limit` of them (then all are dropped too: they are recomputed as asked for)."""

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._state: tuple[Any, ...] | None = None
        self._kept: dict[tuple[str, str], Assessment] = {}

    def get(self, db: Database, state: tuple[Any, ...], agreement_id: str, incident_ids: Sequence[str],
            conflict: Conflict | None = None) -> dict[str, Assessment]:
        """The assessments of these incidents against the agreement, by incident id (unknown ids left out), for the
        database in `state` (`record_state`), with the conflict's sides (one per cache: the app's)."""
        with self._lock:
            if state != self._state:
                self._kept, self._state = {}, state
            found = {i: self._kept[(agreement_id, i)] for i in incident_ids if (agreement_id, i) in self._kept}
        missing = [i for i in dict.fromkeys(incident_ids) if i not in found]
        if missing:
            fresh = {a.incident_id: a for a in jobs.agreements.assess_incidents(db, agreement_id, missing, conflict)}
            found.update(fresh)
            with self._lock:
                if self._state == state:
                    if len(self._kept) + len(fresh) > self.limit:
                        self._kept = {}
                    self._kept.update(((agreement_id, i), a) for i, a in fresh.items())
        return found


@dataclass(frozen=True)
class RecordContext:
    """What these views read: the app's database, the cache, the stored agreements and the conflict."""

    db: Database
    cache: AssessmentCache
    agreements: tuple[Agreement, ...] = ()
    conflict: Conflict = field(default_factory=shipped_conflict)

    @cached_property
    def state(self) -> tuple[Any, ...]:
        """The database's `record_state`, read once for the request."""
        return record_state(self.engine)

    @property
    def engine(self) -> Engine:
        """What the read views of `storage.views` query."""
        return self.db.engine

    def assessments(self, agreement_id: str, incident_ids: Sequence[str]) -> dict[str, Assessment]:
        return self.cache.get(self.db, self.state, agreement_id, incident_ids, self.conflict)

    def agreement(self, agreement_id: str) -> tuple[Agreement, Window] | None:
        for a in self.agreements:
            if a.agreement_id == agreement_id:
                return a, window_of(a, self.agreements)
        return None


def reach_of(window: Window) -> tuple[date, date | None]:
    """The days an incident's dates must reach to be inside the window or across it: the window's days (in UTC)
    widened by what precision and time zones can add (a month-precise date reaches 15 days either side)."""
    end = window.end.date() + WINDOW_REACH if window.end else None
    return window.start.date() - WINDOW_REACH, end


def status_of(row: SummaryRow, window: Window, conflict: Conflict | None = None) -> str:
    """The window status of an incident, from its summary alone (as `assess` finds it with the conflict's clocks)."""
    sides = conflict.sides if conflict is not None else None
    return window_status(possible_time_of(row.first_date, row.last_date, row.time_precision, row.country, sides),
                         window)


# --- the map ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MapQuery:
    filters: IncidentFilter = field(default_factory=IncidentFilter)
    party: str | None = None
    agreement_id: str | None = None
    window: str | None = None  # inside | uncertain | outside, for the agreement
    box: Box | None = None
    limit: int = MAP_LIMIT


@dataclass(frozen=True, slots=True)
class MapData:
    points: list[list[Any]]
    truncated: bool


def map_data(context: RecordContext, query: MapQuery) -> MapData:
    """The incidents to draw, latest first, at most `query.limit` (`truncated` when there were more, or when the
    accusations under an agreement were read for MAX_ASSESSED incidents and more remained)."""
    rows, cut = map_rows(context, query)
    taken = list(islice(rows, query.limit + 1))
    points = [[r.incident_id, r.latitude, r.longitude, type_code(r.event_type), r.deaths,
               r.first_date.isoformat() if r.first_date else None] for r in taken[:query.limit]]
    return MapData(points, len(taken) > query.limit or cut[0])


def map_rows(context: RecordContext, query: MapQuery) -> tuple[Iterator[SummaryRow], list[bool]]:
    """The located incidents that match the query's filters and box (not its limit), latest first, streamed; the
    list's one flag is set, once they are read, when the accusations were read for MAX_ASSESSED incidents only."""
    chosen = context.agreement(query.agreement_id) if query.agreement_id else None
    wanted = None
    if chosen is not None and (query.window or query.party):
        # a party is accused of potential violations inside the window or across it, unless `outside` is asked for
        wanted = (query.window,) if query.window else ("inside", "uncertain")
    near = reach_of(chosen[1]) if chosen is not None and wanted and "outside" not in wanted else None
    rows: Iterator[SummaryRow] = summary_rows(context.engine, query.filters, query.box, located=True, near=near)
    if chosen is not None and wanted:
        rows = (r for r in rows if status_of(r, chosen[1], context.conflict) in wanted)
    cut = [False]
    if query.party and chosen is not None:
        rows = _accusing(context, chosen[0].agreement_id, rows, query.party, cut)
    elif query.party:
        rows = (r for r in rows if side_of(context.conflict, r.actor1) == query.party)
    return rows, cut


def _accusing(context: RecordContext, agreement_id: str, rows: Iterable[SummaryRow], party: str,
              cut: list[bool]) -> Iterator[SummaryRow]:
    """The rows whose incident the assessment against the agreement accuses `party` in (only violent incidents
    are ever accused), assessed a chunk at a time, at most MAX_ASSESSED of them (`cut[0]` is then set)."""
    violent = (r for r in rows if r.event_type in VIOLENT)
    assessed = 0
    while chunk := list(islice(violent, ASSESS_CHUNK)):
        if assessed >= MAX_ASSESSED:
            cut[0] = True
            return
        found = context.assessments(agreement_id, [r.incident_id for r in chunk])
        assessed += len(chunk)
        yield from (r for r in chunk if r.incident_id in found and party in found[r.incident_id].accused)


# --- an agreement's incidents ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementRecord:
    """An agreement's incidents: how many are inside its window, on a boundary and outside, and the assessments of
    those inside or on a boundary (the only ones that can be potential violations)."""

    counts: dict[str, int]
    assessments: list[Assessment]


def agreement_record(context: RecordContext, agreement_id: str) -> AgreementRecord:
    agreement, window = context.agreement(agreement_id) or (None, None)
    if agreement is None or window is None:
        return AgreementRecord({"inside": 0, "uncertain": 0, "outside": 0}, [])
    counts = {"inside": 0, "uncertain": 0, "outside": 0}
    near: list[str] = []
    for row in summary_rows(context.engine, IncidentFilter(), near=reach_of(window)):
        status = status_of(row, window, context.conflict)
        counts[status] += 1
        if status != "outside":
            near.append(row.incident_id)
    counts["outside"] = count_incidents(context.engine) - len(near)
    found = context.assessments(agreement_id, near)
    assessments = sorted((found[i] for i in near if i in found),
                         key=lambda a: (a.first_date or date.max, a.incident_id))
    return AgreementRecord(counts, assessments)


# --- the timeline ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    label: str
    incidents: tuple[int, ...]
    deaths: tuple[int, ...]


@dataclass(frozen=True)
class Shade:
    """An agreement's window on the timeline, in its own zone's days; `end` None: open beyond the range."""

    label: str
    start: date
    end: date | None
    chosen: bool = False


@dataclass(frozen=True)
class Activity:
    bins: tuple[date, ...]  # the first day of each bar
    unit: str  # "day" | "week"
    series: tuple[Series, ...]
    shades: tuple[Shade, ...]
    by: str  # what the series are: "side of the first actor" or "accused party under AGREEMENT"


def activity(context: RecordContext, date_from: date, date_to: date, agreement_id: str | None = None) -> Activity:
    """Incidents and deaths per day (per week over more than DAILY_DAYS days) from `date_from` to `date_to`: per
    side of the incidents' first actor, or, for a chosen agreement, per party its assessment accuses."""
    unit = "day" if (date_to - date_from).days < DAILY_DAYS else "week"
    start = date_from if unit == "day" else date_from - timedelta(days=date_from.weekday())
    bins = tuple(_bins(start, date_to, unit))
    chosen = context.agreement(agreement_id) if agreement_id else None
    if chosen is not None:
        counts, by = _accused_counts(context, chosen[0], date_from, date_to), f"accused party under {agreement_id}"
    else:
        counts, by = _side_counts(context, date_from, date_to), "side of the first actor"
    series = _series(counts, bins, unit, chosen is not None, context.conflict.party_codes)
    return Activity(bins, unit, series, _shades(context, date_from, date_to, agreement_id), by)


def _bins(start: date, last: date, unit: str) -> Iterator[date]:
    step = timedelta(days=1 if unit == "day" else 7)
    day = start
    while day <= last:
        yield day
        day += step


Counts = dict[str, dict[date, list[int]]]  # label -> day -> [incidents, deaths]


def _side_counts(context: RecordContext, date_from: date, date_to: date) -> Counts:
    counts: Counts = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in activity_rows(context.engine, date_from, date_to):
        side = side_of(context.conflict, row.actor1)
        cell = counts[UNIDENTIFIED if side in (None, UNIDENTIFIED_SIDE) else side][row.day]
        cell[0] += row.incidents
        cell[1] += row.deaths
    return counts


def _accused_counts(context: RecordContext, agreement: Agreement, date_from: date, date_to: date) -> Counts:
    rows = list(summary_rows(context.engine, IncidentFilter(date_from=date_from, date_to=date_to)))
    rows = [r for r in rows if r.first_date is not None and date_from <= r.first_date <= date_to]
    violent = [r.incident_id for r in rows if r.event_type in VIOLENT]
    found = context.assessments(agreement.agreement_id, violent)
    counts: Counts = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for r in rows:
        accused = found[r.incident_id].accused if r.incident_id in found else ()
        # each incident and its deaths once: under the one party accused, or SEVERAL, or NOT_ATTRIBUTED, so the
        # series add up to the incidents and deaths shown (as the compliance report's "Attributed to" table)
        label = accused[0] if len(accused) == 1 else SEVERAL if accused else NOT_ATTRIBUTED
        cell = counts[label][r.first_date]  # type: ignore[index]
        cell[0] += 1
        cell[1] += r.deaths or 0
    return counts


def _series(counts: Counts, bins: Sequence[date], unit: str, accused: bool,
            parties: Sequence[str]) -> tuple[Series, ...]:
    """One series per party, then (by side) the busiest other sides, the rest as OTHERS, and the unidentified; or
    (by accused party) the not attributed."""
    def total(label: str) -> int:
        return sum(c[0] for c in counts.get(label, {}).values())

    last = NOT_ATTRIBUTED if accused else UNIDENTIFIED
    others = sorted((s for s in counts if s not in (*parties, last)), key=lambda s: (-total(s), s))
    labels = [*parties, *others[:NAMED_SIDES]]
    merged: dict[str, dict[date, list[int]]] = {label: counts.get(label, {}) for label in labels}
    if others[NAMED_SIDES:]:
        merged[OTHERS] = defaultdict(lambda: [0, 0])
        for side in others[NAMED_SIDES:]:
            for day, (n, dead) in counts[side].items():
                merged[OTHERS][day][0] += n
                merged[OTHERS][day][1] += dead
    merged[last] = counts.get(last, {})
    return tuple(_binned(label, days, bins, unit) for label, days in merged.items() if days or label in parties)


def _binned(label: str, days: dict[date, list[int]], bins: Sequence[date], unit: str) -> Series:
    width = 1 if unit == "day" else 7
    incidents, deaths = [0] * len(bins), [0] * len(bins)
    first = bins[0] if bins else date.min
    for day, (n, dead) in days.items():
        index = (day - first).days // width
        if 0 <= index < len(bins):
            incidents[index] += n
            deaths[index] += dead
    return Series(label, tuple(incidents), tuple(deaths))


def _shades(context: RecordContext, date_from: date, date_to: date, chosen: str | None) -> tuple[Shade, ...]:
    """The agreements' windows that overlap the days shown, as local days in each agreement's zone."""
    shades = []
    for a in context.agreements:
        window = window_of(a, context.agreements)
        tz = ZoneInfo(a.tz)
        start = window.start.astimezone(tz).date()
        end = (window.end - timedelta(microseconds=1)).astimezone(tz).date() if window.end else None
        if start <= date_to and (end is None or end >= date_from):
            shades.append(Shade(a.agreement_id, start, end, a.agreement_id == chosen))
    return tuple(shades)


# --- one incident's sources ---------------------------------------------------------------------------------------

SOURCES_PER_PAGE = 50  # source groups (a story and its syndicated copies) per page of an incident's page


@dataclass(frozen=True, slots=True)
class SourceGroup:
    """One story: the first report of it (`lead`) and the near-identical copies other outlets ran (`copies`)."""

    lead: Source
    copies: tuple[Source, ...]


def grouped_sources(incident: Incident) -> list[SourceGroup]:
    """The incident's sources by story, each copy folded under the first report of its story (the grouping that
    describing the incident computed, `Source.source_group`: nothing is compared again here); stories in the order
    of their first report (published, report id), copies in that order too."""
    stories: dict[str, list[Source]] = {}
    for s in sorted(incident.sources, key=lambda s: (s.published, s.report_id)):
        stories.setdefault(s.source_group or s.report_id, []).append(s)
    return [SourceGroup(found[0], tuple(found[1:])) for found in stories.values()]
