"""The compliance report of one agreement: what a guarantor could circulate.

Two steps. `build_report` turns records (the agreement, its assessments, the incidents in full) into a plain
`ComplianceReport`: words and numbers only, nothing left to compute. Renderers turn that into markdown (charts as SVG
files beside it), one self-contained HTML file (inline CSS and SVG) or a PDF (weasyprint, from that HTML).

Text that comes from reports (quotes, outlets, URLs, claimants) is untrusted: HTML escapes all of it, markdown escapes
its markup characters, and only http(s) URLs become links. Nothing is attributed that the data do not attribute: an
incident with no accused party says "not attributed". See docs/reports.md.
"""
from __future__ import annotations

import base64
import html
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote as quote_url
from zoneinfo import ZoneInfo

from trucewatch.conflict import MapFrame
from trucewatch.errors import ExportError
from trucewatch.pipeline.assess import (
    VIOLENT,
    PartySummary,
    party_summary,
    status_counts,
    window_of,
    zone_name,
)
from trucewatch.publish.charts import BarSeries, MapPoint, map_svg, on_map, timeline_svg
from trucewatch.publish.export import STANCE_WORDS, deaths_text, speaker_of
from trucewatch.records import (
    Agreement,
    Assessment,
    Estimate,
    Figure,
    Finding,
    Incident,
    Source,
    SourcedClaim,
    SourcedFigure,
    Window,
)

FORMATS = ("html", "pdf", "md")
NOT_ATTRIBUTED = "not attributed"
SEVERAL = "several parties accused"
# Above this many violent incidents, each is one row of its party's table rather than a section with every account
# (the workplace's incident page has them): 1,500 sections run to hundreds of pages that no one reads.
DETAILED = 60
LISTED = 100  # above DETAILED, the rows listed: those with the most deaths (all are in `trucewatch compliance`)
ANNEX_ROWS = 100  # rows of the annex at most (the rest: in `trucewatch compliance`)
OTHERS = "others"
UNATTRIBUTED = "unattributed"
STATUS_WORDS = {"inside": "inside the window", "uncertain": "boundary case", "outside": "outside the window"}
SHA_PREFIX = 12
FRAGMENT_WORDS = 5  # a link to a long quote in the original names its first and last words


# --- the report, as plain data ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One claim as shown: `PARTY stance (about): "quote" — speaker, made_on, report` with a link to its sentence."""

    stance: str  # in words: "asserts", "denies", "neither confirms nor denies", "later acknowledges"
    about: str
    made_on: date
    claimant: str  # normalised ("Government of Afghanistan (Taliban)")
    party: str
    quote: str  # what was claimed: the content, else the sentence (SourcedClaim.quote)
    outlet: str
    published: date
    report_id: str
    speaker: str = ""  # as the report names them ("Zabihullah Mujahid"), else the claimant
    stance_code: str = ""  # as recorded: "asserts", "denies", "neither_confirms_nor_denies", "acknowledges_later"
    sentence: int = 1  # the sentence of the report the claim stands in, counted from 1 (anchor `s-N`)
    url: str | None = None  # the report's address
    whole_sentence: bool = False  # the quote is the claim's sentence: no content was coded
    figure: int | None = None  # the death figure the claim carries, if any


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """The claims made on one day, one cell per column (party)."""

    made_on: date
    cells: tuple[tuple[ClaimLine, ...], ...]


@dataclass(frozen=True, slots=True)
class FigureLine:
    claimant: str
    number: str  # "at least 17", "20-25"
    victims: str
    quote: str
    outlet: str
    published: date
    report_id: str


@dataclass(frozen=True, slots=True)
class SourceLine:
    published: date
    outlet: str
    report_id: str
    url: str | None
    sha256: str  # the first SHA_PREFIX characters
    copy_of: str | None  # the report whose story this one repeats (syndicated copy)


@dataclass(frozen=True, slots=True)
class IncidentSection:
    """One incident inside the window or on its boundary, with every account side by side."""

    number: int
    incident_id: str
    status: str
    reason: str
    dates: str
    place: str
    event_type: str
    accused: str  # party codes, or NOT_ATTRIBUTED
    accusers: str
    evidence: str
    commitments: str
    fatalities_best: int | None
    contested: tuple[str, ...]
    columns: tuple[str, ...]  # claim columns: the agreement's party codes, then OTHERS if any
    claims: tuple[ClaimRow, ...]
    figures: tuple[FigureLine, ...]
    estimates: tuple[Estimate, ...]
    sources: tuple[SourceLine, ...]
    deaths: str = "no figure"  # best (low-high), as `deaths_text` writes it
    group: str = ""  # whom it is attributed to (`attributed_to`)


@dataclass(frozen=True, slots=True)
class ViolationGroup:
    """The potential violations attributed to one party alone, to several parties, or to none."""

    label: str  # "PAK: Pakistan", "several parties accused", "not attributed"
    party: str  # the party code; "" for several or none
    incidents: tuple[IncidentSection, ...]  # those listed
    total: int = 0  # how many there are (more than listed when the report lists the ones with the most deaths)


@dataclass(frozen=True, slots=True)
class AnnexRow:
    """An incident inside the window or on its boundary that is no violence (talks, announcements, protests...)."""

    number: int
    incident_id: str
    status: str
    dates: str
    place: str
    event_type: str
    deaths: str


@dataclass(frozen=True, slots=True)
class AttributionRow:
    """Violent incidents inside the window or on its boundary, and their deaths, by whom they are attributed to: each
    incident (and each death) counted once, so the rows add up to the total."""

    label: str
    incidents: int
    deaths: int


@dataclass(frozen=True, slots=True)
class FindingLine:
    """A published finding under the agreement, as the report lists it: what the guarantors' monitors established,
    where to read it (`path` on the workplace) and the content hash both guarantors signed."""

    finding_id: str
    version: int
    published: str  # the day it was published
    grade: str
    attribution: str
    attributed_party: str | None
    commitment_id: str
    incidents: tuple[str, ...]  # "3. Spin Boldak, 2025-10-15" for incidents in this report, else the id
    content_hash: str
    path: str  # /findings/ID on the workplace


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    agreement_id: str
    name: str
    kind: str
    tz: str  # the agreement's time zone
    window_local: str  # the window in force, in the agreement's zone ...
    window_utc: str  # ... and in UTC
    parties: tuple[tuple[str, str], ...]  # (code, name)
    guarantors: tuple[str, ...]
    mediators: tuple[str, ...]
    commitments: tuple[tuple[str, str], ...]  # (id, text)
    period: str
    generated_at: datetime
    counts: Mapping[str, int]  # incidents per window status (outside: with those counted by their dates alone)
    summary: tuple[PartySummary, ...]
    unattributed: PartySummary  # violent incidents inside the window or on its boundary that no one is accused of
    days: tuple[date, ...]
    series: tuple[BarSeries, ...]
    window_start: date  # local days, for the timeline's lines
    window_end: date | None
    points: tuple[MapPoint, ...]  # the incidents inside the window or on its boundary that have a place
    violations: tuple[ViolationGroup, ...]  # violent incidents inside the window, by attribution
    boundary: tuple[IncidentSection, ...]  # violent incidents across one of the window's boundaries
    annex: tuple[AnnexRow, ...]  # the other incidents inside the window or on its boundary, one row each
    annex_total: int  # how many there are (more than the annex's rows past ANNEX_ROWS)
    attribution: tuple[AttributionRow, ...]
    area: MapFrame = field(default_factory=MapFrame)  # the conflict's area, as the map shows it
    findings: tuple[FindingLine, ...] = ()  # published findings under the agreement, newest first
    detailed: bool = True  # every account of each incident set out; else one row each (more than DETAILED)

    @property
    def incidents(self) -> tuple[IncidentSection, ...]:
        """The violent incidents the report sets out, in the order it numbers them."""
        return tuple(s for g in self.violations for s in g.incidents) + self.boundary


