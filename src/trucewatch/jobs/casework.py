"""Verification as plain jobs over the database: complaints moved through their workflow, findings drafted, edited,
signed, published and amended, evidence originals kept, annotated and withdrawn. The HTTP API, the pages and the
CLI (`trucewatch complaints`, `trucewatch findings`) call these; each acts as a `User` and checks what that user's role
may do against the one rule table (`trucewatch.casework.access.decide`, pure) and the workflow
(`trucewatch.casework.workflow`), so the CLI's `--as NAME` is held to the same rules as the web.

Every write appends its audit-log entries in its own transaction (docs/audit.md): `complaint.file`,
`complaint.transition`, `finding.draft`, `finding.edit`, `finding.amend`, `finding.sign`, `finding.publish`,
`evidence.add` (a report's text kept as an evidence original), `evidence.annotate`, `evidence.withdraw`.
"""
from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from trucewatch.audit.log import now_utc
from trucewatch.casework import findings as rules, workflow
from trucewatch.casework.access import Identity, Resource, decide, visible_parties
from trucewatch.conflict import known_parties, load_conflict
from trucewatch.errors import FindingError, WebError
from trucewatch.records import (
    Complaint,
    ComplaintTransition,
    Evidence,
    EvidenceAnnotation,
    EvidenceOriginal,
    EvidenceWithdrawal,
    Finding,
    FindingSignature,
    MonitorKey,
    User,
)
from trucewatch.settings import Settings
from trucewatch.storage import Database, Store, evidence as evidence_files
from trucewatch.storage.audit_log import recorder
from trucewatch.storage.cases import CaseStore
from trucewatch.storage.workplace import WebStore

Entry = tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class Desk:
    """Where casework is done: the database its caller opened, the evidence folder with its size limit, and the
    conflict's parties (those liaison officers speak for and complaints are filed for)."""

    db: Database
    evidence_path: Path
    max_bytes: int
    parties: tuple[str, ...] = field(default_factory=known_parties)

    @classmethod
    def over(cls, db: Database, settings: Settings) -> Desk:
        """A desk over `db` (its caller keeps it open and closes it), with the settings' evidence folder and limit
        and the conflict of their data folder."""
        return cls(db, settings.evidence_path, settings.max_upload_bytes, load_conflict(settings).party_codes)

    def identity(self, user: User | None) -> Identity:
        """Who `user` is to the access rules (the public for None)."""
        return Identity.of(user, self.parties) if user is not None else Identity(parties=self.parties)

    @property
    def cases(self) -> CaseStore:
        return self.db.cases

    @property
    def web(self) -> WebStore:
        return self.db.workplace

    @property
    def store(self) -> Store:
        return self.db.reports


def acting_user(desk: Desk, name: str) -> User:
    """The user to act as (the CLI's --as NAME): TW-E603 unknown, TW-E812 disabled."""
    user = desk.web.get_user(name)
    if user is None:
        raise WebError("TW-E603", name=name)
    if user.disabled:
        raise FindingError("TW-E812", name=name)
    return user


def _may(desk: Desk, user: User, action: str, kind: str, party: str | None = None, what: str = "") -> None:
    """TW-E811 unless the rule table lets this user do it."""
    if not decide(desk.identity(user), action, Resource(kind, party=party)):
        roles = {"finding": "guarantor monitors", "complaint_opening": "guarantor monitors",
                 "evidence_annotation": "guarantor monitors"}.get(kind, "the roles docs/web.md names")
        raise FindingError("TW-E811", name=user.name, role=user.role, roles=roles, action=what or f"{action} {kind}")


# --- complaints ------------------------------------------------------------------------------------------------


def complaint_entry(c: Complaint, role: str) -> Entry:
    """`complaint.file`: who filed it for which party, on which incident, the SHA-256 of its text and of each file."""
    return ("complaint.file", c.complaint_id, {
        "party": c.party, "incident_id": c.incident_id, "role": role,
        "text_sha256": hashlib.sha256(c.text.encode("utf-8")).hexdigest(),
        "evidence": [e.sha256 for e in c.evidence]})


