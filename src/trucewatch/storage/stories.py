"""Record each report's story (syndication group) when it is stored: the store's side of
`trucewatch.pipeline.stories`. The caller's transaction holds the report's insert and its story together."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, insert, select
from sqlalchemy.engine import Connection

from trucewatch.pipeline.stories import band_keys, copies, shingles
from trucewatch.storage.schema import ReportRow, ReportStoryRow, StoryBandRow

REPORT_STORIES: Table = ReportStoryRow.__table__  # type: ignore[assignment]
STORY_BANDS: Table = StoryBandRow.__table__  # type: ignore[assignment]
REPORTS: Table = ReportRow.__table__  # type: ignore[assignment]


def record_story(conn: Connection, report_id: str, text: str) -> str:
    """Find the story of a report being stored (the first founder it is a copy of, else itself), record it, and
    return its id. A report that founds a story leaves its band keys for the reports after it."""
    own = shingles(text)
    keys = band_keys(own)
    story = _first_copied_founder(conn, own, keys) or report_id
    conn.execute(insert(REPORT_STORIES), [{"report_id": report_id, "story_id": story}])
    if story == report_id:
        conn.execute(insert(STORY_BANDS), [{"band": key, "report_id": report_id} for key in dict.fromkeys(keys)])
    return story


def _first_copied_founder(conn: Connection, own: set[int], keys: list[int]) -> str | None:
    founders = conn.execute(select(STORY_BANDS.c.report_id).where(STORY_BANDS.c.band.in_(keys))
                            .distinct()).scalars().all()
    if not founders:
        return None
    rows = conn.execute(select(REPORTS.c.report_id, REPORTS.c.text).where(REPORTS.c.report_id.in_(founders))
                        .order_by(REPORTS.c.ingested_at, REPORTS.c.report_id))
    return next((founder for founder, text in rows if copies(own, shingles(text))), None)


def stories_of(conn: Connection, report_ids: Iterable[str]) -> dict[str, str]:
    """The recorded story of each of these reports (reports without one are left out)."""
    ids = list(dict.fromkeys(report_ids))
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        stmt = select(REPORT_STORIES.c.report_id, REPORT_STORIES.c.story_id).where(
            REPORT_STORIES.c.report_id.in_(ids[start:start + 500]))
        found.update(conn.execute(stmt).all())
    return found
