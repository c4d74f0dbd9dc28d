"""Find actors in sentences and normalise them to ACLED's names with the shipped actor dictionary.

The dictionary (`data/actors.toml`) is plain, editable data: aliases per actor, date bounds (the Afghan state changed
hands on 2021-08-15), generic words such as "security forces" that are resolved from the country where the event
happened, and metonyms ("Kabul said") that stand for a government only when they speak.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from trucewatch.records import Actor, ActorMention, Sentence, Span

GENERIC_SIDE = "GENERIC"
# Verbs after which a country or capital name is a speaker, not a place ("Islamabad denied", "Kabul has said").
_SPEAKING_VERBS = (
    r"said|says|say|told|denied|denies|deny|rejected|rejects|accused|accuses|blamed|blames|claimed|claims|"
    r"maintained|maintains|confirmed|confirms|condemned|condemns|responded|insisted|insists|demanded|demands|warned|"
    r"warns|urged|urges|called|alleged|alleges|admitted|acknowledged|announced|dismissed|neither|did not|has not|"
    r"have not|had not|has been demanding|has repeatedly|has long|retaliated|launched|vowed|referred|refers|demanded|"
    r"agreed|responded|struck|hit|carried out|has been|had been|rejected|refused"
)


@dataclass(frozen=True, slots=True)
class Side:
    """One side of the conflict as the dictionary's `[[side]]` table defines it: the only place parties are named."""

    code: str
    name: str
    role: str  # party | guarantor | mediator | armed_group | international | media | other
    country: str | None = None
    time_zone: str | None = None
    zone_name: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    liaison: bool = True  # parties only: whether a liaison officer may speak for it

    def valid_on(self, day: date | None) -> bool:
        if day is None:
            return self.valid_until is None
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_until is None or day <= self.valid_until)


def _side(entry: dict) -> Side:
    return Side(code=entry["code"], name=entry.get("name", entry["code"]), role=entry.get("role", "other"),
                country=entry.get("country"), time_zone=entry.get("time_zone"), zone_name=entry.get("zone_name"),
                valid_from=_date(entry.get("valid_from")), valid_until=_date(entry.get("valid_until")),
                liaison=bool(entry.get("liaison", True)))


@dataclass(frozen=True, slots=True)
class _Alias:
    actor: Actor
    valid_from: date | None = None
    valid_until: date | None = None

    def valid_on(self, day: date | None) -> bool:
        if day is None:
            return self.valid_until is None
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_until is None or day <= self.valid_until)


