"""A --db that is not a database, or a truncated one: every command says TW-E201 with what to do and exits 2 (for
`audit verify`, exit 1 would mean "the log does not verify")."""
from __future__ import annotations

from pathlib import Path

import pytest

from trucewatch.cli.main import main

COMMANDS = (["events"], ["incidents"], ["audit", "verify"], ["ingest", "{reports}"])


@pytest.fixture
def text_file(tmp_path) -> Path:
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are my notes, not a database\n" * 200)
    return path


@pytest.fixture
def truncated(runner, reports, tmp_path) -> Path:
    """A real database cut off at a third of its length, as a failed copy leaves it."""
    path = tmp_path / "cut.sqlite3"
    assert runner.invoke(main, ["ingest", str(reports), "--db", str(path)]).exit_code in (0, 1)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 3])
    for extra in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        extra.unlink(missing_ok=True)
    return path


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
@pytest.mark.parametrize("broken", ["text_file", "truncated"])
def test_a_broken_database_is_tw_e201_and_exit_2(runner, reports, command, broken, request):
    db = request.getfixturevalue(broken)
    args = [arg.format(reports=reports) for arg in command]
    result = runner.invoke(main, [*args, "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("TW-E201"), result.stderr
    assert "Traceback" not in result.stderr
    assert "--db" in result.stderr  # says what to do


def test_a_failed_open_leaves_the_file_as_it_was(runner, text_file):
    before = text_file.read_bytes()
    runner.invoke(main, ["events", "--db", str(text_file)])
    assert text_file.read_bytes() == before
