"""The audit log as its users meet it: every write leaves one entry in its own transaction, entries are canonical
and provable, and the `trucewatch audit` commands show, prove, sign and verify. On SQLite and PostgreSQL both (the
log built in each, conftest.py), the append-only triggers included."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from built_log import ORIGIN, Log, tamper
from click.testing import CliRunner
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from trucewatch import jobs
from trucewatch.audit.log import canonical_json
from trucewatch.audit.merkle import leaf_hash, verify_inclusion
from trucewatch.cli.main import main
from trucewatch.demo import example_agreements_path
from trucewatch.errors import AuditError
from trucewatch.jobs.auditing import inclusion_proof, list_entries
from trucewatch.records import Report
from trucewatch.storage import Database
from trucewatch.storage.audit_log import append, recorder

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _entries(url: str):
    with Database.open(url, upgrade=False) as db:
        return list(db.audit_log.iter_entries())


def test_every_write_left_one_entry_by_whom_it_was_made(log):
    entries = _entries(log.url)
    assert Counter(e.action for e in entries) == {"ingest.report": 25, "agreement.load": 7, "agreement.set": 2,
                                                  "agreement.remove": 1, "incident.override": 3, "audit.key": 2}
    assert {e.actor for e in entries} == {"monitor-1", "ana", "bilal", "admin"}
    first = entries[0]
    assert (first.action, first.subject) == ("ingest.report", "audit-00")
    payload = json.loads(first.payload)
    assert payload["events"] >= 1 and payload["source"].endswith("r00.json") and len(payload["sha256"]) == 64
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", first.at)
    pins = [json.loads(e.payload) for e in entries if e.action == "incident.override"]
    assert [p["kind"] for p in pins] == ["split", "split", "pin"] and pins[2]["note"] == "same compound"


def test_writes_that_change_nothing_log_nothing(log, tmp_path):
    url = log.copy(tmp_path / "again.sqlite3")
    with Database.open(url) as db:
        jobs.ingest.ingest_paths([log.folder / "reports"], db)
        jobs.agreements.load_agreements(db, example_agreements_path())
    assert len(_entries(url)) == log.size


def test_a_write_and_its_entry_commit_together_or_not_at_all(db_url):
    url = db_url
    report = Report(report_id="r-1", sha256="a" * 64, text="Jets struck a depot.", published=date(2025, 10, 16),
                    published_basis="file")

    def failing(conn):
        append(conn, "ana", "ingest.report", "r-1", {})
        raise RuntimeError("the disk is full")

    with Database.open(url) as db:
        store = db.reports
        with pytest.raises(RuntimeError):
            store.save(report, [], audit=failing)
        assert store.get_report("r-1") is None
        assert store.save(report, [], audit=recorder("ana", ("ingest.report", "r-1", {"n": 1})))
    [entry] = _entries(url)
    assert (entry.seq, entry.actor, entry.payload) == (1, "ana", '{"n":1}')


def test_the_log_refuses_updates_and_deletes(log, tmp_path):
    url = log.copy(tmp_path / "triggers.sqlite3")
    refused = (IntegrityError, OperationalError, ProgrammingError)  # PostgreSQL's RAISE EXCEPTION: a ProgrammingError
    with Database.open(url) as db, pytest.raises(refused, match="append-only"):
        with db.transaction() as conn:
            conn.exec_driver_sql("UPDATE audit_log SET actor = 'x' WHERE seq = 1")
    with Database.open(url) as db, pytest.raises(refused, match="append-only"):
        with db.transaction() as conn:
            conn.exec_driver_sql("DELETE FROM audit_keys")
    assert len(_entries(url)) == log.size


def test_payloads_are_canonical_json():
    assert canonical_json({"b": [1, {"z": None, "a": True}], "a": "Kabul — کابل"}) == \
        '{"a":"Kabul — کابل","b":[1,{"a":true,"z":null}]}'
    with pytest.raises(ValueError, match="no floats"):
        canonical_json({"lat": 34.5})


def test_an_inclusion_proof_verifies_here_and_by_hand(log, log_db, tmp_path):
    proof = inclusion_proof(log_db, 17, 30)
    assert (proof.seq, proof.tree_size) == (17, 30)
    assert leaf_hash(proof.leaf_data.encode("utf-8")).hex() == proof.leaf_hash
    assert verify_inclusion(bytes.fromhex(proof.leaf_hash), 16, 30, [bytes.fromhex(h) for h in proof.proof],
                            bytes.fromhex(proof.root))
    script = tmp_path / "check-inclusion.py"
    script.write_text(_documented_script(), encoding="utf-8")
    for size, expected in ((30, "included"), (log.size, "included")):
        path = tmp_path / f"proof-{size}.json"
        path.write_text(json.dumps(inclusion_proof(log_db, 17, size).as_json()), encoding="utf-8")
        assert _run(script, path) == expected
    forged = {**proof.as_json(), "leaf_data": proof.leaf_data.replace('"seq":17', '"seq":18')}
    path.write_text(json.dumps(forged), encoding="utf-8")
    assert _run(script, path) == "NOT included"


def _documented_script() -> str:
    text = (DOCS / "audit.md").read_text(encoding="utf-8")
    return text.split("<!-- check-inclusion.py -->\n```python\n", 1)[1].split("```", 1)[0]


def _run(script: Path, proof: Path) -> str:
    return subprocess.run([sys.executable, str(script), str(proof)], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_proofs_of_entries_that_are_not_there_are_refused(log, log_db):
    with pytest.raises(AuditError, match=f"TW-E711: no audit entry 99; the log has {log.size} entries"):
        inclusion_proof(log_db, 99)
    with pytest.raises(AuditError, match="TW-E712: tree size 10 is not valid here: it must hold entry 17"):
        inclusion_proof(log_db, 17, 10)
    entries, total = list_entries(log_db, 38, 10)
    assert [e.seq for e in entries] == [38, 39, 40] and total == log.size


# --- the commands ----------------------------------------------------------------------------------------------


@pytest.fixture
def cli_db(log: Log, tmp_path) -> str:
    """A copy of the log's database for the commands: its URL."""
    return log.copy(tmp_path / "cli.sqlite3")


