"""Guarantor monitors' signing keys as jobs: registered, revoked, listed (docs/findings.md, "Signatures").

A monitor makes an Ed25519 key pair on their own machine (`trucewatch findings keys generate`) or in their browser,
and registers only its public key, acting as themselves: signed in (web), or with their password (CLI). Only a
guarantor monitor holds a key, and one active key at a time; a key is revoked by its holder or an admin, and signs
nothing more (what it signed stays signed). Each write appends its audit entry in its own transaction: `key.register`
(subject the key name; `user`, `guarantor`, `public_key` base64) and `key.revoke` (`user`, `reason`), so the
guarantors' checkpoints cover which key was whose, and `trucewatch audit verify` checks the table against them.
"""
from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trucewatch.audit.checkpoint import raw_public, read_private_key
from trucewatch.audit.log import now_utc
from trucewatch.casework import findings as rules
from trucewatch.casework.access import Resource, decide
from trucewatch.errors import FindingError
from trucewatch.jobs.casework import Desk
from trucewatch.records import MonitorKey, User
from trucewatch.storage.audit_log import recorder


def register_key(desk: Desk, user: User, name: str, public_key: bytes) -> MonitorKey:
    """Register `public_key` (32 raw bytes) as `user`'s signing key named `name`. TW-E836 unless `user` is a
    guarantor monitor without an active key and the name and key are new; TW-E830 for a name the signed-note rules
    refuse; TW-E831 for a key that is not 32 bytes."""
    if not decide(desk.identity(user), "create", Resource("monitor_key")) or user.guarantor is None:
        raise FindingError("TW-E836", name=name, detail=f"{user.name} is a {user.role}: only a guarantor monitor "
                                                         "holds a signing key")
    if user.disabled:
        raise FindingError("TW-E812", name=user.name)
    problem = rules.key_name_problem(name)
    if problem:
        raise FindingError("TW-E830", name=name, detail=problem)
    if len(public_key) != rules.PUBLIC_KEY_BYTES:
        raise FindingError("TW-E831", detail=f"it is {len(public_key)} bytes, an Ed25519 public key is 32")
    key = MonitorKey(name, user.name, user.guarantor, public_key, now_utc(), user.name)
    return desk.db.keys.add(key, audit=recorder(user.name, registration_entry(key)))


def registration_entry(key: MonitorKey) -> tuple[str, str, dict[str, str]]:
    """`key.register`: which monitor holds the key, for which guarantor, and the key itself."""
    return ("key.register", key.name, {"user": key.user, "guarantor": key.guarantor,
                                       "public_key": base64.b64encode(key.public_key).decode("ascii")})


def revoke_key(desk: Desk, user: User, name: str, reason: str) -> MonitorKey:
    """Revoke key `name`: it signs nothing from now on. Its holder or an admin, with a reason; TW-E837 otherwise, or
    when there is no such key or it is revoked already."""
    key = desk.db.keys.get(name)
    if key is None:
        raise FindingError("TW-E837", name=name, detail="no key of that name is registered")
    if user.disabled:
        raise FindingError("TW-E812", name=user.name)
    holder = user.name == key.user
    if not decide(desk.identity(user), "delete", Resource("monitor_key")) or not (holder or user.role == "admin"):
        raise FindingError("TW-E837", name=name, detail=f"it is {key.user}'s: only its holder or an admin revokes it")
    if not reason.strip():
        raise FindingError("TW-E837", name=name, detail="say why (--reason): the reason is kept in the audit log")
    if not key.active:
        raise FindingError("TW-E837", name=name, detail=f"it was revoked at {key.revoked_at} by {key.revoked_by}")
    entry = ("key.revoke", name, {"user": key.user, "reason": reason.strip()})
    return desk.db.keys.revoke(name, user.name, now_utc(), audit=recorder(user.name, entry))


def keys_of(desk: Desk, user_name: str) -> list[MonitorKey]:
    """The keys a monitor holds or held, oldest first."""
    return desk.db.keys.of_user(user_name)


def all_keys(desk: Desk) -> list[MonitorKey]:
    """Every registered key, oldest first: public information (who signs with which key)."""
    return desk.db.keys.all()


def key_of_public(desk: Desk, public_key: bytes) -> MonitorKey | None:
    """The registered key with these 32 raw bytes, if any (how the CLI finds whose private key it was given)."""
    return next((k for k in desk.db.keys.all() if k.public_key == public_key), None)


# --- on the monitor's own machine ----------------------------------------------------------------------------------

PUBLIC_SUFFIX = ".pub"


def generate_key(name: str, out: Path) -> str:
    """A new Ed25519 key pair, made here and never sent anywhere: the private key to `out` (PEM, PKCS #8, mode
    0600), its verifier key `name+<key id>+base64(0x01 || key)` to `out`.pub; returns the verifier key. TW-E830 for
    a name the signed-note rules refuse, TW-E836 when either file exists (keys are never overwritten)."""
    problem = rules.key_name_problem(name)
    if problem:
        raise FindingError("TW-E830", name=name, detail=problem)
    public_path = out.with_name(out.name + PUBLIC_SUFFIX)
    for path in (out, public_path):
        if path.exists():
            raise FindingError("TW-E836", name=name, detail=f"{path} exists; keys are never overwritten, choose "
                                                            "another file")
    private = Ed25519PrivateKey.generate()
    verifier = rules.verifier_key(name, raw_public(private))
    _write_new(out, private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()), 0o600)
    _write_new(public_path, (verifier + "\n").encode("ascii"), 0o644)
    return verifier


def _write_new(path: Path, data: bytes, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except OSError as err:
        raise FindingError("TW-E836", name=path.name, detail=f"{path}: {err.strerror or err}") from None
    with os.fdopen(fd, "wb") as opened:
        opened.write(data)


def read_public_file(path: Path) -> tuple[str | None, bytes]:
    """(name or None, 32 raw bytes) from a public key file: the verifier key line `generate_key` wrote, or the
    base64 of the raw key. TW-E831 otherwise."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as err:
        raise FindingError("TW-E831", detail=f"{path}: {err}") from None
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if len(lines) != 1:
        raise FindingError("TW-E831", detail=f"{path} holds {len(lines)} key lines, expected one")
    try:
        return rules.parse_public_key(lines[0].split()[-1])
    except ValueError as err:
        raise FindingError("TW-E831", detail=f"{path}: {err}") from None


def read_signing_key(path: Path) -> Ed25519PrivateKey:
    """The private key a monitor signs with (PEM, PKCS #8, unencrypted); TW-E703 when the file is not one."""
    return read_private_key(path)


def sign_hash(private: Ed25519PrivateKey, content_hash: str) -> str:
    """The base64 signature of `rules.signed_message(content_hash)`: made on the monitor's machine."""
    return base64.b64encode(private.sign(rules.signed_message(content_hash))).decode("ascii")
