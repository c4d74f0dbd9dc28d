"""What a popup on the map shows of the single incidents in view: their summary rows, read by id in one statement
per chunk (the map's clusters are counted in memory, `jobs.map_clusters`; only the few incidents drawn alone need
their place, actors and estimates)."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, select

from trucewatch.records import IncidentSummary
from trucewatch.storage.repository import INCIDENTS, _summary

CHUNK = 500  # ids per IN (...) list: well under SQLite's limit on bound parameters


def summaries_by_id(engine: Engine, incident_ids: Sequence[str]) -> dict[str, IncidentSummary]:
    """The summaries of these incidents, by id (unknown ids left out)."""
    found: dict[str, IncidentSummary] = {}
    with engine.connect() as conn:
        for start in range(0, len(incident_ids), CHUNK):
            chunk = list(incident_ids[start:start + CHUNK])
            for row in conn.execute(select(INCIDENTS).where(INCIDENTS.c.incident_id.in_(chunk))):
                found[row.incident_id] = _summary(row)
    return found
