"""What a user of the store notices: content is kept once, whole or not at all, and comes back as it went in."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import inspect

from trucewatch.errors import IngestError, StorageError
from trucewatch.records import Claim, Span
from trucewatch.storage import Database, repository


def test_save_then_read_back_the_same_records(store, make_report, make_event):
    report = make_report()
    events = [make_event("e-2"), make_event("e-1", place=None)]
    assert store.save(report, events) is True
    assert store.get_report("t-001") == report
    assert store.events_of("t-001") == events  # order of first mention kept, every child row too
    assert store.get_event("e-1") == events[1]
    assert (store.count_reports(), store.count_events(), store.count_events("t-001")) == (1, 2, 2)


def test_same_content_again_is_a_no_op(store, make_report, make_event):
    report = make_report()
    assert store.save(report, [make_event("e-1")]) is True
    assert store.save(report, [make_event("e-1")]) is False
    assert store.count_reports() == 1
    assert store.count_events() == 1


def test_other_content_under_a_stored_report_id_is_refused_and_the_stored_one_kept(store, make_report):
    store.save(make_report(), [])
    changed = replace(make_report(), text="A different text.", sha256="f" * 64)
    with pytest.raises(IngestError, match="TW-E113"):
        store.save(changed, [])
    assert store.get_report("t-001").text.startswith("Jets struck")


def test_a_report_that_fails_half_way_leaves_nothing_behind(store, make_report, make_event):
    store.save(make_report("t-good"), [make_event("g-1", "t-good")])
    with pytest.raises(StorageError, match="TW-E204"):
        store.save(make_report("t-bad"), [make_event("b-1", "t-bad"), make_event("b-1", "t-bad")])
    assert store.get_report("t-bad") is None
    assert store.count_events() == 1


def test_a_failure_after_the_events_are_written_rolls_back_the_report(store, monkeypatch, make_report, make_event):
    real = repository._claim_row

    def broken(*args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(repository, "_claim_row", broken)
    with pytest.raises(RuntimeError):
        store.save(make_report("t-bad"), [make_event("b-1", "t-bad")])
    monkeypatch.setattr(repository, "_claim_row", real)
    assert (store.count_reports(), store.count_events()) == (0, 0)
    assert store.save(make_report("t-bad"), [make_event("b-1", "t-bad")]) is True


def test_iter_events_streams_in_date_then_id_order_with_undated_last(store, make_report, make_event):
    store.save(make_report("r1"), [make_event("b", "r1", date(2025, 10, 15)), make_event("z", "r1", None)])
    store.save(make_report("r2"), [make_event("a", "r2", date(2025, 10, 15)), make_event("c", "r2", date(2025, 9, 1))])
    assert [e.event_id for e in store.iter_events(batch_size=2)] == ["c", "a", "b", "z"]
    sourced = next(store.iter_sourced_events())
    assert (sourced.outlet, sourced.url) == ("example.org", "https://example.org/a")


def test_events_are_rows_with_columns_not_blobs(store):
    tables = inspect(store.engine)
    columns = {t: {c["name"] for c in tables.get_columns(t)} for t in tables.get_table_names()}
    assert {"low", "high", "victims", "claimed_by", "span_start", "span_end", "sentence"} <= columns["figures"]
    assert {"claimant", "stance", "about", "stated_on", "content", "content_start", "content_end",
            "figure"} <= columns["claims"]
    assert {"field", "span_start", "span_end"} <= columns["provenance"]
    assert {"sentence", "trigger", "event_type", "sub_event_type"} <= columns["mentions"]
    assert {"sha256", "published_basis", "text", "ingested_at"} <= columns["reports"]
    indexed = {tuple(ix["column_names"]) for ix in tables.get_indexes("events")}
    assert {("event_date", "event_id"), ("report_id",), ("incident_id",), ("country", "admin1")} <= indexed


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path):
    with Database.open(f"sqlite:///{tmp_path / 'store.sqlite3'}") as db, db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_incident_ids_can_be_assigned(store, make_report, make_event):
    store.save(make_report(), [make_event("e-1"), make_event("e-2")])
    assert store.assign_incidents([("e-1", "inc-1"), ("e-2", "inc-1")]) == 2
    assert {e.incident_id for e in store.iter_events()} == {"inc-1"}


def test_a_database_that_cannot_be_opened_says_so(tmp_path):
    with pytest.raises(StorageError, match="TW-E201: cannot open the database at sqlite:///.*no/such/folder"):
        Database.open(f"sqlite:///{tmp_path}/no/such/folder/db.sqlite3")


def test_reading_a_missing_database_does_not_create_it(tmp_path):
    path = tmp_path / "typo.sqlite3"
    with pytest.raises(StorageError, match="TW-E201.*no such database file"):
        Database.open(f"sqlite:///{path}", upgrade=False)
    assert not path.exists()


def test_a_url_with_a_password_never_shows_it(monkeypatch):
    with pytest.raises(StorageError) as caught:
        Database.open("nosuchdialect://monitor:s3cret@db.example/trucewatch")
    assert "TW-E201" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_a_claims_content_its_span_and_figure_come_back_as_they_went_in(store, make_report, make_event):
    text = "Officials said 17 civilians, including women and children, were killed. Pakistan denied it."
    said = Claim("Government of Afghanistan", "asserts", "civilian deaths", "Officials … said", Span(0, 71), 0,
                 stated_on=date(2025, 10, 17), content="17 civilians, including women and children, were killed",
                 content_span=Span(15, 70), figure=17)
    bare = Claim("Government of Pakistan", "denies", "civilian deaths", "denied", Span(72, 91), 1)
    event = replace(make_event("e-1"), claims=(said, bare))
    store.save(make_report(text=text), [event])
    back = store.get_event("e-1").claims
    assert back == (said, bare)
    assert text[back[0].content_span.start:back[0].content_span.end] == back[0].content
    assert (back[1].content, back[1].content_span, back[1].figure) == ("", None, None)
    assert next(store.iter_events()).claims == (said, bare)
