"""Findings: the published scale of grades and attributions, a finding's canonical bytes and content hash, what a
valid draft is, and the rules of sign-off, sealing, publication and versions. Pure: no I/O (the store and the jobs
are `trucewatch.storage.cases` and `trucewatch.jobs.casework`).

**Canonical bytes.** A finding's content is every field that says what was established, on what, by whom and when it
was drafted: `finding_id`, `version`, `series`, `supersedes`, `complaint_ids`, `incident_ids`, `agreement_id`,
`commitment_id`, `grade`, `attribution`, `attributed_party`, `reasoning`, `evidence` (SHA-256s), `drafted_by`,
`drafted_at` — not its signatures, publication or later versions, which come after it. The canonical bytes are that
object as canonical JSON (keys sorted, no whitespace, non-ASCII as itself, UTF-8; lists sorted; no floats), the same
rules as the audit log's leaves; the content hash is their SHA-256. `finding.json` in an exported bundle is exactly
these bytes, so `sha256sum finding.json` gives the hash each guarantor signed.

**Sign-off.** A monitor signs for their guarantor with their own Ed25519 key (a `MonitorKey`, registered once in the
audit log as `key.register`; the private key never reaches the server): the signature is over
`signed_message(content_hash)`, made on the monitor's machine or in their browser, so nobody who runs the server can
make it. A signature **counts** when its key is known, was registered to a monitor of the guarantor it signs for, and
the signature verifies over the finding's content hash (`signature_problem`); a finding is **sealed** by two such
signatures, by keys of the two different guarantors (QAT and TUR), on the same content hash. The `finding.sign`
entry of the audit log (actor, guarantor, content hash, key name, signature) is covered by the Merkle tree and by the
guarantors' checkpoints. A signed finding is never changed — not by the store (its triggers refuse it), not by the
jobs, not by any role: a change is a new version that supersedes it (`amend`).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from trucewatch.audit.log import Problem
from trucewatch.records import ATTRIBUTIONS, GRADES, GUARANTOR_CODES, Finding, FindingSignature, MonitorKey

GRADE_DEFINITIONS: dict[str, str] = {
    "confirmed": ("Established: independent, credible sources agree and the evidence examined supports it directly; "
                  "nothing credible contradicts it."),
    "fair": ("Probably so: more than one credible source, or one strong source with supporting evidence; details "
             "remain open, nothing credible contradicts the substance."),
    "weak": ("Possible but poorly supported: a single source, or sources that are not independent, and evidence that "
             "does not establish it."),
    "contested": ("Credible sources contradict each other on what happened or who did it, and the evidence does not "
                  "settle it."),
    "discounted": ("Examined and not supported: the evidence contradicts it, or it rests on material shown to be "
                   "unreliable."),
}
ATTRIBUTION_DEFINITIONS: dict[str, str] = {
    "attributed": "The evidence establishes which party's forces, or a group it answers for, did it.",
    "largely attributed": "The evidence points to one party, with some doubt remaining.",
    "not attributable": "The evidence does not establish who did it.",
}
SHA256 = re.compile(r"[0-9a-f]{64}")
CONTENT_FIELDS = ("finding_id", "version", "series", "supersedes", "complaint_ids", "incident_ids", "agreement_id",
                  "commitment_id", "grade", "attribution", "attributed_party", "reasoning", "evidence", "drafted_by",
                  "drafted_at")
EDITABLE = ("complaint_ids", "incident_ids", "agreement_id", "commitment_id", "grade", "attribution",
            "attributed_party", "reasoning", "evidence")
MAX_REASONING = 100_000


def content(finding: Finding) -> dict[str, Any]:
    """The finding's content as a JSON object (what is hashed and signed)."""
    shown = {name: getattr(finding, name) for name in CONTENT_FIELDS}
    for name in ("complaint_ids", "incident_ids", "evidence"):
        shown[name] = sorted(shown[name])
    return shown


def canonical_bytes(finding: Finding) -> bytes:
    """Canonical JSON of `content(finding)`, UTF-8."""
    return canonical_json(content(finding)).encode("utf-8")