def originals_of(c: Complaint, captured_at: str | None = None, public: Collection[str] = ()) -> list[EvidenceOriginal]:
    """The evidence originals a complaint brings: received when it was filed, uploaded by its filer; those whose
    SHA-256 is in `public` marked public (a published finding's bundle may carry them), the rest restricted."""
    received = c.filed_at.isoformat(timespec="microseconds").replace("+00:00", "Z")
    return [EvidenceOriginal(e.sha256, e.size, e.media_type, e.filename, received, c.filed_by,
                             f"complaint {c.complaint_id}", captured_at, e.sha256 in public) for e in c.evidence]


def file_complaint(desk: Desk, user: User, complaint: Complaint, captured_at: str | None = None,
                   files: Sequence[evidence_files.Received] = (), public: Collection[str] = ()) -> Complaint:
    """Store a complaint, its evidence originals and its `complaint.file` entry (the API's and the form's filing).
    Its evidence `files`, received under temporary names, are moved into place in the same transaction, last;
    if it is not stored after all, those that were not kept before are removed again. `public`: the SHA-256 of the
    files marked public at upload (an original kept before keeps its first marking)."""
    entry, placed = recorder(user.name, complaint_entry(complaint, user.role)), []

    def record(conn: Any) -> None:
        entry(conn)
        placed.extend(evidence_files.settle(files, desk.evidence_path))

    try:
        return desk.web.add_complaint(complaint, originals_of(complaint, captured_at, public), audit=record)
    except BaseException:
        evidence_files.unsettle(placed)
        raise


def open_complaint(desk: Desk, user: User, incident_id: str, party: str, text: str) -> Complaint:
    """A monitor opens a complaint from an incident, on behalf of `party` (whose liaison officers then see it)."""
    _may(desk, user, "create", "complaint_opening", what="open a complaint from an incident")
    problems = []
    if party not in desk.parties:
        problems.append(("body -> party", f"{party!r}: name the party it is opened for, {' or '.join(desk.parties)}"))
    if not text.strip():
        problems.append(("body -> text", "empty; say what is to be examined"))
    if not desk.web.incident_exists(incident_id):
        raise WebError("TW-E616", what=f"incident {incident_id!r}")
    if problems:  # a complaint, not a finding: the request's problems by field (TW-E618)
        raise WebError("TW-E618", detail="; ".join(f"[{f}] {p}" for f, p in problems),
                       problems=[{"field": f, "problem": p} for f, p in problems])
    made = Complaint(complaint_id=f"cmp-{secrets.token_hex(6)}", party=party, text=text.strip(), filed_by=user.name,
                     filed_at=datetime.now(UTC), incident_id=incident_id)
    return file_complaint(desk, user, made)


def get_complaint(desk: Desk, user: User | None, complaint_id: str) -> Complaint:
    """The complaint, if `user` may read it (None: no check); TW-E815 when it does not exist or they may not."""
    found = desk.web.get_complaint(complaint_id)
    if found is None or (user is not None and not _reads(desk, user, found)):
        raise FindingError("TW-E815", complaint_id=complaint_id)
    return found


def list_complaints(desk: Desk, user: User, status: str | None = None) -> list[Complaint]:
    """The complaints `user` may see, newest first."""
    return [c for c in desk.web.iter_complaints(visible_parties(desk.identity(user), "complaint"))
            if _reads(desk, user, c) and (status is None or c.status == status)]


def _reads(desk: Desk, user: User, c: Complaint) -> bool:
    return decide(desk.identity(user), "read", Resource("complaint", party=c.party))


