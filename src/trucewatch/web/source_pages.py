"""The admins' page of watched sources, /admin/sources: each source's kind, address, interval, whether it is paused or
when it is next polled, the items it gave, its last success, its failures in a row and its last error, with a button
to pause or resume it, and a form to add one. The work is `trucewatch.jobs.sources`'s, as for `trucewatch sources`
(docs/live.md); a refused form shows the page again with why.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from trucewatch.errors import TrucewatchError
from trucewatch.jobs import sources as jobs_sources
from trucewatch.storage import Database
from trucewatch.web.error_envelope import status_of
from trucewatch.web.guard import GuardedRoute, guard
from trucewatch.web.pages import render
from trucewatch.web.state import DB

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
SOURCES_PATH = "/admin/sources"
SOURCE_FIELDS = ("url", "kind", "name", "every")


def _sources_page(request: Request, db: Database, *, error: str = "", form: dict[str, str] | None = None,
                  status: int = 200) -> HTMLResponse:
    return HTMLResponse(render(
        request, "sources.html", sources=jobs_sources.list_sources(db), kinds=jobs_sources.KINDS,
        interval=jobs_sources.shown_interval, error=error,
        form=form or {"url": "", "kind": "rss", "name": "", "every": "10m"}), status_code=status)


@router.get(SOURCES_PATH, response_class=HTMLResponse, openapi_extra=guard("source", "list"))
def sources_page(request: Request, db: DB) -> HTMLResponse:
    """Every watched source with the state of its polls."""
    return _sources_page(request, db)


@router.post(SOURCES_PATH, openapi_extra=guard("source", "create"))
async def add_source_form(request: Request, db: DB) -> Response:
    """Watch a new source (due at the watch's next round); then back to the page, or the page again with why it was
    refused (TW-E900..E905)."""
    received = await request.form()
    form = {name: str(received.get(name, "")).strip() for name in SOURCE_FIELDS}

    def add() -> Response:
        try:
            jobs_sources.add_source(db, form["url"], form["kind"], form["name"], form["every"] or "10m",
                                    datetime.now(UTC))
        except TrucewatchError as err:
            return _sources_page(request, db, error=str(err), form=form, status=status_of(err))
        return RedirectResponse(SOURCES_PATH, status_code=303)

    return await run_in_threadpool(add)


@router.post(SOURCES_PATH + "/{name}/pause", openapi_extra=guard("source", "update"))
def pause_source_form(request: Request, db: DB, name: str) -> Response:
    """Stop polling a source for now; it keeps its state."""
    return _changed(request, db, lambda: jobs_sources.pause_source(db, name, datetime.now(UTC)))


@router.post(SOURCES_PATH + "/{name}/resume", openapi_extra=guard("source", "update"))
def resume_source_form(request: Request, db: DB, name: str) -> Response:
    """Poll a paused source again, at the next round, its failures forgotten."""
    return _changed(request, db, lambda: jobs_sources.resume_source(db, name, datetime.now(UTC)))


def _changed(request: Request, db: Database, change: Callable[[], object]) -> Response:
    try:
        change()
    except TrucewatchError as err:  # no such source (TW-E904): removed by someone else meanwhile
        return _sources_page(request, db, error=str(err), status=status_of(err))
    return RedirectResponse(SOURCES_PATH, status_code=303)
