"""Places found in report text and geocoded with ACLED's admin names, as a monitor reading the coded events would check.

All sentences here are written for these tests.
"""
from __future__ import annotations

import csv
from importlib.resources import files

import pytest

from trucewatch.pipeline.extract.places import (
    Gazetteer,
    find_places,
    is_dateline,
    load_gazetteer,
    read_rows,
    spelling_key,
)
from trucewatch.pipeline.extract.sentences import split_sentences
from trucewatch.records import GEO_NEAR, GEO_REGION, GEO_TOWN, Place, PlaceMention

PAKISTAN_ADMIN1 = {"Khyber Pakhtunkhwa", "Balochistan", "Punjab", "Sindh", "Islamabad Capital Territory",
                   "Gilgit-Baltistan", "Azad Kashmir"}


def found(text: str) -> list[PlaceMention]:
    return find_places(text, split_sentences(text))


def places(text: str) -> list[Place]:
    return [m.place for m in found(text)]


def only(text: str) -> PlaceMention:
    mentions = [m for m in found(text) if m.place.feature != "country"]
    assert len(mentions) == 1, [(m.surface, m.place.name) for m in mentions]
    return mentions[0]


# --- spellings -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("spellings", [
    ["Khyber Pakhtunkhwa", "KP", "KPK", "K-P", "NWFP", "Khyber-Pakhtunkhwa"],
    ["Balochistan", "Baluchistan"],
    ["Dera Ismail Khan", "D.I. Khan", "DI Khan", "D I Khan"],
    ["Mangochar", "Mangocher"],
    ["Barmal", "Bermal", "Bêrmal"],
    ["Noshki", "Nushki"],
    ["Spin Boldak", "Spin Buldak"],
    ["Kandahar", "Qandahar", "Kandahār"],
    ["Lakki Marwat", "Lakki"],
    ["Miranshah", "Miran Shah"],
])
def test_spelling_variants_are_one_place(spellings):
    resolved = {only(f"Officials said the clash took place in {name} on Sunday.").place for name in spellings}
    assert len(resolved) == 1, resolved


def test_paktika_and_paktia_stay_apart():
    paktika = only("Drones were seen over Paktika on Friday.").place
    paktia = only("Drones were seen over Paktia on Friday.").place
    assert (paktika.admin1, paktia.admin1) == ("Paktika", "Paktia")


def test_diacritics_are_folded_for_matching():
    mention = only("Residents of Bêrmal said the strikes hit two houses.")
    assert mention.place.name == "Barmal" and mention.surface == "Bêrmal"
    assert places("Envoys from Türkiye met in the capital.")[0].name == "Turkey"


# --- what is and is not a place ---------------------------------------------------------------------------------------

def test_common_words_and_personal_names_are_not_places():
    assert found("Police said Ali Khan and Mir Gul Shah were questioned by the Police chief.") == []
    assert found("Ghulam Ali and Ibrahim Khan met Sardar Khan.") == []


def test_demonyms_are_actors_not_places():
    assert found("Afghan forces and Pakistani troops exchanged fire.") == []


def test_country_nouns_are_country_mentions():
    mentions = found("Pakistan accused Afghanistan of sheltering fighters.")
    assert [(m.surface, m.place.feature, m.place.geo_precision) for m in mentions] == [
        ("Pakistan", "country", GEO_REGION), ("Afghanistan", "country", GEO_REGION)]


def test_possessive_names_both_places():
    mentions = found("Jets struck targets in Afghanistan's eastern Paktika province.")
    assert [(m.surface, m.place.name) for m in mentions] == [
        ("Afghanistan", "Afghanistan"), ("Paktika province", "Paktika")]


def test_organisation_names_do_not_give_their_place():
    assert found("The Balochistan Liberation Army and Tehreek-e-Taliban Pakistan issued statements.") == []
    assert [m.place.name for m in found("A Kabul Bank branch in Kunduz was shut.")] == ["Kunduz"]


def test_tank_and_swat_only_as_places():
    assert found("Tank crews were seen on the road.") == []
    assert found("SWAT teams cordoned off the market.") == []
    assert only("Gunmen attacked a checkpost in Tank on Friday.").place.admin2 == "Tank"
    assert only("Schools reopened in the Swat valley.").place.admin2 == "Swat"


