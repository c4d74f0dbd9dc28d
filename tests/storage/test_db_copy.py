"""`trucewatch db copy`: a store filled by the real jobs (reports ingested and resolved, the example agreements, users,
a complaint and a finding both guarantors signed and published, a monitor's merge) copied into an empty SQLite file and
into an empty PostgreSQL database, and checked as a user would: the same rows, reports, audit root and incidents, the
audit log verifies there, and the new database goes on numbering its own rows. A target with rows is refused and left
as it was; a copy of a tampered store says so."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from signing import monitor_key, sign_with
from trucewatch.cli.main import main
from trucewatch.demo import example_agreements_path
from trucewatch.errors import StorageError
from trucewatch.jobs import casework
from trucewatch.jobs.accounts import add_user
from trucewatch.jobs.agreements import load_agreements
from trucewatch.jobs.auditing import verify_audit
from trucewatch.jobs.casework import Desk, Draft
from trucewatch.jobs.db_copy import copy_database
from trucewatch.jobs.incidents import list_incidents, merge_incidents
from trucewatch.jobs.ingest import ingest_paths
from trucewatch.records import Complaint
from trucewatch.settings import Settings
from trucewatch.storage import Database

SECRET = "test-secret-key-0123456789-abcdefghijklmnop"
# our own sentences, in the manner of the region's wire reports
REPORTS = {
    "dc-1": ("2025-10-20", "Pakistani artillery shelled a border post near Chaman on Sunday, killing three Afghan "
                           "soldiers, the Afghan defence ministry said. Pakistan denied firing first."),
    "dc-2": ("2025-10-21", "Three Afghan border guards were killed when Pakistani forces shelled a post near Chaman, "
                           "officials in Kandahar said on Monday."),
    "dc-3": ("2025-10-25", "Gunmen attacked a police checkpoint in Bannu district of Khyber Pakhtunkhwa, killing two "
                           "policemen. The TTP claimed the attack."),
    "dc-4": ("2025-11-02", "A drone strike hit a house in Paktika province, killing five people, residents said. "
                           "Pakistan's military said it had carried out no strikes."),
}
USERS = (("mon-qat", "monitor", None, "QAT"), ("mon-tur", "monitor", None, "TUR"),
         ("liaison-pak", "liaison", "PAK", None))


def fill(url: str, folder: Path) -> None:
    """A store as the workplace leaves it, made through the jobs users go through."""
    reports = folder / "reports"
    reports.mkdir()
    for report_id, (published, body) in REPORTS.items():
        (reports / f"{report_id}.json").write_text(json.dumps({"id": report_id, "published": published,
                                                               "outlet": "example.org", "text": body}))
    settings = Settings(db=url, secret_key=SECRET, evidence_dir=str(folder / "evidence"))
    with Database.open(url) as db:
        assert all(r.status == "added" for r in ingest_paths([reports], db))
        load_agreements(db, example_agreements_path())
        shown, _ = list_incidents(db, limit=None)
        merge_incidents(db, shown[0].incident_id, shown[1].incident_id, by="mon-qat", note="the same shelling")
        for name, role, party, guarantor in USERS:
            add_user(db, name, role, "correct horse battery staple", party=party, guarantor=guarantor, by="admin")
        desk = Desk.over(db, settings)
        qat, tur, liaison = (casework.acting_user(desk, name) for name, *_ in USERS)
        complaint = casework.file_complaint(desk, liaison, Complaint("cmp-copy", "PAK", "Shelling of our post.",
                                                                     liaison.name, datetime.now(UTC)))
        casework.move_complaint(desk, qat, complaint.complaint_id, "under review")
        finding = casework.draft_finding(desk, qat, Draft((complaint.complaint_id,), "doha-2025-10-19",
                                                          "no-cross-border-attacks", "fair", "not attributable",
                                                          "Two outlets agree on the shelling; who fired is open."))
        for monitor in (qat, tur):
            finding = sign_with(desk, monitor, finding.finding_id, monitor_key(desk, monitor))
        casework.publish_finding(desk, tur, finding.finding_id)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("source")
    url = f"sqlite:///{folder / 'source.sqlite3'}"
    fill(url, folder)
    return url


def counts(url: str) -> dict[str, int]:
    with Database.open(url, upgrade=False) as db, db.engine.connect() as conn:
        return {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in ("reports", "events", "incidents", "overrides", "agreements", "users", "complaints",
                             "findings", "finding_signatures", "finding_publications", "audit_log", "monitor_keys")}


def incidents_of(url: str) -> list:
    with Database.open(url, upgrade=False) as db:
        return list_incidents(db, limit=None)[0]


def check_copy(source: str, target: str) -> None:
    done = copy_database(source, target, batch=7)  # a small batch: several round trips per table
    assert done.ok, done.differences()
    assert done.differing_reports == ()
    shown = {c.what: c for c in done.compared}
    assert shown["rows in reports"].target == "4" and shown["rows in findings"].target == "1"
    assert all(c.same for c in done.compared)
    assert counts(target) == counts(source)
    assert min(counts(target).values()) > 0  # every kind of record was there to copy
    assert incidents_of(target) == incidents_of(source)
    with Database.open(target, upgrade=False) as db:
        verified = verify_audit(db)
        assert verified.ok and verified.size == counts(source)["audit_log"]
        # the new database numbers its own rows after the copied ones
        added = add_user(db, "analyst-new", "analyst", "correct horse battery staple", by="admin")
        assert added.user_id == len(USERS) + 1


def test_sqlite_to_sqlite_copies_everything_and_verifies(source, tmp_path):
    check_copy(source, f"sqlite:///{tmp_path / 'copy.sqlite3'}")


def test_sqlite_to_postgresql_copies_everything_and_verifies(source, postgres_server):
    target = postgres_server.fresh_database(migrated=False)
    try:
        check_copy(source, target)
    finally:
        postgres_server.drop(target)


def test_postgresql_back_to_sqlite(source, postgres_server, tmp_path):
    middle = postgres_server.fresh_database()
    try:
        copy_database(source, middle)
        back = f"sqlite:///{tmp_path / 'back.sqlite3'}"
        assert copy_database(middle, back).ok
        assert counts(back) == counts(source) and incidents_of(back) == incidents_of(source)
    finally:
        postgres_server.drop(middle)


def test_a_target_with_rows_is_refused_and_left_as_it_was(source, tmp_path):
    target = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    copy_database(source, target)
    before = counts(target)
    with pytest.raises(StorageError) as refused:
        copy_database(source, target)
    assert refused.value.code == "TW-E206" and "reports: 4" in str(refused.value)
    assert counts(target) == before


def test_the_same_database_is_refused(source):
    with pytest.raises(StorageError) as refused:
        copy_database(source, source)
    assert refused.value.code == "TW-E208"


def test_the_command_prints_the_comparison_and_refuses_a_filled_target(source, tmp_path):
    target = str(tmp_path / "copy.sqlite3")
    runner = CliRunner()
    done = runner.invoke(main, ["db", "copy", "--from", source, "--to", target])
    assert done.exit_code == 0, done.output
    assert "rows in reports" in done.output and "DIFFERENT" not in done.output
    assert "audit log verifies on the target: yes" in done.output
    again = runner.invoke(main, ["db", "copy", "--from", source, "--to", target])
    assert again.exit_code == 2 and "TW-E206" in again.output


def test_a_tampered_store_copies_but_does_not_pass(source, tmp_path):
    tampered = tmp_path / "tampered.sqlite3"
    tampered.write_bytes(Path(source.removeprefix("sqlite:///")).read_bytes())
    with Database.open(f"sqlite:///{tampered}") as db, db.transaction() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")  # what someone with the file could do
        conn.exec_driver_sql("UPDATE audit_log SET actor = 'someone else' WHERE seq = 1")
    done = CliRunner().invoke(main, ["db", "copy", "--from", str(tampered), "--to", str(tmp_path / "copy.sqlite3")])
    assert done.exit_code == 2
    assert "audit log verifies on the target: NO" in done.output and "TW-E207" in done.output
