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
    daily_counts,
    party_summary,
    status_counts,
    window_of,
    zone_name,
)
from trucewatch.publish.charts import BarSeries, MapPoint, map_svg, on_map, timeline_svg
from trucewatch.publish.export import STANCE_WORDS, speaker_of
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
    database: str
    counts: Mapping[str, int]  # incidents assessed per window status
    summary: tuple[PartySummary, ...]
    unattributed: PartySummary  # violent incidents inside the window or on its boundary that no one is accused of
    days: tuple[date, ...]
    series: tuple[BarSeries, ...]
    window_start: date  # local days, for the timeline's lines
    window_end: date | None
    points: tuple[MapPoint, ...]
    boundary: tuple[IncidentSection, ...]
    incidents: tuple[IncidentSection, ...]
    area: MapFrame = field(default_factory=MapFrame)  # the conflict's area, as the map shows it
    findings: tuple[FindingLine, ...] = ()  # published findings under the agreement, newest first


# --- building it -----------------------------------------------------------------------------------------------


def build_report(agreement: Agreement, assessments: Sequence[Assessment], incidents: Mapping[str, Incident], *,
                 window: Window | None = None, date_from: date | None = None, date_to: date | None = None,
                 database: str = "", generated_at: datetime | None = None, area: MapFrame | None = None,
                 zone_names: Mapping[str, str] | None = None, findings: Sequence[Finding] = ()) -> ComplianceReport:
    """The report of `agreement` from its assessments and the full records of the incidents inside the window or on
    its boundary (`incidents`, by id; others are not needed). `window` is the window in force (`window_of`: an
    agreement that supersedes this one may end it early); by default the agreement's own. `area` and `zone_names`
    are the conflict's map frame and zone abbreviations (`Conflict.map`, `.zone_names`; default: the shipped
    data's). `findings`: the agreement's published findings (the latest version of each), listed with links."""
    if area is None:
        from trucewatch.conflict import shipped_conflict  # noqa: PLC0415

        area = shipped_conflict().map
    window = window or window_of(agreement)
    codes = tuple(p.code for p in agreement.parties)
    shown = sorted((a for a in assessments if a.window_status in ("inside", "uncertain")),
                   key=lambda a: (a.first_date or date.max, a.incident_id))
    sections = tuple(_section(n, a, incidents.get(a.incident_id), codes) for n, a in enumerate(shown, 1))
    numbers = {s.incident_id: s.number for s in sections}
    days, series = timeline_series(assessments, agreement, date_from, date_to)
    return ComplianceReport(
        agreement_id=agreement.agreement_id, name=agreement.name, kind=agreement.kind,
        tz=agreement.tz, window_local=window_text(window, agreement.tz, zone_names),
        window_utc=window_text(window, "UTC"),
        parties=tuple((p.code, p.name) for p in agreement.parties),
        guarantors=tuple(p.name for p in agreement.guarantors), mediators=tuple(p.name for p in agreement.mediators),
        commitments=tuple((c.commitment_id, c.text) for c in agreement.commitments),
        period=_period(assessments, date_from, date_to), generated_at=generated_at or datetime.now(UTC),
        database=database, counts=status_counts(assessments),
        summary=tuple(party_summary(assessments, agreement)), unattributed=unattributed_summary(assessments),
        days=days, series=series, window_start=_local_day(window.start, agreement.tz),
        window_end=_local_day(window.end - timedelta(microseconds=1), agreement.tz) if window.end else None,
        points=tuple(p for a in assessments if (p := _point(a, numbers.get(a.incident_id))) is not None),
        boundary=tuple(s for s in sections if s.status == "uncertain"), incidents=sections, area=area,
        findings=tuple(_finding_line(f, {s.incident_id: s for s in sections}) for f in findings
                       if f.agreement_id == agreement.agreement_id and f.published_at))


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
    """The parties' potential violations per day as `daily_counts` counts them, then the unattributed incidents
    counted the same way (on their first day, an incident across the window's start on its first day), on the days
    from the window's first to its last (an open window: to the last incident counted), within `date_from` and
    `date_to` when given. A series per party that has any, and one of the unattributed if there are any."""
    daily = daily_counts(assessments, agreement)
    if not daily:
        return (), ()
    first, last = daily[0].day, daily[-1].day
    window = window_of(agreement)
    loose: dict[date, list[Assessment]] = defaultdict(list)
    for a in (a for a in assessments if unattributed(a)):
        day = max(a.first_date or first, first)
        loose[day if window.end is None else min(day, last)].append(a)
    last = max([last, *loose])
    days = tuple(d for d in (first + timedelta(n) for n in range((last - first).days + 1))
                 if (date_from is None or d >= date_from) and (date_to is None or d <= date_to))
    series = []
    for party in (p.code for p in agreement.parties):
        own = {c.day: c for c in daily if c.party == party}
        counts = tuple(own[d].count if d in own else 0 for d in days)
        if any(counts):
            series.append(BarSeries(party, counts, tuple(own[d].uncertain if d in own else 0 for d in days)))
    if any(loose.get(d) for d in days):
        series.append(BarSeries(UNATTRIBUTED, tuple(len(loose.get(d, ())) for d in days),
                                tuple(sum(a.window_status == "uncertain" for a in loose.get(d, ())) for d in days)))
    return days, tuple(series)


