"""The server-rendered pages: rendering (`render`), the home page (the latest incidents and reports), signing in
and out. The record's pages (map, timeline, incidents, agreements) are in `record_pages`, the complaints' in
`complaint_pages`.

Templates are in web/templates, rendered by Jinja with autoescape on: report text is hostile input, so whatever
it holds is shown as text, and a report's URL becomes a link only when it is http or https (`web_link`), with
rel="noopener noreferrer nofollow". The only scripts are the files under /static (the map's).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from trucewatch.casework.access import PUBLIC, Identity, Resource, decide
from trucewatch.errors import WebError
from trucewatch.jobs.auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    end_session,
    login_csrf_token,
    new_nonce,
    sign_in,
    start_session,
)
from trucewatch.records import IncidentFilter, IncidentSummary
from trucewatch.storage.workplace import PageQuery
from trucewatch.web.error_envelope import error_headers, status_of
from trucewatch.web.guard import GuardedRoute, guard, identity_of
from trucewatch.web.state import DB

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
HOME_INCIDENTS, HOME_REPORTS = 25, 10
LOGIN_NONCE_SECONDS = 3600


@lru_cache(maxsize=1)
def templates() -> Environment:
    env = Environment(loader=PackageLoader("trucewatch.web", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["web_link"] = web_link
    env.globals["deaths"] = deaths
    env.globals["plural"] = plural
    return env


def web_link(url: str | None) -> str | None:
    """The URL if it is an http(s) address, else None: `javascript:` and the like never become links."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def deaths(s: IncidentSummary) -> str:
    if s.fatalities_best is None:
        return ""
    high = "?" if s.fatalities_high is None else s.fatalities_high
    return f"{s.fatalities_best} ({s.fatalities_low}-{high})"


# the header's links: (path, words, the resource kind and action they need)
NAV = (("/", "Incidents", "incident", "list"), ("/map", "Map", "incident", "list"),
       ("/timeline", "Timeline", "incident", "list"), ("/agreements", "Agreements", "agreement", "list"),
       ("/complaints", "Complaints", "complaint", "list"))


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def render(request: Request, template: str, **context: Any) -> str:
    """A page, with who is signed in (and their CSRF token, for the sign-out form) and the links they may follow
    in the header."""
    identity: Identity = getattr(request.state, "identity", PUBLIC)
    nav = [(path, words) for path, words, kind, action in NAV if decide(identity, action, Resource(kind))]
    return templates().get_template(template).render(
        identity=identity, role_label=role_label(identity), csrf_token=getattr(request.state, "csrf_token", None) or "",
        nav=nav, here=request.url.path, **context)


def role_label(i: Identity) -> str:
    if i.role == "monitor":
        return f"guarantor monitor ({i.guarantor})"
    if i.role == "liaison":
        return f"liaison officer ({i.party})"
    return i.role


@router.get("/", response_class=HTMLResponse, openapi_extra=guard("page", "read"))
def home(request: Request, db: DB) -> HTMLResponse:
    """The latest incidents and reports, as far as the visitor may see them."""
    identity = identity_of(request)
    store = db.workplace
    incidents = reports = []
    if decide(identity, "list", Resource("incident")):
        incidents = store.incident_page(IncidentFilter(), PageQuery("date", True, None, HOME_INCIDENTS))
    if decide(identity, "list", Resource("report")):
        reports = store.report_page(PageQuery("published", True, None, HOME_REPORTS))
    return HTMLResponse(render(request, "home.html", incidents=incidents, reports=reports))


@router.get("/login", response_class=HTMLResponse, openapi_extra=guard("page", "read"))
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/login", openapi_extra=guard("session", "create"))
def login(request: Request, db: DB, name: str = Form(""), password: str = Form("")) -> Response:
    """Sign in: on success a session cookie and a redirect home; else the form again, with why (401 or 429)."""
    address = request.client.host if request.client else "unknown"
    try:
        user = sign_in(db.workplace, name, password, address)
    except WebError as err:
        status = status_of(err)
        message = str(err).removeprefix(f"{err.code}: ")
        return _login_page(request, error=f"{message} ({err.code})", name=name, status=status,
                           headers=error_headers(err, status))
    session = start_session(db.workplace, user)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(SESSION_COOKIE, session.cookie, max_age=int(SESSION_LIFETIME.total_seconds()),
                        httponly=True, samesite="lax", secure=secure_cookies(request), path="/")
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout", openapi_extra=guard("session", "delete"))
def logout(request: Request, db: DB) -> Response:
    end_session(db.workplace, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=secure_cookies(request))
    return response


def _login_page(request: Request, error: str = "", name: str = "", status: int = 200,
                headers: dict[str, str] | None = None) -> HTMLResponse:
    nonce = request.cookies.get(LOGIN_COOKIE) or new_nonce()
    token = login_csrf_token(request.app.state.web.secret_key, nonce)
    response = HTMLResponse(render(request, "login.html", login_token=token, error=error, name=name),
                            status_code=status, headers=headers)
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=LOGIN_NONCE_SECONDS, httponly=True, samesite="lax",
                        secure=secure_cookies(request), path="/")
    return response


def secure_cookies(request: Request) -> bool:
    """Cookies are Secure when the app is reached over https, or the cookie_secure setting says so."""
    return bool(request.app.state.web.settings.cookie_secure) or request.url.scheme == "https"
