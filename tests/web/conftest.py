"""A small world for the web tests: a real SQLite database with reports, events and incidents, the example agreements,
a user of every role with an API token, and one complaint of each party with an evidence file.

Built once per session (argon2 hashes are slow on purpose); tests that change anything get a copy of its files.
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from trucewatch import jobs
from trucewatch.demo import example_agreements_path
from trucewatch.jobs.accounts import add_user, new_token
from trucewatch.records import Claim, Event, Figure, Place, Report, Span
from trucewatch.settings import Settings
from trucewatch.storage import Database
from trucewatch.web.app import create_app

from .findings_world import add_findings

PASSWORD = "correct horse battery staple"
SECRET = "test-secret-key-0123456789-abcdefghijklmnop"
KABUL = Place("Kabul", "Afghanistan", "Kabul", "Kabul", 34.53, 69.17, 1, "town")
CHAMAN = Place("Chaman", "Pakistan", "Balochistan", "Qilla Abdullah", 30.92, 66.45, 1, "town")
SPIN_BOLDAK = Place("Spin Boldak", "Afghanistan", "Kandahar", "Spin Boldak", 31.0, 66.4, 1, "town")
# role label -> (user name, role, party, guarantor)
USERS = {
    "admin": ("root", "admin", None, None),
    "monitor QAT": ("mon-qat", "monitor", None, "QAT"),
    "monitor TUR": ("mon-tur", "monitor", None, "TUR"),
    "liaison PAK": ("liaison-pak", "liaison", "PAK", None),
    "liaison AFG": ("liaison-afg", "liaison", "AFG", None),
    "analyst": ("analyst", "analyst", None, None),
}
ROLES = (*USERS, "public")


@dataclass(frozen=True)
class World:
    folder: Path
    tokens: dict[str, str]  # role label -> API token
    complaints: dict[str, str]  # party -> complaint id
    evidence: dict[str, str]  # party -> SHA-256 of its complaint's evidence file
    incidents: tuple[str, ...]  # incident ids, by date
    findings: dict[str, str] = field(default_factory=dict)  # "published", "draft" -> finding id (findings_world.py)

    @property
    def settings(self) -> Settings:
        return Settings(db=str(self.folder / "world.sqlite3"), secret_key=SECRET,
                        evidence_dir=str(self.folder / "evidence"), max_upload_bytes=64 * 1024)

    @property
    def db_url(self) -> str:
        return self.settings.database_url

    def open(self) -> Database:
        """The world's database, for a test to hand to jobs (close it, or use `with`)."""
        return Database.open(self.db_url)

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role in self.tokens else {}

    def copy(self, folder: Path) -> World:
        """The same world in another folder, to change freely."""
        shutil.copytree(self.folder, folder, dirs_exist_ok=True)
        return replace(self, folder=folder)


def _report(report_id: str, outlet: str, day: date, text: str = "Jets struck a depot. Officials denied it.") -> Report:
    return Report(report_id=report_id, sha256=(report_id.encode().hex() * 64)[:64], text=text, published=day,
                  published_basis="file", title=f"Report {report_id}", outlet=outlet,
                  url=f"https://example.org/{report_id}", source=f"{report_id}.json", media_type="application/json")


def _event(event_id: str, report_id: str, day: date, place: Place, sub: str = "Air/drone strike",
           notes: str = "") -> Event:
    etype = "Battles" if sub == "Armed clash" else "Explosions/Remote violence"
    return Event(event_id=event_id, report_id=report_id, event_type=etype, sub_event_type=sub, event_date=day,
                 actor1="Military Forces of Pakistan", actor2="Civilians (Afghanistan)", place=place,
                 fatalities=(Figure(9, None, "civilians", "Government of Afghanistan", "nine", Span(0, 4), 0),),
                 claims=(Claim("Government of Pakistan", "denies", "civilian deaths", "denied", Span(0, 6), 0),),
                 notes=notes)


def _record(db: Database) -> None:
    """Four reports whose CSV cells would be formulas (outlets and notes beginning =, +, -, @), resolved."""
    d1, d2 = date(2025, 10, 15), date(2025, 10, 20)
    rows = [
        (_report("w-001", '=HYPERLINK("http://evil.example","x")', d1), [_event("evt-w1", "w-001", d1, KABUL,
                                                                                notes="+SUM(1,2) a depot hit")]),
        (_report("w-002", "@evil", d1), [_event("evt-w2", "w-002", d1, KABUL)]),
        (_report("w-003", "-2+3", d2), [_event("evt-w3", "w-003", d2, CHAMAN, "Armed clash")]),
        (_report("w-004", "Frontier Post", date(2025, 10, 22)),
         [_event("evt-w4", "w-004", date(2025, 10, 22), SPIN_BOLDAK, "Shelling/artillery/missile attack")]),
    ]
    for report, events in rows:
        db.reports.save(report, events)
    jobs.incidents.resolve_all(db)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("world")
    draft = World(folder, {}, {}, {}, ())
    with draft.open() as db:
        _record(db)
        jobs.agreements.load_agreements(db, example_agreements_path())
        tokens = {}
        for label, (name, role, party, guarantor) in USERS.items():
            add_user(db, name, role, PASSWORD, party=party, guarantor=guarantor)
            tokens[label] = new_token(db, name)[1]
        incidents, _ = jobs.incidents.list_incidents(db, limit=None)
    draft = replace(draft, tokens=tokens, incidents=tuple(i.incident_id for i in incidents))
    complaints, evidence = {}, {}
    with TestClient(create_app(draft.settings)) as client:
        for party in ("PAK", "AFG"):
            answer = client.post("/api/v1/complaints", headers=draft.auth(f"liaison {party}"),
                                 data={"text": f"{party}: shelling of a border post",
                                       "incident_id": incidents[0].incident_id},
                                 files={"evidence": (f"{party.lower()}-photo.jpg", f"{party} photo bytes".encode(),
                                                     "image/jpeg")})
            assert answer.status_code == 201, answer.text
            complaints[party] = answer.json()["data"]["complaint_id"]
            evidence[party] = answer.json()["data"]["evidence"][0]["sha256"]
    findings = add_findings(draft.settings, (USERS["monitor QAT"][0], USERS["monitor TUR"][0]), complaints, evidence)
    return replace(draft, complaints=complaints, evidence=evidence, findings=findings)


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    """A client of the app over the shared world: for tests that change nothing."""
    with TestClient(create_app(world.settings)) as c:
        yield c


@pytest.fixture
def own_world(world: World, tmp_path: Path) -> World:
    """A copy of the world for one test to change."""
    return world.copy(tmp_path / "world")


@pytest.fixture
def own_client(own_world: World) -> Iterator[TestClient]:
    with TestClient(create_app(own_world.settings)) as c:
        yield c
