"""The watch: poll the sources that are due, ingest what is new, resolve it into incidents at once, and tell the
alert rules (`trucewatch watch`, and the same loop inside `trucewatch serve` when TRUCEWATCH_WATCH is on).

A round (`Watch.poll_round(now)`) fetches every due source in worker threads, at most one request per host per
`host_seconds` (`HostLimiter`), with the validators of the source's last answer (If-None-Match, If-Modified-Since)
so an unchanged feed costs a 304. The items a source has not given before (`source_items`) become reports: from the
feed's own text when it carries the whole article, else from the linked page (trafilatura, as `ingest` reads HTML).
This thread ingests them one by one as each source's fetch ends (`jobs.ingest.ingest_report`: stored and resolved in
one go), so a slow source holds up only itself. A source that fails is due again after a wait that doubles with each
failure in a row (`backoff`), up to `max_backoff_seconds`, and fails alone; an item that cannot be read is an error of
its source's round and is tried again at its next poll; nothing one source or item does stops the loop.

After a round that added reports the alert rules are asked about them (`jobs.alerts.on_new_reports`), and due alert
deliveries go out every round (`jobs.alerts.deliver_due`).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from urllib.parse import urlsplit

import httpx

from trucewatch import __version__
from trucewatch.conflict import Conflict, shipped_conflict
from trucewatch.errors import SourceError, TrucewatchError
from trucewatch.jobs import alerts
from trucewatch.jobs.ingest import ingest_report, utc_now
from trucewatch.pipeline.feeds import FeedItem, parse_feed, report_of_item, report_of_page, watched_page
from trucewatch.records import Report
from trucewatch.settings import Settings
from trucewatch.storage import Database
from trucewatch.storage.feeds import SeenItem, Source, SourceStore

log = logging.getLogger(__name__)

USER_AGENT = f"trucewatch/{__version__} (ceasefire monitoring; polite polling with conditional requests)"
_ADVICE = {
    401: "the outlet refuses the watch; check that the feed is public, or pause the source",
    403: "the outlet refuses the watch; check that the feed is public, or pause the source",
    404: "nothing at that address any more; find the feed's new address, add it, and remove this source",
    410: "the feed is gone; find its new address, add it, and remove this source",
    429: "the outlet asks the watch to slow down; add the source again with a longer --every",
}
_SERVER_FAILED = "the outlet's server failed; the watch tries again later, waiting longer after each failure"


@dataclass(frozen=True)
class WatchOptions:
    host_seconds: float = 1.0  # at most one request per host per this many seconds
    timeout_seconds: float = 20.0  # a fetch that takes longer is this source's error
    max_bytes: int = 8 * 1024 * 1024  # the most read from one address (TW-E913)
    max_extract_seconds: float | None = None
    fetchers: int = 8  # threads fetching at once (different hosts, or one host in turn)
    max_backoff_seconds: int = 6 * 3600

    @classmethod
    def of(cls, settings: Settings) -> WatchOptions:
        return cls(host_seconds=settings.watch_host_seconds, timeout_seconds=settings.watch_timeout_seconds,
                   max_bytes=settings.max_report_bytes, max_extract_seconds=settings.max_extract_seconds)


@dataclass(frozen=True)
class SourceRound:
    """What one source's poll gave in a round."""

    name: str
    status: str  # "new" (a full answer), "not-modified" (304) or "error"
    added: tuple[str, ...] = ()  # report ids stored and resolved
    unchanged: int = 0  # items whose text was already stored (another outlet's copy, or an earlier run)
    refused: int = 0
    item_errors: tuple[str, ...] = ()  # items not read, tried again at the next poll
    error: str | None = None  # the source's own error
    next_poll_at: datetime | None = None


@dataclass(frozen=True)
class RoundResult:
    """One round of the watch, for its progress line."""

    at: datetime
    sources: list[SourceRound]
    lags: list[float] = field(default_factory=list)  # seconds from an item's publication time to its incident
    alerts: int = 0
    alert_errors: tuple[str, ...] = ()

    @property
    def added(self) -> list[str]:
        return [r for s in self.sources for r in s.added]

    @property
    def errors(self) -> int:
        return sum((s.error is not None) + len(s.item_errors) for s in self.sources) + len(self.alert_errors)

    def line(self) -> str:
        """'12:00:10 polled 3 sources: 5 new items, 1 error, lag p50 8 s, max 12 s'"""
        words = [f"{self.at:%H:%M:%S} polled {len(self.sources)} source{_s(len(self.sources))}: "
                 f"{len(self.added)} new item{_s(len(self.added))}, {self.errors} error{_s(self.errors)}"]
        if self.lags:
            words.append(f"lag p50 {median(self.lags):.0f} s, max {max(self.lags):.0f} s")
        if self.alerts:
            words.append(f"{self.alerts} alert{_s(self.alerts)}")
        return ", ".join(words)


def _s(n: int) -> str:
    return "" if n == 1 else "s"


