"""Verification's pages, in a signed-in browser session (forms with the session's CSRF token): a monitor moves a
complaint with its buttons, drafts a finding with the form and signs it with the button; the public sees published
findings only."""
from __future__ import annotations

import re

from fastapi.testclient import TestClient

from signing import known_key, raw_public, signature_of

from .conftest import World
from .test_auth import session_csrf, sign_in


def test_a_monitor_reviews_drafts_and_signs_through_the_pages(own_client: TestClient, own_world: World):
    filed = own_client.post("/api/v1/complaints", headers=own_world.auth("liaison PAK"),
                            data={"text": "Shelling of the <b>Chaman</b> post", "incident_id": own_world.incidents[0]})
    cid = filed.json()["data"]["complaint_id"]
    assert sign_in(own_client, "mon-qat").status_code == 303
    csrf = session_csrf(own_client)
    page = own_client.get(f"/complaints/{cid}/history")
    assert page.status_code == 200 and "Start the review" in page.text
    assert "<b>Chaman" not in page.text and "Shelling of the &lt;b&gt;Chaman&lt;/b&gt; post" in page.text  # as text
    refused = own_client.post(f"/complaints/{cid}/history", data={"to": "under review"}, follow_redirects=False)
    assert refused.status_code == 403 and "TW-E614" in refused.text
    moved = own_client.post(f"/complaints/{cid}/history", data={"to": "under review", "csrf_token": csrf},
                            follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == f"/complaints/{cid}"
    page = own_client.get(f"/complaints/{cid}/history").text
    assert "Draft a finding on this complaint" in page and "Ask the party for information" in page
    form = {"csrf_token": csrf, "commitment": "doha-2025-10-19/no-cross-border-attacks", "grade": "weak",
            "attribution": "attributed", "reasoning": "One outlet only."}
    wrong = own_client.post(f"/complaints/{cid}/findings", data=form, follow_redirects=False)
    assert wrong.status_code == 422 and "attributed_party" in wrong.text
    drafted = own_client.post(f"/complaints/{cid}/findings", data={**form, "attribution": "not attributable"},
                              follow_redirects=False)
    assert drafted.status_code == 303
    fid = drafted.headers["location"].rsplit("/", 1)[1]
    finding = own_client.get(f"/findings/{fid}").text
    content_hash = re.search(r'name="content_hash" value="([0-9a-f]{64})"', finding).group(1)
    assert "Sign for QAT" in finding and "weak" in finding
    key = known_key("mon-qat")  # the signature made on the monitor's side (browser or machine), pasted
    signed = own_client.post(f"/findings/{fid}/signatures", data={
        "csrf_token": csrf, "content_hash": content_hash, "key_name": f"mon-qat-{raw_public(key).hex()[:8]}",
        "signature": signature_of(key, content_hash)}, follow_redirects=False)
    assert signed.status_code == 303
    finding = own_client.get(f"/findings/{fid}").text
    assert "Sign for QAT" not in finding and "mon-qat" in finding
    assert "needs the signature of a monitor of TUR" in finding
    public = TestClient(own_client.app)
    assert own_world.findings["published"] in public.get("/findings").text
    assert fid not in public.get("/findings").text and public.get(f"/findings/{fid}").status_code == 404
    refused = public.get(f"/complaints/{cid}/history", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login?next=")