# --- building it -----------------------------------------------------------------------------------------------


def build_report(agreement: Agreement, assessments: Sequence[Assessment], incidents: Mapping[str, Incident], *,
                 window: Window | None = None, date_from: date | None = None, date_to: date | None = None,
                 generated_at: datetime | None = None, area: MapFrame | None = None,
                 zone_names: Mapping[str, str] | None = None, findings: Sequence[Finding] = (),
                 also_outside: int = 0, span: tuple[date, date] | None = None) -> ComplianceReport:
    """The report of `agreement` from its assessments and the full records of the incidents inside the window or on
    its boundary (`incidents`, by id; others are not needed). `window` is the window in force (`window_of`: an
    agreement that supersedes this one may end it early); by default the agreement's own. `area` and `zone_names`
    are the conflict's map frame and zone abbreviations (`Conflict.map`, `.zone_names`; default: the shipped
    data's). `findings`: the agreement's published findings (the latest version of each), listed with links.
    `also_outside`: incidents outside the window by their dates alone, counted but not assessed; `span`: the first and
    last day of every incident, those among them (default: the assessments' days)."""
    if area is None:
        from trucewatch.conflict import shipped_conflict  # noqa: PLC0415

        area = shipped_conflict().map
    window = window or window_of(agreement)
    codes = tuple(p.code for p in agreement.parties)
    shown = sorted((a for a in assessments if a.window_status in ("inside", "uncertain")),
                   key=lambda a: (a.first_date or date.max, a.incident_id))
    violent = [a for a in shown if a.event_type in VIOLENT]
    listed = set(_most_deaths(violent, LISTED) if len(violent) > DETAILED else (a.incident_id for a in violent))
    ordered = [*(a for key in _group_keys(agreement) for a in violent
                 if a.window_status == "inside" and attributed_to(a) == key and a.incident_id in listed),
               *(a for a in violent if a.window_status == "uncertain" and a.incident_id in listed)]
    sections = tuple(_section(n, a, incidents.get(a.incident_id), codes) for n, a in enumerate(ordered, 1))
    others = [a for a in shown if a.event_type not in VIOLENT]
    annex = tuple(_annex_row(n, a) for n, a in enumerate(others[:ANNEX_ROWS], len(sections) + 1))
    numbers = {s.incident_id: s.number for s in sections} | {r.incident_id: r.number for r in annex}
    days, series = timeline_series(assessments, agreement, date_from, date_to)
    counts = status_counts(assessments)
    return ComplianceReport(
        agreement_id=agreement.agreement_id, name=agreement.name, kind=agreement.kind,
        tz=agreement.tz, window_local=window_text(window, agreement.tz, zone_names),
        window_utc=window_text(window, "UTC"),
        parties=tuple((p.code, p.name) for p in agreement.parties),
        guarantors=tuple(p.name for p in agreement.guarantors), mediators=tuple(p.name for p in agreement.mediators),
        commitments=tuple((c.commitment_id, c.text) for c in agreement.commitments),
        period=_period(assessments, date_from, date_to, span), generated_at=generated_at or datetime.now(UTC),
        counts={**counts, "outside": counts.get("outside", 0) + also_outside},
        summary=tuple(party_summary(assessments, agreement)), unattributed=unattributed_summary(assessments),
        days=days, series=series, window_start=_local_day(window.start, agreement.tz),
        window_end=_local_day(window.end - timedelta(microseconds=1), agreement.tz) if window.end else None,
        points=tuple(p for a in shown if (p := _point(a, numbers.get(a.incident_id))) is not None),
        violations=_groups(agreement, sections, violent),
        boundary=tuple(s for s in sections if s.status == "uncertain"),
        annex=annex, annex_total=len(others), attribution=attribution_rows(violent, agreement), area=area,
        findings=tuple(_finding_line(f, {s.incident_id: s for s in sections}) for f in findings
                       if f.agreement_id == agreement.agreement_id and f.published_at),
        detailed=len(violent) <= DETAILED)


def _most_deaths(violent: Sequence[Assessment], n: int) -> list[str]:
    """The `n` violent incidents with the most deaths (best estimate), the corroborated first among equals."""
    ranked = sorted(violent, key=lambda a: (-(a.fatalities_best or 0), a.evidence_state != "corroborated",
                                            a.first_date or date.max, a.incident_id))
    return [a.incident_id for a in ranked[:n]]


def attributed_to(a: Assessment) -> str:
    """Whom a violent incident is attributed to, once: the one party accused, SEVERAL when more than one is, or
    NOT_ATTRIBUTED. (Under the agreement each accused party answers for it; counted here, it counts once.)"""
    if not a.accused:
        return NOT_ATTRIBUTED
    return a.accused[0] if len(a.accused) == 1 else SEVERAL


def _group_keys(agreement: Agreement) -> tuple[str, ...]:
    return (*(p.code for p in agreement.parties), SEVERAL, NOT_ATTRIBUTED)


def _groups(agreement: Agreement, sections: Sequence[IncidentSection],
            violent: Sequence[Assessment]) -> tuple[ViolationGroup, ...]:
    names = {p.code: p.name for p in agreement.parties}
    groups = []
    for key in _group_keys(agreement):
        mine = tuple(s for s in sections if s.status == "inside" and s.group == key)
        total = sum(a.window_status == "inside" and attributed_to(a) == key for a in violent)
        if total:
            groups.append(ViolationGroup(f"{key}: {names[key]}" if key in names else key,
                                         key if key in names else "", mine, total))
    return tuple(groups)


def attribution_rows(violent: Sequence[Assessment], agreement: Agreement) -> tuple[AttributionRow, ...]:
    """Violent incidents inside the window or on its boundary and their deaths (best estimates) by `attributed_to`:
    every incident and every death counted once. Rows with none are left out."""
    names = {p.code: f"{p.code}: {p.name}" for p in agreement.parties}
    rows = []
    for key in _group_keys(agreement):
        mine = [a for a in violent if attributed_to(a) == key]
        if mine:
            rows.append(AttributionRow(names.get(key, key), len(mine), sum(a.fatalities_best or 0 for a in mine)))
    return tuple(rows)


def _annex_row(number: int, a: Assessment) -> AnnexRow:
    return AnnexRow(number, a.incident_id, a.window_status, _dates(a.first_date, a.last_date), _place(a),
                    _event_type(a), deaths_text(a.fatalities_best, a.fatalities_best, a.fatalities_best,
                                                none="no figure"))


def _finding_line(f: Finding, sections: Mapping[str, IncidentSection]) -> FindingLine:
    incidents = tuple(f"{sections[i].number}. {sections[i].place}, {sections[i].dates}" if i in sections else i
                      for i in f.incident_ids)
    return FindingLine(f.finding_id, f.version, (f.published_at or "")[:10], f.grade, f.attribution,
                       f.attributed_party, f.commitment_id, incidents, f.content_hash, f"/findings/{f.finding_id}")


def unattributed(a: Assessment) -> bool:
    """A violent incident inside the window or on its boundary that no party is accused of."""
    return a.window_status in ("inside", "uncertain") and not a.accused and a.event_type in VIOLENT


