"""Verification from the command line, and the exported bundle checked by its documented procedure alone:
`sha256sum -c MANIFEST` and `python3 verify_bundle.py` (run with -I -S: the standard library only, no trucewatch),
with a checkpoint both guarantors signed; a tampered bundle fails it. Users' writes are logged too."""
from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signing import key_file, known_key
from trucewatch.audit.checkpoint import generate_key
from trucewatch.cli.main import main
from trucewatch.jobs.auditing import add_key, make_checkpoint
from trucewatch.storage import Database

from .conftest import World

DOCUMENTED = ((Path(__file__).resolve().parents[2] / "docs" / "findings.md").read_text(encoding="utf-8")
              .split("<!-- bundle-check -->\n```bash\n", 1)[1].split("```", 1)[0])


@pytest.fixture
def cli(own_world: World, monkeypatch):
    monkeypatch.delenv("TRUCEWATCH_CONFIG", raising=False)
    monkeypatch.delenv("TRUCEWATCH_USER", raising=False)
    monkeypatch.setenv("TRUCEWATCH_DB", own_world.settings.db)
    monkeypatch.setenv("TRUCEWATCH_EVIDENCE_DIR", str(own_world.folder / "evidence"))
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(main, list(args))
        assert result.exit_code == code, (args, result.output)
        return result.output
    return run


def procedure(folder: Path) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    """The documented check: sha256sum -c MANIFEST, then verify_bundle.py with python's standard library only."""
    sums = subprocess.run(["sha256sum", "--quiet", "-c", "MANIFEST"], cwd=folder, capture_output=True, text=True,
                          check=False)
    script = subprocess.run([sys.executable, "-I", "-S", "verify_bundle.py"], cwd=folder, capture_output=True,
                            text=True, check=False)
    return sums, script


def checkpoint_file(world: World, folder: Path) -> Path:
    keys = []
    with Database.open(world.db_url) as db:
        for guarantor in ("QAT", "TUR"):
            key = folder / f"{guarantor.lower()}-1.key"
            generate_key(f"{guarantor.lower()}-1", guarantor, key)
            add_key(db, f"{guarantor.lower()}-1", guarantor, Path(f"{key}.pub"), "root")
            keys.append(key)
        made = make_checkpoint(db, keys, world.settings.audit_origin)
    path = folder / "checkpoint.txt"
    path.write_text(made.text(), encoding="utf-8")
    return path


def test_a_complaint_to_a_published_finding_from_the_command_line(cli, own_world: World):
    cid = own_world.complaints["AFG"]  # its finding is a draft in the world
    assert cid in cli("complaints", "list", "--as", "liaison-afg")
    assert cid not in cli("complaints", "list", "--as", "liaison-pak")
    assert "TW-E815" in cli("complaints", "show", cid, "--as", "liaison-pak", code=2)
    assert "finding drafted" in cli("complaints", "show", cid, "--as", "liaison-afg")
    assert "TW-E802" in cli("complaints", "transition", own_world.complaints["PAK"], "closed", "--as", "liaison-pak",
                            code=2)
    out = cli("complaints", "transition", own_world.complaints["PAK"], "closed", "--as", "mon-tur")
    assert out.strip().endswith("published -> closed by mon-tur")
    fid = own_world.findings["draft"]
    shown = cli("findings", "show", fid, "--as", "mon-qat")
    content_hash = next(line.split()[-1] for line in shown.splitlines() if line.startswith("content hash:"))
    assert "TW-E807" in cli("findings", "show", fid, code=2)  # the public: a draft is not found
    keys = {name: str(key_file(known_key(name), own_world.folder / f"{name}.key")) for name in ("mon-qat", "mon-tur")}
    stranger = str(key_file(Ed25519PrivateKey.generate(), own_world.folder / "stranger.key"))
    assert "TW-E832" in cli("findings", "sign", fid, "--hash", content_hash, "--key", stranger, code=2)
    assert "still to sign: TUR" in cli("findings", "sign", fid, "--hash", content_hash, "--key", keys["mon-qat"])
    assert "sealed" in cli("findings", "sign", fid, "--hash", content_hash, "--key", keys["mon-tur"])
    assert "published" in cli("findings", "publish", fid, "--as", "mon-qat")
    assert "published" in cli("findings", "show", fid)  # now the public reads it
    assert fid in cli("findings", "list")
    assert "version 2" in cli("findings", "amend", fid, "--grade", "weak", "--as", "mon-tur")
    assert "TW-E810" in cli("findings", "amend", fid, "--grade", "contested", "--as", "mon-tur", code=2)


