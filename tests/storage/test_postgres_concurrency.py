"""Two writers at once into one PostgreSQL database, as the mechanism's monitors and analysts do: each with its own
engine (its own `Database.open`), ingesting reports (extraction, save, audit entry, resolution) at the same time,
some of them the same report. Nothing is lost, nothing is stored twice, and the audit log still verifies."""
from __future__ import annotations

import threading
from datetime import date

from trucewatch import jobs
from trucewatch.jobs.auditing import verify_audit
from trucewatch.jobs.ingest import ingest_report
from trucewatch.records import Report
from trucewatch.storage import Database

PLACES = ("Spin Boldak", "Chaman", "Kurram", "Torkham", "Khost", "Paktika")


def _report(n: int) -> Report:
    place = PLACES[n % len(PLACES)]
    text = (f"Shelling hit a market in {place} on Tuesday, killing {n % 5 + 2} civilians, local officials said. "
            f"The army denied firing across the border near {place} (note {n}).")
    return Report(report_id=f"conc-{n:03d}", sha256=f"{n:064x}", text=text, published=date(2025, 10, 10 + n % 10),
                  published_basis="file", title=f"Shelling in {place}", outlet="example.org",
                  url=f"https://example.org/{n}", source=f"conc-{n:03d}.json", media_type="application/json")


def _writer(url: str, numbers: list[int], outcomes: list[str], failures: list[BaseException],
            start: threading.Barrier) -> None:
    try:
        with Database.open(url) as db:
            start.wait()
            for n in numbers:
                outcomes.append(ingest_report(db.reports, _report(n)).status)
    except BaseException as err:  # the main thread reports it
        failures.append(err)


def test_two_writers_lose_nothing_store_nothing_twice_and_the_log_verifies(postgres_server) -> None:
    url = postgres_server.fresh_database()
    # both begin with the same twelve reports, at the same moment: they race to store each of them
    first, second = list(range(0, 24)), [*range(0, 12), *range(24, 36)]
    outcomes: list[str] = []
    failures: list[BaseException] = []
    start = threading.Barrier(2)
    writers = [threading.Thread(target=_writer, args=(url, numbers, outcomes, failures, start))
               for numbers in (first, second)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=300)
    assert not failures, failures
    assert sorted(outcomes).count("added") == 36 and outcomes.count("unchanged") == 12, outcomes
    with Database.open(url) as db:
        assert db.reports.count_reports() == 36
        assert sorted(db.reports.reports([f"conc-{n:03d}" for n in range(36)], with_text=False)) == \
            [f"conc-{n:03d}" for n in range(36)]
        assert [e.seq for e in db.audit_log.iter_entries()] == list(range(1, 37))  # one entry per report, no gap
        verified = verify_audit(db)
        assert verified.ok, verified
        assert not verified.content.problems
        # every event in an incident, every incident row agreeing with its events: resolution did not interleave
        found = jobs.incidents.check_incidents(db, repair=False)
        assert not any(found.values()), found


def test_a_writer_waits_while_another_holds_a_write_transaction(postgres_server, make_report) -> None:
    """As on SQLite (BEGIN IMMEDIATE): a second writer waits for the first to commit, rather than acting on what the
    first is changing."""
    url = postgres_server.fresh_database()
    saved: list[bool] = []
    with Database.open(url) as first, Database.open(url) as second:
        with first.transaction():
            waiting = threading.Thread(target=lambda: saved.append(second.reports.save(make_report(), [])))
            waiting.start()
            waiting.join(timeout=1.0)
            assert saved == []  # still waiting for the first writer
        waiting.join(timeout=60)
        assert saved == [True]
