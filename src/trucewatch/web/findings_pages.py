"""Verification's pages: a complaint's history with the transitions the visitor may make (and, for a monitor, the
form to draft a finding on it); the findings list (published ones for everyone, drafts for monitors and admins, each
with its state in words); one finding with its grade, attribution, reasoning, evidence, signatures and versions; and
the monitors' forms: sign (the browser signs the content hash with the monitor's own key, static/signing.js, and
posts only the signature), edit an unsigned draft, amend a signed finding, and publish after a confirmation page that
shows what will become public.

Templates are in web/templates/findings (they extend the layout's base.html), rendered with autoescape on. Forms carry
the session's CSRF token (checked by the guard). The rules are the API's (`findings`): a form's fields are read only
after the object is found visible, and the work is done by `trucewatch.jobs.casework`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from starlette.concurrency import run_in_threadpool

from trucewatch.casework import findings as rules
from trucewatch.casework.access import Identity, Resource, decide
from trucewatch.casework.bundle import public_copy, withheld_reason
from trucewatch.errors import FindingError, TrucewatchError, WebError
from trucewatch.jobs import casework, monitor_keys
from trucewatch.jobs.casework import Desk
from trucewatch.records import ATTRIBUTIONS, GRADES, Complaint, EvidenceOriginal, Finding, FindingSignature
from trucewatch.web import complaint_view, pages
from trucewatch.web.error_envelope import error_response, status_of
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
    identity = identity_of(request)
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


def state_words(finding: Finding) -> str:
    """A finding's state as a person says it: "draft", "signed for QAT, waiting for TUR", "sealed, not published",
    "published 2025-10-30", "superseded by fnd-..."."""
    if finding.published_at:
        return f"published {finding.published_at[:10]}"
    if finding.superseded_by:
        return f"superseded by {finding.superseded_by}"
    if finding.sealed:
        return "sealed, not published"
    signed = rules.sealed_by(finding)
    if signed:
        return f"signed for {' and '.join(signed)}, waiting for {' and '.join(rules.missing_guarantors(finding))}"
    return "draft"


def agreement_names(desk: Desk) -> dict[str, str]:
    return {a.agreement_id: a.name for a in desk.store.agreements()}


@router.get("/findings", response_class=HTMLResponse, openapi_extra=guard("finding", "list"))
def findings_page(request: Request, desk: CaseDesk) -> HTMLResponse:
    """The findings the visitor may read: published ones for everyone; drafts too for monitors and admins. Each
    with its state in words and the names of its agreement and incidents beside their ids."""
    identity = identity_of(request)
    rows = casework.list_findings(desk, user_of(identity))
    return HTMLResponse(render(
        request, "findings.html", findings=rows, states={f.finding_id: state_words(f) for f in rows},
        agreements=agreement_names(desk), labels=pages.incident_labels(desk.db, (i for f in rows for i in
                                                                                     f.incident_ids)),
        staff=decide(identity, "read", Resource("finding", published=False))))


@router.get("/findings/{finding_id}", response_class=HTMLResponse, openapi_extra=guard("finding", "list"))
def finding_page(request: Request, desk: CaseDesk, finding_id: str) -> HTMLResponse:
    """One finding in full: what its content hash covers, who signed it with which key, and for monitors the
    signing form (the browser signs with the monitor's key; the paste-a-signature fallback), edit or amend, and the
    way to publishing."""
    return _finding_page(request, desk, _finding(request, desk, finding_id))


def _shown_originals(identity: Identity, originals: dict[str, EvidenceOriginal]) -> dict[str, EvidenceOriginal]:
    """The evidence records a visitor sees on a finding's page: all of them for those who may have the full bundle
    (monitors, admins); for everyone else only those of files the public bundle carries. A withheld file is shown by
    its SHA-256 alone, as in the bundle: its name and source may say what it is."""
    if decide(identity, "read", Resource("finding_bundle_full")):
        return originals
    return {sha: o for sha, o in originals.items() if public_copy(o)}


def _finding_page(request: Request, desk: Desk, finding: Finding, *, sign_error: str = "",
                  status: int = 200) -> HTMLResponse:
    identity = identity_of(request)
    versions = [v for v in desk.cases.versions(finding.series)
                if decide(identity, "read", Resource("finding", published=v.published))]
    monitor = decide(identity, "create", Resource("finding_signature"))
    mine = [k for k in monitor_keys.keys_of(desk, identity.name or "") if k.active] if monitor else []
    return HTMLResponse(render(
        request, "finding.html", finding=finding, state=state_words(finding), versions=versions,
        originals=_shown_originals(identity, desk.cases.originals(finding.evidence)),
        agreement=agreement_names(desk).get(finding.agreement_id),
        labels=pages.incident_labels(desk.db, finding.incident_ids), signatures=signature_rows(desk, finding),
        missing=rules.missing_guarantors(finding), my_key=mine[0] if mine else None, sign_error=sign_error,
        can_sign=monitor and rules.sign_problem(finding, identity.guarantor, identity.name or "",
                                                finding.content_hash) is None,
        can_edit=monitor and not finding.signatures and not finding.superseded_by,
        can_amend=monitor and bool(finding.signatures) and not finding.superseded_by,
        can_publish=monitor and rules.publish_problem(finding) is None, content_fields=rules.CONTENT_FIELDS),
        status_code=status)


@dataclass(frozen=True)
class SignatureRow:
    """A signature as the finding page shows it: with its key's verifier key, and why it does not count (if so)."""

    signature: FindingSignature
    verifier_key: str
    problem: str | None


def signature_rows(desk: Desk, finding: Finding) -> list[SignatureRow]:
    keys = {k.name: k for k in monitor_keys.all_keys(desk)}
    rows = []
    for s in finding.signatures:
        key = keys.get(s.key_name)
        rows.append(SignatureRow(s, rules.verifier_key(key.name, key.public_key) if key else "",
                                 rules.signature_problem(s, key)))
    return rows


@router.post("/findings/{finding_id}/signatures", openapi_extra=guard("finding_signature", "create"))
async def sign_finding_form(request: Request, desk: CaseDesk, finding_id: str) -> Response:
    """A monitor's signature of the content hash shown, made with their key in their browser (or on their machine
    and pasted): the form carries `content_hash`, `key_name` and `signature` (base64), never a private key. Then back
    to the finding; a signature refused shows the finding again with why."""
    await run_in_threadpool(_finding, request, desk, finding_id)
    form = await request.form()
    stated, key_name, signature = (str(form.get(name, "")) for name in ("content_hash", "key_name", "signature"))

    def sign() -> Response:
        try:
            with found():
                casework.sign_finding(desk, acting(request), finding_id, stated, key_name.strip(), signature)
        except TrucewatchError as err:
            if err.code in ("TW-E616", "TW-E820"):
                raise
            return _finding_page(request, desk, _finding(request, desk, finding_id), sign_error=str(err),
                                 status=status_of(err))
        return RedirectResponse(f"/findings/{finding_id}", status_code=303)

    return await run_in_threadpool(sign)


# --- editing a draft, amending a signed finding ------------------------------------------------------------------

FORM_FIELDS = ("commitment", "grade", "attribution", "attributed_party", "reasoning", "evidence", "reports")
FIELD_OF_PROBLEM = {"agreement_id": "commitment", "commitment_id": "commitment"}  # the form's one select for both


def form_of(finding: Finding) -> dict[str, Any]:
    """The draft form's values of a finding as it stands."""
    return {"commitment": f"{finding.agreement_id}/{finding.commitment_id}", "grade": finding.grade,
            "attribution": finding.attribution, "attributed_party": finding.attributed_party or "",
            "reasoning": finding.reasoning, "evidence": list(finding.evidence), "reports": ""}


def submitted(form: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the form's values, to show again; the changes they make, for the jobs) of a posted draft form."""
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in FORM_FIELDS if name != "evidence"}
    values["evidence"] = [str(v) for v in form.getlist("evidence")]
    agreement, _, commitment = values["commitment"].partition("/")
    changes = {"agreement_id": agreement, "commitment_id": commitment, "grade": values["grade"],
               "attribution": values["attribution"], "attributed_party": values["attributed_party"].strip() or None,
               "reasoning": values["reasoning"], "evidence": tuple(values["evidence"]),
               "reports": tuple(values["reports"].replace(",", " ").split())}
    return values, changes


def problems_by_field(problems: list[dict[str, str]]) -> dict[str, list[str]]:
    """TW-E806's problems by the form field they are shown beside ("" for those of no field of the form)."""
    found: dict[str, list[str]] = {}
    for p in problems:
        parts = str(p.get("field", "")).split(" -> ")
        name = parts[1] if len(parts) > 1 and parts[0] == "body" else parts[0]
        name = FIELD_OF_PROBLEM.get(name, name)
        found.setdefault(name if name in FORM_FIELDS else "", []).append(str(p.get("problem", "")))
    return found


@dataclass(frozen=True)
class EvidenceChoice:
    sha256: str
    label: str


def evidence_choices(desk: Desk, request: Request, finding: Finding) -> list[EvidenceChoice]:
    """The files a finding may cite: its complaints' files not withdrawn, and whatever it cites now (report texts
    among them)."""
    choices: dict[str, str] = {}
    for complaint_id in finding.complaint_ids:
        complaint = desk.web.get_complaint(complaint_id)
        if complaint is None:
            continue
        for v in casework.evidence_of(desk, acting(request), complaint):
            if v.withdrawal is None or v.sha256 in finding.evidence:
                withdrawn = " (withdrawn)" if v.withdrawal else ""
                choices[v.sha256] = f"{v.filename}{withdrawn}, complaint {complaint_id}"
    originals = desk.cases.originals(finding.evidence)
    for sha in finding.evidence:
        if sha not in choices:
            o = originals.get(sha)
            choices[sha] = f"{o.filename}: {o.source}" if o else sha
    return [EvidenceChoice(sha, label) for sha, label in choices.items()]


def _edit_page(request: Request, desk: Desk, finding: Finding, *, form: dict[str, Any] | None = None,
               problems: list[dict[str, str]] | None = None, status: int = 200) -> HTMLResponse:
    """The draft form with the finding's values (or those just sent): to edit it while nobody has signed it, to amend
    it (a new version) once someone has; neither once it is superseded."""
    mode = "closed" if finding.superseded_by else "amend" if finding.signatures else "edit"
    return HTMLResponse(render(
        request, "edit.html", finding=finding, mode=mode, why=rules.edit_problem(finding) or "",
        state=state_words(finding), agreements=desk.store.agreements(), grades=GRADES, attributions=ATTRIBUTIONS,
        choices=evidence_choices(desk, request, finding) if mode != "closed" else [],
        form=form or form_of(finding), problems=problems_by_field(problems or [])), status_code=status)


@router.get("/findings/{finding_id}/edit", response_class=HTMLResponse, openapi_extra=guard("finding", "update"))
def edit_finding_page(request: Request, desk: CaseDesk, finding_id: str) -> HTMLResponse:
    """A monitor's draft form for an unsigned draft, with its current values; for a signed one, the amend form."""
    return _edit_page(request, desk, _finding(request, desk, finding_id))


@router.post("/findings/{finding_id}/edit", openapi_extra=guard("finding", "update"))
async def edit_finding_form(request: Request, desk: CaseDesk, finding_id: str) -> Response:
    """Change an unsigned draft in place, then back to it; its form again with what is wrong, beside each field, or
    (signed meanwhile) the amend form."""
    return await _change(request, desk, finding_id, casework.edit_draft)


@router.post("/findings/{finding_id}/amend", openapi_extra=guard("finding", "create"))
async def amend_finding_form(request: Request, desk: CaseDesk, finding_id: str) -> Response:
    """A new version of a signed finding with the form's values, then to the new version."""
    return await _change(request, desk, finding_id, casework.amend_finding)


async def _change(request: Request, desk: Desk, finding_id: str, job: Any) -> Response:
    await run_in_threadpool(_finding, request, desk, finding_id)
    values, changes = submitted(await request.form())

    def change() -> Response:
        try:
            with found():
                made = job(desk, acting(request), finding_id, changes)
        except FindingError as err:
            if err.code not in ("TW-E805", "TW-E806", "TW-E810"):
                raise
            problems = err.details.get("problems") if err.code == "TW-E806" else None
            return _edit_page(request, desk, _finding(request, desk, finding_id), form=values,
                              problems=problems if isinstance(problems, list) else None, status=status_of(err))
        return RedirectResponse(f"/findings/{made.finding_id}", status_code=303)

    return await run_in_threadpool(change)


# --- publishing, after a confirmation ----------------------------------------------------------------------------

CONFIRM = "publish"  # the confirmation page's Publish button sends confirm=publish


def _publish_page(request: Request, desk: Desk, finding: Finding) -> HTMLResponse:
    originals = desk.cases.originals(finding.evidence)
    shown = [(sha, originals.get(sha)) for sha in finding.evidence if public_copy(originals.get(sha))]
    withheld = [(sha, originals.get(sha), withheld_reason(originals.get(sha))) for sha in finding.evidence
                if not public_copy(originals.get(sha))]
    return HTMLResponse(render(
        request, "publish.html", finding=finding, state=state_words(finding), problem=rules.publish_problem(finding),
        agreement=agreement_names(desk).get(finding.agreement_id), shown=shown, withheld=withheld,
        labels=pages.incident_labels(desk.db, finding.incident_ids), signatures=signature_rows(desk, finding),
        confirm=CONFIRM))


@router.get("/findings/{finding_id}/publish", response_class=HTMLResponse,
            openapi_extra=guard("finding_publication", "create"))
def publish_confirmation_page(request: Request, desk: CaseDesk, finding_id: str) -> HTMLResponse:
    """What will become public when the finding is published: its grade, attribution and reasoning, the evidence
    files the public bundle carries and those it withholds (SHA-256 only), the two signatures; then Publish."""
    return _publish_page(request, desk, _finding(request, desk, finding_id))


@router.post("/findings/{finding_id}/publish", openapi_extra=guard("finding_publication", "create"))
async def publish_finding_form(request: Request, desk: CaseDesk, finding_id: str) -> Response:
    """Publish the sealed finding, from its confirmation page only (TW-E635, 400, without its `confirm` field),
    then back to it."""
    await run_in_threadpool(_finding, request, desk, finding_id)
    if (await request.form()).get("confirm") != CONFIRM:
        return error_response(request, WebError("TW-E635", finding_id=finding_id), 400)

    def publish() -> None:
        with found():
            casework.publish_finding(desk, acting(request), finding_id)

    await run_in_threadpool(publish)
    return RedirectResponse(f"/findings/{finding_id}", status_code=303)
