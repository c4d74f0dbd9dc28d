"""The map's views on a store of many incidents: clusters counted on the server whose counts add up to the incidents
in view, single incidents with what their popups say at high zoom, answers that stay small and leave gzipped, the
names the base layer writes; and an agreement's page that lists its incidents 50 at a time."""
from __future__ import annotations

import gzip
import http.client
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from trucewatch.demo import example_agreements_path
from trucewatch.jobs.agreements import load_agreements
from trucewatch.settings import Settings
from trucewatch.storage import Database
from trucewatch.storage.repository import INCIDENTS
from trucewatch.web.app import create_app

from .browser.test_map_30000 import load_incidents
from .live import live_server

N = 20_000
WHOLE_AREA = "58,22,80,40"  # Afghanistan and Pakistan
PESHAWAR = "71.0,33.5,72.0,34.5"
BUDGET = 300 * 1024  # bytes of one view, uncompressed
DOHA = "doha-2025-10-19"
BENCH = Path(__file__).parents[2] / "benchmarks" / "bench_web.py"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("many")
    found = Settings(db=str(folder / "many.sqlite3"), secret_key="map-test-secret-0123456789-abcdefghij",
                     evidence_dir=str(folder / "evidence"))
    load_incidents(found.database_url, N)
    with Database.open(found.database_url) as db:
        load_agreements(db, example_agreements_path())
    return found


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def view(client: TestClient, query: str) -> dict:
    answer = client.get(f"/api/v1/map?{query}")
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


def in_box(settings: Settings, bbox: str) -> int:
    """How many incidents lie in the box, counted by SQL apart from the map's index."""
    west, south, east, north = (float(v) for v in bbox.split(","))
    c = INCIDENTS.c
    with Database.open(settings.database_url, upgrade=False) as db, db.engine.connect() as conn:
        return conn.execute(select(func.count()).where(c.longitude.between(west, east),
                                                       c.latitude.between(south, north))).scalar_one()


def test_the_whole_area_at_a_low_zoom_is_a_few_clusters_whose_counts_add_up(client, settings):
    data = view(client, f"bbox={WHOLE_AREA}&zoom=5")
    counted = sum(c[2] for c in data["clusters"]) + len(data["points"])
    assert counted == data["in_view"] == in_box(settings, WHOLE_AREA)
    assert data["count"] == N
    assert 0 < len(data["clusters"]) < 100
    assert all(c[2] == sum(c[8]) for c in data["clusters"])  # a cluster's types add up to its count
    biggest = data["clusters"][0]
    assert biggest[4] <= biggest[1] <= biggest[6] and biggest[5] <= biggest[0] <= biggest[7]  # centroid in its box


def test_zooming_in_splits_the_clusters_and_at_the_deepest_zoom_gives_incidents_with_their_popups(client, settings):
    low, high = view(client, f"bbox={PESHAWAR}&zoom=6"), view(client, f"bbox={PESHAWAR}&zoom=10")
    assert low["in_view"] == high["in_view"] == in_box(settings, PESHAWAR)
    assert len(high["clusters"]) + len(high["points"]) > 3 * (len(low["clusters"]) + len(low["points"]))
    lat, lon = high["points"][0][1], high["points"][0][2]
    alone = view(client, f"bbox={lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}&zoom=13")
    assert alone["clusters"] == [] and 0 < len(alone["points"]) == alone["in_view"]
    popup = dict(zip(alone["columns"], alone["points"][0], strict=True))
    assert popup["incident_id"].startswith("inc-") and popup["actor1"] == "Military Forces of Pakistan"
    assert {"deaths_low", "deaths_best", "deaths_high", "contested", "admin1", "admin2", "first_date"} <= set(popup)


def test_filters_narrow_the_clusters_as_they_narrow_the_points(client):
    battles = view(client, f"bbox={WHOLE_AREA}&zoom=5&type=Battles&from=2025-01-01")
    every = view(client, f"bbox={WHOLE_AREA}&zoom=5")
    assert 0 < battles["count"] < every["count"] / 6
    points = client.get("/api/v1/map?type=Battles&from=2025-01-01&limit=100000").json()["data"]
    assert battles["count"] == points["count"]
    assert all(c[8][0] == c[2] for c in battles["clusters"])  # Battles only: type code 0


