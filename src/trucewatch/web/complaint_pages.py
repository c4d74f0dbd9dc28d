"""The complaints' pages: a liaison officer's form and their party's complaints; the monitors' queue of every
complaint, newest first; one complaint with its evidence.

They go through the rules the API goes through: the list shows only what `visible_parties` allows and each row is
checked by `decide`; another party's complaint is "not found" (404), exactly as one that does not exist. Filing goes
through `api.new_complaint`, as the API's POST does.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trucewatch.casework.access import Resource, decide, visible_parties
from trucewatch.errors import WebError
from trucewatch.records import Complaint
from trucewatch.storage import Database
from trucewatch.storage.workplace import PageQuery
from trucewatch.web.api import new_complaint
from trucewatch.web.guard import GuardedRoute, guard, identity_of, not_found, require
from trucewatch.web.pages import render
from trucewatch.web.state import DB, CaseDesk

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
SHOWN = 200  # complaints on the page; the rest through the API and the export


@router.get("/complaints", response_class=HTMLResponse, openapi_extra=guard("complaint", "list"))
def complaints_page(request: Request, db: DB) -> HTMLResponse:
    """A liaison officer's form and their party's complaints; for monitors and admins, every complaint."""
    return _complaints_page(request, db)


def _complaints_page(request: Request, db: Database, *, problems: list[dict[str, str]] | None = None, text: str = "",
                     incident_id: str = "", status: int = 200) -> HTMLResponse:
    identity = identity_of(request)
    found = db.workplace.complaint_page(visible_parties(identity, "complaint"),
                                        PageQuery("filed", True, None, SHOWN + 1))
    rows = [c for c in found if decide(identity, "read", Resource("complaint", party=c.party))]
    return HTMLResponse(render(request, "complaints.html", complaints=rows[:SHOWN], more=len(rows) > SHOWN,
                               can_file=decide(identity, "create", Resource("complaint", party=identity.party)),
                               problems=problems or [], text=text, incident_id=incident_id), status_code=status)


@router.post("/complaints", openapi_extra=guard("complaint", "create"))
def file_complaint_form(request: Request, desk: CaseDesk, text: Annotated[str, Form(max_length=100_000)] = "",
                        incident_id: Annotated[str, Form(max_length=200)] = "",
                        evidence: Annotated[list[UploadFile], File()] = []) -> Response:  # noqa: B006
    """File a complaint from the form; then to its page, or back to the form with what is wrong."""
    try:
        complaint = new_complaint(request, desk, text, incident_id.strip() or None, evidence)
    except WebError as err:
        if err.code != "TW-E618":
            raise
        problems = err.details.get("problems")
        return _complaints_page(request, desk.db, problems=problems if isinstance(problems, list) else [], text=text,
                                incident_id=incident_id, status=422)
    return RedirectResponse(f"/complaints/{complaint.complaint_id}?filed=1", status_code=303)


@router.get("/complaints/{complaint_id}", response_class=HTMLResponse, openapi_extra=guard("complaint", "list"))
def complaint_page(request: Request, db: DB, complaint_id: str, filed: str = "") -> HTMLResponse:
    """One complaint with its evidence files (downloads)."""
    return HTMLResponse(render(request, "complaint.html", complaint=_complaint(request, db, complaint_id),
                               filed=bool(filed)))


def _complaint(request: Request, db: Database, complaint_id: str) -> Complaint:
    what = f"complaint {complaint_id!r}"
    found = db.workplace.get_complaint(complaint_id)
    if found is None:
        raise not_found(what)
    require(identity_of(request), "read", Resource("complaint", party=found.party), hide=what)
    return found
