"""Guarantor monitors' signing keys (table `monitor_keys`, migration 0008_monitor_keys): added once, revoked at most
once, never deleted (the table's triggers refuse the rest).

Only SQL lives here; who may hold, register or revoke a key is `trucewatch.jobs.monitor_keys`. Every write takes an
`audit` hook (trucewatch.storage.audit_log.recorder) that appends its audit-log entries on the write's connection:
the key and its `key.register` / `key.revoke` entry commit together, or neither does.
"""
from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import Engine, Table, insert, select, update
from sqlalchemy.engine import Connection, Row

from trucewatch.errors import FindingError
from trucewatch.records import MonitorKey
from trucewatch.storage.repository import AuditHook, write_transaction
from trucewatch.storage.schema import MonitorKeyRow

KEYS: Table = MonitorKeyRow.__table__  # type: ignore[assignment]


class KeyStore:
    """The monitor keys of a database. A view over an open `Database` (`db.keys`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, key: MonitorKey, audit: AuditHook | None = None) -> MonitorKey:
        """Store a new key. TW-E836 when its name or public key is taken, or its holder has an active key: checked in
        the write's transaction, so two registrations at once cannot both pass."""
        with write_transaction(self.engine) as conn:
            problem = _taken(conn, key)
            if problem:
                raise FindingError("TW-E836", name=key.name, detail=problem)
            conn.execute(insert(KEYS), [_row(key)])
            if audit is not None:
                audit(conn)
        return key

    def revoke(self, name: str, by: str, at: str, audit: AuditHook | None = None) -> MonitorKey:
        """Mark a key revoked. TW-E837 when there is no such key or it is revoked already."""
        with write_transaction(self.engine) as conn:
            changed = conn.execute(update(KEYS).where(KEYS.c.name == name, KEYS.c.revoked_at.is_(None))
                                   .values(revoked_at=at, revoked_by=by)).rowcount
            if changed != 1:
                raise FindingError("TW-E837", name=name, detail="it is revoked already, or there is no such key")
            if audit is not None:
                audit(conn)
            row = conn.execute(select(KEYS).where(KEYS.c.name == name)).one()
        return _key(row)

    def get(self, name: str) -> MonitorKey | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(KEYS).where(KEYS.c.name == name)).first()
        return _key(row) if row is not None else None

    def of_user(self, user: str) -> list[MonitorKey]:
        """The keys a monitor holds or held, oldest first."""
        return self._keys(KEYS.c.user == user)

    def all(self) -> list[MonitorKey]:
        """Every key ever registered, oldest first."""
        return self._keys()

    def _keys(self, *where: Any) -> list[MonitorKey]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(KEYS).where(*where).order_by(KEYS.c.registered_at, KEYS.c.name))
            return [_key(row) for row in rows]


def _taken(conn: Connection, key: MonitorKey) -> str | None:
    if conn.execute(select(KEYS.c.name).where(KEYS.c.name == key.name)).first() is not None:
        return "a key of that name is registered already; choose another name"
    public = _b64(key.public_key)
    held = conn.execute(select(KEYS.c.name).where(KEYS.c.public_key == public)).scalar()
    if held is not None:
        return f"that public key is registered already, as {held!r}; make a new key pair"
    active = conn.execute(select(KEYS.c.name).where(KEYS.c.user == key.user, KEYS.c.revoked_at.is_(None))).scalar()
    if active is not None:
        return (f"{key.user} holds the active key {active!r}: one active key per monitor; revoke it first "
                f"('trucewatch findings keys revoke {active}')")
    return None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _row(key: MonitorKey) -> dict[str, Any]:
    return {"name": key.name, "user": key.user, "guarantor": key.guarantor, "public_key": _b64(key.public_key),
            "registered_at": key.registered_at, "registered_by": key.registered_by, "revoked_at": key.revoked_at,
            "revoked_by": key.revoked_by}


def _key(row: Row[Any]) -> MonitorKey:
    return MonitorKey(row.name, row.user, row.guarantor, base64.b64decode(row.public_key), row.registered_at,
                      row.registered_by, row.revoked_at, row.revoked_by)
