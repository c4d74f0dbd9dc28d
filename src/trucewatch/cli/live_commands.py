"""`trucewatch sources ...` and `trucewatch watch`: live intake (docs/live.md), thin over `jobs.sources` and
`jobs.watch`. Imported only when one of these commands runs (cli/main.py's LAZY_GROUPS)."""
from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime
from types import FrameType

import click

from trucewatch.cli.main import TrucewatchGroup, conflict_of, db_option, open_database, settings_for
from trucewatch.errors import SourceError
from trucewatch.jobs import sources as jobs_sources
from trucewatch.jobs.watch import RoundResult, Watch, WatchOptions
from trucewatch.storage.feeds import Source


def _now() -> datetime:
    return datetime.now(UTC)


@click.group(cls=TrucewatchGroup)
def sources() -> None:
    """Sources the watch polls: add, list, pause, resume, remove (docs/live.md)."""


@sources.command("add")
@click.argument("url")
@click.option("--kind", required=True, metavar="rss|atom|page|sitemap",
              help="rss or atom: a feed; page: one page, read again when its text changes; sitemap: a news sitemap.")
@click.option("--name", required=True, help="The source's name; it is also the outlet of the reports it gives.")
@click.option("--every", default="10m", show_default=True, metavar="INTERVAL",
              help="How often to poll it: 90s, 10m, 2h, 1d (10 s at least).")
@db_option
def sources_add(url: str, kind: str, name: str, every: str, db: str | None) -> None:
    """Watch a source. It is polled at the next round of 'trucewatch watch'."""
    database = open_database(settings_for(db), write=True)
    added = jobs_sources.add_source(database, url, kind, name, every, _now())
    click.echo(f"watching {added.name} ({added.kind}, every {jobs_sources.shown_interval(added.every_seconds)}): "
               f"{added.url}")


@sources.command("list")
@db_option
def sources_list(db: str | None) -> None:
    """Each source with its state: last success, last error, items seen, next poll, paused."""
    found = jobs_sources.list_sources(open_database(settings_for(db)))
    if not found:
        click.echo("no sources; add one with 'trucewatch sources add URL --kind rss --name NAME'")
    for source in found:
        click.echo(_shown(source))


def _shown(s: Source) -> str:
    state = "paused" if s.paused else f"next {_at(s.next_poll_at)}"
    line = (f"{s.name}\t{s.kind}\tevery {jobs_sources.shown_interval(s.every_seconds)}\t{state}\t"
            f"{s.items_seen} items seen\tlast success {_at(s.last_success_at)}\t{s.url}")
    if s.failures:
        line += f"\n  {s.failures} failure{'s' if s.failures > 1 else ''} in a row; last error {_at(s.last_error_at)}: "
        line += f"{s.last_error}"
    return line


def _at(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S UTC") if when else "never"


@sources.command("pause")
@click.argument("name")
@db_option
def sources_pause(name: str, db: str | None) -> None:
    """Stop polling a source for now; it keeps its state."""
    jobs_sources.pause_source(open_database(settings_for(db), write=True), name, _now())
    click.echo(f"paused {name}; resume it with 'trucewatch sources resume {name}'")


@sources.command("resume")
@click.argument("name")
@db_option
def sources_resume(name: str, db: str | None) -> None:
    """Poll a paused source again, at the next round; its failures in a row are forgotten."""
    jobs_sources.resume_source(open_database(settings_for(db), write=True), name, _now())
    click.echo(f"resumed {name}")


@sources.command("remove")
@click.argument("name")
@db_option
def sources_remove(name: str, db: str | None) -> None:
    """Stop watching a source; the reports it gave stay."""
    jobs_sources.remove_source(open_database(settings_for(db), write=True), name)
    click.echo(f"removed {name}")


def _poll_seconds(_ctx: click.Context, _param: click.Parameter, value: float | None) -> float | None:
    if value is not None and value < 1:
        raise SourceError("TW-E914", value=value)
    return value


@click.command()
@click.option("--once", is_flag=True, help="Poll the due sources once and stop.")
@click.option("--poll", type=float, default=None, callback=_poll_seconds, metavar="SECONDS",
              help="Look for due sources every SECONDS [default: TRUCEWATCH_WATCH_POLL_SECONDS, 10].")
@db_option
def watch(once: bool, poll: float | None, db: str | None) -> None:
    """Poll the due sources, ingest new items and resolve them into incidents, then the alert rules; a line per
    round. Runs until interrupted (Ctrl-C), or one round with --once. Exit code 0; with --once, 1 when a source
    failed."""
    settings = settings_for(db)
    database = open_database(settings, write=True)
    runner = Watch(database, conflict_of(settings), WatchOptions.of(settings), settings=settings)
    click.get_current_context().call_on_close(runner.close)
    if once:
        result = runner.poll_round(_now())
        _print_round(result)
        if result.errors:
            raise click.exceptions.Exit(1)
        return
    stop = threading.Event()

    def interrupted(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    click.echo(f"watching the sources of {database.shown_url} every {poll or settings.watch_poll_seconds:g} s; "
               "Ctrl-C stops", err=True)
    runner.run(poll or settings.watch_poll_seconds, stop, _print_round)


def _print_round(result: RoundResult) -> None:
    click.echo(result.line())
    for source in result.sources:
        if source.error:
            click.echo(f"  {source.error} (next try {_at(source.next_poll_at)})", err=True)
        for error in source.item_errors:
            click.echo(f"  {error}", err=True)
    for error in result.alert_errors:
        click.echo(f"  {error}", err=True)
