"""Signing findings in the browser with a key the server never sees: a monitor of each guarantor makes an Ed25519 key
in their browser (WebCrypto, not extractable, kept in IndexedDB), registers its public half, and signs a draft by
clicking; the finding is sealed, each stored signature verifies with `cryptography` against the registered public
key, and no request carried more than a 32-byte public key and a 64-byte signature. Then it is published through
its confirmation page. A key file made by `trucewatch findings keys generate` is used in the browser the same way.

Screenshots of the keys page, the finding before and after signing and the publish confirmation go to the test's
folder, or to the folder TRUCEWATCH_SCREENSHOTS names (`TRUCEWATCH_SCREENSHOTS=docs/screenshots` renews the ones kept
in the repository).
"""
from __future__ import annotations

import base64
import os
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from playwright.sync_api import expect

from trucewatch.casework.findings import signed_message
from trucewatch.cli.main import main
from trucewatch.jobs import casework, monitor_keys
from trucewatch.jobs.accounts import add_user
from trucewatch.jobs.casework import Desk, Draft

from .conftest import PASSWORD, Site, shoot, sign_in

pytestmark = pytest.mark.browser
PUBLIC_KEY_BYTES, SIGNATURE_BYTES = 32, 64
# how the page holds the key: a CryptoKey that cannot be exported, in this site's IndexedDB
HELD_KEY = """async (user) => {
  const asked = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r); });
  const db = await asked(indexedDB.open("trucewatch-signing", 1));
  const record = await asked(db.transaction("keys").objectStore("keys").get(user));
  db.close();
  const refused = [];
  for (const format of ["pkcs8", "jwk", "raw"]) {
    try { await crypto.subtle.exportKey(format, record.privateKey); } catch (e) { refused.push(e.name); }
  }
  return {name: record.name, extractable: record.privateKey.extractable, type: record.privateKey.type, refused};
}"""


def draft_on_site(site: Site) -> str:
    """A TUR monitor joins the site; a QAT monitor drafts a finding on PAK's complaint and the contested incident,
    citing a report (through the jobs)."""
    with site.open() as db:
        add_user(db, "mon-tur", "monitor", PASSWORD, guarantor="TUR")
        desk = Desk.over(db, site.settings)
        qat = casework.acting_user(desk, "mon-qat")
        cited = db.reports.events_of_incident(site.contested)[0].report_id  # its text: withheld from the public
        casework.move_complaint(desk, qat, site.complaints["PAK"], "under review")
        made = casework.draft_finding(desk, qat, Draft(
            complaint_ids=(site.complaints["PAK"],), agreement_id="doha-2025-10-19",
            commitment_id="no-cross-border-attacks", grade="fair", attribution="not attributable",
            reasoning="Two outlets describe shelling near the Chaman post that night; neither names who fired.",
            incident_ids=(site.contested,), reports=(cited,)))
    return made.finding_id


def record_posts(page) -> list[tuple[str, bytes]]:
    posts: list[tuple[str, bytes]] = []
    page.on("request", lambda r: posts.append((r.url, r.post_data_buffer or b"")) if r.method == "POST" else None)
    return posts


def make_browser_key(page, site: Site, finding_id: str, name: str) -> None:
    """From the finding's page, to the keys page; make a key in the browser and register it."""
    page.goto(f"{site.url}/findings/{finding_id}")
    page.click("text=Your signing keys")
    page.wait_for_url(f"{site.url}/account/keys")
    expect(page.locator("#browser-key")).to_contain_text("holds no signing key")
    page.fill("#new-key-name", name)
    page.click("#make-key")
    expect(page.locator("#browser-key")).to_contain_text(f"holds your active key {name}")
    expect(page.locator("#registered-keys")).to_contain_text(f"{name} (active)")


def sign_by_click(page, site: Site, finding_id: str, key: str) -> None:
    page.goto(f"{site.url}/findings/{finding_id}")
    expect(page.locator("#sign-status")).to_contain_text(f"Key in this browser: {key}")
    page.click("#sign-button")
    expect(page.locator("#signed-by")).to_contain_text(key)  # the page after the form went
    expect(page.locator("#sign-form")).to_have_count(0)


