"""Checkpoints as guarantors meet them: signed, co-signed, kept, and checked; and the ways they are refused."""
from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from built_log import ORIGIN, Log, tamper
from click.testing import CliRunner

from trucewatch import jobs
from trucewatch.audit.checkpoint import (
    Checkpoint,
    check_name,
    generate_key,
    key_line,
    parse_checkpoint,
    parse_verifier_key,
    read_checkpoint,
    read_private_key,
    sign,
    verifier_key,
)
from trucewatch.audit.log import make_entry
from trucewatch.audit.merkle import MerkleTree, verify_consistency
from trucewatch.cli.main import main
from trucewatch.errors import AuditError
from trucewatch.jobs.auditing import add_key, cosign, make_checkpoint, verify_audit
from trucewatch.records import AuditKey
from trucewatch.storage import Database


def _problems(found) -> list[str]:
    return [p.text for p in found.problems] + [p.text for c in found.checkpoints for p in c.problems]


@pytest.fixture
def url(log: Log, tmp_path) -> str:
    return log.copy(tmp_path / "copy.sqlite3")


@pytest.fixture
def db(url: str) -> Iterator[Database]:
    """The copy's database, opened as a command would; `tamper` changes the file under it, as an operator would."""
    with Database.open(url) as opened:
        yield opened


def test_a_checkpoint_co_signed_by_both_guarantors_verifies_with_and_without_trusted_keys(log, log_db):
    for trusted in (None, log.trusted):
        found = verify_audit(log_db, [log.checkpoint], trusted, ORIGIN)
        assert found.ok, _problems(found)
        [check] = found.checkpoints
        assert [(k.name, k.guarantor) for k in check.signed_by] == [("qat-1", "QAT"), ("tur-1", "TUR")]
        assert check.checkpoint.size == log.size and check.checkpoint.root == found.root


def test_the_signed_bytes_are_the_note_text_as_c2sp_writes_it(log):
    text = log.checkpoint.read_text(encoding="utf-8")
    body, signatures = text.split("\n\n")
    origin, size, root, time = body.split("\n")
    assert (origin, int(size)) == (ORIGIN, log.size)
    assert len(base64.b64decode(root)) == 32 and time.startswith("time 20")
    assert [line.split(" ")[:2] for line in signatures.splitlines()] == [["\u2014", "qat-1"], ["\u2014", "tur-1"]]
    checkpoint = read_checkpoint(log.checkpoint)
    assert checkpoint.body() == (body + "\n").encode("utf-8")
    assert checkpoint.text() == text


def test_one_guarantors_signature_is_not_enough_until_the_other_co_signs(log, db, tmp_path):
    single = tmp_path / "single.txt"
    single.write_text(make_checkpoint(db, [log.keys["QAT"]], ORIGIN).text(), encoding="utf-8")
    found = verify_audit(db, [single], None, ORIGIN)
    assert not found.ok
    assert _problems(found) == ["not co-signed: no valid signature by a registered key of TUR"]
    single.write_text(cosign(db, single, log.keys["TUR"], ORIGIN).text(), encoding="utf-8")
    assert verify_audit(db, [single], log.trusted, ORIGIN).ok


def test_two_keys_of_one_guarantor_do_not_make_a_co_signature(log, db, tmp_path):
    generate_key("qat-2", "QAT", tmp_path / "qat-2.key")
    add_key(db, "qat-2", "QAT", tmp_path / "qat-2.key.pub", "admin")
    both_qatari = tmp_path / "qat-qat.txt"
    both_qatari.write_text(make_checkpoint(db, [log.keys["QAT"], tmp_path / "qat-2.key"], ORIGIN).text())
    found = verify_audit(db, [both_qatari], None, ORIGIN)
    assert _problems(found) == ["not co-signed: no valid signature by a registered key of TUR"]


