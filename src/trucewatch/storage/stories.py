"""Record each report's story (syndication group) when it is stored: the store's side of
`trucewatch.pipeline.stories`. The caller's transaction holds the report's insert and its story together."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, func, insert, select
from sqlalchemy.engine import Connection

from trucewatch.pipeline.stories import band_keys, copies, shingles
from trucewatch.storage.schema import ReportRow, ReportStoryRow, StoryBandRow

# A copy at the threshold similarity (Jaccard 0.5) shares 5 of the 40 band keys on average and at least 2 in 97 % of
# cases (above 99.9 % from 0.6, where reprints are); a report that shares only boilerplate shares 0 or 1 in most.
MIN_SHARED_BANDS = 2
EXACT_CHECKS = 3
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
    """The founder this report is a copy of, if any: of the founders it shares at least MIN_SHARED_BANDS band keys
    with, the few that share most (`EXACT_CHECKS`) are compared shingle by shingle. Counting shared keys first keeps
    the exact checks to near-copies: reports that only share an outlet's boilerplate share a key or none."""
    shared = func.count().label("shared")
    stmt = (select(STORY_BANDS.c.report_id, shared).where(STORY_BANDS.c.band.in_(keys))
            .group_by(STORY_BANDS.c.report_id).having(shared >= MIN_SHARED_BANDS)
            .order_by(shared.desc(), STORY_BANDS.c.report_id).limit(EXACT_CHECKS))
    founders = [row.report_id for row in conn.execute(stmt)]
    if not founders:
        return None
    texts = dict(conn.execute(select(REPORTS.c.report_id, REPORTS.c.text).where(REPORTS.c.report_id.in_(founders)))
                 .all())
    return next((f for f in founders if copies(own, shingles(texts[f]))), None)


def stories_of(conn: Connection, report_ids: Iterable[str]) -> dict[str, str]:
    """The recorded story of each of these reports (reports without one are left out)."""
    ids = list(dict.fromkeys(report_ids))
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        stmt = select(REPORT_STORIES.c.report_id, REPORT_STORIES.c.story_id).where(
            REPORT_STORIES.c.report_id.in_(ids[start:start + 500]))
        found.update(conn.execute(stmt).all())
    return found
