"""A finding's bundle as a job over the store: the finding as its reader may see it, its evidence originals from the
evidence folder (for anyone but monitors and admins, only those marked public: the rest are withheld, listed by
SHA-256), and the audit-log entries about it with their inclusion proofs, made into a `Bundle`
(`trucewatch.casework.bundle`, which also zips and writes it). See docs/findings.md.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from trucewatch.audit.checkpoint import Checkpoint, read_checkpoint
from trucewatch.casework.access import Resource, decide
from trucewatch.casework.bundle import Bundle, assemble, audit_proofs, public_copy
from trucewatch.errors import FindingError
from trucewatch.jobs.auditing import verify_audit
from trucewatch.jobs.casework import Desk, get_finding, may_read
from trucewatch.records import User
from trucewatch.storage import Database, evidence as evidence_files


def checked_checkpoint(db: Database, path: Path, origin: str) -> Checkpoint:
    """A kept checkpoint to put in a bundle: co-signed by registered keys of both guarantors, of this log, and the
    log extends it (as `trucewatch audit verify --against` checks). TW-E814 otherwise."""
    found = verify_audit(db, [path], origin=origin)
    if not found.ok:
        problem = found.first.text if found.first else "it does not verify"
        raise FindingError("TW-E814", finding_id="-", detail=f"the checkpoint {path} does not verify: {problem}")
    return read_checkpoint(path)


def make_bundle(desk: Desk, user: User | None, finding_id: str, checkpoint: Checkpoint | None = None,
                full: bool = False) -> Bundle:
    """The bundle of a finding `user` may read (None: the public), with proofs in the checkpoint's tree when one is
    given (it must cover every entry), else in the log as it is now. It carries only the evidence originals marked
    public; `full`: every one the finding cites, for monitors and admins only (TW-E840 for anyone else)."""
    finding = get_finding(desk, user, finding_id)
    if full and (user is None or not decide(desk.identity(user), "read", Resource("finding_bundle_full"))):
        raise FindingError("TW-E840", name=user.name if user else "the public", role=user.role if user else "reader")
    originals = desk.db.cases.originals(finding.evidence)
    evidence = {sha: _evidence_bytes(desk, finding_id, sha) for sha in finding.evidence
                if full or public_copy(originals.get(sha))}
    log = desk.db.audit_log
    size = checkpoint.size if checkpoint is not None else log.count()
    withheld = [sha for sha in finding.evidence if sha not in evidence]
    proofs = audit_proofs(finding, log.iter_entries(), log.leaf_hashes(size), size, checkpoint, withheld)
    versions = [v for v in desk.db.cases.versions(finding.series) if may_read(user, v, desk.parties)]
    return assemble(finding, evidence, originals, versions, proofs, checkpoint)


def _evidence_bytes(desk: Desk, finding_id: str, sha: str) -> bytes:
    """An evidence original's bytes from the evidence folder, checked against the SHA-256 it is kept under."""
    path = evidence_files.path_of(desk.evidence_path, sha)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise FindingError("TW-E814", finding_id=finding_id, detail=f"evidence {sha} cannot be read from the "
                                                                   f"evidence folder ({err.strerror}); restore it "
                                                                   "from a backup") from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise FindingError("TW-E814", finding_id=finding_id, detail=f"the evidence file {path} no longer has the "
                                                                   "SHA-256 it is kept under; restore it")
    return data