def canonical_json(value: Any) -> str:
    """As the audit log writes its leaves (trucewatch.audit.log.canonical_json): sorted keys, no whitespace,
    non-ASCII as itself. Findings hold no floats."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def content_hash(finding: Finding) -> str:
    return hashlib.sha256(canonical_bytes(finding)).hexdigest()


def sealed_by(finding: Finding) -> list[str]:
    """The guarantors whose monitors have signed the finding's current content with a key, in GUARANTOR_CODES order
    (signatures stored before monitor keys carry none and do not count; the cryptographic check is `valid_for`)."""
    signed = {s.guarantor for s in finding.signatures
              if s.content_hash == finding.content_hash and s.key_name and s.signature}
    return [g for g in GUARANTOR_CODES if g in signed]


def missing_guarantors(finding: Finding) -> list[str]:
    have = set(sealed_by(finding))
    return [g for g in GUARANTOR_CODES if g not in have]


# --- what a valid draft is -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Known:
    """What a draft is checked against, gathered from the store by the jobs."""

    complaint_states: Mapping[str, str]  # complaint id -> state, for the complaints the draft names
    incidents: Collection[str]  # incident ids that exist, of those named
    commitments: Mapping[str, Collection[str]]  # agreement id -> its commitment ids
    parties: Mapping[str, Collection[str]]  # agreement id -> the party codes it binds (and those they answer for)
    evidence: Collection[str]  # SHA-256s of known evidence originals, of those named
    withdrawn: Collection[str]  # SHA-256s withdrawn from a complaint
    complaint_state: str | None = "under review"  # the state each complaint must be in (None: any)


def draft_problems(fields: Mapping[str, Any], known: Known) -> list[tuple[str, str]]:
    """Every mistake in a draft's fields, by field path (body -> grade ...), with what to write instead."""
    problems: list[tuple[str, str]] = []
    problems += _complaint_problems(fields.get("complaint_ids") or (), known)
    problems += _incident_problems(fields.get("incident_ids") or (), known)
    agreement, commitment = fields.get("agreement_id") or "", fields.get("commitment_id") or ""
    if agreement not in known.commitments:
        problems.append(("body -> agreement_id", f"no agreement {agreement!r}; name one of "
                                                 f"{', '.join(sorted(known.commitments)) or '(none loaded)'}"))
    elif commitment not in known.commitments[agreement]:
        problems.append(("body -> commitment_id", f"agreement {agreement!r} has no commitment {commitment!r}; "
                                                  f"choose one of {', '.join(sorted(known.commitments[agreement]))}"))
    problems += _grade_problems(fields, known.parties.get(agreement, ()))
    if not str(fields.get("reasoning") or "").strip():
        problems.append(("body -> reasoning", "empty; say what was established, how, and why the grade"))
    elif len(str(fields["reasoning"])) > MAX_REASONING:
        problems.append(("body -> reasoning", f"over {MAX_REASONING} characters"))
    problems += _evidence_problems(fields.get("evidence") or (), known)
    return problems


def _complaint_problems(ids: Collection[str], known: Known) -> list[tuple[str, str]]:
    if not ids:
        return [("body -> complaint_ids", "empty; name the complaint(s) the finding settles")]
    problems = []
    for i, cid in enumerate(ids):
        state = known.complaint_states.get(cid)
        if state is None:
            problems.append((f"body -> complaint_ids -> {i}", f"no complaint {cid!r}"))
        elif known.complaint_state is not None and state != known.complaint_state:
            problems.append((f"body -> complaint_ids -> {i}", f"complaint {cid!r} is {state!r}; a finding is drafted "
                                                              f"on complaints {known.complaint_state!r}"))
    return problems


def _incident_problems(ids: Collection[str], known: Known) -> list[tuple[str, str]]:
    return [(f"body -> incident_ids -> {i}", f"no incident {iid!r}; see /api/v1/incidents")
            for i, iid in enumerate(ids) if iid not in known.incidents]


