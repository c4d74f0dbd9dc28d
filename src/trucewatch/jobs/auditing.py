"""The audit log as jobs over the store: entries listed and proved, the guarantors' keys registered and listed,
checkpoints made and co-signed, and the whole log verified against the checkpoints the guarantors keep.

Each job takes the `Database` its caller opened (`db.audit_log`) and reads or writes through it; what an entry means,
how the log is recomputed and how a checkpoint is signed and checked is pure code in `trucewatch.audit.log` and
`trucewatch.audit.checkpoint`. Files (keys, checkpoints, trusted keys) are read before the database, so a bad file
stops a job before it reads the log. See docs/audit.md.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from trucewatch.audit.checkpoint import (
    DEFAULT_ORIGIN,
    Checkpoint,
    Verification,
    cosigned,
    key_to_register,
    missing_guarantors,
    new_checkpoint,
    read_checkpoint,
    read_private_key,
    read_trusted_keys,
    registration,
    signers,
    verification,
)
from trucewatch.audit.coverage import Coverage, StoredReport, gone_problem, report_problems, unlogged_problem
from trucewatch.audit.log import (
    ConsistencyProof,
    InclusionProof,
    LogState,
    Problem,
    check_log,
    consistency_of,
    proof_of,
)
from trucewatch.audit.merkle import MerkleTree
from trucewatch.casework.findings import LoggedFinding, LoggedKey, key_log_problems, log_problems, logged_key
from trucewatch.errors import AuditError
from trucewatch.records import AuditEntry, AuditKey
from trucewatch.storage import Database
from trucewatch.storage.audit_log import append, insert_key

# --- reading -------------------------------------------------------------------------------------------------


def list_entries(db: Database, first: int = 1, limit: int | None = 50) -> tuple[list[AuditEntry], int]:
    """Entries from seq `first` on, at most `limit`, and how many the log holds."""
    return db.audit_log.entries(first, limit), db.audit_log.count()


def inclusion_proof(db: Database, seq: int, size: int | None = None) -> InclusionProof:
    """The inclusion proof of entry `seq` in the tree of the first `size` entries (default: all), from the stored
    leaf hashes. TW-E711 for an entry that is not there, TW-E712 for a size that does not hold it."""
    store = db.audit_log
    total = store.count()
    entry = store.entry(seq)
    if entry is None:
        raise AuditError("TW-E711", seq=seq, size=total)
    size = total if size is None else size
    if not seq <= size <= total:
        raise AuditError("TW-E712", size=size, detail=f"it must hold entry {seq} and be at most {total}")
    return proof_of(entry, MerkleTree(bytes.fromhex(h) for h in store.leaf_hashes(size)), size)


def consistency_proof(db: Database, old_size: int, size: int | None = None) -> ConsistencyProof:
    """The consistency proof from the tree of the first `old_size` entries to that of the first `size` (default:
    all), from the stored leaf hashes. TW-E720 unless 1 <= old_size <= size <= the log's size."""
    store = db.audit_log
    total = store.count()
    size = total if size is None else size

    def refuse(detail: str) -> AuditError:
        return AuditError("TW-E720", old_size=old_size, size=size, detail=detail)

    if old_size < 1:
        raise refuse("the first tree must hold at least one entry (every tree extends the empty one)")
    if old_size > size:
        raise refuse(f"the first tree must not be larger than the second: M is {old_size}, N is {size}")
    if size > total:
        raise refuse(f"the log has {total} entries")
    return consistency_of(MerkleTree(bytes.fromhex(h) for h in store.leaf_hashes(size)), old_size, size)


def log_state(db: Database) -> tuple[LogState, list[AuditKey]]:
    """The log as recomputed from its rows (`check_log`), and the registered keys."""
    return check_log(db.audit_log), db.audit_log.keys()


# --- keys ----------------------------------------------------------------------------------------------------


def add_key(db: Database, name: str, guarantor: str, path: Path, actor: str) -> AuditKey:
    """Register a guarantor's public key from the file `path` (logged as `audit.key`, in the same transaction). A
    key name, or a public key, is registered once (TW-E706); a file that names another key or guarantor is refused
    (TW-E707)."""
    key = key_to_register(name, guarantor, path, db.audit_log.keys())
    with db.transaction() as conn:
        insert_key(conn, key)
        append(conn, actor, *registration(key))
    return key


def list_keys(db: Database) -> list[AuditKey]:
    """Every registered key, by guarantor then name."""
    return db.audit_log.keys()


# --- checkpoints ---------------------------------------------------------------------------------------------


def make_checkpoint(db: Database, key_paths: Sequence[Path], origin: str = DEFAULT_ORIGIN,
                    at: datetime | None = None) -> Checkpoint:
    """A checkpoint of the log as it is now, signed with each private key (each must be registered: TW-E708). A log
    that does not verify is not signed (TW-E709)."""
    private = [(path, read_private_key(path)) for path in key_paths]
    state, keys = log_state(db)
    return new_checkpoint(state, keys, private, origin, at)


