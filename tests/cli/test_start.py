"""The command answers at once when there is nothing to do, completes in the shell, and shows ingest's progress per
report. Wall times are printed by benchmarks/bench_start.py; here, what makes them short: nothing heavy is imported."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from tqdm import tqdm

from trucewatch import __version__
from trucewatch.cli.main import LAZY_GROUPS, main
from trucewatch.jobs.ingest import count_reports, iter_ingest
from trucewatch.pipeline.ingest import iter_sources
from trucewatch.storage import Database

HEAVY = ("sqlalchemy", "alembic", "fastapi", "starlette", "matplotlib", "spacy", "weasyprint", "pyarrow",
         "cryptography", "trucewatch.jobs", "trucewatch.storage")
SCRIPT = Path(sys.executable).with_name("trucewatch")
# Runs the command in a fresh interpreter and prints which heavy modules it imported.
PROBE = """
import sys
from trucewatch.cli.main import main
try:
    main(sys.argv[1:], prog_name="trucewatch")
except SystemExit:
    pass
print("IMPORTED", *sorted(name for name in {heavy!r} if name in sys.modules), file=sys.stderr)
"""


def imported_by(*args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], capture_output=True, text=True,
                          check=True)
    return done.stderr.strip().splitlines()[-1].split()[1:]


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("export", "--help"), ("ingest", "--help")])
def test_version_and_help_import_nothing_heavy(args):
    assert imported_by(*args) == []


def test_version_prints_the_version():
    done = subprocess.run([str(SCRIPT), "--version"], capture_output=True, text=True, check=True)
    assert done.stdout == f"trucewatch, version {__version__}\n"


def test_the_help_lists_the_lazy_groups_with_their_own_short_help():
    result = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True, check=True).stdout
    ctx = click.Context(main)
    for name, lazy in LAZY_GROUPS.items():
        loaded = main.get_command(ctx, name)
        assert loaded is not None and loaded.get_short_help_str(limit=500) == lazy.short_help
        assert f"  {name} " in result and lazy.short_help[:30] in result


def test_a_lazy_group_runs_its_commands():
    done = subprocess.run([str(SCRIPT), "findings", "--help"], capture_output=True, text=True, check=True)
    assert "Usage: trucewatch findings" in done.stdout and "export-bundle" in done.stdout


def test_bash_completion_script_is_produced_and_completes_commands():
    env = {**os.environ, "_TRUCEWATCH_COMPLETE": "bash_source"}
    script = subprocess.run([str(SCRIPT)], capture_output=True, text=True, env=env, check=True).stdout
    assert "_trucewatch_completion()" in script and "complete -o nosort -F _trucewatch_completion trucewatch" in script
    env = {**os.environ, "_TRUCEWATCH_COMPLETE": "bash_complete", "COMP_WORDS": "trucewatch ex", "COMP_CWORD": "1"}
    answer = subprocess.run([str(SCRIPT)], capture_output=True, text=True, env=env, check=True).stdout
    assert "plain,export" in answer.splitlines()


def test_the_ingest_bar_counts_reports_and_moves_once_per_report(runner, tmp_path, monkeypatch, capsys):
    # `runner` puts the stand-in extractor in place: this test is about the bar, not extraction
    many = tmp_path / "many.jsonl"
    many.write_text("".join(json.dumps({"id": f"m-{n}", "published": "2025-10-15", "text": f"Report number {n}."})
                            + "\n" for n in range(300)) + "\n", encoding="utf-8")
    (tmp_path / "one.txt").write_text("One more report.", encoding="utf-8")
    assert count_reports(list(iter_sources([tmp_path]))) == 301  # the blank line is no report
    updates: list[int] = []
    original = tqdm.update

    def counted(self, n=1):
        updates.append(self.total)
        return original(self, n)

    monkeypatch.setattr(tqdm, "update", counted)
    with Database.open(f"sqlite:///{tmp_path / 'bar.sqlite3'}", upgrade=True) as database:
        results = list(iter_ingest([tmp_path], database, published=None, progress=True))
    assert len(results) == 301 and len(updates) == 301 and set(updates) == {301}
    assert "301/301" in capsys.readouterr().err
