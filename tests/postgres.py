"""A throw-away PostgreSQL server for the test session, and the `db_url` fixture that runs a test on both back ends.

`postgres_server` (session-scoped) starts Debian's PostgreSQL (`initdb` and `pg_ctl` from /usr/lib/postgresql/<ver>/bin,
the newest installed; scripts/test installs the package where it is missing) in a temporary folder, on a free loopback
port, with trust authentication and no durability (fsync, synchronous_commit and full_page_writes off: a test server
that loses its data in a crash loses nothing), and stops and removes it when the session ends. `initdb` refuses to run
as root, which is how CI runs: as root the server runs as the system user `postgres` (the Debian package creates it;
else it is created here with useradd) and the folder is handed to that user.

Fresh databases are quick: the project's own migrations (storage/repository.py `migrate`) run once per session into a
template database, and each fresh database is `CREATE DATABASE ... TEMPLATE` that one, a file copy.

`db_url` is parametrised ["sqlite", "postgresql"]: a fresh database URL per test (sqlite: a file under tmp_path that
does not exist yet; postgresql: a new database at the current schema, with no rows, dropped after the test).

Where PostgreSQL cannot be started, the tests that need it are skipped with the reason; under CI (the CI variable set)
they fail instead, so CI never passes without having run them (tests/conftest.py `in_ci`).
"""
from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from trucewatch.storage import migrate

