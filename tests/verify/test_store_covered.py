"""The audit log covers what it protects: an operator with database access edits a report's stored text, a figure of
an event, or a sealed finding's grade (its trigger dropped) — the log itself untouched, so it still extends the kept
checkpoint. `trucewatch audit verify --against CHECKPOINT` must still fail (exit 1) and name the report or finding and
what differs; `trucewatch findings show`, the finding's page and its API refuse to present the changed finding
(TW-E820) rather than show the edited grade under the old content hash with both signatures."""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from built_log import ORIGIN, Log, copy_database, operator_sql
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sealed_world import Sealed, seal_finding
from sqlalchemy import create_engine, text

from trucewatch.cli.main import main
from trucewatch.jobs.auditing import verify_audit
from trucewatch.records import Event, Figure, Report, Span
from trucewatch.storage import Database
from trucewatch.storage.audit_log import recorder
from trucewatch.web.app import create_app


@pytest.fixture
def copy(log: Log, tmp_path: Path) -> str:
    """A copy of the log's database (SQLite or PostgreSQL): its URL."""
    return log.copy(tmp_path / "cli.sqlite3")


def _sql(url: str, *statements: str) -> None:
    """Raw SQL as an operator with database access would run it, the findings' triggers dropped first."""
    operator_sql(url, ("findings",), *((sql, ()) for sql in statements))