def unattributed_summary(assessments: Iterable[Assessment]) -> PartySummary:
    """The summary row of the unattributed incidents, counted as `party_summary` counts a party's."""
    found = [a for a in assessments if unattributed(a)]
    corroborated = sum(a.evidence_state == "corroborated" for a in found)
    return PartySummary(party="", name=NOT_ATTRIBUTED, total=len(found),
                        uncertain=sum(a.window_status == "uncertain" for a in found), by_commitment=(),
                        corroborated=corroborated, alleged_only=len(found) - corroborated,
                        denied=sum(a.evidence_state == "denied" for a in found), accused_by=())


def timeline_series(assessments: Sequence[Assessment], agreement: Agreement, date_from: date | None = None,
                    date_to: date | None = None) -> tuple[tuple[date, ...], tuple[BarSeries, ...]]:
    """The violent incidents inside the window or on its boundary per day, by whom they are attributed to
    (`attributed_to`: each incident counted once, so a day's bar is its number of incidents), on their first day (an
    incident across the window's start: on the window's first day), for the days from the window's first to its
    last (an open window: to the last incident counted), within `date_from` and `date_to` when given. A series per
    attribution that has any, labelled with what it counts."""
    window = window_of(agreement)
    first = _local_day(window.start, agreement.tz)
    last = _local_day(window.end - timedelta(microseconds=1), agreement.tz) if window.end else None
    by_day: dict[str, dict[date, list[Assessment]]] = defaultdict(lambda: defaultdict(list))
    for a in assessments:
        if a.window_status in ("inside", "uncertain") and a.event_type in VIOLENT:
            day = max(a.first_date or first, first)
            by_day[attributed_to(a)][min(day, last) if last else day].append(a)
    if not by_day:
        return (), ()
    last = last or max(d for days in by_day.values() for d in days)
    days = tuple(d for d in (first + timedelta(n) for n in range((last - first).days + 1))
                 if (date_from is None or d >= date_from) and (date_to is None or d <= date_to))
    series = []
    for key in _group_keys(agreement):
        found = by_day.get(key, {})
        counts = tuple(len(found.get(d, ())) for d in days)
        if any(counts):
            series.append(BarSeries(series_label(key), counts,
                                    tuple(sum(a.window_status == "uncertain" for a in found.get(d, ())) for d in days)))
    return days, tuple(series)


def series_label(key: str) -> str:
    """What a timeline series counts, in words: "attributed to PAK alone", "several parties accused", "not
    attributed"."""
    return key if key in (SEVERAL, NOT_ATTRIBUTED) else f"attributed to {key} alone"


def _section(number: int, a: Assessment, incident: Incident | None, codes: tuple[str, ...]) -> IncidentSection:
    claims = incident.claims if incident else ()
    columns = codes + ((OTHERS,) if any(c.party not in codes for c in claims) else ())
    return IncidentSection(
        number=number, incident_id=a.incident_id, status=a.window_status, reason=a.reason,
        dates=_dates(a.first_date, a.last_date), place=_place(a), event_type=_event_type(a),
        accused=", ".join(a.accused) or NOT_ATTRIBUTED, accusers=", ".join(a.accusers) or "none recorded",
        evidence=a.evidence_state, commitments=", ".join(a.commitments) or "none named",
        fatalities_best=a.fatalities_best, contested=incident.reasons if incident and incident.contested else (),
        deaths=_deaths(incident, a), group=attributed_to(a),
        columns=columns, claims=claim_rows(claims, columns),
        figures=figure_lines(incident.figures) if incident else (),
        estimates=incident.estimates if incident else (),
        sources=tuple(_source_line(s) for s in sorted(incident.sources, key=lambda s: (s.published, s.report_id)))
        if incident else ())


def _deaths(incident: Incident | None, a: Assessment) -> str:
    """'12 (9-15)': the best estimate and its range over the accounts' estimates; '5' when they agree."""
    if incident is None or not incident.estimates:
        return deaths_text(a.fatalities_best, a.fatalities_best, a.fatalities_best, none="no figure")
    highs = [e.high for e in incident.estimates]
    return deaths_text(sum(e.low for e in incident.estimates), a.fatalities_best,
                       None if None in highs else sum(h or 0 for h in highs), none="no figure")


def claim_rows(claims: Iterable[SourcedClaim], columns: Sequence[str]) -> tuple[ClaimRow, ...]:
    """Claims by the day they were made (rows) and party (columns; parties not in `columns` go under OTHERS). A claim
    that two events of one report both carry is shown once."""
    by_day: dict[date, dict[str, dict[ClaimLine, None]]] = defaultdict(lambda: defaultdict(dict))
    for c in sorted(claims, key=lambda c: (c.made_on, c.source.published, c.source.report_id, c.claim.span.start)):
        column = c.party if c.party in columns else OTHERS
        by_day[c.made_on][column].setdefault(claim_line(c))
    return tuple(ClaimRow(day, tuple(tuple(by_day[day].get(column, ())) for column in columns))
                 for day in sorted(by_day))


def claim_line(c: SourcedClaim) -> ClaimLine:
    """A claim as shown: what was claimed in its own words (never only "X said"), who said it as the report names
    them, the day it was made, and the report and sentence it stands in."""
    return ClaimLine(
        stance=STANCE_WORDS.get(c.claim.stance, c.claim.stance), about=c.claim.about, made_on=c.made_on,
        claimant=c.claim.claimant, party=c.party, quote=c.quote or c.claim.content or c.claim.surface,
        outlet=c.source.outlet or "?", published=c.source.published, report_id=c.source.report_id,
        speaker=speaker_of(c.claim), stance_code=c.claim.stance, sentence=c.claim.sentence + 1, url=c.source.url,
        whole_sentence=not c.claim.content.strip(), figure=c.claim.figure)


def quote_link(url: str | None, quote: str) -> str | None:
    """A link to the words `quote` in the original at `url` (an http(s) address), as a text fragment
    (`#:~:text=start,end`) that browsers scroll to and highlight; None for any other address."""
    if not url or not re.match(r"https?://[^\s\"'<>]+$", url, re.IGNORECASE):
        return None
    words = quote.removesuffix("…").split()
    if not words:
        return url
    parts = [" ".join(words)] if len(words) <= 2 * FRAGMENT_WORDS else \
        [" ".join(words[:FRAGMENT_WORDS]), " ".join(words[-FRAGMENT_WORDS:])]
    encoded = ",".join(quote_url(p, safe="").replace("-", "%2D") for p in parts)
    return f"{url.split('#', 1)[0]}#:~:text={encoded}"


def figure_lines(figures: Iterable[SourcedFigure]) -> tuple[FigureLine, ...]:
    """Every figure with its source, by claimant, then date and report; a figure two events of one report carry is
    shown once."""
    return tuple(dict.fromkeys(_figure_line(f) for f in sorted(figures, key=_figure_order)))


def _figure_order(f: SourcedFigure) -> tuple:
    return (f.figure.claimed_by or "unattributed", f.source.published, f.source.report_id, f.figure.span.start)


def _figure_line(f: SourcedFigure) -> FigureLine:
    return FigureLine(claimant=f.figure.claimed_by or "unattributed", number=figure_number(f.figure),
                      victims=f.figure.victims, quote=f.figure.surface, outlet=f.source.outlet or "?",
                      published=f.source.published, report_id=f.source.report_id)


def figure_number(figure: Figure) -> str:
    if figure.high is None:
        return f"at least {figure.low}"
    return str(figure.low) if figure.high == figure.low else f"{figure.low}-{figure.high}"


def _source_line(s: Source) -> SourceLine:
    copy_of = s.source_group if s.source_group and s.source_group != s.report_id else None
    return SourceLine(s.published, s.outlet or "?", s.report_id, s.url, (s.sha256 or "?")[:SHA_PREFIX], copy_of)


