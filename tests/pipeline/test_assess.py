"""Assessing incidents against agreements: windows across time zones, supersession, who is accused by whom, evidence.

Incidents and agreements are built here as records, each with only what its test needs; the rules are those of
docs/agreements.md.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from trucewatch.agreements import local_time
from trucewatch.pipeline.assess import (
    Sides,
    assess,
    daily_counts,
    escalation_timeline,
    party_summary,
    possible_time,
    window_of,
)
from trucewatch.records import (
    TIME_MONTH,
    TIME_WEEK,
    Agreement,
    Claim,
    Commitment,
    Event,
    Figure,
    Incident,
    Party,
    Place,
    Source,
    SourcedClaim,
    SourcedFigure,
    Span,
)

KARACHI, KABUL = "Asia/Karachi", "Asia/Kabul"
URGUN = Place("Urgun", "Afghanistan", "Paktika", "Urgun", 32.93, 69.18, 1, "town")
KABUL_CITY = Place("Kabul", "Afghanistan", "Kabul", "Kabul", 34.53, 69.17, 1, "town")
MIR_ALI = Place("Mir Ali", "Pakistan", "Khyber Pakhtunkhwa", "North Waziristan", 33.0, 70.27, 1, "town")
DOHA = Place("Doha", "Qatar", "Ad Dawhah", None, 25.29, 51.53, 1, "town")
PAK_FORCES, AFG_FORCES = "Military Forces of Pakistan", "Military Forces of Afghanistan (Taliban)"
TTP = "TTP: Tehreek-e-Taliban Pakistan"
CROSS_BORDER = Commitment("no-cross-border-attacks", "No attacks across the border.", ("PAK", "AFG"),
                          ("cross-border",))
TARGETING = Commitment("no-targeting", "No targeting of civilians or forces.", ("PAK", "AFG"),
                       ("civilians", "forces", "infrastructure"))
PROXY = Commitment("no-support-to-attacking-groups", "No support to groups attacking the other.", ("PAK", "AFG"),
                   ("proxy",))
SIDES = Sides.shipped()


def agreement(agreement_id: str = "truce", start: str = "2025-10-15T18:00", end: str | None = "2025-10-17T18:00",
              tz: str = KARACHI, supersedes: tuple[str, ...] = (), kind: str = "truce",
              commitments: tuple[Commitment, ...] = (CROSS_BORDER, TARGETING, PROXY),
              parties: tuple[Party, ...] | None = None) -> Agreement:
    parties = parties or (Party("PAK", "Pakistan"), Party("AFG", "Afghanistan", ("TTP",)))
    return Agreement(agreement_id=agreement_id, name=agreement_id, kind=kind, parties=parties, guarantors=(),
                     mediators=(), start=local_time(start, tz), end=local_time(end, tz) if end else None, tz=tz,
                     supersedes=supersedes, commitments=commitments)


def source(report_id: str = "r1", group: str | None = None) -> Source:
    return Source(report_id, "Outlet", date(2025, 10, 18), source_group=group or report_id)


def claim(party: str, stance: str, about: str, made_on: date = date(2025, 10, 18),
          claimant: str = "spokesman") -> SourcedClaim:
    return SourcedClaim(Claim(claimant, stance, about, "said", Span(0, 4), 0), party, made_on, "e1", source())


def incident(day: date = date(2025, 10, 17), *, last: date | None = None, precision: int = 1,
             place: Place | None = URGUN, actor1: str | None = PAK_FORCES, actor2: str | None = None,
             event_type: str = "Explosions/Remote violence", sub_event_type: str = "Air/drone strike",
             claims: tuple[SourcedClaim, ...] = (), civilians_dead: int | None = None,
             sources: tuple[Source, ...] = (source(),), contested: bool = False) -> Incident:
    event = Event("e1", sources[0].report_id, event_type, sub_event_type, day, last, precision, actor1, actor2, place)
    figures = (SourcedFigure(Figure(civilians_dead, civilians_dead, "civilians", "Government of Afghanistan (Taliban)",
                                    str(civilians_dead), Span(0, 2), 0), "e1", sources[0]),) if civilians_dead else ()
    return Incident(incident_id="inc-1", events=(event,), sources=sources, event_type=event_type,
                    sub_event_type=sub_event_type, first_date=day, last_date=last or day, time_precision=precision,
                    place=place, actor1=actor1, actor2=actor2, figures=figures, estimates=(), claims=claims,
                    contested=contested, reasons=("conflicting figures",) if contested else ())


def status(i: Incident, a: Agreement, agreements: tuple[Agreement, ...] = ()) -> str:
    return assess(i, a, agreements, sides=SIDES).window_status


# --- time zones ----------------------------------------------------------------------------------------------------

def test_18_00_in_karachi_is_17_30_in_kabul_and_13_00_utc():
    start = agreement().start
    assert start == datetime(2025, 10, 15, 17, 30, tzinfo=ZoneInfo(KABUL))
    assert start == datetime(2025, 10, 15, 13, 0, tzinfo=UTC)


def test_a_day_in_kabul_on_the_day_the_truce_ends_at_18_00_pkt_is_uncertain():
    result = assess(incident(date(2025, 10, 17), place=URGUN), agreement(), sides=SIDES)
    assert result.window_status == "uncertain"
    assert result.reason.startswith("Dated to the day 2025-10-17 in Asia/Kabul;")
    assert "the truce ended at 18:00 PKT (17:30 in Asia/Kabul that day)" in result.reason


def test_the_reason_says_when_the_truce_ended_on_the_day_of_a_karachi_event():
    result = assess(incident(date(2025, 10, 17), place=MIR_ALI), agreement(), sides=SIDES)
    assert result.reason.startswith("Dated to the day 2025-10-17 in Asia/Karachi; the truce ended at 18:00 PKT "
                                    "that day.")


def test_a_day_wholly_within_the_truce_is_inside_and_the_days_before_and_after_are_outside():
    assert status(incident(date(2025, 10, 16)), agreement()) == "inside"
    assert status(incident(date(2025, 10, 14)), agreement()) == "outside"
    assert status(incident(date(2025, 10, 18)), agreement()) == "outside"


def test_a_range_of_days_is_inside_when_wholly_within_and_uncertain_across_a_boundary():
    doha = agreement("doha", "2025-10-19T00:00", None, kind="ceasefire")
    assert status(incident(date(2025, 10, 20), last=date(2025, 10, 21)), doha) == "inside"  # overnight 20-21
    assert status(incident(date(2025, 10, 18), last=date(2025, 10, 19), place=MIR_ALI), doha) == "uncertain"


def test_midnight_in_karachi_is_still_the_day_before_in_kabul():
    doha = agreement("doha", "2025-10-19T00:00", None, kind="ceasefire")  # = 23:30 on the 18th in Kabul
    assert status(incident(date(2025, 10, 18), place=MIR_ALI), doha) == "outside"
    kabul = assess(incident(date(2025, 10, 18), place=KABUL_CITY), doha, sides=SIDES)
    assert kabul.window_status == "uncertain"
    assert "(23:30 in Asia/Kabul that day)" in kabul.reason


def test_places_outside_pakistan_and_afghanistan_are_read_in_utc():
    when = possible_time(incident(date(2025, 10, 19), place=DOHA, event_type="Strategic developments",
                                  sub_event_type="Agreement"))
    assert when is not None and when.zone == "UTC"
    assert when.start == datetime(2025, 10, 19, tzinfo=UTC)


def test_pakistan_and_afghanistan_keep_one_offset_all_year_but_a_zone_with_summer_time_is_honoured():
    for tz, hours in ((KARACHI, 5), (KABUL, 4.5)):
        offsets = {datetime(2025, month, 1, tzinfo=ZoneInfo(tz)).utcoffset().total_seconds() for month in (1, 7)}
        assert offsets == {hours * 3600}
    assert local_time("2008-07-01T12:00", KARACHI) == datetime(2008, 7, 1, 6, tzinfo=UTC)  # PKST 2008
    london = window_of(agreement("uk", "2025-03-29T12:00", "2025-03-31T12:00", tz="Europe/London"))
    assert london.end is not None and london.end - london.start == timedelta(hours=47)  # clocks went forward
    with pytest.raises(ValueError, match="does not exist in Europe/London"):
        local_time("2025-03-30T01:30", "Europe/London")


def test_week_and_month_precision_widen_the_possible_time():
    truce = agreement()
    assert status(incident(date(2025, 10, 16), precision=TIME_WEEK), truce) == "uncertain"  # 13..19 October
    month = possible_time(incident(date(2025, 10, 16), precision=TIME_MONTH))
    assert month is not None and month.days == (date(2025, 10, 1), date(2025, 10, 31))


def test_an_undated_incident_is_uncertain():
    result = assess(replace(incident(), first_date=None, last_date=None), agreement(), sides=SIDES)
    assert result.window_status == "uncertain" and result.reason.startswith("Undated")


# --- windows -------------------------------------------------------------------------------------------------------

def test_an_open_ended_window_takes_everything_after_its_start():
    doha = agreement("doha", "2025-10-19T00:00", None, kind="ceasefire")
    assert window_of(doha).end is None
    assert status(incident(date(2026, 3, 1)), doha) == "inside"
    assert status(incident(date(2025, 10, 17)), doha) == "outside"


def test_a_superseding_agreement_ends_the_window_of_the_one_it_supersedes():
    extension = agreement("extension", "2025-10-17T18:00", None, kind="extension")
    doha = agreement("doha", "2025-10-19T00:00", None, supersedes=("extension",), kind="ceasefire")
    everything = (extension, doha)
    window = window_of(extension, everything)
    assert window.end == doha.start and window.ended_by == "doha"
    assert status(incident(date(2025, 10, 18), place=MIR_ALI), extension, everything) == "inside"
    after = assess(incident(date(2025, 10, 20), place=MIR_ALI), extension, everything, sides=SIDES)
    assert after.window_status == "outside"
    assert "after the extension ended at 00:00 PKT on 2025-10-19, when doha superseded it" in after.reason
    assert status(incident(date(2025, 10, 20), place=MIR_ALI), doha, everything) == "inside"


def test_an_agreement_superseded_before_its_own_end_ends_early():
    first = agreement("first", "2025-10-15T18:00", "2025-10-25T00:00")
    later = agreement("later", "2025-10-20T00:00", None, supersedes=("first",))
    assert window_of(first, (first, later)).end == later.start
    assert window_of(first, (first,)).end == first.end


# --- who is accused ------------------------------------------------------------------------------------------------

def test_an_unattributed_incident_is_never_accused():
    claims = (claim("PAK", "asserts", "occurrence"), claim("AFG", "asserts", "casualties"),
              claim("PAK", "asserts", "responsibility"))  # "the police van was targeted": whom does it accuse?
    for perpetrator in ("Unidentified Armed Group (Pakistan)", None):
        result = assess(incident(date(2025, 10, 16), place=MIR_ALI, actor1=perpetrator, sub_event_type="Suicide bomb",
                                 claims=claims), agreement(), sides=SIDES)
        assert result.accused == () and result.commitments == () and result.accusers == ()
        assert "perpetrator is unidentified" in result.reason


def test_a_pakistani_air_strike_in_afghanistan_that_killed_civilians_is_cross_border_and_targets_civilians():
    result = assess(incident(date(2025, 10, 16), actor2="Civilians (Afghanistan)", civilians_dead=10,
                             claims=(claim("AFG", "asserts", "civilian deaths"),)), agreement(), sides=SIDES)
    assert result.accused == ("PAK",) and result.accusers == ("AFG",)
    assert result.commitments == ("no-cross-border-attacks", "no-targeting")
    assert result.accused_under == (("PAK", "no-cross-border-attacks"), ("PAK", "no-targeting"))
    assert "coded perpetrator Military Forces of Pakistan" in result.reason


def test_a_denial_stands_until_the_party_acknowledges_the_incident():
    denied = (claim("AFG", "asserts", "responsibility"), claim("PAK", "denies", "responsibility", date(2025, 10, 17)))
    result = assess(incident(date(2025, 10, 16), claims=denied), agreement(), sides=SIDES)
    assert result.evidence_state == "denied" and "denied by PAK" in result.reason
    admitted = (*denied, claim("PAK", "acknowledges_later", "occurrence", date(2025, 10, 20)))
    assert assess(incident(date(2025, 10, 16), claims=admitted), agreement(), sides=SIDES).evidence_state \
        == "single source"


def test_a_later_acknowledgment_backs_an_accusation_the_reports_did_not_code():
    result = assess(incident(date(2025, 10, 16), actor1=None, place=KABUL_CITY,
                             claims=(claim("PAK", "acknowledges_later", "occurrence", date(2025, 10, 20)),)),
                    agreement(), sides=SIDES)
    assert result.accused == ("PAK",) and "acknowledged by PAK on 2025-10-20" in result.reason


def test_a_clash_between_the_two_militaries_accuses_the_coded_attacker_under_both_commitments():
    result = assess(incident(date(2025, 10, 16), place=MIR_ALI, actor1=AFG_FORCES, actor2=PAK_FORCES,
                             event_type="Battles", sub_event_type="Armed clash",
                             claims=(claim("PAK", "asserts", "casualties"),)), agreement(), sides=SIDES)
    assert result.accused == ("AFG",) and result.accusers == ("PAK",)
    assert result.commitments == ("no-cross-border-attacks", "no-targeting")


def test_a_ttp_attack_inside_pakistan_falls_on_afghanistan_under_the_support_commitment_only():
    result = assess(incident(date(2025, 10, 20), place=MIR_ALI, actor1=TTP, actor2="Civilians (Pakistan)",
                             sub_event_type="Suicide bomb", civilians_dead=7,
                             claims=(claim("PAK", "asserts", "responsibility"),)),
                    agreement("doha", "2025-10-19T00:00", None), sides=SIDES)
    assert result.accused == ("AFG",) and result.accusers == ("PAK",)
    assert result.commitments == ("no-support-to-attacking-groups",)
    assert "which AFG answers for" in result.reason


def test_a_group_no_party_answers_for_is_nobody_s_violation():
    no_groups = (Party("PAK", "Pakistan"), Party("AFG", "Afghanistan"))
    result = assess(incident(date(2025, 10, 16), place=MIR_ALI, actor1=TTP, sub_event_type="Suicide bomb"),
                    agreement(parties=no_groups), sides=SIDES)
    assert result.accused == () and "no party's forces" in result.reason


def test_a_pakistani_operation_at_home_concerns_no_commitment_even_where_civilians_died():
    result = assess(incident(date(2025, 10, 16), place=MIR_ALI, actor1=PAK_FORCES, actor2=TTP, civilians_dead=4,
                             event_type="Battles", sub_event_type="Armed clash"), agreement(), sides=SIDES)
    assert result.accused == () and "no commitment binding it concerns" in result.reason


def test_strategic_developments_are_never_violations():
    result = assess(incident(date(2025, 10, 16), place=DOHA, actor1="Government of Pakistan",
                             event_type="Strategic developments", sub_event_type="Agreement"), agreement(), sides=SIDES)
    assert result.accused == () and result.commitments == () and "Not violent" in result.reason


def test_a_strike_without_a_coded_perpetrator_is_laid_on_the_other_party_by_the_claim_of_the_one_it_hit():
    strike = incident(date(2025, 10, 16), actor1=None, actor2="Civilians (Afghanistan)",
                      claims=(claim("AFG", "asserts", "civilian deaths"),))
    result = assess(strike, agreement(), sides=SIDES)
    assert result.accused == ("PAK",) and result.accusers == ("AFG",)
    three = (Party("PAK", "Pakistan"), Party("AFG", "Afghanistan"), Party("IND", "India"))
    assert assess(strike, agreement(parties=three), sides=SIDES).accused == ()  # whom would it accuse?


# --- evidence ------------------------------------------------------------------------------------------------------

def test_two_independent_sources_corroborate_but_two_copies_of_one_story_do_not():
    independent = (source("r1"), source("r2"))
    copies = (source("r1", "r1"), source("r2", "r1"))
    truce = agreement()
    assert assess(incident(date(2025, 10, 16), sources=independent), truce, sides=SIDES).evidence_state \
        == "corroborated"
    assert assess(incident(date(2025, 10, 16), sources=copies), truce, sides=SIDES).evidence_state == "single source"
    assert assess(incident(date(2025, 10, 16), sources=independent, contested=True), truce,
                  sides=SIDES).evidence_state == "contested"


# --- views ---------------------------------------------------------------------------------------------------------

def test_the_views_count_potential_violations_per_party_per_day_and_in_order():
    truce = agreement()
    found = [
        replace(assess(incident(date(2025, 10, 16), sources=(source("r1"), source("r2"))), truce, sides=SIDES),
                incident_id="inc-a"),
        replace(assess(incident(date(2025, 10, 17), place=MIR_ALI, actor1=AFG_FORCES, actor2=PAK_FORCES,
                                event_type="Battles", sub_event_type="Armed clash"), truce, sides=SIDES),
                incident_id="inc-b"),
        replace(assess(incident(date(2025, 10, 12)), truce, sides=SIDES), incident_id="inc-c"),  # outside
    ]
    pak, afg = party_summary(found, truce)
    assert (pak.party, pak.total, pak.corroborated, pak.alleged_only, pak.uncertain) == ("PAK", 1, 1, 0, 0)
    assert dict(pak.by_commitment) == {"no-cross-border-attacks": 1, "no-targeting": 0,
                                      "no-support-to-attacking-groups": 0}
    assert (afg.total, afg.uncertain) == (1, 1)
    days = {(d.day, d.party): d for d in daily_counts(found, truce)}
    assert [d.day for d in daily_counts(found, truce)][::2] == [date(2025, 10, 15), date(2025, 10, 16),
                                                               date(2025, 10, 17)]
    assert days[(date(2025, 10, 16), "PAK")].count == 1 and days[(date(2025, 10, 16), "PAK")].change == 1
    assert days[(date(2025, 10, 17), "PAK")].change == -1 and days[(date(2025, 10, 15), "PAK")].change is None
    assert [e.incident_id for e in escalation_timeline(found)] == ["inc-c", "inc-a", "inc-b"]
    assert escalation_timeline(found)[1].status == "inside" and escalation_timeline(found)[1].type == "Air/drone strike"


def test_the_daily_view_of_a_superseded_agreement_ends_with_its_window():
    extension = agreement("extension", "2025-10-17T18:00", None, kind="extension")
    doha = agreement("doha", "2025-10-19T00:00", None, supersedes=("extension",), kind="ceasefire")
    strike = assess(incident(date(2025, 10, 21), precision=TIME_WEEK), extension, (extension, doha), sides=SIDES)
    assert strike.window_status == "uncertain"  # the week around the 21st reaches back to the 18th
    days = daily_counts([strike], extension, (extension, doha))
    assert sorted({d.day for d in days}) == [date(2025, 10, 17), date(2025, 10, 18)]
    assert [(d.day, d.count, d.uncertain) for d in days if d.party == "PAK"][-1] == (date(2025, 10, 18), 1, 1)
