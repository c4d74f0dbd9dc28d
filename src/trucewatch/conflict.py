"""The conflict trucewatch watches, as data: `load_conflict(settings) -> Conflict`.

Who the parties are, their guarantors and every other side, the names actors go by, the places, the parties' clocks
and the area maps show come from one data folder; no module names a party. The shipped folder (`trucewatch/data/`)
holds the 2025 Pakistan–Afghanistan conflict's; the setting `data_dir` (`TRUCEWATCH_DATA_DIR`) names another:

    actors.toml         the actor dictionary, with its [[side]] table: parties, guarantors, groups (required)
    gazetteer.tsv       the places (required); places_extra.tsv and world_cities.tsv: hand-made rows (optional)
    place_stoplist.txt  words that are not places, and demonyms ("Afghan = Afghanistan") (optional)
    map.toml            the area maps show and the outline files they draw (optional)

Who answers for whom is no part of it: each agreement says so in the agreements file (`answers_for`). The CLI and the
web app load the conflict once from their settings and hand it to the jobs; the pure stages default to the shipped
data when given nothing. See docs/conflict.md.
"""
from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trucewatch.errors import SettingsError
from trucewatch.pipeline.sides import Sides, read_demonyms, shipped_demonyms

if TYPE_CHECKING:
    from trucewatch.pipeline.extract.actors import ActorDictionary
    from trucewatch.pipeline.extract.places import Gazetteer
    from trucewatch.settings import Settings

ACTORS_FILE, GAZETTEER_FILE, STOPLIST_FILE, MAP_FILE = "actors.toml", "gazetteer.tsv", "place_stoplist.txt", "map.toml"
SHIPPED = "the shipped data"
# Fills of the parties' provinces on maps, in the order of the parties' countries, where map.toml gives none.
FILLS = ("#eaf0f4", "#f4f1ea", "#eef4ea", "#f4eaf0")


# --- the map's frame -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outline:
    """A province's outer rings (level "admin1"), or a country's border lines (level "country")."""

    name: str
    country: str
    level: str
    rings: tuple[tuple[tuple[float, float], ...], ...]


@dataclass(frozen=True, eq=False)
class MapFrame:
    """The conflict's area as maps show it (map.toml): its name in words, the extent shown at first, the outlines
    drawn (GeoJSON features) and whose they are, each country's fill and where its name is written."""

    name: str = ""
    credit: str = ""  # whose outlines they are, for captions: "Natural Earth (public domain)"
    extent: tuple[float, float, float, float] | None = None  # lon min, lon max, lat min, lat max; None: fit the points
    fills: Mapping[str, str] = field(default_factory=dict)  # country -> fill of its provinces
    labels: tuple[tuple[str, float, float], ...] = ()  # (text, lon, lat)
    features: tuple[dict[str, Any], ...] = ()

    @cached_property
    def outlines(self) -> tuple[Outline, ...]:
        return tuple(_outline(feature) for feature in self.features)

    def contains(self, longitude: float, latitude: float) -> bool:
        """Whether a point lies in the extent (always, without one)."""
        if self.extent is None:
            return True
        lon0, lon1, lat0, lat1 = self.extent
        return lon0 <= longitude <= lon1 and lat0 <= latitude <= lat1

    def geojson(self) -> bytes:
        """The outlines as one GeoJSON FeatureCollection (what the workplace's map draws)."""
        return json.dumps({"type": "FeatureCollection", "features": list(self.features)},
                          separators=(",", ":")).encode()


def _outline(feature: dict[str, Any]) -> Outline:
    geometry, properties = feature["geometry"], feature["properties"]
    if geometry["type"] in ("LineString", "MultiLineString"):
        rings = [geometry["coordinates"]] if geometry["type"] == "LineString" else geometry["coordinates"]
    else:  # outer rings only
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        rings = [polygon[0] for polygon in polygons]
    return Outline(properties["name"], properties["country"], properties["level"],
                   tuple(tuple((x, y) for x, y, *_ in ring) for ring in rings))


