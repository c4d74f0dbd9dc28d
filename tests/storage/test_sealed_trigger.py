"""The store's own last line: a finding is published only with a signature *by a key* of each guarantor
(migration 0009). Signatures without a key (stored before 0008, or written past the jobs) seal nothing.
On SQLite and PostgreSQL both: the rows are written past the jobs, straight into the tables."""
from __future__ import annotations

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DatabaseError

from trucewatch.storage import Database

HASH = "ab" * 32


@pytest.fixture
def engine(db_url):
    """A store made and migrated to head, with one drafted finding, reached with plain SQL."""
    with Database.open(db_url):
        pass
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO findings (finding_id, version, series, agreement_id, commitment_id, grade, "
                          "attribution, reasoning, drafted_by, drafted_at, content_hash) VALUES ('fnd-1', 1, 'fnd-1', "
                          "'doha', 'no-attacks', 'fair', 'not attributable', 'why', 'mon-qat', '2025-10-20', :hash)"),
                     {"hash": HASH})
    yield engine
    engine.dispose()


def _sign(engine: Engine, guarantor: str, keyed: bool) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO finding_signatures (finding_id, guarantor, signer, at, content_hash, key_name, "
                          "signature) VALUES ('fnd-1', :guarantor, :signer, '2025-10-21', :hash, :key, :signature)"),
                     {"guarantor": guarantor, "signer": f"mon-{guarantor.lower()}", "hash": HASH,
                      "key": f"{guarantor}-key" if keyed else None, "signature": "c2ln" if keyed else None})


def _publish(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO finding_publications (finding_id, by, at) "
                          "VALUES ('fnd-1', 'mon-qat', '2025-10-22')"))


def test_signatures_without_keys_do_not_let_a_finding_be_published(engine):
    _sign(engine, "QAT", keyed=True)
    _sign(engine, "TUR", keyed=False)
    with pytest.raises(DatabaseError, match="signed by a monitor of each guarantor"):
        _publish(engine)


def test_signatures_by_keys_of_both_guarantors_let_it_be_published(engine):
    _sign(engine, "QAT", keyed=True)
    _sign(engine, "TUR", keyed=True)
    _publish(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM finding_publications")).scalar_one() == 1