def assert_nothing_secret_sent(posts: list[tuple[str, bytes]]) -> None:
    """Every POST body: form fields, none longer than a content hash, a session token or a name; a public key
    decodes to 32 bytes and a signature to 64, nothing else holds key material."""
    assert posts
    for url, body in posts:
        fields = parse_qsl(body.decode("ascii"), strict_parsing=True)
        for name, value in fields:
            if name == "public_key":
                assert len(base64.b64decode(value, validate=True)) == PUBLIC_KEY_BYTES, url
            elif name == "signature":
                assert len(base64.b64decode(value, validate=True)) == SIGNATURE_BYTES, url
            else:
                assert name in {"csrf_token", "name", "password", "key_name", "content_hash", "confirm"}, (url, name)
                assert len(value) <= 64, (url, name)


def assert_signatures_verify(site: Site, finding_id: str) -> None:
    with site.open() as db:
        desk = Desk.over(db, site.settings)
        finding = desk.cases.finding(finding_id)
        keys = {k.name: k for k in monitor_keys.all_keys(desk)}
    assert finding is not None and finding.sealed
    assert {s.guarantor for s in finding.signatures} == {"QAT", "TUR"}
    for s in finding.signatures:
        Ed25519PublicKey.from_public_bytes(keys[s.key_name].public_key).verify(
            base64.b64decode(s.signature), signed_message(finding.content_hash))  # raises if it does not verify
        assert keys[s.key_name].user == s.signer


