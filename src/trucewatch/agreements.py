"""The agreements file: TOML in, `Agreement` records out, and back again.

`read_agreements(path)` parses and validates a whole file and gives its agreements, or raises one TW-E501 that lists
every mistake by its field path (`agreements[2].window.start: '2025-10-19 25:00' is not a time; ...`) with what to
write instead; nothing is loaded from a file with a mistake. `dump_agreements` writes records back in the same format,
so an exported file loads unchanged. Times are written as local clock readings with the zone beside them (`start =
"2025-10-15T18:00"`, `tz = "Asia/Karachi"`) and become instants here. The format, field by field: docs/agreements.md.
No I/O beyond reading the one file; no database.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from difflib import get_close_matches
from pathlib import Path
from typing import Any, TypeGuard
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomli_w

from trucewatch.errors import AgreementError
from trucewatch.records import (
    AGREEMENT_KINDS,
    EVENT_TYPES,
    SUB_EVENT_TYPES,
    Agreement,
    Commitment,
    Party,
)

# What a commitment can concern besides ACLED's event and sub-event types (see docs/agreements.md and
# pipeline/assess.py, which finds them in an incident).
CONCERN_TAGS = ("violence", "cross-border", "civilians", "forces", "infrastructure", "proxy")
CONCERNS = CONCERN_TAGS + EVENT_TYPES + SUB_EVENT_TYPES
AGREEMENT_FIELDS = ("id", "name", "kind", "window", "parties", "guarantors", "mediators", "commitments", "supersedes",
                    "sources", "notes")
WINDOW_FIELDS = ("start", "end", "tz")
PARTY_FIELDS = ("code", "name", "answers_for")
COMMITMENT_FIELDS = ("id", "text", "binds", "concerns")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_LOCAL = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_URL = re.compile(r"^https?://\S+$")
HEADER = ("# Agreements for trucewatch (see docs/agreements.md for every field).\n"
          "# Load with: trucewatch agreements load FILE\n\n")


# --- times -----------------------------------------------------------------------------------------------------------

def zone(name: str) -> ZoneInfo:
    """The IANA time zone of this name; ValueError with what to write otherwise."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone; write an IANA name such as Asia/Karachi or Asia/Kabul") \
            from None


def local_time(value: object, tz: str) -> datetime:
    """A clock reading in zone `tz` ("2025-10-15T18:00", or a TOML local date-time) as an instant (tz-aware).

    ValueError, with what to write instead, for anything else: a date without a time, an offset of its own, a time
    that does not exist in the zone (clocks put forward)."""
    where = zone(tz)
    naive = _naive(value, tz)
    aware = naive.replace(tzinfo=where)
    if aware.astimezone(UTC).astimezone(where).replace(tzinfo=None) != naive:
        raise ValueError(f"'{_clock(naive)}' does not exist in {tz}: the clocks were put forward over it; "
                         f"write a time after the change")
    return aware


def _naive(value: object, tz: str) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError(_offset_advice(value.replace(tzinfo=None), tz))
        return value
    if isinstance(value, date):
        raise ValueError(f"'{value.isoformat()}' has no time of day; write {value.isoformat()}T00:00 for the start "
                         f"of the day, with tz = \"{tz}\"")
    if isinstance(value, time):
        raise ValueError(f"'{value.isoformat()}' has no date; write YYYY-MM-DDTHH:MM with tz = \"{tz}\"")
    if not isinstance(value, str):
        raise ValueError(f"expected a time as text like \"2025-10-15T18:00\", found {_kind(value)}")
    return _parse_clock(value.strip(), tz)


def _parse_clock(text: str, tz: str) -> datetime:
    match = _LOCAL.match(text)
    if match:
        day, hour, minute, second = match.groups()
        try:
            return datetime.combine(date.fromisoformat(day), time(int(hour), int(minute), int(second or 0)))
        except ValueError:
            pass
    else:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            raise ValueError(_offset_advice(parsed.replace(tzinfo=None), tz))
        if parsed is not None and len(text) == 10:
            raise ValueError(f"'{text}' has no time of day; write {text}T00:00 for the start of the day, "
                             f"with tz = \"{tz}\"")
    raise ValueError(f"'{text}' is not a time; write {_example_for(text)} with tz = \"{tz}\"")


