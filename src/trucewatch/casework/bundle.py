"""A finding's bundle: everything needed to check it later without trucewatch, as a folder or a zip.

    bundle-fnd-.../
      finding.json          the finding's canonical bytes: its SHA-256 is the content hash both guarantors signed
      finding-record.json   the same, readable, with signatures, publication, versions and the evidence's records
      evidence/<sha256>     each evidence original the finding cites that its reader may have, named by its SHA-256:
                            in the public bundle only those marked public at upload
      withheld.json         each cited original left out: SHA-256, size and why (restricted
                            by the party that filed it; a report's text, for signed-in users); finding.json still
                            names its SHA-256, so the bundle proves which bytes were cited without showing them
      audit-proofs.json     the audit-log entries of the finding (drafted, edited, signed, published), of its
                            complaints' filing and of its evidence, and the `key.register` (and `key.revoke`) entries
                            of the monitor keys that signed it, each with its inclusion proof (RFC 9162) in the
                            tree of `tree_size` entries with root `root_hash`
      checkpoint.txt        the co-signed checkpoint of that tree, when one was given (else README says how)
      verify_bundle.py      the check, in python3's standard library alone
      README.txt            the procedure
      MANIFEST              SHA-256 of every other file, as `sha256sum -c MANIFEST` reads it

The procedure (docs/findings.md): `sha256sum -c MANIFEST`, then `python3 verify_bundle.py [--keys FILE]`, then the
checkpoint's signatures against the guarantors' keys you keep (openssl, docs/audit.md). The MANIFEST alone proves
nothing (anyone can rewrite it); what ties the bundle to the guarantors is the monitors' Ed25519 signatures over
finding.json's SHA-256 in the `finding.sign` entries (checked against the keys registered in the log, and against
the monitor keys you trust with --keys), the entries' inclusion in the tree, and the tree's root in the checkpoint
they signed.

This module makes a bundle from what has been read (`assemble`, pure) and writes it (`zip_bytes`, `write_bundle`);
the job that reads the finding, its evidence and the log for it is `trucewatch.jobs.bundles.make_bundle`.
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from trucewatch.audit.checkpoint import Checkpoint
from trucewatch.audit.log import now_utc, proof_of
from trucewatch.audit.merkle import MerkleTree
from trucewatch.casework import findings as rules
from trucewatch.errors import FindingError
from trucewatch.records import AuditEntry, EvidenceOriginal, Finding

SCRIPT = "verify_bundle.py"
RESTRICTED = "restricted by the party that filed it"
REPORT_TEXT = "a report's text: for signed-in users"
ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # zip entries carry this time, so one bundle zips to the same bytes


@dataclass(frozen=True)
class Bundle:
    """A bundle's files (path -> bytes, MANIFEST included) under the folder `name`."""

    name: str
    files: dict[str, bytes]
    tree_size: int
    root_hash: str
    checkpoint: bool
    withheld: tuple[str, ...] = ()  # the SHA-256 of each cited evidence original left out (withheld.json)


def public_copy(original: EvidenceOriginal | None) -> bool:
    """Whether a public bundle carries this original: only one marked public at upload, never a report's text."""
    return original is not None and original.public and withheld_reason(original) == RESTRICTED


def withheld_reason(original: EvidenceOriginal | None) -> str:
    """Why a public bundle leaves an original out (a report's text, or the party's restriction)."""
    if original is not None and original.source.startswith("report "):
        return REPORT_TEXT
    return RESTRICTED


