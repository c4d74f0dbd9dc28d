"""The map's clusters: the incidents that match the map's filters, counted per cell of a grid that follows the zoom.

Why a grid over an index kept in memory (and not SQL grouping per request, nor a supercluster-style tree): the
filters include the party an agreement's assessment accuses, which SQL cannot read, so the matching incidents are
read once per store state and set of filters (`MapIndex`, a few numpy arrays: 100,000 incidents take about 5 MB and
a second to read) and kept by the app (`MapIndexCache`) until the record changes. Each view is then a mask and a
grouping over those arrays (a few milliseconds for 100,000): cells of CELL_PX screen pixels at the view's zoom, in
Web Mercator, aligned to the world so that a cluster stays where it is while the map pans. A cell that holds one
incident gives that incident; at SINGLE_ZOOM and beyond every incident is given alone (at most MAX_SINGLES).
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from trucewatch.jobs.record_views import (
    EVENT_TYPES,
    MapQuery,
    RecordContext,
    map_rows,
    type_code,
)
from trucewatch.records import IncidentSummary
from trucewatch.storage.map_details import summaries_by_id
from trucewatch.storage.views import Box, SummaryRow

CELL_PX = 64  # a cluster gathers the incidents of a cell this many screen pixels wide
SINGLE_ZOOM = 13  # the map's deepest zoom: every incident alone there
MAX_SINGLES = 1500  # incidents given alone in one view, at most (the rest: `truncated`)
N_TYPES = len(EVENT_TYPES) + 1
KEPT_INDEXES = 8  # sets of filters whose index the app keeps
CLUSTER_COLUMNS = ("latitude", "longitude", "count", "deaths", "west", "south", "east", "north", "types")
SINGLE_COLUMNS = ("incident_id", "latitude", "longitude", "type", "deaths_low", "deaths_best", "deaths_high",
                  "first_date", "last_date", "country", "admin1", "admin2", "location", "actor1", "actor2",
                  "contested")


@dataclass(frozen=True)
class MapIndex:
    """The located incidents that match one set of filters, as parallel arrays (position i: one incident)."""

    ids: np.ndarray  # incident ids (objects)
    lat: np.ndarray
    lon: np.ndarray
    x: np.ndarray  # Web Mercator, 0..1 from west to east
    y: np.ndarray  # 0..1 from north to south
    types: np.ndarray  # type codes (record_views.type_code)
    deaths: np.ndarray  # best estimates, 0 where none was reported
    truncated: bool  # the accusations under an agreement were read for MAX_ASSESSED incidents only

    @classmethod
    def of(cls, rows: Iterable[SummaryRow], truncated: bool = False) -> MapIndex:
        kept = [(r.incident_id, r.latitude, r.longitude, type_code(r.event_type), r.deaths or 0) for r in rows]
        ids = np.array([k[0] for k in kept], dtype=object)
        lat = np.array([k[1] for k in kept], dtype=np.float64)
        lon = np.array([k[2] for k in kept], dtype=np.float64)
        x, y = mercator(lon, lat)
        return cls(ids, lat, lon, x, y, np.array([k[3] for k in kept], dtype=np.int64),
                   np.array([k[4] for k in kept], dtype=np.int64), truncated)

    def __len__(self) -> int:
        return len(self.ids)

    def inside(self, box: Box | None) -> np.ndarray:
        """The positions of the incidents inside the box (all without one)."""
        if box is None:
            return np.arange(len(self))
        keep = (self.lat >= box.south) & (self.lat <= box.north)
        if box.west <= box.east:
            keep &= (self.lon >= box.west) & (self.lon <= box.east)
        else:  # across the antimeridian
            keep &= (self.lon >= box.west) | (self.lon <= box.east)
        return np.flatnonzero(keep)


def mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator in 0..1 (latitudes beyond 85.05 degrees held at the edge, as the map's tiles would be)."""
    phi = np.radians(np.clip(lat, -85.05, 85.05))
    return (lon + 180.0) / 360.0, (1.0 - np.log(np.tan(phi) + 1.0 / np.cos(phi)) / math.pi) / 2.0


# --- one view --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapView:
    clusters: list[list[Any]]  # CLUSTER_COLUMNS, biggest first
    singles: list[list[Any]]  # SINGLE_COLUMNS
    in_view: int  # incidents inside the box, clustered or alone
    total: int  # incidents that match the filters, anywhere
    truncated: bool  # more incidents were to be given alone than MAX_SINGLES, or the index is truncated


