"""Ingest: read input files, check them, normalise their text and hash their original bytes.

No storage and no extraction here: `read_reports` turns one file into `Report` records (or one `IngestError` per bad
input), `iter_sources` finds the files under the paths a user names. `trucewatch.jobs.ingest_paths` puts the stages
together. See docs/ingest.md for the formats and the rules for publication dates.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from trucewatch.errors import IngestError
from trucewatch.records import Report
from trucewatch.settings import Settings

DEFAULT_MAX_BYTES = Settings().max_report_bytes
SUFFIXES = (".json", ".jsonl", ".txt", ".html", ".htm")
KINDS = ("news", "statement", "complaint", "field-report")
HEADER_WINDOW = 1500  # characters at the top of a text searched for a date header or "Published" line
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)

_CONTROL = frozenset(range(0, 9)) | frozenset(range(14, 32)) | {127}
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z ]*)?$")
_HEADER_DATE = re.compile(r"^[ \t]*date\b:?[ \t]+([^\n]{1,60})", re.IGNORECASE | re.MULTILINE)
_ISO_LIKE = re.compile(r"^\d+-\d+-\d+")
_PUBLISHED = re.compile(r"^[^\n]{0,60}?\bPublished\b:?([^\n]{0,80})", re.MULTILINE)
_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?"
_WORD_DATES = (
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "m", "d")),
    (re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.IGNORECASE), ("mon", "d", "y")),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(\d{4})\b", re.IGNORECASE), ("d", "mon", "y")),
)


# --- finding files -------------------------------------------------------------------------------------------


def iter_sources(paths: Iterable[Path | str]) -> Iterator[Path | IngestError]:
    """The files to ingest under `paths`, in order; folders are walked sorted and recursively.

    In folders, hidden files and folders and files of other types are skipped; a file named explicitly is always
    returned (and refused later if its type is unsupported). A missing path gives TW-E110, one that is not a regular
    file (a named pipe, a device) TW-E118.
    """
    for path in map(Path, paths):
        if path.is_dir():
            found = list(_walk(path))
            if not found:
                yield IngestError("TW-E116", source=str(path))
            yield from found
        elif path.is_file():
            yield path
        elif path.exists():  # a named pipe, socket or device: reading it could wait for ever
            yield IngestError("TW-E118", source=str(path))
        else:
            yield IngestError("TW-E110", source=str(path))


def _walk(top: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            if not name.startswith(".") and path.suffix.lower() in SUFFIXES and path.is_file():
                yield path


# --- reading one file ----------------------------------------------------------------------------------------


def read_reports(path: Path, published: date | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Report | IngestError]:
    """The reports in one file (one, or one per line of a .jsonl file), or an IngestError for each bad one.

    `published` is used only for reports that state no publication date of their own.
    """
    path = Path(path)
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        yield IngestError("TW-E109", source=source, suffix=path.suffix or "(none)")
        return
    try:
        if suffix == ".jsonl":
            yield from _read_jsonl(path, published, max_bytes)
            return
        raw = _read_bytes(path, max_bytes)
        yield _READERS[suffix](raw, source, published)
    except IngestError as err:
        yield err
    except OSError as err:
        yield IngestError("TW-E117", source=source, detail=err.strerror or str(err))


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError("TW-E108", source=str(path), size=size, limit=max_bytes)
    with path.open("rb") as fh:
        raw = fh.read(max_bytes + 1)  # the file may have grown since stat()
    if len(raw) > max_bytes:
        raise IngestError("TW-E108", source=str(path), size=f"more than {max_bytes}", limit=max_bytes)
    return raw


def _read_jsonl(path: Path, published: date | None, max_bytes: int) -> Iterator[Report | IngestError]:
    source, seen = str(path), False
    with path.open("rb") as fh:
        _check_not_binary(fh.read(65536), source)
        fh.seek(0)
        for lineno, line in _lines(fh, max_bytes):
            where = f"{source}:{lineno}"
            if line is None:
                yield IngestError("TW-E108", source=where, size=f"more than {max_bytes}", limit=max_bytes)
            elif line.strip():
                seen = True
                try:
                    yield _from_json(line, where, published)
                except IngestError as err:
                    yield err
    if not seen:
        yield IngestError("TW-E104", source=source)


def _lines(fh: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes without the line end), or None for a line over `max_bytes`, read without holding it."""
    lineno = 0
    while line := fh.readline(max_bytes + 3):
        lineno += 1
        content = line.rstrip(b"\n").removesuffix(b"\r")
        if len(content) <= max_bytes:
            yield lineno, content
            continue
        while not line.endswith(b"\n") and (line := fh.readline(1 << 20)):
            pass  # skip the rest of the over-long line
        yield lineno, None


