"""The `trucewatch` command: thin commands over `trucewatch.jobs`.

Each command parses its options, calls one function and prints what it returns. A `TrucewatchError` from anywhere
becomes its message on stderr and exit code 2 (see `TrucewatchGroup`); other exit codes are documented per command in
docs/cli.md. To add a command, decorate a small function with `@main.command()` and take `@db_option` if it needs
the database.
"""
from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from trucewatch import __version__, jobs
from trucewatch.errors import TrucewatchError
from trucewatch.settings import Settings, load_settings, masked_url

F = TypeVar("F", bound=Callable[..., Any])


class TrucewatchGroup(click.Group):
    """A click group whose commands' TrucewatchErrors end as one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrucewatchError as err:
            click.echo(str(err), err=True)
            ctx.exit(2)


@click.group(cls=TrucewatchGroup)
@click.version_option(__version__, prog_name="trucewatch")
def main() -> None:
    """trucewatch: code ceasefire-related events from news reports, with claims and figures kept apart."""


def db_option(func: F) -> F:
    """--db PATH or URL; default TRUCEWATCH_DB, then ./trucewatch.sqlite3."""
    return click.option("--db", "db", metavar="PATH|URL", default=None,
                        help="SQLite file or SQLAlchemy URL [default: $TRUCEWATCH_DB or ./trucewatch.sqlite3]")(func)


def settings_for(db: str | None) -> Settings:
    """Settings from the environment and config file, with --db on top."""
    settings = load_settings()
    return replace(settings, db=db) if db else settings


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--published", callback=_date, metavar="YYYY-MM-DD",
              help="Publication date for reports that state none of their own.")
@db_option
@click.option("--no-progress", is_flag=True, help="Draw no progress bar.")
def ingest(paths: tuple[Path, ...], published: date | None, db: str | None, no_progress: bool) -> None:
    """Read reports (.json, .jsonl, .txt, .html; folders recursively), code their events and store them.

    Prints one line per refused input on stderr and a summary. Exit code 0 when nothing was refused
    (reports added or already stored), 1 when any input was refused.
    """
    settings = settings_for(db)
    counts: Counter[str] = Counter()
    events = 0
    results = jobs.iter_ingest(list(paths), settings.database_url, published=published,
                               progress=not no_progress and sys.stderr.isatty(),
                               max_report_bytes=settings.max_report_bytes)
    for result in results:
        counts[result.status] += 1
        events += result.events
        if result.status == "refused":
            click.echo(f"{result.source}: {result.reason}", err=True)
    click.echo(f"added {counts['added']}, unchanged {counts['unchanged']}, refused {counts['refused']}; "
               f"{events} events stored in {masked_url(settings.database_url)}")
    if counts["refused"]:
        sys.exit(1)


@main.command()
@click.option("--format", "fmt", default="jsonl", show_default=True, metavar="jsonl|csv|geojson",
              help="jsonl (shared/eval/FORMAT.md), csv (ACLED columns) or geojson (points).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write [default: stdout].")
@db_option
def export(fmt: str, output: Path | None, db: str | None) -> None:
    """Write every stored event, in date order, as JSON Lines, CSV or GeoJSON."""
    settings = settings_for(db)
    with _output(output) as out:
        counts = jobs.export_events(settings.database_url, fmt, out)
    skipped = f" ({counts.skipped} without coordinates left out)" if counts.skipped else ""
    click.echo(f"{counts.written} events written{skipped}" + (f" to {output}" if output else ""), err=True)


@main.command()
@db_option
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True, help="Show at most N events.")
def events(db: str | None, limit: int) -> None:
    """Show the stored events as a table: date, type, actors, place, figures with who gave them, claims."""
    from trucewatch.publish.export import render_table  # noqa: PLC0415

    shown, total = jobs.list_events(settings_for(db).database_url, limit)
    for block in render_table(shown):
        click.echo(block)
    click.echo(f"{len(shown)} of {total} events")


@main.command()
@click.option("--db", "db", metavar="PATH|URL", default="demo.sqlite3", show_default=True,
              help="Where to store the demo (SQLite file or SQLAlchemy URL).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for the exports.")
def demo(db: str, out_dir: Path) -> None:
    """The main job on the bundled sample reports: ingest, code, print the events, write jsonl/csv/geojson."""
    from trucewatch.publish.export import render_table  # noqa: PLC0415

    url = settings_for(db).database_url
    result = jobs.run_demo(url, out_dir, progress=sys.stderr.isatty())
    for block in render_table(result.events):
        click.echo(block)
    counts = Counter(r.status for r in result.ingest)
    click.echo(f"\n{len(result.ingest)} sample reports: added {counts['added']}, unchanged {counts['unchanged']}, "
               f"refused {counts['refused']}; {len(result.events)} events in {masked_url(url)}")
    for fmt, path in result.exports.items():
        click.echo(f"  {fmt:<8} {path}")
    click.echo(f"Next: trucewatch events --db {db}   |   trucewatch export --format csv --db {db}")


@main.command()
@click.argument("corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Keep the export here [default: a temporary file, whose path is printed].")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON (the scorer's keys).")
def evaluate(corpus_dir: Path, output: Path | None, as_json: bool) -> None:
    """Score extraction on a gold corpus (articles/*.json + gold.json), in a throw-away store.

    Uses the same rules as shared/eval/score.py; the export it scored is kept so the scorer can be rerun on it.
    """
    import json  # noqa: PLC0415

    from trucewatch.evaluate import evaluate_corpus, format_figures  # noqa: PLC0415

    result = evaluate_corpus(corpus_dir, progress=sys.stderr.isatty(), export_path=output)
    for refusal in result["ingest"]["refusals"]:
        click.echo(f"{refusal['source']}: {refusal['reason']}", err=True)
    click.echo(json.dumps(result["figures"], indent=2) if as_json else format_figures(result["figures"]))
    click.echo(f"export scored: {result['export_path']}", err=True)


@main.group(cls=TrucewatchGroup)
def db() -> None:
    """Manage the database."""


@db.command("upgrade")
@db_option
def db_upgrade(db: str | None) -> None:
    """Create the database, or bring its schema up to this trucewatch's."""
    url = settings_for(db).database_url
    before, after = jobs.upgrade_db(url)
    change = "already at" if before == after else f"upgraded from {before or 'nothing'} to"
    click.echo(f"{masked_url(url)}: {change} schema {after}")


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    """stdout, or a file that appears complete or not at all (written beside it, then renamed)."""
    if path is None:
        yield sys.stdout
        return
    partial = path.with_name(f".{path.name}.partial")
    try:
        out = partial.open("w", encoding="utf-8", newline="")
    except OSError as err:
        raise click.FileError(str(path), hint=err.strerror or str(err)) from None
    try:
        with out:
            yield out
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
