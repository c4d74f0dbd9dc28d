"""Resolution of events into incidents, and the incident record, on hand-made events (no extractor, no store)."""
from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from trucewatch.pipeline.incident import QUOTE_CHARS, describe
from trucewatch.pipeline.resolve import Resolver, candidate_of, incident_id_for, resolve
from trucewatch.pipeline.stories import source_groups
from trucewatch.records import (
    TIME_WEEK,
    Claim,
    Event,
    Figure,
    Override,
    Place,
    Report,
    Span,
)

SIDES = {"TTP": "TTP", "BLA": "BALOCH", "Military Forces of Pakistan": "PAK", "Government of Pakistan": "PAK",
         "Military Forces of Afghanistan": "AFG", "Government of Afghanistan": "AFG"}
side_of = SIDES.get

ANGOOR_ADDA = Place("Angoor Adda", "Pakistan", "Khyber Pakhtunkhwa", "South Waziristan", 32.61, 69.35, 1, "crossing")
WANA = Place("Wana", "Pakistan", "Khyber Pakhtunkhwa", "South Waziristan", 32.30, 69.57, 1, "town")  # ~40 km away
NEARBY = Place("Post 9", "Pakistan", "Khyber Pakhtunkhwa", "South Waziristan", 32.66, 69.38, 1, "post")  # ~6 km
QUETTA = Place("Quetta", "Pakistan", "Balochistan", "Quetta", 30.18, 67.00, 1, "town")
RAID = date(2025, 10, 11)
T0 = datetime(2025, 10, 21, 9, 0, tzinfo=UTC)


def event(event_id: str, report_id: str, day: date | None = RAID, place: Place | None = ANGOOR_ADDA,
          sub_type: str = "Armed clash", actors: tuple[str | None, str | None] = (
              "Military Forces of Afghanistan", "Military Forces of Pakistan"),
          figures: tuple[Figure, ...] = (), claims: tuple[Claim, ...] = (), **more) -> Event:
    event_type = "Battles" if sub_type == "Armed clash" else "Explosions/Remote violence"
    return Event(event_id=event_id, report_id=report_id, event_type=event_type, sub_event_type=sub_type,
                 event_date=day, actor1=actors[0], actor2=actors[1], place=place, fatalities=figures, claims=claims,
                 **more)


def figure(low: int, high: int | None, victims: str, claimant: str) -> Figure:
    return Figure(low, high, victims, claimant, f"{low} {victims}", Span(0, 5), 0)


def claim(claimant: str, stance: str, about: str, stated_on: date | None = None) -> Claim:
    return Claim(claimant, stance, about, f"{claimant} {stance}", Span(0, 5), 0, stated_on=stated_on)


def report(report_id: str, published: date = date(2025, 10, 12), text: str | None = None,
           outlet: str | None = None) -> Report:
    text = text or f"Report {report_id} tells the story in its own words, which no other report shares at all."
    return Report(report_id=report_id, sha256=hashlib.sha256(text.encode()).hexdigest(), text=text,
                  published=published, published_basis="file", outlet=outlet or f"Outlet {report_id}")


def incidents_of(events: list[Event], overrides: list[Override] = ()) -> dict[str, str]:
    candidates = [candidate_of(e, side_of) for e in events]
    return resolve([c for c in candidates if c], overrides,
                   [e.event_id for e, c in zip(events, candidates, strict=True) if c is None])


def together(assignment: dict[str, str], *event_ids: str) -> bool:
    return len({assignment[e] for e in event_ids}) == 1


# --- resolution --------------------------------------------------------------------------------------------------

def test_two_reports_of_one_raid_are_one_incident_named_after_the_earliest_event():
    a = event("e-a", "r-1")
    b = event("e-b", "r-2", place=NEARBY, day=RAID + timedelta(days=1))  # "overnight": reports a day apart
    assignment = incidents_of([b, a])
    assert together(assignment, "e-a", "e-b")
    assert assignment["e-a"] == incident_id_for("e-a")


