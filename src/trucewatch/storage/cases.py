"""Verification's part of the store: complaints' history (transitions), findings with their signatures and
publications, evidence originals, annotations and withdrawals (migration 0006_findings).

Only SQL lives here; what may be done is `trucewatch.casework.workflow` and `trucewatch.casework.findings`, and the jobs
are `trucewatch.jobs.casework`. Every write takes an `audit` hook (trucewatch.storage.audit_log.recorder) that appends
its audit-log entries on the write's connection, after the write: both commit, or neither does. Nothing here deletes
a row but a draft's lists when the draft is edited before anyone signs it; the triggers refuse the rest.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine, Table, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Row

from trucewatch.errors import FindingError
from trucewatch.records import (
    ComplaintTransition,
    EvidenceAnnotation,
    EvidenceOriginal,
    EvidenceWithdrawal,
    Finding,
    FindingSignature,
)
from trucewatch.storage.repository import AuditHook, write_transaction
from trucewatch.storage.schema import (
    ComplaintRow,
    ComplaintTransitionRow,
    EvidenceAnnotationRow,
    EvidenceOriginalRow,
    EvidenceWithdrawalRow,
    FindingComplaintRow,
    FindingEvidenceRow,
    FindingIncidentRow,
    FindingPublicationRow,
    FindingRow,
    FindingSignatureRow,
)

COMPLAINTS: Table = ComplaintRow.__table__  # type: ignore[assignment]
TRANSITIONS: Table = ComplaintTransitionRow.__table__  # type: ignore[assignment]
ORIGINALS: Table = EvidenceOriginalRow.__table__  # type: ignore[assignment]
ANNOTATIONS: Table = EvidenceAnnotationRow.__table__  # type: ignore[assignment]
WITHDRAWALS: Table = EvidenceWithdrawalRow.__table__  # type: ignore[assignment]
FINDINGS: Table = FindingRow.__table__  # type: ignore[assignment]
FINDING_COMPLAINTS: Table = FindingComplaintRow.__table__  # type: ignore[assignment]
FINDING_INCIDENTS: Table = FindingIncidentRow.__table__  # type: ignore[assignment]
FINDING_EVIDENCE: Table = FindingEvidenceRow.__table__  # type: ignore[assignment]
SIGNATURES: Table = FindingSignatureRow.__table__  # type: ignore[assignment]
PUBLICATIONS: Table = FindingPublicationRow.__table__  # type: ignore[assignment]
FINDING_COLUMNS = ("finding_id", "version", "series", "supersedes", "agreement_id", "commitment_id", "grade",
                   "attribution", "attributed_party", "reasoning", "drafted_by", "drafted_at", "content_hash")


def insert_originals(conn: Connection, originals: Iterable[EvidenceOriginal]) -> list[EvidenceOriginal]:
    """Keep the record of each original not kept yet (the first upload of a file is its record); returns those
    that were new."""
    added = []
    for o in originals:
        if conn.execute(select(ORIGINALS.c.sha256).where(ORIGINALS.c.sha256 == o.sha256)).first() is None:
            conn.execute(insert(ORIGINALS), [_original_row(o)])
            added.append(o)
    return added


def apply_moves(conn: Connection, moves: Sequence[ComplaintTransition]) -> list[ComplaintTransition]:
    """Move each complaint from its `from_state` to its `to_state` and add the move to its history; TW-E801 when a
    complaint is no longer in `from_state` (someone moved it meanwhile)."""
    done = []
    for m in moves:
        changed = conn.execute(update(COMPLAINTS).where(COMPLAINTS.c.complaint_id == m.complaint_id,
                                                        COMPLAINTS.c.status == m.from_state)
                               .values(status=m.to_state)).rowcount
        if changed != 1:
            now = conn.execute(select(COMPLAINTS.c.status).where(COMPLAINTS.c.complaint_id == m.complaint_id)).scalar()
            raise FindingError("TW-E801", complaint_id=m.complaint_id, state=now, to_state=m.to_state,
                               choices="(it was moved meanwhile: look again)")
        seq = int(conn.execute(select(func.coalesce(func.max(TRANSITIONS.c.seq), 0))
                               .where(TRANSITIONS.c.complaint_id == m.complaint_id)).scalar_one()) + 1
        made = ComplaintTransition(m.complaint_id, seq, m.from_state, m.to_state, m.by, m.role, m.at, m.note,
                                   m.finding_id)
        conn.execute(insert(TRANSITIONS), [_transition_row(made)])
        done.append(made)
    return done


class CaseStore:
    """Complaints' history, findings, evidence originals. A view over an open `Database` (`db.cases`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- complaints' history -------------------------------------------------------------------------------------

    def move(self, moves: Sequence[ComplaintTransition], audit: AuditHook | None = None) -> list[ComplaintTransition]:
        with write_transaction(self.engine) as conn:
            done = apply_moves(conn, moves)
            if audit is not None:
                audit(conn)
        return done

    def transitions(self, complaint_id: str) -> list[ComplaintTransition]:
        stmt = select(TRANSITIONS).where(TRANSITIONS.c.complaint_id == complaint_id).order_by(TRANSITIONS.c.seq)
        with self.engine.connect() as conn:
            return [_transition(row) for row in conn.execute(stmt)]

    def complaint_states(self, complaint_ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(complaint_ids))
        with self.engine.connect() as conn:
            rows = conn.execute(select(COMPLAINTS.c.complaint_id, COMPLAINTS.c.status)
                                .where(COMPLAINTS.c.complaint_id.in_(ids))).all() if ids else []
        return {row.complaint_id: row.status for row in rows}

    def complaint_parties(self, complaint_ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(complaint_ids))
        with self.engine.connect() as conn:
            rows = conn.execute(select(COMPLAINTS.c.complaint_id, COMPLAINTS.c.party)
                                .where(COMPLAINTS.c.complaint_id.in_(ids))).all() if ids else []
        return {row.complaint_id: row.party for row in rows}

    # --- evidence ------------------------------------------------------------------------------------------------

    def add_originals(self, originals: Sequence[EvidenceOriginal], audit: AuditHook | None = None) -> None:
        with write_transaction(self.engine) as conn:
            insert_originals(conn, originals)
            if audit is not None:
                audit(conn)

    def originals(self, shas: Iterable[str]) -> dict[str, EvidenceOriginal]:
        wanted = list(dict.fromkeys(shas))
        with self.engine.connect() as conn:
            rows = conn.execute(select(ORIGINALS).where(ORIGINALS.c.sha256.in_(wanted))).all() if wanted else []
        return {row.sha256: _original(row) for row in rows}

    def annotate(self, annotation: EvidenceAnnotation, copy: EvidenceOriginal | None = None,
                 audit: AuditHook | None = None) -> EvidenceAnnotation:
        with write_transaction(self.engine) as conn:
            if copy is not None:
                insert_originals(conn, [copy])
            conn.execute(insert(ANNOTATIONS), [_annotation_row(annotation)])
            if audit is not None:
                audit(conn)
        return annotation

    def annotations(self, complaint_id: str) -> list[EvidenceAnnotation]:
        stmt = (select(ANNOTATIONS).where(ANNOTATIONS.c.complaint_id == complaint_id)
                .order_by(ANNOTATIONS.c.at, ANNOTATIONS.c.annotation_id))
        with self.engine.connect() as conn:
            return [_annotation(row) for row in conn.execute(stmt)]

    def withdraw(self, withdrawal: EvidenceWithdrawal, audit: AuditHook | None = None) -> EvidenceWithdrawal:
        with write_transaction(self.engine) as conn:
            conn.execute(insert(WITHDRAWALS), [_withdrawal_row(withdrawal)])
            if audit is not None:
                audit(conn)
        return withdrawal

    def withdrawals(self, complaint_id: str | None = None,
                    shas: Iterable[str] | None = None) -> list[EvidenceWithdrawal]:
        stmt = select(WITHDRAWALS).order_by(WITHDRAWALS.c.at)
        if complaint_id is not None:
            stmt = stmt.where(WITHDRAWALS.c.complaint_id == complaint_id)
        if shas is not None:
            stmt = stmt.where(WITHDRAWALS.c.sha256.in_(list(dict.fromkeys(shas))))
        with self.engine.connect() as conn:
            return [_withdrawal(row) for row in conn.execute(stmt)]

    # --- findings ------------------------------------------------------------------------------------------------

    def add_finding(self, finding: Finding, moves: Sequence[ComplaintTransition] = (),
                    originals: Sequence[EvidenceOriginal] = (), audit: AuditHook | None = None) -> Finding:
        """Store a new finding (a draft, or a new version of one), the evidence originals it brings (reports' texts)
        and the complaints it moves."""
        with write_transaction(self.engine) as conn:
            insert_originals(conn, originals)
            conn.execute(insert(FINDINGS), [{name: getattr(finding, name) for name in FINDING_COLUMNS}])
            _insert_lists(conn, finding)
            apply_moves(conn, moves)
            if audit is not None:
                audit(conn)
        return self.finding(finding.finding_id) or finding

    def replace_draft(self, finding: Finding, originals: Sequence[EvidenceOriginal] = (),
                      audit: AuditHook | None = None) -> Finding:
        """Edit a draft nobody has signed (the triggers refuse it otherwise)."""
        with write_transaction(self.engine) as conn:
            insert_originals(conn, originals)
            values = {name: getattr(finding, name) for name in FINDING_COLUMNS if name != "finding_id"}
            conn.execute(update(FINDINGS).where(FINDINGS.c.finding_id == finding.finding_id).values(**values))
            for table in (FINDING_COMPLAINTS, FINDING_INCIDENTS, FINDING_EVIDENCE):
                conn.execute(delete(table).where(table.c.finding_id == finding.finding_id))
            _insert_lists(conn, finding)
            if audit is not None:
                audit(conn)
        return self.finding(finding.finding_id) or finding

    def add_signature(self, signature: FindingSignature, moves: Sequence[ComplaintTransition] = (),
                      audit: AuditHook | None = None) -> Finding:
        s = signature
        with write_transaction(self.engine) as conn:
            conn.execute(insert(SIGNATURES), [{"finding_id": s.finding_id, "guarantor": s.guarantor, "signer": s.signer,
                                               "at": s.at, "content_hash": s.content_hash,
                                               "key_name": s.key_name or None, "signature": s.signature or None}])
            apply_moves(conn, moves)
            if audit is not None:
                audit(conn)
        return self.finding(s.finding_id)  # type: ignore[return-value]

    def add_publication(self, finding_id: str, by: str, at: str, moves: Sequence[ComplaintTransition] = (),
                        audit: AuditHook | None = None) -> Finding:
        with write_transaction(self.engine) as conn:
            conn.execute(insert(PUBLICATIONS), [{"finding_id": finding_id, "by": by, "at": at}])
            apply_moves(conn, moves)
            if audit is not None:
                audit(conn)
        return self.finding(finding_id)  # type: ignore[return-value]

    def finding(self, finding_id: str) -> Finding | None:
        found = self._findings(FINDINGS.c.finding_id == finding_id)
        return found[0] if found else None

    def findings(self, *, published_only: bool = False, complaint_id: str | None = None) -> list[Finding]:
        """Every finding (each version), newest draft first; only published ones when asked."""
        where: list[Any] = []
        if published_only:
            where.append(FINDINGS.c.finding_id.in_(select(PUBLICATIONS.c.finding_id)))
        if complaint_id is not None:
            where.append(FINDINGS.c.finding_id.in_(select(FINDING_COMPLAINTS.c.finding_id)
                                                   .where(FINDING_COMPLAINTS.c.complaint_id == complaint_id)))
        return self._findings(*where)

    def versions(self, series: str) -> list[Finding]:
        return sorted(self._findings(FINDINGS.c.series == series), key=lambda f: f.version)

    def _findings(self, *where: Any) -> list[Finding]:
        stmt = select(FINDINGS).where(*where).order_by(FINDINGS.c.drafted_at.desc(), FINDINGS.c.finding_id)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
            ids = [row.finding_id for row in rows]
            lists = _lists(conn, ids)
            signatures = _signatures(conn, ids)
            published = {row.finding_id: row for row in conn.execute(
                select(PUBLICATIONS).where(PUBLICATIONS.c.finding_id.in_(ids)))} if ids else {}
            later = dict(conn.execute(select(FINDINGS.c.supersedes, FINDINGS.c.finding_id)
                                      .where(FINDINGS.c.supersedes.in_(ids))).all()) if ids else {}
        return [_finding(row, lists, signatures.get(row.finding_id, ()), published.get(row.finding_id),
                         later.get(row.finding_id)) for row in rows]


