"""An audit log built by real writes: short reports ingested with the real extractor, agreements loaded, edited
and removed, monitors' overrides, and two guarantors' keys registered; then a checkpoint both guarantors signed.

The `log` fixture (conftest.py) builds it once per test module and back end (about a second); tests that change it
work on a copy (`Log.copy`: of the SQLite file, or a PostgreSQL database made with the built one as its template),
changed with `tamper` or `operator_sql`.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, create_engine, text

from postgres import PostgresServer
from trucewatch import jobs
from trucewatch.audit.checkpoint import generate_key, key_line
from trucewatch.demo import example_agreements_path
from trucewatch.jobs.auditing import add_key, make_checkpoint
from trucewatch.storage import Database

ORIGIN = "test.example/audit"
PLACES = ("Barmal, Paktika", "Spin Boldak", "Chaman", "Angoor Adda", "Khost", "Kurram", "Bajaur", "Torkham")
VERBS = ("Pakistani jets struck a market in {place} on {day}, killing {n} civilians, the Afghan government said.",
         ("Afghan forces attacked Pakistani border posts near {place} on {day}; the Pakistani military said {n} "
          "soldiers were killed."),
         "A roadside bomb hit a bus near {place} on {day}, killing {n} passengers, police said.")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


@dataclass(frozen=True)
class Log:
    """A database whose audit log holds `size` entries, a complete checkpoint of all of them, the guarantors' key
    files and a trusted-keys file."""

    folder: Path  # the reports ingested, the key files, the checkpoint
    url: str  # the database, which no test changes
    size: int
    checkpoint: Path
    keys: dict[str, Path]  # guarantor -> private key file
    trusted: Path
    server: PostgresServer | None = None  # the PostgreSQL server of `url`, if there

    def copy(self, to: Path) -> str:
        """A fresh copy of the database: the SQLite file copied to `to`, or a new PostgreSQL database; its URL."""
        return copy_database(self.url, to, self.server)


def copy_database(url: str, to: Path, server: PostgresServer | None) -> str:
    """A copy of the database of `url` (nobody may be writing to it): a SQLite file copied to `to`, or, on PostgreSQL,
    a new database with it as the template (`to` unused). Its URL."""
    if server is not None:
        return server.fresh_database(copy_of=url)
    for suffix in ("-wal", "-shm", ""):
        Path(f"{to}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(url.removeprefix("sqlite:///"), to)
    return f"sqlite:///{to}"


def write_reports(folder: Path, count: int, start: int = 0) -> None:
    folder.mkdir()
    for i in range(start, start + count):
        text = VERBS[i % len(VERBS)].format(place=PLACES[i % len(PLACES)], day=DAYS[i % len(DAYS)], n=i + 2)
        (folder / f"r{i:02}.json").write_text(json.dumps({
            "id": f"audit-{i:02}", "published": f"2025-10-{10 + i % 20:02}", "outlet": "Test Desk", "text": text}))


def build_log(folder: Path, server: PostgresServer | None = None) -> Log:
    """Forty entries through the jobs users go through: 25 reports ingested, 4 agreements loaded, 2 edited, 1
    removed and the file loaded again (3), 3 overrides and 2 keys registered. In audit.sqlite3 in `folder`, or in a
    new database on `server`."""
    url = server.fresh_database() if server is not None else f"sqlite:///{folder / 'audit.sqlite3'}"
    write_reports(folder / "reports", 24)
    write_reports(folder / "late", 1, start=24)
    checkpoint = folder / "checkpoint.txt"
    with Database.open(url) as db:
        keys, lines = _write_log(db, folder)
        checkpoint.write_text(make_checkpoint(db, list(keys.values()), ORIGIN).text(), encoding="utf-8")
        size = db.audit_log.count()
    trusted = folder / "trusted-keys"
    trusted.write_text("# the guarantors' keys, as they keep them\n" + "\n".join(lines) + "\n", encoding="utf-8")
    if server is None:
        with sqlite3.connect(folder / "audit.sqlite3") as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the file that copies copy
    return Log(folder, url, size, checkpoint, keys, trusted, server)


def _write_log(db: Database, folder: Path) -> tuple[dict[str, Path], list[str]]:
    """The writes of `build_log`, in order; the guarantors' private key files and their trusted-keys lines."""
    jobs.ingest.ingest_paths([folder / "reports"], db)
    jobs.agreements.load_agreements(db, example_agreements_path())
    jobs.agreements.set_agreement(db, "doha-2025-10-19", note="A test note.")
    jobs.agreements.set_agreement(db, "truce-2025-10-15", note="Another test note.")
    jobs.agreements.remove_agreement(db, "istanbul-2025-10-30")
    jobs.agreements.load_agreements(db, example_agreements_path())  # the removed one back, the edited ones as filed
    events = [e.event_id for e in db.reports.iter_events()]
    jobs.incidents.split_event(db, events[0], "ana", "a separate strike")
    jobs.incidents.split_event(db, events[1], "ana", "")
    jobs.incidents.pin_event(db, events[2], jobs.incidents.incident_of_event(db, events[3]), "bilal", "same compound")
    keys, lines = {}, []
    for guarantor, name in (("QAT", "qat-1"), ("TUR", "tur-1")):
        keys[guarantor] = folder / f"{name}.key"
        made = generate_key(name, guarantor, keys[guarantor])
        add_key(db, name, guarantor, Path(f"{keys[guarantor]}.pub"), "admin")
        lines.append(key_line(made))
    jobs.ingest.ingest_paths([folder / "late"], db)  # the last entry is an ordinary write
    return keys, lines


def tamper(url: str, *statements: tuple[str, tuple[object, ...]]) -> None:
    """Run SQL on the database as an operator with database access would: the append-only triggers dropped first."""
    operator_sql(url, ("audit_log", "audit_keys"), *statements)


def operator_sql(url: str, tables: Iterable[str], *statements: tuple[str, tuple[object, ...]]) -> None:
    """Run SQL (with ? for parameters) on the database of `url` as an operator with database access would, in one
    transaction: first every trigger on `tables` dropped, then the statements. On SQLite and PostgreSQL."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            postgres = conn.dialect.name == "postgresql"
            for name, table in _triggers(conn, postgres):
                if table in tables:
                    conn.exec_driver_sql(f'DROP TRIGGER "{name}"' + (f' ON "{table}"' if postgres else ""))
            for sql, params in statements:
                conn.exec_driver_sql(sql.replace("?", "%s") if postgres else sql, params)
    finally:
        engine.dispose()


def _triggers(conn: Connection, postgres: bool) -> list[tuple[str, str]]:
    """(trigger, table) of every trigger a user made."""
    if postgres:
        query = ("SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                 "WHERE NOT t.tgisinternal")
    else:
        query = "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"
    return [(str(name), str(table)) for name, table in conn.execute(text(query))]
