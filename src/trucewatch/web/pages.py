"""The server-rendered pages: rendering (`render`), the home page (the latest incidents and reports), signing in
and out. The record's pages (map, timeline, incidents, agreements) are in `record_pages`, the complaints' in
`complaint_pages`.

Templates are in web/templates, rendered by Jinja with autoescape on: report text is hostile input, so whatever
it holds is shown as text, and a report's URL becomes a link only when it is http or https (`web_link`), with
rel="noopener noreferrer nofollow". The only scripts are the files under /static (the map's).
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from trucewatch import jobs
from trucewatch.casework.access import PUBLIC, Identity, Resource, decide
from trucewatch.errors import IncidentError, WebError
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
from trucewatch.jobs.inbox import latest_published, waiting
from trucewatch.publish.export import deaths_text
from trucewatch.records import Complaint, Incident, IncidentFilter, IncidentSummary, User
from trucewatch.storage import Database
from trucewatch.storage.workplace import PageQuery
from trucewatch.web.error_envelope import error_headers, status_of
from trucewatch.web.guard import GuardedRoute, guard, identity_of
from trucewatch.web.state import DB

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
HOME_INCIDENTS, HOME_REPORTS = 25, 10
LOGIN_NONCE_SECONDS = 3600
MAX_NEXT = 2000  # characters of the path signing in returns to


@lru_cache(maxsize=1)
def templates() -> Environment:
    env = Environment(loader=PackageLoader("trucewatch.web", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["web_link"] = web_link
    env.globals["deaths"] = deaths
    env.globals["death_range"] = death_range
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
    """'23 (23–58)', '5' for a single figure, '' without one (publish.export.deaths_text)."""
    return deaths_text(s.fatalities_low, s.fatalities_best, s.fatalities_high, dash="–", none="")


def death_range(low: int | None, best: int, high: int | None) -> str:
    """One estimate's best figure and range, as `deaths` writes an incident's."""
    return deaths_text(low, best, high, dash="–", none="")


# the header's links: (path, words, the resource kind and action they need); the inbox is for those signed in
NAV = (("/", "Incidents", "incident", "list"), ("/map", "Map", "incident", "list"),
       ("/timeline", "Timeline", "incident", "list"), ("/agreements", "Agreements", "agreement", "list"),
       ("/findings", "Findings", "finding", "list"), ("/complaints", "Complaints", "complaint", "list"),
       ("/inbox", "Inbox", "me", "read"), ("/alerts", "Alerts", "me", "read"),
       ("/account/keys", "Signing keys", "monitor_key", "create"), ("/admin/sources", "Sources", "source", "list"))
HOME_FINDINGS = 10


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def render(request: Request, template: str, **context: Any) -> str:
    """A page, with who is signed in (and their CSRF token, for the sign-out form) and the links they may follow
    in the header."""
    identity: Identity = getattr(request.state, "identity", PUBLIC)
    return templates().get_template(template).render(
        identity=identity, role_label=role_label(identity), csrf_token=getattr(request.state, "csrf_token", None) or "",
        nav=nav_links(request), here=request.url.path, **context)


def nav_links(request: Request) -> list[tuple[str, str]]:
    """The header's links the visitor may follow; the inbox's with what waits for them, "Inbox (3)"."""
    identity: Identity = getattr(request.state, "identity", PUBLIC)
    links = []
    for path, words, kind, action in NAV:
        if not decide(identity, action, Resource(kind)):
            continue
        if path == "/inbox":
            count = waiting(request.app.state.web.desk, user_of(identity))
            words = f"{words} ({count})" if count else words
        links.append((path, words))
    return links


def user_of(identity: Identity) -> User | None:
    """The visitor as the jobs know them; None for the public."""
    if not identity.signed_in:
        return None
    return User(name=identity.name or "", role=identity.role, party=identity.party, guarantor=identity.guarantor,
                user_id=identity.user_id)


def role_label(i: Identity) -> str:
    if i.role == "monitor":
        return f"guarantor monitor ({i.guarantor})"
    if i.role == "liaison":
        return f"liaison officer ({i.party})"
    return i.role


@router.get("/", response_class=HTMLResponse, openapi_extra=guard("page", "read"))
def home(request: Request, db: DB) -> HTMLResponse:
    """The latest published findings, incidents and reports, as far as the visitor may see them; what waits in a
    signed-in visitor's inbox."""
    identity = identity_of(request)
    store = db.workplace
    incidents = reports = []
    if decide(identity, "list", Resource("incident")):
        incidents = store.incident_page(IncidentFilter(), PageQuery("date", True, None, HOME_INCIDENTS))
    if decide(identity, "list", Resource("report")):
        reports = store.report_page(PageQuery("published", True, None, HOME_REPORTS))
    desk = request.app.state.web.desk
    findings = latest_published(db.cases.findings(published_only=True))[:HOME_FINDINGS]
    return HTMLResponse(render(request, "home.html", incidents=incidents, reports=reports, findings=findings,
                               incident_labels=incident_labels(db, (i for f in findings for i in f.incident_ids)),
                               waiting=waiting(desk, user_of(identity))))