def test_all_capital_datelines_are_found():
    assert only("DERA ISMAIL KHAN: Two policemen were hurt.").place.name == "Dera Ismail Khan"
    assert only("PESHAWAR: A blast hit a market.").place.admin2 == "Peshawar"


# --- ambiguity -------------------------------------------------------------------------------------------------------

def test_kalat_in_zabul_is_the_afghan_town():
    place = found("Fighters overran a post in Kalat, the capital of Zabul province.")[0].place
    assert (place.country, place.admin1) == ("Afghanistan", "Zabul")


def test_kalat_in_balochistan_is_the_pakistani_town():
    mentions = found("Gunmen blocked the highway near Kalat in Balochistan.")
    assert (mentions[0].place.country, mentions[0].place.admin1) == ("Pakistan", "Balochistan")


def test_context_from_a_neighbouring_sentence():
    text = "The fighting began in Zabul on Monday. Later the Taliban retook Kalat."
    kalat = [m for m in found(text) if m.surface == "Kalat"][0]
    assert kalat.place.admin1 == "Zabul"


def test_without_context_the_bigger_place_wins():
    assert only("Troops moved into Kalat.").place.country == "Pakistan"


def test_a_type_word_picks_city_district_or_province():
    assert only("Rockets hit Khost on Tuesday.").place.feature == "town"
    assert only("Rockets hit Khost province on Tuesday.").place.feature == "province"
    assert only("Rockets hit Bannu district on Tuesday.").place.feature == "district"
    assert only("Rockets hit the province of Kunar.").place.feature == "province"
    listed = found("Shelling was heard in Paktia, Khost and Kunar provinces.")
    assert [m.place.feature for m in listed] == ["province"] * 3


# --- crossings and hand-made places -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, name, admin2", [
    ("Trade resumed at Torkham after talks.", "Torkham", "Khyber"),
    ("Trucks queued at the Torkham border crossing.", "Torkham", "Khyber"),
    ("Shots were fired at Angoor Adda overnight.", "Angoor Adda", "South Waziristan"),
    ("The Ghulam Khan crossing was closed.", "Ghulam Khan", "North Waziristan"),
    ("Guards exchanged fire at Kharlachi.", "Kharlachi", "Kurram"),
    ("The Chaman border crossing stayed shut.", "Friendship Gate", "Chaman"),
    ("Crowds gathered at Bab-e-Dosti.", "Friendship Gate", "Chaman"),
])
def test_border_crossings(text, name, admin2):
    place = only(text).place
    assert (place.name, place.feature, place.admin2) == (name, "crossing", admin2)
    assert place.country == "Pakistan" and place.admin1 in {"Khyber Pakhtunkhwa", "Balochistan"}
    assert place.geo_precision == GEO_TOWN


def test_places_cities500_lacks():
    for town, admin2 in [("Mir Ali", "North Waziristan"), ("Bagan", "Kurram"), ("Mangochar", "Kalat"),
                         ("Paniala", "Dera Ismail Khan"), ("Thall", "Hangu")]:
        assert only(f"A convoy was attacked at {town} at dawn.").place.admin2 == admin2


# --- precision and admin names ----------------------------------------------------------------------------------------

def test_a_province_alone_is_precision_3_at_its_centre():
    place = only("Airstrikes hit several villages in Paktika province.").place
    assert (place.feature, place.geo_precision, place.admin1, place.admin2) == ("province", GEO_REGION, "Paktika", None)
    assert 32.0 < place.latitude < 33.5 and 68.0 < place.longitude < 69.8


@pytest.mark.parametrize("text, admin2", [
    ("The strikes hit Barmal district.", "Barmal"),
    ("Curfew was imposed in Kurram district.", "Kurram"),
    ("Soldiers died in South Waziristan.", "South Waziristan"),
    ("An operation began in North Waziristan.", "North Waziristan"),
    ("Clashes were reported in Upper Kurram.", "Kurram"),
])
def test_a_district_or_area_is_precision_2(text, admin2):
    place = only(text).place
    assert place.geo_precision == GEO_NEAR and place.admin2 == admin2


