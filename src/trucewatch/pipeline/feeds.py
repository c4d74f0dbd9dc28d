"""Feeds: what an RSS or Atom feed, a news sitemap or a watched page holds, as plain items; and the report an item
becomes. Bytes in, records out: fetching is the watch's (`trucewatch.jobs.watch`).

XML is read with the standard library's expat, refusing any DTD, entity declaration or external reference (what
defusedxml refuses): a feed is data from anywhere, and entities can expand without bound ("billion laughs") or read
local files. Items carry their guid (else their link) as the key that says "already seen", the link, the title, the
publication time, and the text when the feed carries the whole article; a teaser is not enough, and the watch then
reads the linked page (`report_of_page`), as `trucewatch ingest` reads an HTML file.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from xml.parsers import expat

from trucewatch.errors import SourceError
from trucewatch.pipeline.ingest import _main_text, derived_id, normalise, sha256
from trucewatch.records import Report

KINDS = ("rss", "atom", "page", "sitemap")
MIN_FEED_TEXT = 300  # characters: a shorter item text is a teaser, and the watch reads the linked page instead

_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
_BLOCK_END = re.compile(r"<\s*(?:br\s*/?|/p|/div|/h[1-6]|/li|/blockquote)\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_BLANKS = re.compile(r"[ \t\r\f\v]+")
_PARAGRAPHS = re.compile(r"\s*\n\s*(?:\n\s*)+")


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed or sitemap, or a watched page's current text."""

    key: str  # what says "seen": the guid or Atom id, else the link
    url: str | None
    title: str | None = None
    published: datetime | None = None  # in UTC, when the feed says
    text: str = ""  # the article's text when the feed carries it whole

    @property
    def needs_page(self) -> bool:
        """The feed gave only a teaser (or nothing): the article is read from its page."""
        return len(self.text) < MIN_FEED_TEXT and self.url is not None


def parse_feed(raw: bytes, kind: str, source: str) -> list[FeedItem]:
    """The items of an RSS or Atom feed, or of a sitemap, in the document's order; TW-E909 when it is not well-formed
    XML or not that kind of document, TW-E910 for a DTD or entities, TW-E911 for a sitemap index."""
    root = safe_xml(raw, source, kind)
    if kind == "sitemap":
        return _sitemap_items(root, source)
    if root.tag == "rss" or root.find("channel") is not None:
        return [_rss_item(item) for item in root.iter("item")]
    if root.tag == f"{_ATOM}feed":
        return [_atom_item(entry) for entry in root.iter(f"{_ATOM}entry")]
    if root.tag.endswith("RDF"):  # RSS 1.0: items are the RDF's children, in the RSS 1.0 namespace
        return [_rss_item(item) for item in root if item.tag.endswith("}item")]
    raise SourceError("TW-E909", source=source, kind=kind, detail=f"its root element is <{_local(root.tag)}>, "
                      "not <rss> or <feed>")


