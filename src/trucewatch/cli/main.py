"""The `trucewatch` command: thin commands over `trucewatch.jobs`.

Each command parses its options, calls one function and prints what it returns. A `TrucewatchError` from anywhere
becomes its message on stderr and exit code 2 (see `TrucewatchGroup`); other exit codes are documented per command in
docs/cli.md. To add a command, decorate a small function with `@main.command()` and take `@db_option` if it needs
the database. Commands that read the conflict's sides, places or clocks hand the jobs `conflict_of(settings)`: the
data folder of the setting `data_dir`, else the shipped data (docs/conflict.md).
"""
from __future__ import annotations

import getpass
import importlib
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import click

from trucewatch import __version__
from trucewatch.errors import TrucewatchError
from trucewatch.records import GUARANTOR_CODES

if TYPE_CHECKING:
    from trucewatch.conflict import Conflict
    from trucewatch.settings import Settings
    from trucewatch.storage import Database

# This module imports no more than click and trucewatch's plain records at startup, so that `--version`, `--help` and
# shell completion answer at once: the jobs (and SQLAlchemy, FastAPI, spaCy ... under them) are imported inside the
# commands that run them (benchmarks/bench_start.py measures it).

F = TypeVar("F", bound=Callable[..., Any])


class LazyGroup(NamedTuple):
    """A command group kept in a module of its own, imported when one of its commands runs or its help is shown."""

    module: str
    attribute: str
    short_help: str  # what `trucewatch --help` lists for it, without importing it (tests/cli/test_start.py checks it)


LAZY_GROUPS = {
    "alerts": LazyGroup("trucewatch.cli.alert_commands", "alerts",
                        "Alert rules, watched incidents, the alerts fired and their deliveries (docs/alerts.md)."),
    "audit": LazyGroup("trucewatch.cli.audit_commands", "audit",
                       "The tamper-evident audit log: keys, signed checkpoints, verification, entries and proofs."),
    "complaints": LazyGroup("trucewatch.cli.casework_commands", "complaints",
                            "Complaints and their workflow: list, show, transition (docs/findings.md)."),
    "findings": LazyGroup("trucewatch.cli.casework_commands", "findings",
                          "Findings: list, show, draft, sign, publish, amend, export-bundle (docs/findings.md)."),
    "sources": LazyGroup("trucewatch.cli.live_commands", "sources",
                         "Sources the watch polls: add, list, pause, resume, remove (docs/live.md)."),
    "watch": LazyGroup("trucewatch.cli.live_commands", "watch",
                       "Poll the due sources, ingest new items and resolve them into incidents, then the alert "
                       "rules; a line per round."),
}