def test_a_view_stays_under_300_kb_however_many_incidents(client):
    for query in (f"bbox={WHOLE_AREA}&zoom=5", f"bbox={PESHAWAR}&zoom=8", f"bbox={PESHAWAR}&zoom=10",
                  "bbox=69,30,74,36&zoom=9.5"):
        answer = client.get(f"/api/v1/map?{query}")
        assert len(answer.content) < BUDGET, (query, len(answer.content))
    everything = client.get("/api/v1/map?limit=100000")  # the old list of points, for comparison: far bigger
    assert len(everything.content) > BUDGET


def test_json_leaves_gzipped_for_a_client_that_asks_and_plain_for_one_that_does_not(settings):
    with live_server(settings) as url:
        where = urlsplit(url)
        conn = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
        conn.request("GET", f"/api/v1/map?bbox={WHOLE_AREA}&zoom=7", headers={"Accept-Encoding": "gzip"})
        answer = conn.getresponse()
        body = answer.read()
        assert answer.status == 200 and answer.getheader("Content-Encoding") == "gzip"
        assert gzip.decompress(body).startswith(b'{"data":')
        conn.request("GET", f"/api/v1/map?bbox={WHOLE_AREA}&zoom=7")
        plain = conn.getresponse()
        assert plain.getheader("Content-Encoding") is None and plain.read().startswith(b'{"data":')
        conn.request("GET", "/map", headers={"Accept-Encoding": "gzip"})
        page = conn.getresponse()
        page.read()
        assert page.getheader("Content-Encoding") is None  # pages carry a CSRF token: never compressed (BREACH)
        conn.close()


def test_the_base_layer_names_provinces_first_and_towns_and_districts_when_zoomed(client):
    labels = client.get("/api/v1/map/labels").json()["data"]["labels"]
    by_name = {(label[0], label[3]): label for label in labels}
    assert by_name["Khyber Pakhtunkhwa", "province"][4] == 5
    assert by_name["Peshawar", "town"][4] <= 6 < by_name["Peshawar", "district"][4]
    assert any(label[3] == "district" and label[4] > 6 for label in labels)
    assert ("Razavi Khorasan", "province") not in by_name  # only where the map draws land


@pytest.fixture(scope="module")
def recent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A store of 6,000 events (reports, events, incidents, as bench_web.py makes them) over the last 92 days of
    2025: hundreds of incidents inside the Doha ceasefire's window."""
    spec = importlib.util.spec_from_file_location("bench_web", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    folder = tmp_path_factory.mktemp("recent")
    settings = Settings(db=str(folder / "recent.sqlite3"), secret_key="map-test-secret-0123456789-abcdefghij",
                        evidence_dir=str(folder / "evidence"))
    bench.load(settings.database_url, 6000, 0)
    with TestClient(create_app(settings)) as c:
        yield c


def listed_incidents(page: str) -> list[str]:
    """The incidents of the page's list of those inside the window or on a boundary."""
    section = page.split('id="incidents"')[1].split("<h2>Boundary cases")[0]
    return re.findall(r'<tr>\s*<td class="id"><a href="/incidents/(inc-\w+)">', section)


def test_an_agreement_page_lists_its_incidents_50_at_a_time(recent):
    client = recent
    first = client.get(f"/agreements/{DOHA}")
    assert first.status_code == 200
    listed = listed_incidents(first.text)
    total = int(re.search(r"of (\d+) \(page 1 of (\d+)\)", first.text).group(1))
    assert len(listed) == 50 < total
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    second = client.get(f"/agreements/{DOHA}?page=2")
    more = listed_incidents(second.text)
    assert more and not set(more) & set(listed)
    assert 'rel="prev"' in second.text
    assert len(first.text) < 200_000