def test_what_keeps_events_apart():
    base = event("e-0", "r-0")
    apart = {
        "too far": event("e-far", "r-1", place=WANA),
        "other province": event("e-prov", "r-2", place=QUETTA),
        "days apart": event("e-late", "r-3", day=RAID + timedelta(days=3)),
        "other type": event("e-type", "r-4", sub_type="Air/drone strike"),
        "same report": event("e-same", "r-0"),
    }
    assignment = incidents_of([base, *apart.values()])
    for why, other in apart.items():
        assert not together(assignment, "e-0", other.event_id), why


def test_two_different_named_armed_groups_are_two_happenings():
    ttp = event("e-ttp", "r-1", actors=("TTP", "Military Forces of Pakistan"))
    bla = event("e-bla", "r-2", actors=("BLA", "Military Forces of Pakistan"))
    same = event("e-ttp2", "r-3", actors=("Military Forces of Pakistan", "TTP"))  # order does not matter
    assignment = incidents_of([ttp, bla, same])
    assert not together(assignment, "e-ttp", "e-bla")
    assert together(assignment, "e-ttp", "e-ttp2")


def test_a_week_precise_date_matches_any_day_of_its_week():
    vague = event("e-week", "r-1", day=RAID + timedelta(days=3), time_precision=TIME_WEEK)
    assert together(incidents_of([event("e-day", "r-2"), vague]), "e-day", "e-week")


def test_an_undated_event_stands_alone_until_a_monitor_pins_it():
    dated, undated = event("e-d", "r-1"), event("e-u", "r-2", day=None)
    assert candidate_of(undated, side_of) is None
    assert incidents_of([dated, undated])["e-u"] == incident_id_for("e-u")
    pin = Override("pin", "e-u", "e-d", by="ana", at=T0)
    assert together(incidents_of([dated, undated], [pin]), "e-u", "e-d")


def test_incremental_add_joins_the_known_incident_and_keeps_its_id():
    resolver = Resolver()
    resolver.seed(candidate_of(event("e-a", "r-1"), side_of), "inc-known")
    resolver.seed(candidate_of(event("e-q", "r-1", place=QUETTA), side_of), "inc-other")
    assert resolver.add(candidate_of(event("e-new", "r-9", place=NEARBY), side_of)) == "inc-known"
    assert resolver.add(candidate_of(event("e-far", "r-9", place=WANA), side_of)) == incident_id_for("e-far")
    assert resolver.incident_of["e-q"] == "inc-other"


# --- overrides ---------------------------------------------------------------------------------------------------

def test_split_stands_alone_and_nothing_joins_it_afterwards():
    events = [event("e-a", "r-1"), event("e-b", "r-2", place=NEARBY), event("e-c", "r-3")]
    split = Override("split", "e-a", None, by="ana", at=T0)
    assignment = incidents_of(events, [split])
    assert assignment["e-a"] == incident_id_for("e-a")
    assert together(assignment, "e-b", "e-c") and not together(assignment, "e-a", "e-b")


def test_merge_joins_whole_incidents_and_pin_moves_one_event():
    events = [event("e-a", "r-1"), event("e-b", "r-2", place=NEARBY), event("e-far", "r-3", place=WANA),
              event("e-q", "r-4", place=QUETTA)]
    merge = Override("merge", "e-far", "e-a", by="ana", at=T0)
    pin = Override("pin", "e-q", "e-far", by="ben", at=T0 + timedelta(hours=1))
    assignment = incidents_of(events, [pin, merge])  # applied oldest first, whatever order they come in
    assert together(assignment, "e-a", "e-b", "e-far", "e-q")
    assert assignment["e-a"] == incident_id_for("e-a")


