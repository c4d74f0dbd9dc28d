"""Extraction: one report in, its coded events out.

One module per thing found in text (sentences, actors, places, dates, fatalities, claims, event types), and
`events`, the largest, which groups sentences into happenings and assembles the findings into ACLED-style events
with provenance (docs/extraction.md lists its mechanisms).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from trucewatch.records import Event, Report

if TYPE_CHECKING:
    from trucewatch.pipeline.extract.actors import ActorDictionary
    from trucewatch.pipeline.extract.places import Gazetteer


def extract_events(report: Report, dictionary: ActorDictionary | None = None,
                   gazetteer: Gazetteer | None = None, max_seconds: float | None = None) -> list[Event]:
    """The coded events one report tells of, in order of first mention; with the shipped actor dictionary and
    gazetteer unless the caller hands those of another conflict. A report whose extraction takes longer than
    `max_seconds` (default: the `max_extract_seconds` setting's default, 30 s) is refused with TW-E119."""
    from trucewatch.pipeline.extract.budget import DEFAULT_MAX_EXTRACT_SECONDS, Deadline  # noqa: PLC0415
    from trucewatch.pipeline.extract.events import assemble_events  # noqa: PLC0415  (keeps import light)

    deadline = Deadline.after(max_seconds or DEFAULT_MAX_EXTRACT_SECONDS, report.source or report.report_id)
    return assemble_events(report, dictionary, gazetteer, deadline)