def view_of(index: MapIndex, box: Box | None, zoom: float) -> tuple[list[list[Any]], list[str], int, bool]:
    """The clusters of the incidents in the box at this zoom, the ids of those shown alone, how many are in the box
    and whether some were left out (more than MAX_SINGLES alone)."""
    where = index.inside(box)
    if zoom >= SINGLE_ZOOM or len(where) <= 1:
        return [], list(index.ids[where[:MAX_SINGLES]]), len(where), len(where) > MAX_SINGLES
    cells = 256.0 * 2.0 ** zoom / CELL_PX  # cells across the world at this zoom
    cx = np.floor(index.x[where] * cells).astype(np.int64)
    cy = np.floor(index.y[where] * cells).astype(np.int64)
    _, group, counts = np.unique(cx * (1 << 32) + cy, return_inverse=True, return_counts=True)
    group = group.ravel()
    clusters = _clusters(index, where, group, counts)
    alone = where[counts[group] == 1]
    shown = [c for c in clusters if c[2] > 1]
    return shown, list(index.ids[alone[:MAX_SINGLES]]), len(where), len(alone) > MAX_SINGLES


def _clusters(index: MapIndex, where: np.ndarray, group: np.ndarray, counts: np.ndarray) -> list[list[Any]]:
    """Per cell: the centroid, the count, the deaths, the box of its incidents and their number per type."""
    n = len(counts)
    lat, lon = index.lat[where], index.lon[where]
    mean_lat = np.bincount(group, weights=lat, minlength=n) / counts
    mean_lon = np.bincount(group, weights=lon, minlength=n) / counts
    deaths = np.bincount(group, weights=index.deaths[where], minlength=n)
    order = np.argsort(group, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    south, north = np.minimum.reduceat(lat[order], starts), np.maximum.reduceat(lat[order], starts)
    west, east = np.minimum.reduceat(lon[order], starts), np.maximum.reduceat(lon[order], starts)
    types = np.bincount(group * N_TYPES + index.types[where], minlength=n * N_TYPES).reshape(n, N_TYPES)
    rows = [[round(float(mean_lat[i]), 5), round(float(mean_lon[i]), 5), int(counts[i]), int(deaths[i]),
             float(west[i]), float(south[i]), float(east[i]), float(north[i]), types[i].tolist()] for i in range(n)]
    rows.sort(key=lambda r: -r[2])
    return rows


def single_row(s: IncidentSummary) -> list[Any]:
    """One incident shown alone, as SINGLE_COLUMNS: what its circle and its popup show."""
    return [s.incident_id, s.latitude, s.longitude, type_code(s.event_type), s.fatalities_low, s.fatalities_best,
            s.fatalities_high, s.first_date.isoformat() if s.first_date else None,
            s.last_date.isoformat() if s.last_date else None, s.country, s.admin1, s.admin2, s.location, s.actor1,
            s.actor2, s.contested]


def map_view(context: RecordContext, cache: MapIndexCache, query: MapQuery, zoom: float) -> MapView:
    """The map at this zoom in the query's box: clusters, and the incidents shown alone with what their popups say."""
    index = cache.get(context, query)
    clusters, alone, in_view, cut = view_of(index, query.box, zoom)
    found = summaries_by_id(context.engine, alone)
    singles = [single_row(found[i]) for i in alone if i in found]
    return MapView(clusters, singles, in_view, len(index), cut or index.truncated)


# --- kept by the app -------------------------------------------------------------------------------------------


class MapIndexCache:
    """The indexes of the last KEPT_INDEXES sets of filters asked for, dropped when the record changes
    (`RecordContext.state`)."""

    def __init__(self, kept: int = KEPT_INDEXES) -> None:
        self.kept = kept
        self._lock = threading.Lock()
        self._state: tuple[Any, ...] | None = None
        self._indexes: OrderedDict[tuple[Any, ...], MapIndex] = OrderedDict()

    def get(self, context: RecordContext, query: MapQuery) -> MapIndex:
        """The index of the query's filters (its box and limit play no part) for the record as it is now."""
        state = context.state
        key = (query.filters, query.party, query.agreement_id, query.window)
        with self._lock:
            if state != self._state:
                self._indexes, self._state = OrderedDict(), state
            if key in self._indexes:
                self._indexes.move_to_end(key)
                return self._indexes[key]
        rows, cut = map_rows(context, MapQuery(query.filters, query.party, query.agreement_id, query.window))
        index = MapIndex.of(rows)
        index = replace(index, truncated=cut[0])  # known once the rows are read
        with self._lock:
            if self._state == state:
                self._indexes[key] = index
                while len(self._indexes) > self.kept:
                    self._indexes.popitem(last=False)
        return index
