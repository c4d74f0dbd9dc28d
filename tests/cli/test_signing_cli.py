"""Signing from the command line as a guarantor's monitor: a key pair made on the monitor's machine (no database),
its public half registered with the monitor's password, a finding signed with the private key file — there is no
`--as` to sign as someone else, and a wrong password registers nothing."""
from __future__ import annotations

import base64
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from trucewatch.casework.findings import signed_message
from trucewatch.cli.main import main
from trucewatch.demo import example_agreements_path
from trucewatch.jobs import agreements, casework
from trucewatch.jobs.accounts import add_user, new_token
from trucewatch.jobs.casework import Desk, Draft
from trucewatch.records import Complaint
from trucewatch.settings import Settings, database_url
from trucewatch.storage import Database
from web.live import live_server  # the web tests' loopback server (tests/ is on the path: tests/conftest.py)

PASSWORD = "a long enough password"


@pytest.fixture
def draft(runner, tmp_path: Path) -> str:
    """Two monitors, a liaison officer and a finding drafted on a complaint under review; its id."""
    with Database.open(database_url(runner.env["TRUCEWATCH_DB"])) as db:
        agreements.load_agreements(db, example_agreements_path())
        for name, role, party, guarantor in (("ana", "monitor", None, "QAT"), ("murat", "monitor", None, "TUR"),
                                             ("faisal", "liaison", "PAK", None)):
            add_user(db, name, role, PASSWORD, party=party, guarantor=guarantor, by="admin")
        desk = Desk(db, tmp_path / "evidence", 1 << 20, ("PAK", "AFG"))
        ana, faisal = casework.acting_user(desk, "ana"), casework.acting_user(desk, "faisal")
        casework.file_complaint(desk, faisal, Complaint("cmp-1", "PAK", "PAK: shelling of a border post", "faisal",
                                                        datetime.now(UTC)))
        casework.move_complaint(desk, ana, "cmp-1", "under review")
        return casework.draft_finding(desk, ana, Draft(("cmp-1",), "doha-2025-10-19", "no-cross-border-attacks",
                                                       "fair", "not attributable", "What was found.")).finding_id


def run(runner, *args: str, stdin: str | None = None, code: int = 0):
    result = runner.invoke(main, list(args), input=stdin)
    assert result.exit_code == code, (args, result.output)
    return result


def test_generate_writes_a_private_key_for_this_machine_and_a_verifier_key(runner, tmp_path: Path):
    key = tmp_path / "ana.key"
    made = run(runner, "findings", "keys", "generate", "ana-2026", "-o", str(key))
    verifier = (tmp_path / "ana.key.pub").read_text().strip()
    assert made.stdout.strip() == verifier and verifier.startswith("ana-2026+")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and b"PRIVATE KEY" in key.read_bytes()
    again = run(runner, "findings", "keys", "generate", "ana-2026", "-o", str(key), code=2)
    assert "TW-E836" in again.stderr and "never overwritten" in again.stderr
    assert "TW-E830" in run(runner, "findings", "keys", "generate", "ana+1", "-o", str(tmp_path / "x"), code=2).stderr
    assert not Path(runner.env["TRUCEWATCH_DB"]).exists()  # offline: no database was opened