# --- the conflict ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Conflict:
    """One conflict's data: the actor dictionary and its sides, the gazetteer (read when first asked for), the
    parties' nationals as reports name them (`demonyms`) and the map's frame."""

    source: str  # the data folder, or SHIPPED
    dictionary: ActorDictionary
    demonyms: Mapping[str, str]
    map: MapFrame
    read_gazetteer: Callable[[], Gazetteer] = field(repr=False)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return self.read_gazetteer()

    @cached_property
    def sides(self) -> Sides:
        """What resolution, the incident record and assessment need of the sides (`pipeline.sides.Sides`)."""
        return Sides.of(self.dictionary, self.demonyms)

    def side_of(self, actor: str) -> str | None:
        """The side an ACLED actor name answers to, None if unknown."""
        return self.dictionary.side_of(actor)

    @property
    def party_codes(self) -> tuple[str, ...]:
        """The parties liaison officers speak for, in the dictionary's order."""
        return self.dictionary.party_codes()

    @property
    def guarantor_codes(self) -> tuple[str, ...]:
        return self.dictionary.guarantor_codes()

    @cached_property
    def side_codes(self) -> frozenset[str]:
        """Every side an agreement may name: those of the [[side]] table and of the actors."""
        return frozenset(self.dictionary.sides) | {actor.side for actor in self.dictionary.actors.values()}

    @cached_property
    def side_names(self) -> dict[str, str]:
        """Every side's name, by code: what pages print beside a code."""
        return {code: side.name for code, side in self.dictionary.sides.items()}

    @cached_property
    def filter_sides(self) -> dict[str, str]:
        """The sides maps and timelines can be filtered by: the parties, then the armed groups."""
        parties = {code: self.side_names[code] for code in self.party_codes}
        groups = {s.code: s.name for s in self.dictionary.sides.values() if s.role == "armed_group"}
        return parties | groups

    @property
    def time_zones(self) -> dict[str, str]:
        """The clock of each party's country: {country: IANA zone}."""
        return dict(self.sides.zones)

    @property
    def zone_names(self) -> dict[str, str]:
        """Abbreviations of the parties' zones, for reports: {IANA zone: "PKT"}."""
        return dict(self.sides.zone_names)


def known_parties(parties: Sequence[str] | None = None) -> tuple[str, ...]:
    """`parties`, or the shipped data's when None: what the pure rules (access, workflow) default to."""
    return tuple(parties) if parties is not None else shipped_conflict().party_codes


def load_conflict(settings: Settings | None = None) -> Conflict:
    """The conflict of the settings: the folder `data_dir` names (TW-E402 when it cannot be used), else the shipped
    data. Each folder is read once per process."""
    if settings is None or not settings.data_dir:
        return shipped_conflict()
    return read_conflict(Path(settings.data_dir).expanduser())


@cache
def shipped_conflict() -> Conflict:
    """The shipped data: the 2025 Pakistan–Afghanistan conflict."""
    from trucewatch.pipeline.extract.actors import load_actor_dictionary  # noqa: PLC0415  (parsed when needed)
    from trucewatch.pipeline.extract.places import load_gazetteer  # noqa: PLC0415

    dictionary = load_actor_dictionary()
    frame = _map_frame(files("trucewatch") / "data", SHIPPED, dictionary.party_countries())
    return Conflict(SHIPPED, dictionary, shipped_demonyms(), frame, load_gazetteer)


def read_conflict(folder: Path) -> Conflict:
    """Another conflict's data folder (see the module's docstring); TW-E402 naming what is wrong with it."""
    return _read_folder(str(folder.resolve()))


@cache
def _read_folder(path: str) -> Conflict:
    from trucewatch.pipeline.extract.actors import ActorDictionary  # noqa: PLC0415

    folder = Path(path)
    if not folder.is_dir():
        raise SettingsError("TW-E402", path=path, detail="no such folder")
    try:
        dictionary = ActorDictionary(_toml(folder / ACTORS_FILE, path, required=True))
    except (KeyError, TypeError, ValueError) as err:
        raise SettingsError("TW-E402", path=path, detail=f"{ACTORS_FILE}: an entry lacks or mistypes a field "
                                                         f"({type(err).__name__}: {err})") from err
    if not dictionary.party_codes():
        raise SettingsError("TW-E402", path=path, detail=f"{ACTORS_FILE} names no party; add a [[side]] with "
                                                         "role = \"party\" for each")
    if not (folder / GAZETTEER_FILE).is_file():
        raise SettingsError("TW-E402", path=path, detail=f"{GAZETTEER_FILE} is missing")
    stoplist = _text(folder / STOPLIST_FILE, path) if (folder / STOPLIST_FILE).is_file() else ""
    return Conflict(path, dictionary, read_demonyms(stoplist), _map_frame(folder, path, dictionary.party_countries()),
                    lambda: _gazetteer(folder, stoplist))


