"""Browser tests: headless Chromium from Debian's packages (/usr/bin/chromium; scripts/test installs it with apt-get
when it is missing), driven by Playwright, against a real uvicorn server on a free loopback port.

One Chromium for the whole session; each test gets a fresh browser context (no cookies) and a page that records
every JavaScript dialog (`page.dialogs`: an alert() that fires is a test failure wherever hostile text is shown).
The site is the bundled demo's reports and agreements, a hostile report, users of each role and a complaint of each
party, served once per session; tests that change it get their own copy and server.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trucewatch import jobs
from trucewatch.demo import example_agreements_path, sample_report_paths
from trucewatch.jobs.accounts import add_user
from trucewatch.records import Complaint
from trucewatch.settings import Settings
from trucewatch.storage import Database

from ..live import live_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct horse battery staple"
SECRET = "browser-test-secret-key-0123456789-abcdefgh"
USERS = {  # user name -> (role, party, guarantor)
    "mon-qat": ("monitor", None, "QAT"),
    "liaison-pak": ("liaison", "PAK", None),
    "liaison-afg": ("liaison", "AFG", None),
    "analyst": ("analyst", None, None),
}
HOSTILE = {
    "id": "hostile-1",
    "published": "2025-10-16",
    "outlet": "<img src=x onerror=alert('outlet')>",
    "title": "<script>alert('title')</script> Strike on Kabul",
    "url": "javascript:alert(document.cookie)",
    "text": "KABUL, Oct 16 - Pakistani jets struck a compound in Kabul on Wednesday, killing nine civilians, "
            "officials said. <script>alert(1)</script> <a href=\"javascript:alert(2)\">more</a> "
            "<img src=x onerror=alert(3)>",
}
HOSTILE_COMPLAINT = "<script>alert('complaint')</script><img src=x onerror=alert('c2')> Mortar fire on Chaman"


@dataclass(frozen=True)
class Site:
    folder: Path
    url: str  # the server's base URL ("" until served)
    contested: str  # an incident with claims of both parties
    hostile: str  # the incident of the hostile report
    complaints: dict[str, str]  # party -> its complaint's id

    @property
    def settings(self) -> Settings:
        return site_settings(self.folder)

    @property
    def db_url(self) -> str:
        return self.settings.database_url

    def open(self) -> Database:
        """The site's database, for a test to hand to jobs (close it, or use `with`)."""
        return Database.open(self.db_url)


def site_settings(folder: Path) -> Settings:
    return Settings(db=str(folder / "site.sqlite3"), secret_key=SECRET, evidence_dir=str(folder / "evidence"),
                    max_upload_bytes=1024 * 1024)


def build_site(folder: Path) -> Site:
    """The demo's reports and agreements, the hostile report, the users, one complaint of each party."""
    hostile = folder / "hostile.json"
    hostile.write_text(json.dumps(HOSTILE), encoding="utf-8")
    with Database.open(site_settings(folder).database_url) as db:
        results = jobs.ingest.ingest_paths([*sample_report_paths(), hostile], db)
        assert all(r.status == "added" for r in results), [r.reason for r in results if r.status != "added"]
        jobs.agreements.load_agreements(db, example_agreements_path())
        for name, (role, party, guarantor) in USERS.items():
            add_user(db, name, role, PASSWORD, party=party, guarantor=guarantor)
        complaints = {}
        for party, text in (("PAK", "Shelling of the Chaman post at 02:10"), ("AFG", HOSTILE_COMPLAINT)):
            complaint = db.workplace.add_complaint(Complaint(
                complaint_id=f"cmp-{party.lower()}00000001", party=party, text=text,
                filed_by=f"liaison-{party.lower()}", filed_at=datetime(2025, 10, 21, 9, tzinfo=UTC)))
            complaints[party] = complaint.complaint_id
        return Site(folder, "", _both_parties(db), _incident_of_report(db, "hostile-1"), complaints)


def _both_parties(db: Database) -> str:
    incidents, _ = jobs.incidents.list_incidents(db, limit=None, contested=True)
    for summary in incidents:
        if {"PAK", "AFG"} <= {c.party for c in jobs.incidents.get_incident(db, summary.incident_id).claims}:
            return summary.incident_id
    raise AssertionError("the demo has no incident with claims of both parties")


def _incident_of_report(db: Database, report_id: str) -> str:
    events, _ = jobs.incidents.list_events(db)
    found = [e.incident_id for e in events if e.report_id == report_id and e.incident_id]
    assert found, f"report {report_id} gave no incident"
    return found[0]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def site(built_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The site, served for the whole session: for tests that change nothing."""
    folder = tmp_path_factory.mktemp("shared-site")
    shutil.copytree(built_site.folder, folder, dirs_exist_ok=True)
    with live_server(site_settings(folder)) as url:
        yield replace(built_site, folder=folder, url=url)


@pytest.fixture
def own_site(built_site: Site, tmp_path: Path) -> Iterator[Site]:
    """A copy of the site on a server of its own, for one test to change."""
    folder = tmp_path / "site"
    shutil.copytree(built_site.folder, folder)
    with live_server(site_settings(folder)) as url:
        yield replace(built_site, folder=folder, url=url)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's Chromium, launched once for the session."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test (it installs Debian's chromium), or "
                    "'apt-get install chromium' as root", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: object) -> Iterator[object]:
    """A fresh browser context and page, 1400x900; `page.dialogs` lists the dialogs that fired, `page.errors` the
    console errors and page errors."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.dialogs = []
    tab.errors = []

    def on_dialog(dialog: object) -> None:
        tab.dialogs.append(f"{dialog.type}: {dialog.message}")  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    tab.on("dialog", on_dialog)
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    try:
        yield tab
    finally:
        context.close()


def sign_in(page: object, site: Site, name: str, password: str = PASSWORD) -> None:
    """Sign in through the sign-in form, as a person would."""
    page.goto(f"{site.url}/login")  # type: ignore[attr-defined]
    page.fill("input[name=name]", name)  # type: ignore[attr-defined]
    page.fill("input[name=password]", password)  # type: ignore[attr-defined]
    page.click("form.login button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]


def shoot(page: object, folder: Path, name: str, capsys: pytest.CaptureFixture[str], *, full: bool = True) -> Path:
    """A screenshot of the page, its path printed in the test output."""
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)  # type: ignore[attr-defined]
    with capsys.disabled():
        print(f"\nscreenshot: {path}")
    return path