def _grade_problems(fields: Mapping[str, Any], parties: Collection[str]) -> list[tuple[str, str]]:
    problems = []
    grade, attribution, party = fields.get("grade"), fields.get("attribution"), fields.get("attributed_party")
    if grade not in GRADES:
        problems.append(("body -> grade", f"{grade!r} is not a grade; choose one of {', '.join(GRADES)}"))
    if attribution not in ATTRIBUTIONS:
        problems.append(("body -> attribution", f"{attribution!r} is not an attribution; choose one of "
                                                f"{', '.join(ATTRIBUTIONS)}"))
    elif attribution == "not attributable" and party:
        problems.append(("body -> attributed_party", "leave it out: the finding is not attributable"))
    elif attribution != "not attributable" and party not in parties:
        problems.append(("body -> attributed_party", f"{party!r}: name the party it is attributed to, one of "
                                                     f"{', '.join(sorted(parties)) or 'the agreement parties'}"))
    return problems


def _evidence_problems(shas: Collection[str], known: Known) -> list[tuple[str, str]]:
    problems = []
    for i, sha in enumerate(shas):
        path = f"body -> evidence -> {i}"
        if not SHA256.fullmatch(str(sha)):
            problems.append((path, f"{str(sha)[:80]!r} is not a SHA-256 (64 lower-case hex digits)"))
        elif sha not in known.evidence:
            problems.append((path, f"no evidence original {sha}; cite files of the complaints, or reports by id "
                                   "(`reports`)"))
        elif sha in known.withdrawn:
            problems.append((path, f"evidence {sha} was withdrawn; it cannot be cited"))
    return problems


# --- monitor keys and their signatures ---------------------------------------------------------------------------

SIGNED_PREFIX = b"trucewatch finding\n"
ED25519 = b"\x01"  # the signed-note signature type of Ed25519
MAX_KEY_NAME = 200
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64


def signed_message(content_hash: str) -> bytes:
    """What a monitor's key signs for a finding: a fixed prefix, so the bytes cannot be mistaken for anything else
    signed with the key, then the content hash (64 lower-case hex digits) and a newline. The same in a browser:
    `new TextEncoder().encode("trucewatch finding\\n" + hash + "\\n")`."""
    return SIGNED_PREFIX + content_hash.encode("ascii") + b"\n"


def key_name_problem(name: str) -> str | None:
    """Why `name` cannot name a monitor key, or None: the signed-note rules (c2sp.org/signed-note) — non-empty, no
    white space, no '+', at most 200 characters."""
    if not name:
        return "it is empty"
    if len(name) > MAX_KEY_NAME:
        return f"it is {len(name)} characters long, over {MAX_KEY_NAME}"
    if any(c.isspace() for c in name):
        return "it holds white space"
    if "+" in name:
        return "it holds a '+'"
    if not name.isprintable():
        return "it holds a control character"
    return None


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte signed-note key id: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519 + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    """`name+<key id hex>+base64(0x01 || public key)`: the key as signed-note tools write and read it."""
    return f"{name}+{key_id(name, public_key).hex()}+{base64.b64encode(ED25519 + public_key).decode('ascii')}"


def fingerprint(public_key: bytes) -> str:
    """SHA-256 of the raw public key, hex: what guarantors publish beside their monitors' names."""
    return hashlib.sha256(public_key).hexdigest()


def parse_public_key(text: str) -> tuple[str | None, bytes]:
    """(name or None, 32 raw bytes) of a public key given as base64 of its raw bytes or as a verifier key
    `name+hash+base64(0x01 || key)` (whose key id must match); ValueError saying what is wrong otherwise."""
    text = text.strip()
    name, encoded, hex_id = None, text, None
    if text.count("+") >= 2 and not _base64_raw(text):
        name, hex_id, encoded = text.split("+", 2)  # the base64 part may hold '+' itself
        problem = key_name_problem(name)
        if problem:
            raise ValueError(f"the key name {name!r}: {problem}")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("it is not base64") from None
    if name is not None:
        if len(raw) != PUBLIC_KEY_BYTES + 1 or raw[:1] != ED25519:
            raise ValueError("the verifier key is not an Ed25519 key (type 0x01 and 32 bytes)")
        raw = raw[1:]
        if key_id(name, raw).hex() != (hex_id or "").lower():
            raise ValueError(f"the key id {hex_id} does not match the name and key")
    if len(raw) != PUBLIC_KEY_BYTES:
        raise ValueError(f"an Ed25519 public key is {PUBLIC_KEY_BYTES} bytes, this is {len(raw)}")
    return name, raw


