"""What the store keeps for incidents: revisions of reports, overrides, incident summaries, and the queries that
incremental resolution and `trucewatch incidents` run."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

from alembic import command
from sqlalchemy import create_engine, text

from trucewatch.jobs.incidents import get_incident, resolve_all
from trucewatch.jobs.ingest import resolve_new, store_extracted
from trucewatch.pipeline.incident import describe, summarised, summary_of, total_fatalities
from trucewatch.pipeline.resolve import fitting_types
from trucewatch.pipeline.sides import Sides
from trucewatch.records import Estimate, Figure, IncidentFilter, Override, Place, Report, Span
from trucewatch.storage import Database
from trucewatch.storage.repository import Kept, _alembic_config

QUETTA = Place("Quetta", "Pakistan", "Balochistan", "Quetta", 30.18, 67.00, 1, "town")
KABUL_EDGE = Place("Paghman", "Afghanistan", "Kabul", "Paghman", 34.59, 68.95, 1, "town")  # Kabul province, ~20 km


def test_other_content_under_a_stored_id_becomes_a_revision_and_both_are_kept(store, make_report, make_event):
    original = make_report()
    store.save(original, [make_event("e-1")])
    changed = replace(original, text="Jets struck a depot. Nine died.", sha256="ab12cd34" + "0" * 56)
    revision = store.versioned(changed)
    assert (revision.report_id, revision.revision_of) == ("t-001~ab12cd34", "t-001")
    assert store.save(revision, [make_event("e-2", revision.report_id)])
    assert store.get_report("t-001") == original
    assert store.get_report("t-001~ab12cd34").revision_of == "t-001"
    again = replace(original, text="A third version.", sha256="ef56" + "1" * 60)
    assert store.versioned(again).revision_of == "t-001"  # revisions always point at the first
    assert store.versioned(original) == original  # same content: nothing to revise


def test_overrides_are_kept_in_order_with_who_and_when(store):
    first = store.add_override(Override("merge", "e-1", "e-2", by="ana",
                                        at=datetime(2025, 10, 21, 14, 0, tzinfo=timezone(timedelta(hours=5)))))
    second = store.add_override(Override("split", "e-3", None, by="ben", at=datetime(2025, 10, 21, 10, 0,
                                                                                          tzinfo=UTC),
                                         note="a different night"))
    assert first.override_id is not None and second.override_id == first.override_id + 1
    stored = store.overrides()
    assert [(o.kind, o.by, o.note) for o in stored] == [("merge", "ana", ""), ("split", "ben", "a different night")]
    assert stored[0].at == datetime(2025, 10, 21, 9, 0, tzinfo=UTC)  # 14:00 at UTC+5


def test_save_incidents_writes_summaries_and_sets_the_events_incident(store, make_report, make_event):
    store.save(make_report(), [make_event("e-1"), make_event("e-2", place=QUETTA)])
    incident = _incident("inc-a", store.events_of("t-001")[:1], contested=True,
                         reasons=("conflicting figures for civilians: 9; 17",))
    store.save_incidents(summarised([incident]))
    assert store.get_event("e-1").incident_id == "inc-a"
    assert store.get_event("e-2").incident_id is None
    (summary,) = store.list_incidents()
    assert (summary.incident_id, summary.n_events, summary.contested, summary.reasons) == (
        "inc-a", 1, True, ("conflicting figures for civilians: 9; 17",))
    # "17 civilians" (open: "at least") and "seven to eight" unspecified: the larger, never the sum
    assert (summary.fatalities_low, summary.fatalities_best, summary.fatalities_high) == (17, 17, None)
    store.save_incidents(summarised([replace(incident, contested=False, reasons=())]))  # rewritten, not added
    assert [s.contested for s in store.list_incidents()] == [False]


def test_drop_incidents_removes_only_summaries_without_events(store, make_report, make_event):
    store.save(make_report(), [make_event("e-1"), make_event("e-2")])
    events = store.events_of("t-001")
    store.save_incidents(summarised([_incident("inc-a", events[:1]), _incident("inc-b", events[1:])]))
    store.assign_incidents([("e-2", "inc-a")])
    assert store.drop_incidents(["inc-a", "inc-b"]) == 1
    assert [s.incident_id for s in store.list_incidents()] == ["inc-a"]


def test_an_incident_read_again_has_the_events_that_joined_or_left_it_since(store, make_report, make_event):
    """A summary's reads keep the events they read (an event never changes once stored, only its incident), so a big
    incident is read whole once: what moved between incidents since must still be seen where it is now."""
    store.save(make_report(), [make_event("e-1"), make_event("e-2"), make_event("e-3")])
    events = store.events_of("t-001")
    store.save_incidents(summarised([_incident("inc-a", events[:2]), _incident("inc-b", events[2:])]))
    before = store.events_of_incidents(["inc-a", "inc-b"], only_figures_and_claims=True)
    assert {i: [e.event_id for e in found] for i, found in before.items()} == {"inc-a": ["e-1", "e-2"],
                                                                             "inc-b": ["e-3"]}
    store.assign_incidents([("e-2", "inc-b")])  # a monitor's split, or a better fit found
    after = store.events_of_incidents(["inc-a", "inc-b"], only_figures_and_claims=True)
    assert {i: [(e.event_id, e.incident_id) for e in found] for i, found in after.items()} == {
        "inc-a": [("e-1", "inc-a")], "inc-b": [("e-2", "inc-b"), ("e-3", "inc-b")]}
    assert [f.low for f in after["inc-b"][0].fatalities] == [f.low for f in events[1].fatalities]  # with its figures
    assert after["inc-b"][0].claims == events[1].claims and not after["inc-b"][0].mentions


def test_what_a_rolled_back_transaction_read_is_not_kept(store, make_report, make_event):
    store.save(make_report(), [make_event("e-1")])
    store.save_incidents(summarised([_incident("inc-a", store.events_of("t-001"))]))
    store.events_of_incidents(["inc-a"], only_figures_and_claims=True)  # read outside a transaction: kept
    try:
        with store.writing() as writing:
            writing.save(make_report("t-002"), [make_event("e-2", "t-002")])
            writing.assign_incidents([("e-2", "inc-a")])
            assert len(writing.events_of_incidents(["inc-a"], only_figures_and_claims=True)["inc-a"]) == 2
            raise RuntimeError("the resolution failed")
    except RuntimeError:
        pass
    assert store.get_event("e-2") is None
    assert store.known.events.get("e-2") is None and store.known.events.get("e-1") is not None
    assert [e.event_id for e in store.events_of_incidents(["inc-a"], only_figures_and_claims=True)["inc-a"]] == [
        "e-1"]


def test_what_the_store_keeps_is_bounded_and_the_least_recently_used_goes_first():
    kept: Kept[str] = Kept(limit=2)
    kept.keep([("e-1", "first"), ("e-2", "second")])
    assert kept.get("e-1") == "first"  # now the most recently used
    kept.keep([("e-3", "third")])
    assert (kept.get("e-1"), kept.get("e-2"), kept.get("e-3")) == ("first", None, "third")


def test_events_near_are_those_whose_days_reach_the_asked_days_in_province_or_box(store, make_report, make_event):
    """Near in time: an event whose possible days (its day, its range, the week or month an imprecise date allows)
    come within a day of the days asked about; near in place: the same province, or within the box."""
    day = date(2025, 10, 15)
    week, month = (replace(make_event(f"e-{name}", day=day + timedelta(days=offset)), time_precision=precision)
                   for name, offset, precision in (("week-4-days-on", 4, 2), ("month-16-days-on", 16, 3)))
    store.save(make_report(), [
        make_event("e-same-day", day=day), make_event("e-next-day", day=day + timedelta(days=1)),
        make_event("e-two-days-on", day=day + timedelta(days=2)), week, month,
        replace(make_event("e-week-5-days-on", day=day + timedelta(days=5)), time_precision=2),
        replace(make_event("e-range-ending-day-before", day=day - timedelta(days=9)),
                event_date_end=day - timedelta(days=1)),
        make_event("e-quetta", day=day, place=QUETTA), make_event("e-undated", day=None)])
    reach = ["e-range-ending-day-before", "e-same-day", "e-next-day", "e-week-4-days-on", "e-month-16-days-on"]
    near = store.events_near(day, day, "Afghanistan", "Kabul", 34.53, 69.17)
    assert [e.event_id for e in near] == reach
    box_only = store.events_near(day, day, None, None, 34.59, 68.95)
    assert [e.event_id for e in box_only] == reach
    assert store.events_near(day, day, None, None, None, None) == []


def test_an_event_at_a_point_reads_only_what_it_could_join_of_a_big_province(store, make_report, make_event):
    """A town's event can only be one happening with a point within reach, an event of its district, or a
    province-only account of an incident with no point; and only with an account of a type that fits its own."""
    day = date(2025, 10, 15)
    far = Place("Far town", "Afghanistan", "Kabul", "Surobi", 34.60, 70.00, 1, "town")  # 0.83° east: 76 km
    province = Place("Kabul", "Afghanistan", "Kabul", None, 34.45, 69.75, 3, "province")  # its centre: 53 km
    store.save(make_report(), [
        make_event("e-edge", place=KABUL_EDGE), make_event("e-far-town", place=far),
        make_event("e-province-loose", place=province), make_event("e-province-pointless", place=province),
        make_event("e-province-pointed", place=province),
        replace(make_event("e-shelling"), sub_event_type="Shelling/artillery/missile attack"),
        replace(make_event("e-clash"), event_type="Battles", sub_event_type="Armed clash")])
    stored = {e.event_id: e for e in store.events_of("t-001")}
    store.save_incidents(summarised([
        _incident("inc-pointless", [stored["e-province-pointless"]]),
        _incident("inc-pointed", [stored["e-province-pointed"], stored["e-far-town"]])]))

    def near(**kwargs):
        return {e.event_id for e in store.events_near(day, day, "Afghanistan", "Kabul", 34.53, 69.17, **kwargs)}

    everything = near()
    assert {"e-far-town", "e-clash", "e-province-loose"} <= everything  # the whole province, as before
    at_point = near(point_in="Kabul", fitting=fitting_types("Explosions/Remote violence", "Air/drone strike"))
    assert "e-edge" in at_point and "e-shelling" in at_point  # within reach, and a type a coder could defend
    assert {"e-province-loose", "e-province-pointless"} <= at_point  # no point of their own to be found by
    assert "e-province-pointed" not in at_point  # its incident is found by its town, if at all
    assert "e-far-town" not in at_point and "e-clash" not in at_point
    decided = near(point_in="Kabul", decided={"e-clash"},
                   fitting=fitting_types("Explosions/Remote violence", "Air/drone strike"))
    assert "e-clash" in decided  # a monitor's decision is read whatever its type


def test_list_incidents_filters_and_counts(store, make_report, make_event):
    store.save(make_report(), [make_event("e-1"), make_event("e-2", place=QUETTA, day=date(2025, 10, 20))])
    e1, e2 = store.events_of("t-001")
    store.save_incidents(summarised([
        _incident("inc-kabul", [e1], contested=True, actor1="Military Forces of Pakistan"),
        replace(_incident("inc-quetta", [e2], actor1="BLA: Baloch Liberation Army"), place=QUETTA,
                sub_event_type="Armed clash", event_type="Battles", first_date=date(2025, 10, 20),
                last_date=date(2025, 10, 20)),
    ]))

    def ids(**filters) -> list[str]:
        return [s.incident_id for s in store.list_incidents(IncidentFilter(**filters))]

    assert ids() == ["inc-kabul", "inc-quetta"]
    assert ids(date_from=date(2025, 10, 16)) == ["inc-quetta"]
    assert ids(date_to=date(2025, 10, 16)) == ["inc-kabul"]
    assert ids(country="pakistan") == ["inc-quetta"]
    assert ids(admin1="KABUL") == ["inc-kabul"]
    assert ids(event_type="armed clash") == ids(event_type="Battles") == ["inc-quetta"]
    assert ids(actor="baloch") == ["inc-quetta"]
    assert ids(actor="%") == []  # matched as text, not as a pattern
    assert ids(contested=True) == ["inc-kabul"] and ids(contested=False) == ["inc-quetta"]
    assert store.count_incidents(IncidentFilter(country="Afghanistan")) == 1
    assert [s.incident_id for s in store.list_incidents(limit=1, offset=1)] == ["inc-quetta"]


def test_total_fatalities_never_adds_an_unspecified_toll_to_the_named_ones():
    civilians, soldiers = Estimate("civilians", 10, 12, 17, ""), Estimate("soldiers", 3, 3, None, "")
    unspecified = Estimate("unspecified", 20, 20, 20, "")
    assert total_fatalities([]) == (None, None, None)
    assert total_fatalities([civilians]) == (10, 12, 17)
    assert total_fatalities([civilians, soldiers]) == (13, 15, None)  # "at least 3" soldiers: open-ended
    assert total_fatalities([civilians, unspecified]) == (20, 20, 20)


def test_upgrading_a_database_from_before_incidents_keeps_its_reports_and_events(db_url, make_report, make_event):
    with Database.open(db_url) as database:
        store = database.reports
        store.save(make_report(), [make_event("e-1")])
    engine = create_engine(db_url)
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0001_initial")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events")).scalar() == 1
    engine.dispose()
    with Database.open(db_url) as database:
        store = database.reports
        assert store.count_events() == 1 and store.get_report("t-001").revision_of is None
        assert store.list_incidents() == [] and store.overrides() == []


def _incident(incident_id, events, contested=False, reasons=(), actor1=None):
    reports = {e.report_id: Report(e.report_id, "0" * 64, "text", date(2025, 10, 16), "file") for e in events}
    incident = describe(incident_id, events, reports, lambda name: None)
    return replace(incident, contested=contested, reasons=reasons, actor1=actor1 or incident.actor1)


def test_ingest_updates_a_growing_incident_from_its_digest_as_a_rebuild_would(db_url, make_report, make_event):
    """Each report that joins an incident updates its summary from the stored digest; the summary is the one a
    rebuild from every member gives. A full rewrite drops the digest, and the next join makes it again."""
    with Database.open(db_url) as db:
        store = db.reports
        for i in range(6):
            event = make_event(f"e-{i}", f"t-{i:03d}")
            if i == 4:  # a late, lower count of the same dead ("at least 17" elsewhere): now contested
                event = replace(event, fatalities=(Figure(5, 5, "civilians", "Government of Pakistan",
                                                          "five civilians", Span(0, 5), 0),))
            store_extracted(store, make_report(f"t-{i:03d}", text=f"Report {i} of a strike on a depot."), [event])
        incident_id = store.get_event("e-0").incident_id
        assert {store.get_event(f"e-{i}").incident_id for i in range(6)} == {incident_id}
        assert set(store.incident_digests([incident_id])) == {incident_id}
        _assert_summary_is_rebuilt_one(db, incident_id)
        (summary,) = store.list_incidents()
        assert (summary.n_events, summary.n_reports, summary.contested) == (6, 6, True)
        assert summary.reasons[0] == ("conflicting figures for civilians: 5 (Government of Pakistan); "
                                      "17+ (Government of Afghanistan)")

        resolve_all(db)
        assert store.incident_digests([incident_id]) == {}
        store_extracted(store, make_report("t-006", text="Report 6 of a strike on a depot."),
                        [make_event("e-6", "t-006")])
        assert set(store.incident_digests([incident_id])) == {incident_id}
        _assert_summary_is_rebuilt_one(db, incident_id)
        assert [s.n_reports for s in store.list_incidents()] == [7]


def test_a_digest_made_under_other_sides_is_made_again_from_the_members(store, make_report, make_event):
    for i in range(3):
        store_extracted(store, make_report(f"t-{i:03d}", text=f"Report {i} of a strike."), [make_event(f"e-{i}",
                                                                                                       f"t-{i:03d}")])
    incident_id = store.get_event("e-0").incident_id
    other = replace(Sides.shipped(), basis="another conflict's data")
    store.save(make_report("t-003", text="Report 3 of a strike."), [make_event("e-3", "t-003")])
    assert resolve_new(store, [store.get_event("e-3")], other) == [incident_id]
    (digest,) = store.incident_digests([incident_id]).values()
    assert (digest.basis, digest.n_events, len(digest.reports)) == ("another conflict's data", 4, 4)


def _assert_summary_is_rebuilt_one(db, incident_id):
    (stored,) = [s for s in db.reports.list_incidents() if s.incident_id == incident_id]
    afresh = summary_of(get_incident(db, incident_id))
    assert stored == replace(afresh, updated_at=stored.updated_at)