def cosign(db: Database, path: Path, key_path: Path, origin: str = DEFAULT_ORIGIN) -> Checkpoint:
    """The checkpoint in `path` with one more signature, by the key in `key_path`, after checking that it is a
    checkpoint of this log (origin, root of its first `size` entries), that its signatures verify and that this key
    has not signed it yet (TW-E710)."""
    checkpoint = read_checkpoint(path)
    private = read_private_key(key_path)
    state, keys = log_state(db)
    return cosigned(checkpoint, path, private, key_path, state, keys, origin)


def signing_status(db: Database, checkpoint: Checkpoint) -> tuple[list[AuditKey], list[str]]:
    """The registered keys whose signatures on the checkpoint verify, and the guarantors it still lacks."""
    valid, _ = signers(checkpoint, db.audit_log.keys())
    return valid, missing_guarantors(valid)


# --- verification --------------------------------------------------------------------------------------------


def verify_audit(db: Database, checkpoint_paths: Sequence[Path] = (), trusted_keys: Path | None = None,
                 origin: str = DEFAULT_ORIGIN) -> Verification:
    """Recompute the log, check the registered keys, and check each kept checkpoint against the log
    (`trucewatch.audit.checkpoint.verification`). Reads files before the database, so a bad file (TW-E701/702/714)
    stops it at once."""
    kept = [(str(path), read_checkpoint(path)) for path in checkpoint_paths]
    trusted = read_trusted_keys(trusted_keys) if trusted_keys is not None else None
    state, keys = log_state(db)
    return replace(verification(state, keys, kept, trusted, origin), content=store_coverage(db))


FINDING_WRITES = ("finding.draft", "finding.edit", "finding.amend")


def store_coverage(db: Database) -> Coverage:
    """The store checked against the log: every stored report's text and events against its `ingest.report` entry
    (`trucewatch.audit.coverage`), every finding's content against its logged writes and signatures and its
    signature rows against the `finding.sign` entries, each signature against its monitor key as the log registered
    it (`trucewatch.casework.findings.log_problems`), and the monitor keys against their `key.register` and
    `key.revoke` entries (`key_log_problems`)."""
    reports, findings, began, keys = _logged(db)
    problems: list[Problem] = []
    older: list[str] = []
    count = 0
    for report, stored_at, events in db.audit_log.stored_reports():
        count += 1
        entry = reports.pop(report.report_id, None)
        if entry is None:
            if began is not None and (stored_at is None or stored_at >= began):
                problems.append(unlogged_problem(report, None))
            else:
                older.append(f"report {report.report_id}: stored before the audit log began, content not covered")
            continue
        found, covered = report_problems(entry[0], entry[1], StoredReport(report, events))
        problems += found
        if not covered:
            older.append(f"report {report.report_id} (entry {entry[0]}): older entry: content not covered")
    problems += [gone_problem(seq, subject) for subject, (seq, _) in sorted(reports.items(), key=lambda i: i[1][0])]
    stored = db.cases.findings()
    registered = {name: key for name, entry in keys.items() if (key := logged_key(name, entry)) is not None}
    for finding in stored:
        problems += log_problems(finding, findings.pop(finding.finding_id, LoggedFinding()), registered)
    problems += [Problem(logged.written[0][0] if logged.written else None,
                         f"finding {fid}, logged in the audit log, is gone from the store")
                 for fid, logged in sorted(findings.items())]
    problems += key_log_problems(db.keys.all(), keys)
    return Coverage(tuple(problems), count, len(stored), tuple(older))


def _logged(db: Database) -> tuple[dict[str, tuple[int, dict[str, Any]]], dict[str, LoggedFinding], datetime | None,
                                   dict[str, LoggedKey]]:
    """From the log: each report's last `ingest.report` entry (seq, payload), each finding's writes and signatures,
    when the log began, and each monitor key's `key.register` and `key.revoke` entries."""
    reports: dict[str, tuple[int, dict[str, Any]]] = {}
    findings: dict[str, LoggedFinding] = {}
    keys: dict[str, LoggedKey] = {}
    began = None
    for entry in db.audit_log.iter_entries():
        began = began or _when(entry.at)
        try:
            payload = json.loads(entry.payload)
        except ValueError:
            continue  # the log's own check names it
        if not isinstance(payload, dict):
            continue
        if entry.action == "ingest.report":
            reports[entry.subject] = (entry.seq, payload)
        elif entry.action in FINDING_WRITES:
            was = findings.get(entry.subject, LoggedFinding())
            findings[entry.subject] = replace(was, written=(*was.written, (entry.seq, payload)))
        elif entry.action == "finding.sign":
            was = findings.get(entry.subject, LoggedFinding())
            findings[entry.subject] = replace(was, signed=(*was.signed, (entry.seq, entry.actor, payload)))
        elif entry.action == "key.register" and entry.subject not in keys:
            keys[entry.subject] = LoggedKey((entry.seq, entry.actor, entry.at, payload))
        elif entry.action == "key.revoke" and entry.subject in keys:
            keys[entry.subject] = replace(keys[entry.subject], revoked=(entry.seq, entry.actor, entry.at, payload))
    return reports, findings, began, keys


def _when(at: str) -> datetime | None:
    try:
        return datetime.fromisoformat(at)
    except ValueError:
        return None
