"""The store's own last line: a finding is published only with a signature *by a key* of each guarantor
(migration 0009). Signatures without a key (stored before 0008, or written past the jobs) seal nothing."""
from __future__ import annotations

import sqlite3

import pytest

from trucewatch.storage import Database

HASH = "ab" * 32


def _store_with_finding(url: str) -> str:
    with Database.open(url):  # made and migrated to head
        pass
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO findings (finding_id, version, series, agreement_id, commitment_id, grade, "
                     "attribution, reasoning, drafted_by, drafted_at, content_hash) VALUES ('fnd-1', 1, 'fnd-1', "
                     "'doha', 'no-attacks', 'fair', 'not attributable', 'why', 'mon-qat', '2025-10-20', ?)", (HASH,))
    return path


def _sign(path: str, guarantor: str, keyed: bool) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO finding_signatures (finding_id, guarantor, signer, at, content_hash, key_name, "
                     "signature) VALUES ('fnd-1', ?, ?, '2025-10-21', ?, ?, ?)",
                     (guarantor, f"mon-{guarantor.lower()}", HASH, *((f"{guarantor}-key", "c2ln") if keyed
                                                                     else (None, None))))


def _publish(path: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO finding_publications (finding_id, by, at) VALUES ('fnd-1', 'mon-qat', '2025-10-22')")


def test_signatures_without_keys_do_not_let_a_finding_be_published(tmp_path):
    path = _store_with_finding(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    _sign(path, "QAT", keyed=True)
    _sign(path, "TUR", keyed=False)
    with pytest.raises(sqlite3.IntegrityError, match="signed by a monitor of each guarantor"):
        _publish(path)


def test_signatures_by_keys_of_both_guarantors_let_it_be_published(tmp_path):
    path = _store_with_finding(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    _sign(path, "QAT", keyed=True)
    _sign(path, "TUR", keyed=True)
    _publish(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM finding_publications").fetchone() == (1,)
