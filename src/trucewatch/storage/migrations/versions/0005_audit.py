"""The audit log (append-only) and the guarantors' keys that sign its checkpoints.

Triggers refuse UPDATE and DELETE on both tables, so no code path can change them by mistake. They are no defence
against someone who can drop them: the Merkle tree and the signed checkpoints are (docs/audit.md). A later migration
that rebuilds either table (SQLite batch mode copies tables) must create the triggers again.

Revision ID: 0005_audit
Revises: 0004_web
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_audit"
down_revision = "0004_web"
branch_labels = None
depends_on = None

TABLES = ("audit_log", "audit_keys")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
    )
    op.create_table(
        "audit_keys",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("guarantor", sa.String(10), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("added_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_audit_keys"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'the audit tables are append-only'; END $$")
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION append_only()")
    elif op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for verb in ("update", "delete"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def downgrade() -> None:
    op.drop_table("audit_keys")
    op.drop_table("audit_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION append_only()")
