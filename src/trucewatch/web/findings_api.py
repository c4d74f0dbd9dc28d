"""The verification API under /api/v1: complaints' transitions and history, complaints opened from incidents,
evidence records, annotations and withdrawals, and findings (draft, edit, sign, publish, amend, bundle).

Every route declares what it serves (`guard(kind, action)`, rules in `access`); each object is checked again, and
what the caller may not see is "not found" (404), as in `api`. Request bodies of routes that name an object are read
only after that check, so an invalid body cannot tell another party's complaint from one that does not exist. The
work is done by `trucewatch.jobs.casework`, which checks the workflow and the roles again. See docs/findings.md.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Body, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from trucewatch.casework import findings as rules, workflow
from trucewatch.casework.access import Identity, Resource, decide
from trucewatch.casework.bundle import zip_bytes
from trucewatch.errors import FindingError, WebError
from trucewatch.jobs import casework
from trucewatch.jobs.bundles import make_bundle
from trucewatch.jobs.casework import Desk, EvidenceView
from trucewatch.records import Complaint, ComplaintTransition, Finding, User
from trucewatch.web.api import ERRORS, ErrorEnvelope, One, Page, complaint_json
from trucewatch.web.guard import GuardedRoute, guard, identity_of, not_found, require
from trucewatch.web.inputs import Text
from trucewatch.web.state import CaseDesk

router = APIRouter(prefix="/api/v1", route_class=GuardedRoute, responses=ERRORS)
CHANGES: dict[int | str, dict[str, Any]] = {  # what a write may also answer
    409: {"model": ErrorEnvelope, "description": "the state is in the way: a complaint's, or a signed finding's "
                                                 "(TW-E801, TW-E804, TW-E805, TW-E808 ... TW-E810, TW-E813)"},
    413: {"model": ErrorEnvelope, "description": "a request body over the limit (TW-E619)"}}
T = TypeVar("T")
Grade = Literal["confirmed", "fair", "weak", "contested", "discounted"]
Attribution = Literal["attributed", "largely attributed", "not attributable"]
SHA256 = r"^[0-9a-f]{64}$"


def user_of(identity: Identity) -> User | None:
    """The caller as the jobs know them; None for the public."""
    if not identity.signed_in:
        return None
    return User(name=identity.name or "", role=identity.role, party=identity.party, guarantor=identity.guarantor,
                user_id=identity.user_id)


def acting(request: Request) -> User:
    """The signed-in caller, for a write (its route's guard has let only signed-in users through)."""
    user = user_of(identity_of(request))
    if user is None:
        raise WebError("TW-E610")
    return user


@contextmanager
def found() -> Iterator[None]:
    """The jobs' "no such finding / complaint" as the API's one "not found" (TW-E616)."""
    try:
        yield
    except FindingError as err:
        if err.code == "TW-E807":
            raise not_found(f"finding {err.details.get('finding_id')!r}") from None
        if err.code == "TW-E815":
            raise not_found(f"complaint {err.details.get('complaint_id')!r}") from None
        raise


def parsed(model: type[T], body: Any) -> T:
    """A body read after the object check: TW-E618 with each problem by field, as FastAPI's own validation says."""
    try:
        return model.model_validate(body if body is not None else {})  # type: ignore[attr-defined]
    except ValidationError as err:
        problems = [{"field": " -> ".join(("body", *(str(p) for p in e["loc"]))), "problem": e["msg"]}
                    for e in err.errors()]
        raise WebError("TW-E618", detail="; ".join(f"[{p['field']}] {p['problem']}" for p in problems),
                       problems=problems) from None


def _complaint(request: Request, desk: Desk, complaint_id: str) -> Complaint:
    found_one = desk.web.get_complaint(complaint_id)
    what = f"complaint {complaint_id!r}"
    if found_one is None:
        raise not_found(what)
    require(identity_of(request), "read", Resource("complaint", party=found_one.party), hide=what)
    return found_one


# --- complaints: history and transitions -----------------------------------------------------------------------


def transition_json(t: ComplaintTransition, identity: Identity, findings: dict[str, Finding]) -> dict[str, Any]:
    shown_finding = t.finding_id if t.finding_id in findings and decide(
        identity, "read", Resource("finding", published=findings[t.finding_id].published)) else None
    return {"seq": t.seq, "from": t.from_state, "to": t.to_state, "by": t.by, "role": t.role, "at": t.at,
            "note": t.note, "finding_id": shown_finding}


def history_json(request: Request, desk: Desk, complaint: Complaint) -> dict[str, Any]:
    """The complaint's state, its history, the transitions the caller may make by hand, and its findings they may
    read."""
    identity = identity_of(request)
    findings = {f.finding_id: f for f in desk.cases.findings(complaint_id=complaint.complaint_id)}
    allowed = workflow.next_states(identity.role, identity.party, complaint.party, complaint.status,
                                   parties=identity.known_parties)
    return {"complaint_id": complaint.complaint_id, "status": complaint.status,
            "history": [transition_json(t, identity, findings) for t in desk.cases.transitions(complaint.complaint_id)],
            "allowed": [{"to": t.to_state, "label": t.label, "note": t.note or None} for t in allowed],
            "findings": [finding_link(f) for f in findings.values()
                         if decide(identity, "read", Resource("finding", published=f.published))]}


@router.get("/complaints/{complaint_id}/transitions", response_model=One, openapi_extra=guard("complaint", "list"))
def complaint_history(request: Request, desk: CaseDesk, complaint_id: str) -> dict[str, Any]:
    """A complaint's state and history (who moved it, when, why), what the caller may do next, and its findings
    the caller may read."""
    return {"data": history_json(request, desk, _complaint(request, desk, complaint_id))}


class TransitionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str = Field(description="the state to move to (docs/findings.md)")
    note: str = Field("", max_length=20_000)


@router.post("/complaints/{complaint_id}/transitions", status_code=201, response_model=One,
             openapi_extra=guard("complaint_transition", "create"), responses=CHANGES)
def move_complaint(request: Request, desk: CaseDesk, complaint_id: str,
                   body: Annotated[dict[str, Any] | None, Body(description='{"to": STATE, "note": TEXT}')] = None,
                   ) -> JSONResponse:
    """Move a complaint: monitors review, ask for information and close; a liaison officer answers a request for
    information on their own party's complaint. Drafting, sealing and publishing a finding move it too."""
    complaint = _complaint(request, desk, complaint_id)
    require(identity_of(request), "create", Resource("complaint_transition", party=complaint.party),
            hide=f"complaint {complaint_id!r}")
    wanted = parsed(TransitionBody, body)
    with found():
        casework.move_complaint(desk, acting(request), complaint_id, wanted.to, wanted.note)
    return JSONResponse({"data": history_json(request, desk, _complaint(request, desk, complaint_id))}, status_code=201)


class OpenBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    party: str = Field(max_length=100, description="the party it is opened for, a party code of the actor "
                                                   "dictionary: its liaison officers see it")
    text: str = Field(max_length=100_000)


@router.post("/incidents/{incident_id}/complaints", status_code=201, response_model=One,
             openapi_extra=guard("complaint_opening", "create"), responses=CHANGES)
def open_complaint(request: Request, desk: CaseDesk, incident_id: str, body: OpenBody) -> JSONResponse:
    """A monitor opens a complaint from an incident, for a party (it starts 'received', like a filed one)."""
    made = casework.open_complaint(desk, acting(request), incident_id, body.party, body.text)
    return JSONResponse({"data": complaint_json(made)}, status_code=201,
                        headers={"Location": f"/api/v1/complaints/{made.complaint_id}"})


# --- evidence --------------------------------------------------------------------------------------------------


def evidence_view_json(complaint: Complaint, v: EvidenceView) -> dict[str, Any]:
    o = v.original
    return {"sha256": v.sha256, "filename": v.filename,
            "original": None if o is None else {"size": o.size, "media_type": o.media_type,
                                                 "received_at": o.received_at, "uploaded_by": o.uploaded_by,
                                                 "source": o.source, "captured_at": o.captured_at},
            "withdrawn": None if v.withdrawal is None else {"by": v.withdrawal.by, "at": v.withdrawal.at,
                                                            "reason": v.withdrawal.reason},
            "annotations": [{"annotation_id": a.annotation_id, "by": a.by, "at": a.at, "anchor": a.anchor,
                             "note": a.note, "copy_sha256": a.copy_sha256} for a in v.annotations],
            "link": f"/api/v1/complaints/{complaint.complaint_id}/evidence/{v.sha256}"}


@router.get("/complaints/{complaint_id}/evidence", response_model=Page, openapi_extra=guard("complaint", "list"))
def complaint_evidence(request: Request, desk: CaseDesk, complaint_id: str) -> dict[str, Any]:
    """A complaint's files with their originals' records (received, uploader, source, capture time) and any
    withdrawal; monitors and admins also see the annotations."""
    complaint = _complaint(request, desk, complaint_id)
    require(identity_of(request), "read", Resource("evidence", party=complaint.party),
            hide=f"complaint {complaint_id!r}")
    views = casework.evidence_of(desk, user_of(identity_of(request)), complaint)
    return {"data": [evidence_view_json(complaint, v) for v in views], "next": None}


@router.post("/complaints/{complaint_id}/evidence/{sha256}/annotations", status_code=201, response_model=One,
             openapi_extra=guard("evidence_annotation", "create"), responses=CHANGES)
def annotate_evidence(request: Request, desk: CaseDesk, complaint_id: str, sha256: str,
                      note: Annotated[str, Form(max_length=20_000)],
                      anchor: Annotated[str, Form(max_length=500)] = "",
                      working_copy: Annotated[UploadFile | None, File(description="an annotated working copy")]
                      = None) -> JSONResponse:
    """A monitor's note on a file (where: `anchor`), with an annotated working copy when sent; the original file
    never changes."""
    _complaint(request, desk, complaint_id)
    upload = working_copy
    working = (upload.file, upload.filename or "working-copy") \
        if upload is not None and (upload.filename or upload.size) else None
    with found():
        made = casework.annotate(desk, acting(request), complaint_id, sha256, note, anchor,
                                 working)
    return JSONResponse({"data": {"annotation_id": made.annotation_id, "sha256": made.sha256, "by": made.by,
                                  "at": made.at, "anchor": made.anchor, "note": made.note,
                                  "copy_sha256": made.copy_sha256}}, status_code=201)


class WithdrawBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=20_000)


