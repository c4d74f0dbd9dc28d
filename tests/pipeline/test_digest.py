"""An incident's digest: the summary made from tallies updated as reports join is the summary made afresh from every
member, whatever the order the reports came in; and the tallies read back from the store are the ones written."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from trucewatch.pipeline.digest import combined, decode, digest_of, empty, encode
from trucewatch.pipeline.incident import describe, summary_of, summary_of_digest
from trucewatch.pipeline.sides import Sides
from trucewatch.records import Claim, Event, Figure, Place, Report, Source, Span

SIDES = Sides.shipped()
PLACES = (
    Place("Spin Boldak", "Afghanistan", "Kandahar", "Spin Boldak", 31.0, 66.4, 1, "town"),
    Place("Chaman", "Pakistan", "Balochistan", "Killa Abdullah", 30.92, 66.45, 1, "town"),
    Place("near Chaman", "Pakistan", "Balochistan", "Killa Abdullah", 30.95, 66.5, 2, "district"),
    Place("Kandahar", "Afghanistan", "Kandahar", None, 31.6, 65.7, 3, "province"),
    Place("Kandahar", "Afghanistan", "Kandahar", "Kandahar", 31.62, 65.71, 1, "town"),  # a name, two places
)
TYPES = (
    ("Battles", "Armed clash"), ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Explosions/Remote violence", "Air/drone strike"), ("Violence against civilians", "Attack"),
)
ACTORS = ("Military Forces of Pakistan", "Military Forces of Afghanistan (Taliban)",
          "TTP: Tehreek-e-Taliban Pakistan", None)
CLAIMANTS = ("Government of Pakistan", "Government of Afghanistan (Taliban)", "Military Forces of Pakistan",
             "a local elder")
# (low, high, victims, the words that give it): nationalities named and not, ranges, "at least", equal lows
FIGURES = (
    (23, 23, "soldiers", "23 Pakistani soldiers"), (58, 58, "soldiers", "58 soldiers"),
    (9, 9, "soldiers", "nine Afghan soldiers"), (12, None, "civilians", "at least 12 civilians"),
    (12, 12, "civilians", "12 civilians"), (7, 8, "unspecified", "seven to eight people"),
    (17, 17, "civilians", "17 civilians"), (40, None, "militants", "more than 40 militants"),
)


def _accounts(rng: random.Random, n: int) -> tuple[list[Event], dict[str, Source], dict[str, Report]]:
    """`n` accounts of one happening told differently: types, days and precisions, places, actors, figures from
    different claimants, claims that assert and deny; some reports copies of one story, some giving two events."""
    events, sources, reports = [], {}, {}
    start = date(2025, 10, 12)
    for i in range(n):
        report_id = f"r-{i:03d}" if rng.random() > 0.15 or not events else events[-1].report_id
        published = start + timedelta(days=rng.randint(0, 3))
        if report_id not in sources:
            story = f"r-{rng.randint(0, max(i - 1, 0)):03d}" if rng.random() < 0.3 else report_id
            sources[report_id] = Source(report_id, f"outlet{i % 5}", published, source_group=story)
            reports[report_id] = Report(report_id, f"{i:064x}", "", published, "file")
        precision = rng.choice((1, 1, 1, 2, 3))
        day = None if rng.random() < 0.1 else start + timedelta(days=rng.randint(-1, 1))
        figures = tuple(Figure(low, high, victims, rng.choice(CLAIMANTS + (None,)), surface, Span(0, 5), 0)
                        for low, high, victims, surface in rng.sample(FIGURES, rng.randint(0, 3)))
        claims = tuple(Claim(rng.choice(CLAIMANTS), rng.choice(("asserts", "denies", "neither_confirms_nor_denies")),
                             rng.choice(("occurrence", "responsibility", "civilian deaths")), "said", Span(0, 5), 0,
                             content="something was said")
                       for _ in range(rng.randint(0, 2)))
        event_type, sub_type = rng.choice(TYPES)
        events.append(Event(
            f"e-{i:03d}", report_id, event_type, sub_type, day,
            event_date_end=day + timedelta(days=1) if day and precision == 2 else None, time_precision=precision,
            actor1=rng.choice(ACTORS), actor2=rng.choice(ACTORS), place=rng.choice(PLACES + (None,)),
            fatalities=figures, claims=claims))
    return events, sources, reports


def _summary_afresh(events, reports, sources):
    stories = {r: s.source_group for r, s in sources.items()}
    return summary_of(describe("inc-1", events, reports, SIDES.side_of, nationalities=SIDES.nationalities,
                               stories=stories))


@pytest.mark.parametrize("seed", range(40))
def test_a_summary_updated_report_by_report_is_the_summary_made_afresh(seed):
    rng = random.Random(seed)
    events, sources, reports = _accounts(rng, rng.randint(1, 60))
    rng.shuffle(events)  # reports arrive in any order, not the order of their days
    digest = empty(SIDES.basis)
    for e in events:  # one report joining at a time, as ingest adds them, the stored form in between
        digest = decode(encode(combined(digest, digest_of([e], sources, SIDES))))
    assert summary_of_digest("inc-1", digest) == _summary_afresh(events, reports, sources)
    assert digest == digest_of(events, sources, SIDES)


def test_a_big_incident_contested_late_is_contested_in_its_updated_summary():
    """Fifty accounts agree; then one report's figure for the same dead is far from theirs, from another claimant."""
    place = PLACES[0]
    agreeing = [Event(f"e-{i}", f"r-{i}", "Battles", "Armed clash", date(2025, 10, 12), place=place,
                      actor1=ACTORS[0], fatalities=(Figure(23, 23, "soldiers", "Government of Pakistan",
                                                           "23 Pakistani soldiers", Span(0, 5), 0),))
                for i in range(50)]
    sources = {e.report_id: Source(e.report_id, "outlet", date(2025, 10, 13), source_group=e.report_id)
               for e in agreeing}
    digest = digest_of(agreeing, sources, SIDES)
    summary = summary_of_digest("inc-1", digest)
    assert (summary.contested, summary.fatalities_best, summary.n_reports) == (False, 23, 50)
    late = Event("e-late", "r-late", "Battles", "Armed clash", date(2025, 10, 12), place=place, actor1=ACTORS[1],
                 fatalities=(Figure(58, 58, "soldiers", "Military Forces of Afghanistan (Taliban)",
                                    "58 Pakistani soldiers", Span(0, 5), 0),),
                 claims=(Claim("Government of Pakistan", "denies", "occurrence", "denied", Span(0, 5), 0),))
    sources["r-late"] = Source("r-late", "outlet", date(2025, 10, 14), source_group="r-late")
    updated = summary_of_digest("inc-1", combined(digest, digest_of([late], sources, SIDES)))
    assert updated.contested
    assert updated.reasons == (
        "conflicting figures for Pakistani soldiers: 23 (Government of Pakistan); "
        "58 (Military Forces of Afghanistan (Taliban))", "occurrence denied by PAK")
    assert (updated.fatalities_low, updated.fatalities_best, updated.fatalities_high) == (23, 23, 58)
    assert (updated.n_events, updated.n_reports, updated.actor1) == (51, 51, ACTORS[0])


def test_digests_made_under_other_sides_are_never_added_together():
    rng = random.Random(1)
    events, sources, _ = _accounts(rng, 4)
    other = Sides(side_of=SIDES.side_of, nationalities=SIDES.nationalities, basis="another conflict's data")
    with pytest.raises(ValueError, match="make the digest again"):
        combined(digest_of(events[:2], sources, SIDES), digest_of(events[2:], sources, other))


def test_a_digest_stored_in_another_layout_is_made_again():
    rng = random.Random(2)
    events, sources, _ = _accounts(rng, 3)
    stored = encode(digest_of(events, sources, SIDES)).replace('"format":1', '"format":0')
    assert decode(stored) is None
