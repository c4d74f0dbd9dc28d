"""A Hypothesis state machine over complaints, findings and signatures, run through the casework jobs on a real SQLite
file: liaison officers of both parties file complaints; monitors of both guarantors move them through the workflow,
draft, edit, sign, publish and amend findings; anyone may try anything (a liaison signing, a monitor signing twice,
an edit after a signature), and what the rules refuse must be refused with a coded error, nothing half-done.

After every step:
- a sealed finding never changes: its content hash and grade stay as they were when it was sealed, and its content
  still hashes to what both monitors signed;
- a finding is sealed only with a signature of each guarantor (QAT and TUR), never two of one guarantor, and only a
  sealed finding is published;
- a liaison officer never sees the other party's complaints, nor an unpublished finding, through the jobs' read
  functions (`list_complaints`, `get_complaint`, `list_findings`, `get_finding`) as that user;
- each complaint's state is the last of its history;
- `jobs.auditing.verify_audit` finds no problem, in the log or in the store against it.

Bounded (25 examples of at most 25 steps; derandomized, so the figures repeat) to stay under a minute on two cores;
`pytest -s` prints the steps run, what was done and what was refused.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from signing import key_name, known_key, monitor_key, signature_of
from trucewatch.demo import example_agreements_path
from trucewatch.errors import FindingError
from trucewatch.jobs import agreements, casework
from trucewatch.jobs.accounts import add_user
from trucewatch.jobs.auditing import verify_audit
from trucewatch.jobs.casework import Desk, Draft
from trucewatch.records import Complaint, User
from trucewatch.storage import Database

PASSWORD = "correct horse battery staple"
MONITORS = (("qat-1", "QAT"), ("qat-2", "QAT"), ("tur-1", "TUR"), ("tur-2", "TUR"))
LIAISONS = (("liaison-pak", "PAK"), ("liaison-afg", "AFG"))
GRADES = ("confirmed", "fair", "weak", "contested", "discounted")
MANUAL_STATES = ("under review", "under review", "needs information", "closed", "published")


@dataclass
class Steps:
    count: int = 0
    examples: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    done: dict[str, int] = field(default_factory=dict)


STEPS = Steps()


def _template(folder: Path) -> Path:
    """A database with the example agreements and the users (argon2 is slow on purpose: made once)."""
    path = folder / "template.sqlite3"
    with Database.open(f"sqlite:///{path}") as db:
        agreements.load_agreements(db, example_agreements_path())
        desk = Desk(db, folder / "evidence", 1 << 20, ("PAK", "AFG"))
        for name, guarantor in MONITORS:
            add_user(db, name, "monitor", PASSWORD, guarantor=guarantor, by="admin")
            monitor_key(desk, casework.acting_user(desk, name), known_key(name))
        for name, party in LIAISONS:
            add_user(db, name, "liaison", PASSWORD, party=party, by="admin")
    return path


class Casework(RuleBasedStateMachine):
    template: Path
    folder: Path

    def __init__(self) -> None:
        super().__init__()
        STEPS.examples += 1
        work = self.folder / f"run-{STEPS.examples}"
        work.mkdir()
        shutil.copyfile(self.template, work / "cases.sqlite3")
        self.db = Database.open(f"sqlite:///{work / 'cases.sqlite3'}")
        self.desk = Desk(self.db, work / "evidence", 1 << 20, ("PAK", "AFG"))
        self.users = {name: casework.acting_user(self.desk, name) for name, _ in (*MONITORS, *LIAISONS)}
        self.complaints: dict[str, str] = {}  # complaint id -> party
        self.findings: list[str] = []
        self.sealed: dict[str, tuple[str, str]] = {}  # finding id -> (content hash, grade) when sealed

    def teardown(self) -> None:
        self.db.close()

    # --- rules ---------------------------------------------------------------------------------------------

    def _try(self, what: str, action, *args):  # type: ignore[no-untyped-def]
        STEPS.count += 1
        try:
            made = action(*args)
        except FindingError as err:
            STEPS.refused[err.code] = STEPS.refused.get(err.code, 0) + 1
            return None
        STEPS.done[what] = STEPS.done.get(what, 0) + 1
        return made

    @precondition(lambda self: len(self.complaints) < 3)
    @rule(liaison=st.sampled_from(LIAISONS))
    def file(self, liaison: tuple[str, str]) -> None:
        name, party = liaison
        cid = f"cmp-{len(self.complaints) + 1:03}"
        made = self._try("file", casework.file_complaint, self.desk, self.users[name], Complaint(
            cid, party, f"{party}: shelling of a border post", name, datetime.now(UTC)))
        assert made is not None
        self.complaints[cid] = party

    @precondition(lambda self: self.complaints)
    @rule(data=st.data(), to_state=st.sampled_from(MANUAL_STATES),
          who=st.sampled_from([n for n, _ in MONITORS] + [n for n, _ in LIAISONS]))
    def move(self, data: st.DataObject, to_state: str, who: str) -> None:
        cid = data.draw(st.sampled_from(sorted(self.complaints)))
        self._try("move", casework.move_complaint, self.desk, self.users[who], cid, to_state, "a note")

    def _in(self, state: str) -> list[str]:
        """The complaints in `state`, else all: rules aim mostly at moves that can succeed."""
        states = self.db.cases.complaint_states(self.complaints)
        return sorted(c for c, s in states.items() if s == state) or sorted(self.complaints)

    @precondition(lambda self: self.complaints)
    @rule(data=st.data(), who=st.sampled_from([n for n, _ in MONITORS]))
    def review(self, data: st.DataObject, who: str) -> None:
        cid = data.draw(st.sampled_from(self._in("received")))
        self._try("review", casework.move_complaint, self.desk, self.users[who], cid, "under review")

    @precondition(lambda self: self.complaints)
    @rule(data=st.data(), who=st.sampled_from([n for n, _ in MONITORS] + ["liaison-pak"]),
          grade=st.sampled_from(GRADES))
    def draft(self, data: st.DataObject, who: str, grade: str) -> None:
        cid = data.draw(st.sampled_from(self._in("under review")))
        made = self._try("draft", casework.draft_finding, self.desk, self.users[who], Draft(
            (cid,), "doha-2025-10-19", "no-cross-border-attacks", grade, "not attributable", "What was found."))
        if made is not None:
            self.findings.append(made.finding_id)

    @precondition(lambda self: self.findings)
    @rule(data=st.data(), who=st.sampled_from([n for n, _ in MONITORS]), grade=st.sampled_from(GRADES))
    def edit(self, data: st.DataObject, who: str, grade: str) -> None:
        fid = data.draw(st.sampled_from(self.findings))
        self._try("edit", casework.edit_draft, self.desk, self.users[who], fid, {"grade": grade})

    @precondition(lambda self: self.findings)
    @rule(data=st.data(), who=st.sampled_from([n for n, _ in MONITORS] + ["liaison-afg", "next", "next"]),
          stale=st.booleans(), forged=st.booleans())
    def sign(self, data: st.DataObject, who: str, stale: bool, forged: bool = False) -> None:
        open_ = [f.finding_id for f in self.db.cases.findings() if not f.sealed and not f.superseded_by]
        fid = data.draw(st.sampled_from(open_ or self.findings))
        current = self.db.cases.finding(fid)
        assert current is not None
        if who == "next":  # a monitor of a guarantor that has not signed it yet
            signed = {s.guarantor for s in current.signatures}
            who = next((n for n, g in MONITORS if g not in signed), "qat-1")
        stated = "0" * 64 if stale else current.content_hash
        holder = who if who in dict(MONITORS) else MONITORS[0][0]  # a liaison tries a monitor's key
        private = known_key("a forger" if forged else holder)
        done = self._try("sign", casework.sign_finding, self.desk, self.users[who], fid, stated,
                         key_name(self.users[holder], known_key(holder)), signature_of(private, stated))
        if done is not None and done.sealed:
            assert fid not in self.sealed, "sealed twice"
            self.sealed[fid] = (done.content_hash, done.grade)
            STEPS.done["sealed"] = STEPS.done.get("sealed", 0) + 1

    @precondition(lambda self: self.findings)
    @rule(data=st.data())
    def countersign(self, data: st.DataObject) -> None:
        """The other guarantor's monitor signs what is there: the way to a seal, drawn as often as any rule."""
        self.sign(data, "next", False)

    @precondition(lambda self: self.findings)
    @rule(data=st.data(), who=st.sampled_from([n for n, _ in MONITORS] + ["liaison-pak"]))
    def publish(self, data: st.DataObject, who: str) -> None:
        fid = data.draw(st.sampled_from(self.findings))
        self._try("publish", casework.publish_finding, self.desk, self.users[who], fid)

    @precondition(lambda self: self.findings)
    @rule(data=st.data(), who=st.sampled_from([n for n, _ in MONITORS]), grade=st.sampled_from(GRADES))
    def amend(self, data: st.DataObject, who: str, grade: str) -> None:
        fid = data.draw(st.sampled_from(self.findings))
        made = self._try("amend", casework.amend_finding, self.desk, self.users[who], fid, {"grade": grade})
        if made is not None:
            self.findings.append(made.finding_id)

    # --- invariants ----------------------------------------------------------------------------------------

    @invariant()
    def sealed_findings_never_change(self) -> None:
        for fid, (content_hash, grade) in self.sealed.items():
            now = casework.get_finding(self.desk, self.users["qat-1"], fid)
            assert (now.content_hash, now.grade) == (content_hash, grade)
            assert {s.content_hash for s in now.signatures} == {content_hash}

    @invariant()
    def sealing_needs_both_guarantors(self) -> None:
        for f in self.db.cases.findings():
            guarantors = [s.guarantor for s in f.signatures]
            assert len(guarantors) == len(set(guarantors)) <= 2, f
            assert f.sealed == (sorted(guarantors) == ["QAT", "TUR"]), f
            assert not f.published or f.sealed, f
            assert (f.finding_id in self.sealed) == f.sealed, f

    @invariant()
    def liaisons_see_only_their_own(self) -> None:
        for name, party in LIAISONS:
            user: User = self.users[name]
            seen = casework.list_complaints(self.desk, user)
            assert {c.party for c in seen} <= {party}
            assert {c.complaint_id for c in seen} == {c for c, p in self.complaints.items() if p == party}
            for cid, owner in self.complaints.items():
                if owner != party:
                    with pytest.raises(FindingError, match="TW-E815"):
                        casework.get_complaint(self.desk, user, cid)
            assert all(f.published for f in casework.list_findings(self.desk, user))
            for f in self.db.cases.findings():
                if not f.published:
                    with pytest.raises(FindingError, match="TW-E807"):
                        casework.get_finding(self.desk, user, f.finding_id)

    @invariant()
    def states_match_their_history(self) -> None:
        for cid in self.complaints:
            complaint = casework.get_complaint(self.desk, None, cid)
            history = self.db.cases.transitions(cid)
            assert complaint.status == (history[-1].to_state if history else "received")
            assert all(a.to_state == b.from_state for a, b in zip(history, history[1:], strict=False))

    @invariant()
    def the_audit_log_verifies(self) -> None:
        found = verify_audit(self.db)
        assert found.ok, (found.problems, found.content.problems)


def test_casework_state_machine(tmp_path: Path) -> None:
    Casework.folder = tmp_path
    Casework.template = _template(tmp_path)
    STEPS.count = STEPS.examples = 0
    STEPS.refused.clear()
    STEPS.done.clear()
    run_state_machine_as_test(Casework, settings=settings(
        max_examples=25, stateful_step_count=25, deadline=None, database=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    print(f"\ncasework state machine: {STEPS.examples} examples, {STEPS.count} steps run; done: "
          + ", ".join(f"{what} {n}" for what, n in sorted(STEPS.done.items())) + "; refused by code: "
          + ", ".join(f"{code} {n}" for code, n in sorted(STEPS.refused.items())))
    assert STEPS.count >= 100 and STEPS.done.get("sealed", 0) >= 1
