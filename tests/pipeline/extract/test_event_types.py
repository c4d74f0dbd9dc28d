"""Event types in ACLED's taxonomy, from the words a sentence uses."""
import pytest

from trucewatch.pipeline.extract.event_types import find_mentions
from trucewatch.pipeline.extract.sentences import split_sentences


def sub_types(text: str) -> list[str]:
    return [m.sub_event_type for m in find_mentions(split_sentences(text))]


@pytest.mark.parametrize("text,expected", [
    ("A suicide bomber blew himself up outside the gate.", "Suicide bomb"),
    ("Jets carried out airstrikes on two villages overnight.", "Air/drone strike"),
    ("A roadside bomb hit the patrol on the main road.", "Remote explosive/landmine/IED"),
    ("An IED planted near the school went off.", "Remote explosive/landmine/IED"),
    ("Mortar shelling hit houses near the border.", "Shelling/artillery/missile attack"),
    ("Someone threw a grenade at the checkpoint.", "Grenade"),
    ("Border guards of both countries exchanged fire for three hours.", "Armed clash"),
    ("Gunmen shot dead a shopkeeper in the bazaar.", "Attack"),
    ("The two sides agreed to a ceasefire in Doha.", "Agreement"),
    ("Police arrested four suspects after the raid.", "Arrests"),
    ("A new round of talks opened in Istanbul.", "Other"),
])
def test_trigger_words_give_acled_sub_event_types(text, expected):
    assert expected in sub_types(text)


def test_suicide_blast_is_a_suicide_bomb_not_also_an_ied():
    assert sub_types("The suicide blast killed four.") == ["Suicide bomb"]


def test_generic_attack_word_is_marked_generic():
    assert sub_types("The attack was condemned.") == ["generic"]
