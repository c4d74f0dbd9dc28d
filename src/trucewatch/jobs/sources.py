"""Sources: the feeds and pages the watch polls (`trucewatch sources add|list|pause|resume|remove`).

A source is a record with a name, an address, a kind (rss, atom, page, sitemap) and an interval; its state (the
validators of its last answer, last success and error, failures in a row, when it is next due, the items already
taken) is written by the watch (`jobs.watch`). Each job checks its input and says what to do when it is wrong.
"""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from trucewatch.errors import SourceError
from trucewatch.pipeline.feeds import KINDS
from trucewatch.storage import Database
from trucewatch.storage.feeds import Source, SourceStore

MIN_EVERY_SECONDS = 10  # a source polled more often than this gains nothing and burdens its outlet
MAX_EVERY_SECONDS = 7 * 24 * 3600
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def parse_interval(value: str) -> int:
    """'90s', '10m', '2h', '1d' (or plain seconds) as whole seconds, from 10 s to 7 days; TW-E902 otherwise."""
    found = _INTERVAL.match(value)
    if not found:
        raise SourceError("TW-E902", value=value, detail="not a number and a unit")
    seconds = int(float(found[1]) * _UNITS[found[2].lower()])
    if not MIN_EVERY_SECONDS <= seconds <= MAX_EVERY_SECONDS:
        raise SourceError("TW-E902", value=value, detail=f"it must be between {MIN_EVERY_SECONDS} s and 7 days")
    return seconds


def shown_interval(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise SourceError("TW-E900", url=url, detail="it does not start with http:// or https://")
    if not parts.hostname:
        raise SourceError("TW-E900", url=url, detail="it names no host")
    return url.strip()


def check_kind(kind: str) -> str:
    if kind.lower() not in KINDS:
        raise SourceError("TW-E901", kind=kind)
    return kind.lower()


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise SourceError("TW-E905", name=name, detail="empty, too long, or other characters")
    return name


def add_source(db: Database, url: str, kind: str, name: str, every: str, now: datetime) -> Source:
    """Watch a new source, due at once; TW-E900..E905 for a bad address, kind, interval or name, or a name taken."""
    source = Source(name=check_name(name), url=check_url(url), kind=check_kind(kind),
                    every_seconds=parse_interval(every), paused=False, added_at=now, next_poll_at=now)
    SourceStore(db.engine).add(source)
    return source


def list_sources(db: Database) -> list[Source]:
    """Every source with its state, by name."""
    return SourceStore(db.engine).all()


def get_source(db: Database, name: str) -> Source:
    found = SourceStore(db.engine).get(name)
    if found is None:
        raise SourceError("TW-E904", name=name)
    return found


def pause_source(db: Database, name: str, now: datetime) -> Source:
    SourceStore(db.engine).set_paused(name, True, now)
    return get_source(db, name)


def resume_source(db: Database, name: str, now: datetime) -> Source:
    """Poll a paused source again, at once, its failures forgotten."""
    SourceStore(db.engine).set_paused(name, False, now)
    return get_source(db, name)


def remove_source(db: Database, name: str) -> None:
    """Stop watching a source and forget which items it gave; the reports it gave stay in the record."""
    SourceStore(db.engine).remove(name)
