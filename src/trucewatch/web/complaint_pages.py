"""The complaints' pages: a liaison officer's form and their party's complaints; the monitors' queue of every
complaint, newest first; one complaint (its text, files, history, moves, findings, and the forms of whoever may act
on it: `findings_pages._history_page`); a liaison officer's answer to a request for information; and the inbox, what
waits for the visitor (`jobs.inbox`).

They go through the rules the API goes through: the list shows only what `visible_parties` allows and each row is
checked by `decide`; another party's complaint is "not found" (404), exactly as one that does not exist. Filing goes
through `api.new_complaint`, as the API's POST does.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trucewatch.casework.access import Resource, decide, visible_parties
from trucewatch.errors import FindingError, WebError
from trucewatch.jobs import casework
from trucewatch.jobs.casework import Desk
from trucewatch.jobs.inbox import Inbox, inbox_of
from trucewatch.records import IncidentFilter
from trucewatch.storage import Database, evidence as evidence_files
from trucewatch.storage.workplace import PageQuery
from trucewatch.web import findings_pages
from trucewatch.web.api import new_complaint, received_files
from trucewatch.web.error_envelope import status_of
from trucewatch.web.findings_api import _complaint, acting, found
from trucewatch.web.guard import GuardedRoute, guard, identity_of, require
from trucewatch.web.pages import (
    complaint_label,
    incident_label,
    incident_labels,
    login_url,
    render,
    user_of,
)
from trucewatch.web.state import CaseDesk

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
SHOWN = 200  # complaints on the page; the rest through the API and the export
INCIDENT_CHOICES = 200  # the latest incidents offered to a complaint's filer
# an answer the workflow refuses (not in 'needs information' any more, no note ...) is shown on the page with why
ANSWER_PROBLEMS = ("TW-E801", "TW-E802", "TW-E803", "TW-E804")


@router.get("/complaints", response_class=HTMLResponse, openapi_extra=guard("complaint", "list"))
def complaints_page(request: Request, desk: CaseDesk,
                    incident_id: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    """A liaison officer's form and their party's complaints; for monitors and admins, every complaint. With
    `incident_id` (the incident page's "File a complaint about this incident"), the form names that incident."""
    return _complaints_page(request, desk.db, incident_id=incident_id)


def _complaints_page(request: Request, db: Database, *, problems: list[dict[str, str]] | None = None, text: str = "",
                     incident_id: str = "", status: int = 200) -> HTMLResponse:
    identity = identity_of(request)
    found = db.workplace.complaint_page(visible_parties(identity, "complaint"),
                                        PageQuery("filed", True, None, SHOWN + 1))
    rows = [c for c in found if decide(identity, "read", Resource("complaint", party=c.party))]
    can_file = decide(identity, "create", Resource("complaint", party=identity.party))
    return HTMLResponse(render(
        request, "complaints.html", complaints=rows[:SHOWN], more=len(rows) > SHOWN, can_file=can_file,
        problems=problems or [], text=text, incident_id=incident_id,
        incident_choices=incident_choices(db) if can_file else [],
        incident_labels=incident_labels(db, (c.incident_id for c in rows[:SHOWN] if c.incident_id))),
        status_code=status)


def incident_choices(db: Database, limit: int = INCIDENT_CHOICES) -> list[tuple[str, str]]:
    """The latest incidents as (id, label) pairs, for a picker."""
    page = db.workplace.incident_page(IncidentFilter(), PageQuery("date", True, None, limit))
    return [(s.incident_id, incident_label(s)) for s in page]


@router.post("/complaints", openapi_extra=guard("complaint", "create"))
def file_complaint_form(request: Request, desk: CaseDesk, text: Annotated[str, Form(max_length=100_000)] = "",
                        incident_id: Annotated[str, Form(max_length=200)] = "",
                        evidence: Annotated[list[UploadFile], File()] = [],  # noqa: B006
                        public_evidence: Annotated[list[UploadFile], File()] = []) -> Response:  # noqa: B006
    """File a complaint from the form (restricted files and public ones); then to its page, or back to the form
    with what is wrong."""
    try:
        complaint = new_complaint(request, desk, text, incident_id.strip() or None, evidence,
                                  public_evidence=public_evidence)
    except WebError as err:
        if err.code != "TW-E618":
            raise
        problems = err.details.get("problems")
        return _complaints_page(request, desk.db, problems=problems if isinstance(problems, list) else [], text=text,
                                incident_id=incident_id, status=422)
    return RedirectResponse(f"/complaints/{complaint.complaint_id}?filed=1", status_code=303)


@router.get("/complaints/{complaint_id}", response_class=HTMLResponse, openapi_extra=guard("complaint", "list"))
def complaint_page(request: Request, desk: CaseDesk, complaint_id: str, filed: str = "",
                   answered: str = "") -> HTMLResponse:
    """One complaint: its text and files, its history, the moves the visitor may make, its findings; the draft
    form for monitors, the answer form for its liaison officer when information is asked for."""
    return findings_pages._history_page(request, desk, _complaint(request, desk, complaint_id), filed=bool(filed),
                                        answered=bool(answered))


@router.post("/complaints/{complaint_id}/answer", openapi_extra=guard("complaint_answer", "create"))
def answer_form(request: Request, desk: CaseDesk, complaint_id: str,
                note: Annotated[str, Form(max_length=20_000)] = "",
                evidence: Annotated[list[UploadFile], File()] = [],  # noqa: B006
                public_evidence: Annotated[list[UploadFile], File()] = []) -> Response:  # noqa: B006
    """A liaison officer answers the monitors' request for information: a note and new files (restricted ones and
    public ones); the complaint goes back under review. Then back to it, or to the form with what is wrong."""
    complaint = _complaint(request, desk, complaint_id)
    require(identity_of(request), "create", Resource("complaint_answer", party=complaint.party),
            hide=f"complaint {complaint_id!r}")
    received: list[evidence_files.Received] = []
    try:
        files = received_files(desk, evidence, received)
        public = received_files(desk, public_evidence, received)
        with found():
            casework.answer_request(desk, acting(request), complaint_id, note, files, public)
    except FindingError as err:
        if err.code not in ANSWER_PROBLEMS:
            raise
        message = str(err).removeprefix(f"{err.code}: ")
        return findings_pages._history_page(request, desk, complaint, answer_error=f"{message} ({err.code})",
                                            answer_note=note, status=status_of(err))
    finally:
        evidence_files.discard(received)  # kept ones are in place by now; the rest go
    return RedirectResponse(f"/complaints/{complaint_id}?answered=1", status_code=303)


# --- the inbox ---------------------------------------------------------------------------------------------------


@router.get("/inbox", response_class=HTMLResponse, openapi_extra=guard("me", "read"))
def inbox_page(request: Request, desk: CaseDesk) -> Response:
    """What waits for the visitor: for a monitor, complaints by state, drafts to sign or edit, sealed findings to
    publish; for a liaison officer, their party's complaints (the questions first) and findings published on them."""
    identity = identity_of(request)
    user = user_of(identity)
    if user is None:  # the guard lets only those signed in through; a session that ended goes to sign in
        return RedirectResponse(login_url(request), status_code=303)
    inbox = inbox_of(desk, user)
    named = [c.incident_id for cs in inbox.complaints.values() for c in cs if c.incident_id]
    named += [i for f in (*inbox.to_sign, *inbox.to_edit, *inbox.to_publish, *inbox.published) for i in f.incident_ids]
    return HTMLResponse(render(request, "inbox.html", inbox=inbox, incident_labels=incident_labels(desk.db, named),
                               complaint_labels=_labels(desk, inbox)))


def _labels(desk: Desk, inbox: Inbox) -> dict[str, str]:
    """Complaints' labels (party and first words) by id, for the findings the inbox lists."""
    findings = [*inbox.to_sign, *inbox.to_edit, *inbox.to_publish, *inbox.published]
    labels = {}
    for cid in dict.fromkeys(c for f in findings for c in f.complaint_ids):
        found = desk.web.get_complaint(cid)
        if found is not None:
            labels[cid] = complaint_label(found)
    return labels