class TrucewatchGroup(click.Group):
    """A click group whose commands' TrucewatchErrors end as one line on stderr and exit code 2, and whose
    `lazy` groups are imported only when asked for."""

    def __init__(self, *args: Any, lazy: dict[str, LazyGroup] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrucewatchError as err:
            click.echo(str(err), err=True)
            ctx.exit(2)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            found = self.lazy[cmd_name]
            self.add_command(getattr(importlib.import_module(found.module), found.attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's list of commands, with the lazy groups' short help from `lazy` (nothing imported for it)."""
        rows: list[tuple[str, str]] = []
        limit = formatter.width - 6 - max((len(name) for name in self.list_commands(ctx)), default=0)
        for name in self.list_commands(ctx):
            if name in self.lazy and name not in self.commands:
                rows.append((name, click.Command(name, help=self.lazy[name].short_help).get_short_help_str(limit)))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=TrucewatchGroup, lazy=LAZY_GROUPS)
@click.version_option(__version__, prog_name="trucewatch", package_name="trucewatch")
def main() -> None:
    """trucewatch: code ceasefire-related events from news reports, with claims and figures kept apart."""


def db_option(func: F) -> F:
    """--db PATH or URL; default TRUCEWATCH_DB, then ./trucewatch.sqlite3."""
    return click.option("--db", "db", metavar="PATH|URL", default=None,
                        help="SQLite file or SQLAlchemy URL [default: $TRUCEWATCH_DB or ./trucewatch.sqlite3]")(func)


def settings_for(db: str | None) -> Settings:
    """Settings from the environment and config file, with --db on top."""
    from trucewatch.settings import load_settings  # noqa: PLC0415  (SQLAlchemy: not for --help)

    settings = load_settings()
    return replace(settings, db=db) if db else settings



def open_database(settings: Settings, *, write: bool = False) -> Database:
    """The one Database a command works on, closed by click when the command ends. A command that only reads needs
    the database to exist at this trucewatch's schema (TW-E201, TW-E202); one that writes creates or upgrades it."""
    from trucewatch.storage import Database  # noqa: PLC0415  (SQLAlchemy and Alembic: not for --help)

    return click.get_current_context().with_resource(Database.open(settings.database_url, upgrade=write))


def conflict_of(settings: Settings) -> Conflict:
    """The conflict the settings name (`data_dir`), else the shipped data; TW-E402 when its folder cannot be used."""
    from trucewatch.conflict import load_conflict  # noqa: PLC0415  (only commands that read the conflict)

    return load_conflict(settings)


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
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
              help="Code events in N processes (one per core); this one stores them, in input order.")
def ingest(paths: tuple[Path, ...], published: date | None, db: str | None, no_progress: bool, workers: int) -> None:
    """Read reports (.json, .jsonl, .txt, .html; folders recursively), code their events and store them.

    Prints one line per refused input on stderr and a summary. Exit code 0 when nothing was refused
    (reports added or already stored), 1 when any input was refused.
    """
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)

    settings = settings_for(db)
    database = open_database(settings, write=True)
    _repair_loose(database, settings)
    counts: Counter[str] = Counter()
    events = 0
    results = jobs.ingest.iter_ingest(list(paths), database, published=published,
                                      progress=not no_progress and sys.stderr.isatty(),
                                      max_report_bytes=settings.max_report_bytes, conflict=conflict_of(settings),
                                      max_extract_seconds=settings.max_extract_seconds, workers=workers)
    added: list[str] = []
    for result in results:
        counts[result.status] += 1
        events += result.events
        if result.status == "added" and result.report_id:
            added.append(result.report_id)
        if result.reason:  # a refusal, or a note on a stored report (a revision, resolution to redo)
            click.echo(f"{result.source}: {result.reason}", err=True)
    click.echo(f"added {counts['added']}, unchanged {counts['unchanged']}, refused {counts['refused']}; "
               f"{events} events stored in {database.shown_url}")
    _alert_on(database, added, settings)
    if counts["refused"]:
        sys.exit(1)


def _alert_on(database: Database, report_ids: list[str], settings: Settings) -> None:
    """The alert rules on what an ingest added (docs/alerts.md): alerts fired, and their first delivery."""
    if not report_ids:
        return
    from datetime import UTC, datetime  # noqa: PLC0415

    from trucewatch.jobs.alerts import deliver_due, on_new_reports  # noqa: PLC0415

    now = datetime.now(UTC)
    fired = on_new_reports(database, report_ids, conflict_of(settings), now, settings=settings)
    if fired:
        sent = sum(r.state == "sent" for r in deliver_due(database, now, settings=settings))
        click.echo(f"{_plural(len(fired), 'alert')} fired, {sent} deliveries sent (see 'trucewatch alerts list')")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes of the local Dask cluster [default: one per core].")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="An existing Dask scheduler (tcp://HOST:8786) whose workers code the reports, instead of a local "
                   "cluster.")
@click.option("--batch", type=click.IntRange(min=1), default=200, show_default=True, metavar="B",
              help="Reports per partition sent to a worker and stored in one transaction.")
@click.option("--published", callback=_date, metavar="YYYY-MM-DD",
              help="Publication date for reports that state none of their own.")
@db_option
@click.option("--no-progress", is_flag=True, help="Draw no progress bar.")
def backfill(paths: tuple[Path, ...], workers: int | None, scheduler: str | None, batch: int,
             published: date | None, db: str | None, no_progress: bool) -> None:
    """Code a large archive of reports on a Dask cluster, store them, then resolve all incidents once.

    Reports already stored (same SHA-256) are skipped before extraction, so a backfill that was stopped resumes
    where it stopped. Prints the dashboard's address, one line per refused report on stderr, and a summary. Exit
    code 0 when nothing was refused, 1 otherwise. Needs Dask: pip install 'trucewatch[backfill]' (docs/backfill.md).
    """
    from trucewatch.jobs.backfill import BackfillOptions, backfill_job  # noqa: PLC0415  (Dask: only here)

    settings = settings_for(db)
    database = open_database(settings, write=True)
    options = BackfillOptions(workers=workers or os.cpu_count() or 1, scheduler=scheduler, batch=batch,
                              published=published, max_report_bytes=settings.max_report_bytes,
                              max_extract_seconds=settings.max_extract_seconds,
                              progress=not no_progress and sys.stderr.isatty())

    def refused(result: Any) -> None:
        if result.reason:
            click.echo(f"{result.source}: {result.reason}", err=True)

    counts = backfill_job(list(paths), database, options, conflict_of(settings), refused=refused,
                          on_cluster=lambda link: click.echo(f"Dask dashboard: {link}", err=True))
    resolved = counts.resolved
    click.echo(f"added {counts.added}, skipped {counts.skipped} already stored, refused {counts.refused}; "
               f"{counts.events} events; {resolved.get('events', 0)} events in {resolved.get('incidents', 0)} "
               f"incidents in {database.shown_url}")
    if counts.refused:
        sys.exit(1)


@main.command()
@click.option("--format", "fmt", default="jsonl", show_default=True, metavar="jsonl|csv|geojson|parquet",
              help="jsonl (shared/eval/FORMAT.md), csv (ACLED columns), geojson (points) or parquet (the CSV's "
                   "columns, typed).")
@click.option("--level", metavar="incident|account", default=None,
              help="A row per incident (its deaths counted once: sum `fatalities` safely) or per report's account of "
                   "an event [default: incident; account for jsonl].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write [default: stdout].")
@db_option
def export(fmt: str, level: str | None, output: Path | None, db: str | None) -> None:
    """Write the record, in date order, as JSON Lines, CSV, GeoJSON or Parquet: one row per incident or per account."""
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)
    from trucewatch.publish.export import level_for  # noqa: PLC0415  (only export needs it)

    # before the database is opened: a typo in --format or --level is named first, and no file is left
    level = level_for(fmt, level)
    binary = fmt == "parquet"
    if binary and output is None and sys.stdout.isatty():
        raise click.UsageError("Parquet is binary: write it to a file with -o FILE, or redirect stdout")
    database = open_database(settings_for(db))
    with _output(output, binary=binary) as out:
        counts = jobs.exports.export_events(database, fmt, out, level)
    skipped = f" ({counts.skipped} without coordinates left out)" if counts.skipped else ""
    rows = _plural(counts.written, "incident" if level == "incident" else "event")
    click.echo(f"{rows} written{skipped}" + (f" to {output}" if output else ""), err=True)


