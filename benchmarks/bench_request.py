"""What one request for an incident costs, now that the app opens its database once at startup.

Builds a small database from the bundled demo reports and agreements (`trucewatch.demo.sample_report_paths()`), then
times N requests of one incident's page (`/incidents/{id}`) and of its API record (`/api/v1/incidents/{id}`) through
FastAPI's TestClient on the app; and, for comparison, what it costs to open a database for each call (as every job
did when jobs took a URL: `Database.open(url, upgrade=False)`, the incident job, close) against a database kept
open.

    .venv/bin/python benchmarks/bench_request.py [--requests 200] [--folder DIR]

Prints milliseconds per request and per call; no asserts.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from trucewatch import jobs
from trucewatch.demo import example_agreements_path, sample_report_paths
from trucewatch.settings import Settings
from trucewatch.storage import Database
from trucewatch.web.app import create_app


def build(folder: Path) -> tuple[Settings, str]:
    """The demo's reports and agreements in a new SQLite database; the settings and the incident with most events."""
    settings = Settings(db=str(folder / "bench.sqlite3"), secret_key="bench-secret-key-0123456789-abcdefghij",
                        evidence_dir=str(folder / "evidence"))
    with Database.open(settings.database_url) as db:
        jobs.ingest.ingest_paths(list(sample_report_paths()), db)
        jobs.agreements.load_agreements(db, example_agreements_path())
        incidents, _ = jobs.incidents.list_incidents(db, limit=None)
    busiest = max(incidents, key=lambda s: (s.n_events, s.incident_id))
    return settings, busiest.incident_id


def per_call_ms(n: int, call: Callable[[], object]) -> float:
    call()  # warm: templates, caches
    start = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - start) * 1000 / n


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests (and calls) timed per figure")
    parser.add_argument("--folder", type=Path, default=None, help="where to build the database [a temporary one]")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.folder or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        settings, incident_id = build(folder)
        url, n = settings.database_url, args.requests
        print(f"database: the demo's {len(list(sample_report_paths()))} reports; incident {incident_id}; "
              f"{n} requests or calls per figure")
        with TestClient(create_app(settings)) as client:
            for path in (f"/incidents/{incident_id}", f"/api/v1/incidents/{incident_id}"):
                assert client.get(path).status_code == 200
                ms = per_call_ms(n, lambda p=path: client.get(p))
                print(f"GET {path:<40} {ms:8.2f} ms per request (the app's one database)")

        def opened_per_call() -> object:
            with Database.open(url, upgrade=False) as db:
                return jobs.incidents.get_incident(db, incident_id)

        with Database.open(url, upgrade=False) as kept:
            open_ms = per_call_ms(n, lambda: Database.open(url, upgrade=False).close())
            opened_ms = per_call_ms(n, opened_per_call)
            kept_ms = per_call_ms(n, lambda: jobs.incidents.get_incident(kept, incident_id))
        print(f"Database.open(url, upgrade=False) + close     {open_ms:8.2f} ms per call")
        print(f"jobs.incidents.get_incident, opened per call  {opened_ms:8.2f} ms per call")
        print(f"jobs.incidents.get_incident, database kept    {kept_ms:8.2f} ms per call")


if __name__ == "__main__":
    main()
