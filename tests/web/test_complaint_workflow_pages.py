"""A complaint's one page through its workflow, in the pages: the liaison officer sees the monitors' question and
answers it with files (restricted and public, each marked so); the monitor's draft form chooses nothing for them
(no grade, attribution, commitment, evidence or report preselected) and names a missing choice beside its field;
signing in returns to the page asked for, and never to another site; published findings are linked from the home
page, their incident and their agreement."""
from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from trucewatch.web.app import create_app

from .conftest import World
from .test_auth import login_token, session_csrf, sign_in
from .workflow_world import QUESTION, Workflow, further_along


@pytest.fixture
def flow(own_world: World) -> Workflow:
    return further_along(own_world)


@pytest.fixture
def web(flow: Workflow) -> Iterator[TestClient]:
    with TestClient(create_app(flow.world.settings)) as client:
        yield client


class Form(HTMLParser):
    """The controls of the form posting to `action`: selects with their options (value, selected), checkboxes
    (name, value, checked), and the text beside each select (its label's problems)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside = action, False
        self.selects: dict[str, list[tuple[str, bool]]] = {}
        self.checkboxes: list[tuple[str, str, bool]] = []
        self.problems: dict[str, list[str]] = {}
        self._select: str | None = None
        self._last: str | None = None
        self._problem = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        if tag == "select":
            self._select = self._last = a.get("name") or ""
            self.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            self.selects[self._select].append((a.get("value") or "", "selected" in a))
        elif tag == "input" and a.get("type") == "checkbox":
            self.checkboxes.append((a.get("name") or "", a.get("value") or "", "checked" in a))
        elif tag == "span" and "field-problem" in (a.get("class") or ""):
            self._problem = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False
        elif tag == "span":
            self._problem = False

    def handle_data(self, data: str) -> None:
        if self._problem and self._last:
            self.problems.setdefault(self._last, []).append(data)


def draft_form(html: str, complaint_id: str) -> Form:
    form = Form(f"/complaints/{complaint_id}/findings")
    form.feed(html)
    assert form.selects, "no draft form on the page"
    return form


def test_the_liaison_officer_sees_the_question_and_answers_it_with_files(web, flow: Workflow):
    pak = flow.world.auth("liaison PAK")
    page = web.get(f"/complaints/{flow.asked}", headers=pak).text
    assert "The monitors ask for information" in page and QUESTION in page
    assert 'name="evidence"' in page and 'name="public_evidence"' in page
    assert "never published" in page and "for anyone to download" in page  # who sees each kind of file
    assert "Answer / resume the review" not in page  # the answer form is the way to answer
    answered = web.post(f"/complaints/{flow.asked}/answer", headers=pak, follow_redirects=False,
                        data={"note": "The photo was taken at 05:40; the original is attached."},
                        files=[("evidence", ("original.jpg", b"the original photo bytes", "image/jpeg")),
                               ("public_evidence", ("cropped.jpg", b"a cropped copy to publish", "image/jpeg"))])
    assert answered.status_code == 303 and answered.headers["location"] == f"/complaints/{flow.asked}?answered=1"
    page = web.get(answered.headers["location"], headers=pak).text
    assert "Answer sent" in page and "under review" in page and QUESTION not in page.split("<h2>History")[0]
    assert "The photo was taken at 05:40; the original is attached." in page  # the history keeps the answer
    rows = {row.split("</td>")[0]: row for row in page.split("<tr><td>")[1:]}
    assert any("original.jpg" in k and "restricted" in v for k, v in rows.items())
    assert any("cropped.jpg" in k and ">public<" in v for k, v in rows.items())
    monitor = web.get(f"/complaints/{flow.asked}", headers=flow.world.auth("monitor TUR")).text
    assert "original.jpg" in monitor and "05:40" in monitor and "Draft a finding on this complaint" in monitor


def test_an_answer_to_nothing_asked_is_refused_on_the_page(web, flow: Workflow):
    cid = flow.world.complaints["PAK"]  # published: nothing is asked
    refused = web.post(f"/complaints/{cid}/answer", headers=flow.world.auth("liaison PAK"), data={"note": "Here."})
    assert refused.status_code == 409 and "TW-E801" in refused.text
    other = web.post(f"/complaints/{flow.asked}/answer", headers=flow.world.auth("liaison AFG"),
                     data={"note": "Not ours."})
    assert other.status_code == 404


def test_the_draft_form_chooses_nothing_for_the_monitor(web, flow: Workflow):
    qat = flow.world.auth("monitor QAT")
    answer = web.post(f"/complaints/{flow.asked}/history", headers=qat, data={"to": "under review",
                                                                            "note": "Resuming without an answer."})
    assert answer.status_code == 200
    page = web.get(f"/complaints/{flow.asked}", headers=qat).text
    form = draft_form(page, flow.asked)
    for name in ("commitment", "grade", "attribution"):
        options = form.selects[name]
        assert options[0] == ("", True) and not any(selected for _, selected in options[1:]), name
        assert len(options) > 1, name
    incidents = form.selects["incident_ids"]
    # the complaint's own incident is the only choice made (a fact, not a judgement), and comes first
    assert [v for v, selected in incidents if selected] == [flow.world.incidents[-1]] == [incidents[0][0]]
    assert form.checkboxes and not any(checked for _, _, checked in form.checkboxes)
    assert {name for name, _, _ in form.checkboxes} == {"reports"}  # an opened complaint has no files; its reports
    assert "Frontier Post" in page  # reports offered by outlet and title, not by a typed id


def test_a_missing_choice_is_named_beside_its_field(web, flow: Workflow):
    qat = flow.world.auth("monitor QAT")
    cid = flow.world.complaints["AFG"]
    tur = flow.world.auth("monitor TUR")
    web.post(f"/complaints/{flow.asked}/history", headers=tur, data={"to": "under review", "note": "Going on."})
    refused = web.post(f"/complaints/{flow.asked}/findings", headers=qat,
                       data={"commitment": "", "grade": "", "attribution": "not attributable",
                             "reasoning": "Two accounts agree on the time."})
    assert refused.status_code == 422
    form = draft_form(refused.text, flow.asked)
    assert "not a grade" in " ".join(form.problems["grade"]) and "no agreement" in " ".join(form.problems["commitment"])
    assert "attribution" not in form.problems
    # what was chosen stays chosen; what was not stays empty
    assert ("not attributable", True) in form.selects["attribution"] and form.selects["grade"][0] == ("", True)
    assert cid not in refused.text


def test_both_addresses_of_a_complaint_show_the_one_page(web, flow: Workflow):
    tur = flow.world.auth("monitor TUR")
    one = web.get(f"/complaints/{flow.asked}", headers=tur).text
    other = web.get(f"/complaints/{flow.asked}/history", headers=tur).text
    for part in ("<h2>Text</h2>", "<h2>Evidence</h2>", "<h2>History</h2>", "<h2>Findings</h2>", QUESTION,
                 "Spin Boldak"):
        assert part in one and part in other, part


def test_signing_in_returns_to_the_page_asked_for(web, flow: Workflow):
    target = f"/complaints/{flow.asked}"
    browser = TestClient(web.app)
    sent = browser.get(target, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == f"/login?next=%2Fcomplaints%2F{flow.asked}"
    form = browser.get(sent.headers["location"]).text
    assert f'name="next" value="{target}"' in form
    signed = browser.post("/login", follow_redirects=False, data={
        "name": "liaison-pak", "password": "correct horse battery staple", "csrf_token": login_token(browser),
        "next": target})
    assert signed.status_code == 303 and signed.headers["location"] == target
    assert QUESTION in browser.get(target).text


@pytest.mark.parametrize("elsewhere", ["//evil.example", "//evil.example/complaints", "https://evil.example/",
                                       "/\\evil.example", "javascript:alert(1)", "evil.example",
                                       "/\n//evil.example", "/\t/evil.example"])
def test_signing_in_never_sends_anyone_to_another_site(web, elsewhere):
    browser = TestClient(web.app)
    form = browser.get("/login", params={"next": elsewhere}).text
    assert "evil" not in form.split("<main>")[1]
    signed = browser.post("/login", follow_redirects=False, data={
        "name": "root", "password": "correct horse battery staple", "csrf_token": login_token(browser),
        "next": elsewhere})
    location = signed.headers["location"]
    assert signed.status_code == 303 and location == "/"


def test_published_findings_are_linked_from_home_incident_and_agreement(web, flow: Workflow):
    published, draft = flow.world.findings["published"], flow.signed_draft
    public = TestClient(web.app)
    home = public.get("/").text
    assert f'href="/findings/{published}"' in home and draft not in home
    incident = public.get(f"/incidents/{flow.world.incidents[0]}").text
    assert f'href="/findings/{published}"' in incident and draft not in incident
    assert "/complaints/" not in incident  # the public sees no complaint
    staff = web.get(f"/incidents/{flow.world.incidents[0]}", headers=flow.world.auth("monitor QAT")).text
    assert f'href="/findings/{draft}"' in staff and f'href="/complaints/{flow.world.complaints["AFG"]}"' in staff
    liaison = web.get(f"/incidents/{flow.world.incidents[0]}", headers=flow.world.auth("liaison AFG")).text
    assert flow.world.complaints["AFG"] in liaison and flow.world.complaints["PAK"] not in liaison
    agreement = public.get("/agreements/doha-2025-10-19").text
    assert f'href="/findings/{published}"' in agreement and draft not in agreement


def test_a_signed_in_session_answers_with_the_form_and_its_token(web, flow: Workflow):
    """The answer form as a browser sends it: the session's cookie and CSRF token."""
    browser = TestClient(web.app)
    assert sign_in(browser, "liaison-pak").status_code == 303
    answered = browser.post(f"/complaints/{flow.asked}/answer", follow_redirects=False,
                            data={"note": "Sent with the form.", "csrf_token": session_csrf(browser)})
    assert answered.status_code == 303


def test_the_compliance_report_lists_the_published_findings_with_links(flow: Workflow):
    from trucewatch.jobs.exports import compliance_report  # noqa: PLC0415
    from trucewatch.publish.report import render_html, render_markdown  # noqa: PLC0415

    with flow.world.open() as db:
        report = compliance_report(db, "doha-2025-10-19")
    published = flow.world.findings["published"]
    assert [f.finding_id for f in report.findings] == [published]  # the draft signed for QAT only is not there
    page = render_html(report, figures={})
    findings = page.split('<section class="findings">')[1].split("</section>")[0]
    assert f'<a href="/findings/{published}">{published}</a>' in findings and report.findings[0].content_hash \
        in findings
    assert flow.signed_draft not in page
    assert f"[{published}](/findings/{published})" in render_markdown(report, {"timeline": "t.svg", "map": "m.svg"})
