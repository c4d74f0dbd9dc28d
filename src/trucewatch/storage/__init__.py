"""Storage: the only place that writes SQL. See docs/storage.md."""
from trucewatch.storage.repository import (
    IncidentFilter,
    IncidentSummary,
    SourcedEvent,
    Store,
    head_revision,
    migrate,
)

__all__ = ["IncidentFilter", "IncidentSummary", "SourcedEvent", "Store", "head_revision", "migrate"]
