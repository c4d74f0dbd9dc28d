"""Signatures only a guarantor's monitor can make: each monitor signs with their own Ed25519 key, registered in the
audit log; a forged signature, a revoked or unknown key, another monitor's key, and a second signature of one
guarantor are refused; a finding is sealed only by valid signatures of both guarantors; and a signature or key edited
in the database behind trucewatch's back is named by `audit verify`."""
from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
from built_log import Log, copy_database, operator_sql
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sealed_world import Sealed, seal_finding

from postgres import PostgresServer
from signing import key_name, known_key, monitor_key, raw_public, sign_with, signature_of
from trucewatch.casework import findings as rules
from trucewatch.demo import example_agreements_path
from trucewatch.errors import FindingError
from trucewatch.jobs import agreements, casework, monitor_keys
from trucewatch.jobs.accounts import add_user
from trucewatch.jobs.auditing import store_coverage
from trucewatch.jobs.casework import Desk, Draft
from trucewatch.records import Complaint, Finding, FindingSignature
from trucewatch.storage import Database

PASSWORD = "correct horse battery staple"
USERS = (("qat-1", "monitor", None, "QAT"), ("qat-2", "monitor", None, "QAT"), ("tur-1", "monitor", None, "TUR"),
         ("root", "admin", None, None), ("liaison-pak", "liaison", "PAK", None))
HASH = "5e" * 32


# --- the pure rules ------------------------------------------------------------------------------------------------


def test_what_a_monitor_signs_is_the_prefixed_content_hash():
    assert rules.signed_message(HASH) == b"trucewatch finding\n" + HASH.encode() + b"\n"
    key = known_key("ana")
    signature = signature_of(key, HASH)
    assert rules.verifies(raw_public(key), HASH, signature)
    assert not rules.verifies(raw_public(key), "0" * 64, signature)  # another finding's hash
    assert not rules.verifies(raw_public(known_key("forger")), HASH, signature)
    assert not rules.verifies(raw_public(key), HASH, "not base64!")


@pytest.mark.parametrize(("name", "problem"), [
    ("ana-2026", None), ("ana.qat_1", None), ("x" * 200, None),
    ("", "empty"), ("x" * 201, "over 200"), ("ana 2026", "white space"), ("ana+1", "'+'"), ("ana\t", "white space"),
])
def test_key_names_follow_the_signed_note_rules(name: str, problem: str | None):
    found = rules.key_name_problem(name)
    assert found is None if problem is None else problem in (found or "")


def test_a_public_key_is_read_as_base64_or_as_a_verifier_key():
    raw = raw_public(known_key("ana"))
    assert rules.parse_public_key(base64.b64encode(raw).decode()) == (None, raw)
    assert rules.parse_public_key(rules.verifier_key("ana-2026", raw)) == ("ana-2026", raw)
    wrong_id = rules.verifier_key("ana-2026", raw).replace("ana-2026+", "ana-2027+")
    with pytest.raises(ValueError, match="key id"):
        rules.parse_public_key(wrong_id)
    with pytest.raises(ValueError, match="32 bytes"):
        rules.parse_public_key(base64.b64encode(raw[:31]).decode())


def test_signatures_without_a_key_no_longer_seal_a_finding():
    finding = Finding("fnd-1", 1, "fnd-1", ("cmp-1",), (), "a", "c", "fair", "not attributable", None, "r", (),
                      "ana", "2026-12-01T00:00:00Z", content_hash=HASH)
    old = tuple(FindingSignature("fnd-1", g, f"m-{g}", "2026-12-01T01:00:00Z", HASH) for g in ("QAT", "TUR"))
    assert not Finding(**{**_fields(finding), "signatures": old}).sealed
    keyed = tuple(FindingSignature("fnd-1", g, f"m-{g}", "2026-12-01T01:00:00Z", HASH, f"m-{g}-key",
                                   signature_of(known_key(f"m-{g}"), HASH)) for g in ("QAT", "TUR"))
    assert Finding(**{**_fields(finding), "signatures": keyed}).sealed


