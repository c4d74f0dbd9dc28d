"""kill -9 during complaint transitions and sign-off: `trucewatch complaints transition ...` and `trucewatch findings
sign ...` run as real processes on one SQLite file and are killed with SIGKILL at a random moment of their run (60 in
all: 30 transitions, 30 signatures; the moment drawn from 0 to 1.2 times an unkilled run's length, so some die
while starting, some inside their write, some after it). Then:

- each complaint is in exactly one state, the last of its history, its history a chain numbered 1, 2, 3 ... with one
  `complaint.transition` entry in the audit log per move;
- no half-signed finding: every signature row has its `finding.sign` entry and every entry its row; a finding with
  both guarantors' signatures has its complaints in 'finding signed';
- `trucewatch audit verify` exits 0.

`pytest -s` prints how many runs were killed before, during and after their write (as the store shows it).
"""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from signing import key_file, known_key, monitor_key
from trucewatch.demo import example_agreements_path
from trucewatch.jobs import agreements, casework
from trucewatch.jobs.accounts import add_user
from trucewatch.jobs.casework import Desk, Draft
from trucewatch.records import Complaint
from trucewatch.storage import Database

KILLS = 60  # 30 during complaint transitions, 30 during sign-off
TRUCEWATCH = str(Path(sys.executable).parent / "trucewatch")
PASSWORD = "correct horse battery staple"
NEXT = {"received": "under review", "under review": "needs information", "needs information": "under review"}


def _world(folder: Path) -> tuple[Path, list[str], list[str]]:
    """A database with monitors, a liaison officer, 15 complaints received and 8 findings drafted on others."""
    path = folder / "cases.sqlite3"
    with Database.open(f"sqlite:///{path}") as db:
        agreements.load_agreements(db, example_agreements_path())
        for name, guarantor in (("qat-1", "QAT"), ("tur-1", "TUR")):
            add_user(db, name, "monitor", PASSWORD, guarantor=guarantor, by="admin")
        add_user(db, "liaison-pak", "liaison", PASSWORD, party="PAK", by="admin")
        desk = Desk(db, folder / "evidence", 1 << 20, ("PAK", "AFG"))
        for name in ("qat-1", "tur-1"):  # each monitor's signing key, its private half in a file beside the database
            monitor_key(desk, casework.acting_user(desk, name), known_key(name))
            key_file(known_key(name), folder / f"{name}.key")
        qat, liaison = casework.acting_user(desk, "qat-1"), casework.acting_user(desk, "liaison-pak")
        complaints, findings = [], []
        for i in range(23):
            c = casework.file_complaint(desk, liaison, Complaint(f"cmp-{i:02}", "PAK", "Shelling at Chaman.",
                                                                 liaison.name, datetime.now(UTC)))
            if i < 15:
                complaints.append(c.complaint_id)
                continue
            casework.move_complaint(desk, qat, c.complaint_id, "under review")
            findings.append(casework.draft_finding(desk, qat, Draft(
                (c.complaint_id,), "doha-2025-10-19", "no-cross-border-attacks", "fair", "not attributable",
                "Two outlets agree; who fired is not established.")).finding_id)
    return path, complaints, findings


def _command(path: Path, kind: str, target: str) -> list[str]:
    """The command of one run: the next move of a complaint, or the next signature a finding needs."""
    with sqlite3.connect(path) as conn:
        if kind == "transition":
            state = conn.execute("SELECT status FROM complaints WHERE complaint_id = ?", (target,)).fetchone()[0]
            return ["complaints", "transition", target, NEXT[state], "--note", "asked by the kill test",
                    "--as", "qat-1"]
        content_hash, = conn.execute("SELECT content_hash FROM findings WHERE finding_id = ?", (target,)).fetchone()
        signed = {g for (g,) in conn.execute("SELECT guarantor FROM finding_signatures WHERE finding_id = ?",
                                             (target,))}
    signer = "qat-1" if "QAT" not in signed else "tur-1"
    return ["findings", "sign", target, "--hash", content_hash, "--key", str(path.parent / f"{signer}.key")]


def _writes(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])


def _run(path: Path, args: list[str], kill_after: float | None) -> int | None:
    env = {**os.environ, "TRUCEWATCH_DB": str(path), "TRUCEWATCH_EVIDENCE_DIR": str(path.parent / "evidence")}
    env.pop("TRUCEWATCH_CONFIG", None)
    proc = subprocess.Popen([TRUCEWATCH, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if kill_after is None:
        return proc.wait(timeout=60)
    time.sleep(kill_after)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    return None


def test_kill_9_during_transitions_and_sign_off_leaves_every_complaint_and_finding_whole(tmp_path: Path) -> None:
    path, complaints, findings = _world(tmp_path)
    started = time.monotonic()
    assert _run(path, _command(path, "transition", complaints[0]), None) == 0  # one unkilled run: how long one takes
    length = time.monotonic() - started
    rng = random.Random(14)
    outcome: Counter[str] = Counter()
    jobs = [("transition", rng.choice(complaints)) for _ in range(KILLS // 2)]
    jobs += [("sign", findings[i % len(findings)]) for i in range(KILLS - KILLS // 2)]
    rng.shuffle(jobs)
    for kind, target in jobs:
        before = _writes(path)
        _run(path, _command(path, kind, target), rng.uniform(0, 1.2 * length))
        outcome[f"{kind} {'written' if _writes(path) > before else 'not written'}"] += 1
    print(f"\nkill -9 at random moments ({KILLS} runs, one run {length:.2f} s): "
          + ", ".join(f"{k} {n}" for k, n in sorted(outcome.items())))
    _check(path)


def _check(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        logged = Counter(s for (s,) in conn.execute(
            "SELECT subject FROM audit_log WHERE action = 'complaint.transition'"))
        for cid, status in conn.execute("SELECT complaint_id, status FROM complaints").fetchall():
            history = conn.execute("SELECT seq, from_state, to_state FROM complaint_transitions "
                                   "WHERE complaint_id = ? ORDER BY seq", (cid,)).fetchall()
            assert [h[0] for h in history] == list(range(1, len(history) + 1)), (cid, history)
            assert status == (history[-1][2] if history else "received"), (cid, status, history)
            assert all(a[2] == b[1] for a, b in zip(history, history[1:], strict=False)), history
            assert logged[cid] == len(history), (cid, logged[cid], history)
        rows = Counter(conn.execute("SELECT finding_id, signer, guarantor, content_hash FROM finding_signatures"))
        entries = Counter((e[0], e[1], json.loads(e[2])["guarantor"], json.loads(e[2])["content_hash"])
                          for e in conn.execute("SELECT subject, actor, payload FROM audit_log "
                                                "WHERE action = 'finding.sign'"))
        assert rows == entries and max(rows.values(), default=1) == 1
        sealed = {f for f, n in Counter(f for f, *_ in rows).items() if n == 2}
        for fid in sealed:
            states = {s for (s,) in conn.execute("SELECT c.status FROM complaints c JOIN finding_complaints f "
                                                 "USING (complaint_id) WHERE f.finding_id = ?", (fid,))}
            assert states == {"finding signed"}, (fid, states)
    env = {**os.environ, "TRUCEWATCH_DB": str(path)}
    env.pop("TRUCEWATCH_CONFIG", None)
    verified = subprocess.run([TRUCEWATCH, "audit", "verify"], env=env, capture_output=True, text=True, check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
