"""Incidents: a summary per incident, monitors' overrides, and report revisions.

Revision ID: 0002_incidents
Revises: 0001_initial
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_incidents"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reports", sa.Column("revision_of", sa.String(200), nullable=True))
    op.create_table(
        "incidents",
        sa.Column("incident_id", sa.String(200), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=True),
        sa.Column("last_date", sa.Date(), nullable=True),
        sa.Column("time_precision", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(60), nullable=False),
        sa.Column("sub_event_type", sa.String(100), nullable=False),
        sa.Column("country", sa.String(100), nullable=True),
        sa.Column("admin1", sa.String(200), nullable=True),
        sa.Column("admin2", sa.String(200), nullable=True),
        sa.Column("location", sa.String(300), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("geo_precision", sa.Integer(), nullable=True),
        sa.Column("actor1", sa.String(300), nullable=True),
        sa.Column("actor2", sa.String(300), nullable=True),
        sa.Column("n_events", sa.Integer(), nullable=False),
        sa.Column("n_reports", sa.Integer(), nullable=False),
        sa.Column("contested", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("fatalities_low", sa.Integer(), nullable=True),
        sa.Column("fatalities_best", sa.Integer(), nullable=True),
        sa.Column("fatalities_high", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", name="pk_incidents"),
    )
    op.create_index("ix_incidents_first_date", "incidents", ["first_date", "incident_id"])
    op.create_index("ix_incidents_country_admin1", "incidents", ["country", "admin1"])
    op.create_index("ix_incidents_sub_event_type", "incidents", ["sub_event_type"])
    op.create_index("ix_incidents_contested", "incidents", ["contested"])
    op.create_table(
        "overrides",
        sa.Column("override_id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("target_event_id", sa.String(200), nullable=True),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("override_id", name="pk_overrides"),
    )


def downgrade() -> None:
    op.drop_table("overrides")
    for index in ("ix_incidents_contested", "ix_incidents_sub_event_type", "ix_incidents_country_admin1",
                  "ix_incidents_first_date"):
        op.drop_index(index, table_name="incidents")
    op.drop_table("incidents")
    # Not in batch mode: SQLite (3.35+) drops a column in place, where copying `reports` would cascade to its events.
    op.drop_column("reports", "revision_of")
