"""The names the map writes over its outlines, from the conflict's own gazetteer (no tile server, nothing fetched):
provinces first, then the largest towns and the provincial capitals, then districts and smaller towns as the map is
zoomed in. Each label carries the zoom from which it is written (`min_zoom`); the script writes those of the current
zoom that fall in view."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from trucewatch.conflict import SHIPPED, Conflict
from trucewatch.pipeline.extract.places import read_rows

GAZETTEER, CAPITALS = "gazetteer.tsv", "province_capitals.tsv"
PROVINCE_ZOOM, DISTRICT_ZOOM = 5, 8
# towns by population: (at least, written from zoom)
TOWN_ZOOMS = ((1_000_000, 5), (300_000, 6), (100_000, 7), (30_000, 8), (10_000, 9))
CAPITAL_ZOOM = 6
LABEL_COLUMNS = ("name", "latitude", "longitude", "kind", "min_zoom")


@dataclass(frozen=True)
class Label:
    name: str
    latitude: float
    longitude: float
    kind: str  # province | district | town
    min_zoom: int


def _folder(conflict: Conflict) -> Path | Traversable:
    return files("trucewatch") / "data" if conflict.source == SHIPPED else Path(conflict.source)


def map_labels(conflict: Conflict) -> list[Label]:
    """The conflict's provinces, districts and towns worth a name on the map, the biggest first."""
    folder = _folder(conflict)
    if not (folder / GAZETTEER).is_file():
        return []
    rows = read_rows((folder / GAZETTEER).read_text(encoding="utf-8"))
    capitals = set()
    if (folder / CAPITALS).is_file():
        capitals = {(r["country"], r["capital"]) for r in read_rows((folder / CAPITALS).read_text(encoding="utf-8"))}
    countries = {o.country for o in conflict.map.outlines}  # names only where the map draws land
    labels = [label for row in rows if (not countries or row.get("country") in countries)
              and (label := _label(row, capitals)) is not None]
    order = {"province": 0, "town": 1, "district": 2}
    return sorted(labels, key=lambda lb: (lb.min_zoom, order[lb.kind], lb.name))


def _label(row: dict[str, str], capitals: set[tuple[str, str]]) -> Label | None:
    try:
        lat, lon = float(row["latitude"]), float(row["longitude"])
    except (KeyError, ValueError):
        return None
    feature, name = row.get("feature", ""), row.get("name", "")
    if feature == "province":
        return Label(name, lat, lon, "province", PROVINCE_ZOOM)
    if feature == "district":
        return Label(name, lat, lon, "district", DISTRICT_ZOOM)
    if feature != "town":
        return None
    population = int(row.get("population") or 0)
    zoom = next((z for least, z in TOWN_ZOOMS if population >= least), None)
    if (row.get("country", ""), name) in capitals:
        zoom = min(zoom or CAPITAL_ZOOM, CAPITAL_ZOOM)
    return Label(name, lat, lon, "town", zoom) if zoom is not None else None


@lru_cache(maxsize=4)
def map_labels_json(conflict: Conflict) -> bytes:
    """The labels as the API gives them: `{"data": {"columns": [...], "labels": [[name, lat, lon, kind, zoom]]}}`."""
    rows = [[lb.name, lb.latitude, lb.longitude, lb.kind, lb.min_zoom] for lb in map_labels(conflict)]
    return json.dumps({"data": {"columns": list(LABEL_COLUMNS), "labels": rows}},
                      separators=(",", ":")).encode()
