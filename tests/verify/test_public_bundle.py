"""The bundle the public gets of a published finding that cites a file its party marked public, one it kept
restricted and a report: it carries the public file only, lists the other two in withheld.json (and
finding-record.json), and `python3 verify_bundle.py` (the standard library alone, in a subprocess) still checks
every cited SHA-256 and both guarantors' Ed25519 signatures against the monitor keys registered in the log: an
edited signature, a swapped key or a key missing from `--keys FILE` fails it. A monitor's full bundle carries all."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from built_log import ORIGIN, Log, copy_database
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sealed_world import draft_on_new_complaint

from signing import monitor_key, raw_public, sign_with
from trucewatch.audit.log import now_utc
from trucewatch.casework.bundle import REPORT_TEXT, RESTRICTED, write_bundle
from trucewatch.casework.findings import signed_message
from trucewatch.errors import FindingError
from trucewatch.jobs import casework
from trucewatch.jobs.accounts import add_user
from trucewatch.jobs.auditing import make_checkpoint
from trucewatch.jobs.bundles import checked_checkpoint, make_bundle
from trucewatch.jobs.casework import Desk, Draft
from trucewatch.records import Complaint, Evidence, FindingSignature
from trucewatch.settings import Settings
from trucewatch.storage import Database, evidence as evidence_files
from trucewatch.storage.audit_log import recorder

PUBLIC_FILE = b"A photo the party agreed to publish: the crater beside the border post.\n"
RESTRICTED_FILE = b"A witness statement, names included: for the monitors only.\n"
REPORT = "audit-02"


@dataclass(frozen=True)
class World:
    folder: Path
    settings: Settings
    finding_id: str
    report_text: bytes
    keys: dict[str, Ed25519PrivateKey]  # guarantor -> the monitor's private key
    key_names: dict[str, str]

    def sha(self, data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


def received(desk: Desk, data: bytes, name: str) -> evidence_files.Received:
    got = evidence_files.receive(io.BytesIO(data), desk.evidence_path, desk.max_bytes)
    return evidence_files.Received(got.sha256, got.size, got.temporary, name, "application/octet-stream")


@pytest.fixture(scope="module")
def world(log: Log, tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("public-bundle")
    url = log.copy(folder / "db.sqlite3")
    settings = Settings(db=str(folder / "db.sqlite3"), secret_key="test-secret-key-0123456789-abcdefghijklmnop",
                        evidence_dir=str(folder / "evidence"), audit_origin=ORIGIN)
    with Database.open(url) as db:
        for name, role, party, guarantor in (("mon-qat", "monitor", None, "QAT"), ("mon-tur", "monitor", None, "TUR"),
                                             ("liaison-pak", "liaison", "PAK", None)):
            add_user(db, name, role, "correct horse battery staple", party=party, guarantor=guarantor, by="admin")
        desk = Desk.over(db, settings)
        qat, tur, liaison = (casework.acting_user(desk, n) for n in ("mon-qat", "mon-tur", "liaison-pak"))
        files = [received(desk, PUBLIC_FILE, "crater.jpg"), received(desk, RESTRICTED_FILE, "witness.txt")]
        complaint = casework.file_complaint(desk, liaison, Complaint(
            "cmp-public", "PAK", "Shelling of a border post at Chaman.", liaison.name, datetime.now(UTC),
            evidence=tuple(Evidence(f.sha256, f.filename, f.media_type, f.size) for f in files)),
            files=files, public={files[0].sha256})
        casework.move_complaint(desk, qat, complaint.complaint_id, "under review")
        finding = casework.draft_finding(desk, qat, Draft(
            (complaint.complaint_id,), "doha-2025-10-19", "no-cross-border-attacks", "fair", "not attributable",
            "The photo and an outlet agree on the shelling of the post; who fired is not established.",
            evidence=tuple(f.sha256 for f in files), reports=(REPORT,)))
        keys = {m.guarantor or "": monitor_key(desk, m) for m in (qat, tur)}
        for monitor in (qat, tur):
            finding = sign_with(desk, monitor, finding.finding_id, keys[monitor.guarantor or ""])
        casework.publish_finding(desk, tur, finding.finding_id)
        (folder / "checkpoint.txt").write_text(make_checkpoint(db, list(log.keys.values()), ORIGIN).text(),
                                               encoding="utf-8")
        report = desk.store.get_report(REPORT)
        assert report is not None
    names = {s.guarantor: s.key_name for s in finding.signatures}
    return World(folder, settings, finding.finding_id, report.text.encode("utf-8"), keys, names)


def exported(world: World, to: Path, full: bool = False, as_user: str | None = None) -> Path:
    with Database.open(world.settings.database_url, upgrade=False) as db:
        desk = Desk.over(db, world.settings)
        kept = checked_checkpoint(db, world.folder / "checkpoint.txt", ORIGIN)
        user = casework.acting_user(desk, as_user) if as_user else None
        return write_bundle(make_bundle(desk, user, world.finding_id, kept, full=full), to)


def check(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """verify_bundle.py as a reader runs it: python3's standard library alone (-I -S), in the bundle's folder."""
    return subprocess.run([sys.executable, "-I", "-S", "verify_bundle.py", *args], cwd=folder, capture_output=True,
                          text=True, check=False, timeout=60)


def every_byte(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_the_public_bundle_has_the_public_file_and_withholds_the_rest(world: World, tmp_path: Path):
    out = exported(world, tmp_path / "public")
    assert sorted(p.name for p in (out / "evidence").iterdir()) == [world.sha(PUBLIC_FILE)]
    everything = every_byte(out)
    assert RESTRICTED_FILE.strip() not in everything and world.report_text not in everything
    withheld = {w["sha256"]: w for w in json.loads((out / "withheld.json").read_text(encoding="utf-8"))}
    assert withheld == {  # its SHA-256, size and why; not its name, which may say what it is
        world.sha(RESTRICTED_FILE): {"sha256": world.sha(RESTRICTED_FILE), "size": len(RESTRICTED_FILE),
                                     "reason": RESTRICTED},
        world.sha(world.report_text): {"sha256": world.sha(world.report_text), "size": len(world.report_text),
                                       "reason": REPORT_TEXT}}
    assert b"witness.txt" not in everything and f"{REPORT}.txt".encode() not in everything
    record = json.loads((out / "finding-record.json").read_text(encoding="utf-8"))
    assert sorted(record["withheld"]) == sorted(withheld)
    assert {e["sha256"]: e.get("withheld") for e in record["evidence"]} == {
        world.sha(PUBLIC_FILE): None, world.sha(RESTRICTED_FILE): RESTRICTED, world.sha(world.report_text): REPORT_TEXT}
    manifest = (out / "MANIFEST").read_text(encoding="utf-8")
    assert f"evidence/{world.sha(PUBLIC_FILE)}" in manifest and world.sha(RESTRICTED_FILE) not in manifest
    ran = check(out)
    assert ran.returncode == 0, ran.stdout
    assert "signed for QAT and TUR, published" in ran.stdout and "1 evidence files here, 2 withheld" in ran.stdout
    sums = subprocess.run(["sha256sum", "--quiet", "-c", "MANIFEST"], cwd=out, capture_output=True, check=False)
    assert sums.returncode == 0


def test_a_monitor_may_have_the_full_bundle_and_nobody_else(world: World, tmp_path: Path):
    out = exported(world, tmp_path / "full", full=True, as_user="mon-qat")
    assert len(list((out / "evidence").iterdir())) == 3 and RESTRICTED_FILE in every_byte(out)
    assert json.loads((out / "withheld.json").read_text(encoding="utf-8")) == []
    assert "3 evidence files here, 0 withheld" in check(out).stdout
    for who in (None, "liaison-pak"):
        with pytest.raises(FindingError) as refused:
            exported(world, tmp_path / f"refused-{who}", full=True, as_user=who)
        assert refused.value.code == "TW-E840"


def trusted_file(world: World, folder: Path, keys: dict[str, Ed25519PrivateKey]) -> Path:
    """A trusted-keys file as a party keeps it: `GUARANTOR name+keyid+base64(0x01||key)` per line."""
    lines = []
    for guarantor, private in keys.items():
        name, raw = world.key_names[guarantor], b"\x01" + raw_public(private)
        keyid = hashlib.sha256(name.encode() + b"\n" + raw).hexdigest()[:8]
        lines.append(f"{guarantor} {name}+{keyid}+{base64.b64encode(raw).decode()}")
    path = folder / "trusted-monitor-keys"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_keys_file_of_the_signing_keys_passes_and_a_wrong_key_fails(world: World, tmp_path: Path):
    out = exported(world, tmp_path / "bundle")
    ran = check(out, "--keys", str(trusted_file(world, tmp_path, world.keys)))
    assert ran.returncode == 0 and "listed in" in ran.stdout, ran.stdout
    wrong = {**world.keys, "TUR": Ed25519PrivateKey.generate()}
    ran = check(out, "--keys", str(trusted_file(world, tmp_path, wrong)))
    assert ran.returncode == 1 and f"key {world.key_names['TUR']!r} of TUR is not in the trusted keys" in ran.stdout
    assert "signed for ['QAT']" in ran.stdout


def _edit_entries(folder: Path, change) -> None:
    """Change audit entries' payloads in audit-proofs.json (as a forger would; MANIFEST made anew)."""
    path = folder / "audit-proofs.json"
    proofs = json.loads(path.read_text(encoding="utf-8"))
    for p in proofs["entries"]:
        entry = json.loads(p["leaf_data"])
        change(entry)
        p["leaf_data"] = json.dumps(entry, sort_keys=True, separators=(",", ":"))
    path.write_text(json.dumps(proofs), encoding="utf-8")


