"""The admins' page of watched sources, /admin/sources: each source's state with its last error, pause and resume
buttons, a form to add one; nobody but an admin reaches it (docs/live.md)."""
from __future__ import annotations

import socket
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from trucewatch.jobs.watch import Watch, WatchOptions

from .test_auth import session_csrf, sign_in


def signed_in(client: TestClient, name: str) -> str:
    assert sign_in(client, name).status_code == 303
    return session_csrf(client)


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: a poll there is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_admin_adds_a_source_sees_why_it_fails_and_pauses_and_resumes_it(own_world, own_client):
    csrf = signed_in(own_client, "root")
    page = own_client.get("/admin/sources")
    assert page.status_code == 200 and 'href="/admin/sources"' in page.text and "No sources yet" in page.text

    url = f"http://127.0.0.1:{closed_port()}/feed.xml"
    added = own_client.post("/admin/sources", data={"csrf_token": csrf, "url": url, "kind": "rss",
                                                    "name": "border-wire", "every": "5m"}, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == "/admin/sources"

    with own_world.open() as db:  # the watch polls it: nothing answers there
        watch = Watch(db, options=WatchOptions(host_seconds=0, timeout_seconds=5))
        try:
            [polled] = watch.poll_round(datetime.now(UTC)).sources
        finally:
            watch.close()
    assert polled.status == "error"
    page = own_client.get("/admin/sources").text
    row = page[page.index('data-source="border-wire"'):]
    row = row[:row.index("</tr>")]
    assert url in row and "rss" in row and "5m" in row and "next poll" in row
    assert "TW-E906" in row and "could not fetch" in row and 'class="failures">1<' in row  # one failure in a row
    assert ">Pause<" in row

    paused = own_client.post("/admin/sources/border-wire/pause", data={"csrf_token": csrf}, follow_redirects=False)
    assert paused.status_code == 303
    row = own_client.get("/admin/sources").text.split('data-source="border-wire"')[1].split("</tr>")[0]
    assert ">paused<" in row and ">Resume<" in row and "TW-E906" in row  # the last error stays in view
    with own_world.open() as db:
        assert Watch(db).store.due(datetime.now(UTC)) == []  # the watch leaves it alone

    resumed = own_client.post("/admin/sources/border-wire/resume", data={"csrf_token": csrf}, follow_redirects=False)
    assert resumed.status_code == 303
    row = own_client.get("/admin/sources").text.split('data-source="border-wire"')[1].split("</tr>")[0]
    assert "next poll" in row and ">Pause<" in row and 'class="failures">0<' in row  # its failures forgotten


def test_a_refused_source_shows_the_form_again_with_why(own_client):
    csrf = signed_in(own_client, "root")
    answer = own_client.post("/admin/sources", data={"csrf_token": csrf, "url": "ftp://example.org/feed",
                                                     "kind": "rss", "name": "ftp-feed", "every": "10m"})
    assert answer.status_code == 422 and "TW-E900" in answer.text and 'value="ftp-feed"' in answer.text
    assert "No sources yet" in answer.text


def test_a_source_added_without_the_session_csrf_token_is_refused(own_client):
    signed_in(own_client, "root")
    answer = own_client.post("/admin/sources", data={"url": "https://example.org/feed.xml", "kind": "rss",
                                                     "name": "forged", "every": "10m"})
    assert answer.status_code == 403 and "TW-E614" in answer.text
    assert "forged" not in own_client.get("/admin/sources").text


def test_a_liaison_officer_and_the_public_are_refused_and_see_no_link(client):
    liaison = TestClient(client.app)
    signed_in(liaison, "liaison-pak")
    refused = liaison.get("/admin/sources")
    assert refused.status_code == 403 and "TW-E613" in refused.text
    assert 'href="/admin/sources"' not in liaison.get("/").text
    public = client.get("/admin/sources", follow_redirects=False)
    assert public.status_code == 303 and public.headers["location"].startswith("/login")
    assert 'href="/admin/sources"' not in client.get("/").text