def _insert_lists(conn: Connection, f: Finding) -> None:
    for table, column, values in ((FINDING_COMPLAINTS, "complaint_id", f.complaint_ids),
                                  (FINDING_INCIDENTS, "incident_id", f.incident_ids),
                                  (FINDING_EVIDENCE, "sha256", f.evidence)):
        if values:
            conn.execute(insert(table), [{"finding_id": f.finding_id, column: v} for v in sorted(set(values))])


def _lists(conn: Connection, ids: list[str]) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    if not ids:
        return found
    for table, column in ((FINDING_COMPLAINTS, "complaint_id"), (FINDING_INCIDENTS, "incident_id"),
                          (FINDING_EVIDENCE, "sha256")):
        stmt = select(table.c.finding_id, table.c[column]).where(table.c.finding_id.in_(ids)).order_by(table.c[column])
        for finding_id, value in conn.execute(stmt):
            found[(finding_id, column)].append(value)
    return found


def _signatures(conn: Connection, ids: list[str]) -> dict[str, tuple[FindingSignature, ...]]:
    found: dict[str, list[FindingSignature]] = defaultdict(list)
    if ids:
        for row in conn.execute(select(SIGNATURES).where(SIGNATURES.c.finding_id.in_(ids)).order_by(SIGNATURES.c.at)):
            found[row.finding_id].append(FindingSignature(row.finding_id, row.guarantor, row.signer, row.at,
                                                          row.content_hash, row.key_name or "", row.signature or ""))
    return {key: tuple(value) for key, value in found.items()}


