"""Checkpoints as guarantors meet them: signed, co-signed, kept, and checked; and the ways they are refused."""
from __future__ import annotations

import base64
import json
import os
import stat
from collections.abc import Iterator

import pytest
from built_log import ORIGIN, Log, tamper

from trucewatch import jobs
from trucewatch.audit.checkpoint import (
    Checkpoint,
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


def test_a_key_that_is_not_registered_cannot_sign_and_its_signature_is_refused(log, db, tmp_path):
    generate_key("stranger", "TUR", tmp_path / "stranger.key")
    with pytest.raises(AuditError, match="TW-E708: the key in .*stranger.key is not registered"):
        make_checkpoint(db, [log.keys["QAT"], tmp_path / "stranger.key"], ORIGIN)
    forged = sign(make_checkpoint(db, [log.keys["QAT"]], ORIGIN), "stranger",
                  read_private_key(tmp_path / "stranger.key"))
    path = tmp_path / "forged.txt"
    path.write_text(forged.text())
    problems = _problems(verify_audit(db, [path], None, ORIGIN))
    assert problems[0].startswith("signed by 'stranger' (key id ") and "not a registered key" in problems[0]
    assert "not co-signed: no valid signature by a registered key of TUR" in problems


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
    assert any(p.startswith("signed by 'qat-1' (key id ") and "not a registered key" in p for p in _problems(kept))


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
    with pytest.raises(AuditError, match="TW-E705"):
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