def test_an_edited_signature_or_a_swapped_key_fails(world: World, tmp_path: Path):
    out = exported(world, tmp_path / "bundle")
    forger = Ed25519PrivateKey.generate()
    content_hash = hashlib.sha256((out / "finding.json").read_bytes()).hexdigest()

    def resign(entry):  # a signature by another key over the right bytes
        if entry["action"] == "finding.sign" and entry["payload"]["guarantor"] == "TUR":
            made = forger.sign(b"trucewatch finding\n" + content_hash.encode() + b"\n")
            entry["payload"]["signature"] = base64.b64encode(made).decode()

    def swap(entry):  # the key registered for TUR swapped for the forger's (who signs too)
        resign(entry)
        if entry["action"] == "key.register" and entry["subject"] == world.key_names["TUR"]:
            entry["payload"]["public_key"] = base64.b64encode(raw_public(forger)).decode()

    for name, change in (("signature", resign), ("key", swap)):
        copy = tmp_path / name
        shutil.copytree(out, copy)
        _edit_entries(copy, change)
        ran = check(copy)
        assert ran.returncode == 1 and "FAILED" in ran.stdout, (name, ran.stdout)
        assert "not signed by a monitor of each guarantor" in ran.stdout or "not in the tree" in ran.stdout
    # the entries' own hashes hold them: an edited entry is no longer in the tree
    assert "is not in the tree" in check(tmp_path / "key").stdout


