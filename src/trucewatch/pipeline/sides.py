"""What the stages after extraction need of the conflict's actor dictionary: `Sides`.

Resolution, the incident record and assessment compare sides, not names: whose forces an actor is, which sides name one
armed group, the country (and so the clock) of a party, the nationality a death figure names. All of it is read from
the actor dictionary's `[[side]]` table and actors (and the demonyms of the place stoplist); nothing here names a
party. `Sides.of(dictionary, demonyms)` builds them for any conflict's data (`trucewatch.conflict`);
`Sides.shipped()` is the shipped data's, which the pure functions use when given none.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trucewatch.pipeline.extract.actors import ActorDictionary

# Sides the actor dictionary gives to no one in particular: the unidentified, civilians of no party, a generic word
# that found no country, anyone else. With the parties, their civilians and the media they name no one armed group.
MARKERS = frozenset({"UNK", "CIV", "GENERIC", "OTHER"})
STATE_KINDS = ("military", "police", "government")  # actors whose country is their side's country
Nationality = tuple[str, "re.Pattern[str]"]  # ("Pakistani", r"\bPakistan|Pakistani|Pakistanis\b")


@dataclass(frozen=True)
class Sides:
    """The sides of one conflict as the stages after extraction read them."""

    side_of: Callable[[str], str | None]  # an ACLED actor name -> its side ("Military Forces of Pakistan" -> PAK)
    countries: Mapping[str, str] = field(default_factory=dict)  # side -> the country of its state forces
    zones: Mapping[str, str] = field(default_factory=dict)  # a party's country -> its IANA zone; elsewhere UTC
    zone_names: Mapping[str, str] = field(default_factory=lambda: {"UTC": "UTC"})  # zone -> "PKT"
    not_groups: frozenset[str] = MARKERS  # sides that name no one armed group (parties, civilians, media, markers)
    nationalities: tuple[Nationality, ...] = ()  # the parties' countries as a figure names them ("Pakistani")
    basis: str = ""  # names the data these sides were read from: incidents' digests made under other sides are redone

    @classmethod
    def of(cls, dictionary: ActorDictionary, demonyms: Mapping[str, str] | None = None) -> Sides:
        """The sides of an actor dictionary; `demonyms` ("Afghan" -> "Afghanistan") name the parties' nationals."""
        countries: dict[str, str] = {}
        for actor in dictionary.actors.values():
            if actor.country and actor.kind in STATE_KINDS:
                countries.setdefault(actor.side, actor.country)
        parties = [s for s in dictionary.sides.values() if s.role == "party"]
        for side in parties:
            if side.country:
                countries.setdefault(side.code, side.country)
        not_groups = MARKERS | {s.code for s in parties} | {f"CIV_{s.code}" for s in parties} \
            | {s.code for s in dictionary.sides.values() if s.role == "media"}
        return cls(side_of=dictionary.side_of, countries=countries, zones=dictionary.time_zones(),
                   zone_names={**dictionary.zone_names(), "UTC": "UTC"}, not_groups=frozenset(not_groups),
                   nationalities=nationalities(dictionary.party_countries(), demonyms or {}),
                   basis=_basis(dictionary.fingerprint, demonyms or {}))

    @classmethod
    def shipped(cls) -> Sides:
        """The sides of the shipped actor dictionary (read once per process)."""
        return _shipped()

    def zone_of_country(self, country: str | None) -> str:
        """The zone an incident's days are read in: its country's, if a party's; else UTC."""
        return self.zones.get(country or "", "UTC")


def _basis(dictionary_fingerprint: str, demonyms: Mapping[str, str]) -> str:
    demonyms_text = "\n".join(f"{word}={country}" for word, country in demonyms.items())
    return f"{dictionary_fingerprint}-{hashlib.sha256(demonyms_text.encode()).hexdigest()[:8]}"


def nationalities(countries: tuple[str, ...], demonyms: Mapping[str, str]) -> tuple[Nationality, ...]:
    """For each country, its first demonym (else its name) and a pattern of its name and every demonym."""
    found = []
    for country in countries:
        words = [word for word, of in demonyms.items() if of == country]
        label = words[0] if words else country
        names = sorted({country, *words}, key=len, reverse=True)
        found.append((label, re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")))
    return tuple(found)


def read_demonyms(stoplist_text: str) -> dict[str, str]:
    """The `[demonyms]` section of a place stoplist ("Afghan = Afghanistan"), in its order."""
    found: dict[str, str] = {}
    section = ""
    for raw in stoplist_text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == "demonyms" and "=" in line:
            word, country = (part.strip() for part in line.split("=", 1))
            if word and country:
                found[word] = country
    return found


@cache
def shipped_demonyms() -> dict[str, str]:
    return read_demonyms((files("trucewatch") / "data" / "place_stoplist.txt").read_text(encoding="utf-8"))


@cache
def _shipped() -> Sides:
    from trucewatch.pipeline.extract.actors import load_actor_dictionary  # noqa: PLC0415  (only when needed)

    return Sides.of(load_actor_dictionary(), shipped_demonyms())
