"""Indexes for the filtered incident list (issue 18): a page of 50 costs what 50 rows cost, at a million events.

- `ix_incidents_spans`: the few incidents whose last day is after their first (a partial index, on SQLite and
  PostgreSQL alike), so the list finds at once how far back an incident that reaches into a date range can start,
  and then reads the (first_date, incident_id) index from there instead of from the first incident ever recorded.
- `ix_incidents_lower_admin1_first_date`, `ix_incidents_lower_country_first_date`: the province and the country as
  the list compares them (any case: lower()), then the list's order, so a filtered page is read in order from the
  index, whichever province it is.

Revision ID: 0011_list_indexes
Revises: 0010_stories
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_list_indexes"
down_revision = "0010_stories"
branch_labels = None
depends_on = None

SPANNING = "last_date > first_date"


def upgrade() -> None:
    op.create_index("ix_incidents_spans", "incidents", ["last_date", "first_date"],
                    sqlite_where=sa.text(SPANNING), postgresql_where=sa.text(SPANNING))
    for column in ("admin1", "country"):
        op.create_index(f"ix_incidents_lower_{column}_first_date", "incidents",
                        [sa.text(f"lower({column})"), "first_date", "incident_id"])


def downgrade() -> None:
    for column in ("country", "admin1"):
        op.drop_index(f"ix_incidents_lower_{column}_first_date", "incidents")
    op.drop_index("ix_incidents_spans", "incidents")
