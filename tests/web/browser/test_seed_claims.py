"""The seed article in a browser: Pakistan's denial of civilian deaths in the strikes of Friday the 17th and its
defence minister's later acknowledgement of the strikes stand side by side on the incident page, each with what was
claimed and the day (the article is read from ../shared/seed, never copied into the repository; without ../shared
the test is skipped, and under CI it fails: the `shared_dir` fixture, tests/conftest.py)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from trucewatch import jobs
from trucewatch.storage import Database

from ..live import live_server
from .conftest import Site, shoot, site_settings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Iterator[Site]:
    seed_dir = shared_dir / "seed"
    articles = sorted(seed_dir.glob("*.txt"))
    assert articles, f"the seed article is missing from {seed_dir}; CI keeps ../shared beside the repository"
    folder = tmp_path_factory.mktemp("seed")
    report = {"id": "seed", "published": "2025-10-20", "outlet": "arabnews.com",
              "text": articles[0].read_text(encoding="utf-8")}
    path = folder / "seed.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    with Database.open(site_settings(folder).database_url) as db:
        assert [r.status for r in jobs.ingest.ingest_paths([path], db)] == ["added"]
        events, _ = jobs.incidents.list_events(db)
    friday = next(e.incident_id for e in events
                  if e.sub_event_type == "Air/drone strike" and e.event_date.isoformat() == "2025-10-17")
    with live_server(site_settings(folder)) as url:
        yield Site(folder, url, contested=friday, hostile="", complaints={})


def test_the_seed_s_denial_and_later_acknowledgement_stand_side_by_side(seed_site, page, tmp_path, capsys):
    with seed_site.open() as db:
        incident = jobs.incidents.get_incident(db, seed_site.contested)
    pakistan = [c for c in incident.claims if c.party == "PAK"]
    assert {"denies", "acknowledges_later"} <= {c.claim.stance for c in pakistan}
    page.goto(f"{seed_site.url}/incidents/{seed_site.contested}")
    for stance, shown_as in (("denies", "denies"), ("acknowledges_later", "later acknowledges")):
        shown = [" ".join(t.split()) for t in
                 page.locator(f'table.claims p.claim[data-stance="{stance}"]').all_inner_texts()]
        for claim in (c for c in pakistan if c.claim.stance == stance):
            line = next((t for t in shown if f"“{' '.join(claim.claim.content.split())}”" in t), None)
            assert claim.claim.content and line is not None, (claim.claim.content, shown)  # what was claimed, quoted
            assert line.startswith(f"PAK {shown_as} ({claim.claim.about}): “"), line
            assert f", {claim.made_on.isoformat()}, report seed" in line
    shoot(page, tmp_path, "seed-denial-and-acknowledgement", capsys)