def test_a_key_that_is_not_registered_cannot_sign_nor_stand_in_for_a_guarantor(log, db, tmp_path):
    generate_key("stranger", "TUR", tmp_path / "stranger.key")
    with pytest.raises(AuditError, match="TW-E708: the key in .*stranger.key is not registered"):
        make_checkpoint(db, [log.keys["QAT"], tmp_path / "stranger.key"], ORIGIN)
    stranger = read_private_key(tmp_path / "stranger.key")
    path = tmp_path / "forged.txt"
    path.write_text(sign(make_checkpoint(db, [log.keys["QAT"]], ORIGIN), "stranger", stranger).text())
    found = verify_audit(db, [path], None, ORIGIN)
    assert _problems(found) == ["not co-signed: no valid signature by a registered key of TUR"]
    assert [s.name for s in found.checkpoints[0].ignored] == ["stranger"]
    # under the name of a registered key, another key's signature is a forgery, not an outside witness
    path.write_text(sign(make_checkpoint(db, [log.keys["QAT"]], ORIGIN), "tur-1", stranger).text())
    problems = _problems(verify_audit(db, [path], log.trusted, ORIGIN))
    assert problems[0].startswith("signed as 'tur-1' with key id ") and "which is not the registered key of that " \
        "name (key id " in problems[0]
    assert "not co-signed: no valid signature by a registered key of TUR" in problems


def test_an_outside_witness_cosignature_is_ignored_and_the_guarantors_still_required(log, db, tmp_path):
    """C2SP signed-note: a verifier ignores signatures by keys it does not know. A witness (a third Ed25519 key with
    a name trucewatch never registered) cosigns the guarantors' checkpoint: it verifies; and the witness alone does
    not make up for a missing guarantor."""
    generate_key("witness.example/w1", "QAT", tmp_path / "witness.key")
    witness = read_private_key(tmp_path / "witness.key")
    witnessed = tmp_path / "witnessed.txt"
    witnessed.write_text(sign(read_checkpoint(log.checkpoint), "witness.example/w1", witness).text())
    for trusted in (None, log.trusted):
        found = verify_audit(db, [witnessed], trusted, ORIGIN)
        assert found.ok, _problems(found)
        [check] = found.checkpoints
        assert [k.name for k in check.signed_by] == ["qat-1", "tur-1"]
        assert [s.name for s in check.ignored] == ["witness.example/w1"]
    witness_first = tmp_path / "witness-first.txt"  # a witness may sign before a guarantor co-signs
    witness_first.write_text(sign(make_checkpoint(db, [log.keys["QAT"]], ORIGIN), "witness.example/w1",
                                  witness).text())
    assert _problems(verify_audit(db, [witness_first], None, ORIGIN)) == \
        ["not co-signed: no valid signature by a registered key of TUR"]
    cosigned = cosign(db, witness_first, log.keys["TUR"], ORIGIN)
    assert [s.name for s in cosigned.signatures] == ["qat-1", "witness.example/w1", "tur-1"]
    witness_first.write_text(cosigned.text())
    assert verify_audit(db, [witness_first], log.trusted, ORIGIN).ok


def test_extension_lines_are_signed_and_kept_in_their_order(log, log_db, tmp_path):
    made = Checkpoint(ORIGIN, log.size, read_checkpoint(log.checkpoint).root, ("witness example.org", "time 2026"))
    for guarantor, name in (("QAT", "qat-1"), ("TUR", "tur-1")):
        made = sign(made, name, read_private_key(log.keys[guarantor]))
    path = tmp_path / "extended.txt"
    path.write_text(made.text())
    assert read_checkpoint(path).text() == made.text()
    assert made.body().decode().splitlines()[3:] == ["witness example.org", "time 2026"]
    assert made.time == "2026"
    assert verify_audit(log_db, [path], log.trusted, ORIGIN).ok


def test_a_checkpoint_altered_after_signing_is_refused(log, log_db, tmp_path):
    text = log.checkpoint.read_text(encoding="utf-8").split("\n")
    text[1] = str(log.size - 1)  # claim a smaller tree, with the same root
    path = tmp_path / "altered.txt"
    path.write_text("\n".join(text))
    problems = _problems(verify_audit(log_db, [path], None, ORIGIN))
    assert "the signature by 'qat-1' does not verify: the checkpoint was altered after it was signed, or another " \
           "key signed it" in problems
    assert any(p.startswith(f"the log does not extend it: its first {log.size - 1} entries") for p in problems)