def move_complaint(desk: Desk, user: User, complaint_id: str, to_state: str, note: str = "") -> ComplaintTransition:
    """Move a complaint by hand, as the workflow allows this user (TW-E801..804); logged as `complaint.transition`."""
    c = get_complaint(desk, user, complaint_id)
    workflow.transition(c.complaint_id, user.role, user.party, c.party, c.status, to_state, note=note,
                        parties=desk.parties)
    move = ComplaintTransition(c.complaint_id, 0, c.status, to_state, user.name, user.role, now_utc(), note.strip())
    [done] = desk.cases.move([move], audit=recorder(user.name, transition_entry(move)))
    return done


def answer_request(desk: Desk, user: User, complaint_id: str, note: str,
                   files: Sequence[evidence_files.Received] = (),
                   public_files: Sequence[evidence_files.Received] = ()) -> Complaint:
    """A liaison officer of the complaint's party (or a monitor) answers a request for information with a note and
    files: the files join the complaint's evidence (`files` restricted, `public_files` marked public; a file in both
    stays restricted, and an original kept before keeps its first marking), and the complaint goes from 'needs
    information' back to 'under review' with the note, in one transaction with its entries (`evidence.add` per new
    original, `complaint.transition`). The files, received under temporary names, are moved into place last; the
    caller discards what is left of them. TW-E815 for a complaint the user may not see, TW-E801..803 from the
    workflow (not waiting for an answer; no note)."""
    c = get_complaint(desk, user, complaint_id)
    _may(desk, user, "create", "complaint_answer", party=c.party, what="answer a request for information")
    workflow.transition(c.complaint_id, user.role, user.party, c.party, c.status, "under review", note=note,
                        parties=desk.parties)
    restricted = {f.sha256 for f in files}
    new = list({f.sha256: f for f in (*files, *public_files) if f.sha256 not in {e.sha256 for e in c.evidence}}
               .values())
    at = now_utc()
    known = desk.cases.originals(f.sha256 for f in new)
    originals = [EvidenceOriginal(f.sha256, f.size, f.media_type, f.filename or f"evidence-{f.sha256[:12]}", at,
                                  user.name, f"complaint {c.complaint_id} (an answer)",
                                  public=f.sha256 not in restricted) for f in new if f.sha256 not in known]
    named = {o.sha256: o.filename for o in originals}
    evidence = [Evidence(f.sha256, named.get(f.sha256) or f.filename or f"evidence-{f.sha256[:12]}",
                         f.media_type, f.size) for f in new]
    move = ComplaintTransition(c.complaint_id, 0, c.status, "under review", user.name, user.role, at, note.strip())
    action, subject, payload = transition_entry(move)
    entries = [*(_answered(o, c.complaint_id) for o in originals),
               (action, subject, {**payload, "evidence": [e.sha256 for e in evidence]})]
    log, placed = recorder(user.name, *entries), []

    def record(conn: Any) -> None:
        log(conn)
        placed.extend(evidence_files.settle([*files, *public_files], desk.evidence_path))

    try:
        return desk.web.add_evidence(c.complaint_id, evidence, originals, [move], audit=record)
    except BaseException:
        evidence_files.unsettle(placed)
        raise


def _answered(o: EvidenceOriginal, complaint_id: str) -> Entry:
    """`evidence.add` for a file an answer brings: as for any original, with its complaint and its marking."""
    action, subject, payload = _added(o)
    return (action, subject, {**payload, "complaint_id": complaint_id, "public": o.public})


def transition_entry(t: ComplaintTransition) -> Entry:
    return ("complaint.transition", t.complaint_id, {"from": t.from_state, "to": t.to_state, "role": t.role,
                                                     "note": t.note, "finding_id": t.finding_id})


