"""The complaint workflow, exhaustively: every state x every state x every role x own / other party's complaint,
against an explicit table of the moves that are allowed; and the errors that say why a move is refused."""
from __future__ import annotations

import pytest

from trucewatch.casework import workflow
from trucewatch.errors import FindingError
from trucewatch.records import COMPLAINT_STATUSES

ROLES = ("admin", "monitor", "liaison", "analyst", "public")
# (from, to, role, whose complaint) allowed; every other combination is refused
ALLOWED = {
    *((f, t, "monitor", whose) for f, t in (
        ("received", "under review"),
        ("under review", "needs information"),
        ("needs information", "under review"),
        ("under review", "finding drafted"),
        ("finding drafted", "finding signed"),
        ("finding signed", "published"),
        ("published", "closed"),
        ("under review", "closed"),
        ("needs information", "closed"),
    ) for whose in ("own", "other")),
    ("needs information", "under review", "liaison", "own"),
}
BY_FINDING = {("under review", "finding drafted"), ("finding drafted", "finding signed"),
              ("finding signed", "published")}


def identity(role: str, whose: str) -> tuple[str | None, str]:
    """(the caller's party, the complaint's party): a liaison officer of PAK, PAK's complaint or AFG's."""
    return ("PAK" if role == "liaison" else None), ("PAK" if whose == "own" else "AFG")


def test_every_transition_for_every_role_and_party(capsys):
    cases, wrong = 0, []
    for from_state in COMPLAINT_STATUSES:
        for to_state in COMPLAINT_STATUSES:
            for role in ROLES:
                for whose in ("own", "other"):
                    party, complaint_party = identity(role, whose)
                    allowed = workflow.may_transition(role, party, complaint_party, from_state, to_state)
                    cases += 1
                    if allowed != ((from_state, to_state, role, whose) in ALLOWED):
                        wrong.append(f"{role} ({whose}) {from_state} -> {to_state}: {allowed}")
    with capsys.disabled():
        print(f"\nworkflow: {cases} cases ({len(COMPLAINT_STATUSES)} x {len(COMPLAINT_STATUSES)} states x "
              f"{len(ROLES)} roles x own/other party), {len(ALLOWED)} allowed, {cases - len(wrong)} as expected")
    assert cases == 7 * 7 * 5 * 2 == 490
    assert not wrong, "\n".join(wrong)


def test_the_table_names_only_known_states_and_each_move_once():
    pairs = [(t.from_state, t.to_state) for t in workflow.TRANSITIONS]
    assert len(pairs) == len(set(pairs))
    assert {s for pair in pairs for s in pair} == set(COMPLAINT_STATUSES)
    assert {p for p in pairs if workflow.find(*p).via == workflow.BY_FINDING} == BY_FINDING  # type: ignore[union-attr]
    assert not [t for t in workflow.TRANSITIONS if t.from_state == "closed"]  # closed is final


@pytest.mark.parametrize("role, party, complaint_party", [
    ("liaison", None, "PAK"), ("liaison", "IND", "IND"), ("monitors", None, "PAK"), ("", None, None)])
def test_a_liaison_without_a_party_or_an_unknown_role_may_do_nothing(role, party, complaint_party):
    assert not any(workflow.may_transition(role, party, complaint_party, t.from_state, t.to_state)
                   for t in workflow.TRANSITIONS)


def test_transition_says_why_a_move_is_refused():
    def refused(code: str, *args: str, **kwargs: str) -> str:
        with pytest.raises(FindingError) as caught:
            workflow.transition("cmp-1", *args, **kwargs)
        assert caught.value.code == code, caught.value
        return str(caught.value)

    assert "'received', 'under review'" not in refused("TW-E801", "monitor", None, "PAK", "received", "published")
    assert "may go to: 'under review'" in refused("TW-E801", "monitor", None, "PAK", "received", "published")
    assert "nowhere" in refused("TW-E801", "monitor", None, "PAK", "closed", "received")
    assert "another party's" in refused("TW-E802", "liaison", "AFG", "PAK", "needs information", "under review")
    refused("TW-E802", "liaison", "PAK", "PAK", "under review", "closed")
    refused("TW-E802", "admin", None, "PAK", "received", "under review")
    assert "drafts a finding" in refused("TW-E804", "monitor", None, "PAK", "under review", "finding drafted")
    assert "what the party should send" in refused("TW-E803", "monitor", None, "PAK", "under review",
                                                   "needs information", note="  ")
    assert workflow.transition("cmp-1", "liaison", "PAK", "PAK", "needs information", "under review",
                               note="the photo's original is attached").to_state == "under review"
    assert workflow.transition("cmp-1", "monitor", None, "AFG", "finding signed", "published",
                               via=workflow.BY_FINDING).via == workflow.BY_FINDING


def test_next_states_are_the_buttons_a_person_gets():
    assert [t.to_state for t in workflow.next_states("monitor", None, "PAK", "under review")] == \
        ["needs information", "closed"]
    assert [t.to_state for t in workflow.next_states("monitor", None, "PAK", "under review", via=None)] == \
        ["needs information", "finding drafted", "closed"]
    assert [t.to_state for t in workflow.next_states("liaison", "PAK", "PAK", "needs information")] == \
        ["under review"]
    assert workflow.next_states("liaison", "AFG", "PAK", "needs information") == []
    assert workflow.next_states("admin", None, "PAK", "received") == []
