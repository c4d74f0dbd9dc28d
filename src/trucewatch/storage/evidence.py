"""Complaint evidence files on disk, kept once each under their SHA-256: FOLDER/ab/abcdef....

Files are written to a temporary name in the folder while they are hashed and measured (`receive`), and renamed into
place (`settle`) only when the record that names them is being stored, in its transaction; on any failure they are
removed (`discard`, `unsettle`), so a half-received, oversized or refused upload leaves nothing behind. They are
served back as downloads (application/octet-stream), never as what the sender said they were.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from trucewatch.errors import WebError

CHUNK = 1024 * 1024
SHA256 = re.compile(r"[0-9a-f]{64}")
UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True, slots=True)
class Received:
    """An uploaded file received under a temporary name in the evidence folder: not kept until `settle`."""

    sha256: str
    size: int
    temporary: Path
    filename: str = ""  # as the sender named it, made safe (`safe_filename`); "" when not told
    media_type: str = "application/octet-stream"  # as the sender declared it (files are served as downloads)


def keep(upload: BinaryIO, folder: Path, limit: int) -> tuple[str, int]:
    """Store a file at once; returns its SHA-256 and size. TW-E619 over `limit` bytes, TW-E607 when the folder
    cannot be written."""
    got = receive(upload, folder, limit)
    try:
        settle([got], folder)
    finally:
        discard([got])
    return got.sha256, got.size


def receive(upload: BinaryIO, folder: Path, limit: int, allowance: int | None = None) -> Received:
    """Write an upload to a temporary name in `folder`, hashing and measuring it. TW-E619 (naming `limit`) when it
    is over `allowance` bytes (default: `limit`; what is left of a complaint's limit), and nothing is left behind;
    TW-E607 when the folder cannot be written. The caller keeps it with `settle` or drops it with `discard`."""
    allowance = limit if allowance is None else allowance
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".upload-", dir=folder)
    except OSError as err:
        raise WebError("TW-E607", detail=f"cannot write evidence to {folder} ({err.strerror or err}); check "
                                         "TRUCEWATCH_EVIDENCE_DIR and its permissions") from err
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := upload.read(CHUNK):
                size += len(chunk)
                if size > allowance:
                    raise WebError("TW-E619", limit=limit)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Received(digest.hexdigest(), size, Path(temporary))


def settle(received: Sequence[Received], folder: Path) -> list[Path]:
    """Move received files into place under their SHA-256; returns those that were not kept before (to `unsettle`
    if what records them is not stored after all)."""
    placed = []
    for got in received:
        target = path_of(folder, got.sha256)
        target.parent.mkdir(exist_ok=True)
        new = not target.exists()
        os.replace(got.temporary, target)
        if new:
            placed.append(target)
    return placed


def unsettle(placed: Sequence[Path]) -> None:
    """Remove files `settle` placed, when their record was not stored."""
    for path in placed:
        path.unlink(missing_ok=True)


def discard(received: Sequence[Received]) -> None:
    """Remove what is left of received files (nothing, for those settled)."""
    for got in received:
        got.temporary.unlink(missing_ok=True)


def path_of(folder: Path, sha256: str) -> Path:
    """Where the file with this SHA-256 is kept; TW-E616 for anything that is not a SHA-256."""
    if not SHA256.fullmatch(sha256):
        raise WebError("TW-E616", what=f"evidence {sha256[:80]!r}")
    return folder / sha256[:2] / sha256


def safe_filename(name: str | None) -> str:
    """The sender's file name without folders or odd characters, at most 120 characters."""
    base = UNSAFE.sub("_", Path((name or "").replace("\\", "/")).name).strip(" .")
    return base[:120] or "evidence"
