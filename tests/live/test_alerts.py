"""Alerts arrive where their rules send them: a real SMTP server (aiosmtpd) and a real webhook receiver
(http.server), both on 127.0.0.1. Reports are this file's own sentences, ingested and resolved as `trucewatch
ingest` does; time is handed to the jobs, so retries are tested without waiting."""
from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from trucewatch import jobs
from trucewatch.cli.main import main
from trucewatch.conflict import shipped_conflict
from trucewatch.demo import example_agreements_path
from trucewatch.errors import AlertError
from trucewatch.jobs import alerts
from trucewatch.jobs.accounts import add_user
from trucewatch.jobs.ingest import ingest_report
from trucewatch.records import Report
from trucewatch.settings import Settings
from trucewatch.storage import Database

NOW = datetime(2025, 10, 16, 12, 0, tzinfo=UTC)
DAY = date(2025, 10, 16)
SECRET = "a-shared-webhook-secret"
PASSWORD = "a long enough password"
# Two accounts of one air strike inside the 48-hour truce of 15 October 2025 (written for this test).
FIRST = ("Pakistani military jets bombed a market in Barmal district of Paktika province on Thursday, killing nine "
         "civilians, a spokesman for the Taliban government said.")
SECOND = ("A Taliban government spokesman said Pakistani warplanes hit a market in Barmal, Paktika, on Thursday and "
          "killed nine civilians. Pakistan's military denied carrying out any strike.")


# --- the two real receivers --------------------------------------------------------------------------------------