@main.command()
@db_option
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True, help="Show at most N events.")
def events(db: str | None, limit: int) -> None:
    """Show the stored events as a table: date, type, actors, place, figures with who gave them, claims."""
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)
    from trucewatch.publish.export import render_table  # noqa: PLC0415

    shown, total = jobs.incidents.list_events(open_database(settings_for(db)), limit)
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
    incidents and the most disputed one in full, write jsonl/csv/geojson; load the example agreements and assess the
    incidents against the Doha ceasefire (out/demo-compliance-doha-2025-10-19.jsonl, and a per-party summary)."""
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)
    from trucewatch.publish.compliance import render_party_summary  # noqa: PLC0415
    from trucewatch.publish.export import render_table  # noqa: PLC0415
    from trucewatch.publish.incidents import render_incident, render_incident_table  # noqa: PLC0415

    database = open_database(settings_for(db), write=True)
    result = jobs.demo.run_demo(database, out_dir, progress=sys.stderr.isatty())
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
               f"({contested} contested) in {database.shown_url}")
    for fmt, path in result.exports.items():
        click.echo(f"  {fmt:<11} {path}")
    click.echo(f"\nAgreements loaded: {', '.join(f'{c.agreement_id} ({c.status})' for c in result.agreements)}")
    counts = Counter(a.window_status for a in result.compliance)
    click.echo(f"Against {jobs.demo.DEMO_AGREEMENT}: {counts['inside']} incidents inside the window, "
               f"{counts['uncertain']} uncertain, {counts['outside']} outside. Potential violations per party:\n")
    for line in render_party_summary(result.parties, jobs.agreements.get_agreement(database, jobs.demo.DEMO_AGREEMENT)):
        click.echo(line)
    click.echo(f"\nNext: trucewatch incidents --db {db}   |   trucewatch incident ID --db {db}   |   "
               f"trucewatch compliance --agreement {jobs.demo.DEMO_AGREEMENT} --view timeline --db {db}")


@main.command()
@db_option
@click.option("--from", "date_from", callback=_date, metavar="YYYY-MM-DD",
              help="Incidents that end on or after this day.")
@click.option("--to", "date_to", callback=_date, metavar="YYYY-MM-DD",
              help="Incidents that begin on or before this day.")
@click.option("--country", help="Country, as the gazetteer names it (any case).")
@click.option("--province", help="Province (ACLED admin1), as the gazetteer names it (any case).")
@click.option("--type", "event_type", help="ACLED event type or sub-event type (any case), e.g. 'Armed clash'.")
@click.option("--actor", help="Part of an actor's name (any case), e.g. 'Pakistan'.")
@click.option("--contested/--uncontested", default=None, help="Only contested incidents, or only uncontested ones.")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True, help="Show at most N incidents.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip the first N incidents.")
def incidents(db: str | None, limit: int, offset: int, **filters: Any) -> None:
    """Show the incidents as a table: id, dates, type, place, actors, reports, deaths (best, low-high), contested."""
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)
    from trucewatch.publish.incidents import render_incident_table  # noqa: PLC0415

    shown, total = jobs.incidents.list_incidents(open_database(settings_for(db)), limit, offset, **filters)
    for block in render_incident_table(shown):
        click.echo(block)
    click.echo(f"{len(shown)} of {total} incidents" + (f" (from number {offset + 1})" if offset else ""))


@main.command()
@click.argument("incident_id")
@db_option
def incident(incident_id: str, db: str | None) -> None:
    """Show one incident in full: reports, events, figures by claimant, estimates, claims by party, overrides."""
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)
    from trucewatch.publish.incidents import render_incident  # noqa: PLC0415

    settings = settings_for(db)
    found = jobs.incidents.get_incident(open_database(settings), incident_id, conflict_of(settings))
    for line in render_incident(found):
        click.echo(line)


def _repair_loose(database: Database, settings: Settings) -> None:
    """Place events a crash left in no incident (a cheap indexed check), saying so on stderr."""
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)

    placed = jobs.incidents.repair_loose_events(database, conflict_of(settings))
    if placed:
        click.echo(f"placed {_plural(placed, 'event')} that were in no incident (left by an interrupted write)",
                   err=True)


@main.command()
@db_option
@click.option("--check", is_flag=True,
              help="Only find and repair events in no incident and incident rows that disagree with their events.")
def resolve(db: str | None, check: bool) -> None:
    """Resolve every stored event into incidents from scratch, with the monitors' overrides, and print counts.

    With --check, resolve nothing anew: list events in no incident and ghost (no events), stale (wrong event count)
    or missing incident rows, and repair them, in one transaction. Exit code 0 in both cases.
    """
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)

    settings = settings_for(db)
    database = open_database(settings, write=True)
    if check:
        found = jobs.incidents.check_incidents(database, conflict_of(settings))
        for kind, ids in found.items():
            for found_id in ids:
                click.echo(f"{kind}: {found_id}")
        click.echo(f"{len(found['loose'])} events in no incident, {len(found['ghost'])} ghost, "
                   f"{len(found['stale'])} stale and {len(found['missing'])} missing incident rows"
                   f"{'; repaired' if any(found.values()) else ''} in {database.shown_url}")
        return
    _repair_loose(database, settings)
    counts = jobs.incidents.resolve_all(database, conflict_of(settings))
    click.echo(f"{counts['events']} events in {counts['incidents']} incidents; {counts['changed']} events changed "
               f"incident, {counts['dropped']} incidents gone; in {database.shown_url}")


def override_options(func: F) -> F:
    """--by NAME (default TRUCEWATCH_USER, then the login name), --note TEXT, --db."""
    func = click.option("--note", default="", help="Why: kept with the override.")(func)
    func = click.option("--by", "by", metavar="NAME", default=None,
                        help="Who decides [default: $TRUCEWATCH_USER, else the login name].")(func)
    return db_option(func)


def _who(by: str | None) -> str:

    if by:
        return by
    user = settings_for(None).user
    if user:
        return user
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name to be found (some containers): jobs.incidents.override asks for --by
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
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)

    settings = settings_for(db)
    database = open_database(settings)
    recorded = jobs.incidents.merge_incidents(database, keep, absorb, _who(by), note, conflict_of(settings))
    _recorded(recorded)
    click.echo(f"the events of {keep} and {absorb} are now incident "
               f"{jobs.incidents.incident_of_event(database, recorded.target_event_id or recorded.event_id)}")


@main.command()
@click.argument("event_id")
@override_options
def split(event_id: str, by: str | None, note: str, db: str | None) -> None:
    """Split event EVENT_ID out of its incident: it stands alone, and nothing joins it automatically."""
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)

    settings = settings_for(db)
    database = open_database(settings)
    _recorded(jobs.incidents.split_event(database, event_id, _who(by), note, conflict_of(settings)))
    click.echo(f"{event_id} is now incident {jobs.incidents.incident_of_event(database, event_id)}")


@main.command()
@click.argument("event_id")
@click.argument("incident_id")
@override_options
def pin(event_id: str, incident_id: str, by: str | None, note: str, db: str | None) -> None:
    """Pin event EVENT_ID to incident INCIDENT_ID, whatever automatic resolution says."""
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)

    settings = settings_for(db)
    database = open_database(settings)
    _recorded(jobs.incidents.pin_event(database, event_id, incident_id, _who(by), note, conflict_of(settings)))
    click.echo(f"{event_id} is now in incident {jobs.incidents.incident_of_event(database, event_id)}")


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

    from trucewatch.jobs.evaluate import evaluate_corpus, format_figures  # noqa: PLC0415

    result = evaluate_corpus(corpus_dir, progress=sys.stderr.isatty(), export_path=output)
    for refusal in result["ingest"]["refusals"]:
        click.echo(f"{refusal['source']}: {refusal['reason']}", err=True)
    click.echo(json.dumps(result["figures"], indent=2) if as_json else format_figures(result["figures"]))
    click.echo(f"export scored: {result['export_path']}", err=True)


# --- agreements and compliance ---------------------------------------------------------------------------------------


@main.group(cls=TrucewatchGroup)
def agreements() -> None:
    """Agreements (truces, ceasefires): load from TOML, list, show, edit, remove, export."""


@agreements.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def agreements_load(file: Path, db: str | None) -> None:
    """Validate an agreements file and store its agreements (each replaces the stored one of its id).

    Prints each agreement's id and whether it was added, updated or unchanged. A file with any mistake loads nothing:
    every mistake is printed with its field path (exit code 2).
    """
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)

    settings = settings_for(db)
    database = open_database(settings, write=True)
    changes = jobs.agreements.load_agreements(database, file, conflict_of(settings))
    for change in changes:
        click.echo(f"{change.status:<9}  {change.agreement_id}")
    counts = Counter(c.status for c in changes)
    click.echo(f"added {counts['added']}, updated {counts['updated']}, unchanged {counts['unchanged']}; "
               f"in {database.shown_url}")


@agreements.command("list")
@db_option
def agreements_list(db: str | None) -> None:
    """Show the stored agreements: id, kind, when in force (supersession counted), parties, commitments."""
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)
    from trucewatch.publish.compliance import render_agreement_table  # noqa: PLC0415

    settings = settings_for(db)
    found = jobs.agreements.list_agreements(open_database(settings))
    for block in render_agreement_table(found, conflict_of(settings).zone_names):
        click.echo(block)
    click.echo(f"{len(found)} agreements")


@agreements.command("show")
@click.argument("agreement_id")
@db_option
def agreements_show(agreement_id: str, db: str | None) -> None:
    """Show one agreement in full: window, parties, guarantors, mediators, supersession, commitments, sources, notes."""
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)
    from trucewatch.publish.compliance import render_agreement  # noqa: PLC0415

    settings = settings_for(db)
    database = open_database(settings)
    agreement = jobs.agreements.get_agreement(database, agreement_id)
    stored = jobs.agreements.list_agreements(database)
    for line in render_agreement(agreement, stored, conflict_of(settings).zone_names):
        click.echo(line)


@agreements.command("set")
@click.argument("agreement_id")
@click.option("--end", metavar="YYYY-MM-DDTHH:MM", help="New end, a local time in --tz.")
@click.option("--tz", metavar="ZONE", help="Zone --end is written in [default: the agreement's].")
@click.option("--open-ended", is_flag=True, help="No end of its own.")
@click.option("--superseded-by", metavar="ID", help="A later stored agreement that supersedes this one.")
@click.option("--note", metavar="TEXT", help="Text added to the agreement's notes.")
@db_option
def agreements_set(agreement_id: str, end: str | None, tz: str | None, open_ended: bool, superseded_by: str | None,
                   note: str | None, db: str | None) -> None:
    """Edit a stored agreement: its end, supersession or notes. Prints the agreement's window as it is now."""
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)
    from trucewatch.publish.compliance import in_force  # noqa: PLC0415

    if tz and not end:
        raise click.UsageError("--tz says which zone --end is written in; give --end too")
    settings = settings_for(db)
    database = open_database(settings)
    changed = jobs.agreements.set_agreement(database, agreement_id, end=end, tz=tz, open_ended=open_ended,
                                            superseded_by=superseded_by, note=note)
    window = jobs.agreements.window_in_force(database, changed)
    click.echo(f"{agreement_id}: in force {' '.join(in_force(changed, window, conflict_of(settings).zone_names))}")