def window_text(window: Window, tz: str, names: Mapping[str, str] | None = None) -> str:
    """'from 19 Oct 2025 00:00 PKT (UTC+05:00), open-ended'; an end set by a superseding agreement says so. `names`:
    the conflict's zone abbreviations (`Conflict.zone_names`; default: the shipped data's)."""
    begin = f"from {_stamp(window.start, tz, names)}"
    if window.end is None:
        return f"{begin}, open-ended (no end agreed)"
    superseded = f", when {window.ended_by} superseded it" if window.ended_by else ""
    return f"{begin} to {_stamp(window.end, tz, names)}{superseded}"


def _stamp(moment: datetime, tz: str, names: Mapping[str, str] | None) -> str:
    local = moment.astimezone(ZoneInfo(tz))
    if tz == "UTC":
        return f"{local:%d %b %Y %H:%M} UTC"
    offset = local.strftime("%z")
    return f"{local:%d %b %Y %H:%M} {zone_name(tz, local, names)} ({tz}, UTC{offset[:3]}:{offset[3:]})"


def _local_day(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def _period(assessments: Sequence[Assessment], date_from: date | None, date_to: date | None,
            span: tuple[date, date] | None = None) -> str:
    dated = [*(span or ()), *(d for a in assessments for d in (a.first_date, a.last_date) if d is not None)]
    first, last = date_from or min(dated, default=None), date_to or max(dated, default=None)
    if first is None or last is None:
        return "no incidents assessed"
    asked = "" if date_from or date_to else " (every incident in the database)"
    return f"{first.isoformat()} to {last.isoformat()}{asked}"


def _dates(first: date | None, last: date | None) -> str:
    if first is None:
        return "undated"
    return first.isoformat() + (f" to {last.isoformat()}" if last and last != first else "")


def _place(a: Assessment) -> str:
    return ", ".join(dict.fromkeys(p for p in (a.location, a.admin1, a.country) if p)) or "unknown place"


def _event_type(a: Assessment) -> str:
    return " / ".join(t for t in (a.event_type, a.sub_event_type) if t) or "?"


def _point(a: Assessment, number: int | None) -> MapPoint | None:
    """The incident on the map, numbered as in the report's list; None when it has no coordinates."""
    if a.latitude is None or a.longitude is None:
        return None
    return MapPoint(a.latitude, a.longitude, a.window_status, a.fatalities_best, str(number) if number else "")


# --- charts ----------------------------------------------------------------------------------------------------


def charts(report: ComplianceReport) -> dict[str, str]:
    """The report's figures as SVG text: "timeline" and "map"."""
    return {
        "timeline": timeline_svg(report.days, report.series, report.window_start, report.window_end),
        "map": map_svg(report.points, frame=report.area),
    }


def _prefixed(svg: str, prefix: str) -> str:
    """The SVG with its ids (and references to them) prefixed, so that two figures inlined in one page cannot
    collide (matplotlib names glyphs and clip paths alike in every figure)."""
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', rf'url(#{prefix}-\1)', svg)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)


# --- writing it ------------------------------------------------------------------------------------------------


def write_report(report: ComplianceReport, fmt: str, path: Path) -> list[Path]:
    """Write the report as `fmt` (html, pdf or md) to `path`, creating its folder; returns every file written
    (markdown: the .md and its two SVG figures, named after it). TW-E301 for another format."""
    if fmt not in FORMATS:
        raise ExportError("TW-E301", value=fmt, choices=", ".join(FORMATS))
    path.parent.mkdir(parents=True, exist_ok=True)
    figures = charts(report)
    if fmt == "md":
        names = {name: path.with_name(f"{path.stem}-{name}.svg") for name in figures}
        for name, svg in figures.items():
            _write(names[name], svg.encode("utf-8"))
        _write(path, render_markdown(report, {n: p.name for n, p in names.items()}).encode("utf-8"))
        return [path, *names.values()]
    page = render_html(report, figures)
    _write(path, page.encode("utf-8") if fmt == "html" else html_to_pdf(page))
    return [path]


def html_to_pdf(page: str) -> bytes:
    """The HTML report as PDF, laid out by its print stylesheet (A4, page numbers). The inline figures go to
    WeasyPrint as SVG images (still vector graphics): its HTML parser would warn about every SVG style attribute."""
    from weasyprint import HTML  # noqa: PLC0415  (slow to import; only the pdf format needs it)

    quiet = _QuietFontNotices()
    logger = logging.getLogger("weasyprint")
    logger.addFilter(quiet)
    try:
        return HTML(string=_svg_as_images(page)).write_pdf()
    finally:
        logger.removeFilter(quiet)


def _svg_as_images(page: str) -> str:
    def image(match: re.Match[str]) -> str:
        data = base64.b64encode(match.group(0).encode("utf-8")).decode("ascii")
        return f'<img alt="" src="data:image/svg+xml;base64,{data}">'

    return re.sub(r"<svg\b.*?</svg>", image, page, flags=re.DOTALL)


class _QuietFontNotices(logging.Filter):
    """Drops WeasyPrint's notice, once per font, that it subsets fonts with fontTools where HarfBuzz-Subset is not
    installed: it says nothing about the report."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "HarfBuzz-Subset" not in record.getMessage()


def _write(path: Path, data: bytes) -> None:
    """Write a file that appears complete or not at all."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


# --- HTML --------------------------------------------------------------------------------------------------------


def render_html(report: ComplianceReport, figures: Mapping[str, str] | None = None) -> str:
    """One self-contained page: inline CSS, inline SVG figures, every text from reports escaped."""
    figures = charts(report) if figures is None else figures
    body = "\n".join(part for part in [
        _html_title(report), _html_summary(report), _html_findings(report), _html_violations(report),
        _html_boundary(report), _html_figure("timeline", figures, _timeline_caption(report)),
        _html_figure("map", figures, _map_caption(report)), _html_annex(report), _html_method(),
    ] if part)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{_e(report.name)}: compliance report</title>\n<style>\n{CSS}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _link(url: str | None) -> str:
    """An http(s) URL as a link; anything else as plain text (a report's URL is untrusted)."""
    if not url:
        return "—"
    if re.match(r"https?://[^\s\"'<>]+$", url, re.IGNORECASE):
        return f'<a href="{_e(url)}">{_e(url)}</a>'
    return _e(url)


def _rows(rows: Iterable[Iterable[str]], cell: str = "td") -> str:
    return "\n".join("<tr>" + "".join(f"<{cell}>{c}</{cell}>" for c in row) + "</tr>" for row in rows)


def _table(head: Sequence[str], rows: Iterable[Iterable[str]], css: str = "", widths: Sequence[str] = ()) -> str:
    cols = "".join(f'<col style="width:{w}">' for w in widths)
    return (f'<table class="{css}">' + (f"<colgroup>{cols}</colgroup>" if cols else "")
            + f"<thead>{_rows([[_e(h) for h in head]], 'th')}</thead>\n<tbody>\n{_rows(rows)}\n</tbody></table>")


def _html_title(r: ComplianceReport) -> str:
    facts = [
        ("Agreement", f"{_e(r.agreement_id)} ({_e(r.kind)})"),
        ("Window", f"{_e(r.window_local)}<br>{_e(r.window_utc)}"),
        ("Parties", "<br>".join(f"{_e(code)}: {_e(name)}" for code, name in r.parties)),
        ("Guarantors", _e(", ".join(r.guarantors) or "none named")),
        ("Mediators", _e(", ".join(r.mediators) or "none named")),
        ("Period covered", _e(r.period)),
        ("Generated", _e(f"{r.generated_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC")),
    ]
    rows = "\n".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in facts)
    return (f'<header class="title-block">\n<p class="kicker">Ceasefire compliance report</p>\n'
            f"<h1>{_e(r.name)}</h1>\n<table class=\"facts\">\n{rows}\n</table>\n<p class=\"totals\">"
            f"{_e(_totals(r))}</p>\n<p class=\"caveat\">{_e(CAVEAT)}</p>\n</header>")


CAVEAT = ("Potential violations are incidents reported inside the ceasefire window in which a party is accused; they "
          "are not findings. Every account is shown as its source gave it, side by side, and nothing is attributed "
          "that the reports do not attribute.")


def _totals(r: ComplianceReport) -> str:
    total = sum(r.counts.values())
    uncertain = r.counts.get("uncertain", 0)
    return (f"{_plural(total, 'incident')} assessed: {r.counts.get('inside', 0)} inside the window, "
            f"{_plural(uncertain, 'boundary case')}, {r.counts.get('outside', 0)} outside it.")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


SUMMARY_HEAD = ("Party", "Potential violations", "of which boundary cases", "corroborated", "alleged only",
                "of which denied", "By commitment", "Accused by")


def _summary_cells(p: PartySummary) -> list[str]:
    """A summary row's cells, as plain text."""
    return [str(p.total), str(p.uncertain), str(p.corroborated), str(p.alleged_only), str(p.denied),
            ", ".join(f"{cid}: {n}" for cid, n in p.by_commitment if n) or "—",
            ", ".join(f"{party} ({n})" for party, n in p.accused_by) or "—"]


def _html_summary(r: ComplianceReport) -> str:
    rows = [[f"<b>{_e(p.party)}</b> {_e(p.name)}" if p.party else f"<i>{_e(p.name)}</i>",
             *(_e(c) for c in _summary_cells(p))] for p in (*r.summary, r.unattributed)]
    commitments = "".join(f"<li><b>{_e(cid)}</b> {_e(text)}</li>" for cid, text in r.commitments)
    return ('<section class="summary">\n<h2>Summary by party</h2>\n'
            + _table(SUMMARY_HEAD, rows, "summary", ("17%", "11%", "11%", "12%", "10%", "9%", "17%", "13%"))
            + f'\n<p class="note">{_e(SUMMARY_NOTE)}</p>\n' + _html_attribution(r)
            + (f'<h3>Commitments</h3>\n<ul class="commitments">{commitments}</ul>\n' if commitments else "")
            + "</section>")


def _html_findings(r: ComplianceReport) -> str:
    """The published findings under the agreement, each linked to its page on the workplace."""
    if not r.findings:
        return ""
    rows = [[f'<a href="{_e(f.path)}">{_e(f.finding_id)}</a> (v{f.version})', _e(f.published), _e(f.grade),
             _e(f.attribution + (f" ({f.attributed_party})" if f.attributed_party else "")), _e(f.commitment_id),
             "<br>".join(_e(i) for i in f.incidents), f"<code>{_e(f.content_hash)}</code>"] for f in r.findings]
    return ('<section class="findings">\n<h2>Findings</h2>\n'
            + _table(["Finding", "Published", "Grade", "Attribution", "Commitment", "Incidents", "Signed content"],
                     rows, "findings", ("14%", "10%", "9%", "14%", "14%", "19%", "20%"))
            + f'\n<p class="note">{_e(FINDINGS_NOTE)}</p>\n</section>')


FINDINGS_NOTE = ("Findings are what the guarantors' monitors established on the parties' complaints, signed by a "
                 "monitor of each guarantor over the content hash shown, then published. Each links to its page on "
                 "the workplace (/findings/ID), with its reasoning, evidence, signatures and verifiable bundle.")


SUMMARY_NOTE = ("Potential violations: incidents inside the window, or across one of its boundaries (boundary cases), "
                "in which the party is accused under a commitment it is bound by; an incident that accuses both "
                "parties counts for each. Corroborated: two or more independent sources; alleged only: a single "
                "source, contested, or denied by the accused party. Not attributed: violent incidents inside the "
                "window or on its boundary that no party is accused of.")


def _timeline_caption(r: ComplianceReport) -> str:
    end = f"; dotted line: its last day, {r.window_end.isoformat()}" if r.window_end else ""
    return (f"Violent incidents inside the window or on its boundary per day, by whom they are attributed to: each "
            f"incident counted once (an incident in which several parties are accused under \u201cseveral parties "
            f"accused\u201d, not once per party), so a day's bar is its number of incidents. Hatched: boundary cases, "
            f"counted on the window's first day when they began before it. Dashed line: the window's first day, "
            f"{r.window_start.isoformat()} ({r.tz}){end}.")


def _map_caption(r: ComplianceReport) -> str:
    shown = [p for p in r.points if on_map(p, r.area)]
    away = [p for p in r.points if not on_map(p, r.area)]
    total = r.counts.get("inside", 0) + r.counts.get("uncertain", 0)
    unplaced = total - len(r.points)
    numbers = [p.label for p in away if p.label]
    notes = [f"{unplaced} without a place" if unplaced else "",
             f"{len(away)} outside the area shown" + (f", among them {_and(numbers)}" if numbers else "")
             if away else ""]
    left_out = "; ".join(n for n in notes if n)
    credit = f" Province outlines: {r.area.credit}." if r.area.features and r.area.credit else ""
    return (f"{len(shown)} of the {total} incidents inside the window or on its boundary"
            + (f" ({left_out})" if left_out else "")
            + f"; the {r.counts.get('outside', 0)} outside it are not drawn. Colour: window status; area: best "
            f"estimate of deaths; numbers: as in the lists of this report.{credit}")


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _html_figure(name: str, figures: Mapping[str, str], caption: str) -> str:
    title = {"timeline": "Timeline", "map": "Map of incidents"}[name]
    svg = _prefixed(figures[name], name) if name in figures else "<p>(no figure)</p>"
    return (f'<section class="figure {name}">\n<h2>{title}</h2>\n<figure>\n{svg}\n'
            f"<figcaption>{_e(caption)}</figcaption>\n</figure>\n</section>")


def _html_attribution(r: ComplianceReport) -> str:
    """Violent incidents and deaths by whom they are attributed to, each counted once: the rows add up."""
    if not r.attribution:
        return ""
    rows = [[_e(a.label), str(a.incidents), str(a.deaths)] for a in r.attribution]
    rows.append(["<b>all violent incidents</b>", f"<b>{sum(a.incidents for a in r.attribution)}</b>",
                 f"<b>{sum(a.deaths for a in r.attribution)}</b>"])
    return ("<h3>Attributed to</h3>\n" + _table(["Attributed to", "Incidents", "Deaths (best)"], rows, "attribution",
                                                 ("50%", "25%", "25%"))
            + f'\n<p class="note">{_e(ATTRIBUTION_NOTE)}</p>\n')


ATTRIBUTION_NOTE = ("Violent incidents inside the window or on its boundary, and their deaths (best estimates), each "
                    "counted once: under the one party accused; under several parties accused when more than one "
                    "is (the summary above counts such an incident for each); not attributed when none is. The rows "
                    "add up to the total.")


def _html_violations(r: ComplianceReport) -> str:
    """The violent incidents inside the window, a part per attribution: every account of each, or one row each."""
    if not r.violations:
        return ""
    parts = [f"<h3>{_e(_group_title(g))}</h3>\n{_html_sections(g.incidents, r)}" for g in r.violations]
    return ('<section class="violations">\n<h2>Potential violations</h2>\n'
            f'<p class="note">{_e(VIOLATIONS_NOTE if r.detailed else VIOLATIONS_NOTE + " " + ROWS_NOTE)}</p>\n'
            + "\n".join(parts) + "\n</section>")


VIOLATIONS_NOTE = ("Violent incidents inside the window, under the party they are attributed to (an incident in which "
                   "several parties are accused is set out once, under \u201cseveral parties accused\u201d), then "
                   "those no party is accused of; numbered as on the map.")
ROWS_NOTE = (f"There are more than {DETAILED}: the {LISTED} with the most deaths are listed, one row each with the "
             "claims the reports record. Every one is in the compliance export (trucewatch compliance --agreement "
             "ID --format csv); every account, figure and source of an incident on its page on the workplace "
             "(/incidents/ID), or in a report of a shorter period (--from, --to).")


def _listed(g: ViolationGroup) -> str:
    return "" if len(g.incidents) == g.total else f"; {len(g.incidents)} listed"


def _group_title(g: ViolationGroup) -> str:
    n = f"{g.total}{_listed(g)}"
    if g.party:
        return f"Attributed to {g.label} alone ({n})"
    return f"{g.label[0].upper()}{g.label[1:]} ({n})"


def _html_sections(sections: Sequence[IncidentSection], r: ComplianceReport) -> str:
    if r.detailed:
        parties = dict(r.parties)
        return "\n".join(_html_incident(s, parties) for s in sections)
    rows = [[f'{s.number}', _e(s.dates), _e(s.place) + f'<br><span class="copy">{_e(s.incident_id)}</span>',
             _e(s.event_type), _e(s.deaths), _e(s.evidence) + (" (contested)" if s.contested else ""),
             "".join(_html_claim(c) for row in s.claims for cell in row.cells for c in cell) or "—"]
            for s in sections]
    return _table(["#", "Dates", "Place", "Type", "Deaths", "Evidence", "What the parties say"], rows, "rows",
                  ("4%", "12%", "16%", "13%", "7%", "10%", "38%"))


def _html_boundary(r: ComplianceReport) -> str:
    if not r.boundary:
        return ""
    rows = [[f'<a href="#{_e(s.incident_id)}">{s.number}</a>' if r.detailed else str(s.number), _e(s.dates),
             _e(s.place), _e(s.accused), _e(s.reason)] for s in r.boundary]
    detail = "\n" + "\n".join(_html_incident(s, dict(r.parties)) for s in r.boundary) if r.detailed else ""
    return ('<section class="boundary">\n<h2>Boundary cases</h2>\n<p class="note">Violent incidents whose place '
            "in the window is uncertain (they may have happened before it began or after it ended), and why. The "
            "summary counts them as potential violations, apart.</p>\n"
            + _table(["#", "Dates", "Place", "Accused", "Why uncertain"], rows, "boundary",
                     ("5%", "14%", "24%", "12%", "45%"))
            + detail + "\n</section>")


def _html_annex(r: ComplianceReport) -> str:
    """Everything else inside the window or on its boundary (talks, announcements, protests...), a row each."""
    if not r.annex:
        return ""
    rows = [[str(a.number), _e(a.dates), _e(a.place), _e(a.event_type), _e(STATUS_WORDS.get(a.status, a.status)),
             _e(a.deaths)] for a in r.annex]
    return ('<section class="annex">\n<h2>Annex: other incidents in the window</h2>\n<p class="note">Incidents '
            "inside the window or on its boundary that are not violence (talks, announcements, arrests, protests), "
            "one row each: none is a potential violation."
            + (f" The first {len(r.annex)} of {r.annex_total}; every one is in the compliance export."
               if r.annex_total > len(r.annex) else "") + "</p>\n"
            + _table(["#", "Dates", "Place", "Type", "Window", "Deaths"], rows, "annex",
                     ("5%", "15%", "30%", "26%", "14%", "10%")) + "\n</section>")


def _html_incident(s: IncidentSection, parties: Mapping[str, str]) -> str:
    status = f'<span class="status {s.status}">{_e(STATUS_WORDS.get(s.status, s.status))}</span>'
    facts = [("Incident", _e(s.incident_id)), ("Type", _e(s.event_type)),
             ("Accused", f'<i>{_e(s.accused)}</i>' if s.accused == NOT_ATTRIBUTED else _e(s.accused)),
             ("Accusers", _e(s.accusers)), ("Evidence", _e(s.evidence)), ("Commitments", _e(s.commitments)),
             ("Deaths", _e(s.deaths)), ("Assessment", _e(s.reason))]
    facts += [("Contested", "<br>".join(_e(reason) for reason in s.contested))] if s.contested else []
    rows = "\n".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in facts)
    parts = [("Claims side by side", _html_claims(s, parties) if s.claims else ""),
             ("Figures by claimant", _html_figures(s)), ("Estimates", _html_estimates(s)),
             ("Reports", _html_sources(s) if s.sources else "")]
    return (f'<article class="incident" id="{_e(s.incident_id)}">\n'
            f"<h3>{s.number}. {_e(s.place)}, {_e(s.dates)} {status}</h3>\n"
            f'<table class="facts">\n{rows}\n</table>\n'
            + "".join(f"<h4>{title}</h4>\n{body}\n" for title, body in parts if body) + "</article>")


