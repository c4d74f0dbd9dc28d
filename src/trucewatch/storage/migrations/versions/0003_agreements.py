"""Agreements: their parties, guarantors and mediators, and their commitments.

Revision ID: 0003_agreements
Revises: 0002_incidents
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_agreements"
down_revision = "0002_incidents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("agreement_id", sa.String(200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("supersedes", sa.Text(), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("agreement_id", name="pk_agreements"),
    )
    op.create_table(
        "agreement_parties",
        sa.Column("agreement_id", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("answers_for", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.agreement_id"], ondelete="CASCADE",
                                name="fk_agreement_parties_agreement_id_agreements"),
        sa.PrimaryKeyConstraint("agreement_id", "role", "seq", name="pk_agreement_parties"),
    )
    op.create_table(
        "agreement_commitments",
        sa.Column("agreement_id", sa.String(200), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("commitment_id", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("binds", sa.Text(), nullable=False),
        sa.Column("concerns", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.agreement_id"], ondelete="CASCADE",
                                name="fk_agreement_commitments_agreement_id_agreements"),
        sa.PrimaryKeyConstraint("agreement_id", "seq", name="pk_agreement_commitments"),
    )


def downgrade() -> None:
    op.drop_table("agreement_commitments")
    op.drop_table("agreement_parties")
    op.drop_table("agreements")