def test_two_guarantors_sign_in_their_browsers_and_the_finding_is_sealed_then_published(
        own_site, chromium, page, tmp_path, capsys):
    finding_id = draft_on_site(own_site)
    shots = Path(os.environ.get("TRUCEWATCH_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    posts = record_posts(page)
    sign_in(page, own_site, "mon-qat")
    make_browser_key(page, own_site, finding_id, "mon-qat-browser")
    held = page.evaluate(HELD_KEY, "mon-qat")
    assert held == {"name": "mon-qat-browser", "extractable": False, "type": "private",
                    "refused": ["InvalidAccessError"] * 3}
    shoot(page, shots, "keys-page", capsys, full=False)
    page.goto(f"{own_site.url}/findings/{finding_id}")
    expect(page.locator("#sign-status")).to_contain_text("mon-qat-browser")
    shoot(page, shots, "finding-before-signing", capsys, full=False)
    sign_by_click(page, own_site, finding_id, "mon-qat-browser")
    assert "signed for QAT, waiting for TUR" in page.inner_text("main")

    tur = chromium.new_context(viewport={"width": 1400, "height": 900})  # another monitor, another browser
    try:
        tur_page = tur.new_page()
        posts += record_posts(tur_page)
        sign_in(tur_page, own_site, "mon-tur")
        make_browser_key(tur_page, own_site, finding_id, "mon-tur-browser")
        sign_by_click(tur_page, own_site, finding_id, "mon-tur-browser")
        assert "Sealed: signed by a monitor of each guarantor" in tur_page.inner_text("main")
        shoot(tur_page, shots, "finding-after-signing", capsys)
        assert_signatures_verify(own_site, finding_id)
        tur_page.click("text=Publish…")
        tur_page.wait_for_url(f"{own_site.url}/findings/{finding_id}/publish")
        assert "This will become public" in tur_page.inner_text("main")
        expect(tur_page.locator("#withheld-files")).to_contain_text("a report's text")
        shoot(tur_page, shots, "publish-confirmation", capsys)
        tur_page.click("#publish-button")
        tur_page.wait_for_url(f"{own_site.url}/findings/{finding_id}")
        assert "Published" in tur_page.inner_text("main")
    finally:
        tur.close()
    assert_nothing_secret_sent(posts)
    assert not page.errors and not page.dialogs


def test_a_key_file_made_by_the_command_line_signs_in_the_browser(own_site, page, tmp_path, capsys):
    finding_id = draft_on_site(own_site)
    key_file = tmp_path / "mon-qat-key.pem"
    made = CliRunner().invoke(main, ["findings", "keys", "generate", "mon-qat-laptop", "-o", str(key_file)])
    assert made.exit_code == 0, made.output
    pem = key_file.read_text(encoding="ascii")
    secret = "".join(pem.strip().splitlines()[1:-1])  # the PEM's base64 body
    posts = record_posts(page)
    sign_in(page, own_site, "mon-qat")
    page.goto(f"{own_site.url}/account/keys")
    expect(page.locator("#browser-key")).to_contain_text("holds no signing key")
    page.set_input_files("#key-file", str(key_file))
    page.fill("#import-key-name", "mon-qat-laptop")
    page.click("#import-key")
    expect(page.locator("#browser-key")).to_contain_text("holds your active key mon-qat-laptop")
    held = page.evaluate(HELD_KEY, "mon-qat")
    assert held["extractable"] is False and held["refused"] == ["InvalidAccessError"] * 3
    with own_site.open() as db:
        [key] = monitor_keys.keys_of(Desk.over(db, own_site.settings), "mon-qat")
    assert f"{key.name}+" in (tmp_path / "mon-qat-key.pem.pub").read_text() and key.name == "mon-qat-laptop"
    sign_by_click(page, own_site, finding_id, "mon-qat-laptop")
    with own_site.open() as db:
        finding = Desk.over(db, own_site.settings).cases.finding(finding_id)
    [signature] = finding.signatures
    Ed25519PublicKey.from_public_bytes(key.public_key).verify(base64.b64decode(signature.signature),
                                                              signed_message(finding.content_hash))
    assert all(secret not in body.decode("ascii") for _url, body in posts)  # the file was read, never sent
    assert_nothing_secret_sent(posts)
    assert not page.errors


def test_without_ed25519_in_the_browser_the_pages_say_so_and_a_signature_made_by_the_cli_is_pasted(
        own_site, page, tmp_path):
    finding_id = draft_on_site(own_site)
    page.add_init_script("crypto.subtle.generateKey = () => Promise.reject("
                         "new DOMException('Unrecognized algorithm name', 'NotSupportedError'));")
    key_file = tmp_path / "mon-qat-key.pem"
    made = CliRunner().invoke(main, ["findings", "keys", "generate", "mon-qat-cli", "-o", str(key_file)])
    assert made.exit_code == 0, made.output
    sign_in(page, own_site, "mon-qat")
    page.goto(f"{own_site.url}/account/keys")
    expect(page.locator("#no-ed25519")).to_be_visible()
    expect(page.locator("#key-ways")).to_be_hidden()
    expect(page.locator("#cli-way")).to_contain_text("trucewatch findings keys generate")
    page.fill("#register-form input[name=public_key]", (tmp_path / "mon-qat-key.pem.pub").read_text().strip())
    page.click("#register-form button[type=submit]")
    expect(page.locator("#registered-keys")).to_contain_text("mon-qat-cli (active)")

    page.goto(f"{own_site.url}/findings/{finding_id}")
    expect(page.locator("#sign-status")).to_contain_text("cannot sign with Ed25519")
    page.click("#paste-signature summary")
    command = page.inner_text("#sign-command").split()
    assert command[:5] == ["trucewatch", "findings", "sign", finding_id, "--key"]
    printed = CliRunner().invoke(main, [*command[1:5], str(key_file), *command[6:]])  # FILE: the key file
    assert printed.exit_code == 0, printed.output
    assert page.input_value("#paste-signature input[name=key_name]") == "mon-qat-cli"
    page.fill("#paste-signature textarea[name=signature]", printed.output.strip())
    page.click("#paste-signature button[type=submit]")
    expect(page.locator("#signed-by")).to_contain_text("mon-qat-cli")
    expect(page.locator("#signed-by")).to_contain_text("verifies with the key")
    assert not page.errors
