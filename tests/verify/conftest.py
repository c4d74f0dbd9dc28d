"""The `log` fixture: an audit log built by real writes (built_log.py)."""
from __future__ import annotations

import pytest
from built_log import Log, build_log


@pytest.fixture(scope="module")
def log(tmp_path_factory) -> Log:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRUCEWATCH_USER", "monitor-1")
        patch.delenv("TRUCEWATCH_CONFIG", raising=False)
        return build_log(tmp_path_factory.mktemp("audit"))
