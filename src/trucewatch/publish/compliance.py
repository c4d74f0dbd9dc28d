"""Agreements and their assessments for people and programs: the compliance export (JSON Lines, CSV), the agreement
list and full view, and the per-party, daily and timeline tables of `trucewatch compliance --view`.

The export has one line per assessed incident, with the fields of `COMPLIANCE_FIELDS` in that order (lists are JSON
arrays in jsonl and `;`-joined in csv). See docs/agreements.md.
"""
from __future__ import annotations

import csv
import json
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from trucewatch.errors import AgreementError
from trucewatch.pipeline.assess import (
    DayCount,
    PartySummary,
    TimelineEntry,
    daily_counts,
    escalation_timeline,
    party_summary,
    status_counts,
    window_of,
    zone_name,
)
from trucewatch.publish.export import spreadsheet_cell
from trucewatch.records import Agreement, Assessment, Party, Window

COMPLIANCE_FORMATS = ("jsonl", "csv")
VIEWS = ("parties", "daily", "timeline")
COMPLIANCE_FIELDS = (
    "incident_id", "agreement_id", "window_status", "reason", "commitments", "accused", "accusers", "evidence_state",
    "first_date", "last_date", "time_precision", "event_type", "sub_event_type", "location", "admin1", "country",
    "latitude", "longitude", "fatalities_best", "accused_under",
)
WIDTH = 118


def check_compliance_format(fmt: str) -> None:
    if fmt not in COMPLIANCE_FORMATS:
        raise AgreementError("TW-E506", what="format", value=fmt, choices=", ".join(COMPLIANCE_FORMATS))


# --- export ----------------------------------------------------------------------------------------------------------

def compliance_record(a: Assessment) -> dict[str, Any]:
    """One assessment as the export's object, fields in `COMPLIANCE_FIELDS` order."""
    record = {name: getattr(a, name) for name in COMPLIANCE_FIELDS}
    for name in ("commitments", "accused", "accusers"):
        record[name] = list(record[name])
    for name in ("first_date", "last_date"):
        record[name] = record[name].isoformat() if record[name] else None
    record["accused_under"] = [f"{party}:{commitment}" for party, commitment in a.accused_under]
    return record


def write_compliance(assessments: Iterable[Assessment], fmt: str, out: TextIO) -> int:
    """Write assessments as jsonl or csv (TW-E506 otherwise); returns how many were written."""
    check_compliance_format(fmt)
    written = 0
    writer = csv.writer(out) if fmt == "csv" else None
    if writer is not None:
        writer.writerow(COMPLIANCE_FIELDS)
    for a in assessments:
        record = compliance_record(a)
        if writer is None:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            writer.writerow([spreadsheet_cell(";".join(v) if isinstance(v, list) else v) for v in record.values()])
        written += 1
    return written


# --- agreements ------------------------------------------------------------------------------------------------------

AGREEMENT_COLUMNS = (("AGREEMENT", 27), ("KIND", 11), ("IN FORCE", 32), ("PARTIES", 8), ("COMMITMENTS", 30))


def render_agreement_table(agreements: Sequence[Agreement],
                           names: Mapping[str, str] | None = None) -> Iterator[str]:
    """The stored agreements, one block each, for `trucewatch agreements list`; `names`: the conflict's zone
    abbreviations (`Conflict.zone_names`; default: the shipped data's), as for every function here."""
    widths = [w for _, w in AGREEMENT_COLUMNS]
    yield table_line([[name] for name, _ in AGREEMENT_COLUMNS], widths)
    yield table_rule(widths)
    for a in agreements:
        yield table_line([[a.agreement_id], [a.kind], in_force(a, window_of(a, agreements), names),
                          [", ".join(p.code for p in a.parties)],
                          [c.commitment_id for c in a.commitments]], widths)


def in_force(a: Agreement, window: Window, names: Mapping[str, str] | None = None) -> list[str]:
    """['from 2025-10-17 18:00 PKT', 'to 2025-10-19 00:00 PKT', '(superseded by doha-2025-10-19)']"""
    lines = [f"from {local(window.start, a.tz, names)}"]
    if window.end is None:
        return [*lines, "open-ended"]
    lines.append(f"to {local(window.end, a.tz, names)}")
    return lines + ([f"(superseded by {window.ended_by})"] if window.ended_by else [])


def local(at: datetime, tz: str, names: Mapping[str, str] | None = None) -> str:
    """'2025-10-15 18:00 PKT'"""
    clock = at.astimezone(ZoneInfo(tz))
    return f"{clock:%Y-%m-%d %H:%M} {zone_name(tz, clock, names)}"


def render_agreement(a: Agreement, agreements: Sequence[Agreement] = (),
                     names: Mapping[str, str] | None = None) -> Iterator[str]:
    """One agreement in full, for `trucewatch agreements show ID`; `agreements` (all stored) say what supersedes it."""
    window = window_of(a, agreements)
    superseded_by = [other.agreement_id for other in agreements if a.agreement_id in other.supersedes]
    yield f"Agreement {a.agreement_id}: {a.name} ({a.kind})"
    yield f"  from:         {local(window.start, a.tz, names)} = {local(window.start, 'UTC')}"
    if window.end is None:
        yield "  to:           open-ended"
    else:
        ended = f", when {window.ended_by} superseded it" if window.ended_by else ""
        yield f"  to:           {local(window.end, a.tz, names)} = {local(window.end, 'UTC')}{ended}"
    yield f"  times in:     {a.tz}" + ("" if a.end is not None else "; no end of its own")
    yield f"  parties:      {_members(a.parties)}"
    yield f"  guarantors:   {_members(a.guarantors) or '(none)'}"
    yield f"  mediators:    {_members(a.mediators) or '(none)'}"
    yield f"  supersedes:   {', '.join(a.supersedes) or '(none)'}"
    yield f"  superseded by: {', '.join(superseded_by) or '(none)'}"
    yield ""
    yield "Commitments"
    for c in a.commitments:
        yield f"  {c.commitment_id}  binds {', '.join(c.binds)}; concerns {', '.join(c.concerns)}"
        yield from wrapped(c.text, "    ", "    ")
    yield ""
    yield "Sources"
    for url in a.sources or ("(none)",):
        yield f"  {url}"
    yield ""
    yield "Notes"
    for paragraph in (a.notes or "(none)").split("\n\n"):
        yield from wrapped(" ".join(paragraph.split()), "  ", "  ")


