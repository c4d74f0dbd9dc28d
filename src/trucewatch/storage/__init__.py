"""Storage: the only place that writes SQL. See docs/storage.md."""
from trucewatch.storage.repository import SourcedEvent, Store, head_revision, migrate

__all__ = ["SourcedEvent", "Store", "head_revision", "migrate"]
