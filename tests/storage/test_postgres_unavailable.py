"""Where PostgreSQL cannot be started, its tests are skipped with the reason; under CI they fail instead.

Each case runs pytest in a made-up repository folder holding this project's tests/conftest.py and tests/postgres.py,
with one test on both back ends, and a PostgreSQL bin folder that has no server in it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ON_BOTH = '''
def test_on_both_back_ends(db_url):
    assert db_url.startswith(("sqlite", "postgresql"))
'''


def _run_without_postgres(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    repo = tmp_path / "main"
    (repo / "tests").mkdir(parents=True)
    for name in ("conftest.py", "postgres.py"):
        shutil.copy(TESTS / name, repo / "tests" / name)
    (repo / "tests" / "test_both.py").write_text(ON_BOTH, encoding="utf-8")
    (repo / "pytest.ini").write_text("[pytest]\naddopts = -ra -p no:cacheprovider\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"} | ({"CI": ci} if ci else {})
    env["TRUCEWATCH_TEST_POSTGRES_BIN"] = str(tmp_path / "no-postgres-here")
    return subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_outside_ci_the_postgresql_half_is_skipped_with_the_reason(tmp_path: Path) -> None:
    run = _run_without_postgres(tmp_path, ci=None)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed, 1 skipped" in run.stdout
    assert "PostgreSQL not started" in run.stdout and "has no initdb" in run.stdout


def test_under_ci_the_postgresql_half_fails_the_run(tmp_path: Path) -> None:
    run = _run_without_postgres(tmp_path, ci="true")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 passed, 1 error" in run.stdout and "CI must run the PostgreSQL tests" in run.stdout