def _moves(desk: Desk, user: User, complaint_ids: Sequence[str], from_state: str, to_state: str,
           finding_id: str, before: Mapping[str, str] | None = None) -> list[ComplaintTransition]:
    """The moves a finding makes: each of its complaints now in `from_state` (or in it after `before`, moves made
    first in the same write) goes to `to_state`."""
    states = {**desk.cases.complaint_states(complaint_ids), **(before or {})}
    parties = desk.cases.complaint_parties(complaint_ids)
    moves, at = [], now_utc()
    for cid in complaint_ids:
        if states.get(cid) != from_state:
            continue
        workflow.transition(cid, user.role, user.party, parties[cid], from_state, to_state, via=workflow.BY_FINDING,
                            parties=desk.parties)
        moves.append(ComplaintTransition(cid, 0, from_state, to_state, user.name, user.role, at, "", finding_id))
    return moves


# --- findings --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """What a monitor writes: the finding's fields, and reports to cite (their texts become evidence originals)."""

    complaint_ids: tuple[str, ...]
    agreement_id: str
    commitment_id: str
    grade: str
    attribution: str
    reasoning: str
    attributed_party: str | None = None
    incident_ids: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    reports: tuple[str, ...] = ()

    def fields(self) -> dict[str, Any]:
        return {"complaint_ids": self.complaint_ids, "agreement_id": self.agreement_id,
                "commitment_id": self.commitment_id, "grade": self.grade, "attribution": self.attribution,
                "reasoning": self.reasoning, "attributed_party": self.attributed_party or None,
                "incident_ids": self.incident_ids, "evidence": self.evidence}


def draft_finding(desk: Desk, user: User, draft: Draft) -> Finding:
    """Draft a finding on complaints under review: they move to 'finding drafted'. TW-E806 with every mistake."""
    _may(desk, user, "create", "finding", what="draft findings")
    complaints = [c for c in map(desk.web.get_complaint, draft.complaint_ids) if c is not None]
    incidents = tuple(dict.fromkeys((*draft.incident_ids, *(c.incident_id for c in complaints if c.incident_id))))
    kept, originals = _report_originals(desk, user, draft.reports)
    draft = replace(draft, incident_ids=incidents, evidence=tuple(sorted({*draft.evidence, *kept})))
    _check(desk, draft.fields(), "under review", kept)
    finding_id = f"fnd-{secrets.token_hex(6)}"
    finding = _hashed(Finding(finding_id=finding_id, version=1, series=finding_id, drafted_by=user.name,
                                      drafted_at=now_utc(), **_content_fields(draft.fields())))
    moves = _moves(desk, user, finding.complaint_ids, "under review", "finding drafted", finding_id)
    entries = [*(_added(o) for o in originals), finding_entry("finding.draft", finding),
               *(transition_entry(m) for m in moves)]
    return desk.cases.add_finding(finding, moves, originals, audit=recorder(user.name, *entries))


def edit_draft(desk: Desk, user: User, finding_id: str, changes: Mapping[str, Any]) -> Finding:
    """Change a draft nobody has signed yet, in place (TW-E805 once anyone has: amend it instead)."""
    _may(desk, user, "update", "finding", what="edit findings")
    old = get_finding(desk, user, finding_id)
    if old.signatures:
        raise FindingError("TW-E805", finding_id=finding_id, detail=rules.edit_problem(old))
    if old.superseded_by:
        raise FindingError("TW-E810", finding_id=finding_id, detail=rules.amend_problem(old))
    new, originals = _changed(desk, user, old, changes)
    new = _hashed(replace(new, drafted_at=old.drafted_at, drafted_by=old.drafted_by))
    entry = ("finding.edit", finding_id, {**finding_payload(new), "was": old.content_hash})
    return desk.cases.replace_draft(new, originals, audit=recorder(user.name, *(_added(o) for o in originals), entry))


