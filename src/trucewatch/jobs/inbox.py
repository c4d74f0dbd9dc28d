"""What waits for someone: a monitor's inbox (complaints by state, findings waiting for their guarantor's signature,
drafts they may still edit, sealed findings to publish) and a liaison officer's (their party's complaints, those the
monitors asked about first with the question, and the findings published on them).

Read through the same rules as everything else: complaints by `visible_parties` and `decide`, findings by
`casework.may_read`. The web's /inbox page and the count in its navigation read `inbox_of`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from trucewatch.casework import findings as rules
from trucewatch.casework.access import Resource, decide, visible_parties
from trucewatch.jobs.casework import Desk, may_read
from trucewatch.records import COMPLAINT_STATUSES, Complaint, ComplaintTransition, Finding, User
from trucewatch.storage.workplace import PageQuery

SHOWN = 200  # complaints listed per state; the count says when there are more
QUESTION = "needs information"
MONITOR_ACTS_ON = ("received", "under review")  # states in which a complaint waits for a monitor's move


@dataclass(frozen=True)
class Inbox:
    """One person's inbox. `complaints`: state -> complaints in it (newest first, at most SHOWN; `more` names the
    states with more); `questions`: complaint id -> the move that asked for information (its note is the question)."""

    role: str
    complaints: dict[str, list[Complaint]] = field(default_factory=dict)
    more: frozenset[str] = frozenset()
    questions: dict[str, ComplaintTransition] = field(default_factory=dict)
    to_sign: list[Finding] = field(default_factory=list)  # drafts my guarantor has not signed
    to_edit: list[Finding] = field(default_factory=list)  # drafts nobody has signed: still editable in place
    to_publish: list[Finding] = field(default_factory=list)  # sealed, not yet published
    published: list[Finding] = field(default_factory=list)  # a liaison officer's: published on their complaints

    @property
    def needing_action(self) -> int:
        """What waits for this person: for a monitor, complaints received or under review, drafts to sign and
        sealed findings to publish; for a liaison officer, the requests for information to answer."""
        if self.role == "monitor":
            moves = sum(len(self.complaints.get(s, [])) for s in MONITOR_ACTS_ON)
            return moves + len(self.to_sign) + len(self.to_publish)
        if self.role == "liaison":
            return len(self.complaints.get(QUESTION, []))
        return 0


def inbox_of(desk: Desk, user: User | None) -> Inbox:
    """The inbox of `user` (None, the public: empty)."""
    if user is None:
        return Inbox("public")
    complaints, more = _complaints_by_state(desk, user, COMPLAINT_STATUSES)
    questions = {c.complaint_id: q for c in complaints.get(QUESTION, []) if (q := question_of(desk, c)) is not None}
    findings = _open_findings(desk, user)
    inbox = Inbox(user.role, complaints, more, questions)
    if user.role == "monitor":
        return Inbox(user.role, complaints, more, questions,
                     to_sign=[f for f in findings if _waits_for(f, user.guarantor)],
                     to_edit=[f for f in findings if not f.signatures and not f.published],
                     to_publish=[f for f in findings if rules.publish_problem(f) is None])
    if user.role == "liaison":
        mine = {c.complaint_id for cs in complaints.values() for c in cs}
        return Inbox(user.role, complaints, more, questions,
                     published=[f for f in desk.cases.findings(published_only=True)
                                if mine.intersection(f.complaint_ids) and may_read(user, f, desk.parties)])
    return inbox


def latest_published(findings: Iterable[Finding]) -> list[Finding]:
    """Of each series, its latest published version (an amendment still in draft leaves the published one
    standing), in the order given."""
    found = [f for f in findings if f.published]
    latest: dict[str, Finding] = {}
    for f in found:
        if f.series not in latest or f.version > latest[f.series].version:
            latest[f.series] = f
    return [f for f in found if latest[f.series] is f]


def question_of(desk: Desk, complaint: Complaint) -> ComplaintTransition | None:
    """The latest move of the complaint into 'needs information': who asked, when, and the question (its note)."""
    asked = [t for t in desk.cases.transitions(complaint.complaint_id) if t.to_state == QUESTION]
    return asked[-1] if asked else None


def waiting(desk: Desk, user: User | None) -> int:
    """How many things wait for `user` (`Inbox.needing_action`), read with fewer queries than the whole inbox: the
    count every page's header shows."""
    if user is None or user.role not in ("monitor", "liaison"):
        return 0
    states = MONITOR_ACTS_ON if user.role == "monitor" else (QUESTION,)
    complaints, _ = _complaints_by_state(desk, user, states)
    if user.role == "liaison":
        return Inbox(user.role, complaints).needing_action
    findings = _open_findings(desk, user)
    return Inbox(user.role, complaints, to_sign=[f for f in findings if _waits_for(f, user.guarantor)],
                 to_publish=[f for f in findings if rules.publish_problem(f) is None]).needing_action


def _complaints_by_state(desk: Desk, user: User,
                         states: tuple[str, ...]) -> tuple[dict[str, list[Complaint]], frozenset[str]]:
    identity = desk.identity(user)
    parties = visible_parties(identity, "complaint")
    if parties is not None and not parties:
        return {}, frozenset()
    found, more = {}, set()
    for state in states:
        page = desk.web.complaint_page(parties, PageQuery("filed", True, None, SHOWN + 1), status=state)
        rows = [c for c in page if decide(identity, "read", Resource("complaint", party=c.party))]
        if rows:
            found[state] = rows[:SHOWN]
        if len(rows) > SHOWN:
            more.add(state)
    return found, frozenset(more)


def _open_findings(desk: Desk, user: User) -> list[Finding]:
    """Findings still at work (not superseded, not published) that `user` may read, newest first."""
    return [f for f in desk.cases.findings()
            if not f.superseded_by and not f.published and may_read(user, f, desk.parties)]


def _waits_for(finding: Finding, guarantor: str | None) -> bool:
    """A draft waits for a guarantor's signature when nobody of that guarantor has signed its current content."""
    return guarantor in rules.missing_guarantors(finding)
