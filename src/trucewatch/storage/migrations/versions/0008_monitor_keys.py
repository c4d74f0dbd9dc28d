"""Signatures only a guarantor can make, and evidence marked public or restricted.

- `monitor_keys`: each guarantor monitor's Ed25519 public key for signing findings (the private key never reaches
  the server). Rows are never deleted; the only change a row takes is its revocation, once (triggers, SQLite and
  PostgreSQL).
- `finding_signatures.key_name`, `.signature`: the key that signed and the Ed25519 signature (base64) over the
  finding's content hash (`trucewatch.casework.findings.signed_message`). Null for signatures stored before this
  revision: those carry no key, and no longer count towards a seal (docs/findings.md, "Signatures").
- `evidence_originals.public`: whether the uploader marked the file public; restricted (false) by default and for
  every file stored before this revision. A published finding's public bundle carries only public files, and the
  SHA-256 of the rest.

`ADD COLUMN` in place on both back ends (no table is copied, so the 0006 triggers stay).

Revision ID: 0008_monitor_keys
Revises: 0007_claim_content
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_monitor_keys"
down_revision = "0007_claim_content"
branch_labels = None
depends_on = None

FIXED = ("name", "user", "guarantor", "public_key", "registered_at", "registered_by")
CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FIXED)


def upgrade() -> None:
    op.create_table(
        "monitor_keys",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("guarantor", sa.String(10), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False, unique=True),
        sa.Column("registered_at", sa.String(40), nullable=False),
        sa.Column("registered_by", sa.String(100), nullable=False),
        sa.Column("revoked_at", sa.String(40), nullable=True),
        sa.Column("revoked_by", sa.String(100), nullable=True),
    )
    op.create_index("ix_monitor_keys_user", "monitor_keys", ["user"])
    op.add_column("finding_signatures", sa.Column("key_name", sa.String(200), nullable=True))
    op.add_column("finding_signatures", sa.Column("signature", sa.String(100), nullable=True))
    op.add_column("evidence_originals", sa.Column("public", sa.Boolean(), nullable=False,
                                                  server_default=sa.false()))
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("CREATE TRIGGER monitor_keys_no_delete BEFORE DELETE ON monitor_keys "
                   "BEGIN SELECT RAISE(ABORT, 'monitor_keys: a key is revoked, never deleted'); END")
        op.execute(f"CREATE TRIGGER monitor_keys_revoked_once BEFORE UPDATE ON monitor_keys "
                   f"WHEN OLD.revoked_at IS NOT NULL OR {CHANGED} "
                   "BEGIN SELECT RAISE(ABORT, 'monitor_keys: a key is only revoked, once'); END")
    elif dialect == "postgresql":
        changed = CHANGED.replace("IS NOT", "IS DISTINCT FROM")
        op.execute("CREATE FUNCTION tw_monitor_key() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'monitor_keys: a key is revoked, never deleted'; "
                   f"END IF; IF OLD.revoked_at IS NOT NULL OR {changed} THEN "
                   "RAISE EXCEPTION 'monitor_keys: a key is only revoked, once'; END IF; RETURN NEW; END $$")
        op.execute("CREATE TRIGGER monitor_keys_revoked_once BEFORE UPDATE OR DELETE ON monitor_keys "
                   "FOR EACH ROW EXECUTE FUNCTION tw_monitor_key()")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS monitor_keys_revoked_once ON monitor_keys")
        op.execute("DROP FUNCTION IF EXISTS tw_monitor_key()")
    op.drop_column("evidence_originals", "public")
    op.drop_column("finding_signatures", "signature")
    op.drop_column("finding_signatures", "key_name")
    op.drop_index("ix_monitor_keys_user", "monitor_keys")
    op.drop_table("monitor_keys")  # SQLite drops its triggers with it
