"""The audit log: every write, appended to a Merkle tree in the manner of Certificate Transparency (RFC 9162).

What is logged. Each write appends one entry in the same transaction as the write itself, so both commit or neither
does: `trucewatch.storage.audit_log.append(conn, actor, action, subject, payload)` on the write's connection, or the
hook of `trucewatch.storage.audit_log.recorder(actor, (action, subject, payload), ...)` handed to the store method
that makes the write; this module builds the entries (`make_entry`, `report_entry` ...). Today:

- `ingest.report` (a stored report: id, SHA-256, source, events, and digests of its stored text and events,
  `trucewatch.audit.coverage`), `jobs.ingest.ingest_report`;
- `incident.override` (merge, split or pin, who and why), `jobs.incidents.override`;
- `agreement.load`, `agreement.set`, `agreement.remove`, `jobs.agreements.load_agreements` / `set_agreement` /
  `remove_agreement`;
- `audit.key` (a guarantor's checkpoint key registered), `trucewatch.jobs.auditing.add_key`;
- `user.add`, `user.role`, `user.disable`, `trucewatch.jobs.accounts`;
- `complaint.file`, `complaint.transition`, `finding.draft` / `edit` / `amend` / `sign` / `publish`,
  `evidence.add` / `annotate` / `withdraw`, `trucewatch.jobs.casework`.

**Every new kind of write must call `append` too, inside its own transaction.** A write that is not logged is a
write nobody can later prove happened, or did not.

The leaf of entry `seq` is the canonical JSON (sorted keys, no whitespace, UTF-8, no floats) of
{"action", "actor", "at", "payload", "seq", "subject"}, the payload as a JSON value: every column but `leaf_hash`
is covered, and `leaf_hash` is SHA-256(0x00 || leaf). `check_log` recomputes every leaf from the columns, checks the
numbering and rebuilds the tree; `trucewatch.audit.checkpoint` checks the tree against signed checkpoints. Nothing
here reads the database: the jobs that do (`trucewatch.jobs.auditing`) hand `check_log` the entries to check. See
docs/audit.md.
"""
from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from trucewatch.audit.merkle import MerkleTree, leaf_hash
from trucewatch.errors import TrucewatchError
from trucewatch.records import Agreement, AuditEntry, Event, Override, Report

MAX_PROBLEMS = 50  # problems kept by `check_log`; the rest are only counted


class AuditEntries(Protocol):
    """What `check_log` reads: the entries in seq order, and one entry by its seq (None when there is none). The
    store's `db.audit_log` is one."""

    def iter_entries(self) -> Iterable[AuditEntry]: ...

    def entry(self, seq: int) -> AuditEntry | None: ...


# --- entries -------------------------------------------------------------------------------------------------


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, non-ASCII as itself (UTF-8 once encoded). Floats are refused: their text differs
    between languages, and a leaf must be recomputable anywhere."""
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise ValueError(f"audit payloads hold no floats ({value!r}); write it as a string or an integer")
    if isinstance(value, Mapping):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _refuse_floats(item)


def leaf_data(seq: int, at: str, actor: str, action: str, subject: str, payload: Any) -> bytes:
    """The bytes a leaf hashes: the canonical JSON of the entry (payload as a JSON value), UTF-8."""
    return canonical_json({"seq": seq, "at": at, "actor": actor, "action": action, "subject": subject,
                           "payload": payload}).encode("utf-8")


def entry_leaf(entry: AuditEntry, seq: int | None = None) -> bytes:
    """The leaf data of a stored entry (as if at position `seq`, when given); ValueError if its payload is not
    JSON."""
    return leaf_data(entry.seq if seq is None else seq, entry.at, entry.actor, entry.action, entry.subject,
                     json.loads(entry.payload))


def make_entry(seq: int, at: str, actor: str, action: str, subject: str, payload: Mapping[str, Any]) -> AuditEntry:
    text = canonical_json(dict(payload))
    data = leaf_data(seq, at, actor, action, subject, json.loads(text))
    return AuditEntry(seq, at, actor, action, subject, text, leaf_hash(data).hex())


def now_utc() -> str:
    """The time an entry is stamped with: UTC, ISO 8601, microseconds, 'Z'."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def report_entry(report: Report, events: Iterable[Event]) -> tuple[str, str, dict[str, Any]]:
    """`ingest.report`: a stored report, by its id, the SHA-256 of its original and its source, how many events it
    gave, and digests of what the store keeps of it (its text, its events and figures: `audit.coverage`), which
    `audit verify` recomputes from the store."""
    from trucewatch.audit.coverage import coverage_fields  # noqa: PLC0415 (coverage builds on this module)

    kept = list(events)
    return ("ingest.report", report.report_id, {"sha256": report.sha256, "source": report.source,
                                                "events": len(kept), "revision_of": report.revision_of,
                                                **coverage_fields(report, kept)})


