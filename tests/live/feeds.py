"""A small feed server on 127.0.0.1 for the watch's tests and benchmark: a real threaded HTTP server whose documents
change between polls.

Each path serves what the test last `put` there, with an ETag (the content's hash) and a Last-Modified, answering
304 to a request whose If-None-Match matches; a path can instead answer an error status, or wait before answering.
Every request is recorded (path, the Host it named, its conditional headers, when) so that a test can assert what the
watch asked for. The report texts are written for these tests; none is copied from a news article.
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Seen:
    path: str
    host: str
    if_none_match: str | None
    if_modified_since: str | None
    at: float  # time.monotonic()


@dataclass
class Document:
    body: bytes
    content_type: str = "application/rss+xml"
    status: int = 200
    delay: float = 0.0
    modified: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


class FeedServer:
    """`with FeedServer() as server:`; `server.url("/a.xml")`; `server.put("/a.xml", rss(...))`."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.documents: dict[str, Document] = {}
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.httpd.server_address[0]}:{self.httpd.server_address[1]}{path}"

    def put(self, path: str, body: bytes | str, content_type: str = "application/rss+xml", *, status: int = 200,
            delay: float = 0.0) -> None:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        with self.lock:
            self.documents[path] = Document(raw, content_type, status, delay)

    def seen(self, path: str) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if r.path == path]


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            with server.lock:
                server.requests.append(Seen(self.path, self.headers.get("Host", ""),
                                            self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"),
                                            time.monotonic()))
                document = server.documents.get(self.path)
            if document is None:
                self._answer(404, b"not here", "text/plain")
                return
            if document.delay:
                time.sleep(document.delay)
            if document.status != 200:
                self._answer(document.status, b"failed", "text/plain")
                return
            if self.headers.get("If-None-Match") == document.etag:
                self.send_response(304)
                self.send_header("ETag", document.etag)
                self.end_headers()
                return
            self._answer(200, document.body, document.content_type, document)

        def _answer(self, status: int, body: bytes, content_type: str, document: Document | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if document is not None:
                    self.send_header("ETag", document.etag)
                    self.send_header("Last-Modified", format_datetime(document.modified, usegmt=True))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the watch gave up on a slow answer
                pass

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002  (quiet: the tests read requests)
            pass

    return Handler


@dataclass(frozen=True)
class Item:
    guid: str
    title: str
    text: str  # the whole text (content:encoded), or a teaser when `link` leads to the page
    link: str | None = None
    published: datetime | None = None


def rss(items: list[Item]) -> str:
    entries = "".join(
        f"<item><guid>{escape(i.guid)}</guid><title>{escape(i.title)}</title>"
        + (f"<link>{escape(i.link)}</link>" if i.link else "")
        + (f"<pubDate>{format_datetime(i.published, usegmt=True)}</pubDate>" if i.published else "")
        + f"<content:encoded>{escape(i.text)}</content:encoded></item>" for i in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>test feed</title>'
            f"{entries}</channel></rss>")


def atom(items: list[Item]) -> str:
    entries = "".join(
        f"<entry><id>{escape(i.guid)}</id><title>{escape(i.title)}</title>"
        + (f'<link rel="alternate" href="{escape(i.link)}"/>' if i.link else "")
        + (f"<published>{i.published.isoformat()}</published>" if i.published else "")
        + f'<content type="html">{escape(i.text)}</content></entry>' for i in items)
    return f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{entries}</feed>'


def sitemap(urls: list[tuple[str, datetime]]) -> str:
    entries = "".join(f"<url><loc>{escape(u)}</loc><lastmod>{t.isoformat()}</lastmod></url>" for u, t in urls)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'


def page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f"<html><head><title>{escape(title)}</title></head><body><nav>Home | World | Region</nav>"
            f"<article><h1>{escape(title)}</h1>{body}</article><footer>About us</footer></body></html>")


# Report texts written for these tests: a clash and a strike at made-up hours, in the style of a wire report.
PLACES = ["Chaman", "Spin Boldak", "Torkham", "Angoor Adda", "Kurram", "Bajaur", "Khost", "Paktika"]


def report_text(n: int, place: str | None = None) -> str:
    place = place or PLACES[n % len(PLACES)]
    return (f"Pakistani and Afghan forces exchanged fire near {place} on Monday, officials said. "
            f"A local official said {n % 5 + 2} civilians were killed and {n % 7 + 3} were wounded when mortar shells "
            f"hit houses near the border crossing at {place}. The Afghan Taliban's spokesman accused Pakistan of "
            f"starting the firing, while the Pakistani military said its troops had responded to unprovoked fire. "
            f"Residents said the shelling lasted about {n % 3 + 1} hours before it stopped. Report number {n}.")
