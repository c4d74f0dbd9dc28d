"""One error envelope for the whole web app: `{"error": {"code": ..., "message": ..., "details": ...}}`.

Every error, whatever raised it (a `TrucewatchError`, a request that does not validate, an unknown path, a bug),
leaves as that object with the HTTP status of its code (`STATUS`); pages get the same code and message as an HTML
page. `install(app)` registers the handlers.
"""
from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from trucewatch.errors import TrucewatchError, WebError
from trucewatch.web.guard import allowed_methods

log = logging.getLogger(__name__)

STATUS = {
    "TW-E610": 401, "TW-E611": 401, "TW-E612": 401, "TW-E613": 403, "TW-E614": 403, "TW-E615": 429,
    "TW-E616": 404, "TW-E617": 405, "TW-E618": 422, "TW-E619": 413, "TW-E620": 422, "TW-E699": 500,
    # errors of the jobs the API calls
    "TW-E305": 404, "TW-E306": 404, "TW-E503": 404, "TW-E308": 409,
    "TW-E201": 503, "TW-E202": 503, "TW-E203": 503,
    # verification (docs/findings.md): a state or a sealed finding in the way is a conflict
    "TW-E801": 409, "TW-E802": 403, "TW-E803": 422, "TW-E804": 409, "TW-E805": 409, "TW-E806": 422, "TW-E807": 404,
    "TW-E808": 409, "TW-E809": 409, "TW-E810": 409, "TW-E811": 403, "TW-E812": 403, "TW-E813": 409, "TW-E814": 409,
    "TW-E815": 404, "TW-E820": 409,
    "TW-E830": 422, "TW-E831": 422, "TW-E832": 409, "TW-E833": 422, "TW-E834": 403, "TW-E835": 409, "TW-E836": 409,
    "TW-E837": 409,
}
DEFAULT_STATUS = 422  # any other TrucewatchError: the request asked for something that cannot be done


def status_of(err: TrucewatchError) -> int:
    return STATUS.get(err.code, DEFAULT_STATUS)


def envelope(err: TrucewatchError) -> dict[str, Any]:
    """The error object: its code, its message (without the code in front) and its details (the values the
    message names, by name; null when none)."""
    message = str(err).removeprefix(f"{err.code}: ")
    details = {k: _plain(v) for k, v in err.details.items() if k != "detail"}  # `detail` is in the message
    return {"error": {"code": err.code, "message": message, "details": details or None}}


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def wants_json(path: str) -> bool:
    return path.startswith("/api/") or path == "/openapi.json"


def error_response(request: Request, err: TrucewatchError, status: int | None = None) -> Response:
    """The response for an error: the envelope as JSON under /api/ (and for /openapi.json), an HTML page elsewhere."""
    status = status or status_of(err)
    headers = error_headers(err, status)
    if wants_json(request.url.path):
        return JSONResponse(envelope(err), status_code=status, headers=headers)
    from trucewatch.web.pages import login_url, render  # noqa: PLC0415  (pages import this module)

    if err.code == "TW-E610" and request.method in ("GET", "HEAD"):
        return RedirectResponse(login_url(request), status_code=303)  # a page to sign in for: back to it afterwards

    body = envelope(err)["error"]
    return HTMLResponse(render(request, "error.html", status=status, error=body), status_code=status,
                        headers=headers)


def error_headers(err: TrucewatchError, status: int) -> dict[str, str]:
    if status == 401:
        return {"WWW-Authenticate": 'Bearer realm="trucewatch"'}
    if status == 429:
        return {"Retry-After": str(err.details.get("retry_after", 60))}
    if status == 405:
        return {"Allow": str(err.details.get("allowed", ""))}
    return {}


def install(app: FastAPI) -> None:
    app.add_exception_handler(TrucewatchError, _on_trucewatch_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _on_invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _on_bug)


async def _on_trucewatch_error(request: Request, err: TrucewatchError) -> Response:
    return error_response(request, err)


async def _on_invalid_request(request: Request, err: RequestValidationError) -> Response:
    problems = [{"field": " -> ".join(str(part) for part in e.get("loc", ())), "problem": e.get("msg", "")}
                for e in err.errors()]
    detail = "; ".join(f"[{p['field']}] {p['problem']}" for p in problems)
    return error_response(request, WebError("TW-E618", detail=detail, problems=problems), 422)


async def _on_http_exception(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code == 404:
        return error_response(request, WebError("TW-E616", what=request.url.path))
    if exc.status_code == 405:
        allowed = ", ".join(allowed_methods(request.app, request.url.path)) or (exc.headers or {}).get("Allow", "")
        return error_response(request, WebError("TW-E617", method=request.method, allowed=allowed))
    # a body that cannot be parsed (400 from FastAPI) is an invalid request like any other: 422, as TW-E618 says
    status = 422 if exc.status_code == 400 else exc.status_code
    return error_response(request, WebError("TW-E618", detail=str(exc.detail)), status)


async def _on_bug(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(request, WebError("TW-E699", detail=type(exc).__name__))
