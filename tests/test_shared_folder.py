"""A clone without ../shared beside it passes its tests, saying what it did not run; CI without ../shared fails.

Each case runs pytest in a made-up repository folder whose tests/conftest.py is this project's, with one test that
reads ../shared through the `shared_dir` fixture.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")
READS_SHARED = '''
def test_reads_the_shared_scorer(shared_dir):
    assert (shared_dir / "eval" / "score.py").read_text() == "SCORE = 1\\n"


def test_needs_nothing_shared():
    assert True
'''


def _clone(root: Path, with_shared: bool) -> Path:
    repo = root / "main"
    (repo / "tests").mkdir(parents=True)
    shutil.copy(CONFTEST, repo / "tests" / "conftest.py")
    shutil.copy(CONFTEST.with_name("postgres.py"), repo / "tests" / "postgres.py")  # the conftest imports its fixtures
    (repo / "tests" / "test_uses_shared.py").write_text(READS_SHARED, encoding="utf-8")
    (repo / "pytest.ini").write_text("[pytest]\naddopts = -ra -p no:cacheprovider -p no:randomly\n", encoding="utf-8")
    if with_shared:
        (root / "shared" / "eval").mkdir(parents=True)
        (root / "shared" / "eval" / "score.py").write_text("SCORE = 1\n", encoding="utf-8")
    return repo


def _pytest(repo: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"} | ({"CI": ci} if ci is not None else {})
    return subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_without_shared_the_tests_that_read_it_are_skipped_and_reported_as_not_run(tmp_path: Path) -> None:
    run = _pytest(_clone(tmp_path, with_shared=False), ci=None)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed, 1 skipped" in run.stdout
    assert "not run, ../shared absent" in run.stdout and str(tmp_path / "shared") in run.stdout
    assert "The comparison with the shared scorer" in run.stdout  # the closing line, not only the skip's reason


@pytest.mark.parametrize("ci", ["true", "1"])
def test_in_ci_a_missing_shared_folder_fails_the_run(tmp_path: Path, ci: str) -> None:
    run = _pytest(_clone(tmp_path, with_shared=False), ci=ci)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 passed, 1 error" in run.stdout and "CI must keep the 'shared' folder" in run.stdout


@pytest.mark.parametrize("ci", [None, "true", "false"])
def test_with_shared_beside_the_clone_the_tests_run(tmp_path: Path, ci: str | None) -> None:
    run = _pytest(_clone(tmp_path, with_shared=True), ci=ci)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout and "not run" not in run.stdout
