"""Stories: the syndication group of each report, found once when it is stored.

- `report_stories`: each report's story, the id of the first stored report it is a copy of, else its own.
- `story_bands`: the MinHash band keys of each story's first report, so that a new report is compared with the few
  founders it shares a key with, not with every report (`trucewatch.pipeline.stories`).

The stories of reports already stored are found here, in the order they were ingested, as `Store.save` finds them
for new ones; a store of 100 000 reports takes a few minutes once.

Revision ID: 0010_stories
Revises: 0009_sealed_by_keys
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_stories"
down_revision = "0009_sealed_by_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_stories",
        sa.Column("report_id", sa.String(200), sa.ForeignKey("reports.report_id", ondelete="CASCADE",
                                                             name="fk_report_stories_report_id_reports"),
                  nullable=False),
        sa.Column("story_id", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("report_id", name="pk_report_stories"),
    )
    op.create_index("ix_report_stories_story_id", "report_stories", ["story_id"])
    op.create_table(
        "story_bands",
        sa.Column("band", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("report_id", sa.String(200), sa.ForeignKey("reports.report_id", ondelete="CASCADE",
                                                             name="fk_story_bands_report_id_reports"),
                  nullable=False),
        sa.PrimaryKeyConstraint("band", "report_id", name="pk_story_bands"),
    )
    _find_stories_of_stored_reports()


def _find_stories_of_stored_reports() -> None:
    from trucewatch.storage.stories import record_story  # noqa: PLC0415  (the same code as new reports)

    conn = op.get_bind()
    ids = conn.execute(sa.text("SELECT report_id FROM reports ORDER BY ingested_at, report_id")).scalars().all()
    read = sa.text("SELECT report_id, text FROM reports WHERE report_id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True))
    for start in range(0, len(ids), 500):  # texts a chunk at a time: a large store does not fit in memory at once
        chunk = ids[start:start + 500]
        texts = dict(conn.execute(read, {"ids": chunk}).all())
        for report_id in chunk:
            record_story(conn, report_id, texts[report_id])


def downgrade() -> None:
    op.drop_table("story_bands")
    op.drop_index("ix_report_stories_story_id", table_name="report_stories")
    op.drop_table("report_stories")
