"""A complaint's way from filing to a published finding: its states, the transitions between them, and who may make
each. Pure: no I/O, no database, no web; `trucewatch.jobs.casework` applies it, and docs/findings.md shows the
table for people.

    received -> under review <-> needs information
    under review -> finding drafted -> finding signed -> published -> closed
    under review, needs information -> closed (discounted: closed without a finding, with a note saying why)

Each transition names the roles that may make it. Monitors (of either guarantor) review, ask for information, and
close; a liaison officer only answers a request for information, and only on their own party's complaint. Admins run
the deployment and make no verification decisions; analysts and the public make none either. Three transitions are
made by a finding, not by hand (`via="finding"`): drafting a finding on a complaint under review, its sealing (the
second guarantor's signature) and its publication; `transition(..., via="manual")` refuses them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trucewatch.conflict import known_parties
from trucewatch.errors import FindingError
from trucewatch.records import COMPLAINT_STATUSES

STATES = COMPLAINT_STATUSES
FIRST = STATES[0]
MANUAL, BY_FINDING = "manual", "finding"


@dataclass(frozen=True, slots=True)
class Transition:
    """One allowed move: from, to, the roles that may make it, how it is made, and what it says on a button."""

    from_state: str
    to_state: str
    roles: tuple[str, ...]
    label: str
    via: str = MANUAL  # MANUAL, or BY_FINDING: made by drafting, sealing or publishing a finding
    note: str = ""  # when not empty, a note is required, and this says what it should say
    own_party_only: bool = False  # a liaison officer may make it only on their own party's complaint


TRANSITIONS: tuple[Transition, ...] = (
    Transition("received", "under review", ("monitor",), "Start the review"),
    Transition("under review", "needs information", ("monitor",), "Ask the party for information",
               note="what the party should send or explain"),
    Transition("needs information", "under review", ("monitor", "liaison"), "Answer / resume the review",
               note="the answer (a liaison officer), or why the review goes on without one (a monitor)",
               own_party_only=True),
    Transition("under review", "finding drafted", ("monitor",), "Draft a finding", via=BY_FINDING),
    Transition("finding drafted", "finding signed", ("monitor",), "Sign the finding", via=BY_FINDING),
    Transition("finding signed", "published", ("monitor",), "Publish the finding", via=BY_FINDING),
    Transition("published", "closed", ("monitor",), "Close"),
    Transition("under review", "closed", ("monitor",), "Close as discounted (no finding)",
               note="why the complaint is discounted without a finding"),
    Transition("needs information", "closed", ("monitor",), "Close as discounted (no answer)",
               note="why the complaint is discounted without a finding"),
)
HOW = {"finding drafted": "a monitor drafts a finding on it (POST /api/v1/findings, 'trucewatch findings draft')",
       "finding signed": "a monitor of each guarantor has signed its finding ('trucewatch findings sign')",
       "published": "its signed finding is published ('trucewatch findings publish')"}


def find(from_state: str, to_state: str) -> Transition | None:
    """The transition from one state to another, or None when there is none."""
    return next((t for t in TRANSITIONS if (t.from_state, t.to_state) == (from_state, to_state)), None)


def may_transition(role: str, party: str | None, complaint_party: str | None, from_state: str,
                   to_state: str, *, parties: Sequence[str] | None = None) -> bool:
    """May someone of `role` (a liaison officer of `party`, one of the conflict's `parties`; default: the shipped
    data's) move a complaint of `complaint_party` from `from_state` to `to_state`? Whatever way the transition is made
    (by hand or by a finding)."""
    step = find(from_state, to_state)
    if step is None or role not in step.roles:
        return False
    if role == "liaison":
        return party in known_parties(parties) and party == complaint_party
    return True


def next_states(role: str, party: str | None, complaint_party: str | None, state: str, *,
                via: str | None = MANUAL, parties: Sequence[str] | None = None) -> list[Transition]:
    """The transitions this person may make from `state` (by hand only, by default; `via=None`: every way)."""
    return [t for t in TRANSITIONS if t.from_state == state and (via is None or t.via == via)
            and may_transition(role, party, complaint_party, t.from_state, t.to_state, parties=parties)]


def transition(complaint_id: str, role: str, party: str | None, complaint_party: str | None, from_state: str,
               to_state: str, *, note: str = "", via: str = MANUAL, parties: Sequence[str] | None = None) -> Transition:
    """The transition, if this person may make it this way with this note; else FindingError: TW-E801 no such
    transition from this state, TW-E802 not for this role (or party), TW-E804 made by a finding, not by hand,
    TW-E803 a note is needed."""
    step = find(from_state, to_state)
    if step is None:
        choices = ", ".join(repr(t.to_state) for t in TRANSITIONS if t.from_state == from_state) or "nowhere (final)"
        raise FindingError("TW-E801", complaint_id=complaint_id, state=from_state, to_state=to_state,
                           choices=choices)
    if not may_transition(role, party, complaint_party, from_state, to_state, parties=parties):
        detail = " on another party's complaint" if role == "liaison" and role in step.roles else ""
        raise FindingError("TW-E802", role=role, from_state=from_state, to_state=to_state, detail=detail)
    if step.via != via:
        raise FindingError("TW-E804", from_state=from_state, to_state=to_state,
                           how=HOW.get(to_state, "a finding moves it"))
    if step.note and not note.strip():
        raise FindingError("TW-E803", from_state=from_state, to_state=to_state, why=step.note)
    return step
