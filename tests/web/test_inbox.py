"""The inbox: what waits for each person, counted in the navigation ("Inbox (2)"). After the QAT monitor signs the
draft, it waits for TUR only; a liaison officer sees the monitors' question on their party's complaint first, and the
findings published on their complaints; the public is sent to sign in."""
from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from trucewatch.web.app import create_app

from .conftest import World
from .workflow_world import QUESTION, Workflow, further_along


@pytest.fixture(scope="module")
def flow(world: World, tmp_path_factory: pytest.TempPathFactory) -> Workflow:
    return further_along(world.copy(tmp_path_factory.mktemp("inbox")))


@pytest.fixture(scope="module")
def web(flow: Workflow) -> Iterator[TestClient]:
    with TestClient(create_app(flow.world.settings)) as client:
        yield client


class Sections(HTMLParser):
    """The inbox's sections by id: the links in each."""

    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, list[str]] = {}
        self.nav: list[str] = []
        self._section: str | None = None
        self._in_nav = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section":
            self._section = found.get("id")
        elif tag == "nav":
            self._in_nav = True
        elif tag == "a" and self._section and found.get("href"):
            self.links.setdefault(self._section, []).append(found["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = None
        elif tag == "nav":
            self._in_nav = False

    def handle_data(self, data: str) -> None:
        if self._in_nav and data.strip():
            self.nav.append(data.strip())


def inbox(web: TestClient, flow: Workflow, role: str) -> tuple[Sections, str]:
    answer = web.get("/inbox", headers=flow.world.auth(role))
    assert answer.status_code == 200, answer.text
    parsed = Sections()
    parsed.feed(answer.text)
    return parsed, answer.text


def test_a_draft_signed_for_qat_waits_for_tur_only(web, flow: Workflow):
    draft = f"/findings/{flow.signed_draft}"
    qat, qat_page = inbox(web, flow, "monitor QAT")
    tur, tur_page = inbox(web, flow, "monitor TUR")
    assert draft in tur.links["to-sign"] and draft not in qat.links.get("to-sign", [])
    assert "Findings waiting for TUR's signature (1)" in tur_page
    assert "Findings waiting for QAT's signature (0)" in qat_page
    # signed by someone: no longer editable in place, for either monitor
    assert draft not in tur.links.get("to-edit", []) and "Drafts you may still edit (nobody has signed them) (0)" \
        in tur_page
    # what waits: TUR's signature on the draft; QAT waits for nothing (the asked complaint waits on PAK)
    assert "Inbox (1)" in tur.nav and "Inbox" in qat.nav and not any(w.startswith("Inbox (") for w in qat.nav)


def test_monitors_see_complaints_by_state_with_counts(web, flow: Workflow):
    _, page = inbox(web, flow, "monitor TUR")
    assert "Complaints needs information (1)" in page and f"/complaints/{flow.asked}" in page
    assert "Complaints published (1)" in page and "Complaints finding drafted (1)" in page


def test_the_count_in_the_navigation_follows_each_page(web, flow: Workflow):
    """Every page's header carries the count, not only the inbox's."""
    home = web.get("/", headers=flow.world.auth("monitor TUR")).text
    assert re.search(r'<a href="/inbox"[^>]*>Inbox \(1\)</a>', home)
    complaint = web.get(f"/complaints/{flow.asked}", headers=flow.world.auth("monitor TUR")).text
    assert "Inbox (1)" in complaint


def test_a_liaison_officer_sees_the_question_first_and_the_findings_on_their_complaints(web, flow: Workflow):
    pak, page = inbox(web, flow, "liaison PAK")
    assert f"/complaints/{flow.asked}" in pak.links["questions"] and QUESTION in page
    assert f"/findings/{flow.world.findings['published']}" in pak.links["published"]
    assert page.index(QUESTION) < page.index("Findings published on your complaints")
    assert "Inbox (1)" in pak.nav
    afg, afg_page = inbox(web, flow, "liaison AFG")
    assert QUESTION not in afg_page and flow.asked not in afg_page  # another party's complaint: not there at all
    assert not afg.links.get("published") and not any(w.startswith("Inbox (") for w in afg.nav)


def test_the_public_is_sent_to_sign_in_and_analysts_have_an_empty_inbox(web, flow: Workflow):
    public = TestClient(web.app)
    refused = public.get("/inbox", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/login?next=%2Finbox"
    assert 'href="/inbox"' not in public.get("/").text
    _, page = inbox(web, flow, "analyst")
    assert "nothing waits for you here" in page and flow.asked not in page


def test_a_new_complaint_waits_for_every_monitor_until_one_starts_the_review(own_world: World):
    flow = further_along(own_world)
    with TestClient(create_app(own_world.settings)) as web:
        filed = web.post("/api/v1/complaints", headers=own_world.auth("liaison AFG"),
                         data={"text": "Drone strike on a market at noon.", "incident_id": own_world.incidents[0]})
        cid = filed.json()["data"]["complaint_id"]
        qat, page = inbox(web, flow, "monitor QAT")
        assert "Inbox (1)" in qat.nav and "Complaints received (1)" in page and f"/complaints/{cid}" in page
        assert "Inbox (2)" in inbox(web, flow, "monitor TUR")[0].nav  # the draft to sign, and the new complaint
        web.post(f"/complaints/{cid}/history", headers=own_world.auth("monitor TUR"), data={"to": "under review"})
        qat, page = inbox(web, flow, "monitor QAT")
        assert "Complaints under review (1)" in page and "Inbox (1)" in qat.nav  # under review waits for a move too