def test_a_later_split_undoes_an_earlier_pin():
    events = [event("e-a", "r-1"), event("e-q", "r-2", place=QUETTA)]
    overrides = [Override("pin", "e-q", "e-a", by="ana", at=T0),
                 Override("split", "e-q", None, by="ben", at=T0 + timedelta(days=1))]
    assert not together(incidents_of(events, overrides), "e-a", "e-q")


def test_overrides_naming_unknown_events_are_skipped():
    events = [event("e-a", "r-1")]
    ghost = Override("merge", "e-gone", "e-a", by="ana", at=T0)
    assert incidents_of(events, [ghost]) == {"e-a": incident_id_for("e-a")}


# --- the incident record ----------------------------------------------------------------------------------------

def raid_accounts() -> tuple[list[Event], dict[str, Report]]:
    kabul = event("e-kabul", "r-kabul", figures=(figure(58, 58, "soldiers", "Government of Afghanistan"),),
                  claims=(claim("Government of Afghanistan", "asserts", "casualties"),))
    ispr = event("e-ispr", "r-ispr", place=NEARBY,
                 figures=(figure(23, 23, "soldiers", "Military Forces of Pakistan"),
                          figure(200, None, "militants", "Military Forces of Pakistan")),
                 claims=(claim("Military Forces of Pakistan", "denies", "casualties"),))
    reports = {"r-kabul": report("r-kabul", outlet="Kabul Desk"), "r-ispr": report("r-ispr", outlet="ISPR")}
    return [kabul, ispr], reports


def test_conflicting_figures_stay_side_by_side_with_their_claimants():
    events, reports = raid_accounts()
    incident = describe("inc-raid", events, reports, side_of)
    shown = {(f.figure.low, f.figure.claimed_by, f.source.outlet) for f in incident.figures}
    assert {(58, "Government of Afghanistan", "Kabul Desk"), (23, "Military Forces of Pakistan", "ISPR")} <= shown
    assert incident.contested
    assert any(r.startswith("conflicting figures for soldiers") and "23" in r and "58" in r
               for r in incident.reasons)


def test_estimates_low_best_high_per_victim_category():
    events, reports = raid_accounts()
    estimates = {e.victims: e for e in describe("inc-raid", events, reports, side_of).estimates}
    soldiers, militants = estimates["soldiers"], estimates["militants"]
    assert (soldiers.low, soldiers.best, soldiers.high) == (23, 23, 58)
    assert (militants.low, militants.best, militants.high) == (200, 200, None)  # "more than 200": open


def test_claims_per_party_with_the_day_each_was_made():
    denial = event("e-1", "r-1", claims=(claim("Government of Pakistan", "denies", "occurrence"),))
    admission = event("e-2", "r-2", claims=(claim("Government of Pakistan", "acknowledges_later", "occurrence",
                                                  stated_on=date(2025, 10, 20)),))
    reports = {"r-1": report("r-1", published=date(2025, 10, 17)), "r-2": report("r-2", published=date(2025, 10, 22))}
    incident = describe("inc-x", [admission, denial], reports, side_of)
    assert [(c.party, c.claim.stance, c.made_on) for c in incident.claims] == [
        ("PAK", "denies", date(2025, 10, 17)),  # the report's day, as the text gives none
        ("PAK", "acknowledges_later", date(2025, 10, 20)),  # the day the text says
    ]
    assert "occurrence denied by PAK" in incident.reasons


