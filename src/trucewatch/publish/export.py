"""Export the record as JSON Lines, ACLED-style CSV, GeoJSON or Parquet, at the level the user asks for.

Two levels: `incident` (one row per incident, its best estimate of deaths in `fatalities`, so that summing the column
counts each death once) and `account` (one row per report's account of an event: what each report said). Every
writer takes an iterator and writes as it goes, so an export of a million rows holds one batch in memory. The JSON
Lines objects of the account level are those of shared/eval/FORMAT.md (every field present, null when unknown); the
CSV uses ACLED's column names and conventions, then columns of its own at the end. See docs/export.md.
"""
from __future__ import annotations

import csv
import json
import re
import textwrap
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import IO, Any, NamedTuple, TextIO, cast

from trucewatch.errors import ExportError
from trucewatch.records import Claim, Event, Figure, IncidentSummary, SourcedEvent

FORMATS = ("jsonl", "csv", "geojson", "parquet")
LEVELS = ("incident", "account")
# The level each format writes when none is asked for: incidents, whose deaths add up, except for JSON Lines, whose
# objects are the per-report events that shared/eval/score.py scores against a gold corpus.
DEFAULT_LEVELS = {"csv": "incident", "geojson": "incident", "parquet": "incident", "jsonl": "account"}

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)
# After ACLED's columns, at both levels: which incident the row is (or belongs to) and which level the file is.
ACCOUNT_COLUMNS = (*ACLED_COLUMNS, "incident_id", "level")
# At incident level also the range behind the best estimate in `fatalities`, and how many tell of it.
INCIDENT_COLUMNS = (*ACLED_COLUMNS, "incident_id", "level", "fatalities_low", "fatalities_high", "n_sources",
                    "n_reports", "n_accounts", "contested", "event_date_end")
INT_COLUMNS = frozenset({"year", "time_precision", "iso", "geo_precision", "fatalities", "timestamp",
                         "fatalities_low", "fatalities_high", "n_sources", "n_reports", "n_accounts"})