def _gazetteer(folder: Path, stoplist: str) -> Gazetteer:
    """The folder's gazetteer.tsv, with its hand-made files where it has them, as the shipped one is read."""
    from trucewatch.pipeline.extract import places  # noqa: PLC0415

    rows: list[tuple[dict[str, str], bool]] = []
    for name in places.DATA_FILES:
        if (folder / name).is_file():
            rows += [(row, name in places.CURATED_FILES) for row in places.read_rows(_text(folder / name, str(folder)))]
    try:
        return places.Gazetteer.from_rows(rows, stoplist)
    except (KeyError, TypeError, ValueError) as err:
        raise SettingsError("TW-E402", path=str(folder), detail=f"{GAZETTEER_FILE}: a row lacks or mistypes a "
                                                                f"column ({type(err).__name__}: {err})") from err


def _map_frame(folder: Path | Traversable, path: str, countries: tuple[str, ...] = ()) -> MapFrame:
    """map.toml of the folder; without it, a frame with no outlines around the parties' countries."""
    data = _toml(folder / MAP_FILE, path, required=False)
    try:
        features = tuple(feature for name in data.get("boundaries", [])
                         for feature in _geojson(folder / name, path)["features"])
        named = {c["name"]: c for c in data.get("country", [])}
        order = [*countries, *(c for c in named if c not in countries)]
        fills = {country: named.get(country, {}).get("fill") or FILLS[n % len(FILLS)]
                 for n, country in enumerate(order)}
        labels = tuple((country.upper(), float(c["label"][0]), float(c["label"][1]))
                       for country, c in named.items() if c.get("label"))
        extent = _extent(data["extent"]) if data.get("extent") else _around(features)
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise SettingsError("TW-E402", path=path, detail=f"{MAP_FILE}: a field is missing or mistyped "
                                                         f"({type(err).__name__}: {err})") from err
    return MapFrame(name=data.get("name") or " and ".join(countries), credit=data.get("credit", ""),
                    extent=extent, fills=fills, labels=labels, features=features)


def _extent(values: list[float]) -> tuple[float, float, float, float]:
    lon0, lon1, lat0, lat1 = (float(v) for v in values)
    return lon0, lon1, lat0, lat1


def _around(features: tuple[dict[str, Any], ...], margin: float = 0.5) -> tuple[float, float, float, float] | None:
    points = [point for feature in features for ring in _outline(feature).rings for point in ring]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons) - margin, max(lons) + margin, min(lats) - margin, max(lats) + margin


def _toml(file: Path | Traversable, path: str, required: bool) -> dict[str, Any]:
    if not file.is_file():
        if required:
            raise SettingsError("TW-E402", path=path, detail=f"{file.name} is missing")
        return {}
    try:
        return tomllib.loads(_text(file, path))
    except tomllib.TOMLDecodeError as err:
        raise SettingsError("TW-E402", path=path, detail=f"{file.name}: not valid TOML ({err})") from err


def _geojson(file: Path | Traversable, path: str) -> dict[str, Any]:
    try:
        found = json.loads(_text(file, path))
    except json.JSONDecodeError as err:
        raise SettingsError("TW-E402", path=path, detail=f"{file.name}: not valid GeoJSON ({err})") from err
    if not isinstance(found, dict) or not isinstance(found.get("features"), list):
        raise SettingsError("TW-E402", path=path, detail=f"{file.name}: not a GeoJSON FeatureCollection")
    return found


def _text(file: Path | Traversable, path: str) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SettingsError("TW-E402", path=path, detail=f"cannot read {file.name} ({err})") from err
