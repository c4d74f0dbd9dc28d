"""Incident digests: the tallies each incident's summary is made from, so ingest updates a big incident's summary
from the reports that join it instead of reading every member again (`trucewatch.pipeline.digest`).

- `incident_digests`: one row per incident, its digest as JSON; deleted with the incident's row (a rewrite of the
  incident deletes it) and made again, from the members, by the next report that joins.

Nothing is computed here: the table starts empty, and each incident's digest is made the first time a report joins
it after the upgrade.

Revision ID: 0014_incident_digests
Revises: 0013_alerts
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_incident_digests"
down_revision = "0013_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_digests",
        sa.Column("incident_id", sa.String(200), sa.ForeignKey("incidents.incident_id", ondelete="CASCADE",
                                                               name="fk_incident_digests_incident_id_incidents"),
                  nullable=False),
        sa.Column("digest", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", name="pk_incident_digests"),
    )


def downgrade() -> None:
    op.drop_table("incident_digests")