def _html_claims(s: IncidentSection, parties: Mapping[str, str]) -> str:
    if not s.claims:
        return ""
    head = ["Made on"] + [_column_heading(c, parties) for c in s.columns]
    rows = [[_e(row.made_on.isoformat())] + ["".join(_html_claim(c) for c in cell) for cell in row.cells]
            for row in s.claims]
    share = f"{88 / len(s.columns):.1f}%"
    return _table(head, rows, f"claims cols-{len(s.columns)}", ["12%"] + [share] * len(s.columns))


def _about(c: ClaimLine) -> str:
    """What the claim is about, with the death figure it gives: "civilian deaths, figure 17"."""
    return c.about + (f", figure {c.figure}" if c.figure is not None else "")


def _column_heading(column: str, parties: Mapping[str, str]) -> str:
    return f"{column}: {parties[column]}" if column in parties else "Others"


def _html_claim(c: ClaimLine) -> str:
    """`PAK denies (civilian deaths): “...” — speaker, day, report X, sentence N (outlet)`; "report X, sentence N"
    links to the words in the original when its address is http(s)."""
    where = f"report {_e(c.report_id)}, sentence {c.sentence}"
    link = quote_link(c.url, c.quote)
    where = f'<a href="{_e(link)}">{where}</a>' if link else where
    sentence = ' class="sentence" title="the sentence the claim stands in"' if c.whole_sentence else ""
    return (f'<div class="claim" data-stance="{_e(c.stance_code)}"><span class="stance '
            f'{_e(c.stance.split()[-1])}">{_e(c.party)} {_e(c.stance)}</span> ({_e(_about(c))}): '
            f"<q{sentence}>{_e(c.quote)}</q> <cite>— <span title=\"{_e(c.claimant)}\">{_e(c.speaker)}</span>, "
            f"{c.made_on.isoformat()}, {where} ({_e(c.outlet)})</cite></div>")


