"""Hostile query strings from anyone: every one is a 4xx in the one error envelope (TW-E6xx), never a 500.

Cursors that are not ours (non-ASCII among them), dates outside years 1900..2200 or not written YYYY-MM-DD, and
text filters over 200 characters are refused before they reach the store. And the small things of the HTTP layer:
405 lists every method of the path, HEAD is answered wherever GET is, an empty complaint text opened from an
incident says the text is required, the listings declare their `sort` values, and https gets HSTS.
"""
from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from trucewatch.web.app import create_app

from .conftest import World

LISTINGS = ("/api/v1/incidents", "/api/v1/events", "/api/v1/reports", "/api/v1/complaints")


def refused(answer, code: str = "TW-E618", status: int = 422) -> dict:
    assert answer.status_code == status, (answer.status_code, answer.text[:300])
    body = answer.json()
    assert body["error"]["code"] == code, body
    return body["error"]


@pytest.mark.parametrize("path", LISTINGS)
@pytest.mark.parametrize("cursor", ["é", "ñ.ü", "Ünïcödé.abc", "x" * 5000, "."])
def test_a_cursor_that_is_not_ours_is_refused_on_every_listing(client, world: World, path, cursor):
    answer = client.get(path, params={"cursor": cursor}, headers=world.auth("admin"))
    assert answer.status_code == 422, (answer.status_code, answer.text[:300])
    assert answer.json()["error"]["code"] in ("TW-E620", "TW-E618")


@pytest.mark.parametrize("path", ["/timeline", "/api/v1/incidents", "/api/v1/events", "/api/v1/reports",
                                  "/api/v1/map", "/api/v1/agreements/doha-2025-10-19/compliance"])
@pytest.mark.parametrize("query", [{"to": "9999-12-31"}, {"from": "0001-01-01"}, {"to": "2201-01-01"},
                                   {"from": "1899-12-31"}, {"to": "0"}, {"from": "20251015"},
                                   {"to": "1760000000"}, {"from": "2025-10-15T00:00:00"}])
def test_dates_outside_the_years_served_or_not_yyyy_mm_dd_are_refused(client, path, query):
    answer = client.get(path, params=query, headers={"Accept": "text/html"})
    assert answer.status_code == 422, (answer.status_code, answer.text[:300])
    assert "TW-E618" in answer.text and "YYYY-MM-DD" in answer.text


def test_dates_within_the_years_served_are_taken(client):
    assert client.get("/timeline", params={"from": "1900-01-01", "to": "1900-03-01"}).status_code == 200
    assert client.get("/api/v1/incidents", params={"from": "2025-10-20", "to": "2200-12-31"}).status_code == 200


@pytest.mark.parametrize("path, name", [("/api/v1/incidents", "actor"), ("/api/v1/incidents", "country"),
                                        ("/api/v1/incidents", "province"), ("/api/v1/incidents", "type"),
                                        ("/api/v1/events", "actor"), ("/api/v1/events", "incident_id"),
                                        ("/api/v1/reports", "outlet"), ("/api/v1/reports", "kind"),
                                        ("/api/v1/complaints", "status"), ("/api/v1/findings", "complaint_id")])
def test_a_text_filter_over_200_characters_is_refused(client, world: World, path, name):
    error = refused(client.get(path, params={name: "%_" * 9_000}, headers=world.auth("admin")))
    assert "200" in error["message"]
    assert client.get(path, params={name: "x" * 200}, headers=world.auth("admin")).status_code == 200


# --- the HTTP layer ------------------------------------------------------------------------------------------------


def test_405_lists_every_method_of_the_path(client, world: World):
    answer = client.delete(f"/api/v1/findings/{world.findings['draft']}", headers=world.auth("admin"))
    error = refused(answer, "TW-E617", 405)
    allowed = {m.strip() for m in answer.headers["allow"].split(",")}
    assert {"GET", "PATCH", "HEAD"} <= allowed, answer.headers["allow"]
    assert "GET" in error["message"] and "PATCH" in error["message"]


@pytest.mark.parametrize("path", ["/", "/login", "/timeline", "/api/v1/incidents", "/openapi.json",
                                  "/static/site.css"])
def test_head_is_answered_wherever_get_is(client, path):
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code == 200, (path, head.status_code)
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


def test_an_empty_complaint_text_from_an_incident_says_the_text_is_required(client, world: World):
    answer = client.post(f"/api/v1/incidents/{world.incidents[0]}/complaints", json={"party": "PAK", "text": "  "},
                         headers=world.auth("monitor QAT"))
    error = refused(answer)
    assert "finding" not in error["message"]
    assert "[body -> text]" in error["message"] and "empty" in error["message"]


def test_the_description_declares_the_sort_values_of_every_listing(client):
    described = client.get("/openapi.json").json()["paths"]
    wanted = {"/api/v1/incidents": {"date", "-date", "deaths", "-deaths", "updated", "-updated"},
              "/api/v1/events": {"date", "-date"}, "/api/v1/reports": {"published", "-published"},
              "/api/v1/complaints": {"filed", "-filed"}}
    for path, values in wanted.items():
        [sort] = [p for p in described[path]["get"]["parameters"] if p["name"] == "sort"]
        assert set(sort["schema"]["enum"]) == values, path


def test_hsts_is_sent_over_https_and_when_cookies_are_secure(world: World):
    with TestClient(create_app(world.settings), base_url="https://testserver") as secure:
        assert "max-age=" in secure.get("/").headers["strict-transport-security"]
    with TestClient(create_app(world.settings)) as plain:
        assert "strict-transport-security" not in plain.get("/").headers
    with TestClient(create_app(replace(world.settings, cookie_secure=True))) as c:
        assert "max-age=" in c.get("/").headers["strict-transport-security"]