def amend_finding(desk: Desk, user: User, finding_id: str, changes: Mapping[str, Any]) -> Finding:
    """A new version of a finding (the latest of its series), with the changes: it supersedes the old one, which
    stays as it is. TW-E810 for a superseded version."""
    _may(desk, user, "create", "finding", what="amend findings")
    old = get_finding(desk, user, finding_id)
    problem = rules.amend_problem(old)
    if problem:
        raise FindingError("TW-E810", finding_id=finding_id, detail=problem)
    new, originals = _changed(desk, user, old, changes)
    new_id = f"fnd-{secrets.token_hex(6)}"
    new = _hashed(replace(new, finding_id=new_id, version=old.version + 1, supersedes=old.finding_id,
                                  drafted_by=user.name, drafted_at=now_utc(), signatures=(), published_at=None,
                                  published_by=None, superseded_by=None))
    entries = [*(_added(o) for o in originals), finding_entry("finding.amend", new)]
    return desk.cases.add_finding(new, (), originals, audit=recorder(user.name, *entries))


def _changed(desk: Desk, user: User, old: Finding,
             changes: Mapping[str, Any]) -> tuple[Finding, list[EvidenceOriginal]]:
    """The finding with `changes` (fields of EDITABLE, and `reports` to cite) applied and checked."""
    unknown = sorted(set(changes) - {*rules.EDITABLE, "reports"})
    _refuse([(f"body -> {name}", "not a field that can be changed") for name in unknown])
    if "complaint_ids" in changes and sorted(changes["complaint_ids"]) != sorted(old.complaint_ids):
        _refuse([("body -> complaint_ids", "the complaints of a finding do not change; draft another finding")])
    kept, originals = _report_originals(desk, user, tuple(changes.get("reports") or ()))
    fields = {**{name: getattr(old, name) for name in rules.EDITABLE},
              **{k: v for k, v in changes.items() if k != "reports"}}
    fields["evidence"] = tuple(sorted({*fields.get("evidence", ()), *kept}))
    fields["attributed_party"] = fields.get("attributed_party") or None
    _check(desk, fields, None, kept)
    return replace(old, **_content_fields(fields)), originals


def sign_finding(desk: Desk, user: User | None, finding_id: str, content_hash: str, key_name: str,
                 signature: str) -> Finding:
    """Store a guarantor monitor's signature of the content hash they reviewed, made with their own key
    (`rules.signed_message`, Ed25519, base64). The key's holder is the signer; `user`, when given (the web's
    signed-in monitor), must be that holder. The second guarantor's signature seals the finding: its complaints go to
    'finding signed'. TW-E832 for an unknown or revoked key, TW-E834 for another monitor's key, TW-E833 for a
    signature that does not verify, TW-E835 for a second signature of a guarantor or monitor, TW-E808 when the
    finding cannot be signed (hash, superseded, sealed)."""
    key, signer = _signing_key(desk, user, key_name)
    _may(desk, signer, "create", "finding_signature", what="sign findings")
    finding = get_finding(desk, signer, finding_id)
    problem = rules.state_problem(finding, key.guarantor, content_hash)
    if problem:
        raise FindingError("TW-E808", finding_id=finding_id, detail=problem)
    twice = rules.double_sign_problem(finding, key.guarantor, signer.name)
    if twice:
        raise FindingError("TW-E835", finding_id=finding_id, detail=twice)
    signature = _verified(key, finding.content_hash, signature)
    made = FindingSignature(finding_id, key.guarantor, signer.name, now_utc(), finding.content_hash, key.name,
                            signature)
    sealed = replace(finding, signatures=(*finding.signatures, made)).sealed
    moves = _moves(desk, signer, finding.complaint_ids, "finding drafted", "finding signed", finding_id) \
        if sealed else []
    entry = ("finding.sign", finding_id, {"content_hash": finding.content_hash, "guarantor": made.guarantor,
                                          "sealed": sealed, "version": finding.version, "key_name": key.name,
                                          "signature": signature})
    return desk.cases.add_signature(made, moves,
                                    audit=recorder(signer.name, entry, *(transition_entry(m) for m in moves)))