def _value(url: str, sql: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def _entry_of(url: str, report_id: str) -> int:
    return int(_value(url, f"SELECT seq FROM audit_log WHERE action = 'ingest.report' AND subject = '{report_id}'"))


def _verify(url: str, checkpoint: Path, monkeypatch) -> tuple[int, str]:
    monkeypatch.delenv("TRUCEWATCH_CONFIG", raising=False)
    runner = CliRunner(env={"TRUCEWATCH_DB": url, "TRUCEWATCH_AUDIT_ORIGIN": ORIGIN})
    result = runner.invoke(main, ["audit", "verify", "--against", str(checkpoint)])
    return result.exit_code, result.output


def test_the_store_as_written_matches_its_log(log: Log, copy: str, monkeypatch):
    code, out = _verify(copy, log.checkpoint, monkeypatch)
    assert code == 0, out
    assert "store against the log: 25 reports, 0 findings checked: they match" in out
    assert "older entry" not in out


def test_a_report_text_edited_in_the_database_does_not_verify(log: Log, copy: str, monkeypatch):
    _sql(copy, "UPDATE reports SET text = replace(text, 'killing', 'sparing') WHERE report_id = 'audit-03'")
    code, out = _verify(copy, log.checkpoint, monkeypatch)
    seq = _entry_of(copy, "audit-03")
    assert code == 1, out
    assert "the log extends it" in out  # the log itself was not touched
    assert f"report audit-03: its stored text does not hash to the text SHA-256 logged at entry {seq}" in out
    assert out.strip().splitlines()[-1].startswith(f"NOT verified at entry {seq}: report audit-03")


def test_a_figure_of_an_event_edited_in_the_database_does_not_verify(log: Log, copy: str, monkeypatch):
    event_id = _value(copy, "SELECT event_id FROM figures JOIN events USING (event_id) "
                            "WHERE report_id = 'audit-05' LIMIT 1")
    _sql(copy, f"UPDATE figures SET low = low + 40 WHERE event_id = '{event_id}'")
    code, out = _verify(copy, log.checkpoint, monkeypatch)
    assert code == 1, out
    seq = _entry_of(copy, "audit-05")
    assert f"report audit-05: its events are not the ones extracted (entry {seq}): event {event_id}: its " \
           "fatality figures differ" in out


def test_an_event_changed_or_added_is_named(log: Log, copy: str, monkeypatch):
    event_id = _value(copy, "SELECT event_id FROM events WHERE report_id = 'audit-07' LIMIT 1")
    _sql(copy, f"UPDATE events SET actor1 = 'Someone Else', event_date = '2025-01-01' WHERE event_id = '{event_id}'")
    code, out = _verify(copy, log.checkpoint, monkeypatch)
    assert code == 1 and f"event {event_id}: its type or dates, actors differ" in out, out


def test_an_older_entry_is_checked_for_what_it_has_and_said_to_cover_no_content(tmp_path: Path, monkeypatch):
    """A report logged before the entries carried digests: its SHA-256 and event count are checked; its text is
    not covered, and the output says so rather than failing."""
    path = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    report = Report("old-1", "a" * 64, "Jets struck a depot near Khost.", date(2025, 10, 12), "file")
    event = Event("old-1-e1", "old-1", "Explosions/Remote violence", "Air/drone strike", date(2025, 10, 12),
                  fatalities=(Figure(3, None, "civilians", None, "three", Span(0, 4), 0),))
    old_payload = {"sha256": report.sha256, "source": None, "events": 1, "revision_of": None}
    with Database.open(path) as db:
        db.reports.save(report, [event], datetime.now(UTC), audit=recorder("ana", ("ingest.report", "old-1",
                                                                                   old_payload)))
        assert verify_audit(db).ok
    code, out = _verify_bare(path, monkeypatch)
    assert code == 0, out
    assert "report old-1 (entry 1): older entry: content not covered" in out
    _sql(path, "UPDATE reports SET sha256 = '" + "b" * 64 + "' WHERE report_id = 'old-1'")
    code, out = _verify_bare(path, monkeypatch)
    assert code == 1 and "report old-1: its stored SHA-256 " + "b" * 64 in out, out


def _verify_bare(url: str, monkeypatch) -> tuple[int, str]:
    monkeypatch.delenv("TRUCEWATCH_CONFIG", raising=False)
    result = CliRunner(env={"TRUCEWATCH_DB": url}).invoke(main, ["audit", "verify"])
    return result.exit_code, result.output


def test_a_report_slipped_into_the_store_without_an_entry_does_not_verify(log: Log, copy: str, monkeypatch):
    report = Report("forged-1", "c" * 64, "Nothing happened at Chaman.", date(2025, 10, 12), "file")
    with Database.open(copy, upgrade=False) as db:
        db.reports.save(report, [])
    code, out = _verify(copy, log.checkpoint, monkeypatch)
    assert code == 1 and "report forged-1 is in the store but no ingest.report entry logs it" in out, out


# --- a sealed finding ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sealed(log: Log, tmp_path_factory) -> Sealed:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("TRUCEWATCH_CONFIG", raising=False)
        return seal_finding(log, tmp_path_factory.mktemp("sealed") / "world")


@pytest.fixture
def tampered(sealed: Sealed, tmp_path: Path) -> Sealed:
    """A copy of the sealed world whose finding's grade was edited after dropping the trigger."""
    url = copy_database(sealed.url, tmp_path / "cli.sqlite3", sealed.server)
    _sql(url, f"UPDATE findings SET grade = 'confirmed' WHERE finding_id = '{sealed.finding_id}'")
    return Sealed(tmp_path, sealed.finding_id, sealed.checkpoint, url, sealed.server)


def test_the_sealed_finding_verifies_and_shows(sealed: Sealed, tmp_path: Path, monkeypatch):
    code, out = _verify(sealed.url, sealed.checkpoint, monkeypatch)
    assert code == 0 and "1 findings checked: they match" in out, out
    result = CliRunner(env={"TRUCEWATCH_DB": sealed.url}).invoke(
        main, ["findings", "show", sealed.finding_id, "--as", "mon-qat"])
    assert result.exit_code == 0 and "grade:        fair" in result.output, result.output


def test_a_sealed_finding_edited_after_dropping_its_trigger_does_not_verify(tampered: Sealed, monkeypatch):
    code, out = _verify(tampered.url, tampered.checkpoint, monkeypatch)
    assert code == 1, out
    assert "the log extends it" in out
    assert f"finding {tampered.finding_id} was changed after it was signed" in out
    assert "grade 'fair' logged, 'confirmed' stored" in out


def test_findings_show_refuses_the_changed_finding(tampered: Sealed, monkeypatch):
    monkeypatch.delenv("TRUCEWATCH_CONFIG", raising=False)
    result = CliRunner(env={"TRUCEWATCH_DB": tampered.url}).invoke(
        main, ["findings", "show", tampered.finding_id, "--as", "mon-qat"])
    assert result.exit_code == 2, result.output
    assert f"TW-E820: finding {tampered.finding_id} was changed after it was signed" in result.output
    assert "restore it from a bundle or the audit log" in result.output
    assert "confirmed" not in result.output


def test_the_finding_page_and_api_refuse_the_changed_finding(tampered: Sealed, monkeypatch):
    monkeypatch.delenv("TRUCEWATCH_CONFIG", raising=False)
    with TestClient(create_app(tampered.settings)) as client:
        api = client.get(f"/api/v1/findings/{tampered.finding_id}")
        page = client.get(f"/findings/{tampered.finding_id}")
        bundle = client.get(f"/api/v1/findings/{tampered.finding_id}/bundle")
    assert api.status_code == 409 and api.json()["error"]["code"] == "TW-E820", api.text
    assert "confirmed" not in api.text
    assert page.status_code == 409 and "TW-E820" in page.text and "was changed after it was signed" in page.text
    assert "confirmed" not in page.text
    assert bundle.status_code == 409 and bundle.json()["error"]["code"] == "TW-E820"
