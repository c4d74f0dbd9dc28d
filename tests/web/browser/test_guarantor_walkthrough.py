"""The mechanism's core act, walked through in a real browser by clicks alone: a party's liaison officer files a
complaint with a restricted photo; a monitor asks for information; the liaison answers with a public file; the
monitor drafts a finding; the first guarantor's monitor signs with a key made in their browser; the second finds the
draft in their inbox and signs; it is published through the confirmation page; and the public reaches the finding
from the incident page and downloads a bundle that holds the public file, not the restricted photo, and checks.

Each person starts at the home page (`/`) and follows links and buttons from there: no address is typed. Screenshots
of each step go to the test's folder, or to TRUCEWATCH_SCREENSHOTS (`docs/screenshots` renews the kept ones).
"""
from __future__ import annotations

import io
import os
import re
import secrets
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from trucewatch.jobs.accounts import add_user

from .conftest import PASSWORD, Site, shoot

pytestmark = pytest.mark.browser
COMPLAINT = "Mortar rounds fired from across the border hit the market at dusk; two shopkeepers were wounded."
QUESTION = "Send the time of the first impact and any photograph of the craters."
ANSWER = "The first round landed at 17:40 local time; the attached survey shows three craters."
REASONING = ("The party's photograph and the survey place three craters in the market; two outlets report the "
             "shelling that evening. Who fired is not established.")


def start_at_home(page, site: Site, name: str | None) -> None:
    """Open the home page and, for a user, sign in through the header's link (back to the home page after)."""
    page.goto(f"{site.url}/")
    if name is None:
        return
    page.click("header >> text=Sign in")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    expect(page.locator("header .who")).to_contain_text(name)


def nav(page, words: str) -> None:
    page.click(f"header nav >> text={words}")
    page.wait_for_load_state()


def press(page, to_state: str, note: str = "") -> None:
    """Click the complaint page's button that moves it to `to_state`, with its note."""
    form = page.locator(f"form:has(input[name=to][value='{to_state}'])")
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def make_key_in_browser(page, name: str) -> None:
    nav(page, "Signing keys")
    expect(page.locator("#browser-key")).to_contain_text("holds no signing key")
    page.fill("#new-key-name", name)
    page.click("#make-key")
    expect(page.locator("#browser-key")).to_contain_text(f"holds your active key {name}")


