"""Read-only queries for the workplace's map and timeline: compact rows of the incidents' summaries, many at a time.

The map of 30,000 incidents and the timeline of a year must not describe incidents one by one: these queries read
only the `incidents` table (one row per incident, rewritten whenever resolution touches it), in one statement each,
and hand back plain tuples.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select

from trucewatch.records import IncidentFilter
from trucewatch.storage.repository import INCIDENTS, _incident_where
from trucewatch.storage.schema import AgreementRow, OverrideRow

OVERRIDES = OverrideRow.__table__
AGREEMENTS = AgreementRow.__table__
STREAM_ROWS = 2000  # rows fetched from the database at a time while streaming map rows


@dataclass(frozen=True, slots=True)
class Box:
    """A bounding box in degrees: west, south, east, north (west > east crosses the antimeridian)."""

    west: float
    south: float
    east: float
    north: float


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """What the map needs of one incident, and what its filters and the agreement pages read (window status, actor
    side)."""

    incident_id: str
    latitude: float | None
    longitude: float | None
    event_type: str
    deaths: int | None
    first_date: date | None
    last_date: date | None
    time_precision: int
    country: str | None
    actor1: str | None


SUMMARY_COLUMNS = (INCIDENTS.c.incident_id, INCIDENTS.c.latitude, INCIDENTS.c.longitude, INCIDENTS.c.event_type,
                   INCIDENTS.c.fatalities_best, INCIDENTS.c.first_date, INCIDENTS.c.last_date,
                   INCIDENTS.c.time_precision, INCIDENTS.c.country, INCIDENTS.c.actor1)


def summary_rows(engine: Engine, filters: IncidentFilter, box: Box | None = None, *, located: bool = False,
                 near: tuple[date, date | None] | None = None) -> Iterator[SummaryRow]:
    """Every incident that matches `filters` (with coordinates inside `box`, or with any coordinates when `located`;
    undated, or with days that reach the days `near` (first, last; None: open), when it is given), latest first
    (undated last), streamed."""
    c = INCIDENTS.c
    where = list(_incident_where(filters))
    if near is not None:
        reaches = func.coalesce(c.last_date, c.first_date) >= near[0]
        if near[1] is not None:
            reaches = reaches & (c.first_date <= near[1])
        where.append(c.first_date.is_(None) | reaches)
    if located or box is not None:
        where += [c.latitude.is_not(None), c.longitude.is_not(None)]
    if box is not None:
        where += [c.latitude >= box.south, c.latitude <= box.north]
        if box.west <= box.east:
            where += [c.longitude >= box.west, c.longitude <= box.east]
        else:
            where.append((c.longitude >= box.west) | (c.longitude <= box.east))
    stmt = (select(*SUMMARY_COLUMNS).where(*where)
            .order_by(func.coalesce(c.first_date, date(1, 1, 1)).desc(), c.incident_id.desc()))
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=STREAM_ROWS).execute(stmt)
        for row in result:
            yield SummaryRow(row.incident_id, row.latitude, row.longitude, row.event_type, row.fatalities_best,
                             row.first_date, row.last_date, row.time_precision, row.country, row.actor1)


@dataclass(frozen=True, slots=True)
class ActivityRow:
    """Incidents (and their deaths, best estimates added up) that began on one day, of one first actor."""

    day: date
    actor1: str | None
    incidents: int
    deaths: int


def activity_rows(engine: Engine, date_from: date, date_to: date) -> list[ActivityRow]:
    """Incidents and deaths per first day and first actor, for the days from `date_from` to `date_to`."""
    c = INCIDENTS.c
    stmt = (select(c.first_date, c.actor1, func.count(), func.coalesce(func.sum(c.fatalities_best), 0))
            .where(c.first_date >= date_from, c.first_date <= date_to)
            .group_by(c.first_date, c.actor1))
    with engine.connect() as conn:
        return [ActivityRow(*row) for row in conn.execute(stmt)]


def date_span(engine: Engine) -> tuple[date | None, date | None]:
    """The first and last first day of the stored incidents."""
    with engine.connect() as conn:
        row = conn.execute(select(func.min(INCIDENTS.c.first_date), func.max(INCIDENTS.c.first_date))).one()
    return row[0], row[1]


def record_state(engine: Engine) -> tuple[Any, ...]:
    """A fingerprint of what assessments depend on (the incidents, the overrides, the agreements): it changes when
    any of them does, so that what was computed from them can be kept until then."""
    with engine.connect() as conn:
        incidents = conn.execute(select(func.count(), func.max(INCIDENTS.c.updated_at))).one()
        overrides = conn.execute(select(func.max(OVERRIDES.c.override_id))).scalar()
        agreements = conn.execute(select(func.count(), func.max(AGREEMENTS.c.updated_at))).one()
    return (*incidents, overrides, *agreements)


def count_incidents(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(INCIDENTS)).scalar() or 0