def assemble(finding: Finding, evidence: dict[str, bytes], originals: dict[str, EvidenceOriginal],
             versions: Sequence[Finding], proofs: dict[str, Any], checkpoint: Checkpoint | None = None) -> Bundle:
    """The bundle of a finding from what was read for it: the bytes of the cited evidence originals its reader may
    have, by SHA-256 (each other cited one is withheld: listed with its record and why), the originals' records,
    the versions of its series its reader may see, and the audit proofs (`audit_proofs`)."""
    files = {"finding.json": rules.canonical_bytes(finding)}
    for sha in finding.evidence:
        if sha in evidence:
            files[f"evidence/{sha}"] = evidence[sha]
    withheld = [_withheld_json(sha, originals.get(sha)) for sha in finding.evidence if sha not in evidence]
    files["withheld.json"] = _json(withheld)
    files["audit-proofs.json"] = _json(proofs)
    if checkpoint is not None:
        files["checkpoint.txt"] = checkpoint.text().encode("utf-8")
    files["finding-record.json"] = _json(_record(finding, originals, versions, proofs, set(evidence)))
    files[SCRIPT] = resources.files("trucewatch.casework").joinpath(SCRIPT).read_bytes()
    files["README.txt"] = _readme(finding, proofs, checkpoint).encode("utf-8")
    files["MANIFEST"] = "".join(f"{hashlib.sha256(data).hexdigest()}  {path}\n"
                                for path, data in sorted(files.items())).encode("utf-8")
    return Bundle(f"bundle-{finding.finding_id}", files, proofs["tree_size"], proofs["root_hash"],
                  checkpoint is not None, tuple(w["sha256"] for w in withheld))


def about(finding: Finding, entry: AuditEntry) -> bool:
    """Whether a bundle proves this entry: the finding's own (drafted, edited, signed, published), its complaints'
    filing and its evidence's adding, and the registration (and revocation) of each monitor key that signed it."""
    if entry.subject == finding.finding_id:
        return entry.action.startswith("finding.")
    if entry.action in ("key.register", "key.revoke"):
        return entry.subject in {s.key_name for s in finding.signatures if s.key_name}
    return entry.subject in {*finding.complaint_ids, *finding.evidence} and (
        entry.action.startswith("finding.") or entry.action in ("complaint.file", "evidence.add"))


def audit_proofs(finding: Finding, log: Iterable[AuditEntry], leaf_hashes: Iterable[str], size: int,
                 checkpoint: Checkpoint | None = None, withheld: Collection[str] = ()) -> dict[str, Any]:
    """The entries of the `log` about the finding (`about`), with their inclusion proofs in the tree of the first
    `size` leaves (the checkpoint's, when one is given: its root must be the log's), from the log's stored leaf
    hashes. TW-E814 when an entry is beyond the tree. The entries of `withheld` evidence are left out: an
    `evidence.add` entry names the file and its source, and a leaf cannot be shown in part (its hash is of all of
    it); nothing in the check needs them, since finding.json names the SHA-256 each signature covers."""
    entries = [e for e in log if about(finding, e) and e.subject not in withheld]
    late = [e.seq for e in entries if e.seq > size]
    if late:
        raise FindingError("TW-E814", finding_id=finding.finding_id,
                           detail=f"the checkpoint covers {size} entries, the finding's go to {max(late)}; make and "
                                  "co-sign a newer checkpoint ('trucewatch audit checkpoint', 'audit cosign')")
    tree = MerkleTree(bytes.fromhex(h) for h in leaf_hashes)
    root = tree.root(size).hex()
    if checkpoint is not None and checkpoint.root.hex() != root:
        raise FindingError("TW-E814", finding_id=finding.finding_id, detail="the checkpoint's root is not the log's")
    return {"tree_size": size, "root_hash": root, "entries": [proof_of(e, tree, size).as_json() for e in entries]}


def _record(f: Finding, originals: dict[str, EvidenceOriginal], versions: Sequence[Finding],
            proofs: dict[str, Any], present: set[str]) -> dict[str, Any]:
    return {
        "finding": rules.content(f), "content_hash": f.content_hash, "sealed": f.sealed,
        "grade_definition": rules.GRADE_DEFINITIONS.get(f.grade),
        "attribution_definition": rules.ATTRIBUTION_DEFINITIONS.get(f.attribution),
        "signatures": [{"guarantor": s.guarantor, "signer": s.signer, "at": s.at, "content_hash": s.content_hash,
                        "key_name": s.key_name, "signature": s.signature} for s in f.signatures],
        "published_at": f.published_at, "published_by": f.published_by,
        "versions": [{"finding_id": v.finding_id, "version": v.version, "published_at": v.published_at}
                     for v in versions],
        "evidence": [{"sha256": sha, **(_original_json(originals.get(sha)) if sha in present
                                         else _withheld_json(sha, originals.get(sha))),
                      **({"file": f"evidence/{sha}"} if sha in present
                         else {"file": None, "withheld": withheld_reason(originals.get(sha))})}
                     for sha in f.evidence],
        "withheld": [sha for sha in f.evidence if sha not in present],
        "audit": {"tree_size": proofs["tree_size"], "root_hash": proofs["root_hash"],
                  "entries": [p["seq"] for p in proofs["entries"]]},
        "exported_at": now_utc(),
    }