@agreements.command("remove")
@click.argument("agreement_id")
@db_option
def agreements_remove(agreement_id: str, db: str | None) -> None:
    """Remove a stored agreement; later agreements that superseded it no longer name it."""
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)

    changed = jobs.agreements.remove_agreement(open_database(settings_for(db)), agreement_id)
    no_longer = f"; no longer in the supersedes of {', '.join(changed)}" if changed else ""
    click.echo(f"removed {agreement_id}{no_longer}")


@agreements.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write [default: stdout].")
@db_option
def agreements_export(output: Path | None, db: str | None) -> None:
    """Write every stored agreement as an agreements file (TOML) that loads back unchanged."""
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)

    with _output(output) as out:
        count = jobs.agreements.export_agreements(open_database(settings_for(db)), out)
    click.echo(f"{count} agreements written" + (f" to {output}" if output else ""), err=True)


@main.command()
@click.option("--agreement", "agreement_id", required=True, metavar="ID", help="The agreement to assess against.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default=None,
              help="Write one line per assessed incident [default: jsonl].")
@click.option("--view", type=click.Choice(["parties", "daily", "timeline"]), default=None,
              help="Print a table instead: per party, per day, or the incidents in date order.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write the export to [default: stdout].")
@click.option("--from", "date_from", callback=_date, metavar="YYYY-MM-DD",
              help="Incidents that end on or after this day.")
