"""The record's pages and the map's data: the map endpoint's compact points and filters, the outlines, the static
files, the timeline, an incident's page, the agreement pages; and the monitors' override forms."""
from __future__ import annotations

import html
import re
from datetime import date

from trucewatch import jobs
from trucewatch.jobs.record_views import EVENT_TYPES, AssessmentCache
from trucewatch.records import Claim, Event, Place, Report, Span
from trucewatch.storage.views import record_state

from .conftest import World
from .test_auth import session_csrf, sign_in
from .test_pages import tags

DOHA = "doha-2025-10-19"


def points(client, query: str = "", role: str | None = None, world: World | None = None) -> dict:
    answer = client.get(f"/api/v1/map{query}", headers=world.auth(role) if world and role else {})
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


# --- the map's data --------------------------------------------------------------------------------------------


def test_the_map_data_is_one_compact_array_per_located_incident_latest_first(client, world: World):
    data = points(client)
    assert data["columns"] == ["incident_id", "latitude", "longitude", "type", "deaths", "first_date"]
    assert data["types"] == [*EVENT_TYPES, "Other"] and len(data["colours"]) == len(data["types"])
    assert data["count"] == len(data["points"]) == len(world.incidents) and data["truncated"] is False
    first = data["points"][0]
    assert first[0] in world.incidents and isinstance(first[1], float) and isinstance(first[3], int)
    days = [p[5] for p in data["points"]]
    assert days == sorted(days, reverse=True)
    chaman = next(p for p in data["points"] if p[1] == 30.92)
    assert data["types"][chaman[3]] == "Battles" and chaman[4] == 9 and chaman[5] == "2025-10-20"


def test_the_map_filters_by_date_type_and_box(client):
    assert {p[5] for p in points(client, "?from=2025-10-20&to=2025-10-21")["points"]} == {"2025-10-20"}
    assert [p[3] for p in points(client, "?type=Battles")["points"]] == [0]
    assert len(points(client, "?type=Air/drone%20strike")["points"]) == 1
    in_afghanistan = points(client, "?bbox=60.5,29.3,75.0,38.5")["points"]
    assert {p[2] for p in in_afghanistan} == {69.17, 66.4, 66.45}
    assert points(client, "?bbox=69,34,70,35")["count"] == 1  # Kabul only


def test_the_map_filters_by_party_the_side_of_the_first_actor_or_the_accused(client):
    assert points(client, "?party=PAK")["count"] == 3  # the world's events are all Pakistan's forces'
    assert points(client, "?party=AFG")["count"] == 0
    accused = points(client, f"?agreement={DOHA}&party=PAK")
    assert 0 < accused["count"] <= 3
    assert points(client, f"?agreement={DOHA}&party=AFG")["count"] == 0


def test_the_map_filters_by_window_status_against_an_agreement(client):
    every = points(client)["points"]
    by_status = {w: points(client, f"?agreement={DOHA}&window={w}")["points"] for w in ("inside", "uncertain",
                                                                                             "outside")}
    assert sorted(p[0] for found in by_status.values() for p in found) == sorted(p[0] for p in every)
    assert {p[5] for p in by_status["inside"]} == {"2025-10-20", "2025-10-22"}  # Doha began on 19 October
    assert {p[5] for p in by_status["outside"]} == {"2025-10-15"}


def test_the_map_refuses_what_makes_no_sense(client):
    answer = client.get("/api/v1/map?window=inside")
    assert answer.status_code == 422 and "needs an agreement" in answer.json()["error"]["message"]
    assert client.get("/api/v1/map?agreement=nope").json()["error"]["code"] == "TW-E616"
    assert client.get("/api/v1/map?bbox=1,2,3").status_code == 422
    assert client.get("/api/v1/map?bbox=10,50,20,40").status_code == 422  # south above north
    assert client.get("/api/v1/map?party=pak").status_code == 422
    assert client.get("/api/v1/map?limit=0").status_code == 422


def test_more_incidents_than_the_limit_are_cut_to_the_latest(client):
    data = points(client, "?limit=2")
    assert data["count"] == 2 and data["truncated"] is True
    assert [p[5] for p in data["points"]] == ["2025-10-22", "2025-10-20"]


def test_the_outlines_are_the_shipped_provinces_and_borders(client):
    answer = client.get("/api/v1/boundaries")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/geo+json"
    found = answer.json()
    levels = [f["properties"]["level"] for f in found["features"]]
    assert found["type"] == "FeatureCollection" and levels.count("admin1") == 41 and "country" in levels
    assert "public" in answer.headers["cache-control"]