@pytest.mark.parametrize("text", [
    "A bomb went off near Bannu.",
    "A bomb went off on the outskirts of Bannu.",
    "A bomb went off in the general area of Bannu.",
    "A bomb went off 20 km from Bannu.",
])
def test_near_a_town_is_precision_2(text):
    assert only(text).place.geo_precision == GEO_NEAR


def test_a_town_is_precision_1():
    assert only("A bomb went off in Bannu.").place.geo_precision == GEO_TOWN


@pytest.mark.parametrize("name, admin1, admin2", [
    ("Kabul", "Kabul", "Kabul"),
    ("Quetta", "Balochistan", "Quetta"),
    ("Peshawar", "Khyber Pakhtunkhwa", "Peshawar"),
    ("Akora Khattak", "Khyber Pakhtunkhwa", "Nowshera"),
    ("Parachinar", "Khyber Pakhtunkhwa", "Kurram"),
    ("Wana", "Khyber Pakhtunkhwa", "South Waziristan"),
    ("Khar", "Khyber Pakhtunkhwa", "Bajaur"),
    ("Spin Boldak", "Kandahar", "Spin Boldak"),
    ("Urgun", "Paktika", "Urgun"),
])
def test_acled_admin_names(name, admin1, admin2):
    place = only(f"Witnesses described the attack in {name}.").place
    assert (place.admin1, place.admin2) == (admin1, admin2)


def test_doha_is_in_qatar():
    place = only("Delegations met in Doha for a second round.").place
    assert (place.name, place.country, place.feature, place.geo_precision) == ("Doha", "Qatar", "world_city", GEO_TOWN)


def test_afghan_capital_is_kabul():
    assert only("A blast shook the Afghan capital.").place.name == "Kabul"


# --- spans and sentences --------------------------------------------------------------------------------------------

def test_spans_index_the_text_and_sentences_are_counted():
    text = "Talks stalled in Riyadh.\nLater, shelling hit Chaman and Torkham."
    mentions = found(text)
    assert [text[m.span.start:m.span.end] for m in mentions] == [m.surface for m in mentions]
    assert [(m.surface, m.sentence) for m in mentions] == [("Riyadh", 0), ("Chaman", 1), ("Torkham", 1)]


@pytest.mark.parametrize("text, datelines", [
    ("QUETTA/RAWALPINDI: A blast hit a checkpoint in Mastung.", ["QUETTA", "RAWALPINDI"]),
    ("KABUL, Feb 3, 2025 (AFP) - A bomb exploded in Kunduz.", ["KABUL"]),
    ("Islamabad, Pakistan – Shelling was reported in Bajaur.", ["Islamabad", "Pakistan"]),
    ("Officials in Islamabad said troops reached Wana: the road was open.", []),
])
def test_datelines_are_told_apart(text, datelines):
    assert [m.surface for m in found(text) if is_dateline(text, m)] == datelines


# --- the gazetteer as data ------------------------------------------------------------------------------------------

def test_lookup_filters_by_country_and_province_alias():
    assert load_gazetteer().lookup("Kalat", country="Afghanistan")[0].admin1 == "Zabul"
    assert load_gazetteer().lookup("Bannu", admin1="KP")[0].feature == "town"
    assert load_gazetteer().lookup("no such place") == []


def test_every_pakistani_place_has_an_acled_province():
    for place in load_gazetteer().places:
        if place.country == "Pakistan" and place.feature != "country":
            assert place.admin1 in PAKISTAN_ADMIN1, place


def test_afghanistan_has_34_provinces_and_its_places_lie_inside_the_country():
    gazetteer = load_gazetteer()
    provinces = {p.admin1 for p in gazetteer.places if p.country == "Afghanistan" and p.feature == "province"}
    assert len(provinces) == 34 and {"Paktika", "Khost", "Wardak", "Nangarhar"} <= provinces
    for place in gazetteer.places:
        if place.country in ("Afghanistan", "Pakistan"):
            assert 23.5 < place.latitude < 38.6 and 60.4 < place.longitude < 77.9, place