def override_entry(override: Override) -> tuple[str, str, dict[str, Any]]:
    """`incident.override`: a monitor's merge, split or pin of an event, why, and when."""
    return ("incident.override", override.event_id, {
        "kind": override.kind, "target_event_id": override.target_event_id, "note": override.note,
        "at": override.at.astimezone(UTC).isoformat().replace("+00:00", "Z")})


def agreement_entry(action: str, agreement: Agreement, **details: Any) -> tuple[str, str, dict[str, Any]]:
    """`agreement.load` / `agreement.set`: an agreement as written, by the SHA-256 of its text as an agreements
    file of its own (`dump_agreements([agreement])`), with what changed."""
    from trucewatch.agreements import dump_agreements  # noqa: PLC0415

    digest = hashlib.sha256(dump_agreements([agreement]).encode("utf-8")).hexdigest()
    return (action, agreement.agreement_id, {"sha256": digest, **details})


def default_actor() -> str:
    """Who a write is logged as when the caller names nobody: TRUCEWATCH_USER, else the login name."""
    from trucewatch.settings import load_settings  # noqa: PLC0415

    try:
        user = load_settings().user
    except TrucewatchError:
        user = None
    if user:
        return user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# --- proofs --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """That entry `seq` is leaf `seq - 1` of the tree of the first `tree_size` entries (RFC 9162 §2.1.3)."""

    seq: int
    tree_size: int
    leaf_data: str  # the canonical JSON the leaf hashes
    leaf_hash: str
    proof: tuple[str, ...]  # hex, leaf side first
    root: str

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "leaf_index": self.seq - 1, "tree_size": self.tree_size,
                "leaf_data": self.leaf_data, "leaf_hash": self.leaf_hash, "inclusion_proof": list(self.proof),
                "root_hash": self.root}


def proof_of(entry: AuditEntry, tree: MerkleTree, size: int) -> InclusionProof:
    """The inclusion proof of `entry` in the tree of the first `size` leaves of `tree` (it must hold them)."""
    return InclusionProof(entry.seq, size, entry_leaf(entry).decode("utf-8"), entry.leaf_hash,
                          tuple(p.hex() for p in tree.inclusion_proof(entry.seq - 1, size)), tree.root(size).hex())


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    """That the tree of the first `old_size` entries (root `old_root`) is the first `old_size` leaves of the tree of
    the first `tree_size` (root `root`): nothing of it changed, entries were only appended (RFC 9162 §2.1.4)."""

    old_size: int
    old_root: str  # hex, as every hash here
    tree_size: int
    root: str
    proof: tuple[str, ...]  # in the order of RFC 9162 §2.1.4.1, as §2.1.4.2 reads it

    def as_json(self) -> dict[str, Any]:
        return {"old_size": self.old_size, "old_root_hash": self.old_root, "tree_size": self.tree_size,
                "root_hash": self.root, "consistency_proof": list(self.proof)}


def consistency_of(tree: MerkleTree, old_size: int, size: int) -> ConsistencyProof:
    """The consistency proof from the tree of the first `old_size` leaves of `tree` to that of the first `size`
    (0 <= old_size <= size <= len(tree))."""
    return ConsistencyProof(old_size, tree.root(old_size).hex(), size, tree.root(size).hex(),
                            tuple(p.hex() for p in tree.consistency_proof(old_size, size)))


# --- checking ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the log: the entry it names (None when it cannot name one) and what."""

    seq: int | None
    text: str