def test_static_files_are_served_from_the_package_and_nothing_else(client):
    script = client.get("/static/map.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "tw-map-drawn" in script.text
    assert client.get("/static/vendor/leaflet/leaflet.css").headers["content-type"].startswith("text/css")
    assert "BSD 2-Clause" in client.get("/static/vendor/leaflet/LICENSE").text
    assert "Permission is hereby granted" in client.get("/static/vendor/leaflet.markercluster/MIT-LICENCE.txt").text
    for path in ("/static/%2e%2e/app.py", "/static/..%2fapp.py", "/static/nothing.js", "/static/vendor",
                 "/static/../templates/base.html"):
        assert client.get(path).status_code == 404, path


def test_pages_may_run_only_the_scripts_served_from_static(client):
    policy = client.get("/map").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "connect-src 'self'" in policy and "default-src 'none'" in policy
    scripts = [attrs.get("src") for tag, attrs in tags(client.get("/map").text) if tag == "script"]
    assert scripts and all(src.startswith("/static/") for src in scripts)


# --- the map page, the timeline --------------------------------------------------------------------------------


def test_the_map_page_passes_its_filters_to_the_data_it_draws(client):
    page = client.get(f"/map?agreement={DOHA}&window=inside&party=PAK&from=&bogus=1")
    found = {attrs.get("id"): attrs for _, attrs in tags(page.text)}
    assert found["map"]["data-points"] == f"/api/v1/map?party=PAK&agreement={DOHA}&window=inside"
    assert found["map"]["data-boundaries"] == "/api/v1/boundaries"
    assert "<option selected>inside</option>" in page.text


def test_the_timeline_counts_incidents_and_deaths_per_day_with_the_windows_shaded(client):
    page = client.get("/timeline?from=2025-10-10&to=2025-10-25")
    assert page.status_code == 200 and "<svg" in page.text
    totals = dict(re.findall(r"<tr><td>(\w+)[^<]*</td><td class=\"num\">(\d+)</td>", page.text))
    assert totals == {"PAK": "3", "AFG": "0"}
    windows = re.findall(r'href="/agreements/([\w-]+)">', page.text)
    assert windows == ["truce-2025-10-15", "truce-extension-2025-10-17", DOHA]  # Istanbul began later


def test_the_timeline_by_accused_party_under_an_agreement(client):
    page = client.get(f"/timeline?agreement={DOHA}")
    assert page.status_code == 200 and "accused party under doha-2025-10-19" in page.text
    assert 'value="2025-10-12"' in page.text  # a week before the window, in its own zone
    assert client.get("/timeline?agreement=nope").status_code == 404
    rows = re.findall(r"<tr><td>([^<:]+): ([^<]+)</td><td class=\"num\">(\d+)</td>", page.text)
    assert {name for _, name, _ in rows} <= {"incidents attributed to PAK alone", "incidents attributed to AFG alone",
                                             "incidents in which several parties are accused",
                                             "incidents not attributed to a party"}
    shown = re.search(r'value="(\d{4}-\d\d-\d\d)"[^>]*>.*?value="(\d{4}-\d\d-\d\d)"', page.text, re.S)
    assert shown is not None
    listed = client.get(f"/api/v1/incidents?from={shown[1]}&to={shown[2]}&limit=200").json()
    assert sum(int(n) for *_, n in rows) == len(listed["data"])  # each incident once: the series add up


def test_a_span_too_long_is_cut_to_three_years(client):
    page = client.get("/timeline?from=2000-01-01&to=2025-10-25")
    assert page.status_code == 200 and "the last 1098 days" in page.text and "per week" in page.text


# --- an incident's page ----------------------------------------------------------------------------------------


def test_an_incident_page_shows_claims_figures_reports_and_assessments(client, world: World):
    kabul = next(i for i in world.incidents if "Kabul" in client.get(f"/incidents/{i}").text)
    page = client.get(f"/incidents/{kabul}")
    assert page.status_code == 200
    headings = re.findall(r"<th>([^<]+)</th>", page.text.split('class="claims"')[1].split("</thead>")[0])
    assert headings == ["PAK: Pakistan", "AFG: Afghanistan"]
    assert "PAK denies</span> (civilian deaths)" in page.text
    figures = page.text.split("Casualty figures")[1].split("</table>")[0]
    assert "Government of Afghanistan" in figures and "report w-001" in figures and "report w-002" in figures
    hashes = re.findall(r'<td class="hash">([0-9a-f]{64})</td>', page.text)
    assert len(hashes) == 2
    anchors = [attrs for tag, attrs in tags(page.text) if tag == "a" and "example.org" in (attrs.get("href") or "")]
    assert anchors and all(a["rel"] == "noopener noreferrer nofollow" for a in anchors)
    assessed = re.findall(r'<a href="/agreements/([\w-]+)">', page.text.split("<h2>Compliance assessment")[1])
    with world.open() as db:
        assert assessed == [a.agreement_id for a in jobs.agreements.list_agreements(db)]
    assert client.get("/incidents/inc-000000000000").status_code == 404


PAKTIKA = Place("Barmal", "Afghanistan", "Paktika", "Barmal", 32.77, 69.03, 1, "town")
PAKTIKA_TEXT = ("Pakistani jets struck Barmal in Paktika on Thursday night, killing 17 civilians, the Afghan "
                "government said. Pakistan's military denied on Friday that its jets had struck civilians in Paktika.")


def paktika(world: World) -> str:
    """A report whose Afghan claim carries its content and whose Pakistani denial carries none (as claims stored
    before content was coded); its incident's id."""
    second = PAKTIKA_TEXT.index("Pakistan's")
    said = Claim("Government of Afghanistan (Taliban)", "asserts", "civilian deaths", "Afghan government … said",
                 Span(0, second - 1), 0, content=PAKTIKA_TEXT[:79], content_span=Span(0, 79), figure=17)
    denied = Claim("Military Forces of Pakistan", "denies", "occurrence", "Pakistan's military … denied",
                   Span(second, len(PAKTIKA_TEXT)), 1, stated_on=date(2025, 10, 17))
    report = Report("paktika-1", "c" * 64, PAKTIKA_TEXT, date(2025, 10, 18), "file", outlet="Eastern Desk",
                    url="https://example.org/paktika-1")
    event = Event("evt-paktika-1", "paktika-1", "Explosions/Remote violence", "Air/drone strike", date(2025, 10, 16),
                  actor1="Military Forces of Pakistan", actor2="Civilians (Afghanistan)", place=PAKTIKA,
                  claims=(said, denied))
    with world.open() as db:
        db.reports.save(report, [event])
        jobs.incidents.resolve_all(db)
        return jobs.incidents.incident_of_event(db, "evt-paktika-1")


def shown_claims(page: str) -> dict[str, tuple[str, str]]:
    """Each claim on an incident page, by its stance as recorded: its text as a reader sees it, and its link."""
    found = re.findall(r'<p class="claim" data-stance="(\w+)">(.*?)</p>', page, re.DOTALL)
    return {stance: (" ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split()),
                     re.search(r'<a href="([^"]+)">', body).group(1)) for stance, body in found}


def test_an_incident_page_quotes_what_each_claim_says_with_its_date_and_a_link_to_its_sentence(own_client,
                                                                                               own_world: World):
    incident = paktika(own_world)
    claims = shown_claims(own_client.get(f"/incidents/{incident}").text)  # the public sees what was claimed
    assert claims["asserts"] == (
        ("AFG asserts (civilian deaths): “Pakistani jets struck Barmal in Paktika on Thursday night, killing 17 "
         "civilians” — Afghan government, 2025-10-18, report paktika-1, sentence 1 (Eastern Desk)"),
        "/reports/paktika-1#s-1")
    assert claims["denies"] == (  # no content coded: the sentence itself, never just "Pakistan's military denied"
        ("PAK denies (occurrence): “Pakistan's military denied on Friday that its jets had struck civilians in "
         "Paktika.” — Pakistan's military, 2025-10-17, report paktika-1, sentence 2 (Eastern Desk)"),
        "/reports/paktika-1#s-2")
    public = own_client.get("/reports/paktika-1")
    assert public.status_code == 200 and 'id="s-2"' not in public.text and "for signed-in users" in public.text
    report = own_client.get("/reports/paktika-1", headers=own_world.auth("analyst")).text
    sentence = re.search(r'<span class="sentence" id="s-2"[^>]*>([^<]+)</span>', report).group(1)
    assert html.unescape(sentence) == PAKTIKA_TEXT[PAKTIKA_TEXT.index("Pakistan's"):]
    assert f'href="/incidents/{incident}"' in report


def test_the_api_gives_each_claim_its_content_span_quote_and_sentence_link(own_client, own_world: World):
    incident = paktika(own_world)
    claims = own_client.get(f"/api/v1/incidents/{incident}").json()["data"]["claims"]
    by_stance = {c["claim"]["stance"]: c for c in claims}
    said, denied = by_stance["asserts"], by_stance["denies"]
    assert said["claim"]["content"] == said["quote"] == PAKTIKA_TEXT[:79]
    assert said["claim"]["content_span"] == {"start": 0, "end": 79} and said["claim"]["figure"] == 17
    assert said["link"] == "/reports/paktika-1#s-1" and denied["link"] == "/reports/paktika-1#s-2"
    assert denied["claim"]["content"] == "" and denied["claim"]["content_span"] is None
    assert denied["quote"].startswith("Pakistan's military denied on Friday")
    assert denied["made_on"] == "2025-10-17"


def test_only_monitors_and_admins_see_the_override_forms(client, world: World):
    path = f"/incidents/{world.incidents[0]}"
    for role in ("public", "analyst", "liaison PAK"):
        assert 'action="/incidents/' not in client.get(path, headers=world.auth(role)).text
    for role in ("monitor QAT", "admin"):
        page = client.get(path, headers=world.auth(role)).text
        assert f'action="{path}/merge"' in page and '/split"' in page and '/pin"' in page


def test_a_monitor_merges_splits_and_pins_through_the_page_forms(own_client, own_world: World):
    sign_in(own_client, "mon-qat")
    csrf = session_csrf(own_client)
    keep, absorb = own_world.incidents[0], own_world.incidents[1]
    refused = own_client.post(f"/incidents/{keep}/merge", data={"absorb": absorb})
    assert refused.status_code == 403 and "TW-E614" in refused.text  # no CSRF token, no merge
    done = own_client.post(f"/incidents/{keep}/merge", data={"absorb": absorb, "note": "one raid",
                                                             "csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=merged")
    merged = done.headers["location"].split("/incidents/")[1].split("?")[0]
    with own_world.open() as db:
        record = jobs.incidents.get_incident(db, merged)
        assert len(record.events) == 3 and record.overrides[0].by == "mon-qat (QAT)"
        split = own_client.post("/events/evt-w2/split", data={"csrf_token": csrf}, follow_redirects=False)
        assert split.status_code == 303
        alone = jobs.incidents.incident_of_event(db, "evt-w2")
        assert split.headers["location"] == f"/incidents/{alone}?done=split"
        pinned = own_client.post("/events/evt-w2/pin", data={"csrf_token": csrf, "incident_id": merged},
                                 follow_redirects=False)
        assert pinned.status_code == 303 and jobs.incidents.incident_of_event(db, "evt-w2") == merged


def test_the_page_says_only_what_was_done_never_what_the_address_says(client, world: World):
    page = client.get(f"/incidents/{world.incidents[0]}?done=merged")
    assert "Done: merged" in page.text
    forged = client.get(f"/incidents/{world.incidents[0]}?done=your+password+expired,+call+us")
    assert forged.status_code == 200 and "Done:" not in forged.text and "password" not in forged.text


def test_a_senseless_override_shows_the_page_again_with_why(own_client, own_world: World):
    incident = own_world.incidents[0]
    answer = own_client.post(f"/incidents/{incident}/merge", headers=own_world.auth("monitor TUR"),
                             data={"absorb": incident})
    assert answer.status_code == 409 and "TW-E308" in answer.text and "cannot be merged with itself" in answer.text
    missing = own_client.post(f"/incidents/{incident}/merge", headers=own_world.auth("admin"),
                              data={"absorb": "inc-000000000000"})
    assert missing.status_code == 404 and "TW-E305" in missing.text
    assert own_client.post("/events/evt-nope/split", headers=own_world.auth("admin")).status_code == 404


# --- agreements ------------------------------------------------------------------------------------------------


def test_the_agreements_page_lists_each_window_in_local_time_and_utc(client):
    page = client.get("/agreements").text
    assert page.count('href="/agreements/') == 4
    assert "from 15 Oct 2025 18:00 PKT (Asia/Karachi, UTC+05:00) to 17 Oct 2025 18:00 PKT" in page
    assert "from 15 Oct 2025 13:00 UTC to 17 Oct 2025 13:00 UTC" in page


def test_an_agreement_page_has_its_commitments_and_the_compliance_summary_by_party(client):
    page = client.get(f"/agreements/{DOHA}")
    assert page.status_code == 200
    assert "from 19 Oct 2025 00:00 PKT" in page.text and "from 18 Oct 2025 19:00 UTC" in page.text
    assert "no-support-to-attacking-groups" in page.text
    summary = page.text.split("Compliance summary by party")[1].split("</table>")[0]
    assert "<b>PAK</b>" in summary and "<b>AFG</b>" in summary and "<i>not attributed</i>" in summary
    assert re.search(r"3 incidents assessed: 2 inside the window,\s+0 across one of its boundaries, 1 outside it",
                     page.text)
    assert client.get("/agreements/nope").status_code == 404


def test_assessments_are_kept_until_the_store_changes(own_world: World):

    cache = AssessmentCache()
    with own_world.open() as db:
        state = record_state(db.engine)
        first = cache.get(db, state, DOHA, list(own_world.incidents))
        again = cache.get(db, record_state(db.engine), DOHA, list(own_world.incidents))
        assert all(first[i] is again[i] for i in first) and len(first) == len(own_world.incidents)
        jobs.incidents.merge_incidents(db, own_world.incidents[0], own_world.incidents[1], "ana")
        assert record_state(db.engine) != state
        after = cache.get(db, record_state(db.engine), DOHA, [own_world.incidents[0]])
        assert after[own_world.incidents[0]] is not first[own_world.incidents[0]]
