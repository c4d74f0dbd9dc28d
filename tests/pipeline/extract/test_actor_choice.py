"""Who did it: actors across eras, the group a story names, the state a strike belongs to (our own sentences)."""
from datetime import date

from coding import code

from trucewatch.pipeline.extract.actors import load_actor_dictionary

CHECKPOINT = ("Taliban fighters attacked a checkpoint of Afghan forces in Chahar Dara district on Tuesday, "
              "killing four soldiers.")


def events_of(text: str, published: date):
    return code(text, published)


def test_in_2019_the_taliban_are_the_insurgency_and_afghan_forces_the_republic():
    (event,) = events_of(CHECKPOINT, date(2019, 6, 5))
    assert (event.actor1, event.actor2) == ("Taliban", "Military Forces of Afghanistan (2004-2021)")


def test_in_2025_the_same_words_never_put_the_emirate_on_both_sides():
    (event,) = events_of(CHECKPOINT, date(2025, 6, 5))
    emirate = "Military Forces of Afghanistan (Taliban)"
    assert not (event.actor1 == emirate and event.actor2 == emirate)
    assert event.actor2 == emirate


def test_generic_police_before_the_takeover_are_the_republic_s():
    (event,) = events_of("Gunmen shot dead two policemen in Ghazni city on Monday.", date(2020, 3, 3))
    assert event.actor2 == "Police Forces of Afghanistan (2004-2021)"


def test_the_group_that_claims_the_attacks_is_the_perpetrator_of_each_site():
    events = events_of("Gunmen shot dead six passengers in Kalat on Sunday. In Turbat, four labourers were found "
                       "shot dead on Sunday. The Baloch Liberation Army, which has waged an insurgency for "
                       "decades, claimed the attacks in a statement.", date(2025, 3, 4))
    assert {e.actor1 for e in events} == {"BLA: Baloch Liberation Army"}


def test_a_group_named_for_another_province_does_not_reach_this_one():
    events = events_of("A bomb exploded near a market in Bannu on Sunday, wounding six. In Quetta, the BLA "
                       "claimed an attack on a train on Sunday that killed two guards.", date(2025, 3, 4))
    bannu = [e for e in events if e.place.name == "Bannu"]
    assert [e.actor1 for e in bannu] == ["Unidentified Armed Group (Pakistan)"]


def test_a_demonym_on_a_strike_names_the_state():
    (event,) = events_of("Iranian mortar fire hit a village in Nimroz on Monday, wounding three civilians.",
                         date(2025, 5, 6))
    assert event.actor1 == "Military Forces of Iran"


def test_state_forces_written_as_doing_a_strike_are_its_attacker_even_when_alleged():
    (event,) = events_of("Nine villagers were killed in airstrikes allegedly carried out by the Pakistan Air Force in "
                         "Tirah valley on Monday.", date(2025, 9, 23))
    assert event.actor1 == "Military Forces of Pakistan"


def test_an_unattributed_drone_strike_is_an_unidentified_group_s():
    (event,) = events_of("A drone strike hit a house in Mir Ali on Monday, killing four children.", date(2025, 5, 20))
    assert event.actor1 == "Unidentified Armed Group (Pakistan)"


def test_protesters_are_the_actor_of_a_protest():
    (event,) = events_of("Hundreds of traders staged a sit-in in Chaman on Monday against the closure of the border.",
                         date(2025, 5, 20))
    assert (event.actor1, event.actor2) == ("Protesters (Pakistan)", None)


def test_the_parties_are_data():
    dictionary = load_actor_dictionary()
    assert dictionary.party_codes() == ("PAK", "AFG")
    assert dictionary.side_for_country("Afghanistan", date(2019, 1, 1)) == "AFG_REP"
    assert dictionary.side_for_country("Afghanistan", date(2025, 1, 1)) == "AFG"
    assert dictionary.time_zones()["Afghanistan"] == "Asia/Kabul"


def test_the_attacker_of_a_strike_is_traced_to_the_sentence_that_names_it():
    text = ("Nine villagers were killed in Barmal on Monday. Local officials said Pakistani airstrikes hit "
            "three houses in the district.")
    (event,) = events_of(text, date(2025, 9, 23))
    assert event.actor1 == "Military Forces of Pakistan"
    spans = [span for name, span in event.provenance if name == "actor1"]
    assert spans and "Pakistani airstrikes" in text[spans[0].start:spans[0].end]