def test_a_complaint_becomes_a_signed_published_finding_by_clicks_alone(own_site, chromium, tmp_path, capsys):
    with own_site.open() as db:
        add_user(db, "mon-tur", "monitor", PASSWORD, guarantor="TUR")
    shots = Path(os.environ.get("TRUCEWATCH_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    photo = tmp_path / "crater-photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(3000))  # restricted: never public
    survey = tmp_path / "crater-survey.txt"
    survey.write_text(f"Survey of the market, three craters. {secrets.token_hex(16)}\n", encoding="utf-8")
    people = {}

    def browser_of(name: str | None):
        if name not in people:
            context = chromium.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
            context.set_default_timeout(15_000)
            people[name] = context.new_page()
            people[name].errors = []
            people[name].on("pageerror", lambda e, who=name: people[who].errors.append(str(e)))
        return people[name]

    try:
        # 1. PAK's liaison officer files a complaint on an incident, with a restricted photo
        liaison = browser_of("liaison-pak")
        start_at_home(liaison, own_site, "liaison-pak")
        liaison.locator("table a[href^='/incidents/']").first.click()
        incident_url = liaison.url
        liaison.click("#file-complaint")
        liaison.fill("textarea[name=text]", COMPLAINT)
        liaison.set_input_files("input[name=evidence]", str(photo))
        shoot(liaison, shots, "walk-1-liaison-files", capsys, full=False)
        liaison.click("text=File the complaint")
        expect(liaison.locator("main")).to_contain_text(COMPLAINT)
        expect(liaison.locator("main")).to_contain_text("crater-photo.png")
        complaint_url = liaison.url.split("?")[0]

        # 2. QAT's monitor finds it in the inbox, starts the review and asks for information
        qat = browser_of("mon-qat")
        start_at_home(qat, own_site, "mon-qat")
        nav(qat, "Inbox")
        qat.click(f"text={COMPLAINT[:40]}")
        press(qat, "under review")
        press(qat, "needs information", QUESTION)
        expect(qat.locator("main")).to_contain_text(QUESTION)

        # 3. The liaison sees the question in their inbox and answers with a public file
        start_at_home(liaison, own_site, None)
        nav(liaison, "Inbox")
        expect(liaison.locator("#questions")).to_contain_text(QUESTION)
        liaison.locator("#questions").locator(f"text={COMPLAINT[:40]}").click()
        expect(liaison.locator("#question-title")).to_be_visible()
        liaison.fill("textarea[name=note]", ANSWER)
        liaison.set_input_files("input[name=public_evidence]", str(survey))
        shoot(liaison, shots, "walk-2-liaison-answers", capsys, full=False)
        liaison.click("text=Send the answer")
        expect(liaison.locator("main")).to_contain_text("crater-survey.txt")
        expect(liaison.locator("main")).to_contain_text("under review")

        # 4. The QAT monitor drafts the finding from the complaint page, choosing every judgement
        nav(qat, "Inbox")
        qat.click(f"text={COMPLAINT[:40]}")
        expect(qat.locator("main")).to_contain_text(ANSWER)
        draft = qat.locator("form[action$='/findings']")
        draft.locator("select[name=commitment]").select_option(index=1)
        draft.locator("select[name=grade]").select_option("fair")
        draft.locator("select[name=attribution]").select_option("not attributable")
        draft.locator("textarea[name=reasoning]").fill(REASONING)
        draft.locator("label:has-text('crater-photo.png') input[type=checkbox]").check()
        draft.locator("label:has-text('crater-survey.txt') input[type=checkbox]").check()
        shoot(qat, shots, "walk-3-monitor-drafts", capsys)
        draft.locator("button[type=submit]").click()
        qat.wait_for_url("**/findings/fnd-*")
        finding_url = qat.url

        # 5. QAT makes a key in the browser and signs from the inbox
        make_key_in_browser(qat, "mon-qat-browser")
        nav(qat, "Inbox")
        qat.locator("#to-sign a[href^='/findings/']").first.click()
        qat.click("#sign-button")
        expect(qat.locator("#signed-by")).to_contain_text("mon-qat-browser")
        assert "waiting for TUR" in qat.inner_text("main")

        # 6. TUR's monitor sees one thing waiting, makes a key, signs; the finding is sealed; publish, confirmed
        tur = browser_of("mon-tur")
        start_at_home(tur, own_site, "mon-tur")
        expect(tur.locator("header nav")).to_contain_text("Inbox (")  # something waits for TUR
        make_key_in_browser(tur, "mon-tur-browser")
        nav(tur, "Inbox")
        expect(tur.locator("#to-sign h2")).to_contain_text("(1)")
        shoot(tur, shots, "walk-4-second-guarantor-inbox", capsys, full=False)
        tur.locator("#to-sign a[href^='/findings/']").first.click()
        assert tur.url == finding_url
        tur.click("#sign-button")
        expect(tur.locator("main")).to_contain_text("Sealed")
        tur.click("text=Publish…")
        expect(tur.locator("main")).to_contain_text("This will become public")
        expect(tur.locator("main")).to_contain_text("crater-survey.txt")
        withheld = tur.locator("#withheld-files").inner_text()
        assert "crater-photo.png" not in withheld and "restricted" in withheld
        shoot(tur, shots, "walk-5-publish-confirmation", capsys)
        tur.click("#publish-button")
        expect(tur.locator("main")).to_contain_text("Published")

        # 7. The public reaches the finding from the incident page and checks its bundle
        public = browser_of(None)
        start_at_home(public, own_site, None)
        public.locator("table a[href^='/incidents/']").first.click()
        assert public.url == incident_url
        public.locator("#findings a[href^='/findings/']").first.click()
        assert public.url == finding_url
        expect(public.locator("main")).to_contain_text(REASONING)
        assert "crater-photo.png" not in public.inner_text("main")  # a withheld file is shown by its SHA-256
        shoot(public, shots, "walk-6-public-finding", capsys)
        with public.expect_download() as download:
            public.click("text=Download the bundle")
        bundle = Path(download.value.path()).read_bytes()
        for name, page in people.items():
            assert not page.errors, (name, page.errors)
    finally:
        for page in people.values():
            page.context.close()

    assert complaint_url.startswith(own_site.url)
    folder = tmp_path / "bundle"
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        contents = {info.filename: archive.read(info) for info in archive.infolist()}
        archive.extractall(folder)
    assert not any(photo.read_bytes() in data for data in contents.values())  # the restricted photo stays home
    assert not any(b"crater-photo.png" in data for data in contents.values())  # nor its name
    assert any(survey.read_bytes() == data for data in contents.values())  # the public file is published
    [root] = list(folder.iterdir())
    checked = subprocess.run([sys.executable, "-I", "verify_bundle.py"], cwd=root, capture_output=True, text=True,
                             check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "verified" in checked.stdout and "QAT and TUR" in checked.stdout

    secrets_kept = [photo.read_bytes(), b"crater-photo.png", QUESTION.encode(), ANSWER.encode()]
    with own_site.open() as db:
        secrets_kept += [r.text.encode() for r, _, _ in db.audit_log.stored_reports() if len(r.text) > 400]
    for url, body in crawl_as_public(own_site.url):
        assert not any(secret in body for secret in secrets_kept), f"{url} shows what the public may not see"


def crawl_as_public(base: str, limit: int = 400) -> list[tuple[str, bytes]]:
    """Every page and API answer the public reaches from `/` by links (at most `limit`), with its body."""
    seen, queue, answers = set(), ["/"], []
    with httpx.Client(base_url=base, timeout=30) as client:
        while queue and len(seen) < limit:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            answer = client.get(path)
            assert answer.status_code < 500, path
            answers.append((path, answer.content))
            if "html" in answer.headers.get("content-type", ""):
                queue += [link for link in re.findall(r'href="(/[^"#]*)"', answer.text) if not link.startswith("//")]
    assert len(answers) > 20
    return answers
