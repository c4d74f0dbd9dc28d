"""A monitor merges two incidents through the incident page's form (POST with the session's CSRF token)."""
from __future__ import annotations

import pytest

from trucewatch import jobs

from .conftest import shoot, sign_in

pytestmark = pytest.mark.browser


def test_a_monitor_merges_an_incident_into_another_through_the_page(own_site, page, tmp_path, capsys):
    with own_site.open() as db:
        incidents, _ = jobs.incidents.list_incidents(db, limit=None)
    keep, absorb = [i for i in incidents if i.incident_id not in (own_site.contested, own_site.hostile)
                    and i.event_type == "Strategic developments"][:2]
    with own_site.open() as db:
        both = [e.event_id for i in (keep, absorb) for e in db.reports.events_of_incident(i.incident_id)]
    sign_in(page, own_site, "mon-qat")
    page.goto(f"{own_site.url}/incidents/{keep.incident_id}")
    page.fill("section.monitor input[name=absorb]", absorb.incident_id)
    page.fill("section.monitor input[name=note]", "one round of talks")
    page.click("section.monitor button[type=submit]")
    page.wait_for_url("**/incidents/*?done=merged")
    assert "Done: merged" in page.inner_text("p.notice")
    merged = page.url.split("/incidents/")[1].split("?")[0]
    events = page.locator("h2:has-text('Events') + table tbody").inner_text()
    assert all(e in events for e in both)  # every event of both, whatever else resolution adds to them
    assert "mon-qat (QAT)" in page.inner_text("body")  # the decision, recorded as the monitor
    shoot(page, tmp_path, "incident-merged", capsys)
    with own_site.open() as db:
        assert jobs.incidents.get_incident(db, merged).overrides[0].note == "one round of talks"

    page.goto(f"{own_site.url}/incidents/{merged}")  # merging it with itself is refused, on the page
    page.fill("section.monitor input[name=absorb]", merged)
    page.click("section.monitor button[type=submit]")
    assert "TW-E308" in page.inner_text("p.error")


def test_the_public_cannot_post_an_override(site, page):
    answer = page.request.post(f"{site.url}/incidents/{site.contested}/merge", form={"absorb": site.hostile})
    assert answer.status == 401
