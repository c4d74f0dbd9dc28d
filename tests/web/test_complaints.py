"""Complaints: a liaison officer files one with evidence; their party, the monitors and the admins see it; the other
party's liaison officer cannot find it, in the list, the detail, the evidence or the export."""
from __future__ import annotations

import csv
import hashlib
import io
import json

from .conftest import World

PHOTO = b"\xff\xd8\xff\xe0 a photo of a shelled post \x00\x01"


def file_complaint(client, world: World, party: str = "PAK", **data):
    return client.post("/api/v1/complaints", headers=world.auth(f"liaison {party}"),
                       data={"text": "Mortar fire on the Chaman post at 02:10", **data},
                       files=[("evidence", ("post.jpg", PHOTO, "image/jpeg")),
                              ("evidence", ("../../etc/notes.txt", b"=cmd|' /C calc'!A0", "text/plain"))])


def test_a_liaison_files_a_complaint_with_evidence_for_their_own_party(own_client, own_world: World):
    answer = file_complaint(own_client, own_world, incident_id=own_world.incidents[1])
    assert answer.status_code == 201, answer.text
    body = answer.json()["data"]
    assert answer.headers["location"] == body["link"]
    assert body["party"] == "PAK" and body["filed_by"] == "liaison-pak" and body["status"] == "received"
    assert body["incident_id"] == own_world.incidents[1]
    photo, notes = body["evidence"]
    assert photo["sha256"] == hashlib.sha256(PHOTO).hexdigest() and photo["size"] == len(PHOTO)
    assert notes["filename"] == "notes.txt"
    kept = own_world.folder / "evidence" / photo["sha256"][:2] / photo["sha256"]
    assert kept.read_bytes() == PHOTO


def test_the_party_field_cannot_be_chosen(own_client, own_world: World):
    answer = own_client.post("/api/v1/complaints", headers=own_world.auth("liaison AFG"),
                             data={"text": "Filed as the other side?", "party": "PAK"})
    assert answer.status_code == 201 and answer.json()["data"]["party"] == "AFG"


def test_the_other_partys_liaison_cannot_find_it_anywhere(own_client, own_world: World):
    body = file_complaint(own_client, own_world).json()["data"]
    other = own_world.auth("liaison AFG")
    listed = own_client.get("/api/v1/complaints", headers=other).json()["data"]
    assert body["complaint_id"] not in [c["complaint_id"] for c in listed]
    assert {c["party"] for c in listed} == {"AFG"}
    detail = own_client.get(body["link"], headers=other)
    assert detail.status_code == 404 and detail.json()["error"]["code"] == "TW-E616"
    evidence = own_client.get(body["evidence"][0]["link"], headers=other)
    assert evidence.status_code == 404
    for fmt in ("jsonl", "csv"):
        export = own_client.get(f"/api/v1/export/complaints.{fmt}", headers=other)
        assert export.status_code == 200
        assert body["complaint_id"] not in export.text and "Chaman post" not in export.text
        assert "PAK" not in export.text


def test_their_own_party_and_the_monitors_see_it(own_client, own_world: World):
    body = file_complaint(own_client, own_world).json()["data"]
    for role in ("liaison PAK", "monitor QAT", "monitor TUR", "admin"):
        listed = own_client.get("/api/v1/complaints", headers=own_world.auth(role)).json()["data"]
        assert body["complaint_id"] in [c["complaint_id"] for c in listed], role
        assert own_client.get(body["link"], headers=own_world.auth(role)).json()["data"]["text"] == body["text"]
    everyone = own_client.get("/api/v1/complaints", headers=own_world.auth("monitor TUR")).json()["data"]
    assert {c["party"] for c in everyone} == {"PAK", "AFG"}


def test_evidence_is_served_as_a_download_never_as_what_the_sender_declared(own_client, own_world: World):
    body = file_complaint(own_client, own_world).json()["data"]
    answer = own_client.get(body["evidence"][0]["link"], headers=own_world.auth("monitor QAT"))
    assert answer.status_code == 200 and answer.content == PHOTO
    assert answer.headers["content-type"] == "application/octet-stream"
    assert answer.headers["content-disposition"].startswith("attachment") and "post.jpg" in \
        answer.headers["content-disposition"]
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_evidence_of_another_complaint_cannot_be_reached_through_ones_own(own_client, own_world: World):
    mine = file_complaint(own_client, own_world, "AFG").json()["data"]
    theirs_sha = own_world.evidence["PAK"]
    answer = own_client.get(f"/api/v1/complaints/{mine['complaint_id']}/evidence/{theirs_sha}",
                            headers=own_world.auth("liaison AFG"))
    assert answer.status_code == 404
    traversal = own_client.get(f"/api/v1/complaints/{mine['complaint_id']}/evidence/..%2F..%2Fworld.sqlite3",
                               headers=own_world.auth("liaison AFG"))
    assert traversal.status_code == 404


def test_the_complaint_export_neutralises_formula_cells(own_client, own_world: World):
    file_complaint(own_client, own_world, text="=HYPERLINK(\"http://evil\")")
    export = own_client.get("/api/v1/export/complaints.csv", headers=own_world.auth("admin")).text
    rows = list(csv.DictReader(io.StringIO(export)))
    assert {r["party"] for r in rows} == {"PAK", "AFG"}
    assert any(r["text"] == "'=HYPERLINK(\"http://evil\")" for r in rows)
    jsonl = own_client.get("/api/v1/export/complaints.jsonl", headers=own_world.auth("admin")).text
    assert len([json.loads(line) for line in jsonl.splitlines()]) == len(rows)


def test_an_empty_complaint_or_an_unknown_incident_is_a_422_naming_the_fields(own_client, own_world: World):
    answer = own_client.post("/api/v1/complaints", headers=own_world.auth("liaison PAK"),
                             data={"text": "  ", "incident_id": "inc-000000000000"})
    assert answer.status_code == 422
    problems = {p["field"] for p in answer.json()["error"]["details"]["problems"]}
    assert problems == {"body -> text", "body -> incident_id"}


def test_an_evidence_file_over_the_limit_is_refused_and_nothing_is_kept(own_client, own_world: World):
    limit = own_world.settings.max_upload_bytes
    answer = own_client.post("/api/v1/complaints", headers=own_world.auth("liaison PAK"), data={"text": "big"},
                             files={"evidence": ("big.bin", b"y" * (limit + 1), "application/octet-stream")})
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "TW-E619"
    listed = own_client.get("/api/v1/complaints", headers=own_world.auth("liaison PAK")).json()["data"]
    assert [c["text"] for c in listed] == ["PAK: shelling of a border post"]
    assert not [p for p in (own_world.folder / "evidence").rglob("*") if p.is_file() and p.name.startswith(".")]


def test_complaints_page_by_cursor(own_client, own_world: World):
    for n in range(3):
        own_client.post("/api/v1/complaints", headers=own_world.auth("liaison PAK"), data={"text": f"number {n}"})
    seen, url = [], "/api/v1/complaints?limit=2"
    while url:
        body = own_client.get(url, headers=own_world.auth("liaison PAK")).json()
        seen += [c["text"] for c in body["data"]]
        url = body["next"]
    assert seen == ["number 2", "number 1", "number 0", "PAK: shelling of a border post"]
