"""A publication needs a signature *by a key* of each guarantor.

0006's trigger `finding_publications_sealed` counts the guarantors whose signatures are of the finding's content
hash. Since 0008 a signature that counts carries its key and its Ed25519 signature (the jobs check the signature
itself, `audit verify` checks it again against the key as the log registered it); signatures stored before 0008 have
neither and no longer seal a finding. The trigger now counts only signatures with a key and a signature, so the store
refuses what the jobs refuse. SQLite: the trigger is dropped and made again; PostgreSQL: its function is replaced.

Revision ID: 0009_sealed_by_keys
Revises: 0008_monitor_keys
Create Date: 2026-12-07
"""
from __future__ import annotations

from alembic import op

revision = "0009_sealed_by_keys"
down_revision = "0008_monitor_keys"
branch_labels = None
depends_on = None

GUARANTORS = 2  # QAT and TUR


def _unsealed(keyed: bool) -> str:
    signed = " AND s.key_name IS NOT NULL AND s.signature IS NOT NULL" if keyed else ""
    return ("(SELECT count(DISTINCT s.guarantor) FROM finding_signatures s JOIN findings f "
            f"ON f.finding_id = s.finding_id AND f.content_hash = s.content_hash{signed} "
            f"WHERE s.finding_id = NEW.finding_id) < {GUARANTORS}")


def _make(keyed: bool) -> None:
    dialect = op.get_bind().dialect.name
    message = "only a finding signed by a monitor of each guarantor is published"
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS finding_publications_sealed")
        op.execute(f"CREATE TRIGGER finding_publications_sealed BEFORE INSERT ON finding_publications "
                   f"WHEN {_unsealed(keyed)} BEGIN SELECT RAISE(ABORT, '{message}'); END")
    elif dialect == "postgresql":
        op.execute(f"CREATE OR REPLACE FUNCTION tw_publication_sealed() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN IF {_unsealed(keyed)} THEN RAISE EXCEPTION '{message}'; END IF; RETURN NEW; END $$")


def upgrade() -> None:
    _make(keyed=True)


def downgrade() -> None:
    _make(keyed=False)