def _section(number: int, a: Assessment, incident: Incident | None, codes: tuple[str, ...]) -> IncidentSection:
    claims = incident.claims if incident else ()
    columns = codes + ((OTHERS,) if any(c.party not in codes for c in claims) else ())
    return IncidentSection(
        number=number, incident_id=a.incident_id, status=a.window_status, reason=a.reason,
        dates=_dates(a.first_date, a.last_date), place=_place(a), event_type=_event_type(a),
        accused=", ".join(a.accused) or NOT_ATTRIBUTED, accusers=", ".join(a.accusers) or "none recorded",
        evidence=a.evidence_state, commitments=", ".join(a.commitments) or "none named",
        fatalities_best=a.fatalities_best, contested=incident.reasons if incident and incident.contested else (),
        columns=columns, claims=claim_rows(claims, columns),
        figures=figure_lines(incident.figures) if incident else (),
        estimates=incident.estimates if incident else (),
        sources=tuple(_source_line(s) for s in sorted(incident.sources, key=lambda s: (s.published, s.report_id)))
        if incident else ())


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
        whole_sentence=not c.claim.content.strip())


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


def _period(assessments: Sequence[Assessment], date_from: date | None, date_to: date | None) -> str:
    dated = [d for a in assessments for d in (a.first_date, a.last_date) if d is not None]
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
    body = "\n".join([
        _html_title(report), _html_summary(report), _html_findings(report),
        _html_figure("timeline", figures, _timeline_caption(report)),
        _html_figure("map", figures, _map_caption(report)), _html_boundary(report), _html_incidents(report),
        _html_method(),
    ])
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
        ("Database", _e(r.database or "?")),
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
            + f'\n<p class="note">{_e(SUMMARY_NOTE)}</p>\n'
            + (f'<h3>Commitments</h3>\n<ul class="commitments">{commitments}</ul>\n' if commitments else "")
            + "</section>")


def _html_findings(r: ComplianceReport) -> str:
    """The published findings under the agreement, each linked to its page on the workplace."""
    if not r.findings:
        return ('<section class="findings">\n<h2>Findings</h2>\n<p class="none">No finding of the guarantors '
                "published under this agreement yet.</p>\n</section>")
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
    return (f"Potential violations per day by accused party, and violent incidents not attributed (grey); hatched: "
            f"boundary cases, counted on the window's first day when they began before it. An incident that accuses "
            f"both parties counts for each. Dashed line: the window's first day, {r.window_start.isoformat()} "
            f"({r.tz}){end}.")


def _map_caption(r: ComplianceReport) -> str:
    shown = [p for p in r.points if on_map(p, r.area)]
    away = [p for p in r.points if not on_map(p, r.area)]
    total = sum(r.counts.values())
    unplaced = total - len(r.points)
    numbers = [p.label for p in away if p.label]
    notes = [f"{unplaced} without a place" if unplaced else "",
             f"{len(away)} outside the area shown" + (f", among them {_and(numbers)}" if numbers else "")
             if away else ""]
    left_out = "; ".join(n for n in notes if n)
    credit = f" Province outlines: {r.area.credit}." if r.area.features and r.area.credit else ""
    return (f"{len(shown)} of the {total} incidents assessed" + (f" ({left_out})" if left_out else "")
            + f". Colour: window status; area: best estimate of deaths; numbers: the incidents below.{credit}")


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _html_figure(name: str, figures: Mapping[str, str], caption: str) -> str:
    title = {"timeline": "Timeline", "map": "Map of incidents"}[name]
    svg = _prefixed(figures[name], name) if name in figures else "<p>(no figure)</p>"
    return (f'<section class="figure {name}">\n<h2>{title}</h2>\n<figure>\n{svg}\n'
            f"<figcaption>{_e(caption)}</figcaption>\n</figure>\n</section>")


def _html_boundary(r: ComplianceReport) -> str:
    if not r.boundary:
        return '<section class="boundary">\n<h2>Boundary cases</h2>\n<p>None: every incident is clearly inside or ' \
               "outside the window.</p>\n</section>"
    rows = [[f'<a href="#{_e(s.incident_id)}">{s.number}</a>', _e(s.dates), _e(s.place), _e(s.accused),
             _e(s.reason)] for s in r.boundary]
    return ('<section class="boundary">\n<h2>Boundary cases</h2>\n<p class="note">Incidents whose place in the '
            "window is uncertain, and why. They are not counted as potential violations.</p>\n"
            + _table(["#", "Dates", "Place", "Accused", "Why uncertain"], rows, "boundary",
                     ("5%", "14%", "24%", "12%", "45%"))
            + "\n</section>")


