"""The record's pages: the map of incidents, the timeline, one incident with every account side by side (and the
monitors' merge, split and pin forms), one report with its text sentence by sentence (the claims link to their
sentences), and the agreements with their compliance summary.

Every page reads what the API reads, through the same rules: each route declares its access, and each object it
shows is checked again (`require(..., hide=...)`: what the caller may not see is "not found"). The map page is a
shell: its script (static/map.js) draws the points of /api/v1/map over the outlines of /api/v1/boundaries.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trucewatch import jobs
from trucewatch.casework.access import Resource, decide, visible_parties
from trucewatch.conflict import Conflict
from trucewatch.errors import IncidentError
from trucewatch.jobs.record_views import (
    EVENT_TYPES,
    SOURCES_PER_PAGE,
    RecordContext,
    activity,
    agreement_record,
    grouped_sources,
    legend,
)
from trucewatch.publish.charts import Band, BarSeries, activity_svg
from trucewatch.publish.report import (
    OTHERS,
    claim_rows,
    figure_lines,
    unattributed_summary,
    window_text,
)
from trucewatch.records import Agreement, Complaint, Finding, Incident, Override, Window
from trucewatch.storage import Database
from trucewatch.storage.views import date_span
from trucewatch.storage.workplace import EventFilter, PageQuery
from trucewatch.web.api import author_of, record_context
from trucewatch.web.error_envelope import status_of
from trucewatch.web.guard import (
    GuardedRoute,
    fetch_readable,
    guard,
    identity_of,
    not_found,
    require,
)
from trucewatch.web.inputs import DateFrom, DateTo
from trucewatch.web.pages import incident_labels, render
from trucewatch.web.state import DB

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
MAP_FILTERS = ("from", "to", "type", "party", "agreement", "window")
TIMELINE_DAYS = 60  # the timeline shows the last 60 days of the record unless asked otherwise
TIMELINE_MAX_DAYS = 3 * 366
WINDOW_MARGIN = timedelta(days=7)  # days shown before and after a chosen agreement's window
DONE = ("merged", "split", "pinned")  # what an incident page may say was just done (nothing else is echoed)
REPORT_EVENTS = 200  # events listed on a report's page
INCIDENT_COMPLAINTS = 50  # complaints about an incident listed on its page
AGREEMENT_ROWS = 50  # incidents listed per page of an agreement's page (and boundary cases shown before "more")


def _conflict(request: Request) -> Conflict:
    return request.app.state.web.conflict


# --- the map ---------------------------------------------------------------------------------------------------


@router.get("/map", response_class=HTMLResponse, openapi_extra=guard("incident", "list"))
def map_page(request: Request, db: DB) -> HTMLResponse:
    """The map of incidents: the filter form, the map (drawn by static/map.js from /api/v1/map) and its legend."""
    chosen = {k: v for k in MAP_FILTERS if (v := request.query_params.get(k, "").strip())}
    area = _conflict(request).map
    return HTMLResponse(render(request, "map.html", chosen=chosen, points_url=f"/api/v1/map?{urlencode(chosen)}",
                               filters_query=urlencode(chosen),
                               agreements=jobs.agreements.list_agreements(db), legend=legend(),
                               sides=_conflict(request).filter_sides, types=EVENT_TYPES, area=area,
                               area_json=_area_json(area.extent), fills_json=json.dumps(dict(area.fills))))


def _area_json(extent: tuple[float, float, float, float] | None) -> str:
    """The map's first view as Leaflet bounds, [[south, west], [north, east]]; empty: fit the incidents."""
    if extent is None:
        return ""
    lon0, lon1, lat0, lat1 = extent
    return json.dumps([[lat0, lon0], [lat1, lon1]])


# --- the timeline ----------------------------------------------------------------------------------------------


