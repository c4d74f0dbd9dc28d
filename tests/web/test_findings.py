"""Verification through the HTTP API, as its users meet it: a complaint goes from filing to a published finding with
the two guarantors' monitors; the sealed finding cannot be changed by any role, admin included, nor by SQL; a change
is a new version; the other party never sees the complaint or the draft; evidence originals never change, and a
withdrawal is recorded, not a deletion; every write is in the audit log, and the log verifies."""
from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from signing import signature_body
from trucewatch.jobs.auditing import verify_audit
from trucewatch.storage import Database

from .conftest import ROLES, World

PHOTO = b"\xff\xd8\xff\xe0 the Chaman post after the shelling \x00\x01"
STAFF = ("admin", "monitor QAT", "monitor TUR")


class Api:
    """The client, as each role of the world."""

    def __init__(self, client, world: World) -> None:
        self.client, self.world = client, world

    def __call__(self, role: str, method: str, path: str, expect: int | None = None, **kwargs):
        answer = self.client.request(method, f"/api/v1{path}", headers=self.world.auth(role), **kwargs)
        if expect is not None:
            assert answer.status_code == expect, (role, method, path, answer.status_code, answer.text[:300])
        return answer

    def code(self, role: str, method: str, path: str, **kwargs) -> tuple[int, str | None]:
        answer = self(role, method, path, **kwargs)
        is_json = answer.headers.get("content-type", "").startswith("application/json")
        return answer.status_code, answer.json()["error"]["code"] if is_json and answer.status_code >= 400 else None


def move(api: Api, role: str, complaint_id: str, to: str, note: str = "", expect: int = 201) -> dict:
    return api(role, "POST", f"/complaints/{complaint_id}/transitions", expect, json={"to": to, "note": note}).json()