def test_a_checkpoint_of_another_log_is_refused(log, log_db):
    found = verify_audit(log_db, [log.checkpoint], None, "other.example/audit")
    assert _problems(found) == [f"it is a checkpoint of log {ORIGIN!r}, this log is 'other.example/audit'"]


def test_keys_replaced_in_the_database_with_a_rewritten_log_are_caught_by_trusted_keys(log, url, db, tmp_path):
    """The operator makes keys of their own, puts them in audit_keys and in the log's registrations, recomputes
    every hash and signs a checkpoint with them: everything in the database agrees, and only keys kept outside
    the system tell."""
    own = {g: generate_key(f"{g.lower()}-1", g, tmp_path / f"own-{g}.key") for g in ("QAT", "TUR")}
    entries = list(db.audit_log.iter_entries())
    statements = []
    for e in entries:
        payload = json.loads(e.payload)
        if e.action == "audit.key":
            key = own[payload["guarantor"]]
            payload["public_key"] = base64.b64encode(key.public_key).decode("ascii")
            statements.append(("UPDATE audit_keys SET public_key = ? WHERE name = ?",
                               (payload["public_key"], key.name)))
        fresh = make_entry(e.seq, e.at, e.actor, e.action, e.subject, payload)
        statements.append(("UPDATE audit_log SET payload = ?, leaf_hash = ? WHERE seq = ?",
                           (fresh.payload, fresh.leaf_hash, e.seq)))
    tamper(url, *statements)
    forged = tmp_path / "forged.txt"
    forged.write_text(make_checkpoint(db, [tmp_path / "own-QAT.key", tmp_path / "own-TUR.key"], ORIGIN).text())
    assert verify_audit(db, [forged], None, ORIGIN).ok  # the database agrees with itself
    found = verify_audit(db, [forged], log.trusted, ORIGIN)
    assert not found.ok
    problems = _problems(found)
    assert "key 'qat-1' in the database differs from the trusted key of that name (--trusted-keys): it was " \
           "replaced" in problems
    assert "no valid signature by a trusted key of TUR (--trusted-keys): the keys in the database may have been " \
           "replaced" in problems
    kept = verify_audit(db, [log.checkpoint], None, ORIGIN)  # and the guarantors' own copy fails on its own
    assert any(p.startswith("signed as 'qat-1' with key id ") and "which is not the registered key of that name" in p
               for p in _problems(kept))


def test_a_key_replaced_in_the_database_alone_is_caught_by_its_registration_in_the_log(log, url, db, tmp_path):
    own = generate_key("qat-1", "QAT", tmp_path / "own.key")
    tamper(url, ("UPDATE audit_keys SET public_key = ? WHERE name = 'qat-1'",
                 (base64.b64encode(own.public_key).decode("ascii"),)))
    problems = _problems(verify_audit(db, [], None, ORIGIN))
    assert problems[0].startswith("key 'qat-1' in the database differs from its registration at entry ")
    tamper(url, ("INSERT INTO audit_keys VALUES ('tur-2', 'TUR', ?, '2026-01-01T00:00:00Z')",
                 (base64.b64encode(own.public_key).decode("ascii"),)))
    assert any("'tur-2' (TUR) is in the database but was never registered through the log" in p
               for p in _problems(verify_audit(db, [], None, ORIGIN)))


def test_an_older_checkpoint_is_extended_by_the_grown_log(log, url, db, tmp_path):
    jobs.incidents.split_event(db, jobs.incidents.list_events(db)[0][5].event_id, "ana", "later")
    later = tmp_path / "later.txt"
    later.write_text(make_checkpoint(db, list(log.keys.values()), ORIGIN).text())
    found = verify_audit(db, [log.checkpoint, later], log.trusted, ORIGIN)
    assert found.ok and found.size == log.size + 1
    e = make_entry(log.size + 1, "2026-01-01T00:00:00.000000Z", "operator", "incident.override", "x", {})
    tamper(url, ("UPDATE audit_log SET actor = ?, leaf_hash = ? WHERE seq = ?", (e.actor, e.leaf_hash, e.seq)))
    found = verify_audit(db, [log.checkpoint, later], None, ORIGIN)
    assert found.checkpoints[0].ok and not found.checkpoints[1].ok
    assert found.checkpoints[1].problems[0].text.endswith(
        f"(after entry {log.size}: the first {log.size} still match a kept checkpoint)")


