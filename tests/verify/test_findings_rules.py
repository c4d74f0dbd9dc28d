"""The pure rules of findings: canonical bytes and content hash, sealing, and why a finding cannot be signed,
published, amended or edited."""
from __future__ import annotations

import hashlib
import json

from signing import known_key, signature_of
from trucewatch.audit.log import canonical_json
from trucewatch.casework import findings as rules
from trucewatch.records import Finding, FindingSignature

BASE = Finding(finding_id="fnd-1", version=1, series="fnd-1", complaint_ids=("cmp-b", "cmp-a"), incident_ids=(),
               agreement_id="doha-2025-10-19", commitment_id="no-cross-border-attacks", grade="fair",
               attribution="attributed", attributed_party="AFG", reasoning="Mörser — 2 Berichte",
               evidence=("b" * 64, "a" * 64), drafted_by="ana", drafted_at="2026-11-30T10:00:00.000000Z")


def signed(f: Finding, *guarantors: str, content_hash: str | None = None) -> Finding:
    """`f` signed by the monitor `m-G` of each guarantor G, with their key `m-G-key` (signing.known_key)."""
    f = f if f.content_hash else rules_hash(f)
    hashes = {g: content_hash or f.content_hash for g in guarantors}
    return Finding(**{**{k: getattr(f, k) for k in f.__dataclass_fields__}, "signatures": tuple(
        FindingSignature(f.finding_id, g, f"m-{g}", "2026-11-30T11:00:00Z", hashes[g], f"m-{g}-key",
                         signature_of(known_key(f"m-{g}"), hashes[g])) for g in guarantors)})


def rules_hash(f: Finding) -> Finding:
    return Finding(**{**{k: getattr(f, k) for k in f.__dataclass_fields__}, "content_hash": rules.content_hash(f)})


def test_the_canonical_bytes_are_the_audit_logs_canonical_json_of_the_content():
    data = rules.canonical_bytes(BASE)
    assert data == canonical_json(rules.content(BASE)).encode("utf-8")
    assert json.loads(data)["complaint_ids"] == ["cmp-a", "cmp-b"] and "Mörser —".encode() in data
    assert b'", "' not in data and b'": ' not in data  # no whitespace between tokens
    assert rules.content_hash(BASE) == hashlib.sha256(data).hexdigest()
    assert set(json.loads(data)) == set(rules.CONTENT_FIELDS)


def test_signatures_and_publication_are_not_content():
    sealed = signed(BASE, "QAT", "TUR")
    assert rules.content_hash(sealed) == rules.content_hash(BASE)


def test_sealed_needs_each_guarantor_on_the_current_content():
    f = rules_hash(BASE)
    assert not signed(f, "QAT").sealed and rules.missing_guarantors(signed(f, "QAT")) == ["TUR"]
    assert signed(f, "QAT", "TUR").sealed
    assert not signed(f, "QAT", "TUR", content_hash="0" * 64).sealed


def test_why_a_finding_cannot_be_signed_published_or_edited():
    f = rules_hash(BASE)
    assert rules.sign_problem(f, "QAT", "ana", f.content_hash) is None
    assert "reviewed content" in rules.sign_problem(f, "QAT", "ana", "0" * 64)
    assert "already" in rules.sign_problem(signed(f, "QAT"), "QAT", "other", f.content_hash)
    assert "sealed" in rules.sign_problem(signed(f, "QAT", "TUR"), "QAT", "x", f.content_hash)
    assert "guarantor" in rules.sign_problem(f, None, "root", f.content_hash)
    assert "not sealed" in rules.publish_problem(f)
    assert rules.publish_problem(signed(f, "QAT", "TUR")) is None
    assert "amend" in rules.edit_problem(signed(f, "QAT"))
    assert rules.edit_problem(f) is None


def test_a_draft_is_checked_against_what_is_known():
    known = rules.Known(complaint_states={"cmp-a": "under review", "cmp-b": "received"}, incidents=set(),
                        commitments={"doha": {"no-targeting"}}, parties={"doha": {"PAK", "AFG"}},
                        evidence={"a" * 64}, withdrawn={"a" * 64})
    problems = dict(rules.draft_problems({"complaint_ids": ["cmp-a", "cmp-b"], "incident_ids": ["inc-x"],
                                          "agreement_id": "doha", "commitment_id": "no-targeting", "grade": "fair",
                                          "attribution": "not attributable", "attributed_party": "PAK",
                                          "reasoning": "x", "evidence": ["a" * 64]}, known))
    assert set(problems) == {"body -> complaint_ids -> 1", "body -> incident_ids -> 0", "body -> attributed_party",
                             "body -> evidence -> 0"}
    assert "withdrawn" in problems["body -> evidence -> 0"]