def _example_for(text: str) -> str:
    try:
        return date.fromisoformat(text[:10]).isoformat() + "T00:00"
    except ValueError:
        return "YYYY-MM-DDTHH:MM (e.g. 2025-10-15T18:00)"


def _offset_advice(naive: datetime, tz: str) -> str:
    return (f"'{_clock(naive)}' carries an offset of its own; write the local time without it ({_clock(naive)}) and "
            f"the zone as tz = \"{tz}\"")


def _clock(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S" if at.second else "%Y-%m-%dT%H:%M")


def _utc(at: datetime) -> datetime:
    """Compare instants in UTC: Python compares two times of one zone by their clock readings."""
    return at.astimezone(UTC)


def clock_in(at: datetime, tz: str) -> str:
    """An instant as the clock reading in zone `tz`, as the file writes it: 2025-10-15T18:00."""
    return _clock(at.astimezone(zone(tz)).replace(tzinfo=None))


# --- reading ---------------------------------------------------------------------------------------------------------

def read_agreements(path: Path, *, sides: Collection[str] | None = None, parties: Sequence[str] | None = None,
                    known: Mapping[str, Agreement] | None = None) -> list[Agreement]:
    """The agreements of a TOML file, validated (TW-E504 unreadable, TW-E502 not TOML, TW-E501 mistakes by path).

    `sides` are the codes a party, guarantor, mediator or answered-for group may have, `parties` the conflict's
    parties that examples in messages name (default: those of the shipped actor dictionary; `Conflict.side_codes`
    and `.party_codes` for another conflict's); `known` are agreements already stored, which `supersedes` may name."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise AgreementError("TW-E504", source=str(path), detail=err.strerror or str(err)) from err
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise AgreementError("TW-E502", source=str(path), detail=f"not UTF-8 text: {err.reason}") from err
    return parse_agreements(text, str(path), sides=sides, parties=parties, known=known)


def parse_agreements(text: str, source: str = "<agreements>", *, sides: Collection[str] | None = None,
                     parties: Sequence[str] | None = None,
                     known: Mapping[str, Agreement] | None = None) -> list[Agreement]:
    """`read_agreements` on text already read."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise AgreementError("TW-E502", source=source, detail=str(err)) from err
    if sides is None or parties is None:
        from trucewatch.conflict import shipped_conflict  # noqa: PLC0415  (only when validating)

        shipped = shipped_conflict()
        sides = shipped.side_codes if sides is None else sides
        parties = shipped.party_codes if parties is None else parties
    check = _Checker(frozenset(sides), tuple(p for p in parties if p in sides) or tuple(sorted(sides))[:2])
    agreements = check.document(data)
    if not check.problems:
        check.supersession(agreements, dict(known or {}))
    if check.problems:
        raise AgreementError("TW-E501", source=source, problems=_listed(check.problems))
    return [a for a, _ in agreements]


def _listed(problems: list[str]) -> str:
    if len(problems) == 1:
        return f"{problems[0]}; nothing was loaded"
    return f"{len(problems)} mistakes, nothing was loaded:\n" + "\n".join(f"  {p}" for p in problems)


@dataclass
class _Checker:
    """Walks the parsed TOML, building records and collecting every mistake with its path."""

    sides: frozenset[str]
    examples: tuple[str, ...] = ()  # side codes that messages give as examples: the conflict's parties
    problems: list[str] = field(default_factory=list)

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def document(self, data: dict[str, Any]) -> list[tuple[Agreement, str]]:
        self.fields("(top level)", data, ("agreements",))
        items = data.get("agreements")
        if items is None:
            self.fail("agreements", "missing; write each agreement as an [[agreements]] table")
            return []
        if not _is_tables(items):
            self.fail("agreements", f"expected [[agreements]] tables, found {_kind(items)}")
            return []
        found: list[tuple[Agreement, str]] = []
        first_path: dict[str, str] = {}
        for i, item in enumerate(items):
            path = f"agreements[{i}]"
            agreement = self.agreement(path, item)
            if agreement is None:
                continue
            if agreement.agreement_id in first_path:
                self.fail(f"{path}.id", f"'{agreement.agreement_id}' is already the id of "
                                        f"{first_path[agreement.agreement_id]}; give each agreement its own id")
                continue
            first_path[agreement.agreement_id] = path
            found.append((agreement, path))
        return found

    def agreement(self, path: str, item: dict[str, Any]) -> Agreement | None:
        before = len(self.problems)
        self.fields(path, item, AGREEMENT_FIELDS)
        agreement_id = self.ident(f"{path}.id", item.get("id"), "doha-2025-10-19")
        name = self.text(f"{path}.name", item.get("name"))
        kind = self.choice(f"{path}.kind", item.get("kind"), AGREEMENT_KINDS)
        start, end, tz = self.window(f"{path}.window", item.get("window"))
        parties = self.parties(f"{path}.parties", item.get("parties"), required=True, answers=True)
        guarantors = self.parties(f"{path}.guarantors", item.get("guarantors", []))
        mediators = self.parties(f"{path}.mediators", item.get("mediators", []))
        codes = tuple(p.code for p in parties)
        commitments = self.commitments(f"{path}.commitments", item.get("commitments"), codes)
        supersedes = self.strings(f"{path}.supersedes", item.get("supersedes", []), self.ident_check)
        sources = self.strings(f"{path}.sources", item.get("sources", []), _url_problem)
        notes = item.get("notes", "")
        if not isinstance(notes, str):
            self.fail(f"{path}.notes", f"expected text, found {_kind(notes)}")
        if len(self.problems) > before or agreement_id is None or name is None or kind is None:
            return None  # a missing id, name or kind is always among the problems
        return Agreement(agreement_id=agreement_id, name=name, kind=kind, parties=parties, guarantors=guarantors,
                         mediators=mediators, start=start, end=end, tz=tz, supersedes=supersedes,
                         commitments=commitments, sources=sources, notes=notes.strip())

    def window(self, path: str, item: object) -> tuple[Any, Any, str]:
        if item is None:
            self.fail(path, "missing; add [agreements.window] with start, tz and (unless open-ended) end")
            return None, None, ""
        if not isinstance(item, dict):
            self.fail(path, f"expected a table with start, end and tz, found {_kind(item)}")
            return None, None, ""
        self.fields(path, item, WINDOW_FIELDS)
        tz = item.get("tz")
        if tz is None:
            self.fail(f"{path}.tz", "missing; add tz = \"Asia/Karachi\" (the IANA zone the times are written in)")
            return None, None, ""
        try:
            zone(tz if isinstance(tz, str) else repr(tz))
        except ValueError as err:
            self.fail(f"{path}.tz", str(err))
            return None, None, ""
        start = self.instant(f"{path}.start", item.get("start"), tz, required=True)
        end = self.instant(f"{path}.end", item.get("end"), tz, required=False)
        if start is not None and end is not None and _utc(end) <= _utc(start):
            self.fail(f"{path}.end", f"'{clock_in(end, tz)}' is not after the start ({clock_in(start, tz)}); "
                                     f"leave end out for an open-ended agreement")
        return start, end, tz

    def instant(self, path: str, value: object, tz: str, required: bool) -> datetime | None:
        if value is None:
            if required:
                self.fail(path, f"missing; write the local time it began, e.g. \"2025-10-15T18:00\" (in {tz})")
            return None
        try:
            return local_time(value, tz)
        except ValueError as err:
            self.fail(path, str(err))
            return None

    def parties(self, path: str, items: object, required: bool = False, answers: bool = False) -> tuple[Party, ...]:
        if items is None or (required and items == []):
            self.fail(path, "missing; add an [[agreements.parties]] table with code and name for each party")
            return ()
        if not _is_tables(items):
            self.fail(path, f"expected tables with code and name, found {_kind(items)}")
            return ()
        found: list[Party] = []
        for i, item in enumerate(items):
            where = f"{path}[{i}]"
            self.fields(where, item, PARTY_FIELDS if answers else PARTY_FIELDS[:2])
            code = self.side(f"{where}.code", item.get("code"))
            name = self.text(f"{where}.name", item.get("name"))
            groups = self.strings(f"{where}.answers_for", item.get("answers_for", []), self.side_problem)
            if code in {p.code for p in found}:
                self.fail(f"{where}.code", f"'{code}' is listed twice; list each once")
            elif code is not None and name is not None:
                found.append(Party(code=code, name=name, answers_for=groups))
        return tuple(found)

    def commitments(self, path: str, items: object, codes: tuple[str, ...]) -> tuple[Commitment, ...]:
        if items is None or items == []:
            self.fail(path, "missing; add at least one [[agreements.commitments]] with id, text, binds, concerns")
            return ()
        if not _is_tables(items):
            self.fail(path, f"expected [[agreements.commitments]] tables, found {_kind(items)}")
            return ()
        found: list[Commitment] = []
        for i, item in enumerate(items):
            where = f"{path}[{i}]"
            self.fields(where, item, COMMITMENT_FIELDS)
            commitment_id = self.ident(f"{where}.id", item.get("id"), "no-cross-border-attacks")
            text = self.text(f"{where}.text", item.get("text"))
            binds = self.strings(f"{where}.binds", item.get("binds"), _member_of(codes, "a party of this agreement"),
                                 required=True)
            concerns = self.strings(f"{where}.concerns", item.get("concerns"), _concern_problem, required=True)
            if commitment_id in {c.commitment_id for c in found}:
                self.fail(f"{where}.id", f"'{commitment_id}' is already a commitment of this agreement; "
                                         f"give each its own id")
            elif commitment_id and text and binds and concerns:
                found.append(Commitment(commitment_id, text, binds, concerns))
        return tuple(found)

    def supersession(self, found: list[tuple[Agreement, str]], known: dict[str, Agreement]) -> None:
        """Each id in `supersedes` is another agreement (in the file or stored) that began before this one."""
        everything = {**known, **{a.agreement_id: a for a, _ in found}}
        for agreement, path in found:
            for i, other_id in enumerate(agreement.supersedes):
                where = f"{path}.supersedes[{i}]"
                problem = supersession_problem(agreement, everything.get(other_id), other_id, sorted(everything))
                if problem:
                    self.fail(where, problem)

    # --- scalars and lists ---

    def fields(self, path: str, item: dict[str, Any], allowed: tuple[str, ...]) -> None:
        for key in item:
            if key not in allowed:
                close = get_close_matches(key, allowed, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"the fields are {', '.join(allowed)}"
                self.fail(f"{path}.{key}" if path != "(top level)" else key, f"unknown field; {hint}")

    def text(self, path: str, value: object) -> str | None:
        if value is None:
            self.fail(path, "missing; write it as text in quotes")
        elif not isinstance(value, str) or not value.strip():
            self.fail(path, f"expected text, found {_kind(value)}")
        else:
            return value.strip()
        return None

    def ident(self, path: str, value: object, example: str) -> str | None:
        if value is None:
            self.fail(path, f"missing; add an id such as id = \"{example}\"")
            return None
        problem = self.ident_check(value)
        if problem:
            self.fail(path, problem)
            return None
        return str(value)

    @staticmethod
    def ident_check(value: object) -> str | None:
        if not isinstance(value, str) or not _ID.match(value):
            return (f"{_shown(value)} is not an id; use lower-case letters, digits, '.', '-' and '_', starting with "
                    f"a letter or digit (e.g. doha-2025-10-19)")
        return None

    def choice(self, path: str, value: object, choices: tuple[str, ...]) -> str | None:
        if value is None:
            self.fail(path, f"missing; use one of {', '.join(choices)}")
        elif value not in choices:
            self.fail(path, f"{_shown(value)} is not one of {', '.join(choices)}")
        else:
            return str(value)
        return None

    def side(self, path: str, value: object) -> str | None:
        if value is None:
            self.fail(path, f"missing; write the side's code as the actor dictionary has it{self.example('code = ')}")
            return None
        problem = self.side_problem(value)
        if problem:
            self.fail(path, problem)
            return None
        return str(value)

    def example(self, prefix: str = "") -> str:
        """', e.g. ["PAK", "AFG"]' with the conflict's parties; with a prefix, one code: ', e.g. code = "PAK"'."""
        if not self.examples:
            return ""
        if prefix:
            return f', e.g. {prefix}"{self.examples[0]}"'
        return ", e.g. [" + ", ".join(f'"{code}"' for code in self.examples[:2]) + "]"

    def side_problem(self, value: object) -> str | None:
        if isinstance(value, str) and value in self.sides:
            return None
        close = get_close_matches(str(value).upper(), sorted(self.sides), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return (f"{_shown(value)} is not a side of the actor dictionary (data/actors.toml); {hint}the sides are "
                f"{', '.join(sorted(self.sides))}")

    def strings(self, path: str, value: object, problem_of: Callable[[object], str | None],
                required: bool = False) -> tuple[str, ...]:
        if value is None or (required and value == []):
            self.fail(path, f"missing; write a list in brackets{self.example()}")
            return ()
        if not isinstance(value, list):
            self.fail(path, f"expected a list in brackets{self.example()}, found {_kind(value)}")
            return ()
        found: list[str] = []
        for i, item in enumerate(value):
            problem = problem_of(item) if isinstance(item, str) else f"expected text, found {_kind(item)}"
            if problem:
                self.fail(f"{path}[{i}]", problem)
            elif item not in found:
                found.append(item)
        return tuple(found)


def supersession_problem(agreement: Agreement, other: Agreement | None, other_id: str,
                         known_ids: Iterable[str]) -> str | None:
    """Why `agreement` cannot supersede `other` (None if it can): it must exist, not be itself, and have begun
    earlier."""
    if other_id == agreement.agreement_id:
        return "an agreement cannot supersede itself"
    if other is None:
        known = ", ".join(known_ids) or "none"
        return f"'{other_id}' is not an agreement in this file or the database (known: {known})"
    if _utc(other.start) >= _utc(agreement.start):
        return (f"'{other_id}' began at {clock_in(other.start, agreement.tz)}, not before this agreement "
                f"({clock_in(agreement.start, agreement.tz)}, {agreement.tz}); only a later agreement supersedes an "
                f"earlier one")
    return None


def _member_of(choices: tuple[str, ...], what: str) -> Callable[[object], str | None]:
    def problem(value: object) -> str | None:
        if value in choices:
            return None
        return f"{_shown(value)} is not {what}; use one of {', '.join(choices) or '(no parties yet)'}"
    return problem


def _concern_problem(value: object) -> str | None:
    if value in CONCERNS:
        return None
    close = get_close_matches(str(value), CONCERNS, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return (f"{_shown(value)} is not something a commitment can concern; {hint}the tags are "
            f"{', '.join(CONCERN_TAGS)}, and ACLED's event types and sub-event types (docs/agreements.md)")


def _url_problem(value: object) -> str | None:
    if isinstance(value, str) and _URL.match(value):
        return None
    return f"{_shown(value)} is not a web address; write it in full, starting with https://"


def _is_tables(value: object) -> TypeGuard[list[dict[str, Any]]]:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _kind(value: object) -> str:
    names = {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list", dict: "a table",
             datetime: "a date-time", date: "a date", time: "a time"}
    return f"{names.get(type(value), type(value).__name__)} ({_shown(value)})"


def _shown(value: object) -> str:
    text = f"'{value}'" if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- writing ---------------------------------------------------------------------------------------------------------

def dump_agreements(agreements: Iterable[Agreement]) -> str:
    """Agreements as an agreements file, laid out as the example file is, that `parse_agreements` reads back to the
    same records."""
    return HEADER + "\n".join(_block(a) for a in agreements)


def _block(a: Agreement) -> str:
    lines = ["[[agreements]]", *_pairs({"id": a.agreement_id, "name": a.name, "kind": a.kind,
                                        "supersedes": list(a.supersedes), "sources": list(a.sources),
                                        "notes": a.notes})]
    window = {"start": clock_in(a.start, a.tz), "end": clock_in(a.end, a.tz) if a.end else None, "tz": a.tz}
    lines += ["", "[agreements.window]", *_pairs(window)]
    for role, members in (("parties", a.parties), ("guarantors", a.guarantors), ("mediators", a.mediators)):
        for p in members:
            lines += ["", f"[[agreements.{role}]]",
                      *_pairs({"code": p.code, "name": p.name, "answers_for": list(p.answers_for)})]
    for c in a.commitments:
        lines += ["", "[[agreements.commitments]]",
                  *_pairs({"id": c.commitment_id, "text": c.text, "binds": list(c.binds),
                           "concerns": list(c.concerns)})]
    return "\n".join(lines) + "\n"


def _pairs(values: dict[str, Any]) -> list[str]:
    """`key = value` lines, TOML-quoted by tomli_w, leaving out what is empty; lists on one line, long notes as a
    multi-line string."""
    lines = []
    for key, value in values.items():
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            lines.append(f"{key} = [{', '.join(_quoted(v) for v in value)}]")
        elif "\n" in value:
            lines.append(tomli_w.dumps({key: value}, multiline_strings=True).rstrip("\n"))
        else:
            lines.append(f"{key} = {_quoted(value)}")
    return lines


def _quoted(value: str) -> str:
    return tomli_w.dumps({"v": value}).split(" = ", 1)[1].rstrip("\n")
