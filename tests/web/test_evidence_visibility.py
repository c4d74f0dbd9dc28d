"""Evidence marked public or restricted at upload, a liaison officer's answer to a request for information, and the
bundle the public downloads of a published finding: it holds no restricted file and no report's text (every file of
the zip scanned for their bytes), and says what it withholds."""
from __future__ import annotations

import io
import json
import zipfile

from signing import known_key, sign_with
from trucewatch.jobs import casework
from trucewatch.jobs.casework import Desk

from .conftest import World
from .findings_world import draft_of

SECRET_FILE = b"Names and numbers of three witnesses: the party's own, never for the other side.\n"
OPEN_FILE = b"A photo of the crater that the party agreed to publish.\n"
REPORT_TEXT = b"Jets struck a depot. Officials denied it."  # the world's reports' text (conftest._report)


def file_complaint(client, world: World, party: str = "PAK", **files) -> dict:
    answer = client.post("/api/v1/complaints", headers=world.auth(f"liaison {party}"),
                         data={"text": f"{party}: mortar fire on a village"}, files=[
                             (field, (name, data, "application/octet-stream"))
                             for field, items in files.items() for name, data in items])
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]


def marking(data: dict) -> dict[str, tuple[str, bool]]:
    return {e["filename"]: (e["sha256"], e["public"]) for e in data["evidence"]}


def test_files_are_restricted_by_default_and_a_first_marking_stands(own_client, own_world: World):
    data = file_complaint(own_client, own_world, evidence=[("witnesses.txt", SECRET_FILE)],
                          public_evidence=[("crater.jpg", OPEN_FILE)])
    assert {name: public for name, (_, public) in marking(data).items()} == {"witnesses.txt": False,
                                                                             "crater.jpg": True}
    again = file_complaint(own_client, own_world, public_evidence=[("same-witnesses.txt", SECRET_FILE)])
    [item] = again["evidence"]
    assert item["public"] is False and "first marking stands" in item["note"]
    shown = own_client.get(data["link"], headers=own_world.auth("monitor QAT")).json()["data"]
    assert marking(shown) == marking(data)


def request_information(client, world: World) -> str:
    cid = file_complaint(client, world, evidence=[("first.txt", b"the first file")])["complaint_id"]
    for to, note in (("under review", ""), ("needs information", "Send the photo of the crater, please.")):
        moved = client.post(f"/api/v1/complaints/{cid}/transitions", headers=world.auth("monitor QAT"),
                            json={"to": to, "note": note})
        assert moved.status_code == 201, moved.text
    return cid


def test_a_liaison_answers_with_a_note_and_files(own_client, own_world: World):
    cid = request_information(own_client, own_world)
    url = f"/api/v1/complaints/{cid}/answers"
    files = [("evidence", ("witnesses.txt", SECRET_FILE, "text/plain")),
             ("public_evidence", ("crater.jpg", OPEN_FILE, "image/jpeg"))]
    other = own_client.post(url, headers=own_world.auth("liaison AFG"), data={"note": "Here."}, files=files)
    assert other.status_code == 404 and other.json()["error"]["code"] == "TW-E616"  # as for an unseen complaint
    assert own_client.post(url, headers=own_world.auth("analyst"), data={"note": "x"}).status_code == 403
    bare = own_client.post(url, headers=own_world.auth("liaison PAK"), data={"note": "  "}, files=files)
    assert bare.status_code == 422 and bare.json()["error"]["code"] == "TW-E803"
    answer = own_client.post(url, headers=own_world.auth("liaison PAK"), data={"note": "The photo is attached."},
                             files=files)
    assert answer.status_code == 201, answer.text
    data = answer.json()["data"]
    assert data["status"] == "under review"
    assert {n: p for n, (_, p) in marking(data).items()} == {"first.txt": False, "witnesses.txt": False,
                                                             "crater.jpg": True}
    download = own_client.get(f"/api/v1/complaints/{cid}/evidence/{marking(data)['crater.jpg'][0]}",
                              headers=own_world.auth("monitor TUR"))
    assert download.content == OPEN_FILE
    history = own_client.get(f"/api/v1/complaints/{cid}/transitions", headers=own_world.auth("liaison PAK"))
    last = history.json()["data"]["history"][-1]
    assert (last["from"], last["to"], last["by"], last["note"]) == ("needs information", "under review",
                                                                   "liaison-pak", "The photo is attached.")
    again = own_client.post(url, headers=own_world.auth("liaison PAK"), data={"note": "Once more."})
    assert again.status_code == 409 and again.json()["error"]["code"] == "TW-E801"
    with own_world.open() as db:
        subjects = {cid, *(sha for sha, _ in marking(data).values())}
        entries = [e for e in db.audit_log.iter_entries() if e.subject in subjects]
    added = {e.subject: json.loads(e.payload) for e in entries if e.action == "evidence.add"}
    assert {p["filename"]: p["public"] for p in added.values()} == {"witnesses.txt": False, "crater.jpg": True}
    moved = json.loads([e for e in entries if e.action == "complaint.transition"][-1].payload)
    assert moved["note"] == "The photo is attached." and sorted(moved["evidence"]) == sorted(added)


