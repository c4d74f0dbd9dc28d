#!/usr/bin/env python3
"""How many gold place names the gazetteer knows: a check of the data, not of the event assembler.

    . .venv/bin/activate
    python scripts/gazetteer_coverage.py                                  # both shared corpora, shipped data
    python scripts/gazetteer_coverage.py --data /tmp/old_data CORPUS...   # another copy of the data files

For every gold incident of `gold.json` (fields `location`, `country`, `admin1`, `latitude`, `longitude`,
`geo_precision`) the free-text `location` is cut into candidate names by this rule:

1. Only the text before the first ":" counts ("Mach (Bolan): attacks on ..." -> "Mach (Bolan)").
2. The text outside parentheses is split at commas; its first part is the **primary name**, the other parts are
   further names ("Bagan, Lower Kurram" -> Bagan, Lower Kurram). Every parenthesis gives further names, split at
   "," and ";".
3. Every part is split again at "/", " - " and " near " (alternatives: "Katta Khel / Katu Khel Adda", "Bolan Pass
   near Mashkaf"); a leading "and"/"the" and a possessive ("Iran's Sasoli") are dropped; a part with lower-case words
   keeps only its last run of capitalised words ("blasts in Sibi" -> Sibi), unless that run follows "from" (where
   someone came from: "barbers from Punjab").
4. Trailing kind words are dropped: district, city, town, village, tehsil, county, area, border post(s), border
   crossing, border area, border, cantonment, garrison, highway, railway station, airfield, airport, province-wide.
   A name written "A-B" that is not found whole is tried as A and B ("Noshki-Dalbandin highway").
5. A part is a name only if it is 1 to 4 capitalised words without digits, and not an institution ("Frontier Corps",
   "Kabul Bank", "Jaffar Express": words listed in NOT_NAMES) nor only country names ("Iran–Afghanistan border").

A gold place counts as **found** when one of its names is found: `Gazetteer.lookup(name)` returns a place (not a
country) within 25 km of the gold point, or, for province-level gold (geo_precision 3), a place in the gold
country and admin1. The further names are also counted one by one ("names found") for information: many are
villages or buildings that no open gazetteer has.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

from trucewatch.pipeline.extract.places import Gazetteer, load_gazetteer, read_rows

CORPORA = (Path("/work/shared/corpus/dev"), Path("/work/shared/corpus/broad"))
KM = 25.0
DATA_FILES = ("gazetteer.tsv", "places_extra.tsv", "world_cities.tsv")
CURATED = {"places_extra.tsv", "world_cities.tsv"}

KIND_WORDS = ("border posts", "border post", "border crossing", "border area", "border", "district", "city",
              "town", "village", "tehsil", "county", "area", "cantonment", "garrison", "highway", "railway station",
              "airfield", "airport", "province-wide")
NOT_NAMES = {"Ministry", "Bank", "Corps", "Headquarters", "School", "Station", "Authority", "Brigade", "Express",
             "Road", "Point", "Complex", "Colony", "Port", "Police", "Uloom", "Darul", "Levies", "ISPR", "PNS",
             "JUI-F", "RCD", "Mill"}
_KIND_RE = re.compile(r"(?:\s+(?:{}))+$".format("|".join(re.escape(w) for w in KIND_WORDS)), re.IGNORECASE)
_WORD = re.compile(r"^(?:[A-Z][\w'’-]*|(?:al|el|e|i|ul|wa)-[\w'’-]+|e|i|ul|al|wa|of|and)$")


def candidate_names(location: str, countries: set[str]) -> tuple[list[str], list[str]]:
    """(primary names, further names) of a gold `location`, by the rule in the module docstring."""
    head = location.split(":", 1)[0]
    inner = re.findall(r"\(([^()]*)\)", head)
    outside = re.sub(r"\([^()]*\)", " ", head)
    parts = [p for p in outside.split(",")]
    primary_parts, further_parts = parts[:1], parts[1:]
    for group in inner:
        further_parts += re.split(r"[,;]", group)
    return _names(primary_parts, countries), [n for n in _names(further_parts, countries)]


def _names(parts: list[str], countries: set[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        for alt in re.split(r"/|\s+near\s+|\s+[-–]\s+", part):
            name = _clean(alt)
            if name and name not in out and not _only_countries(name, countries):
                out.append(name)
    return out


def _clean(text: str) -> str | None:
    text = re.sub(r"\s+", " ", text).strip(" .-–")
    text = re.sub(r"^(?:and|the)\s+", "", text)
    text = re.sub(r"\b[A-Z]\w*['’]s\s+", "", text)  # "Iran's Sasoli" -> "Sasoli"
    text = _KIND_RE.sub("", text).strip()
    words = text.split()
    if not words:
        return None
    if not all(_WORD.match(w) for w in words):  # keep the last run of capitalised words
        run: list[str] = []
        for k, word in enumerate(words):
            after_from = k > 0 and words[k - 1] == "from" and not run
            run = run + [word] if re.match(r"^[A-Z]", word) and not after_from else []
        words = run
        text = _KIND_RE.sub("", " ".join(words)).strip()
        words = text.split()
    while words and words[-1] in ("of", "and"):
        words.pop()
    if not words or len(words) > 4 or any(ch.isdigit() for ch in text) or any(w in NOT_NAMES for w in words):
        return None
    return " ".join(words)


def _only_countries(name: str, countries: set[str]) -> bool:
    return all(part.strip() in countries for part in re.split(r"[–-]", name))


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, h)))


def name_found(gazetteer: Gazetteer, name: str, gold: dict) -> tuple[bool, str]:
    """Whether a lookup of `name` (or of its hyphen parts) gives a place near the gold point; and a short note."""
    tries = [name]
    places = [p for p in gazetteer.lookup(name) if p.feature != "country"]
    if not places and re.search(r"\w-\w", name):
        tries = [p for p in name.split("-") if p.strip()]
        places = [p for t in tries for p in gazetteer.lookup(t) if p.feature != "country"]
    if not places:
        return False, "not in the gazetteer"
    lat, lon = float(gold["latitude"]), float(gold["longitude"])
    nearest = min(places, key=lambda p: km(lat, lon, p.latitude, p.longitude))
    distance = km(lat, lon, nearest.latitude, nearest.longitude)
    if distance <= KM:
        return True, f"{nearest.name} ({nearest.feature}) {distance:.0f} km"
    if int(gold.get("geo_precision") or 0) == 3:
        same = [p for p in places if p.country == gold.get("country")
                and (p.admin1 or "").casefold() == (gold.get("admin1") or "").casefold()]
        if same:
            return True, f"{same[0].name} ({same[0].feature}) in {gold['admin1']}"
    return False, f"nearest {nearest.name} ({nearest.feature}, {nearest.admin1}) {distance:.0f} km"


def coverage(gazetteer: Gazetteer, corpus: Path, verbose: bool) -> tuple[int, int]:
    gold = json.loads((corpus / "gold.json").read_text(encoding="utf-8"))
    countries = {p.country for p in gazetteer.places if p.feature == "country"} | {"Iran", "Afghanistan", "Pakistan"}
    found_places = names_total = names_found = 0
    misses, name_misses = [], []
    for incident in gold:
        primary, further = candidate_names(incident["location"], countries)
        results = {n: name_found(gazetteer, n, incident) for n in primary + further}
        ok = any(found for found, _ in results.values())
        found_places += ok
        names_total += len(results)
        names_found += sum(found for found, _ in results.values())
        if not ok:
            misses.append((incident, results))
        for name, (found, note) in results.items():
            if not found:
                name_misses.append(f"{incident['incident_id']}: {name} — {note}")
    n = len(gold)
    print(f"{corpus}: gold places found {found_places}/{n} ({found_places / n:.1%}); "
          f"names found {names_found}/{names_total} ({names_found / max(names_total, 1):.1%})")
    for incident, results in misses:
        tried = "; ".join(f"{name}: {note}" for name, (_, note) in results.items()) or "no name by the rule"
        print(f"  MISS {incident['incident_id']} {incident['location']!r} -> {tried}")
    if verbose:
        for line in name_misses:
            print(f"  name not found: {line}")
    return found_places, n


def load(folder: Path | None) -> Gazetteer:
    if folder is None:
        return load_gazetteer()
    rows = []
    for name in DATA_FILES:
        rows += [(row, name in CURATED) for row in read_rows((folder / name).read_text(encoding="utf-8"))]
    return Gazetteer.from_rows(rows, (folder / "place_stoplist.txt").read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="*", type=Path, default=list(CORPORA), help="corpus folders with gold.json")
    parser.add_argument("--data", type=Path, help="folder with gazetteer.tsv, places_extra.tsv, world_cities.tsv "
                                                  "and place_stoplist.txt (default: the shipped files)")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list every further name not found")
    args = parser.parse_args(argv)
    gazetteer = load(args.data)
    for corpus in args.corpora:
        coverage(gazetteer, corpus, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
