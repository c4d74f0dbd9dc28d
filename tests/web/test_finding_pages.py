"""A monitor's finding pages over HTTP (a signed-in session, forms with its CSRF token): a draft is edited in its form
with its current values and problems beside their fields; a signed finding is not edited but amended (a new
version); publishing goes through a confirmation page, which shows the withheld evidence by SHA-256 only, and a
publish form sent without it is refused."""
from __future__ import annotations

import base64
import re

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from signing import known_key, raw_public, sign_with
from trucewatch.casework.findings import signed_message
from trucewatch.jobs import casework
from trucewatch.jobs.casework import Desk

from .conftest import World
from .findings_world import draft_of
from .test_auth import session_csrf, sign_in


def signed_in(client: TestClient, name: str = "mon-qat") -> str:
    assert sign_in(client, name).status_code == 303
    return session_csrf(client)


def sign_by(world: World, finding_id: str, *monitors: str) -> None:
    """The monitors sign the finding with their keys (as their browsers or machines would), through the jobs."""
    with world.open() as db:
        desk = Desk.over(db, world.settings)
        for name in monitors:
            sign_with(desk, casework.acting_user(desk, name), finding_id, known_key(name))


def finding(world: World, finding_id: str):
    with world.open() as db:
        desk = Desk.over(db, world.settings)
        return casework.get_finding(desk, casework.acting_user(desk, "mon-qat"), finding_id)