class ActorDictionary:
    """Aliases compiled into two alternations: case-sensitive for proper names and acronyms, the rest ignoring case."""

    def __init__(self, data: dict) -> None:
        # What the data says, as one value: what incidents' digests were made under (`Sides.basis`).
        self.fingerprint = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]
        self.actors: dict[str, Actor] = {}
        self._aliases: dict[str, list[_Alias]] = {}
        for entry in data.get("actor", []):
            self._add_entry(entry)
        for entry in data.get("generic", []):
            actor = Actor(name=f"generic:{entry['role']}", side=GENERIC_SIDE, kind=entry["role"])
            for alias in entry["aliases"]:
                self._aliases.setdefault(_key(alias), []).append(_Alias(actor))
        self.generic_names: dict[str, dict[str, str]] = data.get("generic_names", {})
        self._generic_eras: list[dict] = data.get("generic_names_era", [])
        self.sides: dict[str, Side] = {entry["code"]: _side(entry) for entry in data.get("side", [])}
        self.day: date | None = None
        self.metonyms: dict[str, str] = data.get("metonyms", {})
        self.readings = {(r["alias"].lower(), r["speaker_side"]): r["actor"] for r in data.get("reading", [])}
        self._case_sensitive, self._ignore_case = _compile(self._aliases)
        # The first word of every alias: the long alternations are tried only where one stands (a set lookup per
        # word instead of a regular-expression attempt at every character).
        self._first_exact = frozenset(_first_word(a) for a in self._aliases if _is_case_sensitive(a))
        self._first_folded = frozenset(_first_word(a).lower() for a in self._aliases if not _is_case_sensitive(a))
        self._alias_starts: dict[str, int] = {}  # word -> _EXACT | _FOLDED (a per-dictionary cache)
        self._metonym = re.compile(
            r"(?<![\w-])(" + "|".join(map(re.escape, sorted(self.metonyms, key=len, reverse=True))) + r")(?![\w'’-])"
            r"(?=(?:\s+(?:\w+ly|has|have|had|also|has\s+also|itself))?\s+(?:" + _SPEAKING_VERBS + r")\b)")

    def _add_entry(self, entry: dict) -> None:
        actor = Actor(name=entry["name"], side=entry["side"], kind=entry["kind"], country=entry.get("country"),
                      speaker_only=bool(entry.get("speaker", False)))
        self.actors.setdefault(actor.name, actor)
        bounds = _Alias(actor, _date(entry.get("valid_from")), _date(entry.get("valid_until")))
        for alias in entry["aliases"]:
            self._aliases.setdefault(_key(alias), []).append(bounds)

    def on(self, day: date | None) -> ActorDictionary:
        """The dictionary as it reads on `day`: generic words name the state of that era ("police" in Afghanistan
        before 15 August 2021 is the Republic's police)."""
        names = {country: dict(roles) for country, roles in self.generic_names.items()}
        for era in self._generic_eras:
            start, end = _date(era.get("valid_from")), _date(era.get("valid_until"))
            if day is not None and (start is None or day >= start) and (end is None or day <= end):
                names[era["country"]] = {k: v for k, v in era.items()
                                         if k not in ("country", "valid_from", "valid_until")}
        view = copy.copy(self)
        view.generic_names, view.day = names, day
        return view

    # --- the sides ---------------------------------------------------------------------------------------------

    def parties(self) -> tuple[Side, ...]:
        """The parties to the conflict that liaison officers speak for, in the dictionary's order."""
        return tuple(s for s in self.sides.values() if s.role == "party" and s.liaison)

    def party_codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.parties())

    def guarantor_codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.sides.values() if s.role == "guarantor")

    def party_countries(self) -> tuple[str, ...]:
        """The countries whose states are parties: where generic words resolve and events are mostly placed."""
        found: list[str] = []
        for side in self.sides.values():
            if side.role == "party" and side.country and side.country not in found:
                found.append(side.country)
        return tuple(found)

    def side_for_country(self, country: str | None, day: date | None = None) -> str | None:
        """The party side that is the state of `country` on `day` (the shipped dictionary: AFG after 2021-08-15,
        AFG_REP before)."""
        day = day or self.day
        for side in self.sides.values():
            if side.role == "party" and side.country == country and (day is None or side.valid_on(day)):
                if day is not None or side.valid_until is None:
                    return side.code
        return None

    def time_zones(self) -> dict[str, str]:
        """The clock of each party's country: {"Pakistan": "Asia/Karachi", ...}."""
        return {s.country: s.time_zone for s in self.sides.values() if s.role == "party" and s.country and s.time_zone}

    def zone_names(self) -> dict[str, str]:
        """Abbreviations of the parties' zones for reports: {"Asia/Karachi": "PKT", ...}."""
        return {s.time_zone: s.zone_name for s in self.sides.values() if s.time_zone and s.zone_name}

    # --- finding and resolving ---------------------------------------------------------------------------------

    def find(self, sentences: list[Sentence], on: date | None = None) -> list[ActorMention]:
        """Every actor mention, longest name first where names overlap, valid on the report's date; a person named
        in full once is found again by surname ("Khawaja Asif ... Asif said")."""
        mentions: list[ActorMention] = []
        surnames: dict[str, Actor] = {}
        for sentence in sentences:
            found = self._find_in(sentence, on)
            found += self._surnames_in(sentence, surnames, found)
            for mention in found:
                surname = _surname(mention.surface)
                if surname is not None:
                    surnames.setdefault(surname, mention.actor)
            mentions.extend(sorted(found, key=lambda m: m.span.start))
        return mentions

    def _surnames_in(self, sentence: Sentence, surnames: dict[str, Actor], found: list[ActorMention]
                     ) -> list[ActorMention]:
        if not surnames or not any(surname in sentence.text for surname in surnames):
            return []  # most sentences name none of the report's people: a substring test spares the word loop
        extra = []
        for word in _WORD.finditer(sentence.text):
            actor = surnames.get(word.group(0))
            start = sentence.span.start + word.start()
            if actor is not None and not any(m.span.start <= start < m.span.end for m in found):
                extra.append(_mention(sentence, actor, word.start(), word.end()))
        return extra

    def _find_in(self, sentence: Sentence, on: date | None) -> list[ActorMention]:
        text = _plain_quotes(sentence.text)
        hits: list[tuple[int, int]] = []
        for word in _WORD.finditer(text):
            starts = self._starts_alias(word.group(0))
            if starts & _EXACT and (match := self._case_sensitive.match(text, word.start())) is not None:
                hits.append(match.span())
            if starts & _FOLDED and (match := self._ignore_case.match(text, word.start())) is not None:
                hits.append(match.span())
        found: list[ActorMention] = []
        taken: list[tuple[int, int]] = []
        # Longest name first, so "the military's media wing" beats "the military" that overlaps it.
        for start, end in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0])):
            if any(start < e and s < end for s, e in taken):
                continue
            actor = self.actor_for(text[start:end], on)
            if actor is None:
                continue
            taken.append((start, end))
            found.append(_mention(sentence, actor, start, end))
        for match in self._metonym.finditer(text):
            if not any(m.span.start <= sentence.span.start + match.start() < m.span.end for m in found):
                actor = self.actors[self.metonyms[match.group(1)]]
                found.append(_mention(sentence, actor, match.start(), match.end()))
        return sorted(found, key=lambda m: m.span.start)

    def _starts_alias(self, token: str) -> int:
        """Whether a word of the text can start a case-kept alias (_EXACT), a folded one (_FOLDED), both or neither:
        one dictionary lookup per word, each distinct word worked out once per dictionary."""
        kinds = self._alias_starts.get(token)
        if kinds is None:
            kinds = (_EXACT if token in self._first_exact else 0) | (
                _FOLDED if token.lower() in self._first_folded else 0)
            if len(self._alias_starts) < _WORD_CACHE_LIMIT:
                self._alias_starts[token] = kinds
        return kinds

    def actor_for(self, surface: str, on: date | None = None) -> Actor | None:
        """The actor this exact name or alias stands for on that day, or None."""
        surface = _plain_quotes(surface)
        candidates = self._aliases.get(_key(surface), []) + self._aliases.get(surface.lower(), [])
        for alias in candidates:
            if alias.valid_on(on):
                return alias.actor
        return None

    def resolve(self, actor: Actor, country: str | None) -> Actor | None:
        """A concrete actor for a generic word ("police" in Pakistan), or the actor itself; None if unresolvable."""
        if actor.side != GENERIC_SIDE:
            return actor
        names = self.generic_names.get(country or "", {})
        name = names.get(actor.kind)
        if name is None:
            return None
        side = self.side_for_country(country) or "OTHER"
        if actor.kind == "unidentified":
            side = "UNK"
        elif actor.kind == "civilians":
            side = "CIV_" + side
        return self.actors.get(name) or Actor(name=name, side=side, kind=_kind_of_role(actor.kind), country=country)

    def side_of(self, name: str) -> str | None:
        """The side an ACLED actor name answers to ("Police Forces of Pakistan" -> PAK), or None if unknown."""
        base = name.split(" (")[0] if name not in self.actors else name
        actor = self.actors.get(name) or self.actors.get(base)
        if actor is not None:
            return actor.side
        for country, roles in self.generic_names.items():
            for role, generic in roles.items():
                if generic != name:
                    continue
                resolved = self.resolve(Actor(f"generic:{role}", GENERIC_SIDE, role), country)
                if resolved is not None:  # always: the generic name was found for this country and role
                    return resolved.side
        return None

    def reading_for(self, surface: str, speaker_side: str | None) -> str | None:
        """A speaker-dependent reading of a name ("Khawarij" from the Taliban means the Islamic State)."""
        return self.readings.get((_key(surface).lower(), speaker_side or ""))


