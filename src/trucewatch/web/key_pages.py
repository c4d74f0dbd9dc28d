"""A monitor's signing keys page, /account/keys: the keys they registered (name, verifier key, fingerprint, when,
revoked), the way to make one in this browser or bring in one made by `trucewatch findings keys generate`, and a
form to register a public key made anywhere else.

The private key never reaches the server. In the browser (static/signing.js) it is made or imported by WebCrypto as a
non-extractable Ed25519 key and kept in IndexedDB for this site; the page posts only its name and the 32-byte public
key (base64) to `POST /account/keys`, which registers it with `trucewatch.jobs.monitor_keys.register_key` (a
`key.register` audit entry). The same form takes a verifier key line pasted by hand, for browsers without Ed25519 in
WebCrypto. Revoking is `POST /account/keys/{name}/revoke` with a reason.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from trucewatch.casework import findings as rules
from trucewatch.casework.access import Resource, decide
from trucewatch.errors import FindingError, TrucewatchError
from trucewatch.jobs import monitor_keys
from trucewatch.jobs.casework import Desk
from trucewatch.records import MonitorKey
from trucewatch.web.error_envelope import status_of
from trucewatch.web.findings_api import acting
from trucewatch.web.findings_pages import render
from trucewatch.web.guard import GuardedRoute, guard, identity_of
from trucewatch.web.state import CaseDesk

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
KEYS_PATH = "/account/keys"


@dataclass(frozen=True)
class KeyRow:
    """A registered key as the page shows it."""

    key: MonitorKey
    verifier_key: str
    fingerprint: str
    public_key: str  # base64 of the raw 32 bytes: the script compares it with the key this browser holds


def key_rows(keys: list[MonitorKey]) -> list[KeyRow]:
    return [KeyRow(k, rules.verifier_key(k.name, k.public_key), rules.fingerprint(k.public_key),
                   base64.b64encode(k.public_key).decode("ascii")) for k in keys]


def _keys_page(request: Request, desk: Desk, *, error: str = "", name: str = "", public_key: str = "",
               status: int = 200) -> HTMLResponse:
    identity = identity_of(request)
    rows = key_rows(monitor_keys.keys_of(desk, identity.name or ""))
    active = next((r for r in rows if r.key.active), None)
    return HTMLResponse(render(
        request, "keys.html", rows=rows, active=active, error=error, name=name, public_key=public_key,
        may_hold=decide(identity, "create", Resource("monitor_key")) and identity.guarantor is not None),
        status_code=status)


@router.get(KEYS_PATH, response_class=HTMLResponse, openapi_extra=guard("account_key", "list"))
def keys_page(request: Request, desk: CaseDesk) -> HTMLResponse:
    """The signed-in monitor's keys, and the ways to make and register one."""
    return _keys_page(request, desk)


@router.post(KEYS_PATH, openapi_extra=guard("monitor_key", "create"))
async def register_key_form(request: Request, desk: CaseDesk) -> Response:
    """Register a public key (base64 of its 32 bytes, or a verifier key line) under a name; then back to the page,
    or the page again with why it was refused."""
    form = await request.form()
    name, text = str(form.get("name", "")).strip(), str(form.get("public_key", "")).strip()

    def register() -> Response:
        try:
            monitor_keys.register_key(desk, acting(request), *_named_key(name, text))
        except TrucewatchError as err:
            return _keys_page(request, desk, error=str(err), name=name, public_key=text, status=status_of(err))
        return RedirectResponse(KEYS_PATH, status_code=303)

    return await run_in_threadpool(register)


def _named_key(name: str, text: str) -> tuple[str, bytes]:
    """(name, 32 raw bytes) from the form: a verifier key carries its own name (the field may be left empty, else it
    must agree), and may come as a FILE.pub line with its guarantor in front ('QAT name+hash+key'); TW-E831 for a
    key that is neither base64 nor a verifier key."""
    try:
        named, raw = rules.parse_public_key(text.split()[-1] if text.split() else "")
    except ValueError as err:
        raise FindingError("TW-E831", detail=str(err)) from None
    if named is not None and name and named != name:
        raise FindingError("TW-E831", detail=f"the verifier key is named {named!r}, the form says {name!r}")
    return named or name, raw


@router.post(KEYS_PATH + "/{name}/revoke", openapi_extra=guard("monitor_key", "delete"))
async def revoke_key_form(request: Request, desk: CaseDesk, name: str) -> Response:
    """Revoke one of my keys, with a reason: it signs nothing from now on (what it signed stays signed)."""
    reason = str((await request.form()).get("reason", ""))

    def revoke() -> Response:
        try:
            monitor_keys.revoke_key(desk, acting(request), name, reason)
        except TrucewatchError as err:
            return _keys_page(request, desk, error=str(err), status=status_of(err))
        return RedirectResponse(KEYS_PATH, status_code=303)

    return await run_in_threadpool(revoke)
