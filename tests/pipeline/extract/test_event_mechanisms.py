"""General mechanisms of event assembly, each on sentences written for the test (none from any article)."""
from datetime import date

from trucewatch.pipeline.extract.events import assemble_events
from trucewatch.records import Report

TUESDAY = date(2025, 6, 10)


def events_of(text: str, published: date = TUESDAY):
    report = Report(report_id="t", sha256="0", text=text, published=published, published_basis="file",
                    outlet="example.org")
    return assemble_events(report)


def test_a_home_town_is_not_the_scene():
    events = events_of("Militants attacked a checkpoint in Turbat on Monday and exchanged fire with troops. "
                       "Two soldiers, residents of Multan and Sukkur, were killed in the exchange of fire.")
    assert [e.place.name for e in events] == ["Turbat"]


def test_the_scene_set_in_the_sentence_before_places_the_trigger():
    events = events_of("Six armed men tried to force their way into the port complex in Gwadar on Monday. "
                       "Guards responded at once, and in the ensuing exchange of fire all six were killed.")
    assert len(events) == 1
    assert events[0].place.name == "Gwadar"
    assert events[0].sub_event_type == "Armed clash"


def test_a_generic_attack_with_its_own_toll_and_place_is_its_own_happening():
    events = events_of("The group said it carried out attacks in two provinces on Monday. "
                       "In Kunar, its fighters attacked a district headquarters, killing three guards. "
                       "In Logar, its fighters attacked a checkpoint, killing two guards.")
    assert {e.place.admin1 for e in events} >= {"Kunar", "Logar"}


def test_many_sites_in_one_breath_are_one_province_wide_happening_at_the_capital():
    events = events_of("Grenade attacks were reported on Monday in Mastung, Kalat, Panjgur, Turbat and Sibi.")
    assert len(events) == 1
    assert events[0].place.name == "Quetta"
    assert events[0].place.geo_precision == 3


def test_two_sites_are_still_two_events():
    events = events_of("Grenade attacks were reported on Monday in Mastung and Panjgur.")
    assert sorted(e.place.name for e in events) == ["Mastung", "Panjgur"]


def test_one_sided_fire_that_kills_only_civilians_is_an_attack_on_civilians():
    events = events_of("Gunmen opened fire on a passenger van near Parachinar on Monday, killing seven civilians.")
    assert (events[0].event_type, events[0].sub_event_type) == ("Violence against civilians", "Attack")


def test_an_exchange_of_fire_stays_a_battle_whoever_died():
    events = events_of("Police and gunmen exchanged fire near Parachinar on Monday, killing seven civilians.")
    assert events[0].event_type == "Battles"


def test_policemen_shot_dead_is_a_battle_with_the_state():
    events = events_of("Gunmen shot dead three policemen at a checkpoint in Tank on Monday.")
    assert (events[0].event_type, events[0].sub_event_type) == ("Battles", "Armed clash")


def test_a_protest_is_coded_as_a_protest():
    events = events_of("Hundreds of residents staged a sit-in in Bannu on Monday against the closure of the road.")
    assert events[0].event_type == "Protests"


def test_a_planned_march_is_not_a_happening():
    assert events_of("The committee said a long march would pass through Kohat and Peshawar next week.") == []
