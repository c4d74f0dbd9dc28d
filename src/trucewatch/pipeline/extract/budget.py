"""The time budget of one report's extraction: past it, the report is refused (TW-E119) rather than left to hold up
the intake.

Extraction is linear in the text (sentences are capped, long texts are read as consecutive stories), so the budget
only matters for texts far larger than news; it is checked between stories, sentences and events, in the one thread
that extracts, with no signal or timer thread.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from trucewatch.errors import IngestError
from trucewatch.settings import Settings

DEFAULT_MAX_EXTRACT_SECONDS = Settings().max_extract_seconds


@dataclass(frozen=True)
class Deadline:
    """When extracting `source` must stop: a `time.monotonic()` instant, or None for no limit."""

    at: float | None
    seconds: float
    source: str

    @classmethod
    def after(cls, seconds: float, source: str) -> Deadline:
        return cls(time.monotonic() + seconds, seconds, source)

    @classmethod
    def none(cls) -> Deadline:
        return cls(None, 0.0, "")

    def check(self) -> None:
        """Raise TW-E119 once the budget is spent."""
        if self.at is not None and time.monotonic() > self.at:
            raise IngestError("TW-E119", source=self.source, seconds=f"{self.seconds:g}")
