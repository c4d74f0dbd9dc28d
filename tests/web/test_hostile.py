"""Report text is hostile input. An ingested article whose title, outlet, URL and text carry script tags, event
handlers and javascript: links, and a complaint written the same way, render inert on every page of the app (found
from its router, so a new page is covered as soon as it exists); and the CSV exports neutralise every cell that a
spreadsheet would run as a formula (=, +, -, @). The browser test (tests/web/browser/test_hostile.py) checks that no
dialog fires in a real browser."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from trucewatch import jobs
from trucewatch.web.app import create_app, route_table

from .conftest import World
from .test_pages import HOSTILE, tags

HOSTILE_COMPLAINT = "=HYPERLINK(\"http://evil.example\") <script>alert('c')</script><img src=x onerror=alert(4)>"
EMBEDS = ("img", "iframe", "object", "embed", "frame", "base", "form")
SCRIPT_SOURCES = ("/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
                  "/static/map.js", "/static/signing.js")  # signing.js: a monitor's keys page and the sign form


@pytest.fixture
def hostile(own_world: World, tmp_path) -> tuple[TestClient, World, dict[str, str]]:
    """The world with the hostile report ingested and a hostile complaint of each party; the values of the page
    paths' parameters."""
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(HOSTILE), encoding="utf-8")
    with own_world.open() as db:
        [result] = jobs.ingest.ingest_paths([source], db)
        assert result.status == "added", result.reason
        events, _ = jobs.incidents.list_events(db)
    incident = next(e.incident_id for e in events if e.report_id == "hostile-1")
    client = TestClient(create_app(own_world.settings))
    complaints = {}
    for party in ("PAK", "AFG"):
        answer = client.post("/api/v1/complaints", headers=own_world.auth(f"liaison {party}"),
                             data={"text": HOSTILE_COMPLAINT, "incident_id": incident})
        assert answer.status_code == 201, answer.text
        complaints[party] = answer.json()["data"]["complaint_id"]
    values = {"incident_id": incident, "report_id": "hostile-1", "agreement_id": "doha-2025-10-19",
              "complaint_id": complaints["AFG"],
              "path": "site.css", "finding_id": own_world.findings["published"]}
    return client, own_world, values


def page_paths(client: TestClient, values: dict[str, str]) -> list[str]:
    """Every page the app serves with GET (not the API, not the static files), its parameters filled in."""
    found = [r["path"] for r in route_table(client.app) if r["method"] == "GET"
             and not r["path"].startswith(("/api/", "/static/", "/openapi.json"))]
    return [re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path) for path in found]


def assert_inert(html: str, where: str) -> None:
    found = tags(html)
    scripts = [attrs.get("src") for tag, attrs in found if tag == "script"]
    assert set(scripts) <= set(SCRIPT_SOURCES), (where, scripts)  # no inline script, nothing from elsewhere
    embedded = [t for t, attrs in found
                if t in EMBEDS and not (t == "form" and attrs.get("action", "").startswith("/"))]
    assert not embedded, where
    assert not [(tag, a) for tag, attrs in found for a in attrs if a.startswith("on")], where
    links = [v for _, attrs in found for k, v in attrs.items() if k in ("href", "src", "action", "formaction")]
    assert not [v for v in links if re.match(r"\s*(javascript|data|vbscript):", v or "", re.IGNORECASE)], where
    assert "<script>alert" not in html and "<img" not in html, where


def test_hostile_text_renders_inert_on_every_page(hostile):
    client, world, values = hostile
    paths = page_paths(client, values)
    assert len(paths) >= 9, paths
    shown = {}
    for role in ("monitor QAT", "liaison AFG", "public"):
        for path in paths:
            answer = client.get(path, headers=world.auth(role))
            # 403: a monitor's page (edit, publish) to a liaison officer; who may reach what is test_access_matrix's
            assert answer.status_code in (200, 401, 403, 404), (role, path, answer.status_code)
            assert_inert(answer.text, f"{role} {path}")
            shown[(role, path)] = answer.text
    incident_page = shown[("public", f"/incidents/{values['incident_id']}")]
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Strike on Kabul" in incident_page
    assert "&lt;img src=x onerror=alert(1)&gt;" in incident_page  # the outlet, as text
    assert "javascript:alert(document.cookie)" in incident_page  # the URL, shown as text, never a link
    report_page = shown[("liaison AFG", "/reports/hostile-1")]  # the text, sentence by sentence, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report_page and 'id="s-1"' in report_page
    complaint_page = shown[("monitor QAT", f"/complaints/{values['complaint_id']}")]
    assert "&lt;script&gt;alert(&#39;c&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(4)&gt;" in complaint_page
    assert "&lt;script&gt;alert(&#39;c&#39;)" in shown[("liaison AFG", "/complaints")]


def test_csv_exports_neutralise_cells_that_a_spreadsheet_would_run(hostile):
    client, world, _ = hostile
    for path, role in (("/api/v1/export/events.csv?level=account", "public"),
                       ("/api/v1/export/events.csv?level=incident", "public"),
                       ("/api/v1/export/complaints.csv", "monitor QAT"),
                       ("/api/v1/export/complaints.csv", "liaison PAK")):
        answer = client.get(path, headers=world.auth(role))
        assert answer.status_code == 200, (path, answer.text)
        rows = list(csv.reader(io.StringIO(answer.text)))
        cells = [cell for row in rows[1:] for cell in row]
        assert cells, path
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], path
        texts = " ".join(cells)
        if "level=account" in path:  # outlets and notes that begin with =, @, - and +
            for neutralised in ("'=HYPERLINK(\"http://evil.example\",\"x\")", "'@evil", "'-2+3", "'+SUM(1,2)"):
                assert neutralised in texts, neutralised
        elif "complaints" in path:
            assert "'=HYPERLINK(\"http://evil.example\") <script>" in texts
