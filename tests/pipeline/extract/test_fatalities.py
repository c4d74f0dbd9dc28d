"""Fatality figures read from one sentence: what a monitor would see coded from the wording."""
from __future__ import annotations

import pytest

from trucewatch.pipeline.extract.fatalities import find_figures, parse_number, victims_of
from trucewatch.pipeline.extract.sentences import split_sentences
from trucewatch.records import Sentence, Span


def figures(text: str) -> list[tuple[int, int | None, str]]:
    return [(f.low, f.high, f.victims) for f in find_figures(Sentence(0, Span(0, len(text)), text))]


def counts(text: str) -> list[tuple[int, int | None]]:
    return [(low, high) for low, high, _ in figures(text)]


# --- how figures are bounded -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("At least 14 soldiers were killed in the raid.", (14, None)),
    ("More than 40 militants were killed in the operation.", (40, None)),
    ("Over 30 people died when the market was shelled.", (30, None)),
    ("Officials said 20 or more villagers were killed.", (20, None)),
    ("A rights group said 60-plus civilians were killed.", (60, None)),
    ("Nine labourers were shot dead near the quarry.", (9, 9)),
    ("About 25 people were killed in the strike.", (25, 25)),
    ("Around 30 Afghan troops died in the exchange.", (30, 30)),
    ("Nearly 100 people have been killed since January.", (100, 100)),
    ("Some 15 insurgents were killed overnight.", (15, 15)),
    ("Up to 50 people may have been killed, a rights group said.", (50, 50)),
])
def test_qualifiers_set_or_open_the_upper_bound(text, expected):
    assert counts(text) == [expected]


@pytest.mark.parametrize(("text", "expected"), [
    ("The real toll is probably between 40 to 55.", (40, 55)),
    ("The strike killed between 20 and 25 militants.", (20, 25)),
    ("Officials said 30-35 civilians may have died.", (30, 35)),
    ("Local elders said 10 to 12 people were killed.", (10, 12)),
    ("Reports said seven to nine Taliban fighters were killed.", (7, 9)),
    ("Five or six villagers were killed in the shelling.", (5, 6)),
])
def test_ranges_keep_both_ends(text, expected):
    assert counts(text) == [expected]


@pytest.mark.parametrize(("text", "expected"), [
    ("Dozens of passengers were killed when the bus was bombed.", (12, None)),
    ("A dozen troops lost their lives in the avalanche.", (12, 12)),
    ("Two dozen bodies were pulled from the rubble.", (24, 24)),
    ("Scores of civilians were killed in the bombardment.", (20, None)),
    ("The council said tens were killed in the blast.", (10, None)),
    ("Hundreds of civilians have died since the offensive began.", (100, None)),
    ("Several soldiers were martyred in the exchange of fire.", (10, 10)),
    ("Many were killed when the roof fell in.", (10, 10)),
])
def test_vague_amounts_get_acled_numbers(text, expected):
    assert counts(text) == [expected]


# --- zero figures ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "No casualties were reported on either side of the crossing.",
    "Police said no one was killed in the blast.",
    "There was no loss of life, the district officer said.",
    "The shelling caused no deaths, officials said.",
    "There were no immediate reports of casualties.",
    "The Taliban said no Afghan soldiers were killed.",
])
def test_no_casualties_is_a_zero_figure(text):
    assert [(low, high) for low, high, _ in figures(text)] == [(0, 0)]


@pytest.mark.parametrize("text", [
    "No injuries were reported after the rocket hit an empty field.",
    "Officials gave no casualty figures for the raid.",
    "No group has claimed the killing so far.",
])
def test_no_injuries_or_no_figures_is_not_a_zero(text):
    assert figures(text) == []


# --- death language --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Gunmen killed four policemen at a checkpoint.", (4, 4, "soldiers")),
    ("The blast near the depot left 12 dead and 40 injured.", (12, 12, "unspecified")),
    ("Seven guards died after the post was overrun.", (7, 7, "soldiers")),
    ("Officials confirmed 11 deaths on Sunday.", (11, 11, "unspecified")),
    ("Thirteen soldiers were martyred in the attack.", (13, 13, "soldiers")),
    ("Fifteen jawans embraced martyrdom during the operation.", (15, 15, "soldiers")),
    ("Nine soldiers embraced shahadat near the border.", (9, 9, "soldiers")),
    ("Six brave sons of the soil made the ultimate sacrifice.", (6, 6, "soldiers")),
    ("Three constables lost their lives in the ambush.", (3, 3, "soldiers")),
    ("Eight passengers perished when the coach was set alight.", (8, 8, "civilians")),
    ("Two of the wounded later succumbed to their injuries.", (2, 2, "unspecified")),
    ("Four levies personnel were gunned down near the check post.", (4, 4, "soldiers")),
    ("Security forces eliminated nine terrorists in the raid.", (9, 9, "militants")),
    ("The troops neutralised 5 khawarij near the border.", (5, 5, "militants")),
    ("Security forces sent 15 khawarij to hell, the military said.", (15, 15, "militants")),
    ("The bodies of seven miners were found in a ravine.", (7, 7, "civilians")),
    ("The bombing claimed the lives of nine worshippers.", (9, 9, "civilians")),
    ("The raid left three gunmen dead.", (3, 3, "militants")),
    ("Militants stormed the post, killing six soldiers.", (6, 6, "soldiers")),
    ("The death toll rose to eight on Thursday.", (8, 8, "unspecified")),
    ("The death toll climbed to 31, hospital staff said.", (31, 31, "unspecified")),
    ("The death toll now stands at 14.", (14, 14, "unspecified")),
    ("Nine attackers were shot dead by the guards.", (9, 9, "militants")),
])
def test_death_language(text, expected):
    assert figures(text) == [expected]