def test_hand_made_rows_have_sources_and_all_spelling_rows_attach():
    folder = files("trucewatch") / "data"
    for name in ("places_extra.tsv", "world_cities.tsv"):
        for row in read_rows((folder / name).read_text(encoding="utf-8")):
            assert row["source"].strip(), row
    assert load_gazetteer().unmatched == []


def test_a_hand_made_row_overrides_and_extends_a_generated_one():
    generated = {"name": "Sampletown", "aliases": "", "alt_names": "", "country": "Pakistan", "admin1": "Sindh",
                 "admin2": "Sample", "latitude": "25.0", "longitude": "68.0", "precision": "", "feature": "town",
                 "population": "100"}
    spelling = dict(generated, aliases="Sampleton", latitude="", longitude="")
    moved = dict(generated, latitude="25.5", alt_names="")
    gazetteer = Gazetteer.from_rows([(generated, False), (spelling, True), (moved, True)])
    [place] = gazetteer.lookup("Sampleton")
    assert place.latitude == 25.5 and place.geo_precision == GEO_TOWN


def test_shipped_gazetteer_file_is_well_formed():
    text = (files("trucewatch") / "data" / "gazetteer.tsv").read_text(encoding="utf-8")
    rows = read_rows(text)
    assert len(rows) > 1400
    header = next(csv.reader([next(line for line in text.splitlines() if not line.startswith("#"))], delimiter="\t"))
    assert header[:3] == ["name", "aliases", "alt_names"]
    assert all(row["feature"] in {"country", "province", "district", "area", "town", "post"} for row in rows)


def test_every_generated_row_has_country_province_district_and_source():
    rows = read_rows((files("trucewatch") / "data" / "gazetteer.tsv").read_text(encoding="utf-8"))
    for row in rows:
        assert row["country"] and row["source"], row
        if row["feature"] != "country":
            assert row["admin1"], row
        if row["feature"] not in ("country", "province"):
            assert row["admin2"], row
        assert row["precision"] == {"country": "3", "province": "3", "district": "2", "area": "2"}.get(
            row["feature"], "1"), row
    sources = {row["source"].split()[0] for row in rows}
    assert {"GeoNames", "geoBoundaries", "UCDP", "Natural"} <= sources
    assert {row["country"] for row in rows} == {"Afghanistan", "Pakistan", "Iran"}


# --- villages, valleys and spellings of the conflict's own sources (UCDP GED) -----------------------------------------

@pytest.mark.parametrize("text, name, feature, admin2", [
    ("Mortar shells landed in Ghoz Garhi overnight.", "Ghoz Garhi", "town", "Kurram"),
    ("A roadside bomb hit a convoy at Suntsar.", "Suntsar", "town", "Gwadar"),
    ("Troops searched houses in the Mamozai area.", "Mamozai", "area", "Orakzai"),
    ("A drone was seen over Shawal.", "Shawal", "area", "North Waziristan"),
])
def test_villages_and_areas_of_ucdp(text, name, feature, admin2):
    place = only(text).place
    assert (place.name, place.feature, place.admin2) == (name, feature, admin2)
    assert place.country == "Pakistan" and place.admin1 in {"Khyber Pakhtunkhwa", "Balochistan"}
    assert place.geo_precision == (GEO_NEAR if feature == "area" else GEO_TOWN)


@pytest.mark.parametrize("spellings", [
    ["Ghoz Garhi", "Ghozgarhi", "Ghoz-Garhi"],  # spaces and hyphens
    ["Akakhel", "Aka Khel", "Aka Kheil", "Akakheil"],  # Khel / Kheil
    ["Datta Khel", "Datta Kheil", "Datta Khail"],
    ["Musa Khel", "Musakhail", "Musakhel"],
    ["Jabal os Saraj", "Jabal al-Saraj", "Jabal us Saraj", "Jabal Saraj"],  # izafat and article particles
])
def test_transliteration_variants_are_one_place(spellings):
    resolved = {only(f"Officials said the clash took place in {name} on Sunday.").place for name in spellings}
    assert len(resolved) == 1, resolved