def safe_xml(raw: bytes, source: str, kind: str) -> ET.Element:
    """The document's tree, built by expat with every DTD and entity refused (TW-E910) before it can expand."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: object) -> int:
        raise SourceError("TW-E910", source=source)

    parser.StartDoctypeDeclHandler = refuse  # each raises before the parser reads on
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = lambda tag, attrs: builder.start(_clark(tag), {_clark(k): v for k, v in
                                                                                 attrs.items()})
    parser.EndElementHandler = lambda tag: builder.end(_clark(tag))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as err:
        raise SourceError("TW-E909", source=source, kind=kind,
                          detail=f"line {err.lineno}: {expat.ErrorString(err.code)}") from None
    return builder.close()


def _clark(name: str) -> str:
    """expat's 'uri}local' as ElementTree's '{uri}local'."""
    return "{" + name if "}" in name else name


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rss_item(item: ET.Element) -> FeedItem:
    link = _text_of(item, "link") or _text_of(item, "{http://purl.org/rss/1.0/}link")
    guid = _text_of(item, "guid")
    body = _text_of(item, _CONTENT) or _text_of(item, "description") or ""
    title = _text_of(item, "title") or _text_of(item, "{http://purl.org/rss/1.0/}title")
    when = _rfc822(_text_of(item, "pubDate")) or _iso(_text_of(item, "{http://purl.org/dc/elements/1.1/}date"))
    return FeedItem(key=guid or link or _fallback_key(title, body), url=link, title=_plain(title or "") or None,
                    published=when, text=plain_text(body))


def _atom_item(entry: ET.Element) -> FeedItem:
    links = entry.findall(f"{_ATOM}link")
    link = next((e.get("href") for e in links if e.get("rel", "alternate") == "alternate"), None)
    body = _text_of(entry, f"{_ATOM}content") or _text_of(entry, f"{_ATOM}summary") or ""
    title = _text_of(entry, f"{_ATOM}title")
    when = _iso(_text_of(entry, f"{_ATOM}published")) or _iso(_text_of(entry, f"{_ATOM}updated"))
    return FeedItem(key=_text_of(entry, f"{_ATOM}id") or link or _fallback_key(title, body), url=link,
                    title=_plain(title or "") or None, published=when, text=plain_text(body))


def _sitemap_items(root: ET.Element, source: str) -> list[FeedItem]:
    if root.tag == f"{_SITEMAP}sitemapindex":
        raise SourceError("TW-E911", source=source)
    if root.tag != f"{_SITEMAP}urlset":
        raise SourceError("TW-E909", source=source, kind="sitemap",
                          detail=f"its root element is <{_local(root.tag)}>, not <urlset>")
    items = []
    for entry in root.iter(f"{_SITEMAP}url"):
        loc = _text_of(entry, f"{_SITEMAP}loc")
        if not loc:
            continue
        news = entry.find(f"{_NEWS}news")
        when = _iso(_text_of(news, f"{_NEWS}publication_date")) if news is not None else None
        title = _text_of(news, f"{_NEWS}title") if news is not None else None
        items.append(FeedItem(key=loc, url=loc, title=title,
                              published=when or _iso(_text_of(entry, f"{_SITEMAP}lastmod"))))
    return items


def _text_of(parent: ET.Element, tag: str) -> str | None:
    found = parent.find(tag)
    if found is None:
        return None
    text = "".join(found.itertext()).strip()
    return text or None


def _fallback_key(title: str | None, body: str) -> str:
    """An item with neither guid nor link is known by its content."""
    return "sha256:" + sha256(f"{title}\n{body}".encode())


def _rfc822(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return _utc(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError):
        return _iso(value)  # some feeds write ISO dates in pubDate


def _iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return _utc(datetime.fromisoformat(value.strip()))
    except ValueError:
        return None


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def plain_text(markup: str) -> str:
    """The text of a feed's HTML fragment: tags dropped, entities read, one blank line between paragraphs."""
    text = _TAG.sub("", _BLOCK_END.sub("\n\n", markup))
    text = _BLANKS.sub(" ", html.unescape(text))
    return _PARAGRAPHS.sub("\n\n", text).strip()


def _plain(text: str) -> str:
    return " ".join(plain_text(text).split())


# --- the report an item becomes ---------------------------------------------------------------------------------


def report_of_item(item: FeedItem, outlet: str, fetched: date) -> Report:
    """The report of an item whose feed carries its whole text (`FeedItem.needs_page` is false)."""
    text = normalise(item.text)
    sha = sha256(text.encode("utf-8"))
    return _report(item, outlet, fetched, text=text, sha=sha, media_type="text/plain", title=item.title)


def report_of_page(item: FeedItem, outlet: str, fetched: date, page: bytes) -> Report:
    """The report of an item read from its page: the page's main text, as `trucewatch ingest` reads an HTML file
    (TW-E111 when it has none). The feed's title and time win over the page's, which are often a site's."""
    source = item.url or item.key
    text, meta = _main_text(page.decode("utf-8", errors="replace"))
    text = normalise(text)
    if not text.strip():
        raise SourceError("TW-E912", source=outlet, url=source, detail="no main text on the page")
    return _report(item, outlet, fetched, text=text, sha=sha256(page), media_type="text/html",
                   title=item.title or meta.get("title"))


def _report(item: FeedItem, outlet: str, fetched: date, *, text: str, sha: str, media_type: str,
            title: str | None) -> Report:
    published, basis = (item.published.date(), "feed") if item.published else (fetched, "feed-fetched")
    return Report(report_id=derived_id(sha), sha256=sha, text=text, published=published, published_basis=basis,
                  title=title, outlet=outlet, url=item.url, source=item.url or item.key, media_type=media_type)


def watched_page(url: str, page: bytes, published: datetime | None) -> FeedItem:
    """A watched page's current main text as an item: a changed text is a new item (its key is the text's hash).
    TW-E912 when the page has no main text."""
    text, meta = _main_text(page.decode("utf-8", errors="replace"))
    text = normalise(text).strip()
    if not text:
        raise SourceError("TW-E912", source=url, url=url, detail="no main text on the page")
    return FeedItem(key="text:" + sha256(text.encode("utf-8"))[:32], url=url, title=meta.get("title"),
                    published=published, text=text)
