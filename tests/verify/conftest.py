"""The `log` fixture: an audit log built by real writes (built_log.py); `log_db`, that log's database opened for
reading, as a command or the web app would open it."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from built_log import Log, build_log

from trucewatch.storage import Database


@pytest.fixture(scope="module")
def log(tmp_path_factory) -> Log:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRUCEWATCH_USER", "monitor-1")
        patch.delenv("TRUCEWATCH_CONFIG", raising=False)
        return build_log(tmp_path_factory.mktemp("audit"))


@pytest.fixture(scope="module")
def log_db(log: Log) -> Iterator[Database]:
    with Database.open(log.url, upgrade=False) as db:
        yield db
