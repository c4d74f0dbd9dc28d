"""The `log` fixture: an audit log built by real writes (built_log.py); `log_db`, that log's database opened for
reading, as a command or the web app would open it.

The modules of ON_BOTH build their log on SQLite and on PostgreSQL (`backend` is parametrised for them; `pytest -k
postgresql` runs that half): the log's entries and its append-only triggers, the commands over it, the store checked
against the log, and the findings' sealing, signing and publication triggers. The rest check the log's mathematics
(Merkle proofs, checkpoints, every row tampered in every way, public bundles) over rows read the same way from either
database, and stay on SQLite alone to keep the suite within its time.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from built_log import Log, build_log

from postgres import both_back_ends
from trucewatch.storage import Database

ON_BOTH = frozenset({"test_audit_log", "test_monitor_signatures", "test_store_covered"})


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The modules of ON_BOTH run each test that reads a built store on both back ends; the others on SQLite."""
    both_back_ends(metafunc, ON_BOTH, "module")


@pytest.fixture(scope="module")
def backend(request: pytest.FixtureRequest) -> str:
    """"sqlite" or "postgresql": which database the module's log is built in (parametrised by pytest_generate_tests)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="module")
def log(backend: str, request: pytest.FixtureRequest, tmp_path_factory) -> Log:
    server = request.getfixturevalue("postgres_server") if backend == "postgresql" else None
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRUCEWATCH_USER", "monitor-1")
        patch.delenv("TRUCEWATCH_CONFIG", raising=False)
        return build_log(tmp_path_factory.mktemp(f"audit-{backend}"), server)


@pytest.fixture(scope="module")
def log_db(log: Log, tmp_path_factory) -> Iterator[Database]:
    """On PostgreSQL a copy: the tests copy the log's own database, and a database being copied may have nobody
    connected to it."""
    url = log.url if log.server is None else log.copy(tmp_path_factory.mktemp("log-db"))
    with Database.open(url, upgrade=False) as db:
        yield db