def test_a_singular_casualty_counts_as_one():
    assert figures("A policeman was martyred and two others were wounded.") == [(1, 1, "soldiers")]
    assert figures("One officer was killed when the van was hit.") == [(1, 1, "soldiers")]
    assert figures("Troops cornered a militant who was killed in the shoot-out.") == [(1, 1, "militants")]


def test_a_named_person_with_a_rank_counts_as_one():
    assert figures("Constable Imran Ali was shot and killed on his way home.") == [(1, 1, "soldiers")]
    assert figures("Gunmen killed Sub-Inspector Tariq Aziz near the bazaar.") == [(1, 1, "soldiers")]


def test_the_named_target_and_n_others_counts_the_target_too():
    assert figures("The blast killed the district judge and three others.") == [(4, 4, "unspecified")]


def test_an_including_sub_count_is_not_coded_separately():
    assert counts("The blast killed 17 people, including three cricketers, at the ground.") == [(17, 17)]
    assert counts("At least 20 people, including six children, were killed.") == [(20, None)]


def test_including_women_and_children_makes_a_civilian_total():
    assert figures("The strike killed at least 30 people, including women and children.") == [(30, None, "civilians")]


def test_an_including_aside_that_mixes_groups_leaves_the_total_unspecified():
    text = "Twenty hostages, including 12 soldiers and eight civilians, were killed."
    assert figures(text) == [(20, 20, "unspecified")]


def test_part_of_a_total_with_its_own_group_gives_both_figures():
    assert figures("Army officials said 14 of the 22 hostages killed were soldiers.") == [
        (14, 14, "soldiers"), (22, 22, "unspecified")]


def test_part_of_a_total_that_died_is_the_figure():
    assert counts("Militants killed 3 of the 5 hostages.") == [(3, 3)]
    assert counts("He was one of the 12 killed in the raid.") == [(12, 12)]


def test_a_companion_along_with_them_is_added():
    assert counts("Nine guards were killed, along with another who ran to help.") == [(10, 10)]


def test_active_voice_subject_is_not_the_dead():
    assert figures("Two suicide bombers killed six people at the gate.") == [(6, 6, "unspecified")]
    assert figures("Three militants attacked the post and killed two guards.") == [(2, 2, "soldiers")]


def test_killed_or_injured_together_is_no_death_figure():
    assert figures("Seven people were killed or injured in the crash.") == []


# --- what is not a death figure --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Over 26 people were wounded when the market was hit.",
    "Eleven Pakistani soldiers were injured in the clash.",
    "The army said 104 hostages were freed after the siege.",
    "About 5,000 trucks were stranded after the deadly clash.",
    "The convoy of 40 vehicles was stuck for 12 days after the deadly attack.",
    "The attack on March 14 was the deadliest since 2014.",
    "A $5 million bounty was offered for the man behind the killings.",
    "The highway N-40 was closed after the deadly ambush.",
    "The 48-hour deadline passed and the killings went on.",
    "Two of the injured officers are in critical condition after the deadly blast.",
    "Seventeen injured passengers were taken to hospital after the deadly attack.",
    "A suicide bomber in a crowded market blew himself up, officials said of the deadly attack.",
])
def test_injuries_hostages_vehicles_dates_money_are_ignored(text):
    assert figures(text) == []


def test_an_age_is_not_a_figure():
    assert figures("A 12-year-old boy was killed by a stray shell.") == [(1, 1, "civilians")]