def _signing_key(desk: Desk, user: User | None, key_name: str) -> tuple[MonitorKey, User]:
    """The active key `key_name` and its holder, who must be an enabled monitor of the key's guarantor (and `user`,
    when given)."""
    key = desk.db.keys.get(key_name)
    if key is None:
        raise FindingError("TW-E832", key_name=key_name, detail="no key of that name is registered")
    if not key.active:
        raise FindingError("TW-E832", key_name=key_name, detail=f"it was revoked at {key.revoked_at} by "
                                                                f"{key.revoked_by}")
    if user is not None and user.name != key.user:
        raise FindingError("TW-E834", key_name=key_name, holder=key.user, name=user.name)
    holder = acting_user(desk, key.user) if user is None else user
    if holder.disabled:
        raise FindingError("TW-E812", name=holder.name)
    if holder.role != "monitor" or holder.guarantor != key.guarantor:
        raise FindingError("TW-E832", key_name=key_name, detail=f"it was registered for a monitor of "
                                                                f"{key.guarantor}, and {holder.name} is now a "
                                                                f"{holder.role} {holder.guarantor or ''}".rstrip())
    return key, holder


def _verified(key: MonitorKey, content_hash: str, signature: str) -> str:
    """The signature as stored (base64, as given less white space) if it verifies; TW-E833 otherwise."""
    given = "".join(signature.split())
    try:
        rules.signature_bytes(given)
    except ValueError as err:
        raise FindingError("TW-E833", key_name=key.name, content_hash=content_hash, detail=str(err)) from None
    if not rules.verifies(key.public_key, content_hash, given):
        raise FindingError("TW-E833", key_name=key.name, content_hash=content_hash,
                           detail="made with another key, or over other bytes")
    return given


def publish_finding(desk: Desk, user: User, finding_id: str) -> Finding:
    """Publish a sealed finding: anyone may read it from now on; its complaints go to 'published'. TW-E809 when it
    is not sealed, superseded or published already."""
    _may(desk, user, "create", "finding_publication", what="publish findings")
    finding = get_finding(desk, user, finding_id)
    problem = rules.publish_problem(finding)
    if problem:
        raise FindingError("TW-E809", finding_id=finding_id, detail=problem)
    # complaints still 'finding drafted' (two signatures made at once: neither saw the other seal it) catch up
    signed = _moves(desk, user, finding.complaint_ids, "finding drafted", "finding signed", finding_id)
    caught_up = {m.complaint_id: "finding signed" for m in signed}
    moves = signed + _moves(desk, user, finding.complaint_ids, "finding signed", "published", finding_id, caught_up)
    entry = ("finding.publish", finding_id, {"content_hash": finding.content_hash, "version": finding.version,
                                             "supersedes": finding.supersedes})
    return desk.cases.add_publication(finding_id, user.name, now_utc(), moves,
                                      audit=recorder(user.name, entry, *(transition_entry(m) for m in moves)))


def get_finding(desk: Desk, user: User | None, finding_id: str) -> Finding:
    """The finding, if `user` may read it (published: anyone, None the public; else monitors and admins);
    TW-E807 when it does not exist or they may not, TW-E820 when it was changed after it was signed."""
    found = desk.cases.finding(finding_id)
    if found is None or not may_read(user, found, desk.parties):
        raise FindingError("TW-E807", finding_id=finding_id)
    return as_signed(found)


def as_signed(finding: Finding) -> Finding:
    """The finding, if its content still hashes to what its signatures are of; TW-E820 when it was changed after it
    was signed (behind trucewatch's back: the triggers refuse it), so no door shows the changed content."""
    problem = rules.changed_after_signing(finding)
    if problem:
        raise FindingError("TW-E820", finding_id=finding.finding_id, detail=problem)
    return finding


def may_read(user: User | None, finding: Finding, parties: Sequence[str] | None = None) -> bool:
    """Whether `user` (None: the public) may read the finding; `parties`: the conflict's (`Desk.parties`)."""
    identity = Identity.of(user, parties) if user is not None else Identity()
    return decide(identity, "read", Resource("finding", published=finding.published))


