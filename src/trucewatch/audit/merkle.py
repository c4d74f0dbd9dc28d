"""Merkle trees as Certificate Transparency builds them (RFC 9162 §2.1): hashing, roots, inclusion and consistency
proofs. Pure: bytes in, bytes out; no I/O.

Hashing (RFC 9162 §2.1.1): a leaf is SHA-256(0x00 || data), an interior node SHA-256(0x01 || left || right), and the
empty tree SHA-256(""). The Merkle Tree Hash of n > 1 leaves splits them at k, the largest power of two smaller than n:
MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n])).

`MerkleTree` keeps the leaf hashes and, per level, the hash of every complete (perfect, aligned) subtree: appending a
leaf is O(log n) (amortised O(1)), and the root of any prefix of the tree, or an inclusion or consistency proof for it,
is assembled from O(log n) stored subtree hashes. Verification (`verify_inclusion`, `verify_consistency`) follows the
algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2 step by step and needs nothing but the proof.

Indices are 0-based leaf positions, as in the RFC; the audit log numbers its entries from 1 (seq = index + 1).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the hash of a leaf whose entry is `data`."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an interior node."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """Leaf hashes and every complete subtree's hash; the root and proofs of the tree of any first `size` leaves.

    `levels[h][j]` is the hash of the perfect subtree of 2**h leaves that starts at leaf j * 2**h; only complete
    subtrees are kept, so the tree of the first `size` leaves uses exactly those that lie within [0, size)."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for h in leaf_hashes:
            self.append(h)

    def __len__(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> None:
        """Add a leaf hash at the right and the complete subtrees it closes."""
        level, value = 0, leaf
        while True:
            row = self.levels[level]
            row.append(value)
            if len(row) % 2:
                return
            value = node_hash(row[-2], row[-1])
            level += 1
            if level == len(self.levels):
                self.levels.append([])

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first `size` leaves (default: all): the complete subtrees of `size`'s binary digits, folded
        from the right."""
        size = len(self) if size is None else size
        self._check_size(size)
        if size == 0:
            return EMPTY_ROOT
        return self._range(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[size]) of RFC 9162 §2.1.3.1: the sibling hashes from the leaf up to the root, leaf side
        first."""
        size = len(self) if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise ValueError(f"leaf index {index} is not in a tree of {size} leaves")
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = split_point(end - start)
            if index < start + k:
                path.append(self._range(start + k, end))
                end = start + k
            else:
                path.append(self._range(start, start + k))
                start += k
        path.reverse()
        return path

    def consistency_proof(self, old_size: int, size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[size]) of RFC 9162 §2.1.4.1: the hashes that prove the tree of the first `old_size`
        leaves is a prefix of the tree of `size`; empty when old_size is 0 or equals size."""
        size = len(self) if size is None else size
        self._check_size(size)
        if not 0 <= old_size <= size:
            raise ValueError(f"old size {old_size} is not between 0 and {size}")
        if old_size in (0, size):
            return []
        proof: list[bytes] = []
        start, end, whole = 0, size, True  # SUBPROOF(m, D[start:end], whole), with m counted from `start`
        m = old_size
        while True:
            n = end - start
            if m == n:
                if not whole:
                    proof.append(self._range(start, end))
                break
            k = split_point(n)
            if m <= k:
                proof.append(self._range(start + k, end))
                end = start + k
            else:
                proof.append(self._range(start, start + k))
                start, m, whole = start + k, m - k, False
        proof.reverse()
        return proof

    def _range(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) from the stored complete subtrees (start is aligned in every range a proof asks for,
        which makes this O(log n); any other range is still right, only slower)."""
        n = end - start
        if n & (n - 1) == 0 and start % n == 0:
            return self.levels[n.bit_length() - 1][start // n]
        k = split_point(n)
        return node_hash(self._range(start, start + k), self._range(start + k, end))

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= len(self):
            raise ValueError(f"tree size {size} is not between 0 and {len(self)}")


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of these leaf hashes."""
    return MerkleTree(leaf_hashes).root()


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """True if `proof` proves that `leaf` (a leaf hash) is leaf `index` of the tree of `size` leaves whose root is
    `root`: the algorithm of RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, size: int, old_root: bytes, root: bytes, proof: Sequence[bytes]) -> bool:
    """True if `proof` proves that the tree of `old_size` leaves with root `old_root` is a prefix of the tree of
    `size` leaves with root `root`: the algorithm of RFC 9162 §2.1.4.2 (an empty tree is a prefix of every tree, and
    a tree of itself with an empty proof)."""
    if not 0 <= old_size <= size:
        return False
    if old_size == size:
        return not proof and old_root == root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == root and sn == 0