@router.get("/timeline", response_class=HTMLResponse, openapi_extra=guard("incident", "list"))
def timeline_page(request: Request, db: DB, date_from: DateFrom = None,
                  date_to: DateTo = None,
                  agreement: Annotated[str | None, Query(max_length=200)] = None) -> HTMLResponse:
    """Incidents and deaths per day and party, the agreements' windows shaded (an SVG drawn on the server)."""
    context = record_context(request, db)
    agreement = agreement or None
    chosen = context.agreement(agreement) if agreement else None
    if agreement and chosen is None:
        raise not_found(f"agreement {agreement!r}")
    first, last, note = _span(context, chosen[1] if chosen else None, chosen[0] if chosen else None, date_from,
                              date_to)
    found = activity(context, first, last, agreement)
    zeros = tuple(0 for _ in found.bins)
    names = {s.label: series_name(s.label, agreement) for s in found.series}
    svg = activity_svg(found.bins, found.unit, [BarSeries(s.label, s.incidents, zeros) for s in found.series],
                       [BarSeries(s.label, s.deaths, zeros) for s in found.series],
                       [Band(s.label, s.start, s.end, s.chosen) for s in found.shades], legend=names)
    totals = [(s.label, names[s.label], sum(s.incidents), sum(s.deaths)) for s in found.series]
    return HTMLResponse(render(request, "timeline.html", svg=svg, activity=found, first=first, last=last, note=note,
                               totals=totals, agreements=context.agreements, chosen=agreement,
                               sides=context.conflict.side_names))


def series_name(label: str, agreement: str | None) -> str:
    """What a timeline series counts, in words, for its legend and totals: by side, incidents whose first actor (the
    perpetrator, as ACLED codes it) is of that side; under an agreement, incidents in which that party alone is
    accused, those in which several are, and those in which none is: each incident once."""
    if agreement:
        return {"not attributed": "incidents not attributed to a party",
                "several parties accused": "incidents in which several parties are accused"}.get(
            label, f"incidents attributed to {label} alone")
    if label == "unidentified":
        return "incidents with an unidentified perpetrator"
    if label == "others":
        return "incidents with another side's actor as perpetrator"
    return f"incidents with a {label} actor as perpetrator"


def _span(context: RecordContext, window: Window | None, agreement: Agreement | None, date_from: date | None,
          date_to: date | None) -> tuple[date, date, str]:
    """The days to show: those asked for; else a chosen agreement's window with a week either side; else the last
    TIMELINE_DAYS days of the record (from a week before its first incident, if that is later). At most
    TIMELINE_MAX_DAYS."""
    earliest, latest = date_span(context.engine)
    latest = latest or date.today()
    if agreement is not None and window is not None:
        tz = ZoneInfo(agreement.tz)
        start = window.start.astimezone(tz).date()
        end = (window.end - timedelta(microseconds=1)).astimezone(tz).date() if window.end else max(latest, start)
        default_from, default_to = start - WINDOW_MARGIN, end + WINDOW_MARGIN
    else:
        default_to = latest
        default_from = max(latest - timedelta(days=TIMELINE_DAYS - 1), (earliest or latest) - WINDOW_MARGIN)
    last = date_to or (default_to if date_from is None else max(default_to, date_from))
    first = date_from or min(default_from, last)
    if first > last:
        first, last = last, first
    note = ""
    if (last - first).days >= TIMELINE_MAX_DAYS:
        first = last - timedelta(days=TIMELINE_MAX_DAYS - 1)
        note = f"Shown: the last {TIMELINE_MAX_DAYS} days of the span asked for."
    return first, last, note


# --- one incident ----------------------------------------------------------------------------------------------