def _original_json(o: EvidenceOriginal | None) -> dict[str, Any]:
    if o is None:
        return {}
    return {"filename": o.filename, "size": o.size, "media_type": o.media_type, "received_at": o.received_at,
            "uploaded_by": o.uploaded_by, "source": o.source, "captured_at": o.captured_at, "public": o.public}


def _withheld_json(sha: str, o: EvidenceOriginal | None) -> dict[str, Any]:
    # its SHA-256, size and why: not its name, type, uploader or source, which may say what it is
    return {"sha256": sha, "size": o.size if o else None, "reason": withheld_reason(o)}


def _readme(f: Finding, proofs: dict[str, Any], checkpoint: Checkpoint | None) -> str:
    anchor = (f"checkpoint.txt is the guarantors' co-signed checkpoint of the audit log's first {proofs['tree_size']} "
              "entries; check its two signatures against the keys you keep (docs/audit.md, 'Checking by hand', "
              "step 4, with openssl).") if checkpoint is not None else (
        f"This bundle has no checkpoint: its proofs are against the log's {proofs['tree_size']} entries as they "
        "were at export, which no guarantor has signed. Once the guarantors have co-signed a checkpoint of at "
        f"least {proofs['tree_size']} entries ('trucewatch audit checkpoint --key ...', 'trucewatch audit cosign "
        f"...'), export the bundle again with 'trucewatch findings export-bundle {f.finding_id} --checkpoint FILE'.")
    return (f"Finding {f.finding_id}, version {f.version}: {f.grade}, {f.attribution}"
            f"{' to ' + f.attributed_party if f.attributed_party else ''}.\n"
            f"Its content (finding.json) has SHA-256 {f.content_hash}.\n\n"
            "To check this bundle, with sha256sum and python3 alone, in this folder:\n\n"
            "    sha256sum -c MANIFEST        # every file is as it was exported\n"
            "    python3 verify_bundle.py     # the evidence is what the finding cites (or withheld: withheld.json);\n"
            "                                 # each audit entry is in the tree; a monitor of each guarantor signed\n"
            "                                 # exactly finding.json (Ed25519, with the keys registered in the log)\n"
            "    python3 verify_bundle.py --keys FILE   # and each signing key is one you trust (lines\n"
            "                                 # 'GUARANTOR name+keyid+base64', as GET /api/v1/keys gives them)\n\n"
            f"{anchor}\n\n"
            "finding-record.json says the same for people: grade and attribution with their definitions, who signed "
            "and when, the versions, and where each evidence file came from. docs/findings.md explains each step.\n")


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def zip_bytes(bundle: Bundle) -> bytes:
    """The bundle as a zip of its folder."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(bundle.files.items()):
            info = zipfile.ZipInfo(f"{bundle.name}/{path}", ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def write_bundle(bundle: Bundle, target: Path) -> Path:
    """Write the bundle to `target`: a zip when it ends in .zip, else a folder (which must not exist yet)."""
    try:
        if target.suffix == ".zip":
            target.write_bytes(zip_bytes(bundle))
            return target
        target.mkdir(parents=True)
        for path, data in bundle.files.items():
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            (target / path).write_bytes(data)
    except OSError as err:
        raise FindingError("TW-E814", finding_id=bundle.name.removeprefix("bundle-"),
                           detail=f"cannot write {target} ({err.strerror or err}); name a new folder or a .zip") \
            from None
    return target
