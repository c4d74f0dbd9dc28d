"""The pages: the home page lists the latest incidents and reports; report text is hostile input and is shown as
text, never run; the sign-in page."""
from __future__ import annotations

import json
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from trucewatch import jobs
from trucewatch.web.app import create_app

from .conftest import World

HOSTILE = {
    "id": "hostile-1",
    "published": "2025-10-16",
    "outlet": "<img src=x onerror=alert(1)>",
    "title": "<script>alert('title')</script> Strike on Kabul",
    "url": "javascript:alert(document.cookie)",
    "text": "KABUL, Oct 16 - Pakistani jets struck a compound in Kabul on Wednesday, killing nine civilians, "
            "officials said. <script>alert(1)</script> <a href=\"javascript:alert(2)\">more</a> "
            "<img src=x onerror=alert(3)>",
}


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def test_hostile_report_text_is_shown_as_text_and_never_runs(own_world: World, tmp_path):
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(HOSTILE), encoding="utf-8")
    with own_world.open() as db:
        [result] = jobs.ingest.ingest_paths([source], db)
    assert result.status == "added", result.reason
    with TestClient(create_app(own_world.settings)) as client:
        page = client.get("/")
        assert page.status_code == 200
        found = tags(page.text)
        assert not [t for t, _ in found if t in ("script", "img", "iframe", "object", "embed")]
        assert not [a for _, attrs in found for a in attrs if a.startswith("on")]
        assert not [attrs for t, attrs in found if t == "a"
                    and not (attrs.get("href") or "").startswith(("/", "http://", "https://"))]
        assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Strike on Kabul" in page.text
        assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
        # the API gives the text as it came, as JSON, to signed-in users
        body = client.get("/api/v1/reports/hostile-1", headers=own_world.auth("analyst")).json()["data"]
        assert "<script>alert(1)</script>" in body["text"] and body["url"] == HOSTILE["url"]


def test_the_home_page_lists_the_latest_incidents_as_a_table(client, world: World):
    page = client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    rows = [attrs.get("href") for tag, attrs in tags(page.text) if tag == "a"]
    for incident_id in world.incidents:
        assert f"/incidents/{incident_id}" in rows
    assert "<table>" in page.text and "Latest incidents" in page.text and "Sign in" in page.text
    assert "Chaman" in page.text and "Spin Boldak" in page.text


def test_the_sign_in_page_is_a_form_with_a_csrf_token(client):
    page = client.get("/login")
    inputs = {attrs.get("name"): attrs for tag, attrs in tags(page.text) if tag == "input"}
    assert set(inputs) == {"csrf_token", "name", "password"}
    assert inputs["password"]["type"] == "password" and len(inputs["csrf_token"]["value"]) == 64
    assert "tw_login=" in page.headers["set-cookie"] and "HttpOnly" in page.headers["set-cookie"]


def test_errors_on_pages_are_pages(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "TW-E616" in page.text