def test_co_signing_checks_the_checkpoint_first(log, db, tmp_path):
    with pytest.raises(AuditError, match="TW-E710: .*'tur-1' has signed it already; not co-signed"):
        cosign(db, log.checkpoint, log.keys["TUR"], ORIGIN)
    with pytest.raises(AuditError, match="TW-E710: .*it is a checkpoint of log 'test.example/audit', this log is"):
        cosign(db, log.checkpoint, log.keys["TUR"], "other")
    elsewhere = tmp_path / "elsewhere.txt"
    made = make_checkpoint(db, [log.keys["QAT"]], ORIGIN)
    elsewhere.write_text(Checkpoint(made.origin, made.size, bytes(32), made.extensions).text()
                         + made.text().split("\n\n")[1])
    with pytest.raises(AuditError, match="its root is not that of the first 40 entries of this log"):
        cosign(db, elsewhere, log.keys["TUR"], ORIGIN)


def test_a_log_that_does_not_verify_is_not_signed(log, url, db):
    tamper(url, ("UPDATE audit_log SET actor = 'someone else' WHERE seq = 3", ()))
    with pytest.raises(AuditError, match="TW-E709: the audit log does not verify \\(leaf hash of entry 3 does not "
                                         "match its fields\\); nothing was signed"):
        make_checkpoint(db, list(log.keys.values()), ORIGIN)


@pytest.mark.parametrize("text, detail", [
    ("trucewatch/audit\n12\n", "no blank line before the signatures"),
    ("trucewatch/audit\ntwelve\nAAAA\n\n\u2014 k AAAAAAA=\n", "tree size 'twelve' is not a decimal number"),
    ("trucewatch/audit\n12\nAAAA\n\n\u2014 k AAAAAAA=\n", "the root line is not the base64 of a 32-byte hash"),
    (f"o\n1\n{base64.b64encode(bytes(32)).decode()}\n\n- k AAAAAAA=\n", "not a signature line"),
])
def test_a_file_that_is_not_a_checkpoint_is_refused_with_what_is_wrong(text, detail):
    with pytest.raises(AuditError, match=f"TW-E702: cp.txt: not a signed checkpoint \\({detail}"):
        parse_checkpoint(text, "cp.txt")


def test_verifier_keys_round_trip_and_wrong_ones_are_refused():
    key = AuditKey("qat-1", "QAT", bytes(range(32)))
    assert parse_verifier_key(verifier_key(key)) == ("qat-1", key.public_key)
    assert key_line(key).startswith("QAT qat-1+")
    _, key_hash, encoded = verifier_key(key).split("+", 2)
    with pytest.raises(ValueError, match="does not match"):
        parse_verifier_key(f"qat-2+{key_hash}+{encoded}")
    with pytest.raises(ValueError, match="NAME\\+HASH\\+KEY"):
        parse_verifier_key("qat-1")


def test_generated_keys_are_private_and_never_overwritten(tmp_path):
    made = generate_key("tur-9", "tur", tmp_path / "k")
    assert made.guarantor == "TUR"
    assert stat.S_IMODE(os.stat(tmp_path / "k").st_mode) == 0o600
    assert (tmp_path / "k.pub").read_text() == key_line(made) + "\n"
    with pytest.raises(AuditError, match="TW-E713: .*k \\(the file exists; keys are never overwritten\\)"):
        generate_key("tur-9", "TUR", tmp_path / "k")
    with pytest.raises(AuditError, match="TW-E705: key name 'tur 9' is not valid; a key name is 1 to 200 "):
        generate_key("tur 9", "TUR", tmp_path / "k2")
    with pytest.raises(AuditError, match="TW-E704: unknown guarantor 'USA'; choose one of QAT, TUR"):
        generate_key("usa-1", "USA", tmp_path / "k3")


