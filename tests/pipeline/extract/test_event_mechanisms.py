"""General mechanisms of event assembly, each on sentences written for the test (none from any article)."""
from datetime import date

from coding import code

TUESDAY = date(2025, 6, 10)


def events_of(text: str, published: date = TUESDAY):
    return code(text, published)


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


def test_a_generic_attack_named_as_separate_opens_even_placed_only_by_province():
    events = events_of("Fighters attacked a checkpoint in Jalalabad on Monday, killing two guards. "
                       "In a separate attack in a village of Kunar province, three guards were wounded.")
    assert {e.place.admin1 for e in events} == {"Nangarhar", "Kunar"}


def test_a_toll_alone_at_a_scene_of_its_own_is_a_happening_typed_by_who_died():
    events = events_of("A bomb exploded in Quetta on Monday, wounding six. "
                       "In Turbat, four labourers were found shot dead on Monday.")
    turbat = [e for e in events if e.place.name == "Turbat"]
    assert len(turbat) == 1
    assert turbat[0].event_type == "Violence against civilians"


def test_a_yearless_look_back_does_not_date_the_news():
    events = events_of("Gunmen attacked a police post in Tank on Monday, killing two policemen. "
                       "The group had previously attacked a post in Kohat on February 3.",
                       published=date(2025, 11, 4))
    tank = [e for e in events if e.place.name == "Tank"]
    assert [e.event_date for e in tank] == [date(2025, 11, 3)]


def test_two_trigger_words_joined_by_and_are_one_happening():
    events = events_of("Explosions and heavy gunfire were heard at the airbase in Turbat on Monday; "
                       "two soldiers and four attackers were killed.")
    assert len(events) == 1
    assert events[0].event_type == "Battles"


def test_the_lead_dates_the_first_happening():
    events = events_of("A naval airbase was attacked on Monday.\n\n"
                       "The assault on the airbase in Turbat was repulsed by the troops.")
    assert len(events) == 1
    assert events[0].event_date == date(2025, 6, 9)


def test_a_report_released_on_a_day_does_not_date_the_attacks_it_counts():
    events = events_of("Insurgents attacked a checkpoint in Parwan on Monday, killing four guards. "
                       "A report released on June 2 counted forty such attacks.")
    assert [e.event_date for e in events] == [date(2025, 6, 9)]


def test_a_title_makes_a_name_a_person():
    events = events_of("Gunmen shot dead a trader in Parachinar on Monday, Dr Khost Khan told reporters.")
    assert [e.place.name for e in events] == ["Parachinar"]


def test_a_province_wide_happening_stays_apart_from_the_district_it_also_names():
    events = events_of("Grenade attacks were reported on Monday in Mastung, Kalat, Panjgur, Turbat and Sibi. "
                       "In Kalat, eleven people, including four policemen, were killed on Monday.")
    assert sorted(e.place.name for e in events) == ["Kalat", "Quetta"]


def test_violence_is_never_placed_in_the_far_capital_where_talks_were_held():
    events = events_of("Pakistani jets struck Kabul on Wednesday. The truce ran out on Friday and was followed by "
                       "strikes in Paktika, before the Doha ceasefire on Sunday.", published=date(2025, 10, 21))
    violent = [e for e in events if e.event_type != "Strategic developments"]
    assert sorted(e.place.admin1 for e in violent) == ["Kabul", "Paktika"]


def test_a_generic_head_stands_for_the_story_s_own_type():
    events = events_of("Pakistani aircraft hit targets in Kabul on Wednesday. "
                       "Two days later, strikes in Paktika killed nine civilians.", published=date(2025, 10, 20))
    paktika = [e for e in events if e.place.admin1 == "Paktika"]
    assert [e.sub_event_type for e in paktika] == ["Air/drone strike"]


def test_a_sentence_that_dates_two_happenings_gives_two_events():
    events = events_of("Gunmen shot dead a trader in Quetta on Monday. The group had earlier attacked a post in "
                       "Turbat on May 2 and the port offices in Gwadar on May 20.", published=date(2025, 6, 10))
    assert {(e.place.name, e.event_date) for e in events} >= {("Turbat", date(2025, 5, 2)),
                                                             ("Gwadar", date(2025, 5, 20))}


def test_a_happening_across_the_province_is_placed_at_its_capital():
    events = events_of("Coordinated attacks across the province left 30 dead on Monday, including 12 passengers in "
                       "Kalat.", published=date(2025, 6, 10))
    assert events[0].place.name == "Quetta" and events[0].place.geo_precision == 3


def test_several_attacks_placed_only_by_a_province_are_one_happening_across_it():
    events = events_of("Several coordinated attacks in Balochistan killed 30 people on Monday. In the deadliest "
                       "attack, gunmen killed 12 passengers on a bus in Kalat on Monday.", published=date(2025, 6, 10))
    assert sorted(e.place.name for e in events) == ["Kalat", "Quetta"]


def test_a_day_after_a_claim_opening_the_story_dates_the_attack_the_day_before():
    events = events_of("A day after the group claimed an attack on a convoy in Turbat, officials said five soldiers "
                       "were killed.")
    assert [e.event_date for e in events] == [date(2025, 6, 9)]


def test_two_days_after_a_clause_dates_that_clause_back_and_leaves_the_main_happening_its_day():
    events = events_of("Jets bombed hideouts in Barmal early on Monday. The air strikes came two days after "
                       "militants ambushed a convoy in Tank, killing six soldiers.")
    dates = {e.place.name: e.event_date for e in events}
    assert dates == {"Barmal": date(2025, 6, 9), "Tank": date(2025, 6, 7)}


def test_an_undated_statement_on_these_attacks_reaches_each_even_when_it_sits_with_one_dated_back():
    events = events_of("Jets bombed hideouts in Barmal early on Monday, killing eight people. "
                       "The raids came two days after a suicide bomber killed six soldiers at a checkpoint in Tank. "
                       "The Taliban denounced the strikes. The military has not commented on these attacks.")
    stances = {e.place.name: [c.stance for c in e.claims] for e in events}
    assert stances == {"Barmal": ["neither_confirms_nor_denies"], "Tank": ["neither_confirms_nor_denies"]}
