"""The schema is made by Alembic revisions, and the models agree with them."""
from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from trucewatch.errors import StorageError
from trucewatch.storage import Store, head_revision, migrate
from trucewatch.storage.repository import _alembic_config
from trucewatch.storage.schema import Base


def test_open_creates_the_schema_at_the_head_revision(db_url):
    with Store.open(db_url) as store:
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
        assert conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'events'")).scalar() == 0
    assert migrate(db_url) == (None, head_revision())


def test_reading_an_old_database_asks_for_db_upgrade(db_url):
    create_engine(db_url).connect().close()  # an empty database file, no schema yet
    with pytest.raises(StorageError, match="TW-E202.*trucewatch db upgrade"):
        Store.open(db_url, upgrade=False)


def test_a_database_from_a_newer_trucewatch_is_refused(db_url):
    migrate(db_url)
    with create_engine(db_url).begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(StorageError, match="TW-E203.*9999_future"):
        Store.open(db_url)
