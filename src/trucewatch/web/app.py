"""The web app: `create_app(settings)` builds it over the database the settings name, opened once at startup.

Pages (`pages`), the JSON API under /api/v1 (`api`) and the OpenAPI description at /openapi.json: every route is a
`GuardedRoute` that declares what it serves, and the app is not built if one does not (see `guard`). Errors leave as
one envelope (`errors`). Two small ASGI layers wrap it all: a request body limit, and security headers (a strict
Content-Security-Policy: the pages run only the scripts served from /static, and no inline script).
"""
from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trucewatch import __version__, jobs
from trucewatch.casework.access import RULES
from trucewatch.conflict import load_conflict
from trucewatch.errors import WebError
from trucewatch.jobs.watch import BackgroundWatch
from trucewatch.settings import Settings, load_settings
from trucewatch.storage import Database
from trucewatch.web import (
    alert_pages,
    api,
    assets,
    complaint_pages,
    error_envelope,
    findings_api,
    findings_pages,
    key_pages,
    keys_api,
    pages,
    record_pages,
    source_pages,
)
from trucewatch.web.guard import GuardedRoute, app_routes, declared, guard
from trucewatch.web.state import WebContext

BODY_SLACK = 1024 * 1024  # a request body may exceed max_upload_bytes by this much (form fields, multipart framing)
SECURITY_HEADERS = [
    (b"content-security-policy", (b"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                  b"img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                                  b"base-uri 'none'")),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
DESCRIPTION = """The workplace of the ceasefire monitoring mechanism: the public record (reports, events, incidents,
agreements, compliance), complaints of the parties with their evidence, and monitors' overrides.

Authenticate with `Authorization: Bearer TOKEN` (`trucewatch users token NAME`). Every error is
`{"error": {"code", "message", "details"}}`; listings are `{"data": [...], "next": URL or null}`. See docs/web.md."""


def create_app(settings: Settings) -> FastAPI:
    """The app over the database of `settings`, which it opens here, once, and closes when it stops (handlers reach
    it through the dependency `web.state.DB`). TW-E601 without a secret key; TW-E201/202/203 when the database cannot
    be opened or is not at this trucewatch's schema (run 'trucewatch db upgrade'); TW-E402 when the settings' data
    folder cannot be used."""
    if not settings.secret_key:
        raise WebError("TW-E601")
    conflict = load_conflict(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # the watch of sources in a thread beside the app when the setting `watch` is on (docs/live.md)
        watching = BackgroundWatch(db, conflict, settings).start() if settings.watch else None
        yield
        if watching is not None:
            watching.stop()
        db.close()

    app = FastAPI(title="trucewatch", version=__version__, description=DESCRIPTION, openapi_url=None,
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.include_router(pages.router)
    app.include_router(record_pages.router)
    app.include_router(complaint_pages.router)
    app.include_router(assets.router)
    app.include_router(description)
    app.include_router(api.router)
    app.include_router(findings_api.router)  # verification: findings, complaints' workflow (docs/findings.md)
    app.include_router(keys_api.router)  # monitors' signing keys (docs/findings.md, "Signatures")
    app.include_router(findings_pages.router)
    app.include_router(key_pages.router)  # a monitor's signing keys
    app.include_router(alert_pages.router)  # a user's alerts and alert rules (docs/alerts.md)
    app.include_router(source_pages.router)  # the admins' page of watched sources (docs/live.md)
    error_envelope.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes + BODY_SLACK)
    # JSON, CSV, scripts and styles leave gzipped for clients that ask (the map's views, the exports, streamed chunk
    # by chunk); pages are not, as they carry the CSRF token beside what the address reflects (BREACH)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6, exclude_content_types=(
        *DEFAULT_EXCLUDED_CONTENT_TYPES, "text/html", "application/pdf"))
    app.add_middleware(SecurityHeaders, hsts=settings.cookie_secure)
    app.add_middleware(HeadAsGet)
    check_routes(app)
    db = Database.open(settings.database_url, upgrade=False)
    # events a crashed writer left in no incident are placed before the first page is served (docs/storage.md)
    jobs.incidents.repair_loose_events(db, conflict)
    app.state.web = WebContext.over(settings, db, conflict)
    return app


def ready_to_serve(app: FastAPI) -> FastAPI:
    """The app as a server process runs it: what is loaded by now (the conflict's dictionaries, the gazetteer, the
    app) stays for the life of the process, so it is taken out of the garbage collector's full passes, which would
    otherwise walk it again and again and stall requests (p99 at 200 requests/s: 140 ms before, 20 ms after;
    benchmarks/bench_load.py)."""
    gc.freeze()
    return app



def app_from_environment() -> FastAPI:
    """The app over the settings of the environment (TRUCEWATCH_DB, TRUCEWATCH_SECRET_KEY ..., or TRUCEWATCH_CONFIG):
    what each worker process builds when `trucewatch serve --workers N` runs several (uvicorn's factory). Each worker
    opens its own Database once."""
    return ready_to_serve(create_app(load_settings()))


description = APIRouter(route_class=GuardedRoute, include_in_schema=False)


@description.get("/openapi.json", openapi_extra=guard("api_description", "read"))
def openapi(request: Request) -> JSONResponse:
    """The OpenAPI description of the API."""
    return JSONResponse(request.app.openapi())


def check_routes(app: FastAPI) -> None:
    """Every route must be guarded and declare a kind and action that the rules know; else the app is not built."""
    for route, path, _methods in app_routes(app):
        access = declared(route)
        if access is None or access not in RULES:
            raise RuntimeError(f"route {path or route!r} declares no access rule known to "
                               "trucewatch.casework.access.RULES; add openapi_extra=guard(kind, action)")


class BodyLimit:
    """Refuse request bodies over `limit` bytes (TW-E619, 413): by Content-Length before reading, and by counting
    while reading (a chunked body has no Content-Length). Once the count passes the limit, whatever the app would
    answer (it cannot parse a cut body) is dropped and the 413 is sent instead."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await self.too_large(scope, receive, send)
            return
        seen, over, started = 0, False, False

        async def limited() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    over = True
                    raise WebError("TW-E619", limit=self.limit)
            return message

        async def answer(message: Message) -> None:
            nonlocal started
            if over and not started:
                return  # the app's answer to a body cut short; the 413 goes instead
            started = True
            await send(message)

        try:
            await self.app(scope, limited, answer)
        except Exception:
            if not over or started:
                raise
        if over and not started:
            await self.too_large(scope, receive, send)

    async def too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = WebError("TW-E619", limit=self.limit)
        await JSONResponse(error_envelope.envelope(error), status_code=413,
                           headers={"Connection": "close"})(scope, receive, send)


class HeadAsGet:
    """Answer HEAD wherever GET is answered: the request goes on as a GET, and the answer leaves without its body
    (its headers, Content-Length among them, as the GET's)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class SecurityHeaders:
    """Add SECURITY_HEADERS to every response; and HSTS when the request came over https or the cookie_secure
    setting says a TLS proxy stands in front (`hsts`)."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app, self.hsts = app, hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = SECURITY_HEADERS + ([HSTS] if self.hsts or scope.get("scheme") == "https" else [])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((n, v) for n, v in extra if n not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


def route_table(app: FastAPI) -> list[dict[str, Any]]:
    """Every route's methods, path and declared access: for the docs and the access matrix test."""
    found = []
    for route, path, methods in app_routes(app):
        kind, action = declared(route) or ("", "")
        found += [{"method": method, "path": path, "resource": kind, "action": action} for method in sorted(methods)]
    return found