_WORD = re.compile(r"\w+")
_EXACT, _FOLDED = 1, 2  # a word can start a case-kept alias, a folded one
_WORD_CACHE_LIMIT = 200_000  # distinct words remembered per dictionary


_NOT_A_PERSON = frozenset("""army forces force ministry office government front liberation police corps council
commission agency news party movement brigade group state emirate republic province district city border""".split())


def _surname(surface: str) -> str | None:
    """The surname of a person named in full ("Khawaja Asif" -> "Asif"): two or three capitalised words, none of
    them an institution's."""
    words = surface.split()
    if not 2 <= len(words) <= 3 or not all(w[:1].isupper() and w[1:].islower() for w in words):
        return None
    if any(w.lower() in _NOT_A_PERSON for w in words):
        return None
    return words[-1]


def _first_word(alias: str) -> str:
    """The first run of word characters of an alias, as the text's words are cut ("Tehrik-e-Taliban" -> "Tehrik")."""
    match = _WORD.search(_plain_quotes(alias))
    return match.group(0) if match else alias


def _kind_of_role(role: str) -> str:
    return {"unidentified": "armed_group"}.get(role, role)


def _mention(sentence: Sentence, actor: Actor, start: int, end: int) -> ActorMention:
    base = sentence.span.start
    return ActorMention(actor=actor, surface=sentence.text[start:end], span=Span(base + start, base + end),
                        sentence=sentence.index)


def _compile(aliases: dict[str, list[_Alias]]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Proper names and acronyms ("IS", "Dawn", "Levies") must keep their capitals; phrases and common nouns need
    not."""
    sensitive = [a for a in aliases if _is_case_sensitive(a)]
    insensitive = [a for a in aliases if not _is_case_sensitive(a)]
    return _alternation(sensitive, 0), _alternation(insensitive, re.IGNORECASE)


def _is_case_sensitive(alias: str) -> bool:
    return " " not in alias and alias[:1].isupper()


def _alternation(names: list[str], flags: int) -> re.Pattern[str]:
    if not names:
        return re.compile(r"(?!x)x")
    body = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(r"(?<![\w-])(?:" + body + r")(?![\w-])", flags)


def _key(alias: str) -> str:
    """Lookup key: case kept for single capitalised words (so "IS" is not "is"), folded for the rest."""
    alias = _plain_quotes(alias)
    return alias if _is_case_sensitive(alias) else alias.lower()


def _plain_quotes(text: str) -> str:
    # Same length in and out, so offsets stay valid.
    return text.replace("’", "'").replace("‘", "'")


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@cache
def load_actor_dictionary() -> ActorDictionary:
    """The shipped dictionary, parsed once per process."""
    raw = resources.files("trucewatch.data").joinpath("actors.toml").read_bytes()
    return ActorDictionary(tomllib.loads(raw.decode("utf-8")))


def find_actors(sentences: list[Sentence], on: date | None = None) -> list[ActorMention]:
    return load_actor_dictionary().find(sentences, on)