def _finding(row: Row[Any], lists: dict[tuple[str, str], list[str]], signatures: tuple[FindingSignature, ...],
             publication: Row[Any] | None, superseded_by: str | None) -> Finding:
    fid = row.finding_id
    return Finding(finding_id=fid, version=row.version, series=row.series, supersedes=row.supersedes,
                   complaint_ids=tuple(lists.get((fid, "complaint_id"), ())),
                   incident_ids=tuple(lists.get((fid, "incident_id"), ())), agreement_id=row.agreement_id,
                   commitment_id=row.commitment_id, grade=row.grade, attribution=row.attribution,
                   attributed_party=row.attributed_party, reasoning=row.reasoning,
                   evidence=tuple(lists.get((fid, "sha256"), ())), drafted_by=row.drafted_by,
                   drafted_at=row.drafted_at, content_hash=row.content_hash, signatures=signatures,
                   published_at=publication.at if publication is not None else None,
                   published_by=publication.by if publication is not None else None, superseded_by=superseded_by)


def _transition_row(t: ComplaintTransition) -> dict[str, Any]:
    return {"complaint_id": t.complaint_id, "seq": t.seq, "from_state": t.from_state, "to_state": t.to_state,
            "by": t.by, "role": t.role, "at": t.at, "note": t.note, "finding_id": t.finding_id}