@router.post("/complaints/{complaint_id}/evidence/{sha256}/withdrawal", status_code=201, response_model=One,
             openapi_extra=guard("evidence_withdrawal", "create"), responses=CHANGES)
def withdraw_evidence(request: Request, desk: CaseDesk, complaint_id: str, sha256: str,
                      body: Annotated[dict[str, Any] | None, Body(description='{"reason": TEXT}')] = None,
                      ) -> JSONResponse:
    """Withdraw a file from a complaint (its party's liaison officer, or a monitor): recorded, never deleted."""
    complaint = _complaint(request, desk, complaint_id)
    require(identity_of(request), "create", Resource("evidence_withdrawal", party=complaint.party),
            hide=f"complaint {complaint_id!r}")
    wanted = parsed(WithdrawBody, body)
    with found():
        made = casework.withdraw(desk, acting(request), complaint_id, sha256, wanted.reason)
    return JSONResponse({"data": {"complaint_id": made.complaint_id, "sha256": made.sha256, "by": made.by,
                                  "at": made.at, "reason": made.reason}}, status_code=201)


# --- findings --------------------------------------------------------------------------------------------------


def finding_link(f: Finding) -> dict[str, Any]:
    return {"finding_id": f.finding_id, "version": f.version, "grade": f.grade, "sealed": f.sealed,
            "published_at": f.published_at, "link": f"/api/v1/findings/{f.finding_id}"}


