"""Stories: which reports are copies of one wire story, found once per report when it is stored.

Ten outlets reprinting one agency dispatch are one source for corroboration (an estimate's `best` needs two
independent sources), and an incident page lists the copies under the first. Two reports are copies when most of
their 5-word shingles are shared: Jaccard similarity of the shingle sets at least SYNDICATED_JACCARD.

Comparing every new report with every stored one is what made large incidents slow (every pair, on every change). So
each report gets a MinHash signature once, when it is stored, and its locality-sensitive band keys: reports whose
similarity is at least the threshold share a band key with probability above 99 % (BANDS bands of ROWS rows: at
Jaccard 0.5 the chance of no shared band is 0.875^40 = 0.5 %), and unrelated reports rarely do (at 0.1, 4 %). Only a
story's first report (its founder) keeps band keys: a new report is compared exactly, shingle by shingle, with the
few founders it shares most band keys with (at least two; `trucewatch.storage.stories`), and joins the first that
passes; otherwise it founds its own story. So the work per report does not grow with the number of reports or the
size of a story.

A copy of a copy that differs from the founder by more than half its shingles founds a new story; so does a copy
that the bands miss (3 % at the threshold, under 0.1 % from Jaccard 0.6: real reprints share far more than half).
"""
from __future__ import annotations

import hashlib
import re
import zlib

import numpy as np

SYNDICATED_JACCARD = 0.5  # share of 5-word shingles above which two reports are copies of one story
SHINGLE_WORDS = 5
BANDS, ROWS = 40, 3
_WORD = re.compile(r"[a-z0-9]+")
# The hash functions of the signature: h_i(x) = high 32 bits of (a_i * x + b_i) mod 2^64, a_i odd. Fixed seeds, so
# every process and every version computes the same band keys for the same text.
_RNG = np.random.default_rng(20251019)
_A = (_RNG.integers(1, 2**63, size=BANDS * ROWS, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _RNG.integers(0, 2**63, size=BANDS * ROWS, dtype=np.uint64)


def shingles(text: str) -> set[int]:
    """The text's 5-word shingles (lower-cased words), each as a 32-bit hash."""
    words = _WORD.findall(text.lower())
    return {zlib.crc32(" ".join(words[i:i + SHINGLE_WORDS]).encode())
            for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def copies(a: set[int], b: set[int]) -> bool:
    """Whether two reports with these shingles are copies of one story."""
    return jaccard(a, b) >= SYNDICATED_JACCARD


def signature(shingle_set: set[int]) -> np.ndarray:
    """The MinHash signature: for each of BANDS * ROWS hash functions, the least hash over the shingles."""
    values = np.fromiter(shingle_set or {0}, dtype=np.uint64)
    with np.errstate(over="ignore"):  # the hashes wrap modulo 2^64 on purpose
        hashed = (_A[:, None] * values[None, :] + _B[:, None]) >> np.uint64(32)
    return hashed.min(axis=1)


def band_keys(shingle_set: set[int]) -> list[int]:
    """One key per band of the signature (a signed 64-bit integer, for an indexed BIGINT column); two reports that
    share any key are compared exactly."""
    sig = signature(shingle_set).astype("<u8")
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(sig[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8,
                                 person=band.to_bytes(2, "little")).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def source_groups(texts: dict[str, str]) -> dict[str, str]:
    """Each report's story among these reports alone (report id -> text, in the order they arrived): the id of the
    first report it is a copy of, else its own. For reports stored before stories were recorded, and for tests; the
    store records each report's story as it arrives (`Store.save`)."""
    found = {report_id: shingles(text) for report_id, text in texts.items()}
    group: dict[str, str] = {}
    founders: list[str] = []
    for report_id, own in found.items():
        group[report_id] = next((f for f in founders if copies(own, found[f])), report_id)
        if group[report_id] == report_id:
            founders.append(report_id)
    return group
