"""The watch against a real feed server on 127.0.0.1 (tests/live/feeds.py) whose feeds change between polls: what
arrives is ingested and resolved once; a 304 is honoured; a failing, slow or malformed source fails alone; a restart
takes nothing twice. Time is handed to each round (`now`), so backoff is tested without waiting."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from feeds import FeedServer, Item, atom, page, report_text, rss, sitemap

from trucewatch.cli.main import main
from trucewatch.jobs.sources import add_source, get_source
from trucewatch.jobs.watch import HostLimiter, Watch, WatchOptions
from trucewatch.storage import Database

NOW = datetime(2025, 10, 20, 12, 0, tzinfo=UTC)
FAST = WatchOptions(host_seconds=0.01, timeout_seconds=1.0)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    with Database.open(f"sqlite:///{tmp_path / 'live.sqlite3'}") as opened:
        yield opened


@pytest.fixture
def watch(db: Database) -> Iterator[Watch]:
    running = Watch(db, options=FAST)
    yield running
    running.close()


def items(first: int, last: int, at: datetime = NOW) -> list[Item]:
    return [Item(f"urn:test:{n}", f"Clash number {n}", report_text(n), published=at - timedelta(minutes=n))
            for n in range(first, last)]


def incidents_of(db: Database, report_ids: list[str]) -> set[str]:
    return {e.incident_id for r in report_ids for e in db.reports.events_of(r) if e.incident_id}


def test_new_items_are_ingested_once_and_resolved_into_incidents(server, db, watch):
    server.put("/wire.xml", rss(items(0, 3)))
    add_source(db, server.url("/wire.xml"), "rss", "wire", "1m", NOW)
    first = watch.poll_round(NOW)
    assert len(first.added) == 3 and first.errors == 0
    assert incidents_of(db, first.added), "the items' events are in incidents as soon as they are stored"
    assert db.reports.get_report(first.added[0]).outlet == "wire"
    server.put("/wire.xml", rss(items(0, 5)))  # two more; the first three again
    second = watch.poll_round(NOW + timedelta(minutes=1))
    assert len(second.added) == 2
    assert get_source(db, "wire").items_seen == 5
    assert watch.poll_round(NOW + timedelta(seconds=70)).sources == [], "not due again before its interval"


def test_an_unchanged_feed_is_a_304_and_nothing_is_taken_again(server, db, watch):
    server.put("/wire.xml", rss(items(0, 2)))
    add_source(db, server.url("/wire.xml"), "rss", "wire", "1m", NOW)
    watch.poll_round(NOW)
    again = watch.poll_round(NOW + timedelta(minutes=1))
    assert [s.status for s in again.sources] == ["not-modified"] and again.added == []
    second_request = server.seen("/wire.xml")[1]
    assert second_request.if_none_match is not None and second_request.if_modified_since is not None


def test_a_failing_source_backs_off_alone_while_another_keeps_working(server, db, watch):
    server.put("/down.xml", "", status=500)
    server.put("/up.xml", atom(items(0, 1)), content_type="application/atom+xml")
    add_source(db, server.url("/down.xml"), "rss", "down", "1m", NOW)
    add_source(db, server.url("/up.xml"), "atom", "up", "1m", NOW)
    first = watch.poll_round(NOW)
    down = next(s for s in first.sources if s.name == "down")
    assert down.error and "TW-E907" in down.error and "HTTP 500" in down.error
    assert len(first.added) == 1
    server.put("/up.xml", atom(items(0, 2)), content_type="application/atom+xml")
    second = watch.poll_round(NOW + timedelta(minutes=1))
    assert [s.name for s in second.sources] == ["up"] and len(second.added) == 1, "down waits twice its interval"
    third = watch.poll_round(NOW + timedelta(minutes=2))
    assert {s.name for s in third.sources} == {"down", "up"}
    state = get_source(db, "down")
    assert state.failures == 2 and state.next_poll_at == NOW + timedelta(minutes=2 + 4), "the wait doubles"
    assert "HTTP 500" in (state.last_error or "")


def test_a_slow_source_times_out_and_the_others_are_taken_in_the_same_round(server, db, watch):
    server.put("/slow.xml", rss(items(0, 1)), delay=3.0)
    server.put("/quick.xml", rss(items(10, 12)))
    add_source(db, server.url("/slow.xml"), "rss", "slow", "1m", NOW)
    add_source(db, server.url("/quick.xml"), "rss", "quick", "1m", NOW)
    result = watch.poll_round(NOW)
    slow = next(s for s in result.sources if s.name == "slow")
    assert slow.error and "TW-E908" in slow.error
    assert len(result.added) == 2


def test_a_malformed_feed_is_an_error_of_its_source_only(server, db, watch):
    server.put("/broken.xml", "<rss><channel><item><title>cut off")
    server.put("/bomb.xml", '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss>&a;</rss>')
    server.put("/good.xml", rss(items(0, 1)))
    for name in ("broken", "bomb", "good"):
        add_source(db, server.url(f"/{name}.xml"), "rss", name, "1m", NOW)
    result = watch.poll_round(NOW)
    errors = {s.name: s.error for s in result.sources}
    assert "TW-E909" in (errors["broken"] or "") and "TW-E910" in (errors["bomb"] or "")
    assert errors["good"] is None and len(result.added) == 1


def test_a_restarted_watch_takes_nothing_twice(server, db, tmp_path):
    server.put("/wire.xml", rss(items(0, 3)))
    add_source(db, server.url("/wire.xml"), "rss", "wire", "1m", NOW)
    first = Watch(db, options=FAST)
    assert len(first.poll_round(NOW).added) == 3
    first.close()
    server.put("/wire.xml", rss(items(0, 4)) + " ")  # another ETag: the whole feed is read again
    with Database.open(db.url) as reopened:
        second = Watch(reopened, options=FAST)
        result = second.poll_round(NOW + timedelta(minutes=1))
        second.close()
    assert len(result.added) == 1 and result.sources[0].unchanged == 0


def test_teasers_and_sitemap_entries_are_read_from_their_pages(server, db, watch):
    server.put("/story-1.html", page("Border clash", report_text(1).split(". ")), content_type="text/html")
    server.put("/story-2.html", page("Shelling", report_text(2).split(". ")), content_type="text/html")
    teaser = Item("urn:t:1", "Border clash", "Forces exchanged fire.", link=server.url("/story-1.html"),
                  published=NOW)
    server.put("/teasers.xml", rss([teaser]))
    server.put("/sitemap.xml", sitemap([(server.url("/story-2.html"), NOW)]), content_type="application/xml")
    add_source(db, server.url("/teasers.xml"), "rss", "teasers", "1m", NOW)
    add_source(db, server.url("/sitemap.xml"), "sitemap", "map", "1m", NOW)
    result = watch.poll_round(NOW)
    assert result.errors == 0 and len(result.added) == 2
    texts = [db.reports.get_report(r).text for r in result.added]
    assert all("exchanged fire near" in t for t in texts) and not any("About us" in t for t in texts)
    assert len(server.seen("/story-1.html")) == 1


def test_an_item_whose_page_fails_is_tried_again_at_the_next_poll(server, db, watch):
    server.put("/story.html", "", status=503)
    server.put("/teasers.xml", rss([Item("urn:t:9", "Clash", "Short.", link=server.url("/story.html"),
                                         published=NOW)]))
    add_source(db, server.url("/teasers.xml"), "rss", "teasers", "1m", NOW)
    first = watch.poll_round(NOW)
    assert first.sources[0].item_errors and first.added == []
    server.put("/story.html", page("Clash", report_text(9).split(". ")), content_type="text/html")
    second = watch.poll_round(NOW + timedelta(minutes=1))
    assert len(second.added) == 1, "the feed's validators were not kept, so the whole feed was read again"


def test_requests_to_one_host_are_spaced(server, db):
    spaced = Watch(db, options=WatchOptions(host_seconds=0.3, timeout_seconds=2.0))
    for n in range(3):
        server.put(f"/f{n}.xml", rss(items(n, n + 1)))
        add_source(db, server.url(f"/f{n}.xml"), "rss", f"f{n}", "1m", NOW)
    server.put("/other.xml", rss(items(5, 6)))
    add_source(db, server.url("/other.xml", host="localhost"), "rss", "other", "1m", NOW)
    spaced.poll_round(NOW)
    spaced.close()
    one_host = sorted(r.at for r in server.requests if r.host.startswith("127.0.0.1"))
    assert len(one_host) == 3
    # Unspaced, the three would arrive within milliseconds. The server stamps a request once its own thread has read
    # it, which a busy machine delays by tens of milliseconds for one request and not the next, so the gaps it sees
    # are the 0.3 s less that; the exact moments the watch keeps are checked below, on a clock of the test's own.
    assert all(b - a >= 0.2 for a, b in zip(one_host, one_host[1:])), "at most one request per host per 0.3 s"


def test_the_host_limiter_gives_each_request_to_one_host_its_own_moment_and_holds_no_other_host():
    now = [100.0]
    limiter = HostLimiter(0.3, clock=lambda: now[0], sleep=lambda seconds: now.__setitem__(0, now[0] + seconds))
    moments = []
    for url in ("http://127.0.0.1/a.xml", "http://127.0.0.1/b.xml", "http://LOCALHOST/c.xml",
                "http://127.0.0.1:8080/d.xml"):
        started = now[0]
        limiter.wait(url)
        moments.append((url, round(now[0] - started, 6)))
        now[0] = started  # the next request is asked for at the same moment, as the watch's threads ask
    assert moments == [("http://127.0.0.1/a.xml", 0.0), ("http://127.0.0.1/b.xml", 0.3),
                       ("http://LOCALHOST/c.xml", 0.0), ("http://127.0.0.1:8080/d.xml", 0.6)]


def test_the_watch_command_prints_a_line_per_round_and_errors_with_what_to_do(server, tmp_path):
    server.put("/wire.xml", rss(items(0, 2)))
    database = str(tmp_path / "cli.sqlite3")
    runner = CliRunner()
    env = {"TRUCEWATCH_WATCH_HOST_SECONDS": "0.01", "TRUCEWATCH_WATCH_TIMEOUT_SECONDS": "1"}
    for args in (["sources", "add", server.url("/wire.xml"), "--kind", "rss", "--name", "wire"],
                 ["sources", "add", server.url("/gone.xml"), "--kind", "rss", "--name", "gone"]):
        assert runner.invoke(main, [*args, "--db", database], env=env).exit_code == 0
    result = runner.invoke(main, ["watch", "--once", "--db", database], env=env)
    assert result.exit_code == 1
    assert "polled 2 sources: 2 new items, 1 error" in result.stdout
    assert "TW-E907" in result.stderr and "find the feed's new address" in result.stderr
    listed = runner.invoke(main, ["sources", "list", "--db", database], env=env)
    assert "2 items seen" in listed.stdout and "1 failure in a row" in listed.stdout


def test_serve_runs_the_watch_when_the_setting_is_on(server, tmp_path):
    from fastapi.testclient import TestClient

    from trucewatch.settings import Settings
    from trucewatch.web.app import create_app

    server.put("/wire.xml", rss(items(0, 2)))
    settings = Settings(db=str(tmp_path / "serve.sqlite3"), secret_key="k" * 32, watch=True, watch_poll_seconds=0.2,
                        watch_host_seconds=0.01)
    with Database.open(settings.database_url) as setup:
        add_source(setup, server.url("/wire.xml"), "rss", "wire", "1m", datetime.now(UTC))
    with TestClient(create_app(settings)):
        for _ in range(300):  # the watch's thread takes its first round at once; the test waits up to 30 s for it
            with Database.open(settings.database_url) as reading:
                if get_source(reading, "wire").items_seen == 2:
                    break
            threading.Event().wait(0.1)
    with Database.open(settings.database_url) as reading:
        assert get_source(reading, "wire").items_seen == 2