def finding_json(f: Finding, identity: Identity, later: Finding | None = None) -> dict[str, Any]:
    """A finding as the caller may see it: the next version is named only when they may read it."""
    superseded_by = f.superseded_by if later is not None and decide(
        identity, "read", Resource("finding", published=later.published)) else None
    return {**rules.content(f), "content_hash": f.content_hash,
            "grade_definition": rules.GRADE_DEFINITIONS[f.grade],
            "attribution_definition": rules.ATTRIBUTION_DEFINITIONS[f.attribution],
            "signatures": [{"guarantor": s.guarantor, "signer": s.signer, "at": s.at, "content_hash": s.content_hash,
                            "key_name": s.key_name, "signature": s.signature} for s in f.signatures],
            "sealed": f.sealed, "missing_guarantors": rules.missing_guarantors(f),
            "published_at": f.published_at, "published_by": f.published_by, "superseded_by": superseded_by,
            "link": f"/api/v1/findings/{f.finding_id}", "bundle": f"/api/v1/findings/{f.finding_id}/bundle"}


def _finding(request: Request, desk: Desk, finding_id: str) -> Finding:
    """The finding, if the caller may read it; "not found" alike when it does not exist and when they may not."""
    what = f"finding {finding_id!r}"
    found_one = desk.cases.finding(finding_id)
    if found_one is None:
        raise not_found(what)
    require(identity_of(request), "read", Resource("finding", published=found_one.published), hide=what)
    return casework.as_signed(found_one)  # TW-E820: never shown as changed after it was signed