def incident_label(s: IncidentSummary | Incident) -> str:
    """An incident as people name it: "2025-10-15 · Spin Boldak · armed clash"."""
    if isinstance(s, IncidentSummary):
        place = s.location or s.admin1 or s.country
    else:
        place = s.place.name if s.place else None
    kind = (s.sub_event_type or s.event_type).lower()
    return " · ".join((str(s.first_date or "undated"), place or "place unknown", kind))


def incident_labels(db: Database, incident_ids: Iterable[str]) -> dict[str, str]:
    """Labels of these incidents (those that exist), by id: for the few a page names (each is described afresh)."""
    found = {}
    for incident_id in dict.fromkeys(incident_ids):
        try:
            found[incident_id] = incident_label(jobs.incidents.get_incident(db, incident_id))
        except IncidentError:
            continue
    return found


def complaint_label(c: Complaint) -> str:
    """A complaint as people name it: its party and its first words."""
    words = c.text.split()
    return f"{c.party}: {' '.join(words[:8])}{' …' if len(words) > 8 else ''}"


@router.get("/login", response_class=HTMLResponse, openapi_extra=guard("page", "read"))
def login_form(request: Request, next: str = "") -> HTMLResponse:  # noqa: A002  (the parameter's name in URLs)
    return _login_page(request, next_path=local_path(next))


@router.post("/login", openapi_extra=guard("session", "create"))
def login(request: Request, db: DB, name: str = Form(""), password: str = Form(""),
          next: str = Form("")) -> Response:  # noqa: A002
    """Sign in: on success a session cookie and a redirect to the page asked for (`next`, a path of this site) or
    home; else the form again, with why (401 or 429)."""
    address = request.client.host if request.client else "unknown"
    next_path = local_path(next)
    try:
        user = sign_in(db.workplace, name, password, address)
    except WebError as err:
        status = status_of(err)
        message = str(err).removeprefix(f"{err.code}: ")
        return _login_page(request, error=f"{message} ({err.code})", name=name, status=status,
                           headers=error_headers(err, status), next_path=next_path)
    session = start_session(db.workplace, user)
    response = RedirectResponse(next_path or "/", status_code=303)
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
                headers: dict[str, str] | None = None, next_path: str = "") -> HTMLResponse:
    nonce = request.cookies.get(LOGIN_COOKIE) or new_nonce()
    token = login_csrf_token(request.app.state.web.secret_key, nonce)
    response = HTMLResponse(render(request, "login.html", login_token=token, error=error, name=name,
                                   next_path=next_path), status_code=status, headers=headers)
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=LOGIN_NONCE_SECONDS, httponly=True, samesite="lax",
                        secure=secure_cookies(request), path="/")
    return response


def local_path(wanted: str) -> str:
    """`wanted` if it is a path of this site ("/complaints/cmp-1?x=1"), else "": never another host ("//evil.example",
    "https://evil.example", "/\\evil.example"), so signing in cannot send anyone elsewhere (an open redirect)."""
    if not wanted.startswith("/") or wanted.startswith(("//", "/\\")) or len(wanted) > MAX_NEXT:
        return ""
    if "\\" in wanted or any(ord(ch) < 32 or ord(ch) == 127 for ch in wanted):
        return ""
    try:
        parts = urlsplit(wanted)
    except ValueError:
        return ""
    return wanted if not parts.scheme and not parts.netloc else ""


def login_url(request: Request) -> str:
    """The sign-in page, asked to come back to the page of `request` afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?{urlencode({'next': here})}" if local_path(here) else "/login"


def secure_cookies(request: Request) -> bool:
    """Cookies are Secure when the app is reached over https, or the cookie_secure setting says so."""
    return bool(request.app.state.web.settings.cookie_secure) or request.url.scheme == "https"
