"""Extraction: one report in, its coded events out.

Small modules, one per thing found in text (sentences, actors, places, dates, fatalities, claims, event types), and
`events`, which assembles them into ACLED-style events with provenance.
"""
from __future__ import annotations

from trucewatch.records import Event, Report


def extract_events(report: Report) -> list[Event]:
    """The coded events one report tells of, in order of first mention."""
    from trucewatch.pipeline.extract.events import assemble_events  # noqa: PLC0415  (keeps import light)

    return assemble_events(report)
