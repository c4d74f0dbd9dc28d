"""Cursor pagination for the API's listings: opaque cursors, a `next` link, one envelope.

A listing answers `{"data": [...], "next": URL or null}` (and a `Link: <URL>; rel="next"` header). The cursor in
`next` is the sort key and id of the page's last row, with a digest of the query it belongs to, signed with the
secret key: it cannot be forged or moved to another query (TW-E620), and it says nothing a client should rely on.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import JSONResponse

from trucewatch.errors import WebError
from trucewatch.storage.workplace import PageQuery, SortKey

T = TypeVar("T")
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


def query_scope(request: Request) -> str:
    """What a cursor is bound to: the path and every query parameter but `cursor` and `limit`."""
    params = sorted((k, v) for k, v in request.query_params.multi_items() if k not in ("cursor", "limit"))
    return hashlib.sha256(json.dumps([request.url.path, params]).encode()).hexdigest()[:16]


def encode_cursor(secret: str, scope: str, key: Sequence[Any]) -> str:
    payload = json.dumps({"q": scope, "k": [_plain(v) for v in key]}, separators=(",", ":")).encode()
    body = base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
    return f"{body}.{_sign(secret, body)}"


def decode_cursor(secret: str, scope: str, cursor: str) -> list[Any]:
    if not cursor.isascii():  # ours are base64 and hex; compare_digest takes ASCII text only
        raise WebError("TW-E620")
    body, _, signature = cursor.partition(".")
    if not hmac.compare_digest(_sign(secret, body), signature):
        raise WebError("TW-E620")
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        raise WebError("TW-E620") from None
    if not isinstance(payload, dict) or payload.get("q") != scope or not isinstance(payload.get("k"), list):
        raise WebError("TW-E620")
    return payload["k"]


def _sign(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()[:32]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def parse_sort(sort: str, sorts: dict[str, SortKey]) -> tuple[SortKey, bool]:
    """'-date' -> (the date key, descending); TW-E618 for an unknown name."""
    descending = sort.startswith("-")
    key = sorts.get(sort.lstrip("-"))
    if key is None:
        choices = ", ".join(f"{name}, -{name}" for name in sorts)
        raise WebError("TW-E618", detail=f"[query -> sort] unknown sort {sort!r}; choose one of {choices}")
    return key, descending


def page_query(request: Request, sort: str, sorts: dict[str, SortKey], limit: int, cursor: str | None) -> PageQuery:
    """The page asked for: sort, direction, where to start (from the cursor) and how many (one more is fetched, to
    know whether there is a next page)."""
    key, descending = parse_sort(sort, sorts)
    after = None
    if cursor:
        raw = decode_cursor(request.app.state.web.secret_key, query_scope(request), cursor)
        if len(raw) != 2 or not isinstance(raw[1], str):
            raise WebError("TW-E620")
        after = (_typed(key, raw[0]), raw[1])
    return PageQuery(key.name, descending, after, limit + 1)


def _typed(key: SortKey, value: Any) -> Any:
    try:
        if isinstance(key.last, datetime):
            return datetime.fromisoformat(value)
        if isinstance(key.last, date):
            return date.fromisoformat(value)
        return int(value)
    except (TypeError, ValueError):
        raise WebError("TW-E620") from None


def page_response(request: Request, rows: list[T], page: PageQuery, key_of: Callable[[T], tuple[Any, str]],
                  shown: Callable[[T], dict[str, Any]]) -> JSONResponse:
    """The envelope for a page fetched with `page_query` (limit + 1 rows), with the `next` link when there is more."""
    limit = page.limit - 1
    more = len(rows) > limit
    rows = rows[:limit]
    next_url = None
    if more and rows:
        cursor = encode_cursor(request.app.state.web.secret_key, query_scope(request), key_of(rows[-1]))
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"] + [("cursor", cursor)]
        next_url = f"{request.url.path}?{urlencode(params)}"
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return JSONResponse({"data": [shown(row) for row in rows], "next": next_url}, headers=headers)
