"""Sources: the feeds and pages the watch polls, with their state, and the items already taken from each.

- `sources`: one row per watched source, by name: its URL, kind (rss, atom, page, sitemap) and interval; the
  validators of its last answer (ETag, Last-Modified) for conditional requests; when it last succeeded and last
  failed, why, how many times in a row, and when it is next due (backoff pushes this later); paused or not.
- `source_items`: each item (by its guid, else its URL) already taken from a source, with the report it became,
  so that a restarted watch never ingests an item twice.

Revision ID: 0012_sources
Revises: 0011_list_indexes
Create Date: 2026-12-08
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_sources"
down_revision = "0011_list_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("every_seconds", sa.Integer(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_sources"),
    )
    op.create_index("ix_sources_next_poll_at", "sources", ["next_poll_at"])
    op.create_table(
        "source_items",
        sa.Column("source", sa.String(100), sa.ForeignKey("sources.name", ondelete="CASCADE",
                                                          name="fk_source_items_source_sources"),
                  nullable=False),
        sa.Column("item_key", sa.String(2000), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("report_id", sa.String(200), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "item_key", name="pk_source_items"),
    )


def downgrade() -> None:
    op.drop_table("source_items")
    op.drop_index("ix_sources_next_poll_at", table_name="sources")
    op.drop_table("sources")
