"""A parallel burst of wrong passwords for one account, against a real uvicorn server on 127.0.0.1.

Fault: BURST sign-ins with a wrong password, sent at once from BURST threads, each with its own sign-in form (cookie
and CSRF token). Invariants: at most MAX_FAILURES of them reach the password check (each one that does is a stored
sign-in attempt, and answers 401); every other one is refused with 429 and Retry-After; the right password is then
refused too, until the failures leave the window (moved back in the store), when it signs in.
"""
from __future__ import annotations

import re
import sqlite3
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from trucewatch.jobs.accounts import add_user
from trucewatch.jobs.auth import FAILURE_WINDOW, MAX_FAILURES
from trucewatch.settings import Settings
from trucewatch.storage import Database
from web.live import live_server

BURST = 60
NAME = "analyst"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A store with one analyst's account."""
    made = Settings(db=str(tmp_path / "burst.sqlite3"), secret_key="burst-secret-key-0123456789-abcdefghijkl",
                    evidence_dir=str(tmp_path / "evidence"))
    with Database.open(made.database_url) as db:
        add_user(db, NAME, "analyst", PASSWORD)
    return made


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 303 after signing in is the answer itself
        return None


def sign_in_form(url: str) -> tuple[urllib.request.OpenerDirector, str]:
    """A browser of its own: its cookies, and the sign-in form's CSRF token."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect)
    with opener.open(f"{url}/login", timeout=30) as page:
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
    return opener, token


def post_sign_in(opener: urllib.request.OpenerDirector, url: str, token: str, password: str) -> tuple[int, str]:
    body = urllib.parse.urlencode({"name": NAME, "password": password, "csrf_token": token}).encode()
    try:
        with opener.open(f"{url}/login", data=body, timeout=60) as answer:
            return answer.status, answer.headers.get("Retry-After", "")
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Retry-After", "")


def stored_attempts(settings: Settings) -> list[tuple[str, int]]:
    with sqlite3.connect(settings.db) as conn:
        return conn.execute("SELECT at, succeeded FROM login_attempts WHERE name = ?", (NAME,)).fetchall()


def test_a_parallel_burst_of_wrong_passwords_is_checked_at_most_the_limit(settings: Settings):
    with live_server(settings) as url:
        forms = [sign_in_form(url) for _ in range(BURST)]
        answers: list[tuple[int, str]] = []
        start = threading.Barrier(BURST)

        def attempt(opener: urllib.request.OpenerDirector, token: str) -> None:
            start.wait()
            answers.append(post_sign_in(opener, url, token, "not the password at all"))

        threads = [threading.Thread(target=attempt, args=form) for form in forms]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = Counter(status for status, _ in answers)
        checked = stored_attempts(settings)
        print(f"\nsign-in burst: {BURST} parallel wrong passwords -> {dict(statuses)}, "
              f"{len(checked)} reached the password check (limit {MAX_FAILURES})")
        assert len(answers) == BURST
        assert len(checked) <= MAX_FAILURES and statuses[401] == len(checked)
        assert statuses[429] == BURST - len(checked)
        assert all(int(wait) > 0 for status, wait in answers if status == 429)

        opener, token = sign_in_form(url)
        status, wait = post_sign_in(opener, url, token, PASSWORD)
        assert status == 429 and int(wait) > 0  # the right password waits too
        assert len(stored_attempts(settings)) == len(checked)

        with sqlite3.connect(settings.db) as conn:  # the window passes
            rows = conn.execute("SELECT attempt_id, at FROM login_attempts").fetchall()
            moved = [(_earlier(at, FAILURE_WINDOW + timedelta(minutes=1)), row_id) for row_id, at in rows]
            conn.executemany("UPDATE login_attempts SET at = ? WHERE attempt_id = ?", moved)
        opener, token = sign_in_form(url)
        assert post_sign_in(opener, url, token, PASSWORD)[0] == 303


def _earlier(stored: str, by: timedelta) -> str:
    return (datetime.fromisoformat(stored) - by).isoformat(sep=" ")