def test_users_writes_are_in_the_audit_log(cli, own_world: World):
    assert cli("users", "role", "analyst", "--role", "monitor", "--guarantor", "TUR", "--by", "root") == \
        "analyst: analyst -> monitor (TUR)\n"
    cli("users", "disable", "analyst")
    with Database.open(own_world.db_url, upgrade=False) as db:
        entries = [e for e in db.audit_log.iter_entries() if e.action.startswith("user.")]
    assert [(e.action, e.subject) for e in entries if e.subject == "analyst"] == [
        ("user.add", "analyst"), ("user.role", "analyst"), ("user.disable", "analyst")]
    role = json.loads(next(e.payload for e in entries if e.action == "user.role"))
    assert role == {"role": "monitor", "party": None, "guarantor": "TUR",
                    "was": {"role": "analyst", "party": None, "guarantor": None}}
    assert len([e for e in entries if e.action == "user.add"]) == 6


def test_the_bundle_verifies_by_its_procedure_and_a_tampered_one_does_not(cli, own_world: World, tmp_path):
    fid = own_world.findings["published"]
    kept = checkpoint_file(own_world, tmp_path)
    out = tmp_path / "bundle"
    assert "TW-E840" in cli("findings", "export-bundle", fid, "-o", str(out), "--full", code=2)  # the public
    assert "proofs in the tree" in cli("findings", "export-bundle", fid, "-o", str(out), "--checkpoint", str(kept),
                                       "--full", "--as", "mon-qat")  # with the restricted evidence file
    assert sorted(p.name for p in out.iterdir()) == ["MANIFEST", "README.txt", "audit-proofs.json", "checkpoint.txt",
                                                     "evidence", "finding-record.json", "finding.json",
                                                     "verify_bundle.py", "withheld.json"]
    sums, script = procedure(out)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    assert script.returncode == 0 and script.stdout.startswith(f"verified: finding {fid}"), script.stdout
    assert "signed for QAT and TUR, published" in script.stdout
    record = json.loads((out / "finding-record.json").read_text(encoding="utf-8"))
    assert hashlib.sha256((out / "finding.json").read_bytes()).hexdigest() == record["content_hash"]
    documented = tmp_path / "as-documented"
    shutil.copytree(out, documented)
    (tmp_path / "trusted-keys").write_text("".join(k.read_text(encoding="utf-8") for k in tmp_path.glob("*.pub")),
                                           encoding="utf-8")
    ran = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", DOCUMENTED], cwd=documented, capture_output=True,
                         text=True, check=False)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "verified: finding" in ran.stdout
    assert {"QAT: Signature Verified Successfully", "TUR: Signature Verified Successfully"} <= \
        set(ran.stdout.splitlines())
    for name, change in TAMPERING.items():
        copy = tmp_path / f"tampered-{name}"
        shutil.copytree(out, copy)
        change(copy)
        sums, script = procedure(copy)
        assert script.returncode == 1 and "FAILED" in script.stdout, (name, script.stdout)
        assert (sums.returncode != 0) == (name == "an evidence file"), (name, sums.stdout)


def test_the_api_bundle_has_no_checkpoint_and_says_so(own_client, own_world: World, tmp_path):
    fid = own_world.findings["published"]
    answer = own_client.get(f"/api/v1/findings/{fid}/bundle")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(answer.content)).extractall(tmp_path)
    folder = tmp_path / f"bundle-{fid}"
    sums, script = procedure(folder)
    assert sums.returncode == 0 and script.returncode == 0, script.stdout
    assert "no checkpoint.txt" in script.stdout and "export the bundle again" in (folder / "README.txt").read_text()
    draft = own_client.get(f"/api/v1/findings/{own_world.findings['draft']}/bundle", headers=own_world.auth("admin"))
    zipfile.ZipFile(io.BytesIO(draft.content)).extractall(tmp_path)
    sums, script = procedure(tmp_path / f"bundle-{own_world.findings['draft']}")
    assert script.returncode == 1 and "not signed by a monitor of each guarantor" in script.stdout


def _rewrite(folder: Path, name: str, edit: Callable[[str], str]) -> None:
    """Edit a file and make MANIFEST anew, as a forger would."""
    path = folder / name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    lines = []
    for line in (folder / "MANIFEST").read_text(encoding="utf-8").splitlines():
        file = line.split("  ", 1)[1]
        lines.append(f"{hashlib.sha256((folder / file).read_bytes()).hexdigest()}  {file}")
    (folder / "MANIFEST").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _evidence(folder: Path) -> None:
    path = next((folder / "evidence").iterdir())
    path.write_bytes(path.read_bytes() + b"x")


def _later_checkpoint(text: str) -> str:
    lines = text.split("\n")
    lines[1] = str(int(lines[1]) + 1)
    return "\n".join(lines)


TAMPERING: dict[str, Callable[[Path], None]] = {
    "an evidence file": _evidence,
    "finding.json": lambda f: _rewrite(f, "finding.json", lambda t: t.replace('"grade":"fair"', '"grade":"confirmed"')),
    "a signature entry": lambda f: _rewrite(f, "audit-proofs.json", lambda t: t.replace('\\"TUR\\"', '\\"QAT\\"')),
    "the checkpoint": lambda f: _rewrite(f, "checkpoint.txt", _later_checkpoint),
}