FLOAT_COLUMNS = frozenset({"latitude", "longitude"})
BOOL_COLUMNS = frozenset({"contested"})
ROW_GROUP = 10_000  # Parquet rows per row group: what the writer holds before it writes
DISORDER = {
    "Battles": "Political violence", "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence", "Protests": "Demonstrations", "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
# ISO 3166 numeric code and ACLED region of the countries this project's events happen in.
COUNTRIES = {
    "Afghanistan": (4, "South Asia"), "Pakistan": (586, "South Asia"), "India": (356, "South Asia"),
    "Iran": (364, "Middle East"), "Qatar": (634, "Middle East"), "Saudi Arabia": (682, "Middle East"),
    "Turkey": (792, "Middle East"), "United Arab Emirates": (784, "Middle East"), "China": (156, "East Asia"),
    "Tajikistan": (762, "Caucasus and Central Asia"), "Uzbekistan": (860, "Caucasus and Central Asia"),
    "Turkmenistan": (795, "Caucasus and Central Asia"),
}
# ACLED's actor categories, in ACLED's order (it orders the two sides of an interaction by it).
INTER_ORDER = ("State forces", "Rebel group", "Political militia", "Identity militia", "Rioters", "Protesters",
               "Civilians", "External/Other forces")
_STATE = re.compile(r"^(?:military|police) forces of ([A-Za-z ]+?)(?: \(|$)|^government of ([A-Za-z ]+?)(?: \(|$)",
                    re.IGNORECASE)
_REBEL = re.compile(r"\b(TTP|Tehr[ie]e?k|Islamic State|ISKP|ISIS|BLA|BLF|Baloch|Gul Bahadur|Lashkar|Jaish|"
                    r"Jamaat|Taliban)\b", re.IGNORECASE)
_EXTERNAL = re.compile(r"\b(United Nations|UNAMA|NATO)\b")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
STANCE_WORDS = {"asserts": "asserts", "denies": "denies", "neither_confirms_nor_denies": "neither confirms nor denies",
                "acknowledges_later": "later acknowledges"}


class ExportCounts(NamedTuple):
    written: int
    skipped: int = 0  # rows left out (GeoJSON: no coordinates)


class Account(NamedTuple):
    """One report's account of an incident: its event, with the report's outlet, link and publication day."""

    event: Event
    outlet: str | None
    url: str | None
    published: date | None


class IncidentAccounts(NamedTuple):
    """An incident as the incident-level export writes it: the store's summary and every report's account of it."""

    summary: IncidentSummary
    accounts: tuple[Account, ...]


def export(rows: Iterable[SourcedEvent], fmt: str, out: IO[Any]) -> ExportCounts:
    """Write events, one row per report's account, to `out` in `fmt`; TW-E301 for an unknown format. Parquet
    wants a binary stream, the others a text stream."""
    text = cast(TextIO, out)  # for all but Parquet
    if fmt == "jsonl":
        return ExportCounts(write_jsonl((row.event for row in rows), text))
    if fmt == "csv":
        return ExportCounts(write_csv(rows, text))
    if fmt == "geojson":
        return write_geojson((row.event for row in rows), text)
    if fmt == "parquet":
        return ExportCounts(write_parquet((account_row(row) for row in rows), ACCOUNT_COLUMNS, out))
    raise ExportError("TW-E301", value=fmt, choices=", ".join(FORMATS))


def export_incidents(incidents: Iterable[IncidentAccounts], fmt: str, out: IO[Any]) -> ExportCounts:
    """Write incidents, one row each, to `out` in `fmt` (as `export`)."""
    text = cast(TextIO, out)  # for all but Parquet
    if fmt == "jsonl":
        return ExportCounts(write_incident_jsonl(incidents, text))
    if fmt == "csv":
        return ExportCounts(write_rows((incident_row(i) for i in incidents), INCIDENT_COLUMNS, text))
    if fmt == "geojson":
        return write_incident_geojson(incidents, text)
    if fmt == "parquet":
        return ExportCounts(write_parquet((incident_row(i) for i in incidents), INCIDENT_COLUMNS, out))
    raise ExportError("TW-E301", value=fmt, choices=", ".join(FORMATS))


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ExportError("TW-E301", value=fmt, choices=", ".join(FORMATS))


def level_for(fmt: str, level: str | None) -> str:
    """The level asked for, else the format's default; TW-E303 for an unknown level."""
    check_format(fmt)
    if level is None:
        return DEFAULT_LEVELS[fmt]
    if level not in LEVELS:
        raise ExportError("TW-E303", value=level, choices=", ".join(LEVELS))
    return level


# --- JSON Lines ----------------------------------------------------------------------------------------------


def event_record(e: Event) -> dict[str, Any]:
    """One event as the JSON object of shared/eval/FORMAT.md, with admin2, provenance and notes added."""
    p = e.place
    return {
        "report_id": e.report_id, "event_id": e.event_id, "incident_id": e.incident_id,
        "event_date": _iso(e.event_date), "event_date_end": _iso(e.event_date_end), "time_precision": e.time_precision,
        "event_type": e.event_type, "sub_event_type": e.sub_event_type, "actor1": e.actor1, "actor2": e.actor2,
        "country": p.country if p else None, "admin1": p.admin1 if p else None, "admin2": p.admin2 if p else None,
        "location": p.name if p else None, "latitude": p.latitude if p else None,
        "longitude": p.longitude if p else None, "geo_precision": p.geo_precision if p else None,
        "fatalities": [{"low": f.low, "high": f.high, "victims": f.victims, "claimed_by": f.claimed_by}
                       for f in e.fatalities],
        "claims": [claim_record(c) for c in e.claims],
        "provenance": [{"field": name, "start": span.start, "end": span.end} for name, span in e.provenance],
        "notes": e.notes or None,
    }


def claim_record(c: Claim) -> dict[str, Any]:
    """One claim as the JSON object of the export: FORMAT.md's fields, `stated_on`, and what was claimed (`content`,
    its span in the report text, the death figure it carries); null where the extractor found no content."""
    span = c.content_span
    return {"claimant": c.claimant, "stance": c.stance, "about": c.about, "stated_on": _iso(c.stated_on),
            "content": c.content or None, "content_start": span.start if span else None,
            "content_end": span.end if span else None, "figure": c.figure}


def write_jsonl(events: Iterable[Event], out: TextIO) -> int:
    written = 0
    for e in events:
        out.write(json.dumps({**event_record(e), "level": "account"}, ensure_ascii=False) + "\n")
        written += 1
    return written


def incident_record(i: IncidentAccounts) -> dict[str, Any]:
    """One incident as the JSON object of the incident-level export: where, when, who, the deaths as low, best and
    high, whether contested and why, and each report's account (its event, outlet and link)."""
    s = i.summary
    return {
        "incident_id": s.incident_id, "level": "incident", "event_date": _iso(s.first_date),
        "event_date_end": _iso(s.last_date) if s.last_date != s.first_date else None,
        "time_precision": s.time_precision, "event_type": s.event_type, "sub_event_type": s.sub_event_type,
        "actor1": s.actor1, "actor2": s.actor2, "country": s.country, "admin1": s.admin1, "admin2": s.admin2,
        "location": s.location, "latitude": s.latitude, "longitude": s.longitude, "geo_precision": s.geo_precision,
        "fatalities_low": s.fatalities_low, "fatalities_best": s.fatalities_best,
        "fatalities_high": s.fatalities_high, "contested": s.contested, "reasons": list(s.reasons),
        "n_events": s.n_events, "n_reports": s.n_reports, "sources": sources_of(i.accounts),
        "accounts": [{"report_id": a.event.report_id, "event_id": a.event.event_id, "source": a.outlet,
                      "url": a.url, "published": _iso(a.published),
                      "fatalities": [figure_text(f) for f in a.event.fatalities]} for a in i.accounts],
        "notes": incident_notes(i) or None,
    }


def write_incident_jsonl(incidents: Iterable[IncidentAccounts], out: TextIO) -> int:
    written = 0
    for i in incidents:
        out.write(json.dumps(incident_record(i), ensure_ascii=False) + "\n")
        written += 1
    return written


# --- GeoJSON -------------------------------------------------------------------------------------------------


def write_geojson(events: Iterable[Event], out: TextIO) -> ExportCounts:
    """A FeatureCollection of Points, written feature by feature; events without coordinates are counted, not shown."""
    written = skipped = 0
    out.write('{"type": "FeatureCollection", "features": [\n')
    for e in events:
        if e.place is None:
            skipped += 1
            continue
        out.write((",\n" if written else "") + json.dumps(_feature(e), ensure_ascii=False))
        written += 1
    out.write(f'\n], "skipped_without_coordinates": {skipped}}}\n')
    return ExportCounts(written, skipped)


def _feature(e: Event) -> dict[str, Any]:
    assert e.place is not None
    properties = {k: v for k, v in event_record(e).items() if k not in ("latitude", "longitude")}
    return {"type": "Feature", "id": e.event_id,
            "geometry": {"type": "Point", "coordinates": [e.place.longitude, e.place.latitude]},
            "properties": {**properties, "level": "account"}}


def write_incident_geojson(incidents: Iterable[IncidentAccounts], out: TextIO) -> ExportCounts:
    """A FeatureCollection of one Point per placed incident, as `write_geojson` writes events."""
    written = skipped = 0
    out.write('{"type": "FeatureCollection", "features": [\n')
    for i in incidents:
        s = i.summary
        if s.latitude is None or s.longitude is None:
            skipped += 1
            continue
        properties = {k: v for k, v in incident_record(i).items() if k not in ("latitude", "longitude")}
        feature = {"type": "Feature", "id": s.incident_id,
                   "geometry": {"type": "Point", "coordinates": [s.longitude, s.latitude]}, "properties": properties}
        out.write((",\n" if written else "") + json.dumps(feature, ensure_ascii=False))
        written += 1
    out.write(f'\n], "skipped_without_coordinates": {skipped}}}\n')
    return ExportCounts(written, skipped)


# --- CSV -----------------------------------------------------------------------------------------------------


def write_csv(rows: Iterable[SourcedEvent], out: TextIO) -> int:
    """One CSV row per report's account: ACLED's columns, then `incident_id` and `level`."""
    return write_rows((account_row(row) for row in rows), ACCOUNT_COLUMNS, out)


def write_rows(rows: Iterable[list[object]], columns: tuple[str, ...], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(columns)
    written = 0
    for row in rows:
        writer.writerow([spreadsheet_cell(value) for value in row])
        written += 1
    return written


def account_row(row: SourcedEvent) -> list[object]:
    """One report's account as a row of ACCOUNT_COLUMNS."""
    return [*acled_row(row), row.event.incident_id, "account"]


def incident_row(i: IncidentAccounts) -> list[object]:
    """One incident as a row of INCIDENT_COLUMNS: ACLED's columns with the best estimate of deaths in `fatalities`
    (0 when no figure was reported), every outlet in `source`, the accounts and their disagreement in `notes`."""
    s = i.summary
    iso, region = COUNTRIES.get(s.country or "", ("", ""))
    inter1, inter2 = inter(s.actor1, s.country), inter(s.actor2, s.country)
    sources = sources_of(i.accounts)
    return [
        s.incident_id, _iso(s.first_date), s.first_date.year if s.first_date else "", s.time_precision,
        DISORDER.get(s.event_type, ""), s.event_type, s.sub_event_type,
        s.actor1, "", inter1, s.actor2, "", inter2, interaction(inter1, inter2),
        "Civilian targeting" if inter2 == "Civilians" else "",
        iso, region, s.country, s.admin1, s.admin2, "", s.location, s.latitude, s.longitude, s.geo_precision,
        "; ".join(sources), "", incident_notes(i), s.fatalities_best or 0, "", _epoch(s.updated_at),
        s.incident_id, "incident", s.fatalities_low, s.fatalities_high, len(sources), s.n_reports, len(i.accounts),
        s.contested, _iso(s.last_date) if s.last_date != s.first_date else None,
    ]


def sources_of(accounts: Iterable[Account]) -> list[str]:
    """Each outlet once, in the order the accounts came out; ACLED joins them with '; '."""
    ordered = sorted(accounts, key=lambda a: (a.published or date.max, a.event.report_id))
    return list(dict.fromkeys(a.outlet or "unnamed outlet" for a in ordered))


def incident_notes(i: IncidentAccounts) -> str:
    """How many accounts tell of the incident and from where; when their figures disagree, the range of the estimate
    and every figure with who gave it; every denial; why the incident is contested."""
    s, accounts = i.summary, i.accounts
    reports = len({a.event.report_id for a in accounts})
    parts = [f"{_count(len(accounts), 'account')} in {_count(reports, 'report')}."]
    figures = list(dict.fromkeys(f"{figure_text(f)} [{a.outlet or a.event.report_id}]"
                                 for a in accounts for f in a.event.fatalities))
    if s.fatalities_best is not None and (s.fatalities_low != s.fatalities_high or len(figures) > 1):
        # figures that differ, or that agree or add up (soldiers and militants): each with who gave it, and where
        spread = s.fatalities_low != s.fatalities_high
        high = "open-ended" if s.fatalities_high is None else s.fatalities_high
        parts.append(("Accounts disagree on deaths" if spread and len(figures) > 1 else "Deaths")
                     + f": best estimate {s.fatalities_best}"
                     + (f", range {s.fatalities_low} to {high}" if spread else "")
                     + f"; figures reported: {'; '.join(figures)}.")
    denials = list(dict.fromkeys(_denial_text(c) for a in accounts for c in a.event.claims if c.stance == "denies"))
    if denials:
        parts.append("Denied: " + "; ".join(denials) + ".")
    if s.contested and s.reasons:
        parts.append("Contested: " + "; ".join(s.reasons) + ".")
    return " ".join(parts)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def acled_row(row: SourcedEvent) -> list[object]:
    """One event as an ACLED row, in ACLED_COLUMNS order; disputed figures and denials go in `notes`."""
    e, p = row.event, row.event.place
    country = p.country if p else None
    iso, region = COUNTRIES.get(country or "", ("", ""))
    inter1, inter2 = inter(e.actor1, country), inter(e.actor2, country)
    return [
        e.event_id, _iso(e.event_date), e.event_date.year if e.event_date else "", e.time_precision,
        DISORDER.get(e.event_type, ""), e.event_type, e.sub_event_type,
        e.actor1, "", inter1, e.actor2, "", inter2, interaction(inter1, inter2),
        "Civilian targeting" if inter2 == "Civilians" else "",
        iso, region, country, p.admin1 if p else None, p.admin2 if p else None, "",
        p.name if p else None, p.latitude if p else None, p.longitude if p else None, p.geo_precision if p else None,
        row.outlet, "", acled_notes(e), min((f.low for f in e.fatalities), default=0), "", _epoch(row.ingested_at),
    ]


def inter(actor: str | None, country: str | None) -> str:
    """ACLED's category for an actor; a state's forces outside their own country are 'External/Other forces'."""
    if not actor:
        return ""
    lowered = actor.lower()
    for prefix, category in (("civilians", "Civilians"), ("protesters", "Protesters"), ("rioters", "Rioters")):
        if lowered.startswith(prefix):
            return category
    state = _STATE.match(actor)
    if state:
        home = state.group(1) or state.group(2)
        return "State forces" if not country or home == country else "External/Other forces"
    if _EXTERNAL.search(actor):
        return "External/Other forces"
    if lowered.startswith("unidentified") or "militia" in lowered:
        return "Political militia"
    return "Rebel group" if _REBEL.search(actor) else ""


def interaction(inter1: str, inter2: str) -> str:
    if not inter1:
        return ""
    if not inter2:
        return f"{inter1} only"
    pair = sorted((inter1, inter2), key=lambda c: INTER_ORDER.index(c) if c in INTER_ORDER else len(INTER_ORDER))
    return "-".join(pair)


def acled_notes(e: Event) -> str:
    """The event's notes, then every differing figure and every denial, so one `fatalities` number hides nothing."""
    figures = list(dict.fromkeys(figure_text(f) for f in e.fatalities))
    denials = [c for c in e.claims if c.stance == "denies"]
    toll_denials = [_denial_text(c) for c in denials if c.about in ("civilian deaths", "casualties")]
    other_denials = [_denial_text(c) for c in denials if c.about not in ("civilian deaths", "casualties")]
    parts = [e.notes.strip()] if e.notes.strip() else []
    if len(figures) > 1 or (figures and toll_denials):
        parts.append("Figures disputed: " + "; ".join(figures + toll_denials) + ".")
        toll_denials = []
    if toll_denials or other_denials:
        parts.append("Denied: " + "; ".join(toll_denials + other_denials) + ".")
    return " ".join(parts)


def figure_text(f: Figure) -> str:
    """'17 civilians (Government of Afghanistan)', '7-8 (Dawn)', '23'."""
    number = str(f.low) if f.high in (None, f.low) else f"{f.low}-{f.high}"
    victims = f" {f.victims}" if f.victims != "unspecified" else ""
    return number + victims + (f" ({f.claimed_by})" if f.claimed_by else "")


def deaths_text(low: int | None, best: int | None, high: int | None, *, dash: str = "-", none: str = "-") -> str:
    """An incident's deaths for people: '23 (23-58)', the best estimate and its range; '5' when every account gives
    5 (no '5 (5-5)'); '20 (20-?)' when the largest account is open-ended ('at least 20'); `none` without a figure."""
    if best is None:
        return none
    if low == best == high:
        return str(best)
    return f"{best} ({best if low is None else low}{dash}{'?' if high is None else high})"


def claim_text(c: Claim) -> str:
    """'Government of Pakistan denies (civilian deaths) on 2025-10-16: "no civilians were harmed"'; without content,
    the stance and topic alone."""
    when = f" on {c.stated_on.isoformat()}" if c.stated_on else ""
    return f"{c.claimant} {STANCE_WORDS.get(c.stance, c.stance)} ({c.about}){when}{_content_text(c)}"


def speaker_of(c: Claim) -> str:
    """Who made the claim, as the report names them ("Zabihullah Mujahid" of "Zabihullah Mujahid … said"); the
    normalised claimant where the report names no one (a party's own statement)."""
    speaker, gap, _verb = c.surface.partition(" … ")
    return speaker.strip() if gap and speaker.strip() else c.claimant


def _content_text(c: Claim) -> str:
    return f': "{c.content.strip()}"' if c.content.strip() else ""


def _denial_text(c: Claim) -> str:
    content = _content_text(c)
    if c.about == "civilian deaths":
        return f"0 civilians ({c.claimant} denies{content})"
    if c.about == "casualties":
        return f"0 ({c.claimant} denies{content})"
    what = {"occurrence": "that it happened", "responsibility": "responsibility"}.get(c.about, c.about)
    return f"{c.claimant} denies {what}{content}"


def spreadsheet_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# --- Parquet ---------------------------------------------------------------------------------------------------


def write_parquet(rows: Iterable[list[object]], columns: tuple[str, ...], out: IO[Any]) -> int:
    """The rows of the CSV, typed (numbers as numbers, `contested` as a boolean, no spreadsheet apostrophes), to a
    binary stream, ROW_GROUP rows per row group: the writer holds one group at a time."""
    import pyarrow as pa  # noqa: PLC0415  (only a Parquet export needs pyarrow, and it is slow to import)
    import pyarrow.parquet as pq  # noqa: PLC0415

    schema = pa.schema([(name, _arrow_type(pa, name)) for name in columns])
    written = 0
    with pq.ParquetWriter(cast(Any, out), schema) as writer:
        group: list[list[object]] = []
        for row in rows:
            group.append(row)
            if len(group) == ROW_GROUP:
                writer.write_table(_arrow_table(pa, group, columns, schema))
                written += len(group)
                group = []
        if group or not written:  # an empty export is still a file with the columns
            writer.write_table(_arrow_table(pa, group, columns, schema))
            written += len(group)
    return written


def _arrow_type(pa: Any, name: str) -> Any:
    if name in INT_COLUMNS:
        return pa.int64()
    if name in FLOAT_COLUMNS:
        return pa.float64()
    return pa.bool_() if name in BOOL_COLUMNS else pa.string()


def _arrow_table(pa: Any, rows: list[list[object]], columns: tuple[str, ...], schema: Any) -> Any:
    """A batch of rows as a table of `schema`: blanks are nulls, every other value is the column's type."""
    values = [[_typed(name, value) for value in column] for name, column in
              zip(columns, zip(*rows, strict=True) if rows else [()] * len(columns), strict=True)]
    return pa.Table.from_arrays([pa.array(v, type=schema.field(n).type) for n, v in zip(columns, values, strict=True)],
                                schema=schema)


def _typed(name: str, value: object) -> object:
    if value is None or value == "":
        return None
    if name in INT_COLUMNS:
        return int(cast(Any, value))
    if name in FLOAT_COLUMNS:
        return float(cast(Any, value))
    return value if name in BOOL_COLUMNS else str(value)


# --- a table for people --------------------------------------------------------------------------------------

TABLE_COLUMNS = (("DATE", 10), ("EVENT", 26), ("ACTORS", 28), ("PLACE", 22), ("FATALITIES", 30), ("CLAIMS", 40))


def render_table(events: Iterable[Event]) -> Iterator[str]:
    """Events as a plain-text table, one block of lines per event, for `trucewatch events`."""
    yield _table_line([[name] for name, _ in TABLE_COLUMNS])
    yield _table_rule()
    for e in events:
        yield _table_line(_table_cells(e))
        yield _table_rule()


def _table_cells(e: Event) -> list[list[str]]:
    p = e.place
    when = _iso(e.event_date) or "?"
    dates = [when] + ([f"to {_iso(e.event_date_end)}"] if e.event_date_end else [])
    place = [part for part in (p.name, p.admin1, p.country) if part] if p else ["?"]
    return [
        dates,
        [e.event_type, e.sub_event_type],
        [e.actor1 or "?"] + ([f"vs {e.actor2}"] if e.actor2 else []),
        [", ".join(dict.fromkeys(place))],
        [figure_text(f) for f in e.fatalities] or ["-"],
        [claim_text(c) for c in e.claims] or ["-"],
    ]


def _table_line(cells: list[list[str]]) -> str:
    widths = [width for _, width in TABLE_COLUMNS]
    wrapped = [[piece for line in cell for piece in textwrap.wrap(line, width) or [""]]
               for cell, width in zip(cells, widths, strict=True)]
    height = max(len(cell) for cell in wrapped)
    lines = []
    for i in range(height):
        parts = [(cell[i] if i < len(cell) else "").ljust(width) for cell, width in zip(wrapped, widths, strict=True)]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _table_rule() -> str:
    return "  ".join("-" * width for _, width in TABLE_COLUMNS)


# --- helpers -------------------------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _epoch(at: datetime | None) -> int | str:
    if at is None:
        return ""
    return int((at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp())
