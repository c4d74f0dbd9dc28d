"""Every request through the access rules: `GuardedRoute` is the route class of every route of the app.

A route declares what it serves with `openapi_extra=guard(kind, action)` (it shows in the OpenAPI description as
`x-access`). Before the route's own code runs, its guard finds out who is asking (`authenticate`: a Bearer token, else
a session cookie, else the public), asks `access.decide` whether they may `action` that `kind` at all (401 for the
public, 403 for a signed-in user), and checks the CSRF token of any unsafe request that rides on a cookie. A route
that declares nothing is refused to everyone (deny by default), and `create_app` refuses to build an app with one.

Handlers then check each object they return with `require(..., hide=WHAT)`: an object the caller may not see is "not
found" (404), exactly as one that does not exist, so its existence does not leak.
"""
from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, compile_path

from trucewatch.casework.access import PUBLIC, Identity, Resource, decide
from trucewatch.errors import TrucewatchError, WebError
from trucewatch.jobs.auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    login_csrf_token,
    same_token,
    session_user,
    token_user,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def guard(kind: str, action: str) -> dict[str, Any]:
    """What a route serves, for its `openapi_extra`: `@router.get(path, openapi_extra=guard("incident", "list"))`."""
    return {"x-access": {"resource": kind, "action": action}}


def declared(route: BaseRoute) -> tuple[str, str] | None:
    """The (kind, action) a guarded route declares; None for any other route."""
    if not isinstance(route, GuardedRoute):
        return None
    found = (route.openapi_extra or {}).get("x-access")
    if not isinstance(found, dict):
        return None
    resource, action = found.get("resource"), found.get("action")
    return (resource, action) if isinstance(resource, str) and isinstance(action, str) else None


class GuardedRoute(APIRoute):
    """An APIRoute whose handler runs only after its declared access is granted (see the module's docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        access = declared(self)

        async def guarded(request: Request) -> Response:
            identity, via, csrf = await run_in_threadpool(authenticate, request)
            request.state.identity, request.state.auth_via, request.state.csrf_token = identity, via, csrf
            if access is None:
                raise WebError("TW-E613", role=identity.role, action="use", kind="this route")
            kind, action = access
            require(identity, action, Resource(kind))
            if request.method not in SAFE_METHODS and via != "token":
                await check_csrf(request, via, csrf)
            return await handler(request)

        return guarded


def app_routes(app: FastAPI) -> Iterator[tuple[BaseRoute, str, set[str]]]:
    """Every route the app serves, through included routers: (the route, its full path, its methods)."""
    try:
        from fastapi.routing import iter_route_contexts  # noqa: PLC0415  (FastAPI >= 0.160 includes routers lazily)
    except ImportError:
        for route in app.routes:
            yield route, getattr(route, "path", ""), set(getattr(route, "methods", None) or ())
        return
    for context in iter_route_contexts(app.routes):
        yield context.original_route, context.path or "", set(context.methods or ())


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method the app answers at `path` (HEAD wherever GET is: the app answers it), for a 405's `Allow`."""
    found: set[str] = set()
    for _route, pattern, methods in app_routes(app):
        if pattern and compile_path(pattern)[0].match(path):
            found |= methods
    if "GET" in found:
        found.add("HEAD")
    return sorted(found)


def authenticate(request: Request) -> tuple[Identity, str, str | None]:
    """Who is asking, how ("token", "session" or "none") and the session's CSRF token. A request that sends an
    Authorization header must send a valid Bearer token (TW-E612); an unknown or expired session cookie is the
    public."""
    web = request.app.state.web  # the app's database: the guard runs before the handler and its dependencies
    store, parties = web.db.workplace, web.conflict.party_codes
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        user = token_user(store, token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise WebError("TW-E612")
        return Identity.of(user, parties), "token", None
    found = session_user(store, request.cookies.get(SESSION_COOKIE))
    if found is not None:
        return Identity.of(found[0], parties), "session", found[1]
    return PUBLIC, "none", None


def require(identity: Identity, action: str, resource: Resource, *, hide: str | None = None) -> None:
    """Raise unless `decide` allows: when `hide` names the object ("complaint 'cmp-1'"), TW-E616 (404), exactly as
    for an object that does not exist; else TW-E610 (401) for the public and TW-E613 (403) for a signed-in user."""
    if decide(identity, action, resource):
        return
    if hide:
        raise not_found(hide)
    if not identity.signed_in:
        raise WebError("TW-E610")
    raise WebError("TW-E613", role=identity.role, action=action, kind=_plural(resource.kind))


def fetch_readable(identity: Identity, kind: str, what: str, fetch: Callable[[], Any], missing: str) -> Any:
    """`fetch()` a published object of `kind` that `identity` may read. The job's error `missing` (it does not exist)
    and a refusal both become the one 404 naming `what`, so existence does not leak."""
    try:
        found = fetch()
    except TrucewatchError as err:
        if err.code == missing:
            raise not_found(what) from None
        raise
    require(identity, "read", Resource(kind), hide=what)
    return found


def not_found(what: str) -> WebError:
    """The one "not found" error, for objects that do not exist and objects the caller may not see alike."""
    return WebError("TW-E616", what=what)


def identity_of(request: Request) -> Identity:
    """The identity the guard found (a FastAPI dependency)."""
    return request.state.identity


async def check_csrf(request: Request, via: str, session_csrf: str | None) -> None:
    """The CSRF token of an unsafe request on a cookie: the session's own token (field `csrf_token` or header
    `X-CSRF-Token`); without a session, the sign-in form's token for the nonce in LOGIN_COOKIE. TW-E614 otherwise."""
    given = request.headers.get("x-csrf-token") or await _form_token(request)
    if via == "session":
        expected = session_csrf
    else:
        nonce = request.cookies.get(LOGIN_COOKIE)
        expected = login_csrf_token(request.app.state.web.secret_key, nonce) if nonce else None
    if not same_token(expected, given):
        raise WebError("TW-E614")


async def _form_token(request: Request) -> str | None:
    if not request.headers.get("content-type", "").startswith(FORM_TYPES):
        return None
    value = (await request.form()).get("csrf_token")
    return value if isinstance(value, str) else None


def _plural(kind: str) -> str:
    words = kind.replace("_", " ")
    return words if words.endswith("s") else words + "s"
