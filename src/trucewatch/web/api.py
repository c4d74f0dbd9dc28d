"""The JSON API under /api/v1: the public record (reports, events, incidents, agreements, compliance, exports),
complaints with their evidence, and monitors' overrides.

Every route declares what it serves (`guard(kind, action)`), and each object it returns is checked again
(`require(..., hide=...)`): what the caller may not see is "not found". Listings are keyset pages with an opaque
cursor (`paging`); every error is the one envelope (`errors`). The work is done by `trucewatch.jobs` and the read
views of the database, which every handler gets from the app (`db: DB`, see `state`).
"""
from __future__ import annotations

import csv
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict, fields, replace
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, TextIO
from urllib.parse import quote, urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from trucewatch import jobs
from trucewatch.casework.access import Identity, Resource, decide, visible_parties
from trucewatch.conflict import Conflict
from trucewatch.errors import IncidentError, WebError
from trucewatch.jobs.casework import Desk, answer_request, file_complaint as file_with_desk
from trucewatch.jobs.map_clusters import CLUSTER_COLUMNS, SINGLE_COLUMNS, map_view
from trucewatch.jobs.map_labels import map_labels_json
from trucewatch.jobs.record_views import (
    MAP_COLUMNS,
    MAP_LIMIT,
    MAX_MAP_LIMIT,
    MapQuery,
    RecordContext,
    grouped_sources,
    legend,
    map_data,
)
from trucewatch.publish.compliance import compliance_record
from trucewatch.publish.export import event_record, spreadsheet_cell
from trucewatch.records import (
    Agreement,
    Complaint,
    Event,
    Evidence,
    Incident,
    IncidentFilter,
    IncidentSummary,
    Override,
    Report,
    Source,
    User,
)
from trucewatch.storage import Database, evidence as evidence_files
from trucewatch.storage.views import Box
from trucewatch.storage.workplace import (
    COMPLAINT_SORTS,
    EVENT_SORTS,
    INCIDENT_SORTS,
    REPORT_SORTS,
    EventFilter,
    WebStore,
    sort_value,
)
from trucewatch.web.assets import boundaries_geojson
from trucewatch.web.guard import (
    GuardedRoute,
    fetch_readable,
    guard,
    identity_of,
    not_found,
    require,
)
from trucewatch.web.inputs import Cursor, DateFrom, DateTo, EventType, Text, sort_parameter
from trucewatch.web.paging import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    decode_cursor,
    encode_cursor,
    page_query,
    page_response,
    parse_sort,
)
from trucewatch.web.state import DB, CaseDesk
from trucewatch.web.streaming import stream_writes


class ErrorBody(BaseModel):
    code: str = Field(examples=["TW-E616"])
    message: str
    details: dict[str, Any] | None = None


class ErrorEnvelope(BaseModel):
    error: ErrorBody


class Page(BaseModel):
    data: list[dict[str, Any]]
    next: str | None = Field(description="the next page's URL, or null on the last page")


class One(BaseModel):
    data: dict[str, Any]


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": text} for status, text in (
        (401, "not signed in, or a bad token"), (403, "signed in, but the role may not"),
        (404, "no such object, or one the caller may not see"), (422, "the request is not valid"),
        (429, "too many requests"))
}
router = APIRouter(prefix="/api/v1", route_class=GuardedRoute, responses=ERRORS)
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorEnvelope, "description": "an override that makes no sense (TW-E308)"}}
TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorEnvelope, "description": "evidence over max_upload_bytes (TW-E619)"}}

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page")]


def _conflict(request: Request) -> Conflict:
    return request.app.state.web.conflict


# --- who am I --------------------------------------------------------------------------------------------------


@router.get("/me", response_model=One, openapi_extra=guard("me", "read"))
def me(request: Request) -> dict[str, Any]:
    """The caller: name, role, and party (liaison officers) or guarantor (monitors)."""
    i = identity_of(request)
    return {"data": {"name": i.name, "role": i.role, "party": i.party, "guarantor": i.guarantor}}


# --- reports ---------------------------------------------------------------------------------------------------


def report_json(r: Report, with_text: bool) -> dict[str, Any]:
    shown = {"report_id": r.report_id, "title": r.title, "outlet": r.outlet, "url": r.url,
             "published": r.published.isoformat(), "published_basis": r.published_basis, "kind": r.kind,
             "media_type": r.media_type, "sha256": r.sha256, "revision_of": r.revision_of,
             "link": f"/api/v1/reports/{r.report_id}"}
    if with_text:
        shown["text"] = r.text
    return shown


