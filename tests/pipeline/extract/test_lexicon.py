"""The lexicon: phrases in data files, compiled into patterns a reviewer never has to read."""
import re

import pytest

from trucewatch.pipeline.extract import lexicon
from trucewatch.pipeline.extract.event_types import find_mentions, passing_agreement
from trucewatch.pipeline.extract.sentences import split_sentences


def finds(phrase: str, text: str) -> bool:
    return bool(re.search(lexicon.compile_phrase(phrase), text, re.IGNORECASE))


@pytest.mark.parametrize("phrase,text,expected", [
    ("air~strike*", "two air-strikes hit", True),
    ("air~strike*", "an airstrike hit", True),
    ("air~strike*", "the air strikes", True),
    ("clash*", "they clashed at dawn", True),
    ("clash*", "a panclash", False),  # whole words only
    ("[the] attack", "attack", True),
    ("attack* [on] _2 post*", "attacked a border post", True),
    ("attack* [on] _2 post*", "attacks on two remote border posts", False),  # three words between: too far
    ("jets|drones struck", "drones struck a house", True),
    ("exchange* [of] fire", "exchanged fire", True),
])
def test_phrase_syntax(phrase, text, expected):
    assert finds(phrase, text) is expected


def test_every_trigger_table_has_a_known_acled_type():
    known = {"Battles", "Explosions/Remote violence", "Violence against civilians", "Protests",
             "Strategic developments", "generic"}
    assert {t.event_type for t in lexicon.triggers()} <= known
    assert all(t.pattern.pattern for t in lexicon.triggers())


def test_a_bad_entry_names_itself():
    with pytest.raises(ValueError, match="neither a phrase"):
        lexicon.entry_pattern(42)


def sub_types(text: str) -> list[str]:
    return [m.sub_event_type for m in find_mentions(split_sentences(text))]


@pytest.mark.parametrize("text", [
    "Hundreds of traders staged a sit-in outside the district office.",
    "Students held a protest against the closure of the crossing.",
    "Shopkeepers observed a shutter-down strike across the town.",
])
def test_protests_are_recognised(text):
    assert "Peaceful protest" in sub_types(text)


def test_the_month_of_march_is_no_protest():
    assert "Peaceful protest" not in sub_types("Gunmen shot dead a teacher on 3 March.")


@pytest.mark.parametrize("text,passing", [
    ("The two governments agreed to a ceasefire on Sunday.", False),
    ("A truce brokered by the elders took effect at noon.", False),
    ("Both sides entered a 48-hour ceasefire.", False),
    ("Despite the ceasefire, mortar fire continued overnight.", True),
    ("The ceasefire has largely held since October.", True),
    ("Residents returned to the market during the ceasefire.", True),
])
def test_a_ceasefire_named_in_passing_is_not_a_new_agreement(text, passing):
    assert passing_agreement(text) is passing
    assert ("Agreement" in sub_types(text)) is not passing