def _html_figures(s: IncidentSection) -> str:
    if not s.figures:
        return ""
    rows = [[_e(f.claimant), _e(f.number), _e(f.victims), f"<q>{_e(f.quote)}</q>",
             _e(f"{f.outlet}, {f.published.isoformat()}, report {f.report_id}")] for f in s.figures]
    return _table(["Claimant", "Deaths", "Who died", "Words", "Source"], rows, "figures",
                  ("23%", "11%", "12%", "25%", "29%"))


def _html_estimates(s: IncidentSection) -> str:
    if not s.estimates:
        return ""
    rows = [[_e(e.victims), str(e.low), str(e.best), _e(e.high if e.high is not None else "open"), _e(e.basis)]
            for e in s.estimates]
    return _table(["Who died", "Low", "Best", "High", "Basis"], rows, "estimates", ("22%", "8%", "8%", "8%", "54%"))


def _html_sources(s: IncidentSection) -> str:
    rows = [[_e(x.published.isoformat()), _e(x.outlet),
             _e(x.report_id) + (f'<br><span class="copy">same story as {_e(x.copy_of)}</span>' if x.copy_of else ""),
             _link(x.url), f"<code>{_e(x.sha256)}</code>"] for x in s.sources]
    return _table(["Published", "Outlet", "Report", "URL", "SHA-256"], rows, "sources",
                  ("11%", "20%", "13%", "41%", "15%"))