def _fields(f: Finding) -> dict:
    return {k: getattr(f, k) for k in f.__dataclass_fields__}


# --- the jobs --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(backend: str, request: pytest.FixtureRequest, tmp_path_factory) -> tuple[str, PostgresServer | None]:
    """Agreements and users (argon2 is slow on purpose: made once), on SQLite or PostgreSQL: the URL and server."""
    server = request.getfixturevalue("postgres_server") if backend == "postgresql" else None
    folder = tmp_path_factory.mktemp("signatures")
    url = server.fresh_database() if server else f"sqlite:///{folder / 'template.sqlite3'}"
    with Database.open(url) as db:
        agreements.load_agreements(db, example_agreements_path())
        for name, role, party, guarantor in USERS:
            add_user(db, name, role, PASSWORD, party=party, guarantor=guarantor, by="admin")
    return url, server


@pytest.fixture
def desk(template: tuple[str, PostgresServer | None], tmp_path: Path):
    built, server = template
    url = copy_database(built, tmp_path / "cases.sqlite3", server)
    with Database.open(url) as db:
        yield Desk(db, tmp_path / "evidence", 1 << 20, ("PAK", "AFG"))


def _user(desk: Desk, name: str):
    return casework.acting_user(desk, name)


def _draft(desk: Desk) -> Finding:
    liaison, qat = _user(desk, "liaison-pak"), _user(desk, "qat-1")
    casework.file_complaint(desk, liaison, Complaint("cmp-1", "PAK", "PAK: shelling of a border post", liaison.name,
                                                     datetime.now(UTC)))
    casework.move_complaint(desk, qat, "cmp-1", "under review")
    return casework.draft_finding(desk, qat, Draft(("cmp-1",), "doha-2025-10-19", "no-cross-border-attacks", "fair",
                                                   "not attributable", "What was found."))


def test_only_a_guarantor_monitor_holds_one_active_key(desk: Desk):
    with pytest.raises(FindingError, match="TW-E836: .*liaison-pak is a liaison: only a guarantor monitor"):
        monitor_key(desk, _user(desk, "liaison-pak"))
    with pytest.raises(FindingError, match="TW-E836: .*root is a admin"):
        monitor_key(desk, _user(desk, "root"))
    qat = _user(desk, "qat-1")
    first = monitor_key(desk, qat)
    with pytest.raises(FindingError, match="TW-E836: .*one active key per monitor; revoke it first"):
        monitor_key(desk, qat)
    with pytest.raises(FindingError, match="TW-E830"):
        monitor_keys.register_key(desk, qat, "has space", raw_public(known_key("x")))
    with pytest.raises(FindingError, match="TW-E837: .*only its holder or an admin"):
        monitor_keys.revoke_key(desk, _user(desk, "tur-1"), key_name(qat, first), "not mine")
    revoked = monitor_keys.revoke_key(desk, _user(desk, "root"), key_name(qat, first), "laptop lost")
    assert not revoked.active and revoked.revoked_by == "root"
    monitor_key(desk, qat)  # a new key once the first is revoked
    assert [k.active for k in monitor_keys.keys_of(desk, "qat-1")] == [False, True]
    entries = [e.action for e in desk.db.audit_log.entries()]
    assert entries.count("key.register") == 2 and entries.count("key.revoke") == 1


