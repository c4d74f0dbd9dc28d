"""An operator with database access changes the audit log; `audit verify` catches it and names the entry.

The log (conftest.build_log: about forty entries from real writes) is changed directly in the database, one row at a
time, each time on a fresh copy of the file, in every way below; a checkpoint both guarantors signed over the whole
log is kept. For a log of 40 entries that is 439 cases:

- each of the six columns of each entry edited (at, actor, action, subject, payload, leaf_hash): 6 x 40 = 240;
- each entry deleted (the last one is caught by the kept checkpoint only): 40;
- each entry deleted and the entries after it renumbered to close the gap: 40;
- a forged entry, with a leaf hash made the published way, inserted before each entry (the entries after it
  renumbered): 40;
- each pair of neighbours swapped (all their columns but seq): 39;
- each entry edited and its leaf hash computed afresh, which the recomputation alone cannot see: 40.

Every case must fail verification; all but the last kind must name the entry changed (an inserted entry: the
forged one; a swap: the first of the two). `pytest -s` prints the counts. A full rewrite of the log with fresh,
self-consistent hashes passes the bare recomputation and is caught by the kept checkpoint.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

import pytest
from built_log import ORIGIN, Log, tamper

from trucewatch.audit.checkpoint import Verification
from trucewatch.audit.log import make_entry
from trucewatch.jobs.auditing import verify_audit
from trucewatch.records import AuditEntry
from trucewatch.storage import Database

Case = Callable[[str, AuditEntry, int], int | None]  # changes the database; returns the entry it must name


def _set(column: str, value: Callable[[AuditEntry], object]) -> Case:
    def change(url: str, e: AuditEntry, n: int) -> int:
        tamper(url, (f"UPDATE audit_log SET {column} = ? WHERE seq = ?", (value(e), e.seq)))
        return e.seq
    return change


def _later_second(at: str) -> str:
    return at[:17] + f"{(int(at[17:19]) + 1) % 60:02}" + at[19:]


def _forged_payload(e: AuditEntry) -> str:
    return json.dumps({**json.loads(e.payload), "forged": True}, sort_keys=True, separators=(",", ":"))


def _shift(url: str, after: int, by: int) -> None:
    """Renumber the entries after `after` by `by`, as an operator closing or opening a gap would."""
    tamper(url, ("UPDATE audit_log SET seq = -seq WHERE seq > ?", (after,)),
           ("UPDATE audit_log SET seq = -seq + ? WHERE seq < 0", (by,)))


def delete(url: str, e: AuditEntry, n: int) -> int:
    tamper(url, ("DELETE FROM audit_log WHERE seq = ?", (e.seq,)))
    return e.seq


def delete_and_renumber(url: str, e: AuditEntry, n: int) -> int:
    delete(url, e, n)
    _shift(url, e.seq, -1)
    return e.seq


def insert_before(url: str, e: AuditEntry, n: int) -> int:
    _shift(url, e.seq - 1, 1)
    forged = make_entry(e.seq, e.at, "operator", "agreement.load", "doha-2025-10-19", {"sha256": "0" * 64})
    tamper(url, ("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?)", (
        forged.seq, forged.at, forged.actor, forged.action, forged.subject, forged.payload, forged.leaf_hash)))
    return e.seq


def swap_with_next(url: str, e: AuditEntry, n: int) -> int | None:
    if e.seq == n:
        return None
    tamper(url, ("UPDATE audit_log SET seq = -1 WHERE seq = ?", (e.seq,)),
           ("UPDATE audit_log SET seq = ? WHERE seq = ?", (e.seq, e.seq + 1)),
           ("UPDATE audit_log SET seq = ? WHERE seq = -1", (e.seq + 1,)))
    return e.seq


def edit_and_rehash(url: str, e: AuditEntry, n: int) -> int:
    fresh = make_entry(e.seq, e.at, e.actor + " (edited)", e.action, e.subject, json.loads(e.payload))
    tamper(url, ("UPDATE audit_log SET actor = ?, leaf_hash = ? WHERE seq = ?", (fresh.actor, fresh.leaf_hash, e.seq)))
    return e.seq


NAMED: dict[str, Case] = {
    "edit at": _set("at", lambda e: _later_second(e.at)),
    "edit actor": _set("actor", lambda e: e.actor + "x"),
    "edit action": _set("action", lambda e: "ingest.report" if e.action != "ingest.report" else "audit.key"),
    "edit subject": _set("subject", lambda e: e.subject + "x"),
    "edit payload": _set("payload", _forged_payload),
    "edit leaf_hash": _set("leaf_hash", lambda e: ("1" if e.leaf_hash[0] == "0" else "0") + e.leaf_hash[1:]),
    "delete": delete,
    "delete and renumber": delete_and_renumber,
    "insert a forged entry before": insert_before,
    "swap with the next": swap_with_next,
}


@pytest.fixture(scope="module")
def entries(log_db: Database) -> list[AuditEntry]:
    return list(log_db.audit_log.iter_entries())


def _verify(url: str, log: Log, against: bool = True) -> Verification:
    """`audit verify` of the (changed) database at `url`, opened afresh as a command would."""
    with Database.open(url, upgrade=False) as db:
        return verify_audit(db, [log.checkpoint] if against else [], None, ORIGIN)


def test_the_log_as_written_verifies(log, entries):
    found = _verify(log.url, log)
    assert found.ok, found
    assert found.size == log.size == len(entries) >= 40
    assert [e.seq for e in entries] == list(range(1, log.size + 1))
    actions = Counter(e.action for e in entries)
    assert set(actions) == {"ingest.report", "agreement.load", "agreement.set", "agreement.remove",
                            "incident.override", "audit.key"}, actions


def test_every_row_changed_in_every_way_is_caught_and_named(log, entries, tmp_path):
    caught: Counter[str] = Counter()
    named: Counter[str] = Counter()
    without_checkpoint: Counter[str] = Counter()
    misses = []
    cases = 0
    for kind, change in NAMED.items():
        for e in entries:
            url = log.copy(tmp_path / "tampered.sqlite3")
            expected = change(url, e, log.size)
            if expected is None:
                continue
            cases += 1
            found = _verify(url, log)
            caught[kind] += not found.ok
            first = found.first
            if first is not None and first.seq == expected:
                named[kind] += 1
            else:
                misses.append((kind, e.seq, first))
            without_checkpoint[kind] += bool(found.problems)  # the log's own problems, not the checkpoint's
    print(f"\ntampering with each of the {log.size} entries of the log, one case at a time:")
    for kind in NAMED:
        print(f"  {kind:<30} {caught[kind]:>3} caught, {named[kind]:>3} named the entry "
              f"({without_checkpoint[kind]} caught without a checkpoint)")
    print(f"  {'all':<30} {sum(caught.values()):>3} caught of {cases}, {sum(named.values())} named the entry")
    assert not misses, misses[:5]
    assert caught == named
    assert sum(caught.values()) == cases == 10 * log.size - 1
    assert without_checkpoint["delete"] == log.size - 1  # the last entry deleted: only the checkpoint knows


def test_an_entry_edited_with_a_fresh_leaf_hash_is_caught_by_the_kept_checkpoint(log, entries, tmp_path):
    caught = passed_bare = 0
    for e in entries:
        url = log.copy(tmp_path / "rehashed.sqlite3")
        edit_and_rehash(url, e, log.size)
        found = _verify(url, log)
        passed_bare += not found.problems
        caught += not found.ok and "does not extend" in found.checkpoints[0].problems[0].text
    print(f"\neach entry edited with a fresh leaf hash: {passed_bare} of {log.size} pass the bare recomputation, "
          f"{caught} of {log.size} are caught by the kept checkpoint")
    assert passed_bare == caught == log.size


def test_a_full_rewrite_with_fresh_hashes_is_caught_only_by_a_kept_checkpoint(log, entries, tmp_path):
    """The operator drops entry 7 (a report they want forgotten), renumbers the rest and recomputes every hash. The
    log agrees with itself; the report it logged, still in the store, no longer has an entry (the store check); the
    kept checkpoint catches the rewrite itself."""
    url = log.copy(tmp_path / "rewritten.sqlite3")
    kept = [e for e in entries if e.seq != 7]
    rows = [make_entry(seq, e.at, e.actor, e.action, e.subject, json.loads(e.payload))
            for seq, e in enumerate(kept, start=1)]
    tamper(url, ("DELETE FROM audit_log", ()), *(("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?)", (
        r.seq, r.at, r.actor, r.action, r.subject, r.payload, r.leaf_hash)) for r in rows))
    bare = _verify(url, log, against=False)
    assert not bare.problems and not bare.checkpoints and bare.size == log.size - 1
    [unlogged] = bare.content.problems
    assert unlogged.text == (f"report {entries[6].subject} is in the store but no ingest.report entry logs it: it was "
                             "put there behind trucewatch's back")
    found = _verify(url, log)
    assert not found.ok
    check = found.checkpoints[0]
    assert check.signed_by and not check.ok
    assert any(f"entry {log.size} missing" in p.text for p in check.problems)


def test_a_rewrite_that_keeps_the_size_is_caught_by_the_consistency_proof(log, entries, tmp_path):
    url = log.copy(tmp_path / "same-size.sqlite3")
    e = entries[29]
    edit_and_rehash(url, e, log.size)
    found = _verify(url, log)
    [problem] = found.checkpoints[0].problems
    assert problem.seq is None
    assert problem.text.startswith(f"the log does not extend it: its first {log.size} entries hash to")