def _html_method() -> str:
    return ('<section class="method">\n<h2>How to read this report</h2>\n'
            + "".join(f"<p>{_e(p)}</p>\n" for p in METHOD) + "</section>")


METHOD = (
    ("Incidents are real-world happenings resolved from many reports; each report's account is kept apart. An "
     "incident may have happened at any time from the start of its first day to the end of its last, in its country's "
     "local time, widened when the reports date it only to the week or month. Wholly within the window in force it is "
     "inside; wholly before or after, outside; across the start or end, a boundary case."),
    ("Only violent incidents are attributed, and only with backing: a party whose forces, or a group it answers for "
     "under the agreement, the reports code as the perpetrator; a party that later acknowledges the incident; or, "
     "when the perpetrator is unidentified, the other party, accused by the party the incident happened to. A party "
     "is accused only under the commitments it is bound by that concern the incident. An incident no one is accused "
     "of says so: not attributed."),
    ("Claims are listed by the day they were made, under the party that made them, each with what was claimed in "
     "the report's own words (the whole sentence where no clause was coded), who said it as the report names them, "
     "and the report and sentence it stands in (a link to those words in the original, where it is on the web); "
     "figures under the claimant that gave them. Estimates follow UCDP: low, best and high, with the rule for best "
     "stated. Each report is identified "
     "by its outlet, date, URL and the first characters of the SHA-256 of the original as received."),
)


CSS = """\
:root { --ink: #1d1d1f; --muted: #5f6368; --rule: #c9ccd1; --band: #f3f4f6; --inside: #c0392b;
        --uncertain: #b07400; --outside: #6b7778; }
html { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 10pt; color: var(--ink);
       line-height: 1.35; }
body { max-width: 62rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 19pt; margin: 0.1em 0 0.4em; string-set: agreement content(); }
h2 { font-size: 13.5pt; margin: 1.4em 0 0.5em; border-bottom: 1.5px solid var(--ink); padding-bottom: 2px; }
h3 { font-size: 11pt; margin: 1.2em 0 0.4em; }
h4 { font-size: 9.5pt; margin: 0.9em 0 0.3em; color: var(--muted); text-transform: uppercase;
     letter-spacing: 0.04em; }
.kicker { text-transform: uppercase; letter-spacing: 0.12em; color: var(--muted); margin: 0; font-size: 9pt; }
.totals { font-weight: bold; margin: 0.8em 0 0.3em; }
.caveat, .note, figcaption, .none { color: var(--muted); font-size: 8.5pt; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 0.3em 0 0.6em; font-size: 8.5pt; }
th, td { text-align: left; vertical-align: top; padding: 3px 5px; border-bottom: 0.6px solid var(--rule);
         overflow-wrap: anywhere; }
thead th { background: var(--band); border-bottom: 1px solid var(--ink); overflow-wrap: normal; }
table.facts { width: auto; max-width: 100%; }
table.facts th { width: 8.5em; color: var(--muted); font-weight: normal; background: none; }
table.facts td, table.facts th { border-bottom: none; padding: 1px 6px 1px 0; }
table.summary td:nth-child(n+2):nth-child(-n+5), table.summary th:nth-child(n+2):nth-child(-n+5),
table.estimates td:nth-child(n+2):nth-child(-n+4) { text-align: right; }
table.claims td + td { border-left: 0.6px solid var(--rule); }
table.sources td:first-child, table.claims td:first-child { white-space: nowrap; }
table.rows td:nth-child(2), table.annex td:nth-child(2), table.boundary td:nth-child(2) { white-space: nowrap;
  overflow-wrap: normal; }
.claim { margin: 0 0 0.5em; }
.claim:last-child { margin-bottom: 0; }
.stance { font-weight: bold; }
.stance.denies { color: #8e2a1d; }
q { display: block; font-style: italic; margin: 0.1em 0; }
q::before { content: "\\201C"; } q::after { content: "\\201D"; }
cite { display: block; font-style: normal; color: var(--muted); font-size: 7.5pt; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; }
.copy { color: var(--muted); font-size: 7.5pt; }
.status { font-size: 8pt; font-weight: normal; padding: 1px 5px; border-radius: 3px; color: #fff;
          white-space: nowrap; vertical-align: 1px; }
.status.inside { background: var(--inside); } .status.uncertain { background: var(--uncertain); }
.status.outside { background: var(--outside); }
figure { margin: 0.4em 0; }
figure svg, figure img { width: 100%; height: auto; display: block; }
.commitments { margin: 0.2em 0; padding-left: 1.2em; font-size: 8.5pt; }
article.incident { border-top: 0.6px solid var(--rule); margin-top: 1.2em; }
article.incident:first-of-type { border-top: none; margin-top: 0; }
a { color: #1a5fb4; }
@page {
  size: A4; margin: 17mm 14mm 18mm 14mm;
  @top-left { content: string(agreement); font-size: 7.5pt; color: #5f6368; }
  @top-right { content: "Ceasefire compliance report"; font-size: 7.5pt; color: #5f6368; }
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #5f6368; }
}
@page :first { @top-left { content: none; } @top-right { content: none; } }
@media print {
  html { font-size: 9.5pt; }
  body { max-width: none; margin: 0; padding: 0; }
  a { color: inherit; text-decoration: none; }
  h2, h3, h4 { break-after: avoid; }
  section.figure, tr, .claim, table.facts { break-inside: avoid; }
  thead { display: table-header-group; }
}
"""


# --- markdown --------------------------------------------------------------------------------------------------