def test_a_key_is_registered_once_under_the_name_and_guarantor_its_file_states(log, db, tmp_path):
    with pytest.raises(AuditError, match="TW-E706: this key or its name is registered already as 'qat-1' of QAT"):
        add_key(db, "qat-1", "QAT", log.keys["QAT"].with_name("qat-1.key.pub"), "admin")
    generate_key("qat-3", "QAT", tmp_path / "qat-3.key")
    with pytest.raises(AuditError, match="TW-E707: .*it holds the key 'qat-3', not 'qat-4'; nothing was registered"):
        add_key(db, "qat-4", "QAT", tmp_path / "qat-3.key.pub", "admin")
    with pytest.raises(AuditError, match="TW-E707: .*it holds a key of QAT, not of TUR"):
        add_key(db, "qat-3", "TUR", tmp_path / "qat-3.key.pub", "admin")


@pytest.mark.parametrize("name", ["doha.example/qat-2", "qat-1", "tür.example/مراقب-1", "a", "q#1", "x" * 200,
                                  "zero\u200bwidth"])
def test_key_names_are_what_c2sp_signed_note_allows(name):
    assert check_name(name) == name
    key = AuditKey(name, "QAT", bytes(range(32)))
    assert parse_verifier_key(verifier_key(key)) == (name, key.public_key)


@pytest.mark.parametrize("name", ["", "qat 2", "qat\t2", "qat\u00a02", "qat\u30002", "qat\u20282", "qat+2",
                                  "qat\x002", "qat\x1f2", "qat\x852", "x" * 201])
def test_key_names_with_white_space_plus_or_control_characters_are_refused(name):
    with pytest.raises(AuditError, match="TW-E705"):
        check_name(name)


@pytest.fixture
def run(url, monkeypatch):
    monkeypatch.delenv("TRUCEWATCH_CONFIG", raising=False)
    runner = CliRunner(env={"TRUCEWATCH_DB": url, "TRUCEWATCH_AUDIT_ORIGIN": ORIGIN, "TRUCEWATCH_USER": "ana"})
    return lambda *args: runner.invoke(main, ["audit", *map(str, args)])


def test_a_key_named_as_c2sp_allows_goes_through_every_command(run, tmp_path):
    """`doha.example/qat-2` and `ankara.example/tur-2`: generate, add, checkpoint, cosign, a trusted-keys file (whose
    '#' comments need a space before them now that a name may hold '#'), verify."""
    made = run("keys", "generate", "--name", "doha.example/qat-2", "--guarantor", "QAT", "-o", tmp_path / "q.key")
    assert made.exit_code == 0 and made.output.startswith("QAT doha.example/qat-2+"), made.output
    run("keys", "generate", "--name", "ankara.example/tur#2", "--guarantor", "TUR", "-o", tmp_path / "t.key")
    for name, guarantor, public in (("doha.example/qat-2", "QAT", "q.key.pub"), ("ankara.example/tur#2", "TUR",
                                                                                 "t.key.pub")):
        added = run("keys", "add", name, "--guarantor", guarantor, tmp_path / public)
        assert added.exit_code == 0 and added.output.startswith(f"registered {guarantor} {name}+"), added.output
    checkpoint = tmp_path / "cp.txt"
    assert run("checkpoint", "--key", tmp_path / "q.key", "-o", checkpoint).exit_code == 0
    cosigned = run("cosign", checkpoint, "--key", tmp_path / "t.key")
    assert cosigned.exit_code == 0, cosigned.output
    assert "signed by doha.example/qat-2 (QAT), ankara.example/tur#2 (TUR); complete" in cosigned.output
    assert [line.split(" ")[1] for line in checkpoint.read_text().split("\n\n")[1].splitlines()] == \
        ["doha.example/qat-2", "ankara.example/tur#2"]
    trusted = tmp_path / "trusted-keys"
    trusted.write_text(run("keys", "list").stdout)  # 'QAT doha.example/qat-2+...  # added ...'
    verified = run("verify", "--against", checkpoint, "--trusted-keys", trusted)
    assert verified.exit_code == 0, verified.output
    assert "signed by doha.example/qat-2 (QAT), ankara.example/tur#2 (TUR): the log extends it" in verified.output
    refused = run("keys", "generate", "--name", "doha.example/qat 3", "--guarantor", "QAT", "-o", tmp_path / "x.key")
    assert refused.exit_code == 2 and "TW-E705: key name 'doha.example/qat 3' is not valid" in refused.output


