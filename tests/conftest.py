"""Puts tests/ on the import path of every test folder (pytest's prepend mode inserts the first folder without an
`__init__.py`), so the helpers shared across folders import by name: `from signing import monitor_key, sign_with`.

`shared_dir` is ../shared, the folder CI keeps beside the repository: the corpora, the reference scorer
(eval/score.py) and the seed article, none of which this repository may copy. A test that reads it takes the fixture.
Where ../shared is absent (a plain clone) such a test is skipped with the reason, and the run ends with a line saying
what was not run; under CI (the CI variable set) its absence fails the test instead, so CI never passes without them.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from postgres import db_url, empty_db_url, postgres_server  # noqa: F401  (fixtures: tests/postgres.py)

SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"
NOT_RUN = "not run, ../shared absent"


def in_ci() -> bool:
    """CI services set CI (GitHub Actions and GitLab to "true"); an empty, "0" or "false" value means not CI."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def running_in_ci() -> bool:
    """Whether this run is CI's, where a tier that cannot run fails instead of being skipped."""
    return in_ci()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared; or, where it does not exist, a skip, or under CI a failure."""
    if SHARED_DIR.is_dir():
        return SHARED_DIR
    if in_ci():
        pytest.fail(f"{SHARED_DIR} does not exist: CI must keep the 'shared' folder (corpora, eval/score.py, seed) "
                    f"beside the repository and run the tests that read it", pytrace=False)
    pytest.skip(f"{NOT_RUN}: {SHARED_DIR} does not exist (it holds the corpora, the shared scorer eval/score.py "
                f"and the seed article; CI has it)")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Says, after the run, which comparisons did not run for want of ../shared (a skip alone is easy to miss)."""
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if NOT_RUN in str(report.longrepr)]
    if skipped:
        terminalreporter.write_sep("-", "../shared absent")
        terminalreporter.write_line(
            f"The comparison with the shared scorer (tests/test_evaluate.py) and the seed article's tests: {NOT_RUN} "
            f"({SHARED_DIR}); {len(skipped)} tests skipped. CI runs them; a clone runs them with ../shared beside it.")
