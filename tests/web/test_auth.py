"""Signing in and out, sessions, CSRF, the sign-in rate limit, API tokens and their revocation."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from trucewatch.errors import WebError
from trucewatch.jobs import auth
from trucewatch.jobs.accounts import disable_user, revoke_token
from trucewatch.web.app import create_app

from .conftest import PASSWORD, World


def login_token(client: TestClient) -> str:
    page = client.get("/login")
    assert page.status_code == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def sign_in(client: TestClient, name: str = "root", password: str = PASSWORD):
    return client.post("/login", data={"name": name, "password": password, "csrf_token": login_token(client)},
                       follow_redirects=False)


def session_csrf(client: TestClient) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)


def test_signing_in_sets_a_session_cookie_that_is_httponly_and_samesite_lax(own_client):
    answer = sign_in(own_client)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("tw_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert own_client.get("/api/v1/me").json()["data"] == {"name": "root", "role": "admin", "party": None,
                                                          "guarantor": None}
    assert "root" in own_client.get("/").text and "Sign out" in own_client.get("/").text


def test_cookies_are_secure_over_https_or_when_the_setting_says_so(own_world):
    with TestClient(create_app(own_world.settings), base_url="https://testserver") as client:
        cookie = sign_in(client).headers["set-cookie"]
        assert "Secure" in cookie
    with TestClient(create_app(replace(own_world.settings, cookie_secure=True))) as client:
        assert "Secure" in client.get("/login").headers["set-cookie"]


def test_a_wrong_password_shows_the_form_again_with_401(own_client):
    answer = sign_in(own_client, password="not the password at all")
    assert answer.status_code == 401
    assert "TW-E611" in answer.text and "wrong user name or password" in answer.text
    assert own_client.get("/api/v1/me").status_code == 401


def test_an_unknown_user_and_a_wrong_password_read_the_same(own_client):
    unknown = sign_in(own_client, name="nobody-here", password="whatever whatever")
    wrong = sign_in(own_client, name="root", password="whatever whatever")
    assert unknown.status_code == wrong.status_code == 401
    assert re.search(r'class="error">([^<]*)<', unknown.text).group(1) == \
        re.search(r'class="error">([^<]*)<', wrong.text).group(1)


def test_the_sign_in_form_needs_its_csrf_token(own_client):
    own_client.get("/login")
    missing = own_client.post("/login", data={"name": "root", "password": PASSWORD})
    forged = own_client.post("/login", data={"name": "root", "password": PASSWORD, "csrf_token": "0" * 64})
    assert missing.status_code == forged.status_code == 403
    assert "TW-E614" in missing.text and "TW-E614" in forged.text


def test_a_sign_in_token_from_another_browser_does_not_work(own_world):
    with TestClient(create_app(own_world.settings)) as one, TestClient(create_app(own_world.settings)) as other:
        token = login_token(one)
        other.get("/login")
        answer = other.post("/login", data={"name": "root", "password": PASSWORD, "csrf_token": token})
        assert answer.status_code == 403


def test_signing_out_needs_the_session_csrf_token_and_ends_the_session(own_client):
    sign_in(own_client)
    refused = own_client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403 and "TW-E614" in refused.text
    assert own_client.get("/api/v1/me").status_code == 200
    done = own_client.post("/logout", data={"csrf_token": session_csrf(own_client)}, follow_redirects=False)
    assert done.status_code == 303
    assert own_client.get("/api/v1/me").status_code == 401


def test_an_ended_session_cookie_is_worth_nothing(own_client):
    sign_in(own_client)
    cookie = own_client.cookies.get("tw_session")
    own_client.post("/logout", data={"csrf_token": session_csrf(own_client)})
    own_client.cookies.set("tw_session", cookie)
    assert own_client.get("/api/v1/me").status_code == 401


def test_api_posts_on_a_session_cookie_need_the_csrf_header(own_client, own_world):
    sign_in(own_client, name="liaison-pak")
    form = {"text": "Shelling near Chaman"}
    refused = own_client.post("/api/v1/complaints", data=form)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "TW-E614"
    done = own_client.post("/api/v1/complaints", data=form, headers={"X-CSRF-Token": session_csrf(own_client)})
    assert done.status_code == 201 and done.json()["data"]["party"] == "PAK"


def test_bearer_requests_need_no_csrf_token(own_client, own_world):
    answer = own_client.post("/api/v1/complaints", data={"text": "Drone over Kurram"},
                             headers=own_world.auth("liaison AFG"))
    assert answer.status_code == 201 and answer.json()["data"]["party"] == "AFG"


def test_five_failures_for_a_name_lock_it_for_a_while_with_429_and_retry_after(own_client):
    for _ in range(auth.MAX_FAILURES):
        assert sign_in(own_client, password="wrong password wrong").status_code == 401
    locked = sign_in(own_client)  # even the right password: it is not even checked
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= auth.FAILURE_WINDOW.total_seconds() + 1
    assert "TW-E615" in locked.text
    assert own_client.get("/api/v1/me").status_code == 401


def test_five_failures_from_one_address_lock_that_address(own_client):
    for n in range(auth.MAX_FAILURES):
        assert sign_in(own_client, name=f"guess-{n}", password="wrong password wrong").status_code == 401
    assert sign_in(own_client, name="analyst").status_code == 429


def test_the_lock_lifts_when_the_failures_leave_the_window(own_world):
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    with own_world.open() as db:
        store = db.workplace
        for minute in range(auth.MAX_FAILURES):
            store.add_login_attempt("analyst", "10.0.0.9", now + timedelta(minutes=minute), False)
        later = now + timedelta(minutes=auth.MAX_FAILURES)
        assert auth.retry_after(store, "analyst", "10.0.0.1", later) == 10 * 60 + 1
        with pytest.raises(WebError, match="TW-E615"):
            auth.sign_in(store, "analyst", PASSWORD, "10.0.0.1", later)
        free = now + auth.FAILURE_WINDOW + timedelta(seconds=1)
        assert auth.retry_after(store, "analyst", "10.0.0.1", free) is None
        store.add_login_attempt("analyst", "10.0.0.9", now - auth.ATTEMPTS_KEPT, False)
        assert auth.sign_in(store, "analyst", PASSWORD, "10.0.0.1", free).name == "analyst"
        kept = store.failures_since(now - 2 * auth.ATTEMPTS_KEPT, name="analyst")
        assert kept and min(kept) == now  # a successful sign-in drops attempts older than ATTEMPTS_KEPT


def test_a_revoked_token_stops_working_at_once(own_client, own_world):
    headers = own_world.auth("monitor TUR")
    assert own_client.get("/api/v1/me", headers=headers).status_code == 200
    token_id = own_world.tokens["monitor TUR"].removeprefix("tw_").split(".")[0]
    with own_world.open() as db:
        assert revoke_token(db, token_id).revoked_at is not None
    refused = own_client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "TW-E612"
    assert refused.headers["www-authenticate"].startswith("Bearer")
    # a revoked token is refused even where the public is welcome: the caller should know
    assert own_client.get("/api/v1/incidents", headers=headers).status_code == 401


def test_a_disabled_user_is_nobody(own_client, own_world):
    sign_in(own_client, name="analyst")
    assert own_client.get("/api/v1/me").status_code == 200
    with own_world.open() as db:
        disable_user(db, "analyst")
    assert own_client.get("/api/v1/me").status_code == 401
    assert own_client.get("/api/v1/me", headers=own_world.auth("analyst")).status_code == 401
    assert sign_in(own_client, name="analyst").status_code == 401


@pytest.mark.parametrize("header", ["Basic cm9vdDpyb290", "Bearer", "Bearer tw_nothing.nothing", "tw_x.y",
                                    "Bearer " + "x" * 500])
def test_a_malformed_or_unknown_token_is_refused(client, header):
    answer = client.get("/api/v1/me", headers={"Authorization": header})
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "TW-E612"


def test_a_tampered_token_secret_is_refused(client, world: World):
    token = world.tokens["admin"]
    answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token[:-2]}xx"})
    assert answer.status_code == 401


def test_passwords_are_argon2_hashes_and_short_ones_are_refused():
    hashed = auth.hash_password("a long enough password")
    assert hashed.startswith("$argon2id$")
    assert auth.verify_password(hashed, "a long enough password")
    assert not auth.verify_password(hashed, "a long enough passworD")
    assert not auth.verify_password("not a hash", "anything")
    with pytest.raises(WebError, match="TW-E605.*shorter than 12"):
        auth.hash_password("short")
    with pytest.raises(WebError, match="TW-E605.*white space"):
        auth.hash_password("a long enough password\n")


def test_the_store_keeps_only_hashes_of_sessions_and_tokens(own_client, own_world):
    sign_in(own_client)
    cookie = own_client.cookies.get("tw_session")
    raw = own_world.stored_bytes()  # SQLite: the file with its WAL; PostgreSQL: every row
    assert cookie.encode() not in raw
    assert own_world.tokens["admin"].split(".")[1].encode() not in raw
    assert PASSWORD.encode() not in raw