def _html_incidents(r: ComplianceReport) -> str:
    parties = dict(r.parties)
    articles = "\n".join(_html_incident(s, parties) for s in r.incidents) or "<p>No incidents inside the window " \
                                                                             "or on its boundary.</p>"
    return f'<section class="incidents">\n<h2>Incidents, every account side by side</h2>\n{articles}\n</section>'


def _html_incident(s: IncidentSection, parties: Mapping[str, str]) -> str:
    status = f'<span class="status {s.status}">{_e(STATUS_WORDS.get(s.status, s.status))}</span>'
    facts = [("Incident", _e(s.incident_id)), ("Type", _e(s.event_type)),
             ("Accused", f'<i>{_e(s.accused)}</i>' if s.accused == NOT_ATTRIBUTED else _e(s.accused)),
             ("Accusers", _e(s.accusers)), ("Evidence", _e(s.evidence)), ("Commitments", _e(s.commitments)),
             ("Deaths (best)", _e(s.fatalities_best if s.fatalities_best is not None else "no figure")),
             ("Assessment", _e(s.reason))]
    facts += [("Contested", "<br>".join(_e(reason) for reason in s.contested))] if s.contested else []
    rows = "\n".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in facts)
    return (f'<article class="incident" id="{_e(s.incident_id)}">\n'
            f"<h3>{s.number}. {_e(s.place)}, {_e(s.dates)} {status}</h3>\n"
            f'<table class="facts">\n{rows}\n</table>\n'
            f"<h4>Claims side by side</h4>\n{_html_claims(s, parties)}\n"
            f"<h4>Figures by claimant</h4>\n{_html_figures(s)}\n"
            f"<h4>Estimates</h4>\n{_html_estimates(s)}\n"
            f"<h4>Reports</h4>\n{_html_sources(s)}\n</article>")


def _html_claims(s: IncidentSection, parties: Mapping[str, str]) -> str:
    if not s.claims:
        return '<p class="none">No claims recorded in the reports.</p>'
    head = ["Made on"] + [_column_heading(c, parties) for c in s.columns]
    rows = [[_e(row.made_on.isoformat())] + ["".join(_html_claim(c) for c in cell) for cell in row.cells]
            for row in s.claims]
    share = f"{88 / len(s.columns):.1f}%"
    return _table(head, rows, f"claims cols-{len(s.columns)}", ["12%"] + [share] * len(s.columns))


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
            f'{_e(c.stance.split()[-1])}">{_e(c.party)} {_e(c.stance)}</span> ({_e(c.about)}): '
            f"<q{sentence}>{_e(c.quote)}</q> <cite>— <span title=\"{_e(c.claimant)}\">{_e(c.speaker)}</span>, "
            f"{c.made_on.isoformat()}, {where} ({_e(c.outlet)})</cite></div>")


def _html_figures(s: IncidentSection) -> str:
    if not s.figures:
        return '<p class="none">No death figures in the reports.</p>'
    rows = [[_e(f.claimant), _e(f.number), _e(f.victims), f"<q>{_e(f.quote)}</q>",
             _e(f"{f.outlet}, {f.published.isoformat()}, report {f.report_id}")] for f in s.figures]
    return _table(["Claimant", "Deaths", "Who died", "Words", "Source"], rows, "figures",
                  ("23%", "11%", "12%", "25%", "29%"))


