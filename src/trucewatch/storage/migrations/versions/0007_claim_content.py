"""Claims carry their content: the clause or quote claimed, its span in the report text, and the death figure in it.

Four nullable columns on `claims`. Claims stored before this revision keep null in them (their content was not
coded); readers then show the sentence the claim stands in (docs/incidents.md). `ADD COLUMN` and `DROP COLUMN` in
place, on SQLite (3.35+) and PostgreSQL alike: no table is copied.

Revision ID: 0007_claim_content
Revises: 0006_findings
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_claim_content"
down_revision = "0006_findings"
branch_labels = None
depends_on = None

COLUMNS = (
    ("content", sa.Text()),
    ("content_start", sa.Integer()),
    ("content_end", sa.Integer()),
    ("figure", sa.Integer()),
)


def upgrade() -> None:
    for name, kind in COLUMNS:
        op.add_column("claims", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    # Not in batch mode: SQLite drops a column in place, where copying `claims` would be needless work.
    for name, _ in reversed(COLUMNS):
        op.drop_column("claims", name)
