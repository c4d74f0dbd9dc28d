"""The map in a browser: Leaflet draws the outlines and the incidents (clustered circles) from the app's own
endpoints, with no request leaving the server; filters narrow the points."""
from __future__ import annotations

import json
import urllib.request

import pytest

from .conftest import shoot

pytestmark = pytest.mark.browser

MARKERS = "document.querySelectorAll('.leaflet-overlay-pane path.tw-marker').length"
CLUSTERS = "document.querySelectorAll('.marker-cluster').length"
OUTLINES = "document.querySelectorAll('.leaflet-outlines-pane path').length"


def api_count(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.load(answer)["data"]["count"]


def test_the_map_draws_every_located_incident_over_the_outlines(site, page, tmp_path, capsys):
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(site.url) else None)
    page.goto(f"{site.url}/map")
    page.wait_for_selector("#map[data-state=ready]")
    expected = api_count(f"{site.url}/api/v1/map")
    assert expected > 5
    assert int(page.get_attribute("#map", "data-count")) == expected
    page.wait_for_function(f"{OUTLINES} > 40")  # 43 provinces, 2 countries
    drawn = page.evaluate(MARKERS) + page.evaluate(CLUSTERS)
    assert drawn > 0
    assert f"{expected} incidents on the map" in page.inner_text("#map-status")
    assert not outside, f"requests left the server: {outside[:3]}"
    assert not page.errors, page.errors  # no script error, nothing refused by the Content-Security-Policy
    shoot(page, tmp_path, "map", capsys, full=False)


def test_the_map_filters_by_agreement_window_and_party(site, page, tmp_path, capsys):
    query = "agreement=doha-2025-10-19&window=outside&type=Battles"
    page.goto(f"{site.url}/map?{query}")
    page.wait_for_selector("#map[data-state=ready]")
    expected = api_count(f"{site.url}/api/v1/map?{query}")
    assert 0 < expected < api_count(f"{site.url}/api/v1/map")
    assert int(page.get_attribute("#map", "data-count")) == expected
    assert page.input_value("select[name=window]") == "outside"
    assert page.input_value("select[name=agreement]") == "doha-2025-10-19"
    shoot(page, tmp_path, "map-filtered", capsys, full=False)
    page.select_option("select[name=party]", "PAK")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#map[data-state=ready]")
    assert "party=PAK" in page.url
    assert int(page.get_attribute("#map", "data-count")) == api_count(f"{site.url}/api/v1/map?{query}&party=PAK")


def test_a_cluster_opens_into_incidents_and_a_marker_links_to_its_page(site, page):
    page.goto(f"{site.url}/map?type=Battles")
    page.wait_for_selector("#map[data-state=ready]")
    for _ in range(8):  # zoom in until single incidents show
        if page.evaluate(MARKERS):
            break
        page.evaluate("document.querySelector('.marker-cluster').click()")
        page.wait_for_timeout(400)
    page.locator(".leaflet-overlay-pane path.tw-marker").first.click(force=True)
    link = page.locator(".leaflet-popup-content .tw-popup a")
    link.wait_for()
    incident_id = link.inner_text()
    views = int(page.get_attribute("#map", "data-views"))
    page.focus("#map")
    page.keyboard.press("ArrowRight")  # the map moves and redraws its view: the open popup must stay
    page.wait_for_selector(f"#map[data-state=ready]:not([data-views='{views}'])")
    page.wait_for_timeout(400)  # a closed popup fades out for 200 ms before it leaves the page
    assert page.locator(".leaflet-popup").count() == 1
    assert link.inner_text() == incident_id
    link.click()
    page.wait_for_url(f"{site.url}/incidents/{incident_id}")
    assert page.inner_text("h1") == f"Incident {incident_id}"


LABELS = "[...document.querySelectorAll('.leaflet-labels-pane .tw-label')].map(e => e.textContent)"


def test_the_base_layer_writes_province_names_then_towns_when_zoomed(site, page):
    page.goto(f"{site.url}/map")
    page.wait_for_selector("#map[data-state=ready]")
    page.wait_for_function(f"{LABELS}.length > 10")
    first = set(page.evaluate(LABELS))
    assert {"Khyber Pakhtunkhwa", "Balochistan", "Kandahar"} & first  # provinces at the first view
    for _ in range(4):  # zoom in with the control, as a user would
        page.click(".leaflet-control-zoom-in")
        page.wait_for_timeout(350)
    page.wait_for_selector("#map[data-state=ready]")
    assert set(page.evaluate(LABELS)) - first  # more names (towns, districts) once zoomed in


def test_clusters_split_when_zooming_and_a_popup_says_place_actors_deaths_and_contested(site, page):
    page.goto(f"{site.url}/map")
    page.wait_for_selector("#map[data-state=ready]")
    before = page.evaluate(CLUSTERS)
    assert before > 0
    for _ in range(8):  # zoom into the biggest cluster until single incidents show
        if page.evaluate(MARKERS):
            break
        views = page.get_attribute("#map", "data-views")
        page.evaluate("document.querySelector('.marker-cluster').click()")
        page.wait_for_function("v => document.querySelector('#map').dataset.views !== v && "
                               "document.querySelector('#map').dataset.state === 'ready'", arg=views)
    assert page.evaluate(MARKERS) > 0
    page.locator(".leaflet-overlay-pane path.tw-marker").first.click(force=True)
    box = page.locator(".leaflet-popup-content .tw-popup")
    box.wait_for()
    terms = box.locator("dt").all_inner_texts()
    assert terms[:1] == ["Incident"] and {"Place", "Actors", "Deaths (best, low\u2013high)", "Contested",
                                          "Date", "Type"} <= set(terms)
    text = box.inner_text()
    assert "Afghanistan" in text or "Pakistan" in text
    assert box.locator("a").get_attribute("href").startswith("/incidents/")
    assert not page.errors, page.errors
