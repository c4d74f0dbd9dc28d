"""Each report's story is recorded when it is stored; a store from before stories gets them when upgraded."""
from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from trucewatch.storage import Database
from trucewatch.storage.repository import _alembic_config

WIRE = ("Gunmen attacked a border checkpoint before dawn and killed four guards, officials said on Sunday, adding "
        "that the attackers fled towards the hills and that a search of nearby villages was under way.")
OTHER = ("Traders at the crossing said the gate stayed shut for a third day while lorries loaded with fruit waited "
         "in a queue that stretched for kilometres along the highway.")


def test_a_reprint_joins_the_story_of_the_first_report_and_other_reports_found_their_own(store, make_report):
    store.save(make_report("r-wire", WIRE), [])
    store.save(make_report("r-other", OTHER), [])
    store.save(make_report("r-reprint", "AGENCY - " + WIRE + " (Agency)"), [])
    store.save(make_report("r-second-reprint", WIRE.replace("Sunday", "Sunday morning")), [])
    assert store.stories(["r-wire", "r-other", "r-reprint", "r-second-reprint", "r-unknown"]) == {
        "r-wire": "r-wire", "r-other": "r-other", "r-reprint": "r-wire", "r-second-reprint": "r-wire"}


def test_a_store_from_before_stories_gets_them_when_upgraded(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0009_sealed_by_keys")
        for number, body in enumerate((WIRE, OTHER, "WIRE DESK - " + WIRE)):
            conn.execute(text("INSERT INTO reports (report_id, sha256, published, published_basis, media_type, "
                              "kind, text, ingested_at) VALUES (:id, :sha, '2025-10-20', 'file', 'text/plain', "
                              "'news', :body, :at)"),
                         {"id": f"r-{number}", "sha": str(number) * 64, "body": body,
                          "at": f"2025-10-20 10:0{number}:00"})
    engine.dispose()
    with Database.open(url) as database:
        assert database.reports.stories(["r-0", "r-1", "r-2"]) == {"r-0": "r-0", "r-1": "r-1", "r-2": "r-0"}