@pytest.fixture
def run(cli_db: str, monkeypatch):
    url = cli_db
    monkeypatch.delenv("TRUCEWATCH_CONFIG", raising=False)
    runner = CliRunner(env={"TRUCEWATCH_DB": url, "TRUCEWATCH_AUDIT_ORIGIN": ORIGIN, "TRUCEWATCH_USER": "ana"})
    return lambda *args: runner.invoke(main, ["audit", *map(str, args)])


def test_audit_verify_prints_the_tree_and_each_checkpoint_and_exits_0(run, log):
    result = run("verify", "--against", log.checkpoint, "--trusted-keys", log.trusted)
    assert result.exit_code == 0, result.output
    assert f": {log.size} entries, root " in result.output
    assert "signed by qat-1 (QAT), tur-1 (TUR): the log extends it" in result.output
    assert result.output.rstrip().endswith("verified")


def test_audit_verify_names_the_first_entry_that_breaks_and_exits_1(run, log, cli_db):
    tamper(cli_db, ("DELETE FROM audit_log WHERE seq = 18", ()),
           ("UPDATE audit_log SET subject = 'x' WHERE seq = 30", ()))
    result = run("verify", "--against", log.checkpoint)
    assert result.exit_code == 1
    assert "  entry 18 missing\n  leaf hash of entry 30 does not match its fields\n" in result.output
    assert "NOT verified at entry 18: entry 18 missing" in result.output


def test_audit_verify_of_a_file_that_is_not_a_checkpoint_is_an_error(run, tmp_path):
    (tmp_path / "notes.txt").write_text("hello\n")
    result = run("verify", "--against", tmp_path / "notes.txt")
    assert result.exit_code == 2 and "TW-E702" in result.output


def test_keys_checkpoint_and_cosign_through_the_commands(run, tmp_path):
    made = run("keys", "generate", "--name", "qat-7", "--guarantor", "qat", "-o", tmp_path / "q7.key")
    assert made.exit_code == 0 and made.output.startswith("QAT qat-7+")
    run("keys", "generate", "--name", "tur-7", "--guarantor", "TUR", "-o", tmp_path / "t7.key")
    for name, g, path in (("qat-7", "QAT", "q7.key.pub"), ("tur-7", "TUR", "t7.key.pub")):
        added = run("keys", "add", name, "--guarantor", g, tmp_path / path)
        assert added.exit_code == 0 and added.output.startswith(f"registered {g} {name}+"), added.output
    listed = run("keys", "list")
    assert [line.split()[1].split("+")[0] for line in listed.output.splitlines() if "+" in line] == \
        ["qat-1", "qat-7", "tur-1", "tur-7"]
    cp = tmp_path / "cp.txt"
    signed = run("checkpoint", "--key", tmp_path / "q7.key", "-o", cp)
    assert signed.exit_code == 0 and "not complete until co-signed for TUR" in signed.output
    assert run("verify", "--against", cp).exit_code == 1
    cosigned = run("cosign", cp, "--key", tmp_path / "t7.key")
    assert cosigned.exit_code == 0 and "complete" in cosigned.output
    assert run("verify", "--against", cp).exit_code == 0
    trusted = tmp_path / "trusted-keys"
    trusted.write_text(run("keys", "list").stdout)  # what the operator lists, as the guarantors compare it
    assert run("verify", "--against", cp, "--trusted-keys", trusted).exit_code == 0
    again = run("cosign", cp, "--key", tmp_path / "t7.key")
    assert again.exit_code == 2 and "TW-E710" in again.output


def test_audit_show_and_proof(run, log):
    shown = run("show", "--from", "39", "--limit", "5")
    assert shown.exit_code == 0
    assert [line.split()[0] for line in shown.output.splitlines() if line[:6].strip().isdigit()] == ["39", "40"]
    proof = run("proof", "3", "--size", "8")
    data = json.loads(proof.output)
    assert (data["seq"], data["leaf_index"], data["tree_size"], len(data["inclusion_proof"])) == (3, 2, 8, 3)
