"""Signing findings in tests as a guarantor monitor does: make an Ed25519 key pair on "their machine", register its
public key through the job (trucewatch.jobs.monitor_keys), and sign a finding's content hash with the private key
through trucewatch.jobs.casework.sign_finding — the same path the CLI's `findings sign --key` takes.

    key = monitor_key(desk, qat)
    finding = sign_with(desk, qat, finding_id, key)
"""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trucewatch.casework.findings import signed_message
from trucewatch.jobs import casework, monitor_keys
from trucewatch.jobs.casework import Desk
from trucewatch.records import Finding, User


def raw_public(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_name(user: User | str, private: Ed25519PrivateKey) -> str:
    """The name `monitor_key` registers a monitor's key under: their name and the key's first hex digits."""
    return f"{user if isinstance(user, str) else user.name}-{raw_public(private).hex()[:8]}"


def known_key(seed: str) -> Ed25519PrivateKey:
    """A private key made from `seed` (a test's own, never a real one): the same in every test process, so a world
    built once per session (tests/web/conftest.py: its monitors hold `known_key(their name)`) can be signed in by
    any test."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"trucewatch test key {seed}".encode()).digest())


def monitor_key(desk: Desk, user: User, private: Ed25519PrivateKey | None = None) -> Ed25519PrivateKey:
    """Register the public key of `private` (default: a new key pair) as the monitor `user`'s signing key, named
    `key_name(user, private)` (a `key.register` entry); the private key."""
    private = private or Ed25519PrivateKey.generate()
    monitor_keys.register_key(desk, user, key_name(user, private), raw_public(private))
    return private


def signature_of(private: Ed25519PrivateKey, content_hash: str) -> str:
    """The base64 Ed25519 signature of a finding's content hash, as a monitor's machine or browser makes it."""
    return base64.b64encode(private.sign(signed_message(content_hash))).decode("ascii")


def sign_with(desk: Desk, user: User, finding_id: str, private: Ed25519PrivateKey) -> Finding:
    """`user` signs the finding's current content hash with their registered key `private`."""
    content_hash = casework.get_finding(desk, user, finding_id).content_hash
    return casework.sign_finding(desk, user, finding_id, content_hash, key_name(user, private),
                                 signature_of(private, content_hash))


def signature_body(monitor: str, content_hash: str, private: Ed25519PrivateKey | None = None) -> dict[str, str]:
    """The JSON a monitor's client sends to POST /api/v1/findings/{id}/signatures (and the page form's fields):
    signed with `private`, default `known_key(monitor)` (the web world's monitors' keys)."""
    private = private or known_key(monitor)
    return {"content_hash": content_hash, "key_name": key_name(monitor, private),
            "signature": signature_of(private, content_hash)}


def key_file(private: Ed25519PrivateKey, path: Path) -> Path:
    """The private key as `trucewatch findings keys generate` writes it (PEM, PKCS #8), for `findings sign --key`."""
    path.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return path
