#!/usr/bin/env python3
"""Build the province outlines that report maps draw: src/trucewatch/data/naturalearth_admin1_{afg,pak}.geojson.

A developer runs this when the source data change; trucewatch itself never does (it only reads the shipped files).

    python scripts/build_boundaries.py                      # reads /work/shared/data, writes the shipped files
    python scripts/build_boundaries.py --data DIR --out DIR

From the Natural Earth 1:10m admin-1 polygons of the shared data folder (public domain; see its SOURCE.md):
  * names as ACLED and the gazetteer spell them (Hirat -> Herat, N.W.F.P. -> Khyber Pakhtunkhwa, the second "Uruzgan"
    -> Daykundi, the second "Parwan" -> Panjshir, ...);
  * F.A.T.A. dissolved into Khyber Pakhtunkhwa (merged in 2018): the edges the two share are dropped;
  * simplified by snapping every vertex to a 0.02-degree grid (about 2 km; a hair's width on a report's map) and
    dropping repeated points and spikes. Neighbours share their vertices in the source, so they snap alike and the
    simplified provinces still meet without gaps or overlaps.

  * each country's outline (its provinces dissolved) as a last, MultiLineString feature, for drawing the border.

Standard library only; each feature keeps four properties: name, country, level ("admin1" or "country"),
source_name.
"""
from __future__ import annotations

import argparse
import json
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRID = 0.02
MIN_AREA = 0.01  # square degrees: smaller rings left by dissolving (gaps in the Indus delta) are not drawn
Point = tuple[float, float]
Ring = list[Point]

# Natural Earth name (or gn_name, where NE repeats a name) -> ACLED's admin1 name
RENAME = {
    "Hirat": "Herat", "Hilmand": "Helmand", "Jawzjan": "Jowzjan", "Sari Pul": "Sar-e-Pul", "Paktya": "Paktia",
    "Wilayat-e Daykundi": "Daykundi", "Panjshir": "Panjshir",
    "Baluchistan": "Balochistan", "F.C.T.": "Islamabad Capital Territory", "Northern Areas": "Gilgit-Baltistan",
    "Sind": "Sindh", "N.W.F.P.": "Khyber Pakhtunkhwa", "F.A.T.A.": "Khyber Pakhtunkhwa",
}
COUNTRIES = {"afg": "Afghanistan", "pak": "Pakistan"}


def name_of(properties: dict) -> str:
    if properties.get("gn_name") in RENAME:
        return RENAME[properties["gn_name"]]
    return RENAME.get(properties["name"], properties["name"])


def polygons_of(geometry: dict) -> list[list[Ring]]:
    coords = geometry["coordinates"]
    if geometry["type"] == "MultiLineString":
        return [[[(float(x), float(y)) for x, y in line]] for line in coords]
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    return [[[(float(x), float(y)) for x, y in ring] for ring in polygon] for polygon in polygons]


def area(ring: Ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring)) / 2


def counter_clockwise(ring: Ring) -> Ring:
    return ring if area(ring) >= 0 else ring[::-1]


def dissolve(rings: list[Ring]) -> list[Ring]:
    """Outer rings that touch, as one or more rings: the edges they share (in either direction) cancel out."""
    edges: list[tuple[Point, Point]] = []
    for ring in rings:
        ring = counter_clockwise(ring)
        edges += list(pairwise(ring))
    undirected = defaultdict(int)
    for p, q in edges:
        undirected[frozenset((p, q))] += 1
    following: dict[Point, list[Point]] = defaultdict(list)
    for p, q in edges:
        if undirected[frozenset((p, q))] == 1:
            following[p].append(q)
    out = []
    while following:
        start = min(following)
        ring, point = [start], start
        while True:
            nxt = following[point].pop()
            if not following[point]:
                del following[point]
            ring.append(nxt)
            point = nxt
            if point == start:
                break
        out.append(ring)
    return out


def snap(ring: Ring) -> Ring:
    """The ring on the grid, without repeated points or there-and-back spikes; [] if nothing of it is left."""
    snapped: Ring = []
    for x, y in ring:
        p = (round(round(x / GRID) * GRID, 3), round(round(y / GRID) * GRID, 3))
        if not snapped or snapped[-1] != p:
            snapped.append(p)
    changed = True
    while changed and len(snapped) > 3:
        changed = False
        open_ring = snapped[:-1] if snapped[0] == snapped[-1] else snapped
        kept: Ring = []
        for p in open_ring:
            if len(kept) >= 2 and kept[-2] == p:  # a spike a -> b -> a
                kept.pop()
                changed = True
            elif not kept or kept[-1] != p:
                kept.append(p)
        snapped = kept + kept[:1]
    return snapped if len(snapped) >= 4 and abs(area(snapped)) > 0 else []


def build(source: Path, country: str) -> dict:
    by_name: dict[str, list[list[Ring]]] = defaultdict(list)
    source_names: dict[str, list[str]] = defaultdict(list)
    for feature in json.loads(source.read_text(encoding="utf-8"))["features"]:
        name = name_of(feature["properties"])
        by_name[name] += polygons_of(feature["geometry"])
        source_names[name].append(feature["properties"]["name"])
    features = []
    for name in sorted(by_name):
        polygons = by_name[name]
        if len(source_names[name]) > 1:  # F.A.T.A. + N.W.F.P.: outer rings dissolved (neither has holes)
            polygons = [[ring] for ring in dissolve([polygon[0] for polygon in polygons])]
        simple = [[r for r in (snap(ring) for ring in polygon) if r] for polygon in polygons]
        simple = [[[list(p) for p in ring] for ring in polygon] for polygon in simple if polygon]
        geometry = {"type": "Polygon", "coordinates": simple[0]} if len(simple) == 1 else \
            {"type": "MultiPolygon", "coordinates": simple}
        features.append({"type": "Feature", "properties": {
            "name": name, "country": country, "level": "admin1", "source_name": " + ".join(source_names[name])},
            "geometry": geometry})
    return {"type": "FeatureCollection", "features": [*features, outline(features, country)]}


def outline(provinces: list[dict], country: str) -> dict:
    """The country's outline: its snapped provinces dissolved, as a line feature (for drawing the border)."""
    rings = [[tuple(p) for p in polygon[0]] for f in provinces for polygon in polygons_of(f["geometry"])]
    lines = [[list(p) for p in ring] for ring in dissolve(rings) if area(ring) > MIN_AREA]  # no slivers, gaps
    return {"type": "Feature", "properties": {"name": country, "country": country, "level": "country",
                                              "source_name": "the provinces above, dissolved"},
            "geometry": {"type": "MultiLineString", "coordinates": lines}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "trucewatch" / "data")
    args = parser.parse_args()
    for code, country in COUNTRIES.items():
        name = f"naturalearth_admin1_{code}.geojson"
        collection = build(args.data / name, country)
        text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
        (args.out / name).write_text(text.replace('},{"type":"Feature"', '},\n{"type":"Feature"') + "\n",
                                     encoding="utf-8")
        points = sum(len(r) for f in collection["features"] for p in polygons_of(f["geometry"]) for r in p)
        print(f"{name}: {len(collection['features']) - 1} provinces, {points} points, {len(text) // 1024} KB")


if __name__ == "__main__":
    main()
