"""What the log covers of the store: a stored report's text and its events checked against its `ingest.report`
entry. Pure: the jobs (`trucewatch.jobs.auditing.verify_audit`) read the store and hand the records here.

A report's original file is not kept (its SHA-256 is logged as `sha256`), so the entry also logs what is kept:

- `text_sha256`: the SHA-256 of the stored text (UTF-8), the text every span indexes;
- `events_sha256`: the SHA-256 of the canonical JSON of its events (`events_content`): for each event its id, types,
  dates and precision, actors, place (coordinates as text), figures (low, high, victims, who claimed, words, span)
  and claims (claimant, stance, topic, date, what was claimed, figure, words, spans), events by id, figures and
  claims in the extractor's order. Not covered: the incident an event is in (resolution changes it) and its notes;
- `event_parts`: per event, eight hex digits of the SHA-256 of each part (what, who, where, figures, claims), so a
  mismatch can say which part of which event differs. They only explain; `events_sha256` is what is checked.

An entry written before these fields is checked for what it has (the report's SHA-256, how many events) and said to
be an older entry whose content is not covered.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from trucewatch.audit.log import Problem, canonical_json
from trucewatch.records import Claim, Event, Figure, Report

PARTS = ("what", "who", "where", "figures", "claims")
PART_NAMES = {"what": "type or dates", "who": "actors", "where": "place", "figures": "fatality figures",
              "claims": "claims"}


def text_sha256(text: str) -> str:
    """The SHA-256 of a stored report text, UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _figure(f: Figure) -> dict[str, Any]:
    return {"low": f.low, "high": f.high, "victims": f.victims, "claimed_by": f.claimed_by, "surface": f.surface,
            "span": [f.span.start, f.span.end], "sentence": f.sentence}


def _claim(c: Claim) -> dict[str, Any]:
    content_span = [c.content_span.start, c.content_span.end] if c.content_span is not None else None
    return {"claimant": c.claimant, "stance": c.stance, "about": c.about, "stated_on": _day(c.stated_on),
            "content": c.content, "content_span": content_span, "figure": c.figure, "surface": c.surface,
            "span": [c.span.start, c.span.end], "sentence": c.sentence}


def event_content(e: Event) -> dict[str, Any]:
    """An event's covered content by part (PARTS), as JSON values (no floats: coordinates as their repr)."""
    p = e.place
    where = None if p is None else {
        "name": p.name, "country": p.country, "admin1": p.admin1, "admin2": p.admin2,
        "latitude": repr(float(p.latitude)), "longitude": repr(float(p.longitude)),
        "geo_precision": p.geo_precision, "feature": p.feature}
    return {"what": {"event_type": e.event_type, "sub_event_type": e.sub_event_type, "event_date": _day(e.event_date),
                     "event_date_end": _day(e.event_date_end), "time_precision": e.time_precision},
            "who": {"actor1": e.actor1, "actor2": e.actor2},
            "where": where,
            "figures": [_figure(f) for f in e.fatalities],
            "claims": [_claim(c) for c in e.claims]}


def events_content(events: Iterable[Event]) -> list[dict[str, Any]]:
    """The covered content of a report's events, by event id."""
    return [{"event_id": e.event_id, **event_content(e)} for e in sorted(events, key=lambda e: e.event_id)]


def events_sha256(events: Iterable[Event]) -> str:
    """The SHA-256 of the canonical JSON of `events_content(events)`."""
    return hashlib.sha256(canonical_json(events_content(events)).encode("utf-8")).hexdigest()


def event_parts(events: Iterable[Event]) -> dict[str, str]:
    """event id -> eight hex digits of each part's SHA-256, in PARTS order, joined by '.'."""
    return {e.event_id: ".".join(_short(event_content(e)[part]) for part in PARTS) for e in events}


def _short(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()[:8]


def coverage_fields(report: Report, events: Iterable[Event]) -> dict[str, Any]:
    """What an `ingest.report` entry logs of the stored content (the module's docstring)."""
    kept = list(events)
    return {"text_sha256": text_sha256(report.text), "events_sha256": events_sha256(kept),
            "event_parts": event_parts(kept)}


# --- checking ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredReport:
    """A stored report as the check sees it: its row and its events (read by the job)."""

    report: Report
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True)
class Coverage:
    """What the content check found: problems (each names the report or finding and what differs), the reports and
    findings checked, and the older entries whose content is not covered (their subjects)."""

    problems: tuple[Problem, ...] = ()
    reports: int = 0
    findings: int = 0
    older: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def report_problems(seq: int, payload: Mapping[str, Any], stored: StoredReport) -> tuple[list[Problem], bool]:
    """What differs between a stored report and its `ingest.report` entry (number `seq`, its payload), and whether
    the entry covers its content (False: an older entry, checked for what it has)."""
    r, rid = stored.report, stored.report.report_id
    problems = []
    if payload.get("sha256") != r.sha256:
        problems.append(Problem(seq, f"report {rid}: its stored SHA-256 {r.sha256} is not the {payload.get('sha256')} "
                                     f"logged at entry {seq}: it was changed"))
    if "text_sha256" not in payload:
        if payload.get("events") != len(stored.events):
            problems.append(Problem(seq, f"report {rid}: {len(stored.events)} events stored, entry {seq} logged "
                                         f"{payload.get('events')}"))
        return problems, False
    if payload["text_sha256"] != text_sha256(r.text):
        problems.append(Problem(seq, f"report {rid}: its stored text does not hash to the text SHA-256 logged at "
                                     f"entry {seq}: the text was edited"))
    if payload.get("events_sha256") != events_sha256(stored.events):
        problems.append(Problem(seq, f"report {rid}: its events are not the ones extracted (entry {seq}): "
                                     + _events_differ(payload.get("event_parts") or {}, stored.events)))
    return problems, True


def _events_differ(logged: Mapping[str, Any], events: Iterable[Event]) -> str:
    """Which events were added, removed, or which of their parts differ, as far as the logged parts tell."""
    now = event_parts(events)
    said = [f"event {eid} is not in the log" for eid in sorted(set(now) - set(logged))]
    said += [f"event {eid} is gone" for eid in sorted(set(logged) - set(now))]
    for eid in sorted(set(now) & set(logged)):
        was, found = str(logged[eid]).split("."), now[eid].split(".")
        changed = [PART_NAMES[part] for part, a, b in zip(PARTS, was, found, strict=False) if a != b]
        if changed:
            said.append(f"event {eid}: its {', '.join(changed)} differ")
    return "; ".join(said) or "they differ from what was logged"


def unlogged_problem(report: Report, seq: int | None) -> Problem:
    """A report stored after the log began that no `ingest.report` entry logs (`seq`: None)."""
    return Problem(seq, f"report {report.report_id} is in the store but no ingest.report entry logs it: it was put "
                        "there behind trucewatch's back")


def gone_problem(seq: int, subject: str) -> Problem:
    return Problem(seq, f"report {subject}, logged at entry {seq}, is gone from the store")
