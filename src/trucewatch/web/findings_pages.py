"""Verification's pages: a complaint's history with the transitions the visitor may make (and, for a monitor, the
form to draft a finding on it); the findings list (published ones for everyone, drafts for monitors and admins); one
finding with its grade, attribution, reasoning, evidence, signatures and versions, and the sign and publish forms.

Templates are in web/templates/findings (they extend the layout's base.html), rendered with autoescape on. Forms carry
the session's CSRF token (checked by the guard). The rules are the API's (`findings`): a form's fields are read only
after the object is found visible, and the work is done by `trucewatch.jobs.casework`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from starlette.concurrency import run_in_threadpool

from trucewatch.casework import findings as rules
from trucewatch.casework.access import PUBLIC, Identity, Resource, decide
from trucewatch.errors import FindingError
from trucewatch.jobs import casework
from trucewatch.jobs.casework import Desk
from trucewatch.records import Complaint
from trucewatch.web import complaint_view, pages
from trucewatch.web.findings_api import (
    _complaint,
    _finding,
    acting,
    found,
    user_of,
)
from trucewatch.web.guard import GuardedRoute, guard, identity_of
from trucewatch.web.state import CaseDesk

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
EMPTY_FORM = dict.fromkeys(("commitment", "grade", "attribution", "attributed_party", "reasoning", "reports"), "")


@lru_cache(maxsize=1)
def templates() -> Environment:
    env = Environment(loader=ChoiceLoader([PackageLoader("trucewatch.web", "templates/findings"),
                                           PackageLoader("trucewatch.web", "templates")]),
                      autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["web_link"] = pages.web_link
    env.globals.update(deaths=pages.deaths, plural=pages.plural, grade_definitions=rules.GRADE_DEFINITIONS,
                       attribution_definitions=rules.ATTRIBUTION_DEFINITIONS)
    return env


def render(request: Request, template: str, **context: Any) -> str:
    """As `pages.render` does, with these pages' templates."""
    identity: Identity = getattr(request.state, "identity", PUBLIC)
    return templates().get_template(template).render(
        identity=identity, role_label=pages.role_label(identity),
        csrf_token=getattr(request.state, "csrf_token", None) or "", nav=pages.nav_links(request),
        here=request.url.path, **context)


# --- a complaint's history ---------------------------------------------------------------------------------------


@router.get("/complaints/{complaint_id}/history", response_class=HTMLResponse,
            openapi_extra=guard("complaint", "list"))
def complaint_history_page(request: Request, desk: CaseDesk, complaint_id: str) -> HTMLResponse:
    """The complaint's one page, as /complaints/ID shows it (complaint_pages)."""
    return _history_page(request, desk, _complaint(request, desk, complaint_id),
                         answered=bool(request.query_params.get("answered")))


def _history_page(request: Request, desk: Desk, complaint: Complaint, *, status: int = 200,
                  **shown: Any) -> HTMLResponse:
    """A complaint's page: its text, files, history, the moves the visitor may make, its findings, the draft form
    (monitors) and the answer form (its liaison officer); `shown`: see `complaint_view.complaint_context`."""
    context = complaint_view.complaint_context(request, desk, complaint, **shown)
    return HTMLResponse(render(request, "complaint_history.html", **context), status_code=status)


@router.post("/complaints/{complaint_id}/history", openapi_extra=guard("complaint_transition", "create"))
async def move_complaint_form(request: Request, desk: CaseDesk, complaint_id: str) -> Response:
    """The transition buttons: move the complaint, then back to its history."""
    await run_in_threadpool(_complaint, request, desk, complaint_id)
    form = await request.form()
    to_state, note = str(form.get("to", "")), str(form.get("note", ""))

    def move() -> None:
        with found():
            casework.move_complaint(desk, acting(request), complaint_id, to_state, note)

    await run_in_threadpool(move)
    return RedirectResponse(f"/complaints/{complaint_id}", status_code=303)


@router.post("/complaints/{complaint_id}/findings", openapi_extra=guard("finding", "create"))
async def draft_finding_form(request: Request, desk: CaseDesk, complaint_id: str) -> Response:
    """The draft form of a complaint under review: a finding on it, then to the finding's page (or back to the form
    with what is wrong)."""
    complaint = await run_in_threadpool(_complaint, request, desk, complaint_id)
    draft, fields = complaint_view.draft_of_form(complaint_id, await request.form())

    def make() -> Response:
        try:
            made = casework.draft_finding(desk, acting(request), draft)
        except FindingError as err:
            if err.code != "TW-E806":
                raise
            problems = err.details.get("problems", [])
            return _history_page(request, desk, complaint, problems=problems if isinstance(problems, list) else [],
                                 form=fields, status=422)
        return RedirectResponse(f"/findings/{made.finding_id}", status_code=303)

    return await run_in_threadpool(make)


# --- findings ----------------------------------------------------------------------------------------------------


@router.get("/findings", response_class=HTMLResponse, openapi_extra=guard("finding", "list"))
def findings_page(request: Request, desk: CaseDesk) -> HTMLResponse:
    """The findings the visitor may read: published ones for everyone; drafts too for monitors and admins."""
    identity = identity_of(request)
    rows = casework.list_findings(desk, user_of(identity))
    return HTMLResponse(render(request, "findings.html", findings=rows,
                               staff=decide(identity, "read", Resource("finding", published=False))))


@router.get("/findings/{finding_id}", response_class=HTMLResponse, openapi_extra=guard("finding", "list"))
def finding_page(request: Request, desk: CaseDesk, finding_id: str) -> HTMLResponse:
    """One finding in full, with the sign and publish forms for monitors."""
    identity = identity_of(request)
    finding = _finding(request, desk, finding_id)
    versions = [v for v in desk.cases.versions(finding.series)
                if decide(identity, "read", Resource("finding", published=v.published))]
    monitor = decide(identity, "create", Resource("finding_signature"))
    return HTMLResponse(render(
        request, "finding.html", finding=finding, versions=versions, originals=desk.cases.originals(finding.evidence),
        sealed_by=rules.sealed_by(finding), missing=rules.missing_guarantors(finding),
        can_sign=monitor and rules.sign_problem(finding, identity.guarantor, identity.name or "",
                                                finding.content_hash) is None,
        can_publish=monitor and rules.publish_problem(finding) is None))


@router.post("/findings/{finding_id}/signatures", openapi_extra=guard("finding_signature", "create"))
async def sign_finding_form(request: Request, desk: CaseDesk, finding_id: str) -> Response:
    """Sign the finding for the monitor's guarantor (the form carries the content hash shown), then back to it."""
    await run_in_threadpool(_finding, request, desk, finding_id)
    stated = str((await request.form()).get("content_hash", ""))

    def sign() -> None:
        with found():
            casework.sign_finding(desk, acting(request), finding_id, stated)

    await run_in_threadpool(sign)
    return RedirectResponse(f"/findings/{finding_id}", status_code=303)


@router.post("/findings/{finding_id}/publish", openapi_extra=guard("finding_publication", "create"))
def publish_finding_form(request: Request, desk: CaseDesk, finding_id: str) -> Response:
    """Publish the sealed finding, then back to it."""
    _finding(request, desk, finding_id)
    with found():
        casework.publish_finding(desk, acting(request), finding_id)
    return RedirectResponse(f"/findings/{finding_id}", status_code=303)
