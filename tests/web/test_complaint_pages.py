"""The complaints' pages: a liaison officer's form (multipart, with the session's CSRF token) and their party's list;
the monitors' queue; another party's complaint is "not found"."""
from __future__ import annotations

import re

from .conftest import World
from .test_auth import session_csrf, sign_in

PHOTO = b"\xff\xd8\xff\xe0 a crater"


def test_a_liaison_files_a_complaint_with_evidence_through_the_form(own_client, own_world: World):
    sign_in(own_client, "liaison-pak")
    form = own_client.get("/complaints")
    assert "<h1>Complaints of PAK</h1>" in form.text and 'enctype="multipart/form-data"' in form.text
    answer = own_client.post("/complaints", data={"text": "Mortar fire on the Chaman post",
                                                  "incident_id": own_world.incidents[0],
                                                  "csrf_token": session_csrf(own_client)},
                             files=[("evidence", ("crater.jpg", PHOTO, "image/jpeg"))], follow_redirects=False)
    assert answer.status_code == 303, answer.text
    page = own_client.get(answer.headers["location"])
    assert "Filed." in page.text and "crater.jpg" in page.text and "Mortar fire on the Chaman post" in page.text
    complaint_id = re.search(r"/complaints/(cmp-[0-9a-f]+)", answer.headers["location"]).group(1)
    listed = own_client.get("/complaints").text
    assert complaint_id in listed and own_world.complaints["PAK"] in listed
    assert own_world.complaints["AFG"] not in listed


def test_a_form_without_a_file_files_no_evidence(own_client, own_world: World):
    """A browser sends an empty file field (filename="", no bytes) when no file is chosen."""
    sign_in(own_client, "liaison-afg")
    parts = [("text", None, b"Shelling at Spin Boldak"), ("csrf_token", None, session_csrf(own_client).encode()),
             ("evidence", "", b"")]
    body = b"".join(b"--b\r\nContent-Disposition: form-data; name=\"%s\"%s\r\n\r\n%s\r\n"
                    % (name.encode(), b"" if file is None else b'; filename=""', value) for name, file, value in parts)
    answer = own_client.post("/complaints", content=body + b"--b--\r\n", follow_redirects=False,
                             headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert answer.status_code == 303, answer.text
    assert "No evidence files." in own_client.get(answer.headers["location"]).text


def test_what_is_wrong_with_a_complaint_is_shown_on_the_form(own_client, own_world: World):
    sign_in(own_client, "liaison-pak")
    csrf = session_csrf(own_client)
    answer = own_client.post("/complaints", data={"text": "  ", "incident_id": "inc-nope", "csrf_token": csrf})
    assert answer.status_code == 422
    assert "text: empty; say what the complaint is about" in answer.text
    assert "no incident &#39;inc-nope&#39;" in answer.text
    forged = own_client.post("/complaints", data={"text": "forged"})
    assert forged.status_code == 403 and "TW-E614" in forged.text


def test_the_other_partys_complaint_is_not_found(client, world: World):
    mine = client.get(f"/complaints/{world.complaints['AFG']}", headers=world.auth("liaison AFG"))
    assert mine.status_code == 200 and "AFG: shelling of a border post" in mine.text
    other = client.get(f"/complaints/{world.complaints['AFG']}", headers=world.auth("liaison PAK"))
    nothing = client.get("/complaints/cmp-000000000000", headers=world.auth("liaison PAK"))
    assert other.status_code == nothing.status_code == 404 and "TW-E616" in other.text
    assert other.text.replace(world.complaints["AFG"], "ID") == nothing.text.replace("cmp-000000000000", "ID")


def test_monitors_see_every_complaint_newest_first_and_file_none(client, world: World):
    page = client.get("/complaints", headers=world.auth("monitor TUR")).text
    assert "<h1>Complaints queue</h1>" in page and "<textarea" not in page
    assert world.complaints["PAK"] in page and world.complaints["AFG"] in page
    refused = client.get("/complaints", follow_redirects=False)  # the public: to sign in, and back here after
    assert refused.status_code == 303 and refused.headers["location"] == "/login?next=%2Fcomplaints"
    assert client.get("/complaints", headers=world.auth("analyst")).status_code == 403
