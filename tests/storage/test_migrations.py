"""The schema is made by Alembic revisions, and the models agree with them."""
from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from trucewatch.cli.main import main
from trucewatch.errors import StorageError
from trucewatch.storage import Database, head_revision, migrate
from trucewatch.storage.repository import _alembic_config
from trucewatch.storage.schema import Base


@pytest.fixture
def db_url(empty_db_url):
    """A database with no schema yet, on SQLite and PostgreSQL (tests/postgres.py)."""
    return empty_db_url


def test_open_creates_the_schema_at_the_head_revision(db_url):
    with Database.open(db_url) as database:
        store = database.reports
        assert store.schema_revision() == head_revision()


def test_models_and_migrations_agree(db_url):
    migrate(db_url)
    with create_engine(db_url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrate_reports_before_and_after(db_url):
    assert migrate(db_url) == (None, head_revision())
    assert migrate(db_url) == (head_revision(), head_revision())


def test_migrations_go_down_and_up_again(db_url):
    migrate(db_url)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "base")
    with engine.connect() as conn:
        assert not inspect(conn).has_table("events")
    engine.dispose()
    assert migrate(db_url) == (None, head_revision())


def test_reading_an_old_database_asks_for_db_upgrade(db_url):
    create_engine(db_url).connect().close()  # an empty database file, no schema yet
    with pytest.raises(StorageError, match="TW-E202.*trucewatch db upgrade"):
        Database.open(db_url, upgrade=False)


def test_a_database_from_a_newer_trucewatch_is_refused(db_url):
    migrate(db_url)
    with create_engine(db_url).begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(StorageError, match="TW-E203.*9999_future"):
        Database.open(db_url)


def test_a_store_of_the_previous_revision_upgrades_with_db_upgrade_and_keeps_its_claims(db_url, tmp_path):
    engine = create_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0006_findings")
        conn.execute(text("INSERT INTO reports (report_id, sha256, published, published_basis, media_type, kind, "
                          "text, ingested_at) VALUES ('r-1', :sha, '2025-10-20', 'file', 'text/plain', 'news', "
                          "'Pakistan denied killing civilians.', '2025-10-20 10:00:00')"), {"sha": "a" * 64})
        conn.execute(text("INSERT INTO events (event_id, report_id, seq, event_type, sub_event_type, time_precision, "
                          "notes) VALUES ('e-1', 'r-1', 0, 'Explosions/Remote violence', 'Air/drone strike', 1, '')"))
        conn.execute(text("INSERT INTO claims (event_id, seq, claimant, stance, about, surface, span_start, span_end, "
                          "sentence) VALUES ('e-1', 0, 'Government of Pakistan', 'denies', 'civilian deaths', "
                          "'Pakistan … denied', 0, 34, 0)"))
    engine.dispose()
    with pytest.raises(StorageError, match="TW-E202"):
        Database.open(db_url, upgrade=False)
    answer = CliRunner().invoke(main, ["db", "upgrade", "--db", db_url])
    assert answer.exit_code == 0, answer.output
    assert f"upgraded from 0006_findings to schema {head_revision()}" in answer.output
    with Database.open(db_url, upgrade=False) as database:
        store = database.reports
        [claim] = store.get_event("e-1").claims
    assert (claim.claimant, claim.stance, claim.span.end) == ("Government of Pakistan", "denies", 34)
    assert (claim.content, claim.content_span, claim.figure) == ("", None, None)  # not coded then: no content
