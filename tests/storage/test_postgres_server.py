"""The session's throw-away PostgreSQL server (tests/postgres.py): each test gets its own database at the current
schema, and what one test writes never shows in another's."""
from __future__ import annotations

from sqlalchemy import create_engine, text

from trucewatch.storage import Database, head_revision


def test_a_fresh_database_is_at_the_current_schema_with_no_reports(postgres_server) -> None:
    url = postgres_server.fresh_database()
    with Database.open(url, upgrade=False) as db:
        assert db.reports.schema_revision() == head_revision()
        assert db.reports.count_reports() == 0


def test_fresh_databases_are_apart(postgres_server, make_report) -> None:
    first, second = postgres_server.fresh_database(), postgres_server.fresh_database()
    with Database.open(first) as db:
        assert db.reports.save(make_report(), [])
    with Database.open(second) as db:
        assert db.reports.count_reports() == 0


def test_an_unmigrated_database_has_no_tables(postgres_server) -> None:
    engine = create_engine(postgres_server.fresh_database(migrated=False))
    try:
        with engine.connect() as conn:
            tables = conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar_one()
    finally:
        engine.dispose()
    assert tables == 0