# --- formats -------------------------------------------------------------------------------------------------


def _from_text(raw: bytes, source: str, published: date | None) -> Report:
    text = normalise(_decode(raw, source))
    if not text.strip():
        raise IngestError("TW-E104", source=source)
    sha = sha256(raw)
    day, basis = _fallback_date(text, published, source)
    return Report(report_id=derived_id(sha), sha256=sha, text=text, published=day, published_basis=basis,
                  title=_first_line(text), source=source, media_type="text/plain")


def _from_json(raw: bytes, source: str, published: date | None) -> Report:
    document = _decode(raw, source)
    if not document.strip():
        raise IngestError("TW-E104", source=source)
    try:
        article = json.loads(document)
    except json.JSONDecodeError as err:
        raise IngestError("TW-E105", source=source, detail=f"line {err.lineno} column {err.colno}: {err.msg}") from None
    except RecursionError:
        raise IngestError("TW-E105", source=source, detail="nested too deeply") from None
    if not isinstance(article, dict):
        raise IngestError("TW-E112", source=source, found=_json_kind(article))
    return _article(article, sha256(raw), source, published)


def _article(article: dict[str, Any], sha: str, source: str, published: date | None) -> Report:
    if not isinstance(article.get("text"), str):
        raise IngestError("TW-E106", source=source, field="text")
    text = normalise(article["text"])
    if not text.strip():
        raise IngestError("TW-E104", source=source)
    stated, basis = _stated(article.get("published")), "file"
    if stated is None and _stated(article.get("published_inferred")) is not None:
        stated, basis = article["published_inferred"], "file-inferred"
    day, basis = (parse_date(stated, source), basis) if stated is not None else _fallback_date(text, published, source)
    kind: str = article["kind"] if article.get("kind") in KINDS else "news"
    return Report(report_id=_optional(article.get("id")) or derived_id(sha), sha256=sha, text=text, published=day,
                  published_basis=basis, title=_optional(article.get("title")), outlet=_optional(article.get("outlet")),
                  url=_optional(article.get("url")), source=source, media_type="application/json", kind=kind)


def _from_html(raw: bytes, source: str, published: date | None) -> Report:
    page = _decode(raw, source)
    if not page.strip():
        raise IngestError("TW-E104", source=source)
    text, meta = _main_text(page)
    text = normalise(text)
    if not text.strip():
        raise IngestError("TW-E111", source=source)
    sha = sha256(raw)
    page_date = _page_date(meta.get("date"))
    day, basis = (page_date, "file") if page_date else _fallback_date(text, published, source)
    return Report(report_id=derived_id(sha), sha256=sha, text=text, published=day, published_basis=basis,
                  title=meta.get("title") or _first_line(text), outlet=meta.get("outlet"), url=meta.get("url"),
                  source=source, media_type="text/html")


def _main_text(page: str) -> tuple[str, dict[str, str | None]]:
    """The page's main text (boilerplate, scripts and styles left out) and its title, date, URL and site."""
    import trafilatura  # noqa: PLC0415  (slow to import; only HTML needs it)
    from trafilatura.settings import Document  # noqa: PLC0415  (as above)

    found = trafilatura.bare_extraction(
        page, with_metadata=True, include_comments=False, favor_recall=True, prune_xpath=_NOT_TEXT,
        date_extraction_params={"extensive_search": False, "original_date": True})
    if not isinstance(found, Document):  # None when nothing was found; never the dict form without as_dict=True
        found = None
    meta = {"title": found.title, "date": found.date, "url": found.url,
            "outlet": found.hostname or found.sitename} if found else {}
    text = found.text if found and found.text else ""
    if not text.strip():  # too short for trafilatura's main-text rules: take the page's text, scripts left out
        tree = trafilatura.load_html(page)
        if tree is not None:
            for element in tree.xpath("|".join(_NOT_TEXT)):
                element.drop_tree()
            text = trafilatura.baseline(tree)[1]
    return text or "", meta