class HostLimiter:
    """At most one request per host per `seconds`: each request reserves the host's next free moment, then waits
    for it, so threads asking for one host go in turn and those asking for others are not held."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.seconds, self.clock, self.sleep = seconds, clock, sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, url: str) -> None:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            now = self.clock()
            at = max(now, self._next.get(host, now))
            self._next[host] = at + self.seconds
        if at > now:
            self.sleep(at - now)


@dataclass
class _Fetched:
    """A source's answer, read in a worker thread: its new items, each with its report or why it has none."""

    source: Source
    status: str
    items: list[tuple[FeedItem, Report | SourceError]] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    error: SourceError | None = None


def backoff(source: Source, failures: int, options: WatchOptions) -> timedelta:
    """The wait before a failing source is polled again: its interval doubled for each failure in a row, capped."""
    return timedelta(seconds=min(source.every_seconds * 2 ** min(failures, 20), options.max_backoff_seconds))


class Watch:
    """The watch over one database. `poll_round(now)` polls what is due once; `run` repeats it until stopped."""

    def __init__(self, db: Database, conflict: Conflict | None = None, options: WatchOptions | None = None,
                 client: httpx.Client | None = None, settings: Settings | None = None) -> None:
        self.db, self.conflict, self.settings = db, conflict or shipped_conflict(), settings
        self.options = options or WatchOptions()
        self.store = SourceStore(db.engine)
        self.limiter = HostLimiter(self.options.host_seconds)
        self.client = client or httpx.Client(
            timeout=self.options.timeout_seconds, follow_redirects=True, headers={"User-Agent": USER_AGENT})

    def close(self) -> None:
        self.client.close()

    def poll_round(self, now: datetime | None = None) -> RoundResult:
        """Poll every due source once; ingest and resolve what is new; then the alert rules. Never raises for a
        source or an item: each failure is its source's error in the result."""
        now = now or utc_now()
        started = time.monotonic()
        due = self.store.due(now)
        results: list[SourceRound] = []
        lags: list[float] = []
        with ThreadPoolExecutor(max_workers=max(1, min(self.options.fetchers, len(due)))) as pool:
            futures: dict[Future[_Fetched], Source] = {pool.submit(self._fetch, s, now): s for s in due}
            for done in as_completed(futures):
                results.append(self._take(futures[done], done, now, started, lags))
        alerts, alert_errors = self._alerts([r for s in results for r in s.added], now)
        return RoundResult(at=now, sources=sorted(results, key=lambda s: s.name), lags=lags, alerts=alerts,
                           alert_errors=alert_errors)

    def run(self, poll_seconds: float, stop: threading.Event, on_round: Callable[[RoundResult], None],
            clock: Callable[[], datetime] = utc_now) -> None:
        """Rounds every `poll_seconds` until `stop` is set; each round's result goes to `on_round`."""
        while not stop.is_set():
            began = time.monotonic()
            try:
                on_round(self.poll_round(clock()))
            except Exception:  # the database away for a moment, a bug: logged, and the next round tries again
                log.exception("a round of the watch failed")
            stop.wait(max(0.0, poll_seconds - (time.monotonic() - began)))

    # --- fetching (worker threads) -----------------------------------------------------------------------------

    def _fetch(self, source: Source, now: datetime) -> _Fetched:
        try:
            return self._read_source(source, now)
        except SourceError as err:
            return _Fetched(source, "error", error=err)
        except Exception as err:  # a bug in reading one source is that source's error, never the round's
            log.exception("reading source %s failed", source.name)
            return _Fetched(source, "error", error=SourceError("TW-E906", source=source.name, url=source.url,
                                                               detail=f"{type(err).__name__}: {err}"))

    def _read_source(self, source: Source, now: datetime) -> _Fetched:
        conditional = {k: v for k, v in (("If-None-Match", source.etag),
                                         ("If-Modified-Since", source.last_modified)) if v}
        response, body = self._get(source, source.url, conditional)
        if response.status_code == 304:
            return _Fetched(source, "not-modified", etag=source.etag, last_modified=source.last_modified)
        if source.kind == "page":
            items = [watched_page(source.url, body, None)]
        else:
            items = parse_feed(body, source.kind, source.name)
        fresh = self._unseen(source, items)
        return _Fetched(source, "new", items=[(item, self._report(source, item, now)) for item in fresh],
                        etag=response.headers.get("ETag"), last_modified=response.headers.get("Last-Modified"))

    def _unseen(self, source: Source, items: list[FeedItem]) -> list[FeedItem]:
        unique = list({item.key: item for item in reversed(items)}.values())[::-1]  # a key twice: its first
        seen = self.store.seen(source.name, [item.key for item in unique])
        return [item for item in unique if item.key not in seen]

    def _report(self, source: Source, item: FeedItem, now: datetime) -> Report | SourceError:
        try:
            if source.kind == "page" or not item.needs_page:
                return report_of_item(item, source.name, now.date())
            _response, page = self._get(source, item.url or "", {})
            return report_of_page(item, source.name, now.date(), page)
        except SourceError as err:
            return err
        except Exception as err:  # one bad item is its own error; its source's other items go on
            log.exception("reading item %s of %s failed", item.url, source.name)
            return SourceError("TW-E912", source=source.name, url=item.url, detail=f"{type(err).__name__}: {err}")

    def _get(self, source: Source, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        self.limiter.wait(url)
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return response, b""
                if response.status_code >= 400:
                    raise SourceError("TW-E907", source=source.name, url=url, status=response.status_code,
                                      advice=_ADVICE.get(response.status_code, _SERVER_FAILED))
                return response, self._body(source, url, response.iter_bytes())
        except httpx.TimeoutException:
            raise SourceError("TW-E908", source=source.name, url=url,
                              seconds=self.options.timeout_seconds) from None
        except httpx.HTTPError as err:
            raise SourceError("TW-E906", source=source.name, url=url, detail=str(err) or type(err).__name__) from None

    def _body(self, source: Source, url: str, chunks: Iterator[bytes]) -> bytes:
        body = bytearray()
        for chunk in chunks:
            body += chunk
            if len(body) > self.options.max_bytes:
                raise SourceError("TW-E913", source=source.name, url=url, limit=self.options.max_bytes)
        return bytes(body)

    # --- taking the answers in (this thread: the one writer) ------------------------------------------------------

    def _take(self, source: Source, done: Future[_Fetched], now: datetime, started: float,
              lags: list[float]) -> SourceRound:
        try:
            fetched = done.result()
            if fetched.error is not None:
                return self._failed(source, fetched.error, now)
            return self._ingest(fetched, now, started, lags)
        except Exception as err:  # the database refused a write, a bug: this source's error, the round goes on
            log.exception("taking in source %s failed", source.name)
            return self._failed(source, SourceError("TW-E906", source=source.name, url=source.url,
                                                    detail=f"{type(err).__name__}: {err}"), now)

    def _ingest(self, fetched: _Fetched, now: datetime, started: float, lags: list[float]) -> SourceRound:
        source = fetched.source
        seen: list[SeenItem] = []
        added: list[str] = []
        counts = {"unchanged": 0, "refused": 0}
        item_errors: list[str] = []
        for item, report in fetched.items:
            if isinstance(report, SourceError):
                item_errors.append(str(report))
                continue
            result = ingest_report(self.db.reports, report, self.conflict, self.options.max_extract_seconds)
            seen.append(SeenItem(item.key, item.url, result.status, result.report_id, item.published))
            if result.status == "added" and result.report_id:
                added.append(result.report_id)
                if item.published is not None:  # the lag from the item's time to its incident, on the round's clock
                    at = now + timedelta(seconds=time.monotonic() - started)
                    lags.append(max(0.0, (at - item.published).total_seconds()))
            else:
                counts[result.status if result.status in counts else "refused"] += 1
        self.store.mark_seen(source.name, seen, now)
        next_poll = now + timedelta(seconds=source.every_seconds)
        self.store.record_success(source.name, now, next_poll, etag=fetched.etag,
                                  last_modified=fetched.last_modified, keep_validators=not item_errors)
        return SourceRound(source.name, fetched.status, added=tuple(added), unchanged=counts["unchanged"],
                           refused=counts["refused"], item_errors=tuple(item_errors), next_poll_at=next_poll)

    def _failed(self, source: Source, error: TrucewatchError, now: datetime) -> SourceRound:
        failures = source.failures + 1
        next_poll = now + backoff(source, failures, self.options)
        self.store.record_failure(source.name, now, str(error), failures, next_poll)
        return SourceRound(source.name, "error", error=str(error), next_poll_at=next_poll)

    def _alerts(self, report_ids: list[str], now: datetime) -> tuple[int, tuple[str, ...]]:
        """The alert rules over the reports just added, and the deliveries due; a failure here is the round's error
        and never stops the watch."""
        try:
            fired = (alerts.on_new_reports(self.db, report_ids, self.conflict, now, settings=self.settings)
                     if report_ids else [])
            alerts.deliver_due(self.db, now, settings=self.settings)
        except Exception as err:
            log.exception("alerts after a round of the watch failed")
            return 0, (f"alerts: {type(err).__name__}: {err}",)
        return len(fired), ()


class BackgroundWatch:
    """The watch in a thread of its own, as `trucewatch serve` runs it when the setting `watch` is on: rounds every
    `watch_poll_seconds`, each logged; `stop()` ends it after the round under way."""

    def __init__(self, db: Database, conflict: Conflict, settings: Settings) -> None:
        self.watch = Watch(db, conflict, WatchOptions.of(settings), settings=settings)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.watch.run, name="trucewatch-watch", daemon=True,
                                       args=(settings.watch_poll_seconds, self.stopping, self._logged))

    def start(self) -> BackgroundWatch:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()
        self.watch.close()

    @staticmethod
    def _logged(result: RoundResult) -> None:
        log.info("watch: %s", result.line())
        for source in result.sources:
            if source.error:
                log.warning("watch: %s", source.error)