@pytest.mark.parametrize("a, b", [
    ("Yousafzai", "Yousafzay"), ("Killi Ismail", "Kili Ismail"), ("Sheen Kot", "Shin Kot"), ("Noorzai", "Nurzai"),
    ("Khwaja Khel", "Kwaja Kheil"), ("Sar-e-Pul", "Sar-i-Pul"), ("Ghoz Garhi", "ghozgarhi"),
])
def test_spelling_key_folds_transliteration(a, b):
    assert spelling_key(a) == spelling_key(b)
    assert spelling_key("Kalat") != spelling_key("Qalat")  # a different letter, not a spelling habit


def test_a_longer_name_in_another_spelling_wins():
    place = only("Shells hit Kharlachi Killi before dawn.").place
    assert (place.name, place.feature, place.admin2) == ("Kharlachi Kili", "town", "Kurram")


def test_lookup_finds_spelling_variants():
    assert load_gazetteer().lookup("Aka Kheil")[0].name == "Akakhel"


def test_tribes_and_people_are_not_places():
    assert found("Elders of the Halimzai tribe met officials.") == []
    assert found("Police named the suspect as Doda Baloch.") == []


def test_a_village_known_only_in_another_district_is_not_placed_there():
    """The sentence names Lower Kurram; the only Char Khel the data know is in North Waziristan."""
    assert [m.place.name for m in found("Gunmen attacked Char Khel village in Lower Kurram.")] == ["Lower Kurram"]
    assert places("Gunmen attacked Char Khel village in North Waziristan.")[0].admin2 == "North Waziristan"


# --- a named district is the district ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, name, admin2", [
    ("Gunmen attacked a Levies post in Kalat district.", "Kalat", "Kalat"),
    ("Six bodies were found in Bolan district.", "Kachhi", "Kachhi"),
    ("A bus was stopped in Musakhail district.", "Musa Khel", "Musa Khel"),
    ("Rockets hit Gardez district.", "Gardiz", "Gardiz"),  # the town's district, under its AIMS name
    ("Troops deployed in Jabal al-Saraj district.", "Jabalussaraj", "Jabalussaraj"),
])
def test_x_district_is_the_district_not_its_town(text, name, admin2):
    place = only(text).place
    assert (place.name, place.feature, place.admin2, place.geo_precision) == (name, "district", admin2, GEO_NEAR)


def test_a_tehsil_named_after_a_town_is_precision_2():
    mention = only("Clashes were reported in Mir Ali tehsil.")
    assert (mention.surface, mention.place.name, mention.place.geo_precision) == ("Mir Ali tehsil", "Mir Ali", GEO_NEAR)


# --- homonyms across the Iranian border -------------------------------------------------------------------------------

def test_zabul_follows_the_country_in_context():
    assert only("Taliban fighters attacked a checkpoint in Zabul.").place.country == "Afghanistan"
    assert only("Taliban fighters attacked a checkpoint in Zabul province.").place.admin1 == "Zabul"
    iranian = only("Iranian media said two border guards died in Zabul.").place
    assert (iranian.country, iranian.admin1, iranian.name) == ("Iran", "Sistan and Baluchestan", "Zabol")
    assert only("Two border guards died in Zabol, Iranian officials said.").place.country == "Iran"


def test_pishin_is_pakistani_unless_the_text_is_about_iran():
    assert only("Levies said the attack in Pishin killed two.").place.admin1 == "Balochistan"
    assert only("Iranian border guards were attacked in Pishin.").place.country == "Iran"


@pytest.mark.parametrize("text", [
    "Clashes broke out in Sistan and Baluchistan.",
    "Strikes were reported in Iran's Sistan-Baluchestan province.",
    "Guards in Sistan & Baluchistan were put on alert.",
    "The governor of Sistan and Baluchestan Province visited the border.",
])
def test_sistan_and_baluchistan_is_iranian(text):
    place = only(text).place
    assert (place.country, place.admin1, place.feature) == ("Iran", "Sistan and Baluchestan", "province")
    assert place.admin1 not in PAKISTAN_ADMIN1