@router.get("/reports", response_model=Page, openapi_extra=guard("report", "list"))
def list_reports(request: Request, db: DB, date_from: DateFrom = None, date_to: DateTo = None, outlet: Text = None,
                 kind: Text = None, sort: Annotated[str, sort_parameter(REPORT_SORTS)] = "-published",
                 limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> JSONResponse:
    """Report metadata (no text: read one report for it), newest first by default; sort `published` or
    `-published`."""
    identity = identity_of(request)
    page = page_query(request, sort, REPORT_SORTS, limit, cursor)
    rows = [r for r in db.workplace.report_page(page, date_from=date_from, date_to=date_to, outlet=outlet, kind=kind)
            if decide(identity, "read", Resource("report"))]
    return page_response(request, rows, page, lambda r: (r.published, r.report_id),
                         lambda r: report_json(r, with_text=False))


@router.get("/reports/{report_id}", response_model=One, openapi_extra=guard("report", "list"))
def get_report(request: Request, db: DB, report_id: str) -> dict[str, Any]:
    """One report's metadata, and its text for signed-in users."""
    identity = identity_of(request)
    found = db.workplace.report(report_id)
    what = f"report {report_id!r}"
    if found is None:
        raise not_found(what)
    require(identity, "read", Resource("report"), hide=what)
    return {"data": report_json(found, decide(identity, "read", Resource("report_text")))}


# --- events ----------------------------------------------------------------------------------------------------


def event_json(e: Event) -> dict[str, Any]:
    return {**event_record(e), "link": f"/api/v1/events/{e.event_id}"}


@router.get("/events", response_model=Page, openapi_extra=guard("event", "list"))
def list_events(request: Request, db: DB, date_from: DateFrom = None, date_to: DateTo = None, country: Text = None,
                province: Text = None, event_type: EventType = None, actor: Text = None, incident_id: Text = None,
                report_id: Text = None, sort: Annotated[str, sort_parameter(EVENT_SORTS)] = "date",
                limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> JSONResponse:
    """Coded events (the export's JSON objects), in date order by default; sort `date` or `-date`."""
    identity = identity_of(request)
    page = page_query(request, sort, EVENT_SORTS, limit, cursor)
    filters = EventFilter(date_from, date_to, country, province, event_type, actor, incident_id, report_id)
    rows = [e for e in db.workplace.event_page(filters, page) if decide(identity, "read", Resource("event"))]
    key = EVENT_SORTS["date"]
    return page_response(request, rows, page, lambda e: (sort_value(key, e.event_date, page.descending), e.event_id),
                         event_json)


@router.get("/events/{event_id}", response_model=One, openapi_extra=guard("event", "list"))
def get_event(request: Request, db: DB, event_id: str) -> dict[str, Any]:
    what = f"event {event_id!r}"
    found = db.workplace.event(event_id)
    if found is None:
        raise not_found(what)
    require(identity_of(request), "read", Resource("event"), hide=what)
    return {"data": event_json(found)}


# --- incidents -------------------------------------------------------------------------------------------------


SUMMARY_FIELDS = tuple(f.name for f in fields(IncidentSummary))


def summary_json(s: IncidentSummary) -> dict[str, Any]:
    """One incident's summary as JSON. Written out field by field (flat values: text, numbers, days, times, a tuple
    of reasons) rather than through `asdict` and `jsonable_encoder`, which deep-copy and walk every value: the
    incident list is the busiest read, and this halves its cost (benchmarks/bench_load.py)."""
    shown: dict[str, Any] = {}
    for name in SUMMARY_FIELDS:
        value = getattr(s, name)
        shown[name] = value.isoformat() if isinstance(value, date | datetime) else \
            list(value) if isinstance(value, tuple) else value
    shown["link"] = f"/api/v1/incidents/{s.incident_id}"
    return shown


def record_json(value: Any) -> Any:
    """A record (a dataclass of dataclasses, tuples, text, numbers, days and times) as JSON values, as
    `jsonable_encoder(asdict(value))` gives them, in a tenth of the time: a 300-report incident is thousands of
    values, and the generic encoders deep-copy and inspect each one (180 ms of a 200 ms answer)."""
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [record_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): record_json(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {name: record_json(getattr(value, name)) for name in value.__dataclass_fields__}
    return jsonable_encoder(value)


# The busiest read runs on the event loop, not in a worker thread: one indexed page of a WAL database, which never
# waits on a lock, costs less than handing it to a thread and back (server CPU per request 6.9 -> 4.8 ms, and 64
# threads no longer fight for the interpreter; benchmarks/bench_load.py).
@router.get("/incidents", response_model=Page, openapi_extra=guard("incident", "list"))
async def list_incidents(request: Request, db: DB, date_from: DateFrom = None, date_to: DateTo = None,
                         country: Text = None, province: Text = None, event_type: EventType = None,
                         actor: Text = None, contested: bool | None = None,
                         sort: Annotated[str, sort_parameter(INCIDENT_SORTS)] = "date",
                         limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> JSONResponse:
    """Incident summaries, with the filters of `trucewatch incidents`; sort `date`, `deaths` or `updated` (a `-` in
    front: descending; missing values last)."""
    identity = identity_of(request)
    page = page_query(request, sort, INCIDENT_SORTS, limit, cursor)
    filters = IncidentFilter(date_from, date_to, country, province, event_type, actor, contested)
    rows = [s for s in db.workplace.incident_page(filters, page)
            if decide(identity, "read", Resource("incident"))]
    key, _ = parse_sort(sort, INCIDENT_SORTS)
    column = {"date": "first_date", "deaths": "fatalities_best", "updated": "updated_at"}[key.name]
    return page_response(request, rows, page,
                         lambda s: (sort_value(key, getattr(s, column), page.descending), s.incident_id),
                         summary_json)


@router.get("/incidents/{incident_id}", response_model=One, openapi_extra=guard("incident", "list"))
def get_incident(request: Request, db: DB, incident_id: str, limit: Limit = DEFAULT_LIMIT,
                 sources_cursor: Cursor = None) -> dict[str, Any]:
    """One incident: events, figures by claimant, estimates, claims by party (all of them), overrides, why it is
    contested, and a page of its reports (`sources`: `limit` of them, each story's syndicated copies right after its
    first report, `source_group` naming that report; `sources_next`: the next page's address, null on the last)."""
    incident = fetch_readable(identity_of(request), "incident", f"incident {incident_id!r}",
                              lambda: jobs.incidents.get_incident(db, incident_id, _conflict(request)),
                              missing="TW-E305")
    listed = [s for story in grouped_sources(incident) for s in (story.lead, *story.copies)]
    secret, scope = request.app.state.web.secret_key, f"incident-sources:{incident_id}"
    start = _source_after(listed, decode_cursor(secret, scope, sources_cursor)) if sources_cursor else 0
    page = listed[start:start + limit]
    more = start + limit < len(listed)
    following = urlencode({"limit": limit, "sources_cursor": encode_cursor(secret, scope, [page[-1].report_id])})
    return {"data": {**incident_json(replace(incident, sources=tuple(page))), "n_sources": len(listed),
                     "sources_next": f"/api/v1/incidents/{incident_id}?{following}" if more else None}}


def _source_after(listed: list[Source], key: list[Any]) -> int:
    """Where the page after the cursor's report starts; TW-E620 when that report is no longer in the incident."""
    ids = [s.report_id for s in listed]
    if len(key) != 1 or key[0] not in ids:
        raise WebError("TW-E620")
    return ids.index(key[0]) + 1


def incident_json(incident: Incident) -> dict[str, Any]:
    """The incident record; each claim with what it claims (`quote`: its content, else its sentence) and `link`, the
    address of its sentence on the report's page."""
    shown = record_json(incident)
    for claim, found in zip(shown["claims"], incident.claims, strict=True):
        claim["link"] = sentence_link(found.source.report_id, found.claim.sentence)
    return {**shown, "link": f"/api/v1/incidents/{incident.incident_id}"}


def sentence_link(report_id: str, sentence: int) -> str:
    """The report page's anchor of a sentence (`sentence` counted from 0, as the extractor counts; anchors from 1)."""
    return f"/reports/{quote(report_id, safe='')}#s-{sentence + 1}"


# --- agreements and compliance ---------------------------------------------------------------------------------


def agreement_json(a: Agreement) -> dict[str, Any]:
    return {**jsonable_encoder(asdict(a)), "link": f"/api/v1/agreements/{a.agreement_id}"}


def _agreement(request: Request, db: Database, agreement_id: str) -> Agreement:
    return fetch_readable(identity_of(request), "agreement", f"agreement {agreement_id!r}",
                          lambda: jobs.agreements.get_agreement(db, agreement_id), missing="TW-E503")


@router.get("/agreements", response_model=Page, openapi_extra=guard("agreement", "list"))
def list_agreements(request: Request, db: DB) -> dict[str, Any]:
    """Every stored agreement, by start (one page: there are few)."""
    identity = identity_of(request)
    return {"data": [agreement_json(a) for a in jobs.agreements.list_agreements(db)
                     if decide(identity, "read", Resource("agreement"))], "next": None}


@router.get("/agreements/{agreement_id}", response_model=One, openapi_extra=guard("agreement", "list"))
def get_agreement(request: Request, db: DB, agreement_id: str) -> dict[str, Any]:
    return {"data": agreement_json(_agreement(request, db, agreement_id))}


@router.get("/agreements/{agreement_id}/compliance", response_model=Page, openapi_extra=guard("compliance", "read"))
def agreement_compliance(request: Request, db: DB, agreement_id: str,
                         date_from: DateFrom = None,
                         date_to: DateTo = None) -> dict[str, Any]:
    """Every incident assessed against the agreement (the compliance export's objects), in date order."""
    _agreement(request, db, agreement_id)
    found = jobs.agreements.assess_agreement(db, agreement_id, date_from, date_to, _conflict(request))
    return {"data": [compliance_record(a) for a in found], "next": None}


# --- the map ---------------------------------------------------------------------------------------------------


class MapBody(BaseModel):
    columns: list[str] = Field(description="what each point's array holds, in order")
    types: list[str] = Field(description="the event type of each type code (a point's `type` indexes this)")
    colours: list[str] = Field(description="the colour of each type code on the map")
    points: list[list[str | float | int | None]]
    count: int = Field(description="how many points are given")
    truncated: bool = Field(description="true when more incidents matched than `limit`: the latest are given")


class MapAnswer(BaseModel):
    data: MapBody


class ClusterBody(BaseModel):
    zoom: float = Field(description="the zoom the view was counted at")
    cluster_columns: list[str] = Field(description="what each cluster's array holds")
    columns: list[str] = Field(description="what each single incident's array holds")
    types: list[str] = Field(description="the event type of each type code")
    colours: list[str] = Field(description="the colour of each type code on the map")
    clusters: list[list[Any]] = Field(description="incidents counted per cell of the view's grid")
    points: list[list[Any]] = Field(description="the incidents shown alone, with what their popups say")
    in_view: int = Field(description="incidents in the box, clustered or alone")
    count: int = Field(description="incidents that match the filters, anywhere on the map")
    truncated: bool = Field(description="true when some incidents were left out (narrow the dates or the area)")


class ClusterAnswer(BaseModel):
    data: ClusterBody


BBOX = r"^-?\d{1,3}(\.\d+)?,-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?,-?\d{1,2}(\.\d+)?$"


@router.get("/map", response_model=MapAnswer | ClusterAnswer, openapi_extra=guard("incident", "list"))
def map_points(request: Request, db: DB, date_from: DateFrom = None,
               date_to: DateTo = None,
               event_type: Annotated[str | None, Query(alias="type", max_length=100)] = None,
               party: Annotated[str | None, Query(pattern=r"^[A-Z_]{2,12}$", description=(
                   "a side: with `agreement`, the party the assessment accuses; else the side of the first actor"))]
               = None,
               agreement: Annotated[str | None, Query(max_length=200)] = None,
               window: Annotated[Literal["inside", "uncertain", "outside"] | None, Query(
                   description="the window status against `agreement` (which it needs)")] = None,
               bbox: Annotated[str | None, Query(pattern=BBOX, description="west,south,east,north in degrees")]
               = None,
               limit: Annotated[int, Query(ge=1, le=MAX_MAP_LIMIT)] = MAP_LIMIT,
               zoom: Annotated[float | None, Query(ge=0, le=22, description=(
                   "the map's zoom: incidents counted in clusters per cell of the view (docs/web.md)"))] = None
               ) -> JSONResponse:
    """The incidents with a place, as compact arrays for the map (`columns` says what each holds), latest first:
    one query over the incidents' summaries. With `zoom`: clusters for the view in `bbox`, and the incidents shown
    alone there with what their popups say."""
    context = record_context(request, db)
    if window and not agreement:
        raise WebError("TW-E618", detail="[query -> window] a window status needs an agreement: add agreement=ID")
    if agreement and context.agreement(agreement) is None:
        raise not_found(f"agreement {agreement!r}")
    filters = IncidentFilter(date_from=date_from, date_to=date_to, event_type=event_type)
    query = MapQuery(filters, party, agreement, window, parse_box(bbox), limit)
    if zoom is not None:
        return map_clusters(request, context, query, zoom)
    found = map_data(context, query)
    # every incident is published: the route's guard has decided for all of them at once
    return JSONResponse({"data": {"columns": list(MAP_COLUMNS), "types": [t for t, _ in legend()],
                                  "colours": [c for _, c in legend()], "points": found.points,
                                  "count": len(found.points), "truncated": found.truncated}})


def map_clusters(request: Request, context: RecordContext, query: MapQuery, zoom: float) -> JSONResponse:
    view = map_view(context, request.app.state.web.map_indexes, query, zoom)
    return JSONResponse({"data": {
        "zoom": zoom, "cluster_columns": list(CLUSTER_COLUMNS), "columns": list(SINGLE_COLUMNS),
        "types": [t for t, _ in legend()], "colours": [c for _, c in legend()], "clusters": view.clusters,
        "points": view.singles, "in_view": view.in_view, "count": view.total, "truncated": view.truncated}})


@router.get("/map/labels", openapi_extra=guard("asset", "read"))
def map_labels(request: Request) -> Response:
    """The names the map writes: provinces, districts and towns of the conflict's gazetteer, each with the zoom from
    which it is written (`{"data": {"columns": [...], "labels": [[name, latitude, longitude, kind, min_zoom]]}}`)."""
    return Response(map_labels_json(request.app.state.web.conflict), media_type="application/json",
                    headers={"Cache-Control": "public, max-age=86400"})


def parse_box(text: str | None) -> Box | None:
    """'west,south,east,north' -> Box; TW-E618 for latitudes or longitudes out of range."""
    if not text:
        return None
    west, south, east, north = (float(v) for v in text.split(","))
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise WebError("TW-E618", detail="[query -> bbox] give west,south,east,north with longitudes in -180..180 "
                                         "and latitudes in -90..90, south not above north")
    return Box(west, south, east, north)


def record_context(request: Request, db: Database) -> RecordContext:
    """What the map, the timeline and the agreement pages read, for this request."""
    web = request.app.state.web
    return RecordContext(db, web.assessments, tuple(jobs.agreements.list_agreements(db)), web.conflict)


@router.get("/boundaries", openapi_extra=guard("asset", "read"),
            responses={200: {"content": {"application/geo+json": {}},
                             "description": "GeoJSON FeatureCollection of country and province outlines"}})
def boundaries(request: Request) -> Response:
    """The outlines of the conflict's provinces and countries that the map draws (the data folder's map.toml; the
    shipped data: Natural Earth, public domain, simplified)."""
    return Response(boundaries_geojson(request.app.state.web.conflict), media_type="application/geo+json",
                    headers={"Cache-Control": "public, max-age=86400"})


# --- exports ---------------------------------------------------------------------------------------------------

EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson",
                "geojson": "application/geo+json"}


@router.get("/export/events.{fmt}", openapi_extra=guard("events_export", "read"),
            responses={200: {"content": {t: {} for t in EXPORT_TYPES.values()}}})
def export_events(db: DB, fmt: Literal["csv", "jsonl", "geojson"],
                  level: Annotated[Literal["incident", "account"] | None, Query(description=(
                      "a row per incident (deaths counted once) or per report's account of an event; default "
                      "incident, account for jsonl"))] = None) -> StreamingResponse:
    """The record, streamed in date order: ACLED CSV (formula-safe cells), JSON Lines or GeoJSON, one row per
    incident or per account, as `trucewatch export` writes them."""
    body = stream_writes(lambda out: jobs.exports.export_events(db, fmt, out, level))
    return StreamingResponse(body, media_type=EXPORT_TYPES[fmt],
                             headers={"Content-Disposition": f'attachment; filename="events.{fmt}"'})


COMPLAINT_COLUMNS = ("complaint_id", "party", "incident_id", "status", "filed_by", "filed_at", "text", "evidence")


@router.get("/export/complaints.{fmt}", openapi_extra=guard("complaint", "list"),
            responses={200: {"content": {EXPORT_TYPES["csv"]: {}, EXPORT_TYPES["jsonl"]: {}}}})
def export_complaints(request: Request, db: DB, fmt: Literal["csv", "jsonl"]) -> StreamingResponse:
    """The complaints the caller may see (their own party's, or all for monitors and admins), newest first."""
    identity = identity_of(request)
    rows = (c for c in db.workplace.iter_complaints(visible_parties(identity, "complaint"))
            if decide(identity, "read", Resource("complaint", party=c.party)))
    body = stream_writes(lambda out: _write_complaints(rows, fmt, out))
    return StreamingResponse(body, media_type=EXPORT_TYPES[fmt],
                             headers={"Content-Disposition": f'attachment; filename="complaints.{fmt}"'})


def _write_complaints(rows: Iterable[Complaint], fmt: str, out: TextIO) -> None:
    writer = csv.writer(out) if fmt == "csv" else None
    if writer is not None:
        writer.writerow(COMPLAINT_COLUMNS)
    for c in rows:
        shown = complaint_json(c)
        if writer is None:
            out.write(json.dumps(shown, ensure_ascii=False) + "\n")
            continue
        shown["evidence"] = ";".join(f"{e['filename']} ({e['sha256']})" for e in shown["evidence"])
        writer.writerow([spreadsheet_cell(shown[name]) for name in COMPLAINT_COLUMNS])


# --- complaints ------------------------------------------------------------------------------------------------


def evidence_json(c: Complaint, e: Evidence) -> dict[str, Any]:
    return {"sha256": e.sha256, "filename": e.filename, "media_type": e.media_type, "size": e.size,
            "link": f"/api/v1/complaints/{c.complaint_id}/evidence/{e.sha256}"}


def complaint_json(c: Complaint) -> dict[str, Any]:
    return {"complaint_id": c.complaint_id, "party": c.party, "incident_id": c.incident_id, "status": c.status,
            "filed_by": c.filed_by, "filed_at": c.filed_at.isoformat(), "text": c.text,
            "evidence": [evidence_json(c, e) for e in c.evidence], "link": f"/api/v1/complaints/{c.complaint_id}"}


def _complaint(request: Request, db: Database, complaint_id: str) -> Complaint:
    """The complaint, if the caller may read it; "not found" alike when it does not exist and when they may not."""
    what = f"complaint {complaint_id!r}"
    found = db.workplace.get_complaint(complaint_id)
    if found is None:
        raise not_found(what)
    require(identity_of(request), "read", Resource("complaint", party=found.party), hide=what)
    return found


def marked_json(db: Database, c: Complaint, asked: dict[str, bool] | None = None) -> dict[str, Any]:
    """The complaint as `complaint_json` shows it, each file with its marking (`public`: a published finding's
    bundle may carry it; else restricted). `asked`: the marking each file was sent with; where its original was
    kept before with another, the answer says the first marking stands."""
    shown = complaint_json(c)
    originals = db.cases.originals(e.sha256 for e in c.evidence)
    for item in shown["evidence"]:
        kept = originals.get(item["sha256"])
        item["public"] = bool(kept and kept.public)
        if asked is not None and item["sha256"] in asked and asked[item["sha256"]] != item["public"]:
            item["note"] = (f"these bytes were kept before, marked {'public' if item['public'] else 'restricted'}: "
                            "an evidence original is never changed, so its first marking stands")
    return shown


UPLOADS = {"evidence": File(description="evidence files, restricted: never in a public bundle (the default)"),
           "public_evidence": File(description="evidence files marked public: a published finding's bundle may "
                                               "carry them")}


@router.post("/complaints", status_code=201, response_model=One, openapi_extra=guard("complaint", "create"),
             responses=TOO_LARGE)
def file_complaint(request: Request, desk: CaseDesk, text: Annotated[str, Form(max_length=100_000)],
                   incident_id: Annotated[str | None, Form()] = None,
                   evidence: Annotated[list[UploadFile], UPLOADS["evidence"]] = [],  # noqa: B006
                   public_evidence: Annotated[list[UploadFile], UPLOADS["public_evidence"]] = [],  # noqa: B006
                   captured_at: Annotated[datetime | date | None, Form(
                       description="when the files were captured, as the sender says (ISO 8601)")] = None,
                   ) -> JSONResponse:
    """File a complaint for the liaison officer's own party, with an incident it concerns (optional) and evidence
    files (multipart; each kept by SHA-256; `max_upload_bytes` in all; `captured_at`: when they were captured):
    `evidence` restricted, `public_evidence` marked public. The answer gives each file's marking."""
    asked: dict[str, bool] = {}
    complaint = new_complaint(request, desk, text, incident_id, evidence, captured_at, public_evidence, asked)
    return JSONResponse({"data": marked_json(desk.db, complaint, asked)}, status_code=201,
                        headers={"Location": f"/api/v1/complaints/{complaint.complaint_id}"})


def new_complaint(request: Request, desk: Desk, text: str, incident_id: str | None, evidence: list[UploadFile],
                  captured_at: datetime | date | None = None, public_evidence: Sequence[UploadFile] = (),
                  asked: dict[str, bool] | None = None) -> Complaint:
    """Check and store a complaint of the caller's party with its evidence files, `evidence` restricted and
    `public_evidence` marked public (a file in both stays restricted); `asked` is filled with the marking each was
    sent with (the API and the complaint form both call this). TW-E618 with the problems by field when the text is
    empty or the incident unknown."""
    identity = identity_of(request)
    require(identity, "create", Resource("complaint", party=identity.party))
    problems = _complaint_problems(desk.web, text, incident_id)
    if problems:
        raise WebError("TW-E618", detail="; ".join(f"[{f}] {p}" for f, p in problems),
                       problems=[{"field": f, "problem": p} for f, p in problems])
    received: list[evidence_files.Received] = []
    try:
        restricted = received_files(desk, evidence, received)
        public = received_files(desk, public_evidence, received)
        marked = {f.sha256 for f in public} - {f.sha256 for f in restricted}
        if asked is not None:
            asked.update({f.sha256: f.sha256 in marked for f in received})
        made = Complaint(
            complaint_id=f"cmp-{secrets.token_hex(6)}", party=identity.party or "", text=text.strip(),
            filed_by=identity.name or "", filed_at=datetime.now(UTC), incident_id=incident_id or None,
            evidence=tuple(Evidence(f.sha256, f.filename, f.media_type, f.size) for f in received))
        return file_with_desk(desk, User(identity.name or "", identity.role, party=identity.party),  # complaint.file
                              made, captured_at.isoformat() if captured_at is not None else None, files=received,
                              public=marked)
    finally:
        evidence_files.discard(received)  # kept ones are in place by now; the rest go


def received_files(desk: Desk, uploads: Iterable[UploadFile],
                   received: list[evidence_files.Received]) -> list[evidence_files.Received]:
    """Receive uploaded files (those sent empty and unnamed skipped) with their names made safe and their declared
    media types, within what is left of `max_upload_bytes` for all of `received` (TW-E619 past it); each is added
    to `received` as it comes, for the caller to settle or discard."""
    got = []
    for upload in uploads:
        if not (upload.filename or upload.size):
            continue
        left = desk.max_bytes - sum(f.size for f in received)
        one = replace(evidence_files.receive(upload.file, desk.evidence_path, desk.max_bytes, allowance=left),
                      filename=evidence_files.safe_filename(upload.filename),
                      media_type=(upload.content_type or "application/octet-stream")[:200])
        received.append(one)
        got.append(one)
    return got


def _complaint_problems(store: WebStore, text: str, incident_id: str | None) -> list[tuple[str, str]]:
    problems = []
    if not text.strip():
        problems.append(("body -> text", "empty; say what the complaint is about"))
    if incident_id and not store.incident_exists(incident_id):
        problems.append(("body -> incident_id",
                         f"no incident {incident_id!r}; leave it out or name one of /api/v1/incidents"))
    return problems


@router.get("/complaints", response_model=Page, openapi_extra=guard("complaint", "list"))
def list_complaints(request: Request, db: DB, incident_id: Text = None, status: Text = None,
                    sort: Annotated[str, sort_parameter(COMPLAINT_SORTS)] = "-filed", limit: Limit = DEFAULT_LIMIT,
                    cursor: Cursor = None) -> JSONResponse:
    """The complaints the caller may see: a liaison officer their own party's, monitors and admins every one;
    newest first by default (sort `filed` or `-filed`)."""
    identity = identity_of(request)
    page = page_query(request, sort, COMPLAINT_SORTS, limit, cursor)
    found = db.workplace.complaint_page(visible_parties(identity, "complaint"), page, incident_id=incident_id,
                                        status=status)
    rows = [c for c in found if decide(identity, "read", Resource("complaint", party=c.party))]
    return page_response(request, rows, page, lambda c: (c.filed_at, c.complaint_id), complaint_json)


@router.get("/complaints/{complaint_id}", response_model=One, openapi_extra=guard("complaint", "list"))
def get_complaint(request: Request, db: DB, complaint_id: str) -> dict[str, Any]:
    """One complaint, each of its files with its marking (`public`, else restricted)."""
    return {"data": marked_json(db, _complaint(request, db, complaint_id))}


@router.post("/complaints/{complaint_id}/answers", status_code=201, response_model=One,
             openapi_extra=guard("complaint_answer", "create"), responses=TOO_LARGE)
def answer_complaint(request: Request, desk: CaseDesk, complaint_id: str,
                     note: Annotated[str, Form(max_length=20_000, description="the answer (required)")] = "",
                     evidence: Annotated[list[UploadFile], UPLOADS["evidence"]] = [],  # noqa: B006
                     public_evidence: Annotated[list[UploadFile], UPLOADS["public_evidence"]] = [],  # noqa: B006
                     ) -> JSONResponse:
    """Answer a request for information on a complaint of the liaison officer's own party (or, a monitor, resume
    the review with files): the note and the files join the complaint, which goes from 'needs information' back to
    'under review'. The answer gives the complaint with each file's marking."""
    identity = identity_of(request)
    complaint = _complaint(request, desk.db, complaint_id)  # another party's: "not found", as one that is not
    require(identity, "create", Resource("complaint_answer", party=complaint.party), hide=f"complaint {complaint_id!r}")
    user = User(identity.name or "", identity.role, party=identity.party, guarantor=identity.guarantor,
                user_id=identity.user_id)
    received: list[evidence_files.Received] = []
    try:
        restricted = received_files(desk, evidence, received)
        public = received_files(desk, public_evidence, received)
        answered = answer_request(desk, user, complaint_id, note, restricted, public)
    finally:
        evidence_files.discard(received)  # kept ones are in place by now; the rest go
    asked = {f.sha256: f.sha256 not in {r.sha256 for r in restricted} for f in received}
    return JSONResponse({"data": marked_json(desk.db, answered, asked)}, status_code=201,
                        headers={"Location": f"/api/v1/complaints/{complaint_id}"})


@router.get("/complaints/{complaint_id}/evidence/{sha256}", openapi_extra=guard("complaint", "list"),
            responses={200: {"content": {"application/octet-stream": {}}}})
def get_evidence(request: Request, db: DB, complaint_id: str, sha256: str) -> FileResponse:
    """An evidence file of a complaint, as a download."""
    complaint = _complaint(request, db, complaint_id)
    what = f"evidence {sha256[:80]!r} of complaint {complaint_id!r}"
    found = next((e for e in complaint.evidence if e.sha256 == sha256), None)
    if found is None:
        raise not_found(what)
    require(identity_of(request), "read", Resource("evidence", party=complaint.party), hide=what)
    path = evidence_files.path_of(request.app.state.web.settings.evidence_path, sha256)
    if not path.is_file():
        raise WebError("TW-E607", detail=f"the evidence file {sha256} is missing from the evidence folder; restore "
                                         "it from a backup")
    return FileResponse(path, media_type="application/octet-stream", filename=found.filename)


# --- monitors' overrides ---------------------------------------------------------------------------------------


class MergeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    absorb: str = Field(description="the incident whose events join this one")
    note: str = ""


class SplitBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = ""


class PinBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    incident_id: str = Field(description="the incident the event belongs to")
    note: str = ""


def override_json(o: Override, incident_id: str | None) -> dict[str, Any]:
    return {"override": jsonable_encoder(asdict(o)), "incident_id": incident_id,
            "link": f"/api/v1/incidents/{incident_id}" if incident_id else None}


def _recorded(db: Database, o: Override) -> JSONResponse:
    now = jobs.incidents.incident_of_event(db, o.target_event_id or o.event_id)
    return JSONResponse({"data": override_json(o, now)}, status_code=201)


def _overriding(action: Any) -> Override:
    """Run an override job; an unknown incident or event is "not found" (TW-E616)."""
    try:
        return action()
    except IncidentError as err:
        if err.code == "TW-E305":
            raise not_found(f"incident {err.details.get('incident_id')!r}") from None
        if err.code == "TW-E306":
            raise not_found(f"event {err.details.get('event_id')!r}") from None
        raise


@router.post("/incidents/{incident_id}/merge", status_code=201, response_model=One,
             openapi_extra=guard("override", "create"), responses=CONFLICT)
def merge(request: Request, db: DB, incident_id: str, body: MergeBody) -> JSONResponse:
    """Merge incident `absorb` into this one (monitors and admins); everything is re-resolved."""
    by, conflict = author_of(identity_of(request)), _conflict(request)
    return _recorded(db, _overriding(lambda: jobs.incidents.merge_incidents(db, incident_id, body.absorb, by,
                                                                            body.note, conflict)))


@router.post("/events/{event_id}/split", status_code=201, response_model=One,
             openapi_extra=guard("override", "create"), responses=CONFLICT)
def split(request: Request, db: DB, event_id: str, body: SplitBody) -> JSONResponse:
    """Split the event out of its incident: it stands alone, and nothing joins it automatically."""
    by, conflict = author_of(identity_of(request)), _conflict(request)
    return _recorded(db, _overriding(lambda: jobs.incidents.split_event(db, event_id, by, body.note, conflict)))


@router.post("/events/{event_id}/pin", status_code=201, response_model=One,
             openapi_extra=guard("override", "create"), responses=CONFLICT)
def pin(request: Request, db: DB, event_id: str, body: PinBody) -> JSONResponse:
    """Pin the event to an incident, whatever automatic resolution says."""
    by, conflict = author_of(identity_of(request)), _conflict(request)
    return _recorded(db, _overriding(lambda: jobs.incidents.pin_event(db, event_id, body.incident_id, by, body.note,
                                                                      conflict)))


def author_of(identity: Identity) -> str:
    """Who an override is recorded as: the user name, with the guarantor a monitor answers to."""
    return f"{identity.name} ({identity.guarantor})" if identity.guarantor else identity.name or ""