def list_findings(desk: Desk, user: User | None, complaint_id: str | None = None) -> list[Finding]:
    """The findings `user` may read (every version), newest first."""
    return [f for f in desk.cases.findings(complaint_id=complaint_id) if may_read(user, f, desk.parties)]


def finding_payload(f: Finding) -> dict[str, Any]:
    return {"content_hash": f.content_hash, "version": f.version, "series": f.series, "supersedes": f.supersedes,
            "complaint_ids": sorted(f.complaint_ids), "grade": f.grade, "attribution": f.attribution,
            "attributed_party": f.attributed_party, "evidence": sorted(f.evidence)}


def finding_entry(action: str, f: Finding) -> Entry:
    return (action, f.finding_id, finding_payload(f))


def _content_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {"complaint_ids": tuple(sorted(fields["complaint_ids"])),
            "incident_ids": tuple(sorted(fields.get("incident_ids") or ())),
            "agreement_id": fields["agreement_id"], "commitment_id": fields["commitment_id"],
            "grade": fields["grade"], "attribution": fields["attribution"],
            "attributed_party": fields.get("attributed_party") or None, "reasoning": str(fields["reasoning"]).strip(),
            "evidence": tuple(sorted(fields.get("evidence") or ()))}


def _hashed(f: Finding) -> Finding:
    """The finding with its content hash computed."""
    return replace(f, content_hash=rules.content_hash(f))


def _check(desk: Desk, fields: Mapping[str, Any], complaint_state: str | None, reports: Sequence[str] = ()) -> None:
    """TW-E806 with every mistake; `reports`: the SHA-256s of the reports' texts this write keeps."""
    agreements = desk.store.agreements()
    shas = [str(s) for s in fields.get("evidence") or ()]
    known = rules.Known(
        complaint_states=desk.cases.complaint_states(fields.get("complaint_ids") or ()),
        incidents={i for i in fields.get("incident_ids") or () if desk.web.incident_exists(i)},
        commitments={a.agreement_id: {c.commitment_id for c in a.commitments} for a in agreements},
        parties={a.agreement_id: {p.code for p in a.parties} for a in agreements},
        evidence={*desk.cases.originals(shas), *reports},
        withdrawn={w.sha256 for w in desk.cases.withdrawals(shas=shas)},
        complaint_state=complaint_state)
    _refuse(rules.draft_problems(fields, known))


def _refuse(problems: Sequence[tuple[str, str]]) -> None:
    if problems:
        raise FindingError("TW-E806", detail="; ".join(f"[{f}] {p}" for f, p in problems),
                           problems=[{"field": f, "problem": p} for f, p in problems])


def _report_originals(desk: Desk, user: User, report_ids: Sequence[str]) -> tuple[list[str], list[EvidenceOriginal]]:
    """Reports cited as evidence: their texts kept as evidence originals (trucewatch keeps a report's text, not its
    original file, whose SHA-256 the source names)."""
    shas, originals = [], []
    for i, report_id in enumerate(report_ids):
        report = desk.store.get_report(report_id)
        if report is None:
            _refuse([(f"body -> reports -> {i}", f"no report {report_id!r}; see /api/v1/reports")])
            continue
        sha, size = evidence_files.keep(io.BytesIO(report.text.encode("utf-8")), desk.evidence_path, desk.max_bytes)
        shas.append(sha)
        originals.append(EvidenceOriginal(
            sha, size, "text/plain; charset=utf-8", f"{report.report_id}.txt", now_utc(), user.name,
            f"report {report.report_id}: its text as trucewatch extracted it (the original file, SHA-256 "
            f"{report.sha256}, is not kept)", report.published.isoformat()))
    known = desk.cases.originals(shas)
    return shas, [o for o in originals if o.sha256 not in known]


def _added(o: EvidenceOriginal) -> Entry:
    return ("evidence.add", o.sha256, {"size": o.size, "source": o.source, "filename": o.filename,
                                       "captured_at": o.captured_at})


