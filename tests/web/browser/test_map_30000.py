"""The map draws 30,000 incidents in the browser: clustered, added in chunks; a screenshot is taken."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from trucewatch.storage import Database
from trucewatch.storage.repository import INCIDENTS

from ..live import live_server
from .conftest import site_settings
from .test_map import CLUSTERS, MARKERS

pytestmark = pytest.mark.browser

N = 30_000
TYPES = (("Battles", "Armed clash"), ("Explosions/Remote violence", "Air/drone strike"),
         ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
         ("Violence against civilians", "Attack"), ("Protests", "Peaceful protest"),
         ("Strategic developments", "Agreement"))
# (latitude, longitude, spread in degrees): busy areas of Khyber Pakhtunkhwa, Balochistan and eastern Afghanistan
AREAS = ((34.0, 71.5, 0.6), (33.0, 70.3, 0.5), (30.2, 67.0, 0.8), (31.0, 66.4, 0.3), (34.5, 69.2, 0.4),
         (32.5, 69.5, 0.7), (27.0, 65.0, 1.5), (35.5, 71.3, 0.5), (25.4, 68.4, 0.9), (33.6, 73.1, 0.3))


def load_incidents(db_url: str, n: int, seed: int = 0) -> None:
    """`n` synthetic incident summaries, inserted directly (the map reads only the summaries)."""
    rng = random.Random(seed)
    now = datetime(2025, 11, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        lat, lon, spread = rng.choice(AREAS)
        event_type, sub = rng.choice(TYPES)
        day = date(2024, 1, 1) + timedelta(days=rng.randrange(670))
        best = rng.choice((None, 0, 1, 2, 3, 5, 8, 13, 30))
        rows.append({
            "incident_id": f"inc-{i:012x}", "first_date": day, "last_date": day, "time_precision": 1,
            "event_type": event_type, "sub_event_type": sub, "country": "Pakistan" if lon > 69.5 else "Afghanistan",
            "admin1": None, "admin2": None, "location": f"place {i % 997}",
            "latitude": round(lat + rng.gauss(0, spread), 4), "longitude": round(lon + rng.gauss(0, spread), 4),
            "geo_precision": 1, "actor1": "Military Forces of Pakistan", "actor2": None, "n_events": 1,
            "n_reports": 1, "contested": False, "reasons": "", "fatalities_low": best, "fatalities_best": best,
            "fatalities_high": best, "updated_at": now})
    with Database.open(db_url) as db, db.transaction() as conn:
        conn.execute(insert(INCIDENTS), rows)


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("big-site")
    settings = site_settings(folder)
    load_incidents(settings.database_url, N)
    with live_server(settings) as url:
        yield url


def test_the_map_draws_30000_incidents(big_site, page, tmp_path: Path, capsys):
    page.set_default_timeout(120_000)
    page.goto(f"{big_site}/map")
    page.wait_for_selector("#map[data-state=ready]")
    assert page.get_attribute("#map", "data-count") == str(N)
    clusters, markers = page.evaluate(CLUSTERS), page.evaluate(MARKERS)
    assert clusters > 0
    counted = page.evaluate("""() => [...document.querySelectorAll('.marker-cluster span')]
        .map(s => s.textContent.endsWith('k') ? 1000 * parseInt(s.textContent) : parseInt(s.textContent))
        .reduce((a, b) => a + b, 0)""")
    assert counted + markers > N * 0.9  # nearly every incident is in a visible cluster (the rest lie off-screen)
    assert f"{N:,} incidents on the map" in page.inner_text("#map-status")
    path = tmp_path / "map-30000.png"
    page.screenshot(path=str(path))
    with capsys.disabled():
        print(f"\nscreenshot: {path} ({clusters} clusters and {markers} single incidents drawn)")
    page.mouse.wheel(0, -600)  # zooming in still works: the page did not freeze
    page.wait_for_timeout(800)
    assert page.evaluate(CLUSTERS) + page.evaluate(MARKERS) > 0
    assert not page.errors, page.errors
