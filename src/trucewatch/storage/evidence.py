"""Complaint evidence files on disk, kept once each under their SHA-256: FOLDER/ab/abcdef....

Files are written to a temporary name in the folder while they are hashed and measured, and renamed into place only
when complete and within the size limit, so a half-received or oversized upload leaves nothing behind. They are
served back as downloads (application/octet-stream), never as what the sender said they were.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from trucewatch.errors import WebError

CHUNK = 1024 * 1024
SHA256 = re.compile(r"[0-9a-f]{64}")
UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def keep(upload: BinaryIO, folder: Path, limit: int) -> tuple[str, int]:
    """Store an uploaded file; returns its SHA-256 and size. TW-E619 over `limit` bytes, TW-E607 when the folder
    cannot be written."""
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
                if size > limit:
                    raise WebError("TW-E619", limit=limit)
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        target = path_of(folder, sha)
        target.parent.mkdir(exist_ok=True)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return sha, size


def path_of(folder: Path, sha256: str) -> Path:
    """Where the file with this SHA-256 is kept; TW-E616 for anything that is not a SHA-256."""
    if not SHA256.fullmatch(sha256):
        raise WebError("TW-E616", what=f"evidence {sha256[:80]!r}")
    return folder / sha256[:2] / sha256


def safe_filename(name: str | None) -> str:
    """The sender's file name without folders or odd characters, at most 120 characters."""
    base = UNSAFE.sub("_", Path((name or "").replace("\\", "/")).name).strip(" .")
    return base[:120] or "evidence"