def render_markdown(report: ComplianceReport, figure_files: Mapping[str, str]) -> str:
    """The report as markdown; the figures are the SVG files named in `figure_files` (written beside the .md)."""
    return "\n".join([*_md_title(report), *_md_summary(report), *_md_findings(report), *_md_violations(report),
                      *_md_boundary(report), *_md_figures(report, figure_files), *_md_annex(report),
                      "## How to read this report", "", *[f"{_m(p)}\n" for p in METHOD]])


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def _m(value: object) -> str:
    """Text safe inside markdown (and a table cell): markup characters escaped, HTML neutralised, one line."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_findings(r: ComplianceReport) -> list[str]:
    if not r.findings:
        return []
    rows = [[f"[{_m(f.finding_id)}]({f.path}) (v{f.version})", _m(f.published), _m(f.grade),
             _m(f.attribution + (f" ({f.attributed_party})" if f.attributed_party else "")), _m(f.commitment_id),
             "; ".join(_m(i) for i in f.incidents), f"`{f.content_hash}`"] for f in r.findings]
    return ["## Findings", "", *_md_table(["Finding", "Published", "Grade", "Attribution", "Commitment", "Incidents",
                                           "Signed content"], rows), "", _m(FINDINGS_NOTE), ""]


def _md_table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head), *("| " + " | ".join(r) + " |" for r in rows),
            ""]


def _md_title(r: ComplianceReport) -> list[str]:
    return [f"# {_m(r.name)}", "", "*Ceasefire compliance report*", "",
            f"- **Agreement:** {_m(r.agreement_id)} ({_m(r.kind)})",
            f"- **Window:** {_m(r.window_local)}; {_m(r.window_utc)}",
            f"- **Parties:** {_m('; '.join(f'{c}: {n}' for c, n in r.parties))}",
            f"- **Guarantors:** {_m(', '.join(r.guarantors) or 'none named')}",
            f"- **Mediators:** {_m(', '.join(r.mediators) or 'none named')}",
            f"- **Period covered:** {_m(r.period)}",
            f"- **Generated:** {r.generated_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC", "", f"**{_m(_totals(r))}**",
            "", _m(CAVEAT), ""]


def _md_summary(r: ComplianceReport) -> list[str]:
    rows = [[f"**{_m(p.party)}** {_m(p.name)}" if p.party else f"*{_m(p.name)}*",
             *(_m(c) for c in _summary_cells(p))] for p in (*r.summary, r.unattributed)]
    lines = ["## Summary by party", "", *_md_table(SUMMARY_HEAD, rows), _m(SUMMARY_NOTE), ""]
    if r.attribution:
        shares = [[_m(a.label), str(a.incidents), str(a.deaths)] for a in r.attribution]
        shares.append(["**all violent incidents**", f"**{sum(a.incidents for a in r.attribution)}**",
                       f"**{sum(a.deaths for a in r.attribution)}**"])
        lines += ["### Attributed to", "", *_md_table(["Attributed to", "Incidents", "Deaths (best)"], shares),
                  _m(ATTRIBUTION_NOTE), ""]
    if r.commitments:
        lines += ["### Commitments", "", *(f"- **{_m(cid)}** {_m(text)}" for cid, text in r.commitments), ""]
    return lines


def _md_figures(r: ComplianceReport, files: Mapping[str, str]) -> list[str]:
    lines = [f"The figures are SVG files beside this one: {', '.join(f'`{f}`' for f in files.values())}.", ""]
    for name, title, caption in (("timeline", "Timeline", _timeline_caption(r)),
                                 ("map", "Map of incidents", _map_caption(r))):
        lines += [f"## {title}", "", f"![{title}]({files[name]})", "", f"*{_m(caption)}*", ""]
    return lines


def _md_violations(r: ComplianceReport) -> list[str]:
    if not r.violations:
        return []
    lines = ["## Potential violations", "", _m(VIOLATIONS_NOTE if r.detailed else f"{VIOLATIONS_NOTE} {ROWS_NOTE}"),
             ""]
    for g in r.violations:
        lines += [f"### {_m(_group_title(g))}", "", *_md_sections(g.incidents, r)]
    return lines


def _md_sections(sections: Sequence[IncidentSection], r: ComplianceReport) -> list[str]:
    if r.detailed:
        parties = dict(r.parties)
        return [line for s in sections for line in _md_incident(s, parties)]
    rows = [[str(s.number), _m(s.dates), f"{_m(s.place)} ({_m(s.incident_id)})", _m(s.event_type), _m(s.deaths),
             _m(s.evidence), "<br>".join(_md_claim(c) for row in s.claims for cell in row.cells for c in cell) or "—"]
            for s in sections]
    return _md_table(["#", "Dates", "Place", "Type", "Deaths", "Evidence", "What the parties say"], rows)


def _md_boundary(r: ComplianceReport) -> list[str]:
    if not r.boundary:
        return []
    rows = [[str(s.number), _m(s.dates), _m(s.place), _m(s.accused), _m(s.reason)] for s in r.boundary]
    detail = [line for s in r.boundary for line in _md_incident(s, dict(r.parties))] if r.detailed else []
    return ["## Boundary cases", "", *_md_table(["#", "Dates", "Place", "Accused", "Why uncertain"], rows), *detail]


def _md_annex(r: ComplianceReport) -> list[str]:
    if not r.annex:
        return []
    rows = [[str(a.number), _m(a.dates), _m(a.place), _m(a.event_type), _m(STATUS_WORDS.get(a.status, a.status)),
             _m(a.deaths)] for a in r.annex]
    return ["## Annex: other incidents in the window", "",
            *_md_table(["#", "Dates", "Place", "Type", "Window", "Deaths"], rows)]


def _md_incident(s: IncidentSection, parties: Mapping[str, str]) -> list[str]:
    lines = [f"#### {s.number}. {_m(s.place)}, {_m(s.dates)} ({_m(STATUS_WORDS.get(s.status, s.status))})", "",
             f"- **Incident:** {_m(s.incident_id)}", f"- **Type:** {_m(s.event_type)}",
             f"- **Accused:** {_m(s.accused)}", f"- **Accusers:** {_m(s.accusers)}",
             f"- **Evidence:** {_m(s.evidence)}", f"- **Commitments:** {_m(s.commitments)}",
             f"- **Deaths:** {_m(s.deaths)}",
             f"- **Assessment:** {_m(s.reason)}", *(f"- **Contested:** {_m(reason)}" for reason in s.contested), ""]
    parts = [("Claims side by side", _md_claims(s, parties)), ("Figures by claimant", _md_figures_of(s)),
             ("Estimates", _md_estimates(s)), ("Reports", _md_sources(s) if s.sources else [])]
    return [*lines, *(line for title, body in parts if body for line in (f"**{title}**", "", *body))]


def _md_claims(s: IncidentSection, parties: Mapping[str, str]) -> list[str]:
    if not s.claims:
        return []
    rows = [[row.made_on.isoformat()] + ["<br>".join(_md_claim(c) for c in cell) or " " for cell in row.cells]
            for row in s.claims]
    return _md_table(["Made on"] + [_m(_column_heading(c, parties)) for c in s.columns], rows)


def _md_claim(c: ClaimLine) -> str:
    return (f"**{_m(c.party)} {_m(c.stance)}** ({_m(_about(c))}): “{_m(c.quote)}” — {_m(c.speaker)}, "
            f"{c.made_on.isoformat()}, report {_m(c.report_id)}, sentence {c.sentence} ({_m(c.outlet)})")


def _md_figures_of(s: IncidentSection) -> list[str]:
    if not s.figures:
        return []
    rows = [[_m(f.claimant), _m(f.number), _m(f.victims), f"“{_m(f.quote)}”",
             _m(f"{f.outlet}, {f.published.isoformat()}, report {f.report_id}")] for f in s.figures]
    return _md_table(["Claimant", "Deaths", "Who died", "Words", "Source"], rows)


def _md_estimates(s: IncidentSection) -> list[str]:
    if not s.estimates:
        return []
    rows = [[_m(e.victims), str(e.low), str(e.best), str(e.high) if e.high is not None else "open", _m(e.basis)]
            for e in s.estimates]
    return _md_table(["Who died", "Low", "Best", "High", "Basis"], rows)


def _md_sources(s: IncidentSection) -> list[str]:
    rows = [[x.published.isoformat(), _m(x.outlet), _m(x.report_id) + (f" (same story as {_m(x.copy_of)})"
                                                                        if x.copy_of else ""),
             _m(x.url or "—"), f"`{_m(x.sha256)}`"] for x in s.sources]
    return _md_table(["Published", "Outlet", "Report", "URL", "SHA-256"], rows)