def test_a_complaint_from_filing_to_a_published_finding_that_nobody_can_change(own_client, own_world: World):
    api = Api(own_client, own_world)
    # a liaison officer of PAK files a complaint with a photo
    filed = api("liaison PAK", "POST", "/complaints", 201, data={"text": "Mortar fire on the Chaman post at 02:10",
                                                                 "incident_id": own_world.incidents[0],
                                                                 "captured_at": "2025-10-20T02:25:00+05:00"},
                files={"evidence": ("post.jpg", PHOTO, "image/jpeg")}).json()["data"]
    cid, photo = filed["complaint_id"], hashlib.sha256(PHOTO).hexdigest()
    assert filed["status"] == "received" and filed["evidence"][0]["sha256"] == photo
    original = api("monitor QAT", "GET", f"/complaints/{cid}/evidence", 200).json()["data"][0]["original"]
    assert original["uploaded_by"] == "liaison-pak" and original["source"] == f"complaint {cid}"
    assert original["captured_at"] == "2025-10-20T02:25:00+05:00" and original["received_at"].endswith("Z")
    # the monitor of Qatar reviews it and asks for more; PAK answers; AFG cannot even find it
    assert api.code("monitor QAT", "POST", f"/complaints/{cid}/transitions", json={"to": "published"}) == \
        (409, "TW-E801")
    move(api, "monitor QAT", cid, "under review")
    assert api.code("monitor QAT", "POST", f"/complaints/{cid}/transitions", json={"to": "needs information"}) == \
        (422, "TW-E803")
    move(api, "monitor QAT", cid, "needs information", "Send the photo's original with its time stamp")
    assert api.code("liaison AFG", "POST", f"/complaints/{cid}/transitions",
                    json={"to": "under review", "note": "x"}) == (404, "TW-E616")
    assert api.code("liaison PAK", "POST", f"/complaints/{cid}/transitions", json={"to": "closed", "note": "x"}) == \
        (403, "TW-E802")
    history = move(api, "liaison PAK", cid, "under review", "The original is attached; taken 02:25 PKT")["data"]
    assert [(h["from"], h["to"], h["role"]) for h in history["history"]] == [
        ("received", "under review", "monitor"), ("under review", "needs information", "monitor"),
        ("needs information", "under review", "liaison")]
    # a monitor annotates the photo: the original does not change
    kept = own_world.folder / "evidence" / photo[:2] / photo
    api("monitor QAT", "POST", f"/complaints/{cid}/evidence/{photo}/annotations", 201,
        data={"note": "the crater faces east", "anchor": "x=120,y=40,w=80,h=60"},
        files={"working_copy": ("marked.jpg", PHOTO + b" circled", "image/jpeg")})
    assert kept.read_bytes() == PHOTO
    # a monitor drafts a finding: the complaint is 'finding drafted'; nobody but staff sees the draft
    body = {"complaint_ids": [cid], "agreement_id": "doha-2025-10-19", "commitment_id": "no-cross-border-attacks",
            "grade": "fair", "attribution": "largely attributed", "attributed_party": "AFG",
            "reasoning": "The photo, its time stamp and two reports agree on mortar fire from the west.",
            "evidence": [photo], "reports": ["w-003"]}
    draft = api("monitor QAT", "POST", "/findings", 201, json=body).json()["data"]
    fid, content_hash = draft["finding_id"], draft["content_hash"]
    assert len(draft["evidence"]) == 2 and draft["sealed"] is False and draft["version"] == 1
    assert api("liaison PAK", "GET", f"/complaints/{cid}", 200).json()["data"]["status"] == "finding drafted"
    for role in ("liaison PAK", "liaison AFG", "analyst", "public"):
        assert api.code(role, "GET", f"/findings/{fid}") == (404, "TW-E616")
        assert fid not in api(role, "GET", "/findings", 200).text
        assert api.code(role, "GET", f"/findings/{fid}/bundle") == (404, "TW-E616")
    own_history = api("liaison PAK", "GET", f"/complaints/{cid}/transitions", 200).json()["data"]
    assert own_history["status"] == "finding drafted" and fid not in json.dumps(own_history)
    # Qatar signs; publication needs Türkiye too; Türkiye signs: sealed
    assert api.code("monitor QAT", "POST", f"/findings/{fid}/signatures", json=signature_body("mon-qat", "0" * 64)) \
        == (409, "TW-E808")
    signed = api("monitor QAT", "POST", f"/findings/{fid}/signatures", 201,
                 json=signature_body("mon-qat", content_hash))
    assert signed.json()["data"]["missing_guarantors"] == ["TUR"]
    assert api.code("monitor QAT", "POST", f"/findings/{fid}/publish") == (409, "TW-E809")
    assert api.code("monitor QAT", "POST", f"/findings/{fid}/signatures",
                    json=signature_body("mon-qat", content_hash)) == (409, "TW-E835")
    sealed = api("monitor TUR", "POST", f"/findings/{fid}/signatures", 201,
                 json=signature_body("mon-tur", content_hash))
    assert sealed.json()["data"]["sealed"] is True
    assert api("monitor QAT", "GET", f"/complaints/{cid}", 200).json()["data"]["status"] == "finding signed"
    # published: the public reads it
    api("monitor TUR", "POST", f"/findings/{fid}/publish", 200)
    public = api("public", "GET", f"/findings/{fid}", 200).json()["data"]
    assert (public["grade"], public["content_hash"], public["published_by"]) == ("fair", content_hash, "mon-tur")
    assert {s["guarantor"] for s in public["signatures"]} == {"QAT", "TUR"}
    assert fid in api("liaison AFG", "GET", "/findings", 200).text
    assert api("liaison PAK", "GET", f"/complaints/{cid}", 200).json()["data"]["status"] == "published"
    # nobody changes the sealed finding, admin included
    for role in ROLES:
        expected = {"monitor QAT": (409, "TW-E805"), "monitor TUR": (409, "TW-E805"),
                    "public": (401, "TW-E610")}.get(role, (403, "TW-E613"))
        assert api.code(role, "PATCH", f"/findings/{fid}", json={"grade": "confirmed"}) == expected, role
        assert api.code(role, "PUT", f"/findings/{fid}", json={"grade": "confirmed"}) == (405, "TW-E617"), role
        assert api.code(role, "POST", f"/findings/{fid}", json={"grade": "confirmed"}) == (405, "TW-E617"), role
        assert api.code(role, "DELETE", f"/findings/{fid}")[0] == 405, role
        assert api.code(role, "POST", f"/findings/{fid}/signatures",
                        json=signature_body("mon-qat", content_hash))[0] in (401, 403, 409), role
        assert api.code(role, "POST", f"/findings/{fid}/publish")[0] in (401, 403, 409), role
    assert api("public", "GET", f"/findings/{fid}", 200).json()["data"] == public
    engine = create_engine(own_world.db_url)
    for sql in (f"UPDATE findings SET grade = 'confirmed' WHERE finding_id = '{fid}'",
                f"DELETE FROM finding_evidence WHERE finding_id = '{fid}'",
                f"INSERT INTO finding_incidents VALUES ('{fid}', 'inc-other')",
                f"DELETE FROM finding_signatures WHERE finding_id = '{fid}'",
                f"DELETE FROM findings WHERE finding_id = '{fid}'"):
        # SQLite's RAISE(ABORT) is an IntegrityError; PostgreSQL's RAISE EXCEPTION a ProgrammingError
        with pytest.raises((IntegrityError, OperationalError, ProgrammingError)), engine.begin() as conn:
            conn.exec_driver_sql(sql)
    engine.dispose()
    assert api("public", "GET", f"/findings/{fid}", 200).json()["data"] == public
    # a change is a new version that supersedes the old; the public does not see the draft of it
    amended = api("monitor TUR", "POST", f"/findings/{fid}/amend", 201,
                  json={"grade": "confirmed", "reasoning": "A third, independent account confirms it."}).json()["data"]
    assert (amended["version"], amended["supersedes"], amended["series"]) == (2, fid, fid)
    assert amended["signatures"] == [] and amended["content_hash"] != content_hash
    assert api("monitor QAT", "GET", f"/findings/{fid}", 200).json()["data"]["superseded_by"] == amended["finding_id"]
    assert api("public", "GET", f"/findings/{fid}", 200).json()["data"] == public  # superseded_by not shown yet
    assert api.code("monitor QAT", "POST", f"/findings/{fid}/amend", json={"grade": "weak"}) == (409, "TW-E810")
    # the photo withdrawn by its party: recorded, kept, still served
    assert api.code("liaison AFG", "POST", f"/complaints/{cid}/evidence/{photo}/withdrawal",
                    json={"reason": "x"}) == (404, "TW-E616")
    api("liaison PAK", "POST", f"/complaints/{cid}/evidence/{photo}/withdrawal", 201,
        json={"reason": "sent to the wrong complaint"})
    [record] = api("liaison PAK", "GET", f"/complaints/{cid}/evidence", 200).json()["data"]
    assert record["withdrawn"]["reason"] == "sent to the wrong complaint" and record["annotations"] == []
    assert api("monitor QAT", "GET", f"/complaints/{cid}/evidence", 200).json()["data"][0]["annotations"]
    assert api("liaison PAK", "GET", f"/complaints/{cid}/evidence/{photo}", 200).content == PHOTO
    assert api.code("liaison PAK", "POST", f"/complaints/{cid}/evidence/{photo}/withdrawal",
                    json={"reason": "again"}) == (409, "TW-E813")
    # every write is in the audit log, by whom it was made, and the log verifies
    with Database.open(own_world.db_url, upgrade=False) as db:
        entries = [e for e in db.audit_log.iter_entries() if cid in e.subject or fid in e.subject
                   or e.subject == photo or e.subject == amended["finding_id"]]
        verified = verify_audit(db)
    assert Counter((e.action, e.actor) for e in entries) == {
        ("complaint.file", "liaison-pak"): 1, ("complaint.transition", "mon-qat"): 3,
        ("complaint.transition", "liaison-pak"): 1, ("evidence.annotate", "mon-qat"): 1,
        ("finding.draft", "mon-qat"): 1, ("finding.sign", "mon-qat"): 1, ("finding.sign", "mon-tur"): 1,
        ("complaint.transition", "mon-tur"): 2, ("finding.publish", "mon-tur"): 1, ("finding.amend", "mon-tur"): 1,
        ("evidence.withdraw", "liaison-pak"): 1}
    signs = [json.loads(e.payload) for e in entries if e.action == "finding.sign"]
    assert [(s["guarantor"], s["content_hash"], s["sealed"]) for s in signs] == [
        ("QAT", content_hash, False), ("TUR", content_hash, True)]
    assert verified.ok


