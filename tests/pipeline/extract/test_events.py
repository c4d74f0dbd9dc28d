"""Event assembly: one event per happening a report tells of, with date, place, actors, figures and claims."""
from datetime import date

from coding import code

from trucewatch.pipeline.extract.events import assemble_events
from trucewatch.records import Report

MONDAY = date(2025, 10, 20)


def events_of(text: str, published: date = MONDAY):
    return code(text, published)


def test_mentions_of_one_happening_are_one_event():
    events = events_of(
        "PESHAWAR: A suicide bomber struck a police checkpoint in Bannu on Sunday, killing four officers. "
        "The blast also wounded nine passers-by. Police said the bomber was on foot.")
    assert len(events) == 1
    event = events[0]
    assert (event.event_type, event.sub_event_type) == ("Explosions/Remote violence", "Suicide bomb")
    assert event.event_date == date(2025, 10, 19)
    assert event.place.name == "Bannu"  # the dateline says where the reporter filed from, not where it happened
    assert [(f.low, f.high, f.victims) for f in event.fatalities] == [(4, 4, "soldiers")]


def test_statement_date_is_not_the_event_date():
    events = events_of("Militants attacked a border post in Kurram district overnight, killing two soldiers, "
                       "the military said on Monday.")
    assert events[0].event_date == date(2025, 10, 19)
    assert events[0].event_date_end == date(2025, 10, 20)


def test_strikes_on_two_towns_are_two_events():
    events = events_of("Pakistani jets carried out airstrikes in Kabul and Kandahar last Wednesday.")
    assert sorted(e.place.name for e in events) == ["Kabul", "Kandahar"]
    assert {e.actor1 for e in events} == {"Military Forces of Pakistan"}
    assert {e.event_date for e in events} == {date(2025, 10, 15)}


def test_separate_places_and_types_are_separate_events():
    events = events_of(
        "A roadside bomb killed three policemen in Tank on Sunday. In a separate incident, two militants were "
        "killed in an exchange of fire with police in Dera Ismail Khan on Sunday.")
    assert [(e.sub_event_type, e.place.name) for e in events] == [
        ("Remote explosive/landmine/IED", "Tank"), ("Armed clash", "Dera Ismail Khan")]


def test_a_passing_reference_dated_to_a_month_is_not_coded():
    events = events_of("A suicide bombing hit a market in Quetta on Saturday, killing six people. "
                       "In March 2024, a similar attack struck a bank in Kandahar.")
    assert [e.place.name for e in events] == ["Quetta"]


def test_ceasefire_and_talks_are_strategic_developments_with_both_governments():
    events = events_of("A ceasefire was announced in Doha on Sunday after talks between Pakistan and Afghanistan.")
    kinds = {e.sub_event_type for e in events}
    assert "Agreement" in kinds
    agreement = next(e for e in events if e.sub_event_type == "Agreement")
    assert agreement.event_date == date(2025, 10, 19)
    assert agreement.place.country == "Qatar"
    assert {agreement.actor1, agreement.actor2} == {"Government of Pakistan", "Government of Afghanistan (Taliban)"}


def test_provenance_points_at_the_sentences_the_fields_came_from():
    text = ("Gunmen shot dead a shopkeeper in Bannu on Friday. "
            "Police said the attackers fled on a motorcycle.")
    event = events_of(text)[0]
    spans = dict(event.provenance)
    assert text[spans["event_type"].start:spans["event_type"].end].startswith("Gunmen shot dead")
    assert "Friday" in text[spans["event_date"].start:spans["event_date"].end]


def test_an_undated_overview_is_folded_into_the_dated_event_it_sums_up():
    events = events_of(
        "The minister confirmed for the first time that Pakistan carried out airstrikes in Kabul earlier this month. "
        "Pakistani jets struck Kabul last Wednesday, officials said.")
    assert len(events) == 1
    assert events[0].event_date == date(2025, 10, 15)
    assert "acknowledges_later" in {c.stance for c in events[0].claims}


def test_figures_are_attributed_to_who_gave_them():
    events = events_of("Afghanistan said Pakistani airstrikes in Paktika province on Friday killed 17 civilians.")
    figure = events[0].fatalities[0]
    assert (figure.low, figure.victims, figure.claimed_by) == (17, "civilians", "Government of Afghanistan (Taliban)")


def test_where_a_spokesman_spoke_is_not_where_the_fighting_was():
    (event,) = events_of("Speaking to reporters in Kabul, a Taliban spokesman said its forces killed 12 Pakistani "
                         "soldiers in attacks on border posts in Kurram overnight.")
    assert event.place.name == "Kurram"


def test_a_foreign_force_written_as_the_attacker_fights_the_army_of_the_place():
    (event,) = events_of("Afghan forces and fighters of the TTP opened fire on Pakistani posts in Bajaur on Sunday.")
    assert (event.actor1, event.actor2) == ("Military Forces of Afghanistan (Taliban)", "Military Forces of Pakistan")


def test_a_partys_own_statement_claims_its_figures_and_denies_in_its_own_voice():
    report = Report(report_id="pr-1", sha256="0", published_basis="file", text=(
        "Afghan forces attacked Pakistani border posts in Kurram on Sunday night. Eleven soldiers of the Pakistan "
        "Army were martyred in the engagement. The figures put out by the Taliban regime are rejected as false."),
        published=MONDAY, outlet="Inter-Services Public Relations", kind="statement")
    (event,) = assemble_events(report)
    assert {f.claimed_by for f in event.fatalities} == {"Military Forces of Pakistan"}
    assert ("Military Forces of Pakistan", "denies", "casualties") in {(c.claimant, c.stance, c.about)
                                                                      for c in event.claims}


def test_fighting_said_not_to_have_happened_is_not_an_event():
    assert events_of("No firing was heard along the crossing at Chaman on Sunday, residents said.") == []


def test_a_look_back_at_last_weeks_fighting_is_not_coded_but_a_strike_during_it_is_dated_by_it():
    events = events_of("Pakistan's defence minister admitted that Pakistani aircraft hit targets in Kabul during "
                       "last week's fighting.")
    assert [(e.sub_event_type, e.time_precision) for e in events] == [("Air/drone strike", 2)]
    assert events[0].event_date < MONDAY


def test_violence_is_never_dated_after_the_report():
    events = events_of("A truce will begin on Friday. Residents reported an explosion in Kandahar.",
                       published=date(2025, 10, 16))
    assert all(e.event_date <= date(2025, 10, 16) for e in events if e.event_type != "Strategic developments")


def test_the_sites_of_one_attack_share_the_attackers_named_anywhere_in_the_story():
    events = events_of("The Afghan government said its forces killed 30 Pakistani soldiers in attacks on border posts "
                       "in Kurram and Bajaur on Sunday night. Afghan forces opened fire on the posts in Bajaur first.")
    assert {e.place.name for e in events} >= {"Kurram", "Bajaur"}
    assert {e.actor1 for e in events} == {"Military Forces of Afghanistan (Taliban)"}


def test_the_forces_that_launch_an_operation_are_its_first_actor():
    (event,) = events_of("Security forces conducted an intelligence-based operation against TTP militants in Bajaur "
                         "on Sunday, killing five of them, the military said.")
    assert (event.actor1, event.actor2) == ("Military Forces of Pakistan", "TTP: Tehreek-e-Taliban Pakistan")
