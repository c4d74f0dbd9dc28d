"""The JSON API: the public record, listings with filters, sorting and cursors, exports, agreements, overrides, and
one error envelope for every error."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from trucewatch import jobs
from trucewatch.web import streaming
from trucewatch.web.app import create_app

from .conftest import World


def walk(client, url, headers=None):
    """Every row of a listing, following `next`; and how many pages it took."""
    rows, pages = [], 0
    while url:
        answer = client.get(url, headers=headers or {})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        rows += body["data"]
        pages += 1
        url = body["next"]
        if url:
            assert answer.headers["link"] == f'<{url}>; rel="next"'
    return rows, pages


# --- the public record ---------------------------------------------------------------------------------------------


def test_incidents_list_with_their_summaries_and_links(client, world: World):
    rows, _ = walk(client, "/api/v1/incidents")
    assert [r["incident_id"] for r in rows] == list(world.incidents)
    first = rows[0]
    assert first["first_date"] == "2025-10-15" and first["n_reports"] == 2 and first["country"] == "Afghanistan"
    assert first["link"] == f"/api/v1/incidents/{first['incident_id']}"


def test_one_incident_in_full_with_figures_and_claims(client, world: World):
    body = client.get(f"/api/v1/incidents/{world.incidents[0]}").json()["data"]
    assert body["incident_id"] == world.incidents[0]
    assert {s["report_id"] for s in body["sources"]} == {"w-001", "w-002"}
    assert body["figures"][0]["figure"]["low"] == 9
    assert body["claims"][0]["claim"]["stance"] == "denies" and body["claims"][0]["party"] == "PAK"


def test_cursor_pages_give_every_row_once_in_order(client, world: World):
    rows, pages = walk(client, "/api/v1/incidents?limit=1")
    assert pages == len(world.incidents)
    assert [r["incident_id"] for r in rows] == list(world.incidents)
    events, pages = walk(client, "/api/v1/events?limit=3&sort=-date")
    assert pages == 2
    assert [e["event_id"] for e in events] == ["evt-w4", "evt-w3", "evt-w2", "evt-w1"]


@pytest.mark.parametrize("sort", ["date", "-date", "deaths", "-deaths", "updated", "-updated"])
def test_every_sort_pages_through_the_same_rows(client, world: World, sort):
    rows, _ = walk(client, f"/api/v1/incidents?limit=1&sort={sort}")
    assert sorted(r["incident_id"] for r in rows) == sorted(world.incidents)
    if sort == "-date":
        assert [r["incident_id"] for r in rows] == list(reversed(world.incidents))


def test_incident_filters_are_those_of_the_cli(client):
    def ids(query):
        return [r["incident_id"] for r in walk(client, f"/api/v1/incidents?{query}")[0]]

    everything = ids("")
    assert ids("country=pakistan") == [i for i in everything if i in ids("province=Balochistan")]
    assert len(ids("country=Afghanistan")) == 2
    assert len(ids("from=2025-10-20&to=2025-10-21")) == 1
    assert len(ids("type=Armed%20clash")) == 1
    assert len(ids("actor=pakistan")) == 3
    assert sorted(ids("contested=true") + ids("contested=false")) == sorted(everything)


def test_event_filters(client, world: World):
    rows, _ = walk(client, f"/api/v1/events?incident_id={world.incidents[0]}")
    assert {e["event_id"] for e in rows} == {"evt-w1", "evt-w2"}
    assert [e["event_id"] for e in walk(client, "/api/v1/events?report_id=w-003")[0]] == ["evt-w3"]
    assert [e["event_id"] for e in walk(client, "/api/v1/events?province=kandahar")[0]] == ["evt-w4"]


def test_a_cursor_that_was_altered_or_belongs_to_another_query_is_refused(client):
    next_url = client.get("/api/v1/incidents?limit=1").json()["next"]
    cursor = next_url.split("cursor=")[1]
    tampered = client.get(f"/api/v1/incidents?limit=1&cursor=A{cursor}")
    moved = client.get(f"/api/v1/incidents?limit=1&country=Pakistan&cursor={cursor}")
    other_path = client.get(f"/api/v1/events?limit=1&cursor={cursor}")
    for answer in (tampered, moved, other_path):
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "TW-E620"


def test_a_different_page_size_keeps_the_cursor_valid(client, world: World):
    next_url = client.get("/api/v1/incidents?limit=1").json()["next"]
    answer = client.get(next_url.replace("limit=1", "limit=10"))
    assert [r["incident_id"] for r in answer.json()["data"]] == list(world.incidents[1:])


def test_reports_list_metadata_and_the_text_only_for_signed_in_users(client, world: World):
    rows, _ = walk(client, "/api/v1/reports")
    assert [r["report_id"] for r in rows] == ["w-004", "w-003", "w-002", "w-001"]
    assert all("text" not in r for r in rows)
    public = client.get("/api/v1/reports/w-001").json()["data"]
    analyst = client.get("/api/v1/reports/w-001", headers=world.auth("analyst")).json()["data"]
    assert "text" not in public and public["outlet"].startswith("=HYPERLINK")
    assert analyst["text"].startswith("Jets struck")


def test_one_event(client):
    body = client.get("/api/v1/events/evt-w3").json()["data"]
    assert body["sub_event_type"] == "Armed clash" and body["location"] == "Chaman"


def test_agreements_and_compliance(client, world: World):
    listed = client.get("/api/v1/agreements").json()
    assert "doha-2025-10-19" in [a["agreement_id"] for a in listed["data"]] and listed["next"] is None
    one = client.get("/api/v1/agreements/doha-2025-10-19").json()["data"]
    assert [p["code"] for p in one["parties"]] == ["PAK", "AFG"]
    assessed = client.get("/api/v1/agreements/doha-2025-10-19/compliance").json()["data"]
    assert {a["incident_id"] for a in assessed} == set(world.incidents)
    assert {a["window_status"] for a in assessed} <= {"inside", "outside", "uncertain"}


def test_me(client, world: World):
    assert client.get("/api/v1/me", headers=world.auth("liaison AFG")).json()["data"] == {
        "name": "liaison-afg", "role": "liaison", "party": "AFG", "guarantor": None}


def test_the_openapi_description_names_every_api_route_and_its_access(client):
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "trucewatch"
    assert "/api/v1/incidents" in spec["paths"] and "/api/v1/complaints" in spec["paths"]
    merge = spec["paths"]["/api/v1/incidents/{incident_id}/merge"]["post"]
    assert merge["x-access"] == {"resource": "override", "action": "create"}
    assert "404" in spec["paths"]["/api/v1/incidents/{incident_id}"]["get"]["responses"]


# --- exports -------------------------------------------------------------------------------------------------------


def test_the_csv_export_neutralises_formula_cells(client):
    answer = client.get("/api/v1/export/events.csv?level=account")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert 'filename="events.csv"' in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == 4
    sources = {row["event_id_cnty"]: row["source"] for row in rows}
    assert sources["evt-w1"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert sources["evt-w2"] == "'@evil"
    assert sources["evt-w3"] == "'-2+3"
    notes = {row["event_id_cnty"]: row["notes"] for row in rows}
    assert notes["evt-w1"].startswith("'+SUM(1,2)")
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def test_the_jsonl_and_geojson_exports_match_the_cli(client, world: World):
    lines = client.get("/api/v1/export/events.jsonl").text.splitlines()
    cli = io.StringIO()
    with world.open() as db:
        jobs.exports.export_events(db, "jsonl", cli)
    assert lines == cli.getvalue().splitlines()
    geo = client.get("/api/v1/export/events.geojson?level=account")
    assert geo.headers["content-type"].startswith("application/geo+json")
    assert len(json.loads(geo.text)["features"]) == 4


def test_the_default_csv_export_is_one_row_per_incident_as_the_cli_writes_it(client, world: World):
    answer = client.get("/api/v1/export/events.csv")
    cli = io.StringIO()
    with world.open() as db:
        jobs.exports.export_events(db, "csv", cli)
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert answer.text.splitlines() == cli.getvalue().splitlines()
    assert sorted(row["incident_id"] for row in rows) == sorted(world.incidents)
    assert {row["level"] for row in rows} == {"incident"}
    assert client.get("/api/v1/export/events.csv?level=events").status_code == 422


def test_an_unknown_export_format_is_a_422(client):
    answer = client.get("/api/v1/export/events.xlsx")
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "TW-E618"


def test_a_large_export_streams_in_several_chunks(own_world, monkeypatch):
    monkeypatch.setattr(streaming, "CHUNK_CHARS", 200)
    with TestClient(create_app(own_world.settings)) as client, \
            client.stream("GET", "/api/v1/export/events.jsonl") as answer:
        chunks = list(answer.iter_text())
    assert len(chunks) > 2
    assert len("".join(chunks).splitlines()) == 4


# --- overrides -----------------------------------------------------------------------------------------------------


def test_a_monitor_merges_two_incidents_and_a_second_merge_is_a_conflict(own_client, own_world: World):
    keep, absorb = own_world.incidents[0], own_world.incidents[1]
    answer = own_client.post(f"/api/v1/incidents/{keep}/merge", json={"absorb": absorb, "note": "one raid"},
                             headers=own_world.auth("monitor QAT"))
    assert answer.status_code == 201, answer.text
    body = answer.json()["data"]
    assert body["override"]["kind"] == "merge" and body["override"]["by"] == "mon-qat (QAT)"
    merged = own_client.get(body["link"]).json()["data"]
    assert {e["event_id"] for e in merged["events"]} >= {"evt-w1", "evt-w2", "evt-w3"}
    again = own_client.post(f"/api/v1/incidents/{body['incident_id']}/merge", json={"absorb": body["incident_id"]},
                            headers=own_world.auth("monitor QAT"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "TW-E308"


def test_split_and_pin(own_client, own_world: World):
    headers = own_world.auth("admin")
    split = own_client.post("/api/v1/events/evt-w2/split", json={"note": "another strike"}, headers=headers)
    assert split.status_code == 201
    alone = split.json()["data"]["incident_id"]
    assert [e["event_id"] for e in own_client.get(f"/api/v1/incidents/{alone}").json()["data"]["events"]] == \
        ["evt-w2"]
    pin = own_client.post("/api/v1/events/evt-w2/pin", json={"incident_id": own_world.incidents[0]},
                          headers=headers)
    assert pin.status_code == 201 and pin.json()["data"]["override"]["kind"] == "pin"


def test_overrides_of_unknown_things_are_404(own_client, own_world: World):
    headers = own_world.auth("monitor TUR")
    unknown_event = own_client.post("/api/v1/events/evt-nope/split", json={}, headers=headers)
    unknown_incident = own_client.post("/api/v1/events/evt-w1/pin", json={"incident_id": "inc-000000000000"},
                                       headers=headers)
    for answer in (unknown_event, unknown_incident):
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "TW-E616"


# --- one error envelope --------------------------------------------------------------------------------------------


def test_every_error_has_the_one_shape(own_client, own_world: World):
    big = b"x" * (own_world.settings.max_upload_bytes + 2 * 1024 * 1024)
    cases = {
        401: own_client.get("/api/v1/complaints"),
        403: own_client.get("/api/v1/complaints", headers=own_world.auth("analyst")),
        404: own_client.get("/api/v1/incidents/inc-000000000000"),
        405: own_client.delete("/api/v1/incidents"),
        409: own_client.post(f"/api/v1/incidents/{own_world.incidents[0]}/merge",
                             json={"absorb": own_world.incidents[0]}, headers=own_world.auth("admin")),
        413: own_client.post("/api/v1/complaints", headers=own_world.auth("liaison PAK"), data={"text": "x"},
                             files={"evidence": ("big.bin", big, "application/octet-stream")}),
        422: own_client.get("/api/v1/incidents?from=yesterday"),
    }
    cases[429] = _rate_limited(own_client)
    for status, answer in cases.items():
        assert answer.status_code == status, (status, answer.text[:200])
        if answer.headers["content-type"].startswith("application/json"):
            body = answer.json()
            assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
            assert body["error"]["code"].startswith("TW-E") and body["error"]["message"]
            assert not body["error"]["message"].startswith("TW-E")


def _rate_limited(client):
    """A 429: five failed sign-ins, through the sign-in form with its CSRF token, then a sixth."""
    for _ in range(6):
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        answer = client.post("/login", data={"name": "root", "password": "wrong wrong wrong", "csrf_token": token})
    assert answer.headers["retry-after"].isdigit()
    return answer


def test_validation_errors_name_the_field_by_path(client):
    body = client.get("/api/v1/incidents?limit=1000&contested=perhaps").json()["error"]
    assert body["code"] == "TW-E618"
    fields = {p["field"] for p in body["details"]["problems"]}
    assert fields == {"query -> limit", "query -> contested"}
    assert "[query -> limit]" in body["message"]


def test_an_unknown_sort_is_a_422_that_lists_the_choices(client):
    body = client.get("/api/v1/incidents?sort=size").json()["error"]
    assert body["code"] == "TW-E618" and "-deaths" in body["message"]


def test_security_headers_on_every_response(client):
    for answer in (client.get("/"), client.get("/api/v1/incidents"), client.get("/api/v1/nothing")):
        assert "default-src 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["cache-control"] == "no-store"