def test_audit_verify_says_which_outside_signatures_it_ignored(run, log, tmp_path):
    generate_key("witness.example/w1", "TUR", tmp_path / "witness.key")
    witnessed = tmp_path / "witnessed.txt"
    witnessed.write_text(sign(read_checkpoint(log.checkpoint), "witness.example/w1",
                              read_private_key(tmp_path / "witness.key")).text())
    result = run("verify", "--against", witnessed, "--trusted-keys", log.trusted)
    assert result.exit_code == 0, result.output
    assert "signed by qat-1 (QAT), tur-1 (TUR): the log extends it\n  also signed by 'witness.example/w1' (key id " \
           in result.output
    assert "not a registered key: ignored" in result.output and result.output.rstrip().endswith("verified")


def test_audit_proof_consistency_prints_both_roots_and_a_proof_that_verifies(run, log, db):
    text = run("proof", "--consistency", "13", "30")
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[0] == "consistency proof (RFC 9162 §2.1.4): the tree of the first 13 entries is a prefix of the " \
                       "tree of the first 30"
    tree = MerkleTree(bytes.fromhex(e.leaf_hash) for e in db.audit_log.entries(1, None))
    for line, size in ((lines[1], 13), (lines[2], 30)):
        root = tree.root(size)
        assert line.endswith(f"{size} entries, root {root.hex()} ({base64.b64encode(root).decode()})")
    proof = [bytes.fromhex(line.strip()) for line in lines[4:-1]]
    assert lines[3] == f"proof, {len(proof)} hashes in order:"
    assert verify_consistency(13, 30, tree.root(13), tree.root(30), proof)
    whole = json.loads(run("proof", "--consistency", "13", "--json").output)
    assert (whole["old_size"], whole["tree_size"]) == (13, log.size)
    assert whole["root_hash"] == read_checkpoint(log.checkpoint).root.hex()  # N defaults to the whole log
    assert verify_consistency(13, log.size, bytes.fromhex(whole["old_root_hash"]), bytes.fromhex(whole["root_hash"]),
                              [bytes.fromhex(h) for h in whole["consistency_proof"]])


@pytest.mark.parametrize(("args", "detail"), [
    (("0", "5"), "the first tree must hold at least one entry"),
    (("9", "5"), "the first tree must not be larger than the second: M is 9, N is 5"),
    (("5", "41"), "the log has 40 entries"),
])
def test_audit_proof_consistency_refuses_sizes_it_cannot_prove(run, args, detail):
    result = run("proof", "--consistency", *args)
    assert result.exit_code == 2
    assert f"TW-E720: no consistency proof from the first {args[0]} entries to the first {args[1]}: {detail}" \
        in result.output


def test_the_documented_consistency_check_agrees(run, tmp_path):
    script = tmp_path / "check-consistency.py"
    text = (Path(__file__).resolve().parents[2] / "docs/audit.md").read_text(encoding="utf-8")
    script.write_text(text.split("<!-- check-consistency.py -->\n```python\n", 1)[1].split("```", 1)[0])
    for m, n in ((1, 40), (13, 30), (16, 32), (39, 40), (40, 40)):
        proof = tmp_path / f"consistency-{m}-{n}.json"
        proof.write_text(run("proof", "--consistency", m, n, "--json").output)
        assert _check(script, proof) == "consistent"
    data = json.loads(proof.read_text())
    proof.write_text(json.dumps({**data, "old_size": 39}))
    assert _check(script, proof) == "NOT consistent"
    wrong = json.loads((tmp_path / "consistency-13-30.json").read_text())
    wrong["consistency_proof"][0] = "00" * 32
    proof.write_text(json.dumps(wrong))
    assert _check(script, proof) == "NOT consistent"


def _check(script: Path, proof: Path) -> str:
    return subprocess.run([sys.executable, str(script), str(proof)], capture_output=True, text=True,
                          check=True).stdout.strip()
