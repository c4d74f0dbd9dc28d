"""Actor normalisation: every name an actor goes by becomes ACLED's one name."""
from datetime import date

import pytest

from trucewatch.pipeline.extract.actors import find_actors, load_actor_dictionary
from trucewatch.pipeline.extract.sentences import split_sentences

OCT_2025 = date(2025, 10, 20)


def names(text: str, on: date = OCT_2025) -> list[str]:
    return [m.actor.name for m in find_actors(split_sentences(text), on)]


@pytest.mark.parametrize("alias", [
    "TTP", "Tehreek-e-Taliban Pakistan", "Tehrik-i-Taliban Pakistan", "Tehreek-i-Taliban", "Pakistani Taliban",
    "Fitna al-Khawarij",
])
def test_ttp_aliases_are_one_actor(alias):
    assert names(f"Officials blamed the {alias} for the raid.")[-1] == "TTP: Tehreek-e-Taliban Pakistan"


@pytest.mark.parametrize("alias,expected", [
    ("Islamic Emirate", "Government of Afghanistan (Taliban)"),
    ("Afghan forces", "Military Forces of Afghanistan (Taliban)"),
    ("Afghan Taliban forces", "Military Forces of Afghanistan (Taliban)"),
    ("ISPR", "Military Forces of Pakistan"),
    ("Pakistan Air Force", "Military Forces of Pakistan"),
    ("Pakistan Army", "Military Forces of Pakistan"),
    ("Hafiz Gul Bahadur group", "Hafiz Gul Bahadur Group (Jaish al-Fursan)"),
    ("Jaish al-Fursan", "Hafiz Gul Bahadur Group (Jaish al-Fursan)"),
    ("ISKP", "ISKP: Islamic State Khorasan Province"),
    ("Balochistan Liberation Army", "BLA: Baloch Liberation Army"),
])
def test_aliases_normalise_to_acled_names(alias, expected):
    assert expected in names(f"A statement from the {alias} was read out on Friday.")


def test_longest_name_wins_over_its_parts():
    assert names("The Afghan Taliban forces moved up.") == ["Military Forces of Afghanistan (Taliban)"]


def test_acronyms_keep_their_capitals():
    # "is" is not the Islamic State, and "dawn" is not the newspaper.
    assert names("The road is closed at dawn.") == []


def test_afghan_forces_before_august_2021_are_the_republics():
    assert names("Afghan forces held the pass.", on=date(2019, 5, 1)) == ["Military Forces of Afghanistan (2004-2021)"]


def test_capital_is_a_speaker_only_when_it_speaks():
    assert names("Islamabad denied the report.") == ["Government of Pakistan"]
    assert names("The convoy reached Islamabad.") == []


def test_generic_words_resolve_by_country():
    dictionary = load_actor_dictionary()
    police = [m for m in find_actors(split_sentences("Police said two men fled."), OCT_2025)][0]
    assert dictionary.resolve(police.actor, "Pakistan").name == "Police Forces of Pakistan"
    assert dictionary.resolve(police.actor, "Afghanistan").name == "Police Forces of Afghanistan (Taliban)"


def test_spans_point_at_the_words():
    text = "Late on Friday the ISPR said troops repelled the attack."
    mention = find_actors(split_sentences(text), OCT_2025)[0]
    assert text[mention.span.start:mention.span.end] == "ISPR"