@dataclass
class LogState:
    """The log as recomputed from its rows: the tree of its entries' leaves (in seq order), what is wrong, and the
    keys registered through it (name -> (guarantor, base64 public key, seq))."""

    tree: MerkleTree = field(default_factory=MerkleTree)
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0
    registrations: dict[str, tuple[str, str, int]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.tree)

    @property
    def root(self) -> bytes:
        return self.tree.root()

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more_problems += 1


def check_log(store: AuditEntries) -> LogState:
    """Recompute every leaf from its entry's columns, check the numbering (1, 2, 3 ... without gaps) and rebuild the
    tree. Each problem names the entry where it shows; the first leaf that does not match is explained further when
    it looks moved (`_explain`)."""
    state = LogState()
    expected = 1
    first_mismatch: AuditEntry | None = None
    for entry in store.iter_entries():
        if entry.seq < 1:
            state.add(Problem(entry.seq, f"entry {entry.seq} was inserted: entries are numbered from 1"))
            continue
        if entry.seq > expected:
            gap = f"entry {expected}" if entry.seq == expected + 1 else f"entries {expected} to {entry.seq - 1}"
            state.add(Problem(expected, f"{gap} missing"))
        expected = entry.seq + 1
        leaf, problem = _recompute(entry)
        if problem is not None:
            state.add(problem)
            if first_mismatch is None and problem.text.startswith("leaf hash"):
                first_mismatch = entry
        _note_registration(state, entry)
        state.tree.append(leaf)
    if first_mismatch is not None:
        _explain(store, state, first_mismatch)
    state.problems.sort(key=lambda p: p.seq if p.seq is not None else 1 << 62)
    return state


def _recompute(entry: AuditEntry) -> tuple[bytes, Problem | None]:
    """The entry's leaf hash recomputed from its columns, and what is wrong with the entry, if anything."""
    try:
        payload = json.loads(entry.payload)
        data = leaf_data(entry.seq, entry.at, entry.actor, entry.action, entry.subject, payload)
    except ValueError:
        return leaf_hash(entry.payload.encode("utf-8", "replace")), Problem(
            entry.seq, f"payload of entry {entry.seq} is not JSON as trucewatch writes it: it was edited")
    leaf = leaf_hash(data)
    if canonical_json(payload) != entry.payload:
        return leaf, Problem(entry.seq, f"payload of entry {entry.seq} is not in canonical form: it was edited")
    if leaf.hex() != entry.leaf_hash:
        return leaf, Problem(entry.seq, f"leaf hash of entry {entry.seq} does not match its fields")
    return leaf, None


def _explain(store: AuditEntries, state: LogState, entry: AuditEntry) -> None:
    """Say more about the first entry whose leaf hash does not match its fields, where its stored hash is that of
    the same fields one place off: an entry inserted before it, removed before it, or two entries swapped."""
    k = entry.seq
    if k > 1 and _stored_as(entry, k - 1):
        _replace(state, k, Problem(k - 1, f"entry {k - 1} looks inserted: the entry now at {k} carries the leaf hash "
                                          f"of position {k - 1}, so the entries from there on were moved up one"))
    elif _stored_as(entry, k + 1):
        following = store.entry(k + 1)
        if following is not None and _stored_as(following, k):
            text = f"entries out of order at {k}: entries {k} and {k + 1} have changed places"
            _replace(state, k, Problem(k, text))
        else:
            _replace(state, k, Problem(k, f"entry {k} missing: the entry now at {k} carries the leaf hash of position "
                                          f"{k + 1}, so the entries after the missing one were moved down one"))


def _stored_as(entry: AuditEntry, seq: int) -> bool:
    try:
        return leaf_hash(entry_leaf(entry, seq)).hex() == entry.leaf_hash
    except ValueError:
        return False


def _replace(state: LogState, seq: int, problem: Problem) -> None:
    for i, found in enumerate(state.problems):
        if found.seq == seq and found.text.startswith("leaf hash"):
            state.problems[i] = problem
            return


def _note_registration(state: LogState, entry: AuditEntry) -> None:
    if entry.action != "audit.key":
        return
    try:
        payload = json.loads(entry.payload)
        state.registrations[entry.subject] = (str(payload["guarantor"]), str(payload["public_key"]), entry.seq)
    except (ValueError, KeyError, TypeError):
        return


def first_problem(state: LogState) -> Problem | None:
    return state.problems[0] if state.problems else None

