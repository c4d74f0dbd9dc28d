"""What each claim says, in a browser: a denial and the later acknowledgement of one strike, ingested from two short
reports written for this test, stand in the Pakistani column of the incident page one above the other, each with its
stance, the day it was made and what was claimed in quotation marks (the clause the extractor coded, or the whole
sentence where it coded none); the link beside it opens the report at that sentence, highlighted.

The page is checked against whatever the store holds for these reports, so the test says what a reader sees
whichever clause the extractor takes as the content."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from trucewatch import jobs
from trucewatch.jobs.accounts import add_user
from trucewatch.records import SourcedClaim
from trucewatch.storage import Database

from ..live import live_server
from .conftest import PASSWORD, Site, shoot, sign_in, site_settings

pytestmark = pytest.mark.browser

REPORTS = (
    {"id": "paktika-denial", "published": "2025-10-17", "outlet": "Eastern Desk",
     "url": "https://example.org/paktika-denial",
     "text": "Pakistani jets struck a market in Barmal, Paktika, on Thursday night, killing 17 civilians, the Afghan "
             "government said. Pakistan's military denied on Friday that its jets had struck civilians in Paktika."},
    {"id": "paktika-admission", "published": "2025-10-20", "outlet": "Margalla Notes",
     "url": "https://example.org/paktika-admission",
     "text": "The minister spoke in a television interview in Islamabad. Pakistan's defence minister Khawaja Asif on "
             "Monday admitted for the first time that Pakistani jets struck Barmal in Paktika on Thursday night."},
)
SHOWN = {"denies": "denies", "acknowledges_later": "later acknowledges"}


@pytest.fixture(scope="module")
def paktika(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The two reports ingested with the real extractor and resolved, an analyst's account, served."""
    folder = tmp_path_factory.mktemp("paktika")
    paths = []
    for report in REPORTS:
        path = folder / f"{report['id']}.json"
        path.write_text(json.dumps(report), encoding="utf-8")
        paths.append(path)
    with Database.open(site_settings(folder).database_url) as db:
        results = jobs.ingest.ingest_paths(paths, db)
        assert all(r.status == "added" for r in results), [r.reason for r in results]
        add_user(db, "analyst", "analyst", PASSWORD)
        events, _ = jobs.incidents.list_events(db)
    incident = next(e.incident_id for e in events if e.report_id == "paktika-denial" and e.incident_id)
    with live_server(site_settings(folder)) as url:
        yield Site(folder, url, contested=incident, hostile="", complaints={})


def pakistans(site: Site) -> dict[str, SourcedClaim]:
    """Pakistan's denial and later acknowledgement in the incident, as the store holds them."""
    with site.open() as db:
        incident = jobs.incidents.get_incident(db, site.contested)
    claims = {c.claim.stance: c for c in incident.claims if c.party == "PAK"}
    assert {"denies", "acknowledges_later"} <= claims.keys(), f"the store holds {sorted(claims)}"
    return {stance: claims[stance] for stance in SHOWN}


def test_the_denial_and_the_later_acknowledgement_stand_side_by_side_with_what_each_said(paktika, page, tmp_path,
                                                                                        capsys):
    claims = pakistans(paktika)
    page.goto(f"{paktika.url}/incidents/{paktika.contested}")
    headings = page.locator("table.claims thead th").all_inner_texts()
    column = headings.index("PAK: Pakistan")
    tops = {}
    for stance, c in claims.items():
        shown = page.locator(f'table.claims p.claim[data-stance="{stance}"]')
        assert shown.count() == 1, stance
        text = " ".join(shown.inner_text().split())
        quote = " ".join(c.quote.split())
        assert quote and quote != c.claim.surface  # what was claimed, never only who said it
        assert text.startswith(f"PAK {SHOWN[stance]} ({c.claim.about}): “{quote}” — "), text
        assert f", {c.made_on.isoformat()}, report {c.source.report_id}, sentence {c.claim.sentence + 1}" in text
        cell = shown.evaluate("p => [p.closest('td').cellIndex, p.closest('tr').cells[0].innerText.trim()]")
        assert cell == [column, c.made_on.isoformat()]  # in Pakistan's column, on the row of its day
        assert shown.locator("a").get_attribute("href") == \
            f"/reports/{c.source.report_id}#s-{c.claim.sentence + 1}"
        tops[stance] = shown.bounding_box()["y"]
    assert claims["denies"].made_on < claims["acknowledges_later"].made_on
    assert tops["denies"] < tops["acknowledges_later"]  # the earlier day's row above the later one
    shoot(page, tmp_path, "incident-denial-and-acknowledgement", capsys)


def test_a_claims_link_opens_the_report_at_its_sentence(paktika, page, tmp_path, capsys):
    admitted = pakistans(paktika)["acknowledges_later"]
    sign_in(page, paktika, "analyst")
    page.goto(f"{paktika.url}/incidents/{paktika.contested}")
    page.click('table.claims p.claim[data-stance="acknowledges_later"] a')
    anchor = f"s-{admitted.claim.sentence + 1}"
    page.wait_for_url(f"**/reports/{admitted.source.report_id}#{anchor}")
    target = page.locator(":target")
    assert target.get_attribute("id") == anchor
    sentence = " ".join(target.inner_text().split())
    assert " ".join(admitted.quote.removesuffix(" …").split()) in sentence  # the quoted words are in that sentence
    assert target.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"  # highlighted
    shoot(page, tmp_path, "report-at-its-sentence", capsys)


def test_the_public_sees_what_was_claimed_but_not_the_reports_text(paktika, page):
    denied = pakistans(paktika)["denies"]
    page.goto(f"{paktika.url}/incidents/{paktika.contested}")
    assert f"“{' '.join(denied.quote.split())}”" in " ".join(
        page.locator('table.claims p.claim[data-stance="denies"]').inner_text().split())
    answer = page.goto(f"{paktika.url}/reports/{denied.source.report_id}")
    assert answer.status == 200 and page.locator(".report-text").count() == 0
    assert "for signed-in users" in page.inner_text("main")