POSTGRES_ROOTS = Path("/usr/lib/postgresql")
SYSTEM_USER = "postgres"  # the server's own unprivileged user when the tests run as root
SUPERUSER = "postgres"  # the database role initdb creates, trusted on loopback
TEMPLATE = "trucewatch_template"
SETTINGS = {  # a test server: fast, and nothing to keep after a crash
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "listen_addresses": "127.0.0.1",
    "max_connections": "200",
    "shared_buffers": "32MB",
}
NOT_RUN = "PostgreSQL not started"
BINDIR_VARIABLE = "TRUCEWATCH_TEST_POSTGRES_BIN"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL could not be started here; the message says why and what to install."""


class PostgresServer:
    """A running throw-away server: `.url(dbname)`, `.fresh_database()`, `.drop(url)`, `.stop()`."""

    def __init__(self, folder: Path, port: int, bindir: Path, run_as: list[str]) -> None:
        self.folder = folder
        self.port = port
        self.bindir = bindir
        self.run_as = run_as
        self._names = itertools.count(1)

    def url(self, dbname: str) -> str:
        """The SQLAlchemy URL (psycopg 3) of database `dbname` on this server."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def fresh_database(self, *, migrated: bool = True, copy_of: str | None = None) -> str:
        """A new database with no rows, at the current schema (a copy of the migrated template); with
        `migrated=False`, a truly empty one (no tables), for tests of creating the schema itself; with `copy_of` (a
        URL of this server's), a copy of that database, rows and all, which nobody may be connected to (a prepared
        world or log, copied per test). Returns its URL."""
        name = f"tw_{os.getpid()}_{next(self._names)}"
        template = TEMPLATE if migrated else "template0"
        if copy_of is not None:
            template = copy_of.rsplit("/", 1)[1]
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return self.url(name)

    def drop(self, url: str) -> None:
        """Drop the database of `url`, closing whatever connections a test left open to it."""
        name = url.rsplit("/", 1)[1]
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def execute(self, sql: str) -> None:
        """One statement on the maintenance database, outside any transaction (CREATE/DROP DATABASE need that)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]  # the names are ours, never a user's

    def make_template(self) -> None:
        """The template every fresh database copies: the project's migrations, run once."""
        self.execute(f'CREATE DATABASE "{TEMPLATE}"')
        migrate(self.url(TEMPLATE))

    def stop(self) -> None:
        subprocess.run([*self.run_as, str(self.bindir / "pg_ctl"), "stop", "-D", str(self.folder / "data"),
                        "-m", "immediate", "-s"], capture_output=True, check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def postgres_bindir() -> Path:
    """$TRUCEWATCH_TEST_POSTGRES_BIN if set (another PostgreSQL's bin folder); else the newest installed PostgreSQL's
    (Debian's layout); else wherever `initdb` is on the PATH."""
    chosen = os.environ.get(BINDIR_VARIABLE)
    if chosen:
        if not (Path(chosen) / "initdb").is_file():
            raise PostgresUnavailable(f"{BINDIR_VARIABLE}={chosen} has no initdb: name a PostgreSQL bin folder")
        return Path(chosen)
    found = sorted(POSTGRES_ROOTS.glob("*/bin/initdb"), key=lambda p: _version(p.parent.parent.name))
    if found:
        return found[-1].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresUnavailable(f"no PostgreSQL server installed (no {POSTGRES_ROOTS}/<version>/bin/initdb, no initdb "
                              f"on the PATH): install Debian's 'postgresql' package (scripts/test does, with apt-get)")


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def start_postgres() -> PostgresServer:
    """initdb into a new temporary folder and start the server on a free loopback port; PostgresUnavailable if not."""
    bindir = postgres_bindir()
    run_as = _unprivileged()
    folder = Path(tempfile.mkdtemp(prefix="trucewatch-postgres-"))
    if run_as:
        shutil.chown(folder, user=SYSTEM_USER, group=None)
    server = PostgresServer(folder, _free_port(), bindir, run_as)
    try:
        _run(server, "initdb", "-D", str(folder / "data"), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync")
        options = " ".join(f"-c {key}={value}" for key, value in SETTINGS.items())
        _run(server, "pg_ctl", "start", "-D", str(folder / "data"), "-w", "-t", "60", "-s",
             "-l", str(folder / "server.log"), "-o", f"-p {server.port} -k {folder} {options}")
        server.make_template()
    except BaseException:
        server.stop()
        raise
    return server


def _unprivileged() -> list[str]:
    """The prefix that runs the server's commands as an unprivileged user: none unless we are root."""
    if os.geteuid() != 0:
        return []
    if subprocess.run(["id", "-u", SYSTEM_USER], capture_output=True, check=False).returncode != 0:
        made = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                               SYSTEM_USER], capture_output=True, text=True, check=False)
        if made.returncode != 0:
            raise PostgresUnavailable(f"running as root, and no user '{SYSTEM_USER}' to run PostgreSQL as (initdb "
                                      f"refuses root); useradd failed: {made.stderr.strip()}")
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailable(f"running as root, and no runuser (util-linux) to run PostgreSQL as '{SYSTEM_USER}'")
    return [runuser, "-u", SYSTEM_USER, "--"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(server: PostgresServer, program: str, *args: str) -> None:
    done = subprocess.run([*server.run_as, str(server.bindir / program), *args], capture_output=True, text=True,
                          cwd=server.folder, check=False)
    if done.returncode != 0:
        log = server.folder / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise PostgresUnavailable(f"{program} failed ({done.returncode}): {(done.stderr or done.stdout).strip()}"
                                  f"{' | server log: ' + tail if tail else ''}")


@pytest.fixture(scope="session")
def postgres_server(running_in_ci: bool) -> Iterator[PostgresServer]:
    """The session's PostgreSQL server; a skip with the reason where it cannot start (a failure under CI)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        reason = "the psycopg driver is not installed: pip install -e '.[test]' (or '.[postgres]')"
        server = None
    else:
        try:
            server = start_postgres()
            reason = ""
        except PostgresUnavailable as err:
            server, reason = None, str(err)
    if server is None:
        if running_in_ci:
            pytest.fail(f"{NOT_RUN}: {reason}. CI must run the PostgreSQL tests", pytrace=False)
        pytest.skip(f"{NOT_RUN}: {reason}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database's URL, once per back end: an SQLite file not yet made, or a new PostgreSQL database at
    the current schema (dropped after the test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.fresh_database()
    yield url
    server.drop(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """As `db_url`, but the PostgreSQL database has no schema at all, as the SQLite file does not exist: for tests of
    creating and upgrading the schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.fresh_database(migrated=False)
    yield url
    server.drop(url)


def both_back_ends(metafunc: pytest.Metafunc, modules: frozenset[str], scope: str) -> None:
    """Run the tests of these modules (by file name) that take the `backend` fixture on SQLite and PostgreSQL; the
    others get the fixture's default. Called from a folder's `pytest_generate_tests`."""
    if "backend" in metafunc.fixturenames and metafunc.module.__name__.rsplit(".", 1)[-1] in modules:
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True, scope=scope)