_NOT_TEXT = ["//script", "//style", "//noscript", "//template"]


_READERS = {".json": _from_json, ".txt": _from_text, ".html": _from_html, ".htm": _from_html}


# --- text, hashes, dates -------------------------------------------------------------------------------------


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def derived_id(sha: str) -> str:
    """The report id of a file that names none: from its content, so the same file always gets the same id."""
    return "r-" + sha[:12]


def normalise(text: str) -> str:
    """NFC, and Windows line ends as "\\n"; nothing else changes, so spans index the stored text."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))


def _decode(raw: bytes, source: str) -> str:
    if not raw.strip():
        raise IngestError("TW-E104", source=source)
    _check_not_binary(raw[:65536], source)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise IngestError("TW-E102", source=source,
                          detail=f"byte 0x{raw[err.start]:02x} at offset {err.start}") from None


def _check_not_binary(sample: bytes, source: str) -> None:
    """NUL bytes, many control bytes, or mostly undecodable bytes: not a text report (TW-E103)."""
    if not sample:
        return
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):  # text, but UTF-16: say so rather than "binary"
        raise IngestError("TW-E102", source=source, detail="it is UTF-16")
    controls = sum(1 for byte in sample if byte in _CONTROL)
    undecodable = sample.decode("utf-8", errors="replace").count("\ufffd")
    if b"\x00" in sample or controls > len(sample) * 0.05 or undecodable > len(sample) * 0.1:
        raise IngestError("TW-E103", source=source)


def parse_date(value: object, source: str) -> date:
    """An ISO date (a time after it is ignored); TW-E107 if it is none, TW-E115 if outside 1900-2100."""
    match = _ISO.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise IngestError("TW-E107", source=source, value=value)
    try:
        day = date(*map(int, match.groups()))
    except ValueError:
        raise IngestError("TW-E107", source=source, value=value) from None
    if not EARLIEST <= day <= LATEST:
        raise IngestError("TW-E115", source=source, value=value)
    return day


def _fallback_date(text: str, option: date | None, source: str) -> tuple[date, str]:
    """For a file that states no date: a header in the text, else --published, else TW-E101."""
    header = header_date(text, source)
    if header:
        return header, "text-header"
    if option:
        return option, "option"
    raise IngestError("TW-E101", source=source)


def header_date(text: str, source: str) -> date | None:
    """A " date YYYY-MM-DD" header line or a "Published ... <date>" line near the top of the text."""
    top = text[:HEADER_WINDOW]
    header = _HEADER_DATE.search(top)
    if header:
        value = header.group(1).strip()
        if _ISO_LIKE.match(value):  # a machine-written header must be a real date
            return parse_date(value.split()[0], source)
        day = _date_in_words(value)
        if day:
            return day
    for line in _PUBLISHED.finditer(top):
        day = _date_in_words(line.group(1))
        if day:
            return day
    return None


def _date_in_words(words: str) -> date | None:
    for pattern, order in _WORD_DATES:
        match = pattern.search(words)
        if not match:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        month = int(parts["m"]) if "m" in parts else _MONTHS[parts["mon"][:3].lower()]
        try:
            day = date(int(parts["y"]), month, int(parts["d"]))
        except ValueError:
            continue
        if EARLIEST <= day <= LATEST:
            return day
    return None


def _page_date(value: object) -> date | None:
    """The page's own date as trafilatura read it from the metadata, if it is a plausible one."""
    try:
        return parse_date(value, "page") if value else None
    except IngestError:
        return None


def _stated(value: object) -> object:
    """A JSON date field's value, with null and the empty string alike meaning "not stated"."""
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _first_line(text: str, limit: int = 300) -> str | None:
    """The first line with words, a date header skipped: the title of a plain-text report."""
    for line in text.splitlines():
        if line.strip() and not _HEADER_DATE.match(line):
            return line.strip()[:limit]
    return None


def _optional(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _json_kind(value: object) -> str:
    kinds = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true or false"}
    return kinds.get(type(value), "null")