# --- evidence --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceView:
    """One file of a complaint with its original's record, its withdrawal (if any) and monitors' annotations."""

    sha256: str
    filename: str
    original: EvidenceOriginal | None
    withdrawal: EvidenceWithdrawal | None
    annotations: tuple[EvidenceAnnotation, ...]


def evidence_of(desk: Desk, user: User | None, complaint: Complaint) -> list[EvidenceView]:
    """The complaint's files as `user` may see them: annotations for monitors and admins only."""
    shas = [e.sha256 for e in complaint.evidence]
    originals = desk.cases.originals(shas)
    withdrawn = {w.sha256: w for w in desk.cases.withdrawals(complaint.complaint_id)}
    staff = user is not None and decide(desk.identity(user), "read", Resource("evidence_annotation"))
    notes = desk.cases.annotations(complaint.complaint_id) if staff else []
    return [EvidenceView(e.sha256, e.filename, originals.get(e.sha256), withdrawn.get(e.sha256),
                         tuple(a for a in notes if a.sha256 == e.sha256)) for e in complaint.evidence]


def _file_of(desk: Desk, user: User, complaint_id: str, sha256: str) -> Complaint:
    c = get_complaint(desk, user, complaint_id)
    if sha256 not in {e.sha256 for e in c.evidence}:
        raise FindingError("TW-E813", sha256=sha256[:80], complaint_id=complaint_id,
                           detail="not a file of this complaint")
    return c


def annotate(desk: Desk, user: User, complaint_id: str, sha256: str, note: str, anchor: str = "",
             copy: tuple[BinaryIO, str] | None = None) -> EvidenceAnnotation:
    """A monitor's note on a file of a complaint, with an annotated working copy (a file and its name) when given;
    the original is never touched. Logged as `evidence.annotate`."""
    _may(desk, user, "create", "evidence_annotation", what="annotate evidence")
    _file_of(desk, user, complaint_id, sha256)
    if not note.strip():
        _refuse([("body -> note", "empty; say what the annotation points out")])
    annotation_id = f"ann-{secrets.token_hex(6)}"
    kept = None
    if copy is not None:
        copy_sha, size = evidence_files.keep(copy[0], desk.evidence_path, desk.max_bytes)
        kept = EvidenceOriginal(copy_sha, size, "application/octet-stream", evidence_files.safe_filename(copy[1]),
                                now_utc(), user.name, f"working copy of {sha256}, annotation {annotation_id}")
    made = EvidenceAnnotation(annotation_id, complaint_id, sha256, user.name, now_utc(), note.strip(),
                              anchor.strip(), kept.sha256 if kept else None)
    entry = ("evidence.annotate", sha256, {"complaint_id": complaint_id, "annotation_id": annotation_id,
                                           "anchor": made.anchor, "note": made.note, "copy_sha256": made.copy_sha256})
    return desk.cases.annotate(made, kept, audit=recorder(user.name, entry))


def withdraw(desk: Desk, user: User, complaint_id: str, sha256: str, reason: str) -> EvidenceWithdrawal:
    """Withdraw a file from a complaint (its party's liaison officer, or a monitor): a recorded event; the file and
    its record stay. Logged as `evidence.withdraw`."""
    c = _file_of(desk, user, complaint_id, sha256)
    _may(desk, user, "create", "evidence_withdrawal", party=c.party, what="withdraw this evidence")
    if any(w.sha256 == sha256 for w in desk.cases.withdrawals(complaint_id)):
        raise FindingError("TW-E813", sha256=sha256, complaint_id=complaint_id, detail="withdrawn already")
    if not reason.strip():
        _refuse([("body -> reason", "empty; say why it is withdrawn")])
    made = EvidenceWithdrawal(complaint_id, sha256, user.name, now_utc(), reason.strip())
    entry = ("evidence.withdraw", sha256, {"complaint_id": complaint_id, "reason": made.reason})
    return desk.cases.withdraw(made, audit=recorder(user.name, entry))