def selected(page: str, field: str) -> list[str]:
    select = re.search(rf'<select name="{field}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_a_monitor_edits_a_draft_in_its_form_with_its_values_and_problems_beside_their_fields(
        own_client: TestClient, own_world: World):
    fid = own_world.findings["draft"]
    csrf = signed_in(own_client)
    page = own_client.get(f"/findings/{fid}")
    assert f'href="/findings/{fid}/edit"' in page.text and "Edit this draft" in page.text
    form = own_client.get(f"/findings/{fid}/edit")
    assert form.status_code == 200 and f'action="/findings/{fid}/edit"' in form.text
    # the draft's own values and nothing else chosen for the monitor
    assert selected(form.text, "grade") == ["fair"] and selected(form.text, "attribution") == ["not attributable"]
    assert selected(form.text, "commitment") == ["doha-2025-10-19/no-cross-border-attacks"]
    assert "who fired is not established" in form.text
    assert re.findall(r'name="evidence" value="([0-9a-f]{64})" checked', form.text) == [own_world.evidence["AFG"]]
    sent = {"csrf_token": csrf, "commitment": "doha-2025-10-19/no-cross-border-attacks", "grade": "weak",
            "attribution": "attributed", "attributed_party": "", "reasoning": "One outlet only; edited.",
            "evidence": own_world.evidence["AFG"]}
    wrong = own_client.post(f"/findings/{fid}/edit", data=sent, follow_redirects=False)
    assert wrong.status_code == 422
    beside = re.search(r'name="attributed_party"[^>]*>\s*<span class="problems field-problem" '
                       r'data-field="attributed_party">([^<]+)</span>', wrong.text)
    assert beside and "name the party it is attributed to" in beside.group(1)
    assert selected(wrong.text, "grade") == ["weak"] and "One outlet only; edited." in wrong.text  # kept as sent
    before = finding(own_world, fid).content_hash
    saved = own_client.post(f"/findings/{fid}/edit", data={**sent, "attribution": "not attributable"},
                            follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"/findings/{fid}"
    after = finding(own_world, fid)
    assert (after.grade, after.reasoning, after.version) == ("weak", "One outlet only; edited.", 1)
    assert after.content_hash != before and after.content_hash in own_client.get(f"/findings/{fid}").text


def test_a_signed_finding_is_not_edited_but_amended_as_a_new_version(own_client: TestClient, own_world: World):
    fid = own_world.findings["draft"]
    sign_by(own_world, fid, "mon-qat")
    csrf = signed_in(own_client, "mon-tur")
    page = own_client.get(f"/findings/{fid}").text
    assert "Edit this draft" not in page and "Amend it" in page
    assert "signed for QAT, waiting for TUR" in page
    form = own_client.get(f"/findings/{fid}/edit")
    assert form.status_code == 200 and "never changed" in form.text and "amend it instead" in form.text
    assert f'action="/findings/{fid}/amend"' in form.text and f'action="/findings/{fid}/edit"' not in form.text
    assert selected(form.text, "grade") == ["fair"]
    sent = {"csrf_token": csrf, "commitment": "doha-2025-10-19/no-cross-border-attacks", "grade": "contested",
            "attribution": "not attributable", "reasoning": "The two parties' accounts contradict each other.",
            "evidence": own_world.evidence["AFG"]}
    refused = own_client.post(f"/findings/{fid}/edit", data=sent, follow_redirects=False)
    assert refused.status_code == 409 and f'action="/findings/{fid}/amend"' in refused.text
    assert finding(own_world, fid).grade == "fair"  # the signed content stands
    amended = own_client.post(f"/findings/{fid}/amend", data=sent, follow_redirects=False)
    assert amended.status_code == 303
    new_id = amended.headers["location"].rsplit("/", 1)[1]
    new = finding(own_world, new_id)
    assert (new.version, new.supersedes, new.grade, new.signatures) == (2, fid, "contested", ())
    assert finding(own_world, fid).superseded_by == new_id
    assert "cannot be changed" in own_client.get(f"/findings/{fid}/edit").text


def test_publishing_goes_through_the_confirmation_page(own_client: TestClient, own_world: World):
    fid = own_world.findings["draft"]
    sign_by(own_world, fid, "mon-qat", "mon-tur")
    csrf = signed_in(own_client, "mon-tur")
    page = own_client.get(f"/findings/{fid}").text
    assert "sealed, not published" in own_client.get("/findings").text
    assert f'href="/findings/{fid}/publish"' in page and 'action="/findings/' + fid + '/publish"' not in page
    unconfirmed = own_client.post(f"/findings/{fid}/publish", data={"csrf_token": csrf}, follow_redirects=False)
    assert unconfirmed.status_code == 400 and "TW-E635" in unconfirmed.text
    assert f"/findings/{fid}/publish" in unconfirmed.text and not finding(own_world, fid).published
    confirm = own_client.get(f"/findings/{fid}/publish")
    assert confirm.status_code == 200 and "This will become public" in confirm.text
    for shown in ("fair", "not attributable", "who fired is not established", "mon-qat", "mon-tur",
                  "mon-qat-", "mon-tur-"):  # grade, attribution, reasoning, both signers and their keys
        assert shown in confirm.text
    published = own_client.post(f"/findings/{fid}/publish", data={"csrf_token": csrf, "confirm": "publish"},
                                follow_redirects=False)
    assert published.status_code == 303 and finding(own_world, fid).published
    assert "It cannot be published: it was published" in own_client.get(f"/findings/{fid}/publish").text
    listed = re.search(rf"{fid}.*?</tr>", own_client.get("/findings").text, re.S).group(0)
    assert re.search(r"published \d{4}-\d{2}-\d{2}", listed)


def test_the_confirmation_page_shows_withheld_files_by_their_hash_only(own_client: TestClient, own_world: World):
    filed = own_client.post("/api/v1/complaints", headers=own_world.auth("liaison PAK"),
                            data={"text": "Shelling of the Chaman post at night",
                                  "incident_id": own_world.incidents[0]},
                            files=[("evidence", ("witness-statement-restricted.txt", b"a witness's own words",
                                                 "text/plain")),
                                   ("public_evidence", ("crater-photo-public.jpg", b"crater photo bytes",
                                                        "image/jpeg"))])
    assert filed.status_code == 201, filed.text
    complaint = filed.json()["data"]
    shas = {e["filename"]: e["sha256"] for e in complaint["evidence"]}
    with own_world.open() as db:
        desk = Desk.over(db, own_world.settings)
        qat = casework.acting_user(desk, "mon-qat")
        casework.move_complaint(desk, qat, complaint["complaint_id"], "under review")
        made = casework.draft_finding(desk, qat, draft_of(complaint["complaint_id"], evidence=tuple(shas.values()),
                                                          reports=("w-003",)))
    sign_by(own_world, made.finding_id, "mon-qat", "mon-tur")
    signed_in(own_client)
    page = own_client.get(f"/findings/{made.finding_id}/publish").text
    public = re.search(r'<table id="public-files">.*?</table>', page, re.S).group(0)
    withheld = re.search(r'<table id="withheld-files">.*?</table>', page, re.S).group(0)
    assert "crater-photo-public.jpg" in public and shas["crater-photo-public.jpg"] in public
    assert shas["witness-statement-restricted.txt"] in withheld and "restricted by the party" in withheld
    assert "witness-statement-restricted.txt" not in page  # by its hash only
    report_text = next(s for s in made.evidence if s not in shas.values())
    assert report_text in withheld and "w-003.txt" not in page and "a report&#39;s text" in withheld


def test_a_signature_that_does_not_verify_is_refused_and_the_page_says_why(own_client: TestClient,
                                                                            own_world: World):
    fid = own_world.findings["draft"]
    csrf = signed_in(own_client)
    page = own_client.get(f"/findings/{fid}").text
    content_hash = finding(own_world, fid).content_hash
    assert f"trucewatch findings sign {fid} --key FILE --hash {content_hash} --print" in page  # the fallback
    assert 'href="/account/keys"' in page
    forged = base64.b64encode(Ed25519PrivateKey.generate().sign(signed_message(content_hash))).decode()
    key = known_key("mon-qat")
    refused = own_client.post(f"/findings/{fid}/signatures", data={
        "csrf_token": csrf, "content_hash": content_hash, "key_name": f"mon-qat-{raw_public(key).hex()[:8]}",
        "signature": forged}, follow_redirects=False)
    assert refused.status_code == 422
    assert "TW-E833" in re.search(r'id="sign-error">([^<]+)<', refused.text).group(1)
    assert finding(own_world, fid).signatures == ()