@click.option("--to", "date_to", callback=_date, metavar="YYYY-MM-DD",
              help="Incidents that begin on or before this day.")
@db_option
def compliance(agreement_id: str, fmt: str | None, view: str | None, output: Path | None, date_from: date | None,
               date_to: date | None, db: str | None) -> None:
    """Assess the incidents against an agreement: inside/outside/uncertain, commitments, accused, accusers, evidence.

    Writes jsonl or csv (one line per incident), or prints a --view table.
    """
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)

    settings = settings_for(db)
    database, conflict = open_database(settings), conflict_of(settings)
    if view is not None:
        from trucewatch.publish.compliance import render_view  # noqa: PLC0415

        if fmt is not None or output is not None:
            raise click.UsageError("--view prints a table; leave out --format and -o, or leave out --view")
        assessments = jobs.agreements.assess_agreement(database, agreement_id, date_from, date_to, conflict)
        agreement = jobs.agreements.get_agreement(database, agreement_id)
        for block in render_view(view, assessments, agreement, jobs.agreements.list_agreements(database)):
            click.echo(block)
        return
    with _output(output) as out:
        count = jobs.exports.export_compliance(database, agreement_id, fmt or "jsonl", out, date_from, date_to,
                                               conflict)
    click.echo(f"{count} incidents assessed against {agreement_id}" + (f", written to {output}" if output else ""),
               err=True)