def _members(members: Iterable[Party]) -> str:
    return "; ".join(f"{p.code} {p.name}" + (f", answering for {', '.join(p.answers_for)}" if p.answers_for else "")
                     for p in members)


# --- views -----------------------------------------------------------------------------------------------------------

def render_view(view: str, assessments: list[Assessment], agreement: Agreement,
                agreements: Sequence[Agreement] = ()) -> Iterator[str]:
    """The --view tables of `trucewatch compliance`: parties, daily or timeline (TW-E506 otherwise); `agreements`
    (all stored) end the daily view where a later one supersedes `agreement`."""
    if view == "parties":
        yield from render_party_summary(party_summary(assessments, agreement), agreement)
    elif view == "daily":
        yield from render_daily(daily_counts(assessments, agreement, agreements))
    elif view == "timeline":
        yield from render_timeline(escalation_timeline(assessments))
    else:
        raise AgreementError("TW-E506", what="view", value=view, choices=", ".join(VIEWS))
    counts = status_counts(assessments)
    yield ""
    yield (f"{len(assessments)} incidents assessed against {agreement.agreement_id}: {counts['inside']} inside, "
           f"{counts['uncertain']} uncertain, {counts['outside']} outside the window")


def render_party_summary(summaries: Iterable[PartySummary], agreement: Agreement) -> Iterator[str]:
    """Per party: potential violations (inside the window or across its boundary) by commitment and evidence."""
    commitments = [c.commitment_id for c in agreement.commitments]
    columns = [("PARTY", 5), ("POTENTIAL", 9), ("UNCERTAIN", 9), ("CORROBORATED", 12), ("ALLEGED ONLY", 12),
               ("DENIED", 6), ("BY COMMITMENT", 34), ("ACCUSED BY", 10)]
    widths = [w for _, w in columns]
    yield table_line([[name] for name, _ in columns], widths)
    yield table_rule(widths)
    for s in summaries:
        counts = dict(s.by_commitment)
        yield table_line([[s.party], [str(s.total)], [str(s.uncertain)], [str(s.corroborated)], [str(s.alleged_only)],
                          [str(s.denied)], [f"{c}: {counts[c]}" for c in commitments if counts.get(c)] or ["-"],
                          [f"{p} ({n})" for p, n in s.accused_by] or ["-"]], widths)
    yield ""
    yield "POTENTIAL: incidents inside the window, or across one of its boundaries (UNCERTAIN), with the party accused"
    yield "under a commitment. ALLEGED ONLY: a single source, contested or denied (DENIED: denied by the party)."
    yield "BY COMMITMENT: the commitments with any; ACCUSED BY: the parties whose claims accuse it, and how often."


def render_daily(counts: Iterable[DayCount]) -> Iterator[str]:
    """Per day and party: potential violations and the change from the day before."""
    columns = [("DAY", 10), ("PARTY", 5), ("COUNT", 5), ("CHANGE", 6), ("UNCERTAIN", 9)]
    widths = [w for _, w in columns]
    yield table_line([[name] for name, _ in columns], widths)
    yield table_rule(widths)
    for c in counts:
        change = "-" if c.change is None else f"{c.change:+d}" if c.change else "0"
        yield table_line([[c.day.isoformat()], [c.party], [str(c.count)], [change], [str(c.uncertain or "")]], widths)


def render_timeline(entries: Iterable[TimelineEntry]) -> Iterator[str]:
    """The incidents in date order: day, id, type, place, deaths (best), accused and by whom, window status,
    evidence."""
    columns = [("DAY", 10), ("INCIDENT", 16), ("TYPE", 20), ("PLACE", 22), ("DEATHS", 6), ("ACCUSED", 12),
               ("WINDOW", 9), ("EVIDENCE", 13)]
    widths = [w for _, w in columns]
    yield table_line([[name] for name, _ in columns], widths)
    yield table_rule(widths)
    for e in entries:
        accused = [", ".join(e.accused)] + ([f"by {', '.join(e.accusers)}"] if e.accusers else []) if e.accused \
            else ["-"]
        yield table_line([[e.day.isoformat() if e.day else "undated"], [e.incident_id], [e.type], [e.place],
                          ["-" if e.fatalities_best is None else str(e.fatalities_best)], accused, [e.status],
                          [e.evidence_state if e.accused else ""]], widths)


# --- layout ----------------------------------------------------------------------------------------------------------

def table_line(cells: list[list[str]], widths: list[int]) -> str:
    wrapped_cells = [[piece for line in cell for piece in textwrap.wrap(line, width, break_on_hyphens=False) or [""]]
                     for cell, width in zip(cells, widths, strict=True)]
    height = max(len(cell) for cell in wrapped_cells)
    return "\n".join("  ".join((cell[i] if i < len(cell) else "").ljust(width)
                               for cell, width in zip(wrapped_cells, widths, strict=True)).rstrip()
                     for i in range(height))


def table_rule(widths: list[int]) -> str:
    return "  ".join("-" * width for width in widths)


def wrapped(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False,
                         break_long_words=False) or [first.rstrip()]