def test_a_finding_is_sealed_by_valid_signatures_of_both_guarantors(desk: Desk):
    finding = _draft(desk)
    qat, qat2, tur = (_user(desk, n) for n in ("qat-1", "qat-2", "tur-1"))
    keys = {u.name: monitor_key(desk, u) for u in (qat, qat2, tur)}
    fid, content_hash = finding.finding_id, finding.content_hash
    forged = signature_of(Ed25519PrivateKey.generate(), content_hash)  # someone without qat-1's private key
    with pytest.raises(FindingError, match="TW-E833: the signature does not verify"):
        casework.sign_finding(desk, None, fid, content_hash, key_name(qat, keys["qat-1"]), forged)
    with pytest.raises(FindingError, match="TW-E834: .* is held by qat-1, not by tur-1"):
        casework.sign_finding(desk, tur, fid, content_hash, key_name(qat, keys["qat-1"]),
                              signature_of(keys["qat-1"], content_hash))
    with pytest.raises(FindingError, match="TW-E832: key 'nobody-key' cannot sign: no key of that name"):
        casework.sign_finding(desk, None, fid, content_hash, "nobody-key", forged)
    signed = sign_with(desk, qat, fid, keys["qat-1"])
    assert not signed.sealed and rules.missing_guarantors(signed) == ["TUR"]
    with pytest.raises(FindingError, match="TW-E835: .*qat-1 has signed it for QAT already"):
        sign_with(desk, qat2, fid, keys["qat-2"])
    sealed = sign_with(desk, tur, fid, keys["tur-1"])
    assert sealed.sealed and rules.sealed_with(sealed, {k.name: k for k in monitor_keys.all_keys(desk)})
    assert desk.cases.complaint_states(["cmp-1"]) == {"cmp-1": "finding signed"}
    logged = [e for e in desk.db.audit_log.entries() if e.action == "finding.sign"]
    assert [e.actor for e in logged] == ["qat-1", "tur-1"] and '"signature":' in logged[0].payload
    assert store_coverage(desk.db).problems == ()


def test_a_revoked_key_signs_nothing_more(desk: Desk):
    finding = _draft(desk)
    qat = _user(desk, "qat-1")
    key = monitor_key(desk, qat)
    monitor_keys.revoke_key(desk, qat, key_name(qat, key), "left the mission")
    with pytest.raises(FindingError, match="TW-E832: .*it was revoked at"):
        sign_with(desk, qat, finding.finding_id, key)


# --- a database edit of a signature or a key ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sealed(log: Log, tmp_path_factory) -> Sealed:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("TRUCEWATCH_CONFIG", raising=False)
        return seal_finding(log, tmp_path_factory.mktemp("sealed") / "world")


def _edited(sealed: Sealed, folder: Path, *statements: tuple[str, tuple]) -> list[str]:
    """`audit verify`'s store problems after raw SQL on a copy, the triggers that refuse it dropped first."""
    copy = copy_database(sealed.url, folder / "edited.sqlite3", sealed.server)
    operator_sql(copy, ("finding_signatures", "monitor_keys"), *statements)
    with Database.open(copy, upgrade=False) as db:
        return [p.text for p in store_coverage(db).problems]


def test_the_sealed_world_verifies(sealed: Sealed):
    with Database.open(sealed.url, upgrade=False) as db:
        assert store_coverage(db).problems == ()


def test_a_signature_edited_in_the_database_is_caught(sealed: Sealed, tmp_path: Path):
    content_hash = sealed_hash(sealed)
    other = signature_of(Ed25519PrivateKey.generate(), content_hash)
    problems = _edited(sealed, tmp_path, ("UPDATE finding_signatures SET signature = ? WHERE signer = 'mon-tur'",
                                          (other,)))
    assert any("the signature of mon-tur (TUR) differs from entry" in p for p in problems), problems
    assert any("mon-tur (TUR) does not count: it does not verify" in p for p in problems), problems


def test_a_key_swapped_in_the_database_is_caught(sealed: Sealed, tmp_path: Path):
    swapped = base64.b64encode(raw_public(Ed25519PrivateKey.generate())).decode()
    swap = 'UPDATE monitor_keys SET public_key = ? WHERE "user" = \'mon-qat\''  # "user": a word of PostgreSQL's
    problems = _edited(sealed, tmp_path, (swap, (swapped,)))
    assert any("monitor key 'mon-qat-" in p and "the table says mon-qat (QAT)" in p for p in problems), problems


def sealed_hash(sealed: Sealed) -> str:
    with Database.open(sealed.url, upgrade=False) as db:
        found = db.cases.finding(sealed.finding_id)
    assert found is not None
    return found.content_hash
