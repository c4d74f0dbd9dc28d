"""trucewatch.audit.merkle against an independent implementation, for every tree size from 1 to 2 048.

The reference below is written straight from the recursive definitions of RFC 6962 §2.1 (MTH, PATH, PROOF/SUBPROOF)
over lists of leaf entries, in a deliberately different style from the module under test (which works iteratively
from cached complete subtrees). For every size n: the roots agree; for every leaf index and every old size when
n <= 64, and for SAMPLE seeded random ones (plus the first and last) beyond, the inclusion and consistency proofs
of both are equal and verify, and altered proofs, hashes, indices and sizes fail.
"""
from __future__ import annotations

import hashlib
import random
from functools import cache

import pytest

from trucewatch.audit.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

MAX_SIZE = 2048
ALL_UP_TO = 64
SAMPLE = 24
ENTRIES = [f"entry {i}".encode() for i in range(MAX_SIZE)]


# --- the reference: RFC 6962 §2.1, recursively, over (lo, hi) ranges of ENTRIES ------------------------------------


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@cache
def ref_mth(lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) of ENTRIES."""
    n = hi - lo
    if n == 0:
        return _sha(b"")
    if n == 1:
        return _sha(b"\x00" + ENTRIES[lo])
    k = _k(n)
    return _sha(b"\x01" + ref_mth(lo, lo + k) + ref_mth(lo + k, hi))


def ref_path(m: int, lo: int, hi: int) -> list[bytes]:
    """PATH(m, D[lo:hi])."""
    n = hi - lo
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return ref_path(m, lo, lo + k) + [ref_mth(lo + k, hi)]
    return ref_path(m - k, lo + k, hi) + [ref_mth(lo, lo + k)]


def ref_subproof(m: int, lo: int, hi: int, b: bool) -> list[bytes]:
    """SUBPROOF(m, D[lo:hi], b)."""
    n = hi - lo
    if m == n:
        return [] if b else [ref_mth(lo, hi)]
    k = _k(n)
    if m <= k:
        return ref_subproof(m, lo, lo + k, b) + [ref_mth(lo + k, hi)]
    return ref_subproof(m - k, lo + k, hi, False) + [ref_mth(lo, lo + k)]


def ref_proof(m: int, n: int) -> list[bytes]:
    """PROOF(m, D[n])."""
    return ref_subproof(m, 0, n, True)


# --- the comparison ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tree() -> MerkleTree:
    built = MerkleTree()
    for entry in ENTRIES:
        built.append(leaf_hash(entry))
    return built


def _sample(n: int, rng: random.Random, first: int) -> list[int]:
    """Every value of [first, n) when n is small, else SAMPLE random ones and both ends."""
    if n <= ALL_UP_TO:
        return list(range(first, n))
    return sorted({first, n - 1, *rng.sample(range(first, n), SAMPLE)})


def _flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


def test_hashing_is_rfc_9162():
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"") == _sha(b"\x00")
    assert node_hash(b"a" * 32, b"b" * 32) == _sha(b"\x01" + b"a" * 32 + b"b" * 32)
    assert MerkleTree().root() == EMPTY_ROOT


def test_roots_agree_for_every_size(tree):
    for n in range(1, MAX_SIZE + 1):
        assert tree.root(n) == ref_mth(0, n), n
    assert root_of([leaf_hash(e) for e in ENTRIES[:5]]) == ref_mth(0, 5)


def _alterations(proof: list[bytes], rng: random.Random) -> list[list[bytes]]:
    """The proof with one hash flipped, one dropped, one added (each that applies)."""
    altered = [[*proof, proof[-1] if proof else EMPTY_ROOT]]
    if proof:
        at = rng.randrange(len(proof))
        altered += [[*proof[:at], _flip(proof[at]), *proof[at + 1:]], proof[:at] + proof[at + 1:]]
    return altered


def _some(checks: list, n: int, rng: random.Random) -> list:
    """Every check for small trees; one, chosen at random, per proof beyond (all kinds are drawn many times)."""
    return checks if n <= ALL_UP_TO else [rng.choice(checks)]


def test_inclusion_proofs_agree_verify_and_alterations_fail(tree):
    rng = random.Random(9162)
    checked = refused = 0
    for n in range(1, MAX_SIZE + 1):
        root = tree.root(n)
        for m in _sample(n, rng, 0):
            proof = tree.inclusion_proof(m, n)
            assert proof == ref_path(m, 0, n), (m, n)
            leaf = leaf_hash(ENTRIES[m])
            assert verify_inclusion(leaf, m, n, proof, root), (m, n)
            wrong = [(_flip(leaf), m, n, proof, root), (leaf, m, n, proof, _flip(root)), (leaf, m ^ 1, n, proof, root),
                     *((leaf, m, n, p, root) for p in _alterations(proof, rng))]
            if n < MAX_SIZE:
                wrong.append((leaf, m, n + 1, proof, tree.root(n + 1)))
            for args in _some(wrong, n, rng):
                assert not verify_inclusion(*args), (m, n, args)
                refused += 1
            checked += 1
    print(f"\n{checked} inclusion proofs equal to the reference's and verified, {refused} altered ones refused, "
          f"tree sizes 1..{MAX_SIZE}")
    assert checked > 4000


def test_consistency_proofs_agree_verify_and_alterations_fail(tree):
    rng = random.Random(6962)
    checked = refused = 0
    for n in range(1, MAX_SIZE + 1):
        root = tree.root(n)
        for m in _sample(n, rng, 1):
            proof = tree.consistency_proof(m, n)
            assert proof == ref_proof(m, n), (m, n)
            old_root = ref_mth(0, m)
            assert verify_consistency(m, n, old_root, root, proof), (m, n)
            wrong = [(m, n, _flip(old_root), root, proof), (m, n, old_root, _flip(root), proof),
                     *((m, n, old_root, root, p) for p in _alterations(proof, rng))]
            if m > 1:
                wrong.append((m - 1, n, old_root, root, proof))
            for args in _some(wrong, n, rng):
                assert not verify_consistency(*args), (m, n, args)
                refused += 1
            checked += 1
        assert tree.consistency_proof(n, n) == [] and verify_consistency(n, n, root, root, [])
        assert verify_consistency(0, n, EMPTY_ROOT, root, [])
    print(f"\n{checked} consistency proofs equal to the reference's and verified, {refused} altered ones refused, "
          f"tree sizes 1..{MAX_SIZE}")
    assert checked > 4000


def test_proofs_of_a_growing_tree_match_the_whole_tree(tree):
    growing = MerkleTree()
    for n, entry in enumerate(ENTRIES[:100], start=1):
        growing.append(leaf_hash(entry))
        assert growing.root() == tree.root(n)
        assert growing.inclusion_proof(n // 2) == tree.inclusion_proof(n // 2, n)
        assert growing.consistency_proof(n // 2) == tree.consistency_proof(n // 2, n)


def test_out_of_range_questions_are_refused(tree):
    with pytest.raises(ValueError):
        tree.root(MAX_SIZE + 1)
    with pytest.raises(ValueError):
        tree.inclusion_proof(5, 5)
    with pytest.raises(ValueError):
        tree.consistency_proof(6, 5)
    assert not verify_inclusion(leaf_hash(b"x"), 0, 0, [], EMPTY_ROOT)
    assert not verify_consistency(3, 2, EMPTY_ROOT, EMPTY_ROOT, [])