def test_register_with_the_password_then_sign_with_the_key_file(runner, draft: str, tmp_path: Path):
    for name in ("ana", "murat"):
        run(runner, "findings", "keys", "generate", f"{name}-2026", "-o", str(tmp_path / f"{name}.key"))
    ana_pub = str(tmp_path / "ana.key.pub")
    wrong = run(runner, "findings", "keys", "register", "--public", ana_pub, "--as", "ana", "--password-stdin",
                stdin="not her password\n", code=2)
    assert "TW-E611" in wrong.stderr
    other = run(runner, "findings", "keys", "register", "--public", ana_pub, "--as", "faisal", "--password-stdin",
                stdin=PASSWORD + "\n", code=2)
    assert "TW-E836" in other.stderr and "only a guarantor monitor" in other.stderr
    assert "ana-2026" not in run(runner, "findings", "keys", "list").stdout
    run(runner, "findings", "keys", "register", "--public", ana_pub, "--as", "ana", stdin=PASSWORD + "\n")  # prompt
    run(runner, "findings", "keys", "register", "--public", str(tmp_path / "murat.key.pub"), "--as", "murat",
        "--password-stdin", stdin=PASSWORD + "\n")
    listed = run(runner, "findings", "keys", "list").stdout
    assert "QAT ana-2026+" in listed and "TUR murat-2026+" in listed and "active" in listed
    shown = run(runner, "findings", "show", draft, "--as", "ana").stdout
    content_hash = next(line.split()[-1] for line in shown.splitlines() if line.startswith("content hash:"))
    assert "--as" not in run(runner, "findings", "sign", "--help").stdout
    stale = run(runner, "findings", "sign", draft, "--key", str(tmp_path / "ana.key"), "--hash", "0" * 64, code=2)
    assert "TW-E808" in stale.stderr
    printed = run(runner, "findings", "sign", draft, "--key", str(tmp_path / "ana.key"), "--print").stdout.strip()
    raw = base64.b64decode((tmp_path / "ana.key.pub").read_text().strip().split("+", 2)[2])[1:]
    Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(printed), signed_message(content_hash))
    signed = run(runner, "findings", "sign", draft, "--key", str(tmp_path / "ana.key"), "--hash", content_hash)
    assert "signed" in signed.stdout and "as ana with key ana-2026: still to sign: TUR" in signed.stdout
    assert content_hash in signed.stderr  # the hash is shown before signing
    twice = run(runner, "findings", "sign", draft, "--key", str(tmp_path / "ana.key"), code=2)
    assert "TW-E835" in twice.stderr
    sealed = run(runner, "findings", "sign", draft, "--key", str(tmp_path / "murat.key"))
    assert "as murat with key murat-2026: sealed" in sealed.stdout
    revoked = run(runner, "findings", "keys", "revoke", "ana-2026", "--reason", "laptop lost", "--as", "ana",
                  "--password-stdin", stdin=PASSWORD + "\n")
    assert "revoked ana-2026 of ana" in revoked.stdout
    assert "revoked" in run(runner, "findings", "keys", "list").stdout
    assert run(runner, "audit", "verify").exit_code == 0


def test_users_token_without_a_password_is_refused(runner):
    run(runner, "users", "add", "ana", "--role", "monitor", "--guarantor", "QAT", "--password-stdin",
        stdin=PASSWORD + "\n")
    refused = run(runner, "users", "token", "ana", stdin="\n", code=2)
    assert "TW-E838" in refused.stderr and "tw_" not in refused.stdout
    made = run(runner, "users", "token", "ana", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.stdout.startswith("tw_")


def test_sign_on_the_monitors_machine_and_upload_through_the_servers_api(runner, draft: str, tmp_path: Path):
    """`findings sign --server URL`: the private key stays on this machine; only the signature reaches the server,
    which stores it as the key holder's (a real uvicorn on 127.0.0.1, the monitor's API token)."""
    run(runner, "findings", "keys", "generate", "ana-laptop", "-o", str(tmp_path / "ana.key"))
    run(runner, "findings", "keys", "register", "--public", str(tmp_path / "ana.key.pub"), "--as", "ana",
        "--password-stdin", stdin=PASSWORD + "\n")
    with Database.open(database_url(runner.env["TRUCEWATCH_DB"])) as db:
        _, token = new_token(db, "ana")
    settings = Settings(db=runner.env["TRUCEWATCH_DB"], secret_key="cli-server-test-secret-0123456789abcdef",
                        evidence_dir=str(tmp_path / "evidence"))
    with live_server(settings) as url:
        refused = run(runner, "findings", "sign", draft, "--key", str(tmp_path / "ana.key"), "--server", url, code=2)
        assert "TRUCEWATCH_TOKEN" in refused.stderr  # no token, nothing sent
        token_file = tmp_path / "token"
        token_file.write_text(token + "\n")
        signed = run(runner, "findings", "sign", draft, "--key", str(tmp_path / "ana.key"), "--server", url,
                     "--token-file", str(token_file))
        assert "ana-laptop" in signed.stdout
        twice = run(runner, "findings", "sign", draft, "--key", str(tmp_path / "ana.key"), "--server", url,
                    "--token-file", str(token_file), code=2)
        assert "TW-E839" in twice.stderr  # the server's refusal, told
    with Database.open(database_url(runner.env["TRUCEWATCH_DB"])) as db:
        finding = Desk(db, tmp_path / "evidence", 1 << 20, ("PAK", "AFG")).cases.finding(draft)
    [signature] = finding.signatures
    assert (signature.signer, signature.guarantor, signature.key_name) == ("ana", "QAT", "ana-laptop")
    raw = base64.b64decode((tmp_path / "ana.key.pub").read_text().strip().split("+", 2)[2])[1:]
    Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(signature.signature),
                                                   signed_message(finding.content_hash))
