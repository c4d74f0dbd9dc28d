"""An audit log built by real writes: short reports ingested with the real extractor, agreements loaded, edited
and removed, monitors' overrides, and two guarantors' keys registered; then a checkpoint both guarantors signed.

The `log` fixture (conftest.py) builds it once per test module (about a second); tests that change it work on a copy
of the file (`Log.copy`), changed with `tamper`.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

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

    path: Path
    size: int
    checkpoint: Path
    keys: dict[str, Path]  # guarantor -> private key file
    trusted: Path

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def copy(self, to: Path) -> str:
        """A fresh copy of the database file; its URL."""
        for suffix in ("-wal", "-shm", ""):
            Path(f"{to}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.path, to)
        return f"sqlite:///{to}"


def write_reports(folder: Path, count: int, start: int = 0) -> None:
    folder.mkdir()
    for i in range(start, start + count):
        text = VERBS[i % len(VERBS)].format(place=PLACES[i % len(PLACES)], day=DAYS[i % len(DAYS)], n=i + 2)
        (folder / f"r{i:02}.json").write_text(json.dumps({
            "id": f"audit-{i:02}", "published": f"2025-10-{10 + i % 20:02}", "outlet": "Test Desk", "text": text}))


def build_log(folder: Path) -> Log:
    """Forty entries through the jobs users go through: 25 reports ingested, 4 agreements loaded, 2 edited, 1
    removed and the file loaded again (3), 3 overrides and 2 keys registered."""
    db_file = folder / "audit.sqlite3"
    write_reports(folder / "reports", 24)
    write_reports(folder / "late", 1, start=24)
    checkpoint = folder / "checkpoint.txt"
    with Database.open(f"sqlite:///{db_file}") as db:
        keys, lines = _write_log(db, folder)
        checkpoint.write_text(make_checkpoint(db, list(keys.values()), ORIGIN).text(), encoding="utf-8")
    trusted = folder / "trusted-keys"
    trusted.write_text("# the guarantors' keys, as they keep them\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with sqlite3.connect(db_file) as conn:
        size = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Log(db_file, size, checkpoint, keys, trusted)


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
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        for table in ("audit_log", "audit_keys"):
            for verb in ("update", "delete"):
                conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
        for sql, params in statements:
            conn.execute(sql, params)