@main.command()
@click.option("--agreement", "agreement_id", required=True, metavar="ID", help="The agreement to report on.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html", "md"]), default="pdf", show_default=True,
              help="PDF (A4), one self-contained HTML file, or markdown with the figures as SVG files beside it.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write; its folder is created [default: ./report-ID.FORMAT].")
@click.option("--from", "date_from", callback=_date, metavar="YYYY-MM-DD",
              help="Incidents that end on or after this day.")
@click.option("--to", "date_to", callback=_date, metavar="YYYY-MM-DD",
              help="Incidents that begin on or before this day.")
@db_option
def report(agreement_id: str, fmt: str, output: Path | None, date_from: date | None, date_to: date | None,
           db: str | None) -> None:
    """Write the compliance report of an agreement: summary per party, timeline, map, boundary cases, and every
    incident inside the window or on its boundary with each party's claims side by side and the sources."""
    from trucewatch import jobs  # noqa: PLC0415  (the jobs import SQLAlchemy and more: not for --help)
    from trucewatch.publish.report import write_report  # noqa: PLC0415

    settings = settings_for(db)
    made = jobs.exports.compliance_report(open_database(settings), agreement_id, date_from, date_to,
                                          conflict=conflict_of(settings))
    path = output or Path(f"report-{agreement_id}.{fmt}")
    try:
        written = write_report(made, fmt, path)
    except OSError as err:
        raise click.FileError(str(path), hint=err.strerror or str(err)) from None
    figures = f" (figures: {', '.join(str(p) for p in written[1:])})" if written[1:] else ""
    counts = made.counts
    click.echo(f"compliance report of {agreement_id}: {_plural(counts['inside'], 'incident')} inside the window, "
               f"{_plural(counts['uncertain'], 'boundary case')}, {counts['outside']} outside; written to "
               f"{written[0]}{figures}")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


@main.group(cls=TrucewatchGroup)
def db() -> None:
    """Manage the database."""


@db.command("upgrade")
@db_option
def db_upgrade(db: str | None) -> None:
    """Create the database, or bring its schema up to this trucewatch's."""
    from trucewatch.settings import masked_url  # noqa: PLC0415  (SQLAlchemy: not for --help)
    from trucewatch.storage import migrate  # noqa: PLC0415

    url = settings_for(db).database_url
    before, after = migrate(url)
    change = "already at" if before == after else f"upgraded from {before or 'nothing'} to"
    click.echo(f"{masked_url(url)}: {change} schema {after}")


@db.command("copy")
@click.option("--from", "source", required=True, metavar="PATH|URL",
              help="The store to copy: an SQLite file or a SQLAlchemy URL, at this trucewatch's schema.")
@click.option("--to", "target", required=True, metavar="PATH|URL",
              help="An empty database, e.g. postgresql+psycopg://USER@HOST/NAME; its schema is made first.")
@click.option("--batch", type=click.IntRange(min=1), default=5000, show_default=True, help="Rows a round trip.")
def db_copy(source: str, target: str, batch: int) -> None:
    """Copy a whole store into an empty database (e.g. SQLite to PostgreSQL), then compare both: rows per table,
    every report's SHA-256, the audit log's root, and the audit log verified on the target. Exit code 2 (TW-E207)
    when anything differs."""
    from trucewatch.errors import StorageError  # noqa: PLC0415
    from trucewatch.jobs.db_copy import copy_database  # noqa: PLC0415  (SQLAlchemy: not for --help)
    from trucewatch.settings import database_url  # noqa: PLC0415

    done = copy_database(database_url(source), database_url(target), batch=batch, progress=True)
    click.echo(f"copied {done.rows:,} rows of {done.tables} tables from {done.source} to {done.target} "
               f"in {done.seconds:.1f} s")
    for line in _copy_comparison(done):
        click.echo(line)
    if done.evidence_files:
        click.echo(f"{done.evidence_files:,} evidence files are kept in the evidence folder, not in the database: "
                   f"copy that folder to the new evidence_dir (TRUCEWATCH_EVIDENCE_DIR; docs/deploy.md)")
    if not done.ok:
        raise StorageError("TW-E207", url=done.target, detail="; ".join(done.differences()))