def _answer(request: Request, desk: Desk, f: Finding, status: int = 200) -> JSONResponse:
    later = desk.cases.finding(f.superseded_by) if f.superseded_by else None
    return JSONResponse({"data": finding_json(f, identity_of(request), later)}, status_code=status,
                        headers={"Location": f"/api/v1/findings/{f.finding_id}"} if status == 201 else None)


@router.get("/findings", response_model=Page, openapi_extra=guard("finding", "list"))
def list_findings(request: Request, desk: CaseDesk, complaint_id: Text = None,
                  published: bool | None = None) -> dict[str, Any]:
    """The findings the caller may read, every version, newest first: published ones for everyone, drafts for
    monitors and admins. One page."""
    identity = identity_of(request)
    rows = casework.list_findings(desk, user_of(identity), complaint_id)
    if published is not None:
        rows = [f for f in rows if f.published == published]
    return {"data": [finding_link(f) for f in rows], "next": None}


class DraftBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    complaint_ids: list[str] = Field(min_length=1, max_length=100, description="complaints under review it settles")
    agreement_id: str = Field(max_length=200)
    commitment_id: str = Field(max_length=200, description="the commitment at issue")
    grade: Grade
    attribution: Attribution
    attributed_party: str | None = Field(None, max_length=20)
    reasoning: str = Field(max_length=rules.MAX_REASONING)
    incident_ids: list[str] = Field([], max_length=100, description="besides the complaints' own incidents")
    evidence: list[str] = Field([], max_length=500, description="SHA-256s of evidence originals")
    reports: list[str] = Field([], max_length=100, description="reports cited: their texts become evidence")


class ChangeBody(BaseModel):
    """Fields to change (the others stay as they are)."""

    model_config = ConfigDict(extra="forbid")
    incident_ids: list[str] | None = Field(None, max_length=100)
    agreement_id: str | None = Field(None, max_length=200)
    commitment_id: str | None = Field(None, max_length=200)
    grade: Grade | None = None
    attribution: Attribution | None = None
    attributed_party: str | None = Field(None, max_length=20)
    reasoning: str | None = Field(None, max_length=rules.MAX_REASONING)
    evidence: list[str] | None = Field(None, max_length=500)
    reports: list[str] | None = Field(None, max_length=100)

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


@router.post("/findings", status_code=201, response_model=One, openapi_extra=guard("finding", "create"),
             responses=CHANGES)
def draft_finding(request: Request, desk: CaseDesk, body: DraftBody) -> JSONResponse:
    """Draft a finding on complaints under review (they move to 'finding drafted'); monitors only."""
    draft = casework.Draft(**{**body.model_dump(), **{k: tuple(getattr(body, k)) for k in
                                                       ("complaint_ids", "incident_ids", "evidence", "reports")}})
    with found():
        made = casework.draft_finding(desk, acting(request), draft)
    return _answer(request, desk, made, 201)


