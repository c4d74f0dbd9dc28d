"""A big incident's page and API answer stay small: 300 reports of one strike are listed 50 stories a page, syndicated
copies under the first report of their story, while every claim of each party is on the first page."""
from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from fastapi.testclient import TestClient

from trucewatch import jobs
from trucewatch.records import Claim, Span
from trucewatch.web.app import create_app

from .conftest import KABUL, SECRET, World, _event, _report

DAY = date(2025, 10, 12)
WORDS = ("strike", "border", "village", "officials", "district", "night", "convoy", "market", "witnesses", "drone",
         "province", "elders", "road", "bridge", "compound", "crossing", "valley", "homes", "school", "statement")
REPORTS = 300
COPIES = ("big-0001", "big-0002")  # copies of big-0000's story


def _text(rng: random.Random) -> str:
    return " ".join(" ".join(rng.choice(WORDS) for _ in range(15)).capitalize() + "." for _ in range(12))


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, set[str]]]:
    """A store with one strike told by 300 reports (two of them copies of the first), every third with a claim by
    Pakistan or Afghanistan whose wording is its own: the client, the incident id and the claims' wordings."""
    folder = tmp_path_factory.mktemp("big")
    world = World(folder, {}, {}, {}, ())
    settings = replace(world.settings, secret_key=SECRET)
    rng = random.Random(7)
    first = _text(rng)
    said: set[str] = set()
    with world.open() as db:
        for k in range(REPORTS):
            report_id = f"big-{k:04d}"
            text = first if report_id in COPIES or k == 0 else _text(rng)
            event = _event(f"evt-big-{k:04d}", report_id, DAY, KABUL)
            if k % 3 == 0:
                claimant = ("Government of Pakistan", "Government of Afghanistan")[k // 3 % 2]
                content = f"the strike hit target number {k}"
                said.add(content)
                event = replace(event, claims=(Claim(claimant, "asserts", "occurrence", "said", Span(0, 6), 0,
                                                     content=content),))
            db.reports.save(_report(report_id, f"Outlet {k % 40}", DAY, text), [event])
        jobs.incidents.resolve_all(db)
        incidents, _ = jobs.incidents.list_incidents(db, limit=None)
    assert len(incidents) == 1
    with TestClient(create_app(settings)) as client:
        yield client, incidents[0].incident_id, said


def test_the_page_lists_50_stories_a_link_to_the_next_and_every_claim(big):
    client, incident_id, said = big
    page = client.get(f"/incidents/{incident_id}")
    assert page.status_code == 200
    reports = page.text.split('<h2 id="reports">')[1].split("</table>")[0]
    assert len(re.findall(r'<tr>\s*<td class="nowrap">', reports)) == 50  # 50 stories
    assert reports.count('class="copy"') == len(COPIES)  # the copies under the first report of their story
    assert 'href="?sources_page=2#reports"' in page.text
    claims = page.text.split('class="claims"')[1].split("</table>")[0]
    assert all(f"the strike hit target number {content.rsplit(' ', 1)[1]}" in claims for content in said)
    assert len(said) == REPORTS // 3


def test_the_pages_together_list_every_report_once(big):
    client, incident_id, _ = big
    seen: list[str] = []
    for n in range(1, 8):
        page = client.get(f"/incidents/{incident_id}?sources_page={n}").text
        reports = page.split('<h2 id="reports">')[1].split("</table>")[0]
        seen += re.findall(r'<td class="id"><a href="/reports/(big-\d+)">', reports)
    assert sorted(seen) == [f"big-{k:04d}" for k in range(REPORTS)]


def test_the_api_pages_its_sources_with_a_cursor_and_keeps_every_claim(big):
    client, incident_id, said = big
    address: str | None = f"/api/v1/incidents/{incident_id}?limit=120"
    seen: list[str] = []
    pages = 0
    while address:
        body = client.get(address).json()["data"]
        assert len(body["sources"]) <= 120 and body["n_sources"] == REPORTS
        assert said <= {c["quote"] for c in body["claims"]}  # every claim on every page
        seen += [s["report_id"] for s in body["sources"]]
        address, pages = body["sources_next"], pages + 1
    assert pages == 3 and sorted(seen) == [f"big-{k:04d}" for k in range(REPORTS)]
    assert seen.index("big-0001") == seen.index("big-0000") + 1  # a copy right after its story's first report


def test_a_tampered_sources_cursor_is_refused(big):
    client, incident_id, _ = big
    following = client.get(f"/api/v1/incidents/{incident_id}?limit=10").json()["data"]["sources_next"]
    answer = client.get(following.replace("sources_cursor=", "sources_cursor=A"))
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "TW-E620"
