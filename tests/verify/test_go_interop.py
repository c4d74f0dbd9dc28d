"""trucewatch's checkpoints and proofs, checked by Go's reference packages for transparency logs, offline.

golang.org/x/mod/sumdb/note (C2SP signed notes: `note.Open` with verifiers made by `note.NewVerifier` from the
verifier keys trucewatch prints) and golang.org/x/mod/sumdb/tlog (RFC 9162 trees: `tlog.CheckRecord`,
`tlog.CheckTree`) are what the Go checksum database and much of the transparency ecosystem use; if they accept
trucewatch's checkpoints and proofs, an outside witness or auditor can check them with their own tools. The Go program
(go_interop/main.go) is built once per session in GOPATH mode from Debian's packages `golang-go` and
`golang-golang-x-mod-dev` (scripts/test installs them), with nothing downloaded.

Without `go` the tests are skipped, with the reason, unless the environment variable CI is set: in CI they must run.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from built_log import ORIGIN, Log
from click.testing import CliRunner

from trucewatch.audit.checkpoint import (
    Checkpoint,
    generate_key,
    read_checkpoint,
    read_private_key,
    read_trusted_keys,
    sign,
    verifier_key,
)
from trucewatch.cli.main import main
from trucewatch.jobs.auditing import consistency_proof, inclusion_proof
from trucewatch.storage import Database

SOURCE = Path(__file__).parent / "go_interop"
GOPATH = Path("/usr/share/gocode")  # where Debian's golang-*-dev packages put Go sources
X_MOD = GOPATH / "src/golang.org/x/mod/sumdb"
INSTALL = "install Debian's golang-go and golang-golang-x-mod-dev (scripts/test does it)"

# (tree size, leaves to prove) and (M, N): sizes around the powers of two, where the tree's shape changes.
INCLUSIONS = ((1, (0,)), (2, (0, 1)), (3, (0, 2)), (7, (0, 3, 6)), (8, (0, 5, 7)), (13, (4, 8, 12)),
              (16, (15,)), (31, (0, 16, 30)), (40, (0, 16, 31, 32, 39)))
CONSISTENCIES = ((1, 1), (1, 2), (1, 40), (2, 3), (3, 8), (4, 8), (7, 8), (8, 16), (6, 13), (13, 40), (16, 32),
                 (31, 40), (32, 40), (39, 40), (40, 40))


@pytest.fixture(scope="session")
def go_interop(tmp_path_factory) -> Path:
    """The Go program, built once per session into pytest's temporary folder."""
    if shutil.which("go") is None:
        if "CI" in os.environ:
            pytest.fail(f"the Go interop test must run in CI (CI is set) and there is no 'go' here: {INSTALL}")
        pytest.skip(f"no 'go' on PATH, so Go's reference packages cannot check the checkpoints: {INSTALL}")
    if not X_MOD.is_dir():
        pytest.fail(f"'go' is here but not golang.org/x/mod at {X_MOD.parent}: {INSTALL}")
    out = tmp_path_factory.mktemp("go_interop")
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": str(GOPATH), "GOCACHE": str(out / "cache"),
           "GOFLAGS": "", "GOPROXY": "off", "GOTOOLCHAIN": "local"}  # GOPATH mode: Debian's sources, no download
    built = subprocess.run(["go", "build", "-o", str(out / "go_interop"), "main.go"], cwd=SOURCE, env=env,
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, f"go build failed:\n{built.stderr}"
    return out / "go_interop"


def go_check(program: Path, **checks: list[dict[str, object]]) -> dict[str, str]:
    """Run the Go program on these checks; its verdict per check name: 'OK: ...' or 'FAILED: ...'."""
    done = subprocess.run([str(program)], input=json.dumps(checks), capture_output=True, text=True, timeout=60,
                          check=True)
    verdicts = {}
    for line in done.stdout.splitlines():
        verdict, rest = line.split(" ", 1)
        name, what = rest.split(": ", 1)
        verdicts[name] = f"{verdict}: {what}"
    assert len(verdicts) == sum(len(c) for c in checks.values()), done.stdout
    return verdicts


@pytest.fixture(scope="module")
def guarantor_keys(log: Log) -> list[str]:
    """The guarantors' verifier keys, as trucewatch prints them (the second word of each trusted-keys line)."""
    return [verifier_key(key) for key in read_trusted_keys(log.trusted)]


@pytest.fixture
def db(log: Log) -> Iterator[Database]:
    with Database.open(log.url, upgrade=False) as opened:
        yield opened


def test_go_opens_the_co_signed_checkpoint_with_both_guarantors_keys(go_interop, log, guarantor_keys):
    text = log.checkpoint.read_text(encoding="utf-8")
    root = read_checkpoint(log.checkpoint).root.hex()
    verdicts = go_check(go_interop, checkpoints=[
        {"name": "both", "text": text, "verifier_keys": guarantor_keys},
        {"name": "qatar-only", "text": text, "verifier_keys": guarantor_keys[:1]},
    ])
    assert verdicts["both"] == f"OK: origin {ORIGIN} size {log.size} root {root} signed by qat-1,tur-1 " \
                               "(0 other signatures ignored)"
    assert verdicts["qatar-only"].startswith(f"OK: origin {ORIGIN} size {log.size} root {root} signed by qat-1 ")


def test_go_refuses_a_checkpoint_altered_after_signing(go_interop, log, guarantor_keys):
    lines = log.checkpoint.read_text(encoding="utf-8").split("\n")
    smaller = "\n".join([lines[0], str(log.size - 1), *lines[2:]])
    other_root = "\n".join([*lines[:2], "A" * 43 + "=", *lines[3:]])
    verdicts = go_check(go_interop, checkpoints=[
        {"name": "smaller", "text": smaller, "verifier_keys": guarantor_keys},
        {"name": "other-root", "text": other_root, "verifier_keys": guarantor_keys},
    ])
    qatar_key_id = guarantor_keys[0].split("+")[1]
    assert verdicts == {"smaller": f"FAILED: note.Open: invalid signature for key qat-1+{qatar_key_id}",
                        "other-root": f"FAILED: note.Open: invalid signature for key qat-1+{qatar_key_id}"}


def test_go_accepts_c2sp_key_names_and_ignores_an_outside_witness_as_trucewatch_does(go_interop, log, tmp_path):
    """Keys named as C2SP allows (a slash, non-ASCII letters), and a third signature by a witness neither side
    registered: Go checks the two guarantors' and ignores the witness's unless given its key."""
    made = Checkpoint(ORIGIN, log.size, read_checkpoint(log.checkpoint).root, ("time 2026-11-27T10:00:00Z",))
    keys = []
    for name, guarantor in (("doha.example/qat-2", "QAT"), ("ankara.example/tür-2", "TUR"),
                            ("witness.example/w1", "QAT")):
        path = tmp_path / f"{len(keys)}.key"
        keys.append(verifier_key(generate_key(name, guarantor, path)))
        made = sign(made, name, read_private_key(path))
    verdicts = go_check(go_interop, checkpoints=[
        {"name": "guarantors", "text": made.text(), "verifier_keys": keys[:2]},
        {"name": "with-witness", "text": made.text(), "verifier_keys": keys},
    ])
    assert verdicts["guarantors"].endswith("signed by ankara.example/tür-2,doha.example/qat-2 "
                                           "(1 other signatures ignored)")
    assert verdicts["with-witness"].endswith("signed by ankara.example/tür-2,doha.example/qat-2,witness.example/w1 "
                                             "(0 other signatures ignored)")


def test_go_verifies_inclusion_proofs_for_leaves_of_trees_of_several_sizes(go_interop, db):
    checks = [{"name": f"leaf-{index}-of-{size}", **inclusion_proof(db, index + 1, size).as_json()}
              for size, indexes in INCLUSIONS for index in indexes]
    verdicts = go_check(go_interop, inclusions=checks)
    assert all(v.startswith("OK: ") for v in verdicts.values()), verdicts
    assert verdicts["leaf-39-of-40"].startswith("OK: leaf 39 is in the tree of 40 with root ")


def test_go_refuses_a_wrong_inclusion_proof(go_interop, db):
    good = inclusion_proof(db, 17, 40).as_json()
    flipped = [*good["inclusion_proof"]]
    flipped[2] = flipped[2][:-1] + ("0" if flipped[2][-1] != "0" else "1")
    verdicts = go_check(go_interop, inclusions=[
        {"name": "good", **good},
        {"name": "hash-changed", **good, "inclusion_proof": flipped},
        {"name": "other-leaf", **good, "leaf_index": 18},
        {"name": "other-entry", **inclusion_proof(db, 18, 40).as_json(),
         "inclusion_proof": good["inclusion_proof"]},
    ])
    assert verdicts["good"].startswith("OK: leaf 16 is in the tree of 40")
    assert [verdicts[n] for n in ("hash-changed", "other-leaf", "other-entry")] == \
        ["FAILED: tlog.CheckRecord: invalid transparency proof"] * 3


def test_go_verifies_consistency_proofs_between_trees_of_several_sizes(go_interop, db):
    checks = [{"name": f"{m}-to-{n}", **consistency_proof(db, m, n).as_json()} for m, n in CONSISTENCIES]
    verdicts = go_check(go_interop, consistencies=checks)
    assert all(v.startswith("OK: ") for v in verdicts.values()), verdicts
    assert verdicts["13-to-40"].startswith("OK: the tree of 13 (root ")


def test_go_refuses_a_wrong_consistency_proof(go_interop, db):
    good = consistency_proof(db, 13, 40).as_json()
    verdicts = go_check(go_interop, consistencies=[
        {"name": "good", **good},
        {"name": "old-root-of-another-tree", **good, "old_root_hash": consistency_proof(db, 12, 40).old_root},
        {"name": "proof-cut-short", **good, "consistency_proof": good["consistency_proof"][:-1]},
        {"name": "other-sizes", **good, "old_size": 14},
    ])
    assert verdicts["good"].startswith("OK: ")
    assert [verdicts[n] for n in ("old-root-of-another-tree", "proof-cut-short", "other-sizes")] == \
        ["FAILED: tlog.CheckTree: invalid transparency proof"] * 3


def test_what_audit_proof_prints_is_what_go_checks(go_interop, log, guarantor_keys, monkeypatch):
    """The commands' own output, fed to Go as it is printed: the checkpoint file, `audit proof SEQ --size N` and
    `audit proof --consistency M N --json`; and the roots agree with the checkpoint's."""
    monkeypatch.delenv("TRUCEWATCH_CONFIG", raising=False)
    runner = CliRunner(env={"TRUCEWATCH_DB": log.url, "TRUCEWATCH_AUDIT_ORIGIN": ORIGIN})
    included = json.loads(runner.invoke(main, ["audit", "proof", "17", "--size", str(log.size)]).stdout)
    consistent = json.loads(runner.invoke(main, ["audit", "proof", "--consistency", "9", "--json"]).stdout)
    verdicts = go_check(go_interop,
                        checkpoints=[{"name": "checkpoint", "text": log.checkpoint.read_text(encoding="utf-8"),
                                      "verifier_keys": guarantor_keys}],
                        inclusions=[{"name": "entry-17", **included}],
                        consistencies=[{"name": "9-to-all", **consistent}])
    root = read_checkpoint(log.checkpoint).root.hex()
    assert verdicts["checkpoint"].startswith(f"OK: origin {ORIGIN} size {log.size} root {root} signed by qat-1,tur-1")
    assert verdicts["entry-17"] == f"OK: leaf 16 is in the tree of {log.size} with root {root}"
    assert verdicts["9-to-all"].startswith("OK: the tree of 9 (root ")
    assert verdicts["9-to-all"].endswith(f"is a prefix of the tree of {log.size} (root {root})")
