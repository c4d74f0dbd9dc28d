"""Signed checkpoints of the audit log, the guarantors' keys, and `verify_audit`.

A checkpoint is a signed note in the C2SP formats (c2sp.org/signed-note, c2sp.org/tlog-checkpoint): the note text

    <origin>\\n<tree size, decimal>\\n<root hash, base64>\\ntime <UTC, ISO 8601>\\n

is what every key signs, byte for byte; then a blank line, then one line per signature,
`\\u2014 <key name> <base64(key id || Ed25519 signature)>`, where the key id is the first 4 bytes of
SHA-256(key name || 0x0A || 0x01 || public key). A checkpoint is complete (co-signed) when it carries a valid
signature by a registered key of each guarantor (GUARANTOR_CODES); signatures by keys trucewatch does not know (outside
witnesses that cosign it) are ignored, as C2SP signed-note asks, and a key name is what signed-note allows (KEY_NAME).
Keys are Ed25519 (`cryptography`); a public key is written as the signed-note verifier key
`name+<key id hex>+base64(0x01 || public key)`, and in files of trusted keys (kept by guarantors and parties outside
the system) one per line after its guarantor: `QAT qat-1+1a2b3c4d+AR...`.

`verification` takes the log as recomputed (`trucewatch.audit.log.check_log`), checks the registered keys against their
registrations in the log (and against trusted keys from outside, when given), and for every kept checkpoint: its
signatures, that it is complete, and that the log now extends it (its first `size` leaves hash to the checkpoint's
root, and a consistency proof from it to the current tree verifies). Nothing here reads the database: the jobs over
the store (`trucewatch.jobs.auditing`: `add_key`, `make_checkpoint`, `cosign`, `verify_audit` ...) read the log
and the keys and call these. See docs/audit.md.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from trucewatch.audit.coverage import Coverage
from trucewatch.audit.log import LogState, Problem, now_utc
from trucewatch.audit.merkle import verify_consistency
from trucewatch.errors import AuditError
from trucewatch.records import GUARANTOR_CODES, AuditKey
from trucewatch.settings import Settings

ED25519 = b"\x01"  # the signed-note signature type of Ed25519
DASH = "\u2014"  # the em dash that begins a signature line
# A key name as C2SP signed-note allows it: any characters but white space (Unicode White_Space; Python's `\s` covers
# it) and '+' (which ends the name in a verifier key); also no control characters, which a note may not hold, nor lone
# surrogates, which are not UTF-8. At most KEY_NAME_MAX characters: it is repeated in every signature line.
KEY_NAME_MAX = 200
KEY_NAME = re.compile(rf"[^\s+\x00-\x1f\x7f-\x9f\ud800-\udfff]{{1,{KEY_NAME_MAX}}}")
PUBLIC_SUFFIX = ".pub"
DEFAULT_ORIGIN = Settings.audit_origin  # the `audit_origin` setting's default


# --- keys ----------------------------------------------------------------------------------------------------


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key id of signed notes: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519 + public_key).digest()[:4]


def verifier_key(key: AuditKey) -> str:
    """name+<key id hex>+base64(0x01 || public key): the key as signed-note tools write it."""
    encoded = base64.b64encode(ED25519 + key.public_key).decode("ascii")
    return f"{key.name}+{key_id(key.name, key.public_key).hex()}+{encoded}"


def key_line(key: AuditKey) -> str:
    """The key as a line of a trusted-keys file: 'QAT qat-1+1a2b3c4d+AR...'."""
    return f"{key.guarantor} {verifier_key(key)}"


def parse_verifier_key(text: str) -> tuple[str, bytes]:
    """(name, public key) of a verifier key; ValueError when it is not one, or its key id does not match."""
    parts = text.strip().split("+", 2)  # the base64 key may hold '+' itself
    if len(parts) != 3 or not KEY_NAME.fullmatch(parts[0]):
        raise ValueError("expected NAME+HASH+KEY")
    name, hex_id, encoded = parts
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise ValueError("the key is not base64") from None
    if len(raw) != 33 or raw[:1] != ED25519:
        raise ValueError("not an Ed25519 key (type 0x01 and 32 bytes)")
    if key_id(name, raw[1:]).hex() != hex_id.lower():
        raise ValueError(f"the key id {hex_id} does not match the name and key")
    return name, raw[1:]


def check_name(name: str) -> str:
    if not KEY_NAME.fullmatch(name):
        raise AuditError("TW-E705", name=name)
    return name


def check_guarantor(guarantor: str) -> str:
    code = guarantor.strip().upper()
    if code not in GUARANTOR_CODES:
        raise AuditError("TW-E704", value=guarantor, choices=", ".join(GUARANTOR_CODES))
    return code


def generate_key(name: str, guarantor: str, out: Path) -> AuditKey:
    """A new Ed25519 key pair: the private key to `out` (PEM, PKCS #8, mode 0600), the public key to `out`.pub as a
    trusted-keys line. Refuses (TW-E713) to overwrite either file."""
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    made = AuditKey(check_name(name), check_guarantor(guarantor), public)
    public_path = out.with_name(out.name + PUBLIC_SUFFIX)
    for path in (out, public_path):
        if path.exists():
            raise AuditError("TW-E713", path=path, detail="the file exists; keys are never overwritten")
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    _write_new(out, pem, 0o600)
    _write_new(public_path, (key_line(made) + "\n").encode("utf-8"), 0o644)
    return made


def _write_new(path: Path, data: bytes, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except OSError as err:
        raise AuditError("TW-E713", path=path, detail=err.strerror or str(err)) from None


def read_private_key(path: Path) -> Ed25519PrivateKey:
    data = _read(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as err:
        raise AuditError("TW-E703", path=path, kind="private", detail=_first_line(err)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditError("TW-E703", path=path, kind="private", detail=f"it is a {type(key).__name__}")
    return key


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def read_public_key(path: Path) -> tuple[str | None, str | None, bytes]:
    """(name, guarantor, public key) from a public key file: a trusted-keys line ('QAT NAME+HASH+KEY'), a bare
    verifier key (no guarantor), or a PEM public key (neither name nor guarantor)."""
    data = _read(path)
    if data.lstrip().startswith(b"-----BEGIN PUBLIC KEY-----"):
        try:
            key = serialization.load_pem_public_key(data)
        except ValueError as err:
            raise AuditError("TW-E703", path=path, kind="public", detail=_first_line(err)) from None
        if not isinstance(key, Ed25519PublicKey):
            raise AuditError("TW-E703", path=path, kind="public", detail=f"it is a {type(key).__name__}")
        return None, None, key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    lines = [line for line in _text(path, data).splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if len(lines) != 1:
        raise AuditError("TW-E703", path=path, kind="public", detail=f"{len(lines)} key lines, expected one")
    words = lines[0].split()
    try:
        name, public = parse_verifier_key(words[-1])
    except ValueError as err:
        raise AuditError("TW-E703", path=path, kind="public", detail=str(err)) from None
    return name, (words[0] if len(words) == 2 else None), public


def read_trusted_keys(path: Path) -> list[AuditKey]:
    """The keys of a trusted-keys file: 'GUARANTOR NAME+HASH+KEY' lines; '#' comments (whole lines or after a key,
    as `audit keys list` prints them) and blank lines skipped."""
    keys = []
    for number, raw in enumerate(_text(path, _read(path)).splitlines(), start=1):
        line = re.split(r"(?:^|\s)#", raw, maxsplit=1)[0]  # a key name may hold '#': a comment follows a space
        if not line.strip():
            continue
        words = line.split()
        try:
            if len(words) != 2:
                raise ValueError("expected a guarantor and a key")
            guarantor = check_guarantor(words[0])
            name, public = parse_verifier_key(words[1])
        except (ValueError, AuditError) as err:
            raise AuditError("TW-E714", path=path, line=number, detail=str(err)) from None
        keys.append(AuditKey(name, guarantor, public))
    return keys


def key_to_register(name: str, guarantor: str, path: Path, known: Sequence[AuditKey]) -> AuditKey:
    """The key in the public key file `path`, to register as `name` of `guarantor` (stamped now). A key name, or a
    public key, is registered once (TW-E706, against the `known` keys); a file that names another key or guarantor
    is refused (TW-E707)."""
    key = AuditKey(check_name(name), check_guarantor(guarantor), b"", now_utc())
    file_name, file_guarantor, public = read_public_key(path)
    if file_name is not None and file_name != key.name:
        raise AuditError("TW-E707", path=path, detail=f"it holds the key {file_name!r}, not {key.name!r}")
    if file_guarantor is not None and file_guarantor.upper() != key.guarantor:
        raise AuditError("TW-E707", path=path, detail=f"it holds a key of {file_guarantor}, not of {key.guarantor}")
    for other in known:
        if other.name == key.name or other.public_key == public:
            raise AuditError("TW-E706", detail=f"this key or its name is registered already as {other.name!r} "
                                               f"of {other.guarantor}")
    return replace(key, public_key=public)


def registration(key: AuditKey) -> tuple[str, str, dict[str, str]]:
    """`audit.key`: the (action, subject, payload) of the log entry that registers `key`."""
    return ("audit.key", key.name, {"guarantor": key.guarantor,
                                    "public_key": base64.b64encode(key.public_key).decode("ascii")})


# --- signed notes --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A checkpoint of the log: its origin, the tree size and root hash, when it was made, and its signatures."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()  # the lines after the root, in order: 'time 2026-11-27T10:00:00Z', any others
    signatures: tuple[Signature, ...] = ()

    @property
    def time(self) -> str | None:
        return next((line[5:] for line in self.extensions if line.startswith("time ")), None)

    def body(self) -> bytes:
        """The signed bytes: origin, size, base64 root and extension lines, each ending in a newline."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode("ascii"), *self.extensions]
        return "".join(f"{line}\n" for line in lines).encode("utf-8")

    def text(self) -> str:
        signatures = "".join(f"{DASH} {s.name} {base64.b64encode(s.key_id + s.signature).decode('ascii')}\n"
                             for s in self.signatures)
        return self.body().decode("utf-8") + "\n" + signatures


def parse_checkpoint(text: str, source: str) -> Checkpoint:
    """A checkpoint from its text; TW-E702 naming what is wrong."""
    def bad(detail: str) -> AuditError:
        return AuditError("TW-E702", path=source, detail=detail)

    split = text.rfind("\n\n")
    if split < 0 or not text.endswith("\n"):
        raise bad("no blank line before the signatures, or no newline at the end")
    lines = text[:split].split("\n")
    if len(lines) < 3 or not lines[0] or any(not line for line in lines):
        raise bad("the note needs an origin, a size and a root line")
    if not re.fullmatch(r"0|[1-9][0-9]{0,18}", lines[1]):
        raise bad(f"tree size {lines[1]!r} is not a decimal number")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error:
        root = b""
    if len(root) != 32:
        raise bad("the root line is not the base64 of a 32-byte hash")
    signatures = tuple(_signature(line, bad) for line in text[split + 2:].split("\n")[:-1])
    if not signatures:
        raise bad("it carries no signature")
    return Checkpoint(lines[0], int(lines[1]), root, tuple(lines[3:]), signatures)


def _signature(line: str, bad: Callable[[str], AuditError]) -> Signature:
    words = line.split(" ")
    try:
        if len(words) != 3 or words[0] != DASH or not KEY_NAME.fullmatch(words[1]):
            raise ValueError
        raw = base64.b64decode(words[2], validate=True)
        if len(raw) < 5:
            raise ValueError
    except (ValueError, binascii.Error):
        raise bad(f"not a signature line: {line[:60]!r}") from None
    return Signature(words[1], raw[:4], raw[4:])


def read_checkpoint(path: Path) -> Checkpoint:
    return parse_checkpoint(_text(path, _read(path)), str(path))


def sign(checkpoint: Checkpoint, name: str, private: Ed25519PrivateKey) -> Checkpoint:
    """The checkpoint with one more signature, by key `name`."""
    signature = Signature(name, key_id(name, raw_public(private)), private.sign(checkpoint.body()))
    return replace(checkpoint, signatures=(*checkpoint.signatures, signature))


def signers(checkpoint: Checkpoint, keys: Sequence[AuditKey], kind: str = "registered") -> tuple[list[AuditKey],
                                                                                                list[str]]:
    """The keys among `keys` whose signatures on the checkpoint verify, and what is wrong with the others.

    As C2SP signed-note asks, a signature by a key name none of `keys` has (an outside witness's) is ignored here
    (`unknown_signers` lists them); one under a known name that does not verify, or whose key id is not that name's
    key, is a problem."""
    body = checkpoint.body()
    found, problems = [], []
    for s in checkpoint.signatures:
        named = [k for k in keys if k.name == s.name]
        key = next((k for k in named if key_id(k.name, k.public_key) == s.key_id), None)
        if key is None:
            if named:
                known = key_id(s.name, named[0].public_key).hex()
                problems.append(f"signed as {s.name!r} with key id {s.key_id.hex()}, which is not the {kind} key of "
                                f"that name (key id {known}): another key signed it")
            continue
        try:
            Ed25519PublicKey.from_public_bytes(key.public_key).verify(s.signature, body)
        except (InvalidSignature, ValueError):
            problems.append(f"the signature by {s.name!r} does not verify: the checkpoint was altered after it was "
                            "signed, or another key signed it")
            continue
        found.append(key)
    return found, problems


def unknown_signers(checkpoint: Checkpoint, keys: Sequence[AuditKey]) -> list[Signature]:
    """The signatures by key names none of `keys` has: outside witnesses', ignored as C2SP signed-note asks."""
    names = {k.name for k in keys}
    return [s for s in checkpoint.signatures if s.name not in names]


def missing_guarantors(keys: Iterable[AuditKey]) -> list[str]:
    have = {k.guarantor for k in keys}
    return [g for g in GUARANTOR_CODES if g not in have]


def describe_signers(keys: Iterable[AuditKey]) -> str:
    return ", ".join(f"{k.name} ({k.guarantor})" for k in keys) or "nobody"


# --- making and co-signing checkpoints -----------------------------------------------------------------------


def new_checkpoint(state: LogState, keys: Sequence[AuditKey], private: Sequence[tuple[Path, Ed25519PrivateKey]],
                   origin: str = DEFAULT_ORIGIN, at: datetime | None = None) -> Checkpoint:
    """A checkpoint of the log `state` (as recomputed) signed with each private key (each must be among the
    registered `keys`: TW-E708). A log that does not verify is not signed (TW-E709)."""
    sound(state, keys)
    when = (at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    checkpoint = Checkpoint(origin, state.size, state.root, (f"time {when}",))
    for path, key in private:
        checkpoint = sign(checkpoint, registered(keys, key, path).name, key)
    return checkpoint


def cosigned(checkpoint: Checkpoint, path: Path, private: Ed25519PrivateKey, key_path: Path, state: LogState,
             keys: Sequence[AuditKey], origin: str = DEFAULT_ORIGIN) -> Checkpoint:
    """The checkpoint (read from `path`) with one more signature, by `private` (read from `key_path`), after
    checking that the log verifies, that it is a checkpoint of this log (origin, root of its first `size` entries),
    that its signatures verify and that this key has not signed it yet (TW-E710)."""
    sound(state, keys)
    key = registered(keys, private, key_path)

    def refuse(detail: str) -> AuditError:
        return AuditError("TW-E710", path=path, detail=detail)

    if checkpoint.origin != origin:
        raise refuse(f"it is a checkpoint of log {checkpoint.origin!r}, this log is {origin!r}")
    if checkpoint.size > state.size or state.tree.root(checkpoint.size) != checkpoint.root:
        raise refuse(f"its root is not that of the first {checkpoint.size} entries of this log")
    _, problems = signers(checkpoint, keys)
    if problems:
        raise refuse(problems[0])
    if any(s.name == key.name for s in checkpoint.signatures):
        raise refuse(f"{key.name!r} has signed it already")
    return sign(checkpoint, key.name, private)


def sound(state: LogState, keys: Sequence[AuditKey]) -> LogState:
    """The log `state`, if it and the registered `keys` verify; TW-E709 (naming the first problem) if not."""
    problems = state.problems + key_problems(state, keys)
    if problems:
        raise AuditError("TW-E709", detail=problems[0].text)
    return state


def registered(keys: Sequence[AuditKey], private: Ed25519PrivateKey, path: Path) -> AuditKey:
    """The registered key of this private key (read from `path`); TW-E708 when it is not registered."""
    public = raw_public(private)
    for key in keys:
        if key.public_key == public:
            return key
    raise AuditError("TW-E708", path=path, choices="|".join(GUARANTOR_CODES))


# --- verification --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckpointCheck:
    """One kept checkpoint against the log: who signed it (validly), what is wrong, if anything, and the signatures
    by keys it does not know (outside witnesses': ignored)."""

    source: str
    checkpoint: Checkpoint
    signed_by: tuple[AuditKey, ...]
    problems: tuple[Problem, ...]
    ignored: tuple[Signature, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class Verification:
    """What `verification` (and the job `verify_audit`) found: the log's size and root as recomputed, its problems
    (the first names the first entry that breaks), the keys' problems, each checkpoint's check, and what the store
    holds checked against the log (`content`: reports' texts and events, findings against their signatures)."""

    size: int
    root: bytes
    problems: tuple[Problem, ...]
    more_problems: int
    checkpoints: tuple[CheckpointCheck, ...]
    content: Coverage = Coverage()

    @property
    def ok(self) -> bool:
        return not self.problems and all(c.ok for c in self.checkpoints) and self.content.ok

    @property
    def first(self) -> Problem | None:
        """The problem that names the earliest entry (or, when none names an entry, the first found)."""
        found = [*self.problems, *(p for c in self.checkpoints for p in c.problems), *self.content.problems]
        named = [p for p in found if p.seq is not None]
        return min(named, key=lambda p: p.seq or 0) if named else (found[0] if found else None)


def verification(state: LogState, keys: Sequence[AuditKey], kept: Sequence[tuple[str, Checkpoint]],
                 trusted: Sequence[AuditKey] | None = None, origin: str = DEFAULT_ORIGIN) -> Verification:
    """The log `state` (as recomputed), the registered `keys` and each kept (source, checkpoint) checked (see the
    module's docstring); `trusted` keys from outside the system when given."""
    problems = state.problems + key_problems(state, keys, trusted)
    checks = [check_checkpoint(source, cp, state, keys, trusted, origin) for source, cp in kept]
    return Verification(state.size, state.root, tuple(problems), state.more_problems, tuple(_bounded(checks)))


def key_problems(state: LogState, keys: Sequence[AuditKey], trusted: Sequence[AuditKey] | None = None) -> list[Problem]:
    """Registered keys that differ from their registration in the log, or from the trusted key of their name."""
    problems = []
    for key in keys:
        registered = state.registrations.get(key.name)
        encoded = base64.b64encode(key.public_key).decode("ascii")
        if registered is None:
            problems.append(Problem(None, f"key {key.name!r} ({key.guarantor}) is in the database but was never "
                                          "registered through the log: it was put there behind trucewatch's back"))
        elif registered[:2] != (key.guarantor, encoded):
            problems.append(Problem(None, f"key {key.name!r} in the database differs from its registration at entry "
                                          f"{registered[2]}: it was replaced"))
        for other in trusted or ():
            if other.name == key.name and (other.public_key, other.guarantor) != (key.public_key, key.guarantor):
                problems.append(Problem(None, f"key {key.name!r} in the database differs from the trusted key of "
                                              "that name (--trusted-keys): it was replaced"))
    missing = sorted(set(state.registrations) - {k.name for k in keys})
    problems += [Problem(None, f"key {name!r}, registered at entry {state.registrations[name][2]}, is gone from the "
                               "database") for name in missing]
    return problems


def check_checkpoint(source: str, checkpoint: Checkpoint, state: LogState, keys: Sequence[AuditKey],
                     trusted: Sequence[AuditKey] | None, origin: str) -> CheckpointCheck:
    """Its origin, its signatures (by registered keys, and by trusted ones when given), that it is co-signed, and
    that the log extends it."""
    problems = []
    if checkpoint.origin != origin:
        problems.append(Problem(None, f"it is a checkpoint of log {checkpoint.origin!r}, this log is {origin!r}"))
    valid, wrong = signers(checkpoint, keys)
    problems += [Problem(None, text) for text in wrong]
    problems += [Problem(None, f"not co-signed: no valid signature by a registered key of {g}")
                 for g in missing_guarantors(valid)]
    if trusted is not None:
        by_trusted, _ = signers(checkpoint, trusted, "trusted")
        problems += [Problem(None, f"no valid signature by a trusted key of {g} (--trusted-keys): the keys in the "
                                   "database may have been replaced") for g in missing_guarantors(by_trusted)]
    problems += extension_problems(checkpoint, state)
    return CheckpointCheck(source, checkpoint, tuple(valid), tuple(problems), tuple(unknown_signers(checkpoint, keys)))


def extension_problems(checkpoint: Checkpoint, state: LogState) -> list[Problem]:
    """Whether the log now extends the checkpoint: as many entries at least, and a consistency proof (RFC 9162
    §2.1.4) from the checkpoint's tree to the current one that verifies."""
    m, n = checkpoint.size, state.size
    if m > n:
        gap = f"entry {n + 1}" if m == n + 1 else f"entries {n + 1} to {m}"
        return [Problem(n + 1, f"{gap} missing: the log has {n} entries, the checkpoint covers {m}")]
    proof = state.tree.consistency_proof(m, n)
    if verify_consistency(m, n, checkpoint.root, state.root, proof):
        return []
    return [Problem(None, f"the log does not extend it: its first {m} entries hash to "
                          f"{state.tree.root(m).hex()}, the checkpoint signed {checkpoint.root.hex()}; entries at or "
                          f"before {m} were changed, removed, inserted or reordered, and their leaf hashes made anew")]


def _bounded(checks: list[CheckpointCheck]) -> list[CheckpointCheck]:
    """Where a checkpoint is not extended, say which larger prefix another kept checkpoint still vouches for."""
    held = [c.checkpoint.size for c in checks if c.ok]
    bounded = []
    for check in checks:
        below = max((size for size in held if size < check.checkpoint.size), default=None)
        if below is None or not any(p.text.startswith("the log does not extend") for p in check.problems):
            bounded.append(check)
            continue
        problems = tuple(replace(p, text=f"{p.text} (after entry {below}: the first {below} still match a kept "
                                         "checkpoint)") if p.text.startswith("the log does not extend") else p
                         for p in check.problems)
        bounded.append(replace(check, problems=problems))
    return bounded


# --- files ---------------------------------------------------------------------------------------------------


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise AuditError("TW-E701", path=path, detail=err.strerror or str(err)) from None


def _text(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise AuditError("TW-E701", path=path, detail=f"it is not UTF-8 text: {err.reason} at byte {err.start}") \
            from None


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