def _transition(row: Row[Any]) -> ComplaintTransition:
    return ComplaintTransition(row.complaint_id, row.seq, row.from_state, row.to_state, row.by, row.role, row.at,
                               row.note, row.finding_id)


def _original_row(o: EvidenceOriginal) -> dict[str, Any]:
    return {"sha256": o.sha256, "size": o.size, "media_type": o.media_type, "filename": o.filename,
            "received_at": o.received_at, "uploaded_by": o.uploaded_by, "source": o.source,
            "captured_at": o.captured_at, "public": o.public}


def _original(row: Row[Any]) -> EvidenceOriginal:
    return EvidenceOriginal(row.sha256, row.size, row.media_type, row.filename, row.received_at, row.uploaded_by,
                            row.source, row.captured_at, bool(row.public))


def _annotation_row(a: EvidenceAnnotation) -> dict[str, Any]:
    return {"annotation_id": a.annotation_id, "complaint_id": a.complaint_id, "sha256": a.sha256, "by": a.by,
            "at": a.at, "anchor": a.anchor, "note": a.note, "copy_sha256": a.copy_sha256}


def _annotation(row: Row[Any]) -> EvidenceAnnotation:
    return EvidenceAnnotation(row.annotation_id, row.complaint_id, row.sha256, row.by, row.at, row.note, row.anchor,
                              row.copy_sha256)


def _withdrawal_row(w: EvidenceWithdrawal) -> dict[str, Any]:
    return {"complaint_id": w.complaint_id, "sha256": w.sha256, "by": w.by, "at": w.at, "reason": w.reason}


def _withdrawal(row: Row[Any]) -> EvidenceWithdrawal:
    return EvidenceWithdrawal(row.complaint_id, row.sha256, row.by, row.at, row.reason)