def _base64_raw(text: str) -> bool:
    try:
        return len(base64.b64decode(text, validate=True)) == PUBLIC_KEY_BYTES
    except (binascii.Error, ValueError):
        return False


def signature_bytes(signature: str) -> bytes:
    """The 64 bytes of a base64 signature; ValueError saying what is wrong otherwise."""
    try:
        raw = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the signature is not base64") from None
    if len(raw) != SIGNATURE_BYTES:
        raise ValueError(f"an Ed25519 signature is {SIGNATURE_BYTES} bytes, this is {len(raw)}")
    return raw


def verifies(public_key: bytes, content_hash: str, signature: str) -> bool:
    """Whether `signature` (base64) is the Ed25519 signature of `public_key` over `signed_message(content_hash)`."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature_bytes(signature),
                                                              signed_message(content_hash))
    except (InvalidSignature, ValueError, UnicodeEncodeError):
        return False
    return True


def signature_problem(signature: FindingSignature, key: MonitorKey | None) -> str | None:
    """Why a stored signature does not count, or None: no key, a key unknown here, of another monitor or
    guarantor, or a signature that does not verify over its content hash. (A key revoked after it signed does not
    undo what it signed.)"""
    if not signature.key_name or not signature.signature:
        return "it carries no key and signature (made before monitor keys)"
    if key is None:
        return f"its key {signature.key_name!r} is not registered"
    if key.user != signature.signer or key.guarantor != signature.guarantor:
        return (f"its key {key.name!r} is {key.user}'s for {key.guarantor}, the signature is "
                f"{signature.signer}'s for {signature.guarantor}")
    if not verifies(key.public_key, signature.content_hash, signature.signature):
        return f"it does not verify with key {key.name!r} over {signature.content_hash}"
    return None


def valid_signatures(finding: Finding, keys: Mapping[str, MonitorKey]) -> list[FindingSignature]:
    """The finding's signatures that count (`signature_problem` None) and are of its current content."""
    return [s for s in finding.signatures if s.content_hash == finding.content_hash
            and signature_problem(s, keys.get(s.key_name)) is None]


def sealed_with(finding: Finding, keys: Mapping[str, MonitorKey]) -> bool:
    """Sealed, checked cryptographically: valid signatures by keys of each guarantor, on its current content."""
    signed = {s.guarantor for s in valid_signatures(finding, keys)}
    return all(g in signed for g in GUARANTOR_CODES)


# --- sign-off, publication, versions ---------------------------------------------------------------------------


def sign_problem(finding: Finding, guarantor: str | None, signer: str, stated_hash: str) -> str | None:
    """Why this monitor may not sign this finding now, or None."""
    return state_problem(finding, guarantor, stated_hash) or double_sign_problem(finding, guarantor, signer)


def state_problem(finding: Finding, guarantor: str | None, stated_hash: str) -> str | None:
    """Why nobody of `guarantor` may sign this finding now (superseded, sealed, not a guarantor, another content
    hash), or None."""
    if finding.superseded_by:
        return f"it is superseded by {finding.superseded_by}; sign the latest version"
    if finding.sealed:
        return "it is sealed already: a monitor of each guarantor has signed it"
    if guarantor not in GUARANTOR_CODES:
        return "only a guarantor's monitor signs"
    if stated_hash != finding.content_hash:
        return (f"you reviewed content {stated_hash[:80]!r}, the finding's content hash is {finding.content_hash}; "
                "read it again and sign what it says")
    return None


def double_sign_problem(finding: Finding, guarantor: str | None, signer: str) -> str | None:
    """Why a second signature by this guarantor or this monitor is refused, or None: a seal takes two monitors of
    two guarantors."""
    for s in finding.signatures:
        if s.guarantor == guarantor:
            return f"{s.signer} has signed it for {guarantor} already; the other guarantor's monitor signs next"
        if s.signer == signer:
            return f"{signer} has signed it already (for {s.guarantor}); a monitor of the other guarantor signs next"
    return None


def publish_problem(finding: Finding) -> str | None:
    if finding.published:
        return f"it was published at {finding.published_at}"
    if finding.superseded_by:
        return f"it is superseded by {finding.superseded_by}; publish the latest version"
    if not finding.sealed:
        return (f"it is not sealed: it still needs the signature of a monitor of "
                f"{' and '.join(missing_guarantors(finding))}")
    return None


