"""Monitors' signing keys over HTTP (docs/findings.md, "Signatures"): a signed-in guarantor monitor registers their own
public key (made on their machine or in their browser) and revokes it; anyone reads every registered key, since who
signs with which key is public information a party needs to check a bundle.

    GET    /api/v1/keys                   every key: name, user, guarantor, public_key, verifier_key, times
    GET    /api/v1/account/keys           your own keys
    POST   /api/v1/account/keys           {"name", "public_key"}: base64 of the 32 raw bytes, or a verifier key
    DELETE /api/v1/account/keys/{name}    {"reason"}: revoke (its holder; an admin revokes anyone's)

The rules are the jobs' (`trucewatch.jobs.monitor_keys`) and the access table's (`monitor_key`, `account_key`).
"""
from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from trucewatch.casework import findings as rules
from trucewatch.errors import FindingError
from trucewatch.jobs import monitor_keys
from trucewatch.records import MonitorKey
from trucewatch.web.api import ERRORS, One, Page
from trucewatch.web.findings_api import CHANGES, acting, user_of
from trucewatch.web.guard import GuardedRoute, guard, identity_of
from trucewatch.web.state import CaseDesk

router = APIRouter(prefix="/api/v1", route_class=GuardedRoute, responses=ERRORS)


def key_json(k: MonitorKey) -> dict[str, Any]:
    return {"name": k.name, "user": k.user, "guarantor": k.guarantor,
            "public_key": base64.b64encode(k.public_key).decode("ascii"),
            "verifier_key": rules.verifier_key(k.name, k.public_key), "fingerprint": rules.fingerprint(k.public_key),
            "registered_at": k.registered_at, "registered_by": k.registered_by, "revoked_at": k.revoked_at,
            "revoked_by": k.revoked_by, "active": k.active}


class KeyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, description="the key's name: no white space, no '+'")
    public_key: str = Field(min_length=1, max_length=400,
                            description="base64 of the 32-byte Ed25519 public key, or its verifier key "
                                        "'name+hash+base64(0x01 || key)'")


class RevokeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000, description="why the key is revoked (kept in the audit log)")


@router.get("/keys", response_model=Page, openapi_extra=guard("monitor_key", "list"))
def list_keys(desk: CaseDesk) -> dict[str, Any]:
    """Every registered monitor signing key, oldest first: public information (who signs with which key)."""
    return {"data": [key_json(k) for k in monitor_keys.all_keys(desk)], "next": None}


@router.get("/account/keys", response_model=Page, openapi_extra=guard("account_key", "list"))
def own_keys(request: Request, desk: CaseDesk) -> dict[str, Any]:
    """Your own signing keys (none unless you are a guarantor monitor)."""
    user = user_of(identity_of(request))
    return {"data": [key_json(k) for k in monitor_keys.keys_of(desk, user.name)] if user else [], "next": None}


@router.post("/account/keys", status_code=201, response_model=One, openapi_extra=guard("monitor_key", "create"),
             responses=CHANGES)
def register_key(request: Request, desk: CaseDesk, body: KeyBody) -> JSONResponse:
    """Register your public signing key (a guarantor monitor; one active key at a time). The private key stays with
    you: sign findings with it on your machine or in your browser."""
    try:
        named, public = rules.parse_public_key(body.public_key)
    except ValueError as err:
        raise FindingError("TW-E831", detail=str(err)) from None
    if named is not None and named != body.name:
        raise FindingError("TW-E831", detail=f"the verifier key names {named!r}, not {body.name!r}")
    made = monitor_keys.register_key(desk, acting(request), body.name, public)
    return JSONResponse({"data": key_json(made)}, status_code=201,
                        headers={"Location": "/api/v1/account/keys"})


@router.delete("/account/keys/{name}", response_model=One, openapi_extra=guard("monitor_key", "delete"),
               responses=CHANGES)
def revoke_key(request: Request, desk: CaseDesk, name: str, body: RevokeBody) -> dict[str, Any]:
    """Revoke a signing key: its holder, or an admin. It signs nothing more; what it signed stays signed."""
    return {"data": key_json(monitor_keys.revoke_key(desk, acting(request), name, body.reason))}