def _copy_comparison(done: Any) -> list[str]:
    """The comparison `db copy` prints: tables with rows on either side, each figure, and whether it is the same."""
    shown = [c for c in done.compared if not (c.what.startswith("rows in ") and c.source == c.target == "0")]
    width = max(len(c.what) for c in shown)
    lines = [f"  {'':<{width}}  {'source':<16}  {'target':<16}"]
    for c in shown:
        lines.append(f"  {c.what:<{width}}  {c.source[:16]:<16}  {c.target[:16]:<16}  "
                     + ("same" if c.same else "DIFFERENT"))
    empty = len(done.compared) - len(shown)
    lines.append(f"  ({empty} other tables empty on both)" if empty else "")
    lines.append("  audit log verifies on the target: "
                 + ("yes" if done.target_verifies else f"NO ({done.target_problem})"))
    return [line for line in lines if line]


@contextmanager
def _output(path: Path | None, *, binary: bool = False) -> Iterator[Any]:
    """stdout, or a file that appears complete or not at all (written beside it, then renamed); text, or bytes when
    `binary`."""
    if path is None:
        yield sys.stdout.buffer if binary else sys.stdout
        return
    partial = path.with_name(f".{path.name}.partial")
    try:
        out = partial.open("wb") if binary else partial.open("w", encoding="utf-8", newline="")
    except OSError as err:
        raise click.FileError(str(path), hint=err.strerror or str(err)) from None
    try:
        with out:
            yield out
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


# --- the workplace: the web app and its users (docs/web.md) -----------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--dev", is_flag=True, help="Without TRUCEWATCH_SECRET_KEY, make a throw-away one (sessions end when "
                                          "the server stops).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes; each opens the database once. About one per core serves most (docs/web.md).")
@db_option
def serve(host: str, port: int, dev: bool, workers: int, db: str | None) -> None:
    """Start the workplace: the web app and the JSON API (/api/v1, described at /openapi.json) over the database.
    The app opens the database once, at startup, and closes it when the server stops."""
    import secrets  # noqa: PLC0415

    import uvicorn  # noqa: PLC0415

    from trucewatch.settings import ENV_NAMES  # noqa: PLC0415
    from trucewatch.web.app import create_app, ready_to_serve  # noqa: PLC0415

    settings = settings_for(db)
    if not settings.secret_key and dev:
        settings = replace(settings, secret_key=secrets.token_urlsafe(32))
        click.echo("--dev: using a throw-away secret key; sessions and list cursors end when the server stops. "
                   "Set TRUCEWATCH_SECRET_KEY for a real deployment.", err=True)
    app = create_app(settings)  # also checks, before any worker starts, that the settings and the database serve
    click.echo(f"trucewatch workplace on http://{host}:{port}/ over {app.state.web.db.shown_url}"
               + (f", {workers} workers" if workers > 1 else ""), err=True)
    if workers == 1:
        uvicorn.run(ready_to_serve(app), host=host, port=port, log_level="info", server_header=False)
        return
    app.state.web.db.close()
    # Worker processes build their own app from the environment: hand them these very settings (--db, a --dev key).
    os.environ.update({var: str(value) for name, var in ENV_NAMES.items()
                       if (value := getattr(settings, name)) is not None})
    uvicorn.run("trucewatch.web.app:app_from_environment", factory=True, workers=workers, host=host, port=port,
                log_level="info", server_header=False)


@main.group(cls=TrucewatchGroup)
def users() -> None:
    """Users of the workplace and their API tokens: add, list, disable, token, revoke-token."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["admin", "monitor", "liaison", "analyst"]),
              help="admin; monitor (a guarantor's; needs --guarantor); liaison (a party's; needs --party); analyst.")
@click.option("--party", metavar="CODE", help="A liaison officer's party: a party code of the actor dictionary.")
@click.option("--guarantor", type=click.Choice(GUARANTOR_CODES, case_sensitive=False),
              help="A guarantor monitor's guarantor.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin, not a prompt.")
@db_option
def users_add(name: str, role: str, party: str | None, guarantor: str | None, password_stdin: bool,
              db: str | None) -> None:
    """Add a user. The password is asked for twice (or read from stdin); there is no default password."""
    from trucewatch.jobs.accounts import add_user  # noqa: PLC0415

    settings = settings_for(db)
    parties = _parties(settings, party)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    user = add_user(open_database(settings, write=True), name, role, password, party=party, guarantor=guarantor,
                    parties=parties)
    click.echo(f"added {user.name}: {_role_text(user)}")


def _parties(settings: Settings, party: str | None) -> tuple[str, ...]:
    """The conflict's parties; a usage error (before any password is asked for) when --party names none of them."""
    parties = conflict_of(settings).party_codes
    if party and party.upper() not in parties:
        raise click.BadParameter(f"{party!r} is not a party of the actor dictionary; choose "
                                 f"{' or '.join(parties)}", param_hint="'--party'")
    return parties