def test_a_bundle_whose_withheld_list_is_missing_a_file_fails(world: World, tmp_path: Path):
    out = exported(world, tmp_path / "bundle")
    (out / "withheld.json").write_text("[]\n", encoding="utf-8")
    ran = check(out)
    assert ran.returncode == 1 and f"evidence {world.sha(RESTRICTED_FILE)} is missing and not listed" in ran.stdout


def test_a_signature_the_log_holds_but_the_key_did_not_make_fails(world: World, tmp_path: Path):
    """A server operator who writes a `finding.sign` entry with a signature of their own making (past the job
    that checks it) gets a log whose proofs hold, and a bundle the Ed25519 check still refuses."""
    url = copy_database(f"sqlite:///{world.folder / 'db.sqlite3'}", tmp_path / "db.sqlite3", None)
    settings = replace(world.settings, db=str(tmp_path / "db.sqlite3"))
    with Database.open(url) as db:
        desk = Desk.over(db, settings)
        qat = casework.acting_user(desk, "mon-qat")
        finding = draft_on_new_complaint(desk, "cmp-forged", "Another shelling at Chaman.", "weak",
                                         "One outlet reports it; nothing else does.")
        sign_with(desk, qat, finding.finding_id, world.keys["QAT"])
        made = base64.b64encode(Ed25519PrivateKey.generate().sign(signed_message(finding.content_hash))).decode()
        forged = FindingSignature(finding.finding_id, "TUR", "mon-tur", now_utc(), finding.content_hash,
                                  world.key_names["TUR"], made)
        desk.cases.add_signature(forged, audit=recorder("mon-tur", ("finding.sign", finding.finding_id, {
            "content_hash": finding.content_hash, "guarantor": "TUR", "sealed": True, "version": 1,
            "key_name": forged.key_name, "signature": made})))
        out = write_bundle(make_bundle(desk, qat, finding.finding_id), tmp_path / "bundle")
    ran = check(out)
    assert ran.returncode == 1, ran.stdout
    assert f"the signature for TUR by key {world.key_names['TUR']!r}" in ran.stdout and "does not verify" in ran.stdout
    assert "signed for ['QAT']" in ran.stdout