def test_a_claim_is_shown_by_its_content_else_by_its_sentence_never_by_who_said_it_alone():
    text = ("Afghan officials said 17 civilians, including women and children, were killed. Pakistan's military "
            "denied it. " + "The spokesman added a long account of the night " * 10 + "and stopped.")
    second, third = text.index("Pakistan's"), text.index("The spokesman")
    said = Claim("Government of Afghanistan", "asserts", "civilian deaths", "Afghan officials … said",
                 Span(0, second - 1), 0, content="17 civilians, including women and children, were killed",
                 content_span=Span(22, 77), figure=17)
    denied = Claim("Government of Pakistan", "denies", "civilian deaths", "Pakistan's military … denied",
                   Span(second, third - 1), 1)
    added = Claim("Government of Afghanistan", "asserts", "other", "The spokesman … added", Span(third, len(text)), 2)
    incident = describe("inc-x", [event("e-1", "r-1", claims=(said, denied, added))],
                        {"r-1": report("r-1", text=text)}, side_of)
    quotes = {c.claim.surface: c.quote for c in incident.claims}
    assert quotes["Afghan officials … said"] == "17 civilians, including women and children, were killed"
    assert quotes["Pakistan's military … denied"] == "Pakistan's military denied it."  # no content: the sentence
    long = quotes["The spokesman … added"]
    assert long.startswith("The spokesman added a long account") and long.endswith("of the night …")
    assert len(long) <= QUOTE_CHARS + 2 and text[third:].startswith(long.removesuffix(" …"))


def test_syndicated_copies_count_once_for_the_best_estimate():
    wire = ("Gunmen attacked a checkpoint near the crossing before dawn on Saturday and killed twenty guards, "
            "officials said, adding that the attackers escaped across the hills towards the border afterwards.")
    reports = {"r-copy1": report("r-copy1", text="WIRE - " + wire), "r-copy2": report("r-copy2", text=wire + " (Wire)"),
               "r-own": report("r-own")}
    events = [event("e-c1", "r-copy1", figures=(figure(20, 20, "soldiers", "officials"),)),
              event("e-c2", "r-copy2", figures=(figure(20, 20, "soldiers", "officials"),)),
              event("e-own", "r-own", figures=(figure(12, 12, "soldiers", "police"),))]
    groups = source_groups({r.report_id: r.text for r in reports.values()})
    assert groups["r-copy2"] == groups["r-copy1"] != groups["r-own"]
    (soldiers,) = describe("inc-x", events, reports, side_of).estimates
    assert soldiers.best == 12  # 20 is one story told twice, not two sources: nothing is corroborated
    assert "no figure is given by two independent sources" in soldiers.basis
    independent = {**reports, "r-copy2": report("r-copy2")}
    (soldiers,) = describe("inc-x", events, independent, side_of).estimates
    assert soldiers.best == 20 and "2 independent sources" in soldiers.basis


def test_a_revised_figure_is_a_second_claim_beside_the_first():
    first = event("e-1", "r-1", figures=(figure(9, 9, "civilians", "Provincial officials"),))
    revised = event("e-2", "r-1~abcd1234", figures=(figure(14, 14, "civilians", "Provincial officials"),))
    reports = {"r-1": report("r-1", published=date(2025, 10, 12)),
               "r-1~abcd1234": replace(report("r-1~abcd1234", published=date(2025, 10, 13)), revision_of="r-1")}
    assert together(incidents_of([first, revised]), "e-1", "e-2")
    incident = describe("inc-x", [first, revised], reports, side_of)
    assert [(f.figure.low, f.source.published) for f in incident.figures] == [
        (9, date(2025, 10, 12)), (14, date(2025, 10, 13))]


def test_the_sites_of_one_attack_share_an_incident_that_another_account_joins():
    trigger = (("event_type", Span(0, 80)),)
    bajaur = Place("Bajaur", "Pakistan", "Khyber Pakhtunkhwa", "Bajaur", 34.74, 71.53, 2, "district")
    sites = [event("e-kurram", "r-ispr", place=NEARBY, provenance=trigger),
             event("e-bajaur", "r-ispr", place=bajaur, provenance=trigger)]
    other = event("e-kabul", "r-kabul", place=bajaur)  # the other side's account names only Bajaur
    elsewhere = event("e-later", "r-ispr", place=bajaur, provenance=(("event_type", Span(200, 260)),))
    assignment = incidents_of([*sites, other, elsewhere])
    assert together(assignment, "e-kurram", "e-bajaur", "e-kabul")
    assert assignment["e-later"] != assignment["e-kurram"]  # another sentence of the same report: another happening