def amend_problem(finding: Finding) -> str | None:
    if finding.superseded_by:
        return f"it is superseded by {finding.superseded_by}; amend the latest version"
    return None


def edit_problem(finding: Finding) -> str | None:
    """Why a draft cannot be edited in place (None: it can): once anyone has signed, only a new version can change
    it."""
    if finding.signatures:
        who = ", ".join(f"{s.signer} ({s.guarantor})" for s in finding.signatures)
        sealed = "sealed" if finding.sealed else "signed"
        return (f"it is {sealed} (by {who}); amend it instead: a new version that supersedes it "
                f"(POST /api/v1/findings/{finding.finding_id}/amend, 'trucewatch findings amend')")
    if finding.superseded_by:
        return f"it is superseded by {finding.superseded_by}"
    return None


# --- content against signatures and the log ----------------------------------------------------------------------

LOGGED_FIELDS = ("version", "series", "supersedes", "complaint_ids", "grade", "attribution", "attributed_party",
                 "evidence")  # the content fields a finding's draft/edit/amend entry logs (jobs.casework)


def changed_after_signing(finding: Finding) -> str | None:
    """Why a signed finding may not be shown as it is stored (None: it may): its content no longer hashes to the
    content hash its signatures are of. Pure: the stored signatures only; `audit verify` also checks the log."""
    if not finding.signatures:
        return None
    now = content_hash(finding)
    signed = sorted({s.content_hash for s in finding.signatures})
    if signed == [now] and finding.content_hash == now:
        return None
    return (f"its content hashes to {now}, its signatures are of {', '.join(signed)}")


@dataclass(frozen=True, slots=True)
class LoggedFinding:
    """What the audit log says of one finding: its draft/edit/amend entries (seq, payload) in order, and its
    `finding.sign` entries (seq, actor, payload)."""

    written: tuple[tuple[int, Mapping[str, Any]], ...] = ()
    signed: tuple[tuple[int, str, Mapping[str, Any]], ...] = ()


def log_problems(finding: Finding, logged: LoggedFinding,
                 keys: Mapping[str, MonitorKey] | None = None) -> list[Problem]:
    """What differs between a stored finding and the log: its content against the hash its last write logged and
    every logged signature, its signature rows against the `finding.sign` entries (key and signature bytes too), and
    — given the monitor keys as the log registered them (`logged_keys`) — whether each signature verifies."""
    fid, now = finding.finding_id, content_hash(finding)
    if not logged.written:
        return [Problem(None, f"finding {fid} is in the store but no finding.draft or finding.amend entry logs it")]
    problems = []
    seq, last = logged.written[-1]
    if not logged.signed and last.get("content_hash") != now:
        problems.append(Problem(seq, f"finding {fid}: its content hashes to {now}, entry {seq} logged "
                                     f"{last.get('content_hash')}; {_differs(finding, last)}"))
    for sign_seq, actor, payload in logged.signed:
        if payload.get("content_hash") != now:
            was = next((p for _, p in reversed(logged.written) if p.get("content_hash") == payload.get("content_hash")),
                       last)
            problems.append(Problem(sign_seq, f"finding {fid} was changed after it was signed: its content hashes to "
                                              f"{now}, {actor} signed {payload.get('content_hash')} at entry "
                                              f"{sign_seq}; {_differs(finding, was)}"))
    problems += _signature_problems(finding, logged)
    if keys is not None:
        problems += [Problem(None, f"finding {fid}: the signature of {s.signer} ({s.guarantor}) does not count: "
                                   f"{problem}") for s in finding.signatures if s.key_name or s.signature
                     if (problem := signature_problem(s, keys.get(s.key_name)))]
    return problems


def _differs(finding: Finding, payload: Mapping[str, Any]) -> str:
    """The logged fields that differ from the stored finding, with both values."""
    shown = content(finding)
    changed = [f"{name} {payload.get(name)!r} logged, {_plain(shown[name])!r} stored" for name in LOGGED_FIELDS
               if _plain(payload.get(name)) != _plain(shown[name])]
    return "; ".join(changed) if changed else "its reasoning, incidents, commitment or drafting differ"


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, (list, tuple)) else value