@router.get("/incidents/{incident_id}", response_class=HTMLResponse, openapi_extra=guard("incident", "list"))
def incident_page(request: Request, db: DB, incident_id: str, done: str = "",
                  sources_page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> HTMLResponse:
    """One incident: its facts, the claims of each party side by side (all of them), every figure with its source,
    the reports with links and SHA-256 (SOURCES_PER_PAGE stories a page, syndicated copies folded under the first
    report of their story), the assessment against each agreement, and (for monitors) the override forms."""
    return _incident_page(request, db, incident_id, done=done if done in DONE else "", sources_page=sources_page)


def _incident_page(request: Request, db: Database, incident_id: str, *, done: str = "", error: str = "",
                   status: int = 200, sources_page: int = 1) -> HTMLResponse:
    incident = _incident(request, db, incident_id)
    identity = identity_of(request)
    conflict = _conflict(request)
    compliance = jobs.agreements.incident_compliance(db, incident, conflict) \
        if decide(identity, "read", Resource("compliance")) else []
    parties = conflict.party_codes
    columns = parties + ((OTHERS,) if any(c.party not in parties for c in incident.claims) else ())
    stories = grouped_sources(incident)
    pages = max(1, -(-len(stories) // SOURCES_PER_PAGE))
    shown = stories[(sources_page - 1) * SOURCES_PER_PAGE:sources_page * SOURCES_PER_PAGE]
    reports = db.reports.reports(g.lead.report_id for g in shown)  # one query for the page's titles
    return HTMLResponse(render(
        request, "incident.html", incident=incident, columns=columns, claims=claim_rows(incident.claims, columns),
        figures=figure_lines(incident.figures), reports=reports, compliance=compliance, sides=conflict.side_names,
        stories=shown, stories_total=len(stories), sources_page=sources_page, sources_pages=pages,
        first_story=(sources_page - 1) * SOURCES_PER_PAGE + 1, done=done, error=error,
        can_override=decide(identity, "create", Resource("override")),
        can_file=decide(identity, "create", Resource("complaint", party=identity.party)),
        findings=readable_findings(request, db, lambda f: incident_id in f.incident_ids),
        complaints=_complaints_on(request, db, incident_id)), status_code=status)


def readable_findings(request: Request, db: Database, wanted: Callable[[Finding], bool]) -> list[Finding]:
    """The findings the visitor may read (published ones; drafts too for monitors and admins) that are `wanted`,
    newest first; a version superseded by one they may read is left out."""
    identity = identity_of(request)
    found = [f for f in db.cases.findings() if wanted(f)
             and decide(identity, "read", Resource("finding", published=f.published))]
    shown = {f.finding_id for f in found}
    return [f for f in found if f.superseded_by not in shown]


def _complaints_on(request: Request, db: Database, incident_id: str) -> list[Complaint]:
    """The complaints about the incident that the visitor may read."""
    identity = identity_of(request)
    if not decide(identity, "list", Resource("complaint")):
        return []
    page = db.workplace.complaint_page(visible_parties(identity, "complaint"),
                                       PageQuery("filed", True, None, INCIDENT_COMPLAINTS), incident_id=incident_id)
    return [c for c in page if decide(identity, "read", Resource("complaint", party=c.party))]


def _incident(request: Request, db: Database, incident_id: str) -> Incident:
    return fetch_readable(identity_of(request), "incident", f"incident {incident_id!r}",
                          lambda: jobs.incidents.get_incident(db, incident_id, _conflict(request)),
                          missing="TW-E305")


@router.post("/incidents/{incident_id}/merge", openapi_extra=guard("override", "create"))
def merge_form(request: Request, db: DB, incident_id: str, absorb: Annotated[str, Form(max_length=200)] = "",
               note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Merge incident `absorb` into this one, from the incident page's form."""
    by, conflict = author_of(identity_of(request)), _conflict(request)
    return _overridden(request, db, incident_id, "merged", lambda: jobs.incidents.merge_incidents(
        db, incident_id, absorb.strip(), by, note.strip(), conflict))


@router.post("/events/{event_id}/split", openapi_extra=guard("override", "create"))
def split_form(request: Request, db: DB, event_id: str, note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Split an event out of its incident, from the incident page's form."""
    by, conflict = author_of(identity_of(request)), _conflict(request)
    return _overridden(request, db, _incident_of(db, event_id), "split",
                       lambda: jobs.incidents.split_event(db, event_id, by, note.strip(), conflict))


@router.post("/events/{event_id}/pin", openapi_extra=guard("override", "create"))
def pin_form(request: Request, db: DB, event_id: str, incident_id: Annotated[str, Form(max_length=200)] = "",
             note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Pin an event to an incident, from the incident page's form."""
    by, conflict = author_of(identity_of(request)), _conflict(request)
    return _overridden(request, db, _incident_of(db, event_id), "pinned",
                       lambda: jobs.incidents.pin_event(db, event_id, incident_id.strip(), by, note.strip(), conflict))


def _incident_of(db: Database, event_id: str) -> str:
    try:
        found = jobs.incidents.incident_of_event(db, event_id)
    except IncidentError:
        raise not_found(f"event {event_id!r}") from None
    if found is None:
        raise not_found(f"event {event_id!r}")
    return found


def _overridden(request: Request, db: Database, incident_id: str, done: str,
                action: Callable[[], Override]) -> Response:
    """Run an override job; then to the incident the event is in now, or back to the page with what went wrong."""
    _incident(request, db, incident_id)
    try:
        made = action()
    except IncidentError as err:
        message = str(err).removeprefix(f"{err.code}: ")
        return _incident_page(request, db, incident_id, error=f"{message} ({err.code})", status=status_of(err))
    now = jobs.incidents.incident_of_event(db, made.target_event_id or made.event_id) or incident_id
    return RedirectResponse(f"/incidents/{now}?{urlencode({'done': done})}", status_code=303)


# --- one report ------------------------------------------------------------------------------------------------


@router.get("/reports/{report_id}", response_class=HTMLResponse, openapi_extra=guard("report", "list"))
def report_page(request: Request, db: DB, report_id: str) -> HTMLResponse:
    """One report: its metadata and events with their incidents; and, for those who may read report text, the text
    sentence by sentence, each with its anchor (`#s-N`, counted from 1) that the claims shown elsewhere link to."""
    identity = identity_of(request)
    what = f"report {report_id!r}"
    found = db.workplace.report(report_id)
    if found is None:
        raise not_found(what)
    require(identity, "read", Resource("report"), hide=what)
    with_text = decide(identity, "read", Resource("report_text"))
    page = db.workplace.event_page(EventFilter(report_id=report_id), PageQuery("date", limit=REPORT_EVENTS))
    events = [e for e in page if decide(identity, "read", Resource("event"))]
    return HTMLResponse(render(request, "report.html", report=found, events=events, with_text=with_text,
                               pieces=jobs.incidents.text_pieces(found.text) if with_text else []))


# --- agreements ------------------------------------------------------------------------------------------------


@router.get("/agreements", response_class=HTMLResponse, openapi_extra=guard("agreement", "list"))
def agreements_page(request: Request, db: DB) -> HTMLResponse:
    """Every agreement, with its window in its own zone and in UTC."""
    identity = identity_of(request)
    agreements = [a for a in jobs.agreements.list_agreements(db) if decide(identity, "read", Resource("agreement"))]
    rows = [(a, _windows(db, a, _conflict(request))) for a in agreements]
    return HTMLResponse(render(request, "agreements.html", rows=rows))


@router.get("/agreements/{agreement_id}", response_class=HTMLResponse, openapi_extra=guard("agreement", "list"))
def agreement_page(request: Request, db: DB, agreement_id: str,
                   page: Annotated[int, Query(ge=1, le=100_000, description="the page of its incidents")] = 1
                   ) -> HTMLResponse:
    """One agreement: its window, parties and commitments, and the compliance summary per party; its incidents
    inside the window or on a boundary AGREEMENT_ROWS at a time (`page`), so that the page stays short."""
    context = record_context(request, db)
    identity = identity_of(request)
    what = f"agreement {agreement_id!r}"
    found = context.agreement(agreement_id)
    if found is None:
        raise not_found(what)
    require(identity, "read", Resource("agreement"), hide=what)
    agreement = found[0]
    shown: dict[str, Any] = {"record": None}
    if decide(identity, "read", Resource("compliance")):
        record = agreement_record(context, agreement_id)
        summary = jobs.agreements.compliance_summary(record.assessments, agreement)
        pages = max(1, -(-len(record.assessments) // AGREEMENT_ROWS))
        page = min(page, pages)
        shown = {"record": record, "summary": [*summary.parties, unattributed_summary(record.assessments)],
                 "violations": summary.violations, "boundary": summary.boundary[:AGREEMENT_ROWS],
                 "boundary_more": max(0, len(summary.boundary) - AGREEMENT_ROWS),
                 "violation_ids": {a.incident_id for a in summary.violations}, "page": page, "pages": pages,
                 "rows": record.assessments[(page - 1) * AGREEMENT_ROWS:page * AGREEMENT_ROWS],
                 "first_row": (page - 1) * AGREEMENT_ROWS + 1}
    findings = readable_findings(request, db, lambda f: f.agreement_id == agreement_id)
    return HTMLResponse(render(request, "agreement.html", agreement=agreement,
                               windows=_windows(db, agreement, context.conflict), findings=findings,
                               incident_labels=incident_labels(db, (i for f in findings for i in f.incident_ids)),
                               staff=decide(identity, "read", Resource("finding", published=False)), **shown))


def _windows(db: Database, agreement: Agreement, conflict: Conflict) -> tuple[str, str]:
    """The window in force, in the agreement's zone and in UTC."""
    window = jobs.agreements.window_in_force(db, agreement)
    return window_text(window, agreement.tz, conflict.zone_names), window_text(window, "UTC")
