"""The `trucewatch` command: thin commands over `trucewatch.jobs`.

Each command parses its options, calls one function and prints what it returns. A `TrucewatchError` from anywhere
becomes its message on stderr and exit code 2 (see `TrucewatchGroup`); other exit codes are documented per command in
docs/cli.md. To add a command, decorate a small function with `@main.command()` and take `@db_option` if it needs
the database.
"""
from __future__ import annotations

import getpass
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
        if result.reason:  # a refusal, or a note on a stored report (a revision, resolution to redo)
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
    """The main job on the bundled sample reports: ingest, code, resolve into incidents, print the events, the
    incidents and the most disputed one in full, write jsonl/csv/geojson."""
    from trucewatch.publish.export import render_table  # noqa: PLC0415
    from trucewatch.publish.incidents import render_incident, render_incident_table  # noqa: PLC0415

    url = settings_for(db).database_url
    result = jobs.run_demo(url, out_dir, progress=sys.stderr.isatty())
    for block in render_table(result.events):
        click.echo(block)
    click.echo(f"\nIncidents: the {len(result.events)} events resolved into {len(result.incidents)}\n")
    for block in render_incident_table(result.incidents):
        click.echo(block)
    if result.contested is not None:
        click.echo("\nThe most disputed incident in full:\n")
        for line in render_incident(result.contested):
            click.echo(line)
    counts = Counter(r.status for r in result.ingest)
    contested = sum(1 for i in result.incidents if i.contested)
    click.echo(f"\n{len(result.ingest)} sample reports: added {counts['added']}, unchanged {counts['unchanged']}, "
               f"refused {counts['refused']}; {len(result.events)} events in {len(result.incidents)} incidents "
               f"({contested} contested) in {masked_url(url)}")
    for fmt, path in result.exports.items():
        click.echo(f"  {fmt:<8} {path}")
    click.echo(f"Next: trucewatch incidents --db {db}   |   trucewatch incident ID --db {db}   |   "
               f"trucewatch export --format csv --db {db}")


@main.command()
@db_option
@click.option("--from", "date_from", callback=_date, metavar="YYYY-MM-DD", help="Incidents that end on or after this day.")
@click.option("--to", "date_to", callback=_date, metavar="YYYY-MM-DD", help="Incidents that begin on or before this day.")
@click.option("--country", help="Country, as the gazetteer names it (any case).")
@click.option("--province", help="Province (ACLED admin1), as the gazetteer names it (any case).")
@click.option("--type", "event_type", help="ACLED event type or sub-event type (any case), e.g. 'Armed clash'.")
@click.option("--actor", help="Part of an actor's name (any case), e.g. 'Pakistan'.")
@click.option("--contested/--uncontested", default=None, help="Only contested incidents, or only uncontested ones.")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True, help="Show at most N incidents.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip the first N incidents.")
def incidents(db: str | None, limit: int, offset: int, **filters: Any) -> None:
    """Show the incidents as a table: id, dates, type, place, actors, reports, deaths (best, low-high), contested."""
    from trucewatch.publish.incidents import render_incident_table  # noqa: PLC0415

    shown, total = jobs.list_incidents(settings_for(db).database_url, limit, offset, **filters)
    for block in render_incident_table(shown):
        click.echo(block)
    click.echo(f"{len(shown)} of {total} incidents" + (f" (from number {offset + 1})" if offset else ""))


@main.command()
@click.argument("incident_id")
@db_option
def incident(incident_id: str, db: str | None) -> None:
    """Show one incident in full: reports, events, figures by claimant, estimates, claims by party, overrides."""
    from trucewatch.publish.incidents import render_incident  # noqa: PLC0415

    for line in render_incident(jobs.get_incident(settings_for(db).database_url, incident_id)):
        click.echo(line)


@main.command()
@db_option
def resolve(db: str | None) -> None:
    """Resolve every stored event into incidents from scratch, with the monitors' overrides, and print counts."""
    url = settings_for(db).database_url
    counts = jobs.resolve_all(url)
    click.echo(f"{counts['events']} events in {counts['incidents']} incidents; {counts['changed']} events changed "
               f"incident, {counts['dropped']} incidents gone; in {masked_url(url)}")


def override_options(func: F) -> F:
    """--by NAME (default TRUCEWATCH_USER, then the login name), --note TEXT, --db."""
    func = click.option("--note", default="", help="Why: kept with the override.")(func)
    func = click.option("--by", "by", metavar="NAME", default=None,
                        help="Who decides [default: $TRUCEWATCH_USER, else the login name].")(func)
    return db_option(func)


def _who(by: str | None) -> str:
    if by:
        return by
    user = load_settings().user
    if user:
        return user
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name to be found (some containers): jobs.override asks for --by
        return ""


def _recorded(o: Any) -> None:
    from trucewatch.publish.incidents import override_text  # noqa: PLC0415

    click.echo(f"override {o.override_id} recorded by {o.by}: {override_text(o)}")


@main.command()
@click.argument("keep")
@click.argument("absorb")
@override_options
def merge(keep: str, absorb: str, by: str | None, note: str, db: str | None) -> None:
    """Merge incident ABSORB into incident KEEP: all their events are one incident, from now on."""
    url = settings_for(db).database_url
    recorded = jobs.merge_incidents(url, keep, absorb, _who(by), note)
    _recorded(recorded)
    click.echo(f"the events of {keep} and {absorb} are now incident "
               f"{jobs.incident_of_event(url, recorded.target_event_id or recorded.event_id)}")


@main.command()
@click.argument("event_id")
@override_options
def split(event_id: str, by: str | None, note: str, db: str | None) -> None:
    """Split event EVENT_ID out of its incident: it stands alone, and nothing joins it automatically."""
    url = settings_for(db).database_url
    _recorded(jobs.split_event(url, event_id, _who(by), note))
    click.echo(f"{event_id} is now incident {jobs.incident_of_event(url, event_id)}")


@main.command()
@click.argument("event_id")
@click.argument("incident_id")
@override_options
def pin(event_id: str, incident_id: str, by: str | None, note: str, db: str | None) -> None:
    """Pin event EVENT_ID to incident INCIDENT_ID, whatever automatic resolution says."""
    url = settings_for(db).database_url
    _recorded(jobs.pin_event(url, event_id, incident_id, _who(by), note))
    click.echo(f"{event_id} is now in incident {jobs.incident_of_event(url, event_id)}")


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
