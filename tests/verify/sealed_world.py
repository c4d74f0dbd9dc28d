"""Casework on top of a built log (built_log.py): a monitor of each guarantor and a liaison officer of each party, a
complaint of PAK taken under review, and a finding on it that both guarantors' monitors signed (sealed) and one
published; then a fresh checkpoint both guarantors signed. Made through the jobs users go through."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from built_log import ORIGIN, Log

from postgres import PostgresServer
from signing import monitor_key, sign_with
from trucewatch.jobs import casework
from trucewatch.jobs.accounts import add_user
from trucewatch.jobs.auditing import make_checkpoint
from trucewatch.jobs.casework import Desk, Draft
from trucewatch.records import Complaint, Finding
from trucewatch.settings import Settings
from trucewatch.storage import Database

PASSWORD = "correct horse battery staple"
SECRET = "test-secret-key-0123456789-abcdefghijklmnop"
USERS = (("mon-qat", "monitor", None, "QAT"), ("mon-tur", "monitor", None, "TUR"),
         ("liaison-pak", "liaison", "PAK", None), ("liaison-afg", "liaison", "AFG", None))


@dataclass(frozen=True)
class Sealed:
    folder: Path
    finding_id: str
    checkpoint: Path
    url: str  # cli.sqlite3 in `folder`, or a PostgreSQL database
    server: PostgresServer | None = None  # the PostgreSQL server of `url`, if there

    @property
    def settings(self) -> Settings:
        return Settings(db=self.url, secret_key=SECRET, evidence_dir=str(self.folder / "evidence"),
                        audit_origin=ORIGIN)


def seal_finding(log: Log, folder: Path, publish: bool = True) -> Sealed:
    """A copy of the log's database with users, a complaint and a sealed (and published) finding on it."""
    folder.mkdir(exist_ok=True)
    world = Sealed(folder, "", folder / "checkpoint-sealed.txt", log.copy(folder / "cli.sqlite3"), log.server)
    with Database.open(world.url) as db:
        for name, role, party, guarantor in USERS:
            add_user(db, name, role, PASSWORD, party=party, guarantor=guarantor, by="admin")
        desk = Desk.over(db, world.settings)
        qat, tur = (casework.acting_user(desk, n) for n in ("mon-qat", "mon-tur"))
        finding = draft_on_new_complaint(desk, "cmp-sealed", "Shelling of a border post at Chaman.", "fair",
                                         "Two outlets agree on the shelling of the post; who fired is not established.")
        for monitor in (qat, tur):
            finding = sign_with(desk, monitor, finding.finding_id, monitor_key(desk, monitor))
        if publish:
            casework.publish_finding(desk, tur, finding.finding_id)
        world.checkpoint.write_text(make_checkpoint(db, list(log.keys.values()), ORIGIN).text(), encoding="utf-8")
    return Sealed(folder, finding.finding_id, world.checkpoint, world.url, log.server)


def draft_on_new_complaint(desk: Desk, complaint_id: str, text: str, grade: str, reasoning: str) -> Finding:
    """PAK's liaison files `text`; QAT's monitor reviews it and drafts a finding on it (Doha, no cross-border
    attacks, not attributable) with this grade and reasoning."""
    qat, liaison = casework.acting_user(desk, "mon-qat"), casework.acting_user(desk, "liaison-pak")
    complaint = casework.file_complaint(desk, liaison, Complaint(complaint_id, "PAK", text, liaison.name,
                                                                 datetime.now(UTC)))
    casework.move_complaint(desk, qat, complaint.complaint_id, "under review")
    return casework.draft_finding(desk, qat, Draft((complaint.complaint_id,), "doha-2025-10-19",
                                                   "no-cross-border-attacks", grade, "not attributable", reasoning))
