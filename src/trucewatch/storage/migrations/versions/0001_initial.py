"""Reports, events and their mentions, figures, claims and provenance.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("report_id", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("outlet", sa.String(300), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=False),
        sa.Column("published_basis", sa.String(40), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("report_id", name="pk_reports"),
        sa.UniqueConstraint("sha256", name="uq_reports_sha256"),
    )
    op.create_table(
        "events",
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("report_id", sa.String(200), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(60), nullable=False),
        sa.Column("sub_event_type", sa.String(100), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("event_date_end", sa.Date(), nullable=True),
        sa.Column("time_precision", sa.Integer(), nullable=False),
        sa.Column("actor1", sa.String(300), nullable=True),
        sa.Column("actor2", sa.String(300), nullable=True),
        sa.Column("location", sa.String(300), nullable=True),
        sa.Column("country", sa.String(100), nullable=True),
        sa.Column("admin1", sa.String(200), nullable=True),
        sa.Column("admin2", sa.String(200), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("geo_precision", sa.Integer(), nullable=True),
        sa.Column("feature", sa.String(40), nullable=True),
        sa.Column("incident_id", sa.String(200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.report_id"], name="fk_events_report_id_reports",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_id", name="pk_events"),
    )
    op.create_index("ix_events_event_date", "events", ["event_date", "event_id"])
    op.create_index("ix_events_report_id", "events", ["report_id"])
    op.create_index("ix_events_incident_id", "events", ["incident_id"])
    op.create_index("ix_events_country_admin1", "events", ["country", "admin1"])
    _child("mentions", [
        sa.Column("sentence", sa.Integer(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(60), nullable=False),
        sa.Column("sub_event_type", sa.String(100), nullable=False),
        sa.Column("trigger", sa.Text(), nullable=False),
    ])
    _child("figures", [
        sa.Column("low", sa.Integer(), nullable=False),
        sa.Column("high", sa.Integer(), nullable=True),
        sa.Column("victims", sa.String(40), nullable=False),
        sa.Column("claimed_by", sa.String(300), nullable=True),
        sa.Column("surface", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("sentence", sa.Integer(), nullable=False),
    ])
    _child("claims", [
        sa.Column("claimant", sa.String(300), nullable=False),
        sa.Column("stance", sa.String(40), nullable=False),
        sa.Column("about", sa.String(40), nullable=False),
        sa.Column("stated_on", sa.Date(), nullable=True),
        sa.Column("surface", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("sentence", sa.Integer(), nullable=False),
    ])
    _child("provenance", [
        sa.Column("field", sa.String(60), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
    ])


def _child(name: str, columns: list[sa.Column]) -> None:
    """A table of rows that belong to one event, in order (`seq`)."""
    op.create_table(
        name,
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, autoincrement=False),
        *columns,
        sa.ForeignKeyConstraint(["event_id"], ["events.event_id"], name=f"fk_{name}_event_id_events",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_id", "seq", name=f"pk_{name}"),
    )


def downgrade() -> None:
    for name in ("provenance", "claims", "figures", "mentions"):
        op.drop_table(name)
    for index in ("ix_events_country_admin1", "ix_events_incident_id", "ix_events_report_id", "ix_events_event_date"):
        op.drop_index(index, table_name="events")
    op.drop_table("events")
    op.drop_table("reports")