def _role_text(user: Any) -> str:
    binding = user.party or user.guarantor
    return user.role + (f" ({binding})" if binding else "") + (", disabled" if user.disabled else "")


@users.command("list")
@db_option
def users_list(db: str | None) -> None:
    """Show every user: name, role and binding, whether disabled, live API tokens."""
    from trucewatch.jobs.accounts import list_tokens, list_users  # noqa: PLC0415

    database = open_database(settings_for(db))
    accounts, tokens = list_users(database), list_tokens(database)
    click.echo(f"{'NAME':<24} {'ROLE':<22} {'STATUS':<9} TOKENS")
    for account in accounts:
        u = account.user
        role = u.role + (f" ({u.party or u.guarantor})" if u.party or u.guarantor else "")
        click.echo(f"{u.name:<24} {role:<22} {'disabled' if u.disabled else 'active':<9} {account.live_tokens}")
    live = [t for t in tokens if t.revoked_at is None]
    if live:
        click.echo("\nLive API tokens (revoke with 'trucewatch users revoke-token ID'):")
        for t in live:
            click.echo(f"  {t.token_id}  {t.user:<24} made {t.created_at:%Y-%m-%d %H:%M} UTC")
    click.echo(f"{len(accounts)} users")


@users.command("disable")
@click.argument("name")
@db_option
def users_disable(name: str, db: str | None) -> None:
    """Disable a user: their sessions end at once and their API tokens stop working."""
    from trucewatch.jobs.accounts import disable_user  # noqa: PLC0415

    user = disable_user(open_database(settings_for(db), write=True), name)
    click.echo(f"disabled {user.name}")


@users.command("token")
@click.argument("name")
@click.option("--admin", "admin", metavar="ADMIN", default=None,
              help="Make it as this admin (ADMIN's password is asked for), not as NAME.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin, not a prompt.")
@db_option
def users_token(name: str, admin: str | None, password_stdin: bool, db: str | None) -> None:
    """Make a new API token for a user and print it, once: only its hash is kept. Only NAME, with their password,
    or an admin, with theirs (--admin), makes one: whoever runs the shell cannot act as someone else."""
    from trucewatch.errors import FindingError, WebError  # noqa: PLC0415
    from trucewatch.jobs.accounts import new_token  # noqa: PLC0415
    from trucewatch.jobs.auth import sign_in  # noqa: PLC0415

    who = admin or name
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else \
        click.prompt(f"{who}'s password", hide_input=True, default="", show_default=False, err=True)
    if not password:
        raise FindingError("TW-E838", name=who, detail=f"an API token for {name} is made by {name} or by an admin "
                                                       "(--admin ADMIN)")
    database = open_database(settings_for(db), write=True)
    acting = sign_in(database.workplace, who, password, "cli")
    if admin and acting.role != "admin":
        raise WebError("TW-E613", role=acting.role, action="make API tokens for", kind="other users")
    token_id, token = new_token(database, name)
    click.echo(token)
    click.echo(f"API token {token_id} for {name}: shown once, keep it safe; send it as 'Authorization: Bearer "
               f"TOKEN'; revoke it with 'trucewatch users revoke-token {token_id}'", err=True)


@users.command("revoke-token")
@click.argument("token_id")
@db_option
def users_revoke_token(token_id: str, db: str | None) -> None:
    """Revoke an API token by its id (as 'users list' and 'users token' show it)."""
    from trucewatch.jobs.accounts import revoke_token  # noqa: PLC0415

    token = revoke_token(open_database(settings_for(db), write=True), token_id)
    click.echo(f"revoked API token {token.token_id} of {token.user} (at {token.revoked_at:%Y-%m-%d %H:%M} UTC)")


@users.command("role")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["admin", "monitor", "liaison", "analyst"]),
              help="The new role (a monitor needs --guarantor, a liaison officer --party).")
@click.option("--party", metavar="CODE", help="A liaison officer's party: a party code of the actor dictionary.")
@click.option("--guarantor", type=click.Choice(GUARANTOR_CODES, case_sensitive=False),
              help="A guarantor monitor's guarantor.")
@click.option("--by", metavar="NAME", default=None, help="Who changes it [default: $TRUCEWATCH_USER, else the login "
                                                         "name].")
@db_option
def users_role(name: str, role: str, party: str | None, guarantor: str | None, by: str | None,
               db: str | None) -> None:
    """Change a user's role and binding (logged as user.role); their browser sessions end."""
    from trucewatch.jobs.accounts import set_role  # noqa: PLC0415

    settings = settings_for(db)
    parties = _parties(settings, party)
    before, after = set_role(open_database(settings, write=True), name, role, party=party, guarantor=guarantor, by=by,
                             parties=parties)
    click.echo(f"{after.name}: {_role_text(before)} -> {_role_text(after)}")