@dataclass
class Received:
    """What the webhook receiver got: each request's headers and body; it answers `statuses` in turn, then 200."""

    statuses: list[int] = field(default_factory=list)
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[tuple[str, Received]]:
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802  (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.requests.append((dict(self.headers.items()), body))
            self.send_response(received.statuses.pop(0) if received.statuses else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


class Inbox:
    """aiosmtpd's handler: every message the SMTP server accepted, with its envelope's recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, _server: object, _session: object, envelope: object) -> str:  # noqa: N802
        content = envelope.content  # type: ignore[attr-defined]
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(content, policy=default_policy)))  # type: ignore[attr-defined]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


# --- the world: a database with the 2025 agreements and two users -------------------------------------------------


@pytest.fixture
def world(tmp_path: Path, smtp: tuple[int, Inbox]) -> Iterator[tuple[Database, Settings]]:
    settings = Settings(db=str(tmp_path / "alerts.sqlite3"), site_url="https://watch.example/", smtp_host="127.0.0.1",
                        smtp_port=smtp[0], smtp_from="alerts@watch.example", alert_retry_seconds=30.0,
                        alert_attempts=4)
    with Database.open(settings.database_url) as db:
        jobs.agreements.load_agreements(db, example_agreements_path())
        add_user(db, "ana", "analyst", PASSWORD)
        add_user(db, "lia", "liaison", PASSWORD, party="AFG")
        yield db, settings


def ingest(db: Database, report_id: str, text: str, settings: Settings) -> list[alerts.Alert]:
    """Store one report as `trucewatch ingest` does, then run the rules on it."""
    report = Report(report_id=report_id, sha256=hashlib.sha256(text.encode()).hexdigest(), text=text, published=DAY,
                    published_basis="file", title=report_id, outlet=f"Outlet {report_id}",
                    url=f"https://news.example/{report_id}", source=f"{report_id}.txt", media_type="text/plain")
    assert ingest_report(db.reports, report, shipped_conflict()).status == "added"
    return alerts.on_new_reports(db, [report_id], shipped_conflict(), NOW, settings=settings)


def add(db: Database, settings: Settings, kind: str, user: str = "ana", **options: str) -> alerts.AlertRule:
    return alerts.add_rule(db, user, kind, settings=settings, now=NOW, **options)


# --- the tests -----------------------------------------------------------------------------------------------------


def test_a_potential_violation_arrives_by_email_and_signed_webhook_once(world, receiver, smtp):
    db, settings = world
    url, received = receiver
    rule = add(db, settings, "violation", party="PAK", webhook_url=url, secret=SECRET, email="desk@watch.example")

    fired = ingest(db, "r-1", FIRST, settings)
    assert [a.rule_id for a in fired] == [rule.rule_id]
    alert = fired[0]
    link = f"https://watch.example/incidents/{alert.incident_id}"
    assert alert.link == link and "truce-2025-10-15" in alert.why and "PAK" in alert.why

    results = alerts.deliver_due(db, NOW, settings=settings)
    assert sorted((r.channel, r.state) for r in results) == [("email", "sent"), ("webhook", "sent")]

    [(recipients, message)] = smtp[1].messages
    assert recipients == ["desk@watch.example"]
    assert alert.incident_id in message["Subject"] and "accused party" in message["Subject"]
    assert link in message.get_content() and "truce-2025-10-15" in message.get_content()

    [(headers, body)] = received.requests
    payload = json.loads(body)
    assert payload["incident_url"] == link and payload["alert_id"] == alert.alert_id and payload["why"] == alert.why
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Trucewatch-Signature"], expected)
    assert headers["Idempotency-Key"] == alert.alert_id

    # a second account of the same strike joins the incident: no second alert for this rule, nothing sent again
    assert ingest(db, "r-2", SECOND, settings) == []
    assert alerts.deliver_due(db, NOW + timedelta(hours=1), settings=settings) == []
    assert len(received.requests) == 1 and len(smtp[1].messages) == 1
    assert [listed.alert.alert_id for listed in alerts.list_alerts(db, "ana")] == [alert.alert_id]


def test_a_receiver_that_fails_twice_gets_the_alert_on_the_third_attempt_and_only_once(world, receiver):
    db, settings = world
    url, received = receiver
    received.statuses = [500, 500]
    add(db, settings, "violation", webhook_url=url, secret=SECRET)
    [alert] = ingest(db, "r-1", FIRST, settings)

    [first] = alerts.deliver_due(db, NOW, settings=settings)
    assert (first.state, first.outcome, first.next_at) == ("due", "the receiver answered HTTP 500",
                                                           NOW + timedelta(seconds=30))
    assert alerts.deliver_due(db, NOW + timedelta(seconds=29), settings=settings) == []  # not due yet
    [second] = alerts.deliver_due(db, NOW + timedelta(seconds=30), settings=settings)
    assert second.state == "due" and second.next_at == NOW + timedelta(seconds=90)  # the wait doubled
    [third] = alerts.deliver_due(db, NOW + timedelta(seconds=90), settings=settings)
    assert (third.state, third.attempt) == ("sent", 3)
    assert alerts.deliver_due(db, NOW + timedelta(days=1), settings=settings) == []

    assert [h["Idempotency-Key"] for h, _ in received.requests] == [alert.alert_id] * 3
    [delivery] = alerts.list_alerts(db, "ana")[0].deliveries
    assert delivery.state == "sent" and delivery.attempt_times == (
        NOW, NOW + timedelta(seconds=30), NOW + timedelta(seconds=90))


def test_a_receiver_that_never_answers_well_is_given_up_after_the_last_attempt(world, receiver):
    db, settings = world
    url, received = receiver
    received.statuses = [503] * 10
    add(db, settings, "violation", webhook_url=url, secret=SECRET)
    ingest(db, "r-1", FIRST, settings)
    at, results = NOW, []
    for _ in range(settings.alert_attempts):
        results += alerts.deliver_due(db, at, settings=settings)
        at += timedelta(hours=1)
    assert [r.state for r in results] == ["due", "due", "due", "failed"]
    assert results[-1].outcome == "gave up after 4 attempts: the receiver answered HTTP 503"
    assert alerts.deliver_due(db, at + timedelta(days=1), settings=settings) == []


def test_a_rule_filtered_to_another_province_does_not_fire_and_one_for_paktika_does(world, smtp):
    db, settings = world
    add(db, settings, "deaths", province="Kandahar", email="kandahar@watch.example")
    paktika = add(db, settings, "deaths", province="paktika", email="paktika@watch.example")
    fired = ingest(db, "r-1", FIRST, settings)
    assert [a.rule_id for a in fired] == [paktika.rule_id]
    assert "9 deaths in Paktika" in fired[0].why and "no deaths were recorded there" in fired[0].why
    alerts.deliver_due(db, NOW, settings=settings)
    assert [recipients for recipients, _ in smtp[1].messages] == [["paktika@watch.example"]]


def test_a_denial_on_a_watched_incident_fires_the_watcher_s_claim_rule(world, receiver):
    db, settings = world
    url, received = receiver
    add(db, settings, "claim", user="lia", party="PAK", webhook_url=url, secret=SECRET)
    assert ingest(db, "r-1", FIRST, settings) == []  # nobody watches the incident yet
    incident_id = db.reports.events_of("r-1")[0].incident_id
    assert alerts.watch_incident(db, "lia", incident_id, NOW)
    [alert] = ingest(db, "r-2", SECOND, settings)
    assert alert.incident_id == incident_id and alert.user == "lia"
    assert "PAK denies (occurrence)" in alert.why and "report r-2" in alert.why


def test_a_rule_without_a_way_to_deliver_or_with_a_bad_party_is_refused(world):
    db, settings = world
    with pytest.raises(AlertError, match="TW-E921"):
        add(db, settings, "violation")
    with pytest.raises(AlertError, match="TW-E922.*'XYZ'"):
        add(db, settings, "violation", party="XYZ", email="a@watch.example")
    with pytest.raises(AlertError, match="TW-E920"):
        add(db, settings, "rumour", email="a@watch.example")


def test_the_cli_adds_rules_and_ingest_fires_and_delivers_them(tmp_path, receiver, monkeypatch):
    url, received = receiver
    database = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("TRUCEWATCH_DB", str(database))
    monkeypatch.setenv("TRUCEWATCH_SITE_URL", "https://watch.example")
    runner = CliRunner()

    def run(*args: str, code: int = 0, stdin: str | None = None) -> str:
        result = runner.invoke(main, list(args), input=stdin)
        assert result.exit_code == code, result.output
        return result.output

    run("agreements", "load", str(example_agreements_path()))
    run("users", "add", "ana", "--role", "analyst", "--password-stdin", stdin=PASSWORD + "\n")
    added = run("alerts", "rules", "add", "--user", "ana", "--kind", "violation", "--party", "pak",
                "--webhook", url, "--secret", SECRET)
    assert "added rule 1 for ana: violation (party PAK) -> webhook " + url in added
    assert SECRET not in run("alerts", "rules", "list", "--user", "ana")
    report = tmp_path / "strike.txt"
    report.write_text(FIRST, encoding="utf-8")
    ingested = run("ingest", "--published", DAY.isoformat(), str(report))
    assert "1 alert fired, 1 deliveries sent" in ingested
    [(headers, body)] = received.requests
    assert json.loads(body)["incident_url"].startswith("https://watch.example/incidents/inc-")
    listed = run("alerts", "list", "--user", "ana")
    assert "webhook " + url + ": sent (1 attempt)" in listed and "1 alerts" in listed
    assert "0 deliveries attempted" in run("alerts", "deliver")
    assert "removed rule 1 of ana" in run("alerts", "rules", "remove", "1", "--user", "ana")
    assert "TW-E923" in run("alerts", "rules", "remove", "1", "--user", "ana", code=2)