@router.get("/findings/{finding_id}", response_model=One, openapi_extra=guard("finding", "list"))
def get_finding(request: Request, desk: CaseDesk, finding_id: str) -> JSONResponse:
    """One finding: grade and attribution with their definitions, reasoning, evidence, signatures, versions."""
    return _answer(request, desk, _finding(request, desk, finding_id))


@router.patch("/findings/{finding_id}", response_model=One, openapi_extra=guard("finding", "update"),
              responses=CHANGES)
def edit_finding(request: Request, desk: CaseDesk, finding_id: str, body: ChangeBody) -> JSONResponse:
    """Edit a draft nobody has signed yet. A signed finding is never changed (409, TW-E805): amend it."""
    _finding(request, desk, finding_id)
    with found():
        made = casework.edit_draft(desk, acting(request), finding_id, body.changes())
    return _answer(request, desk, made)


@router.post("/findings/{finding_id}/amend", status_code=201, response_model=One,
             openapi_extra=guard("finding", "create"), responses=CHANGES)
def amend_finding(request: Request, desk: CaseDesk, finding_id: str, body: ChangeBody) -> JSONResponse:
    """A new version of the finding with these changes, superseding it (which stays as it was)."""
    _finding(request, desk, finding_id)
    with found():
        made = casework.amend_finding(desk, acting(request), finding_id, body.changes())
    return _answer(request, desk, made, 201)


class SignBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    content_hash: str = Field(pattern=SHA256, description="the content hash of the finding as you reviewed it")
    key_name: str = Field(min_length=1, max_length=200, description="your registered signing key's name")
    signature: str = Field(min_length=1, max_length=200,
                           description="base64 of the Ed25519 signature of 'trucewatch finding\\n' + content_hash "
                                       "+ '\\n' with that key, made on your machine or in your browser")


@router.post("/findings/{finding_id}/signatures", status_code=201, response_model=One,
             openapi_extra=guard("finding_signature", "create"), responses=CHANGES)
def sign_finding(request: Request, desk: CaseDesk, finding_id: str, body: SignBody) -> JSONResponse:
    """Sign the finding for your guarantor with your own key: send the content hash you reviewed, your key's name
    and the signature you made of it (the server never sees your private key). The second guarantor's signature
    seals it."""
    _finding(request, desk, finding_id)
    with found():
        made = casework.sign_finding(desk, acting(request), finding_id, body.content_hash, body.key_name,
                                     body.signature)
    return _answer(request, desk, made, 201)


@router.post("/findings/{finding_id}/publish", response_model=One,
             openapi_extra=guard("finding_publication", "create"), responses=CHANGES)
def publish_finding(request: Request, desk: CaseDesk, finding_id: str) -> JSONResponse:
    """Publish a sealed finding: from now on anyone may read it and its bundle."""
    _finding(request, desk, finding_id)
    with found():
        made = casework.publish_finding(desk, acting(request), finding_id)
    return _answer(request, desk, made)


@router.get("/findings/{finding_id}/bundle", openapi_extra=guard("finding", "list"),
            responses={200: {"content": {"application/zip": {}}}})
def finding_bundle(request: Request, desk: CaseDesk, finding_id: str, full: Annotated[bool, Query(
        description="every cited evidence original, restricted ones and reports' texts included: monitors and "
                    "admins only")] = False) -> Response:
    """The finding's bundle (zip): finding.json, the evidence marked public (each other cited file listed by SHA-256
    in withheld.json), the audit entries with inclusion proofs (the signing monitor keys' registrations among them),
    the check script and MANIFEST; check it with `sha256sum -c MANIFEST` and `python3 verify_bundle.py`
    (docs/findings.md). Proofs are against the log as it is now; `trucewatch findings export-bundle --checkpoint`
    adds a checkpoint."""
    _finding(request, desk, finding_id)
    if full:
        require(identity_of(request), "read", Resource("finding_bundle_full"))
    with found():
        bundle = make_bundle(desk, user_of(identity_of(request)), finding_id, full=full)
    return Response(zip_bytes(bundle), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{bundle.name}.zip"'})
