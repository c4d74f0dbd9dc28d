"""`trucewatch serve`: a real uvicorn server on a free loopback port, reached over HTTP; and its refusal to start
without a secret key."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from trucewatch.cli.main import main

from .conftest import PASSWORD, World

START_SECONDS = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=[1, 2], ids=["one-worker", "two-workers"])
def server(own_world: World, request: pytest.FixtureRequest) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`trucewatch serve --dev` over a copy of the world, as a process of its own (with one worker, and with two that
    must share the --dev secret key and the database); its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUCEWATCH_")}
    env["TRUCEWATCH_EVIDENCE_DIR"] = str(own_world.folder / "evidence")
    process = subprocess.Popen(
        [sys.executable, "-c", "from trucewatch.cli.main import main; main()", "serve", "--dev", "--port", str(port),
         "--workers", str(request.param), "--db", own_world.settings.db],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                urllib.request.urlopen(base + "/openapi.json", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the server did not start: {process.communicate()[0]}") from None
                time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def test_the_workplace_over_real_http(server, own_world: World):
    base, _ = server
    with urllib.request.urlopen(base + "/api/v1/incidents?limit=1", timeout=5) as answer:
        body = json.load(answer)
    assert body["data"][0]["incident_id"] == own_world.incidents[0] and body["next"]
    request = urllib.request.Request(base + "/api/v1/me", headers=own_world.auth("monitor QAT"))
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert json.load(answer)["data"]["guarantor"] == "QAT"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(base + "/api/v1/complaints", timeout=5)
    assert refused.value.code == 401 and json.load(refused.value)["error"]["code"] == "TW-E610"


def test_signing_in_with_a_browser_over_real_http(server):
    base, _ = server
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = browser.open(base + "/login", timeout=5).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"name": "liaison-afg", "password": PASSWORD, "csrf_token": token}).encode()
    home = browser.open(base + "/login", data=data, timeout=5)  # 303 to the home page, followed
    assert home.geturl() == base + "/" and "liaison officer (AFG)" in home.read().decode()
    for _ in range(6):  # with two workers, some of these reach the worker that did not sign the cookie
        with browser.open(base + "/api/v1/complaints", timeout=5) as answer:
            assert {c["party"] for c in json.load(answer)["data"]} == {"AFG"}


def test_serve_refuses_to_start_without_a_secret_key_and_says_how_to_make_one(world: World, monkeypatch):
    monkeypatch.delenv("TRUCEWATCH_SECRET_KEY", raising=False)
    monkeypatch.delenv("TRUCEWATCH_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["serve", "--db", world.settings.db])
    assert result.exit_code == 2
    assert "TW-E601" in result.output and "secrets.token_urlsafe" in result.output and "--dev" in result.output


def test_serve_refuses_a_store_that_needs_an_upgrade(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUCEWATCH_SECRET_KEY", "s" * 40)
    monkeypatch.delenv("TRUCEWATCH_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "none.sqlite3")])
    assert result.exit_code == 2 and "TW-E201" in result.output