# --- who died --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("noun", "victims"), [
    ("soldiers", "soldiers"), ("troops", "soldiers"), ("security personnel", "soldiers"),
    ("Frontier Corps personnel", "soldiers"), ("FC soldiers", "soldiers"), ("policemen", "soldiers"),
    ("police officers", "soldiers"), ("constables", "soldiers"), ("levies", "soldiers"), ("paramilitaries", "soldiers"),
    ("Afghan Taliban fighters", "soldiers"), ("Afghan border guards", "soldiers"), ("jawans", "soldiers"),
    ("members of its security forces", "soldiers"), ("brave sons of the soil", "soldiers"),
    ("law enforcement personnel", "soldiers"),
    ("militants", "militants"), ("terrorists", "militants"), ("attackers", "militants"), ("insurgents", "militants"),
    ("suicide bombers", "militants"), ("khawarij", "militants"), ("TTP fighters", "militants"), ("gunmen", "militants"),
    ("armed men", "militants"), ("assailants", "militants"),
    ("civilians", "civilians"), ("women", "civilians"), ("children", "civilians"), ("passengers", "civilians"),
    ("students", "civilians"), ("worshippers", "civilians"), ("truck drivers", "civilians"),
    ("cricketers", "civilians"), ("labourers", "civilians"), ("family members", "civilians"),
    ("members of a family", "civilians"), ("refugees", "civilians"), ("pilgrims", "civilians"),
    ("people", "unspecified"), ("persons", "unspecified"), ("individuals", "unspecified"), ("hostages", "unspecified"),
])
def test_victims_of_noun_phrases(noun, victims):
    assert victims_of(noun) == victims


def test_victims_come_from_the_sentence():
    assert figures("Eighteen Frontier Corps (FC) soldiers were martyred.") == [(18, 18, "soldiers")]
    assert figures("Thirty-two Afghan Taliban fighters were killed, Pakistani officials claimed.") == [
        (32, 32, "soldiers")]
    assert figures("More than 40 TTP fighters were eliminated.") == [(40, None, "militants")]


# --- several figures in one sentence ---------------------------------------------------------------------------------


def test_every_figure_in_a_sentence_in_reading_order():
    text = "Twenty-one soldiers died and 45 insurgents were killed in the fighting."
    assert figures(text) == [(21, 21, "soldiers"), (45, 45, "militants")]


def test_a_list_sharing_one_verb_gives_one_figure_per_group():
    assert figures("Three policemen and two civilians were among those killed.") == [
        (3, 3, "soldiers"), (2, 2, "civilians")]
    assert figures("The strike caused the deaths of 12 passengers and three guards.") == [
        (12, 12, "civilians"), (3, 3, "soldiers")]


def test_a_list_of_the_same_group_is_summed():
    assert figures("Four women, three children and two civilians died in the blast.") == [(9, 9, "civilians")]


def test_killed_and_injured_in_one_sentence_keeps_only_the_dead():
    assert counts("At least seven people were killed and more than 20 wounded, police said.") == [(7, None)]
    assert counts("The bomb killed one officer and injured five others.") == [(1, 1)]


def test_a_revised_toll_gives_both_tolls():
    assert counts("The ministry raised the death toll from five to eight.") == [(5, 5), (8, 8)]


# --- the records -----------------------------------------------------------------------------------------------------


def test_spans_index_the_report_text_and_surface_matches():
    report = "Fighting went on all night.\nAt least 12 soldiers were killed and 30 injured, the army said."
    sentence = split_sentences(report)[1]
    (figure,) = find_figures(sentence)
    assert report[figure.span.start:figure.span.end] == figure.surface
    assert figure.surface.startswith("At least 12 soldiers")
    assert figure.sentence == sentence.index
    assert figure.claimed_by is None


def test_several_figures_have_their_own_spans():
    text = "Eight attackers were killed and three soldiers embraced martyrdom."
    first, second = find_figures(Sentence(0, Span(0, len(text)), text))
    assert first.span.end <= second.span.start
    assert "Eight attackers" in first.surface and "three soldiers" in second.surface


def test_a_toll_figure_shows_the_toll_wording():
    text = "By evening the death toll had risen to 19."
    (figure,) = find_figures(Sentence(0, Span(0, len(text)), text))
    assert (figure.low, figure.high) == (19, 19)
    assert figure.surface == "death toll had risen to 19"


def test_sentence_without_death_language_gives_nothing():
    assert figures("The convoy of 35 vehicles reached the town on Thursday.") == []


# --- numbers ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [
    ("1,200", 1200), ("46", 46), ("eighteen", 18), ("Eighteen", 18), ("twenty-one", 21), ("twenty one", 21),
    ("a dozen", 12), ("two dozen", 24), ("half a dozen", 6), ("dozens", 12), ("hundreds", 100), ("scores", 20),
    ("tens", 10), ("several", 10), ("one hundred", 100),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "soldiers", "at least five", "twenty-first", "a"])
def test_parse_number_refuses_what_is_not_a_number(text):
    assert parse_number(text) is None


def test_an_among_them_aside_does_not_hide_the_count():
    assert figures("Eleven soldiers, among them a lieutenant colonel and a major, were killed in the ambush.") == [
        (11, 11, "soldiers")]