def test_figures_that_name_whose_dead_they_count_are_estimated_apart():
    theirs = Figure(58, 58, "soldiers", "Government of Afghanistan", "killed 58 Pakistani soldiers", Span(0, 5), 0)
    ours = Figure(23, 23, "soldiers", "Military Forces of Pakistan", "23 soldiers of the Pakistan Army", Span(0, 5), 0)
    own = Figure(9, 9, "soldiers", "Government of Afghanistan", "nine Afghan soldiers", Span(0, 5), 0)
    unnamed = Figure(25, 25, "soldiers", "Outlet r-3", "25 soldiers were killed", Span(0, 5), 0)
    events = [event("e-1", "r-1", figures=(theirs, own)), event("e-2", "r-2", figures=(ours,)),
              event("e-3", "r-3", figures=(unnamed,))]
    reports = {r: report(r) for r in ("r-1", "r-2", "r-3")}
    incident = describe("inc-raid", events, reports, side_of)
    estimates = {e.victims: (e.low, e.best, e.high) for e in incident.estimates}
    # "25 soldiers" could be either side's dead: it is kept apart rather than guessed.
    assert estimates == {"Pakistani soldiers": (23, 23, 58), "Afghan soldiers": (9, 9, 9), "soldiers": (25, 25, 25)}
    assert any(r.startswith("conflicting figures for Pakistani soldiers") for r in incident.reasons)


def test_daily_clashes_at_one_post_do_not_chain_into_one_incident():
    days = [event(f"e-{n}", f"r-{n}", day=RAID + timedelta(days=n)) for n in range(6)]
    assignment = incidents_of(days)
    assert not together(assignment, "e-0", "e-3")  # each fits the day before, but not the whole week
    assert not together(assignment, "e-0", "e-5")


def test_a_province_only_account_that_fits_two_incidents_equally_stands_alone():
    province = Place("Khyber Pakhtunkhwa", "Pakistan", "Khyber Pakhtunkhwa", None, 34.5, 71.5, 3, "province")
    a, b = event("e-a", "r-a", place=ANGOOR_ADDA), event("e-b", "r-b", place=Place(
        "Parachinar", "Pakistan", "Khyber Pakhtunkhwa", "Kurram", 33.90, 70.10, 1, "town"))
    vague = event("e-v", "r-v", place=province)
    assignment = incidents_of([a, b, vague])
    assert assignment["e-v"] not in (assignment["e-a"], assignment["e-b"])
    assert together(incidents_of([a, vague]), "e-a", "e-v")  # with one candidate it joins


def test_nothing_joins_an_account_that_stands_alone_for_want_of_telling_which():
    """It tells of one of the incidents it fits, not of a new one: a later vague account is as undecided, and a
    later precise account joins the incident at its place."""
    province = Place("Khyber Pakhtunkhwa", "Pakistan", "Khyber Pakhtunkhwa", None, 34.5, 71.5, 3, "province")
    parachinar = Place("Parachinar", "Pakistan", "Khyber Pakhtunkhwa", "Kurram", 33.90, 70.10, 1, "town")
    a, b = event("e-a", "r-a", place=ANGOOR_ADDA), event("e-b", "r-b", place=parachinar)
    resolver = Resolver()
    for e in (a, b):
        resolver.add(candidate_of(e, side_of))
    vague = resolver.add(candidate_of(event("e-v", "r-v", place=province), side_of))
    second_vague = resolver.add(candidate_of(event("e-v2", "r-v2", place=province), side_of))
    assert len({vague, second_vague, resolver.incident_of["e-a"], resolver.incident_of["e-b"]}) == 4
    later = resolver.add(candidate_of(event("e-near", "r-near", place=NEARBY), side_of))
    assert later == resolver.incident_of["e-a"]
