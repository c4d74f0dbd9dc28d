"""Storage: the only place that writes SQL. Open a `Database` once per command, app or worker and hand it down;
its stores (`db.reports`, `db.cases`, `db.workplace`, `db.audit_log`) are views over it. See docs/storage.md."""
from trucewatch.storage.database import Database
from trucewatch.storage.repository import Store, head_revision, migrate

__all__ = ["Database", "Store", "head_revision", "migrate"]
