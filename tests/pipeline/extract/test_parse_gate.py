"""Which sentences go to the dependency parser: only those where its reading could name a speaker the rules missed.
A reporting verb in the passive without an agent names none, so it is not parsed; with an agent it still is."""
import pytest

from trucewatch.pipeline.extract import attribution, claims
from trucewatch.records import Sentence, Span


def sentence(text: str) -> Sentence:
    return Sentence(0, Span(0, len(text)), text)


def parsed_after(text: str) -> list[tuple[str, str]]:
    """The claims (claimant, stance) of one sentence, with no actor mentions handed in, read afresh."""
    attribution._attributions.cache_clear()
    found = claims.find_claims(sentence(text), [], [], has_figure=True)
    return [(c.claimant, c.stance) for c in found]


@pytest.mark.parametrize("text,agentless", [
    ("Seven civilians are reported killed in the shelling near the ISPR post.", True),
    ("The claim was rejected outright, the BLA statement added.", False),  # "added" is active: parsed as before
    ("The attack was condemned by the Pashtun Tahaffuz Movement.", False),  # an agent: the parse reads it
    ("The HRCP spokesman was saying that seven were killed.", False),  # a progressive is active
])
def test_a_passive_without_an_agent_is_told_apart(text, agentless):
    cues = claims._statements(text)
    assert cues
    assert claims._agentless_passive(text, cues[0]) is agentless


def test_an_agentless_passive_is_not_parsed_and_names_no_one():
    attribution._attributions.cache_clear()
    assert parsed_after("Seven civilians are reported killed in the shelling near the ISPR post.") == []
    assert attribution._attributions.cache_info().misses == 0


def test_the_agent_of_a_passive_is_still_read_from_the_parse():
    assert parsed_after("The attack on the checkpoint was condemned by the Pashtun Tahaffuz Movement.") == [
        ("Pashtun Tahaffuz Movement", "asserts")]
    assert attribution._attributions.cache_info().misses == 1
