"""Claims: who asserts, denies, or neither confirms nor denies what."""
from datetime import date

from trucewatch.pipeline.extract.events import assemble_events
from trucewatch.records import Report

PUBLISHED = date(2025, 10, 20)


def code_events(text: str):
    report = Report(report_id="t", sha256="0", text=text, published=PUBLISHED, published_basis="file", outlet="test")
    return assemble_events(report)


def claims_of(text: str) -> set[tuple[str, str, str]]:
    report = Report(report_id="t", sha256="0", text=text, published=PUBLISHED, published_basis="file", outlet="test")
    return {(c.claimant.split(" (")[0], c.stance, c.about) for e in assemble_events(report) for c in e.claims}


def test_denial_of_civilian_deaths():
    text = ("Airstrikes hit a village in Paktika province on Friday, killing nine people. "
            "Pakistan denied killing civilians and said the strikes had targeted militants.")
    assert ("Government of Pakistan", "denies", "civilian deaths") in claims_of(text)


def test_neither_confirms_nor_denies():
    text = ("A drone strike hit a house in Khost province on Sunday, killing four people. "
            "Pakistani officials did not comment on the strike.")
    assert ("Government of Pakistan", "neither_confirms_nor_denies", "occurrence") in claims_of(text)


def test_responsibility_claimed_by_a_group():
    text = ("A suicide bomber struck a police post in Bannu on Monday, killing three officers. "
            "The TTP claimed responsibility.")
    assert ("TTP: Tehreek-e-Taliban Pakistan", "asserts", "responsibility") in claims_of(text)


def test_first_acknowledgement_is_acknowledges_later():
    text = ("Pakistani jets carried out airstrikes in Kabul on Wednesday, killing five people. "
            "Pakistan's defence minister Khawaja Asif confirmed for the first time that the country carried out "
            "the airstrikes.")
    assert ("Government of Pakistan", "acknowledges_later", "responsibility") in claims_of(text)


def test_no_comment_in_other_words():
    text = ("Mortar shells hit a market in Kunar province on Tuesday, killing three people. "
            "The Pakistani military has not yet made any comment on the shelling.")
    assert ("Military Forces of Pakistan", "neither_confirms_nor_denies", "occurrence") in claims_of(text)


def test_no_statement_issued_by_names_the_silent_party():
    text = ("A drone strike hit a house in Khost province on Sunday, killing four people. "
            "No statement has been issued by the Pakistani government about the strike.")
    assert {c[:2] for c in claims_of(text)} == {("Government of Pakistan", "neither_confirms_nor_denies")}


def test_still_verifying_is_neither_confirmation_nor_denial():
    text = ("An airstrike hit a village in Paktika province on Monday, killing six people. "
            "Taliban officials said they were assessing the information.")
    assert ("Government of Afghanistan", "neither_confirms_nor_denies", "occurrence") in claims_of(text)


def test_an_attack_owned_by_a_group_is_its_claim():
    text = ("Gunmen attacked a Levies post in Kalat on Friday, killing two guards. "
            "The attack was owned by the BLA in a message to reporters.")
    assert ("BLA: Baloch Liberation Army", "asserts") in {c[:2] for c in claims_of(text)}


def test_a_rights_body_expressing_concern_over_reports_asserts():
    text = ("An explosion destroyed two houses in Tirah valley on Sunday, killing five people. "
            "The HRCP expressed deep concern over reports that civilians were killed in the explosion.")
    assert ("HRCP: Human Rights Commission of Pakistan", "asserts") in {c[:2] for c in claims_of(text)}


def test_a_habit_named_after_the_statement_leaves_it_standing():
    text = ("Drone strikes hit two houses in Bajaur on Friday, killing six people. "
            "In a statement, the HRCP said civilians were killed, a duty the state has repeatedly failed to protect.")
    assert ("HRCP: Human Rights Commission of Pakistan", "asserts") in {c[:2] for c in claims_of(text)}


def test_a_standing_position_and_what_hangs_on_it_are_no_claims():
    text = ("Gunmen attacked a check post in Kurram on Monday, killing four soldiers. "
            "Islamabad has long accused Kabul of sheltering militants, a charge the Taliban government denies, "
            "saying it lets no one use its soil.")
    assert not {c for c in claims_of(text) if c[0].startswith("Government of Afghanistan")}


def test_a_name_inside_the_quotation_is_not_the_speaker():
    text = ("Border forces clashed at Torkham on Wednesday, wounding a soldier. "
            "“Talks failed and then Afghan troops opened fire on our posts,” said a Pakistani official.")
    found = {c[:2] for c in claims_of(text)}
    assert ("Government of Pakistan", "asserts") in found
    assert not {c for c in found if "Afghanistan" in c[0]}


def test_a_demonym_names_the_country_of_a_generic_speaker():
    text = ("Airstrikes hit a village in Paktika province on Monday, killing eight people. "
            "The strikes targeted militant hideouts, according to two Pakistani security and intelligence officials.")
    assert ("Government of Pakistan", "asserts") in {c[:2] for c in claims_of(text)}


def test_a_person_introduced_by_apposition_speaks_for_that_side_later():
    text = ("Gunmen attacked a police station in Kalat on Monday, killing five policemen. "
            "Nadir Khan, a spokesman for the Balochistan government, told reporters the attackers fled. "
            "Separately, three people were shot dead in Bolan district on Monday, Khan said.")
    bolan = [e for e in code_events(text) if e.place.name != "Kalat"]
    assert bolan and ("Government of Pakistan", "asserts") in {(c.claimant, c.stance) for c in bolan[0].claims}


def test_a_namesake_with_another_given_name_is_another_person():
    text = ("An explosion destroyed a compound in Tirah valley on Sunday, killing nine people. "
            "Provincial minister Sohail Afridi said an airstrike caused the blast. "
            "“Jets bombed the houses,” said Iqbal Afridi, a PTI member of the National Assembly.")
    found = {c[:2] for c in claims_of(text)}
    assert ("PTI: Pakistan Tehreek-e-Insaf", "asserts") in found


def test_a_name_in_what_is_claimed_is_not_who_claims_it():
    text = ("A bus was ambushed on a highway near Noshki on Sunday, killing several people. "
            "Earlier reports had claimed that at least nine Pakistani soldiers were killed in the ambush.")
    assert not {c for c in claims_of(text) if c[0] == "Military Forces of Pakistan"}


def test_according_to_names_its_speaker_before_the_comma():
    text = ("Border guards clashed at a crossing in Nimroz province on Saturday, killing two guards. "
            "According to reports in the local press, Taliban forces opened fire first.")
    assert not {c for c in claims_of(text) if "Taliban" in c[0]}


def test_a_participle_denial_is_a_second_statement_of_the_same_speaker():
    text = ("Airstrikes hit a village in Paktika province on Monday, killing eight people. "
            "The TTP said the strikes killed only civilians, denying that any of its commanders had been hit.")
    found = {c[:2] for c in claims_of(text)}
    assert {("TTP: Tehreek-e-Taliban Pakistan", "asserts"), ("TTP: Tehreek-e-Taliban Pakistan", "denies")} <= found


def test_a_charge_the_other_side_denies_is_a_standing_position():
    text = ("Gunmen attacked a check post in Kurram on Monday, killing four soldiers. "
            "Pakistani officials have accused Kabul of sheltering the attackers, "
            "a charge the Taliban government denies.")
    assert not {c for c in claims_of(text) if c[0] == "Government of Pakistan"}