def publish_citing(world: World, cid: str, shas: list[str]) -> str:
    """A finding on the complaint citing `shas` and a report, signed by both guarantors' monitors and published."""
    with world.open() as db:
        desk = Desk.over(db, world.settings)
        qat, tur = casework.acting_user(desk, "mon-qat"), casework.acting_user(desk, "mon-tur")
        casework.move_complaint(desk, qat, cid, "under review")
        finding = casework.draft_finding(desk, qat, draft_of(cid, evidence=tuple(shas), reports=("w-001",)))
        for monitor in (qat, tur):
            finding = sign_with(desk, monitor, finding.finding_id, known_key(monitor.name))
        casework.publish_finding(desk, tur, finding.finding_id)
    return finding.finding_id


def zip_files(content: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {info.filename.split("/", 1)[1]: archive.read(info) for info in archive.infolist()}


def test_the_public_bundle_holds_no_restricted_bytes(own_client, own_world: World):
    data = file_complaint(own_client, own_world, evidence=[("witnesses.txt", SECRET_FILE)],
                          public_evidence=[("crater.jpg", OPEN_FILE)])
    shas = [sha for sha, _ in marking(data).values()]
    fid = publish_citing(own_world, data["complaint_id"], shas)
    for role in ("public", "liaison PAK", "liaison AFG", "analyst"):
        answer = own_client.get(f"/api/v1/findings/{fid}/bundle", headers=own_world.auth(role))
        assert answer.status_code == 200, (role, answer.text)
        files = zip_files(answer.content)
        for name, content in files.items():
            assert SECRET_FILE.strip() not in content and REPORT_TEXT not in content, (role, name)
        assert files[f"evidence/{marking(data)['crater.jpg'][0]}"] == OPEN_FILE
        withheld = json.loads(files["withheld.json"])
        assert sorted(w["reason"] for w in withheld) == ["a report's text: for signed-in users",
                                                         "restricted by the party that filed it"]
        assert all(set(w) == {"sha256", "size", "reason"} for w in withheld)  # not a name that says what it is
        assert not any(b"witnesses.txt" in content for content in files.values()), role
    for role, code in (("public", 401), ("liaison PAK", 403), ("analyst", 403)):
        refused = own_client.get(f"/api/v1/findings/{fid}/bundle?full=1", headers=own_world.auth(role))
        assert refused.status_code == code, (role, refused.text)
    full = zip_files(own_client.get(f"/api/v1/findings/{fid}/bundle?full=1",
                                    headers=own_world.auth("monitor TUR")).content)
    assert SECRET_FILE in full.values() and json.loads(full["withheld.json"]) == []
