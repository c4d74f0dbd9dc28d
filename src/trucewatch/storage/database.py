"""The database, opened once by whoever runs the work: a CLI command, the web app at startup, a batch worker.

`Database.open(url)` connects to any SQLAlchemy URL (SQLite by default), checks the schema once (creating or upgrading
it with the Alembic revisions in `migrations/` when `upgrade`, else insisting it is current: TW-E202) and keeps one
connection pool for the life of the caller. Every store of the house is a view over the same engine, so a job that
reads reports, writes a complaint and appends to the audit log pays for one opening, not three (docs/storage.md).

    with Database.open(url) as db:
        jobs.incidents.list_incidents(db)

Jobs never take a URL: they take the `Database` their caller owns, and never close it.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from trucewatch.settings import masked_url
from trucewatch.storage.audit_log import AuditStore
from trucewatch.storage.cases import CaseStore
from trucewatch.storage.keys import KeyStore
from trucewatch.storage.repository import Store, connect, write_transaction
from trucewatch.storage.workplace import WebStore


class Database:
    """One open database and its stores. Open it with `Database.open(url)`; close it (or use `with`) when the work
    is done. Safe to share between threads (the engine pools connections)."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Database:
        """Connect; create or upgrade the schema when `upgrade`, else insist that the database exists and is at this
        trucewatch's schema (TW-E201, TW-E202: run 'trucewatch db upgrade')."""
        return cls(connect(url, upgrade=upgrade), url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def shown_url(self) -> str:
        """The URL as people may see it: any password masked."""
        return masked_url(self.url)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises. On SQLite it holds the
        one writer's lock from its start (BEGIN IMMEDIATE, retried with jitter while another writer holds it)."""
        with write_transaction(self.engine) as conn:
            yield conn

    @cached_property
    def reports(self) -> Store:
        """Reports, events, incidents, overrides and agreements."""
        return Store(self.engine)

    @cached_property
    def cases(self) -> CaseStore:
        """Complaints' history, findings and their signatures, evidence originals."""
        return CaseStore(self.engine)

    @cached_property
    def workplace(self) -> WebStore:
        """Users, sessions, tokens, sign-in attempts, complaints, and the keyset pages of the API."""
        return WebStore(self.engine)

    @cached_property
    def keys(self) -> KeyStore:
        """Guarantor monitors' signing keys (monitor_keys)."""
        return KeyStore(self.engine)

    @cached_property
    def audit_log(self) -> AuditStore:
        """The audit log's entries and the guarantors' checkpoint keys."""
        return AuditStore(self.engine)