def _signature_problems(finding: Finding, logged: LoggedFinding) -> list[Problem]:
    fid = finding.finding_id
    entries = {(actor, str(p.get("guarantor")), str(p.get("content_hash"))): seq for seq, actor, p in logged.signed}
    rows = {(s.signer, s.guarantor, s.content_hash) for s in finding.signatures}
    problems = [Problem(None, f"finding {fid}: the signature of {signer} ({guarantor}) has no finding.sign entry in "
                              "the log: it was put there behind trucewatch's back")
                for signer, guarantor, _ in sorted(rows - set(entries))]
    problems += [Problem(seq, f"finding {fid}: the signature of {key[0]} ({key[1]}) logged at entry {seq} is gone "
                              "from the store") for key, seq in sorted(entries.items()) if key not in rows]
    logged_bytes = {(actor, str(p.get("guarantor")), str(p.get("content_hash"))): (seq, p)
                    for seq, actor, p in logged.signed}
    for s in finding.signatures:
        seq, payload = logged_bytes.get((s.signer, s.guarantor, s.content_hash), (None, None))
        if payload is not None and "signature" in payload and (
                (payload.get("key_name") or "", payload.get("signature") or "") != (s.key_name, s.signature)):
            problems.append(Problem(seq, f"finding {fid}: the signature of {s.signer} ({s.guarantor}) differs from "
                                         f"entry {seq}: key {s.key_name!r} and signature {s.signature[:16]!r}... "
                                         f"stored, key {payload.get('key_name')!r} and signature "
                                         f"{str(payload.get('signature'))[:16]!r}... logged"))
    return problems


# --- monitor keys against the log --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoggedKey:
    """What the audit log says of one monitor key: its `key.register` entry (seq, actor, at, payload) and its
    `key.revoke` entry, if any (seq, actor, at, payload)."""

    registered: tuple[int, str, str, Mapping[str, Any]]
    revoked: tuple[int, str, str, Mapping[str, Any]] | None = None


def logged_key(name: str, logged: LoggedKey) -> MonitorKey | None:
    """The key as its `key.register` entry registered it (None when the entry is not a key's)."""
    _, actor, at, payload = logged.registered
    try:
        public = base64.b64decode(str(payload.get("public_key")), validate=True)
    except (binascii.Error, ValueError):
        return None
    revoked = logged.revoked
    return MonitorKey(name, str(payload.get("user")), str(payload.get("guarantor")), public, at, actor,
                      revoked[2] if revoked else None, revoked[1] if revoked else None)


def key_log_problems(stored: Collection[MonitorKey], logged: Mapping[str, LoggedKey]) -> list[Problem]:
    """What differs between the `monitor_keys` table and the log's `key.register` / `key.revoke` entries: a key
    without its entry, an entry without its key, or a key whose holder, guarantor, public key or revocation is not
    what the log says."""
    problems = []
    rows = {k.name: k for k in stored}
    for name, key in sorted(rows.items()):
        entry = logged.get(name)
        if entry is None:
            problems.append(Problem(None, f"monitor key {name!r} ({key.user}) has no key.register entry in the log: "
                                          "it was put there behind trucewatch's back"))
            continue
        was = logged_key(name, entry)
        seq = entry.registered[0]
        if was is None or (was.user, was.guarantor, was.public_key) != (key.user, key.guarantor, key.public_key):
            problems.append(Problem(seq, f"monitor key {name!r}: the table says {key.user} ({key.guarantor}), key "
                                         f"{fingerprint(key.public_key)[:16]}...; entry {seq} registered "
                                         f"{was.user if was else '?'} ({was.guarantor if was else '?'}), key "
                                         f"{fingerprint(was.public_key)[:16] if was else '?'}..."))
        if (entry.revoked is None) != key.active:
            said = f"revoked at entry {entry.revoked[0]}" if entry.revoked else "never revoked"
            problems.append(Problem(entry.revoked[0] if entry.revoked else seq,
                                    f"monitor key {name!r}: the table says {'active' if key.active else 'revoked'}, "
                                    f"the log says {said}"))
    problems += [Problem(entry.registered[0], f"monitor key {name!r}, registered at entry {entry.registered[0]}, is "
                                              "gone from the table") for name, entry in sorted(logged.items())
                 if name not in rows]
    return problems