def test_a_monitor_opens_a_complaint_from_an_incident_for_a_party(own_client, own_world: World):
    api = Api(own_client, own_world)
    made = api("monitor TUR", "POST", f"/incidents/{own_world.incidents[1]}/complaints", 201,
               json={"party": "AFG", "text": "Reports of shelling near Spin Boldak; no complaint was filed."})
    cid = made.json()["data"]["complaint_id"]
    assert made.json()["data"]["filed_by"] == "mon-tur" and made.json()["data"]["status"] == "received"
    assert api("liaison AFG", "GET", f"/complaints/{cid}", 200).json()["data"]["party"] == "AFG"
    assert api.code("liaison PAK", "GET", f"/complaints/{cid}") == (404, "TW-E616")
    assert api.code("monitor TUR", "POST", "/incidents/inc-nowhere/complaints",
                    json={"party": "AFG", "text": "x"}) == (404, "TW-E616")


def test_a_draft_is_checked_field_by_field_and_edited_until_someone_signs(own_client, own_world: World):
    api = Api(own_client, own_world)
    cid = own_world.complaints["PAK"]  # 'published' by the world's finding: no new finding on it
    wrong = api("monitor QAT", "POST", "/findings", 422, json={
        "complaint_ids": [cid, "cmp-none"], "agreement_id": "doha-2025-10-19", "commitment_id": "no-such",
        "grade": "weak", "attribution": "attributed", "reasoning": " ", "evidence": ["ab" * 32, "nothex"]})
    problems = {p["field"]: p["problem"] for p in wrong.json()["error"]["details"]["problems"]}
    assert set(problems) == {"body -> complaint_ids -> 0", "body -> complaint_ids -> 1", "body -> commitment_id",
                             "body -> attributed_party", "body -> reasoning", "body -> evidence -> 0",
                             "body -> evidence -> 1"}
    assert "'published'" in problems["body -> complaint_ids -> 0"]
    fid = own_world.findings["draft"]
    edited = api("monitor TUR", "PATCH", f"/findings/{fid}", 200, json={"grade": "weak"}).json()["data"]
    assert edited["grade"] == "weak" and edited["finding_id"] == fid
    api("monitor TUR", "POST", f"/findings/{fid}/signatures", 201,
        json=signature_body("mon-tur", edited["content_hash"]))
    assert api.code("monitor QAT", "PATCH", f"/findings/{fid}", json={"grade": "fair"}) == (409, "TW-E805")
    assert api.code("monitor QAT", "PATCH", f"/findings/{fid}", json={"complaint_ids": []}) == (422, "TW-E618")
