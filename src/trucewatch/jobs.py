"""Plain functions that run whole jobs over the store: what the CLI, the web app and the batch runner call.

Each returns data; none prints (progress bars are drawn only when asked, on stderr).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TextIO

from trucewatch.records import IngestResult


def ingest_paths(paths: list[Path], db_url: str, published: date | None = None, progress: bool = False,
                 max_report_bytes: int | None = None) -> list[IngestResult]:
    """Read every file under `paths`, extract its events and store each report in its own transaction.

    One bad file gives one refused IngestResult with the reason; the rest of the batch goes on.
    """
    raise NotImplementedError  # filled in by the storage/ingest work


def export_events(db_url: str, fmt: str, out: TextIO) -> int:
    """Stream every stored event to `out` as jsonl, csv or geojson; returns the number of events written."""
    raise NotImplementedError
