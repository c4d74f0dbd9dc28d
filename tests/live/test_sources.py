"""Sources as records: added with checks that say what to do, listed with their state, paused, resumed, removed."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from trucewatch.cli.main import main
from trucewatch.errors import SourceError
from trucewatch.jobs.sources import (
    add_source,
    get_source,
    list_sources,
    parse_interval,
    pause_source,
    remove_source,
    resume_source,
)
from trucewatch.storage import Database
from trucewatch.storage.feeds import SeenItem, SourceStore

NOW = datetime(2025, 10, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path):
    with Database.open(f"sqlite:///{tmp_path / 'sources.sqlite3'}") as opened:
        yield opened


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("10m", 600), ("2h", 7200), ("1d", 86400), ("45", 45)])
def test_intervals_read_as_people_write_them(text, seconds):
    assert parse_interval(text) == seconds


@pytest.mark.parametrize(("args", "code"), [
    (("ftp://example.org/feed", "rss", "a", "10m"), "TW-E900"),
    (("https:///feed", "rss", "a", "10m"), "TW-E900"),
    (("https://example.org/feed", "json", "a", "10m"), "TW-E901"),
    (("https://example.org/feed", "rss", "a", "soon"), "TW-E902"),
    (("https://example.org/feed", "rss", "a", "5s"), "TW-E902"),
    (("https://example.org/feed", "rss", "a b", "10m"), "TW-E905"),
])
def test_a_bad_source_is_refused_with_its_code(db, args, code):
    with pytest.raises(SourceError, match=code):
        add_source(db, *args, now=NOW)
    assert list_sources(db) == []


def test_a_name_is_taken_once(db):
    add_source(db, "https://example.org/a.xml", "rss", "outlet", "10m", NOW)
    with pytest.raises(SourceError, match="TW-E903.*already exists.*example.org/a.xml"):
        add_source(db, "https://example.org/b.xml", "atom", "outlet", "10m", NOW)


def test_pause_resume_and_remove(db):
    add_source(db, "https://example.org/a.xml", "rss", "outlet", "10m", NOW)
    assert pause_source(db, "outlet", NOW).paused
    assert SourceStore(db.engine).due(NOW + timedelta(days=1)) == []
    later = NOW + timedelta(hours=1)
    resumed = resume_source(db, "outlet", later)
    assert not resumed.paused and resumed.next_poll_at == later
    SourceStore(db.engine).mark_seen("outlet", [SeenItem("urn:1", None, "added", None, None)], NOW)
    assert get_source(db, "outlet").items_seen == 1
    remove_source(db, "outlet")
    with pytest.raises(SourceError, match="TW-E904"):
        get_source(db, "outlet")
    with pytest.raises(SourceError, match="TW-E904"):
        remove_source(db, "outlet")


def test_the_sources_commands(tmp_path):
    database = str(tmp_path / "cli.sqlite3")
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, [*args, "--db", database])

    added = run("sources", "add", "https://example.org/feed.xml", "--kind", "atom", "--name", "ex", "--every", "2h")
    assert added.exit_code == 0 and "watching ex (atom, every 2h)" in added.stdout
    assert run("sources", "add", "https://example.org/x", "--kind", "rss", "--name", "ex").exit_code == 2
    assert "0 items seen" in run("sources", "list").stdout
    assert run("sources", "pause", "ex").exit_code == 0
    assert "paused" in run("sources", "list").stdout
    assert run("sources", "resume", "ex").exit_code == 0
    assert run("sources", "remove", "ex").exit_code == 0
    assert "no sources" in run("sources", "list").stdout
    wrong = run("sources", "remove", "ex")
    assert wrong.exit_code == 2 and "TW-E904" in wrong.stderr