def _html_estimates(s: IncidentSection) -> str:
    if not s.estimates:
        return '<p class="none">No estimates (no figures).</p>'
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
    return "\n".join([*_md_title(report), *_md_summary(report), *_md_findings(report),
                      *_md_figures(report, figure_files),
                      *_md_boundary(report), *_md_incidents(report), "## How to read this report", "",
                      *[f"{_m(p)}\n" for p in METHOD]])


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def _m(value: object) -> str:
    """Text safe inside markdown (and a table cell): markup characters escaped, HTML neutralised, one line."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_findings(r: ComplianceReport) -> list[str]:
    if not r.findings:
        return ["## Findings", "", "No finding of the guarantors published under this agreement yet.", ""]
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
            f"- **Generated:** {r.generated_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
            f"- **Database:** {_m(r.database or '?')}", "", f"**{_m(_totals(r))}**", "", _m(CAVEAT), ""]


def _md_summary(r: ComplianceReport) -> list[str]:
    rows = [[f"**{_m(p.party)}** {_m(p.name)}" if p.party else f"*{_m(p.name)}*",
             *(_m(c) for c in _summary_cells(p))] for p in (*r.summary, r.unattributed)]
    lines = ["## Summary by party", "", *_md_table(SUMMARY_HEAD, rows), _m(SUMMARY_NOTE), ""]
    if r.commitments:
        lines += ["### Commitments", "", *(f"- **{_m(cid)}** {_m(text)}" for cid, text in r.commitments), ""]
    return lines


def _md_figures(r: ComplianceReport, files: Mapping[str, str]) -> list[str]:
    lines = [f"The figures are SVG files beside this one: {', '.join(f'`{f}`' for f in files.values())}.", ""]
    for name, title, caption in (("timeline", "Timeline", _timeline_caption(r)),
                                 ("map", "Map of incidents", _map_caption(r))):
        lines += [f"## {title}", "", f"![{title}]({files[name]})", "", f"*{_m(caption)}*", ""]
    return lines


def _md_boundary(r: ComplianceReport) -> list[str]:
    if not r.boundary:
        return ["## Boundary cases", "", "None: every incident is clearly inside or outside the window.", ""]
    rows = [[str(s.number), _m(s.dates), _m(s.place), _m(s.accused), _m(s.reason)] for s in r.boundary]
    return ["## Boundary cases", "", *_md_table(["#", "Dates", "Place", "Accused", "Why uncertain"], rows)]


def _md_incidents(r: ComplianceReport) -> list[str]:
    parties = dict(r.parties)
    lines = ["## Incidents, every account side by side", ""]
    for s in r.incidents:
        lines += _md_incident(s, parties)
    return lines if r.incidents else [*lines, "No incidents inside the window or on its boundary.", ""]


def _md_incident(s: IncidentSection, parties: Mapping[str, str]) -> list[str]:
    lines = [f"### {s.number}. {_m(s.place)}, {_m(s.dates)} ({_m(STATUS_WORDS.get(s.status, s.status))})", "",
             f"- **Incident:** {_m(s.incident_id)}", f"- **Type:** {_m(s.event_type)}",
             f"- **Accused:** {_m(s.accused)}", f"- **Accusers:** {_m(s.accusers)}",
             f"- **Evidence:** {_m(s.evidence)}", f"- **Commitments:** {_m(s.commitments)}",
             f"- **Deaths (best):** {s.fatalities_best if s.fatalities_best is not None else 'no figure'}",
             f"- **Assessment:** {_m(s.reason)}", *(f"- **Contested:** {_m(reason)}" for reason in s.contested), ""]
    return [*lines, "#### Claims side by side", "", *_md_claims(s, parties), "#### Figures by claimant", "",
            *_md_figures_of(s), "#### Estimates", "", *_md_estimates(s), "#### Reports", "", *_md_sources(s)]


def _md_claims(s: IncidentSection, parties: Mapping[str, str]) -> list[str]:
    if not s.claims:
        return ["No claims recorded in the reports.", ""]
    rows = [[row.made_on.isoformat()] + ["<br>".join(_md_claim(c) for c in cell) or " " for cell in row.cells]
            for row in s.claims]
    return _md_table(["Made on"] + [_m(_column_heading(c, parties)) for c in s.columns], rows)


def _md_claim(c: ClaimLine) -> str:
    return (f"**{_m(c.party)} {_m(c.stance)}** ({_m(c.about)}): “{_m(c.quote)}” — {_m(c.speaker)}, "
            f"{c.made_on.isoformat()}, report {_m(c.report_id)}, sentence {c.sentence} ({_m(c.outlet)})")


def _md_figures_of(s: IncidentSection) -> list[str]:
    if not s.figures:
        return ["No death figures in the reports.", ""]
    rows = [[_m(f.claimant), _m(f.number), _m(f.victims), f"“{_m(f.quote)}”",
             _m(f"{f.outlet}, {f.published.isoformat()}, report {f.report_id}")] for f in s.figures]
    return _md_table(["Claimant", "Deaths", "Who died", "Words", "Source"], rows)


def _md_estimates(s: IncidentSection) -> list[str]:
    if not s.estimates:
        return ["No estimates (no figures).", ""]
    rows = [[_m(e.victims), str(e.low), str(e.best), str(e.high) if e.high is not None else "open", _m(e.basis)]
            for e in s.estimates]
    return _md_table(["Who died", "Low", "Best", "High", "Basis"], rows)


def _md_sources(s: IncidentSection) -> list[str]:
    rows = [[x.published.isoformat(), _m(x.outlet), _m(x.report_id) + (f" (same story as {_m(x.copy_of)})"
                                                                        if x.copy_of else ""),
             _m(x.url or "—"), f"`{_m(x.sha256)}`"] for x in s.sources]
    return _md_table(["Published", "Outlet", "Report", "URL", "SHA-256"], rows)
