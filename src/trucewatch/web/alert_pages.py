"""A user's alerts page, /alerts: their alerts newest first (why each fired, the incident's link, each delivery's
state), their rules with a form to add one and a button to remove each, and the incidents they watch. Signed-in
users only; each sees and changes only their own rules. The work is `trucewatch.jobs.alerts`'s; a refused form shows
the page again with why (docs/alerts.md).
"""
from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from trucewatch.errors import TrucewatchError
from trucewatch.jobs import alerts
from trucewatch.storage import Database
from trucewatch.web.error_envelope import status_of
from trucewatch.web.findings_api import acting
from trucewatch.web.guard import GuardedRoute, guard
from trucewatch.web.pages import render
from trucewatch.web.state import DB, web_of

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
ALERTS_PATH = "/alerts"
RULE_FIELDS = ("kind", "party", "province", "event_type", "webhook_url", "secret", "email")


def _alerts_page(request: Request, db: Database, *, error: str = "", form: dict[str, str] | None = None,
                 status: int = 200) -> HTMLResponse:
    name = acting(request).name
    web = web_of(request)
    return HTMLResponse(render(
        request, "alerts.html", alerts=alerts.list_alerts(db, name, conflict=web.conflict),
        rules=alerts.list_rules(db, name), watched=alerts.watched_incidents(db, name), kinds=alerts.KINDS,
        parties=web.conflict.party_codes, error=error, form=form or dict.fromkeys(RULE_FIELDS, "")),
        status_code=status)


@router.get(ALERTS_PATH, response_class=HTMLResponse, openapi_extra=guard("me", "read"))
def alerts_page(request: Request, db: DB) -> HTMLResponse:
    """The signed-in user's alerts, rules and watched incidents."""
    return _alerts_page(request, db)


@router.post(ALERTS_PATH + "/rules", openapi_extra=guard("alert_rule", "create"))
async def add_rule_form(request: Request, db: DB) -> Response:
    """Add a rule for the signed-in user; then back to the page, or the page again with why it was refused."""
    received = await request.form()
    form = {name: str(received.get(name, "")).strip() for name in RULE_FIELDS}

    def add() -> Response:
        web = web_of(request)
        try:
            alerts.add_rule(db, acting(request).name, form["kind"], party=form["party"], province=form["province"],
                            event_type=form["event_type"], webhook_url=form["webhook_url"], secret=form["secret"],
                            email=form["email"], settings=web.settings, parties=web.conflict.party_codes,
                            now=datetime.now(UTC))
        except TrucewatchError as err:
            return _alerts_page(request, db, error=str(err), form={**form, "secret": ""}, status=status_of(err))
        return RedirectResponse(ALERTS_PATH, status_code=303)

    return await run_in_threadpool(add)


@router.post(ALERTS_PATH + "/rules/{rule_id}/remove", openapi_extra=guard("alert_rule", "delete"))
def remove_rule_form(request: Request, db: DB, rule_id: int) -> Response:
    """Remove one of the signed-in user's rules (another user's is refused as one that does not exist)."""
    try:
        alerts.remove_rule(db, acting(request).name, rule_id)
    except TrucewatchError as err:
        return _alerts_page(request, db, error=str(err), status=status_of(err))
    return RedirectResponse(ALERTS_PATH, status_code=303)
