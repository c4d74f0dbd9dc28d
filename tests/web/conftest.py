"""A small world for the web tests: a real database with reports, events and incidents, the example agreements, a user
of every role with an API token, and one complaint of each party with an evidence file.

Built once per session and back end (argon2 hashes are slow on purpose); tests that change anything get a copy
(`own_world`, `World.copy`): on SQLite a copy of the folder, on PostgreSQL a database made with `CREATE DATABASE ...
TEMPLATE` the built one (tests/postgres.py), which no test ever opens, plus a copy of the folder's evidence files.

The modules that exercise the store through the app run on SQLite and PostgreSQL both (`backend` is parametrised for
them, `pytest -k postgresql` runs that half): the API's reads and writes of incidents, overrides, agreements,
complaints, evidence, findings, signatures, users, sessions and tokens, and the casework commands over the same store
(ON_BOTH below). The rest test what is shown — pages, forms, the map, HTML escaping, uploads' limits, HTTP serving,
the browser tier — over reads the modules above already run on PostgreSQL, and stay on SQLite alone to keep the suite
within its time.
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text

from postgres import PostgresServer, both_back_ends
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
ON_BOTH = frozenset({  # the modules run on SQLite and PostgreSQL (the docstring says why these)
    "test_api", "test_auth", "test_complaints", "test_evidence_visibility", "test_findings",
    "test_findings_cli", "test_signatures_api",
})


@dataclass(frozen=True)
class World:
    folder: Path
    tokens: dict[str, str]  # role label -> API token
    complaints: dict[str, str]  # party -> complaint id
    evidence: dict[str, str]  # party -> SHA-256 of its complaint's evidence file
    incidents: tuple[str, ...]  # incident ids, by date
    findings: dict[str, str] = field(default_factory=dict)  # "published", "draft" -> finding id (findings_world.py)
    db: str = ""  # the database's URL; "" is world.sqlite3 in `folder`
    server: PostgresServer | None = None  # PostgreSQL: the server of `db` and of `built`
    built: str = ""  # PostgreSQL: the database as built, which copies are made from and nobody opens

    @property
    def settings(self) -> Settings:
        return Settings(db=self.db or str(self.folder / "world.sqlite3"), secret_key=SECRET,
                        evidence_dir=str(self.folder / "evidence"), max_upload_bytes=64 * 1024)

    @property
    def backend(self) -> str:
        return "sqlite" if self.server is None else "postgresql"

    @property
    def db_url(self) -> str:
        return self.settings.database_url

    def open(self) -> Database:
        """The world's database, for a test to hand to jobs (close it, or use `with`)."""
        return Database.open(self.db_url)

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role in self.tokens else {}

    def copy(self, folder: Path) -> World:
        """The world in another folder and database, to change freely: on SQLite a copy of this one's folder; on
        PostgreSQL a copy of the database as built (and of this folder's evidence files)."""
        shutil.copytree(self.folder, folder, dirs_exist_ok=True)
        if self.server is None:
            return replace(self, folder=folder)
        return replace(self, folder=folder, db=self.server.fresh_database(copy_of=self.built))

    def discard(self) -> None:
        """Drop a copy's PostgreSQL database (a SQLite copy goes with its temporary folder)."""
        if self.server is not None and self.db != self.built:
            self.server.drop(self.db)

    def stored_bytes(self) -> bytes:
        """Everything the store holds, as someone with the database's files would read it: on SQLite the file and
        its WAL; on PostgreSQL every row of every table, as text."""
        if self.server is None:
            return b"".join(path.read_bytes() for path in self.folder.glob("world.sqlite3*"))
        engine = create_engine(self.db)
        try:
            with engine.connect() as conn:
                tables = inspect(conn).get_table_names()
                rows = [str(row) for table in tables for row in conn.execute(text(f'SELECT * FROM "{table}"'))]
        finally:
            engine.dispose()
        return "\n".join(rows).encode()


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


def build_world(folder: Path, db: str = "") -> World:
    """The world in `folder` (its evidence files; its SQLite file where `db` is ""), through the jobs and the API."""
    draft = World(folder, {}, {}, {}, (), db=db)
    with draft.open() as store:
        _record(store)
        jobs.agreements.load_agreements(store, example_agreements_path())
        tokens = {}
        for label, (name, role, party, guarantor) in USERS.items():
            add_user(store, name, role, PASSWORD, party=party, guarantor=guarantor)
            tokens[label] = new_token(store, name)[1]
        incidents, _ = jobs.incidents.list_incidents(store, limit=None)
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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The modules of ON_BOTH run each test on both back ends; the others on SQLite alone."""
    both_back_ends(metafunc, ON_BOTH, "session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """"sqlite" or "postgresql": which database the world is in (parametrised by pytest_generate_tests)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def world(backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> World:
    """The world, for tests that change nothing. On PostgreSQL a copy of the one built: a database that is being
    copied may have nobody connected to it, and the tests' clients stay connected to this one."""
    folder = tmp_path_factory.mktemp(f"world-{backend}")
    if backend == "sqlite":
        return build_world(folder)
    server: PostgresServer = request.getfixturevalue("postgres_server")
    built = build_world(folder, server.fresh_database())
    return replace(built, server=server, built=built.db, db=server.fresh_database(copy_of=built.db))


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    """A client of the app over the shared world: for tests that change nothing."""
    with TestClient(create_app(world.settings)) as c:
        yield c


@pytest.fixture
def own_world(world: World, tmp_path: Path) -> Iterator[World]:
    """A copy of the world for one test to change."""
    copy = world.copy(tmp_path / "world")
    yield copy
    copy.discard()


@pytest.fixture
def own_client(own_world: World) -> Iterator[TestClient]:
    with TestClient(create_app(own_world.settings)) as c:
        yield c
