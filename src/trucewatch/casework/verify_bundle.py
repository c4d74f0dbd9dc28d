"""Check a trucewatch finding bundle with python3 alone (no trucewatch): run `sha256sum -c MANIFEST`, then
`python3 verify_bundle.py [--keys FILE]` in the bundle's folder. See README.txt; docs/findings.md explains each step.

What it checks: each evidence original the finding cites is here with that SHA-256, or listed in withheld.json (a
public bundle withholds restricted files and reports' texts; finding.json still names their SHA-256); each audit
entry is in the tree; and a monitor of each guarantor signed exactly finding.json: each `finding.sign` entry's Ed25519
signature verifies against the public key its `key.register` entry registered for that guarantor (with --keys,
that key must also be one you trust: lines `GUARANTOR verifier-key`, the signed-note form name+keyid+base64)."""
import base64
import hashlib
import json
import os
import sys

GUARANTORS = {"QAT", "TUR"}

# --- Ed25519 verification (RFC 8032, section 5.1), in the standard library alone ---------------------------------

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
IDENTITY = (0, 1, 1, 0)


def point_add(a, b):  # section 5.1.4, extended homogeneous coordinates
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    pa, pb = (y1 - x1) * (y2 - x2) % P, (y1 + x1) * (y2 + x2) % P
    pc, pd = 2 * t1 * t2 * D % P, 2 * z1 * z2 % P
    e, f, g, h = pb - pa, pd - pc, pd + pc, pb + pa
    return e * f % P, g * h % P, f * g % P, e * h % P


def point_mul(s, p):
    q = IDENTITY
    while s:
        if s & 1:
            q = point_add(q, p)
        p, s = point_add(p, p), s >> 1
    return q


def point_equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def point_decode(s):  # section 5.1.3; None for bytes that are not a point
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    if y >= P:
        return None
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if v * x * x % P == (-u) % P:
        x = x * SQRT_M1 % P
    elif v * x * x % P != u:
        return None
    if x == 0 and sign:
        return None
    if x & 1 != sign:
        x = P - x
    return x, y, 1, x * y % P


BASE = point_decode((4 * pow(5, P - 2, P) % P).to_bytes(32, "little"))


def ed25519_verify(public_key, message, signature):
    """Whether `signature` (64 bytes) is `public_key`'s (32 bytes) over `message` (section 5.1.7)."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a, r = point_decode(public_key), point_decode(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little") % L
    left = point_mul(8 * s, BASE)
    right = point_mul(8, point_add(r, point_mul(k, a)))
    return point_equal(left, right)


# --- the bundle ----------------------------------------------------------------------------------------------------


def sha(data):
    return hashlib.sha256(data).digest()


def included(p):  # RFC 9162 section 2.1.3.2: the leaf, its index and the proof give the root
    r, fn, sn = sha(b"\x00" + p["leaf_data"].encode("utf-8")), p["leaf_index"], p["tree_size"] - 1
    ok = r.hex() == p["leaf_hash"] and 0 <= fn <= sn
    for h in map(bytes.fromhex, p["inclusion_proof"]):
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = sha(b"\x01" + h + r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            r = sha(b"\x01" + r + h)
        fn, sn = fn // 2, sn // 2
    return ok and sn == 0 and r.hex() == p["root_hash"]


def read(name, mode="rb"):
    with open(name, mode) as f:
        return f.read()


def signed_message(content_hash):
    return b"trucewatch finding\n" + content_hash.encode("ascii") + b"\n"


def verifier_key(line):
    """(guarantor, key name, 32-byte key) from a line `GUARANTOR name+keyid+base64(0x01||key)`; None if malformed
    (the key id: the first 4 bytes of SHA-256(name || "\\n" || 0x01 || key), as C2SP signed-note defines it)."""
    try:
        guarantor, text = line.split()
        name, keyid, encoded = text.split("+", 2)  # a key name has no "+"; base64 may
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        return None
    if len(raw) != 33 or raw[0] != 1 or sha(name.encode("utf-8") + b"\n" + raw).hex()[:8] != keyid.lower():
        return None
    return guarantor, name, raw[1:]


def trusted_keys(path, problems):
    trusted = set()
    for number, line in enumerate(read(path).decode("utf-8").splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            found = verifier_key(line)
            if found is None:
                problems.append(f"{path} line {number}: not 'GUARANTOR name+keyid+base64-key'")
            else:
                trusted.add(found)
    return trusted


def check_evidence(finding, problems):
    """The cited evidence: each file here with its SHA-256, or withheld (listed in withheld.json)."""
    withheld = {w["sha256"]: w for w in json.loads(read("withheld.json"))} if os.path.exists("withheld.json") else {}
    present = 0
    for e in finding["evidence"]:
        path = os.path.join("evidence", e)
        if os.path.isfile(path):
            present += 1
            if hashlib.sha256(read(path)).hexdigest() != e:
                problems.append(f"evidence {e} is not what the finding cites")
        elif e not in withheld:
            problems.append(f"evidence {e} is missing and not listed as withheld")
    return present, len(finding["evidence"]) - present


def entries_in_tree(proofs, problems):
    """The audit entries whose inclusion in the tree checks out, by sequence number."""
    good = {}
    for p in proofs["entries"]:
        entry = json.loads(p["leaf_data"])
        if (p["tree_size"], p["root_hash"]) != (proofs["tree_size"], proofs["root_hash"]) or not included(p) \
                or entry["seq"] != p["leaf_index"] + 1:
            problems.append(f"audit entry {p['leaf_index'] + 1} is not in the tree")
        else:
            good[entry["seq"]] = entry
    return good


def signature_problem(sign, entries, trusted):
    """Why a `finding.sign` entry's signature does not count, or None."""
    payload = sign["payload"]
    name, guarantor = payload.get("key_name"), payload.get("guarantor")
    if not name or not payload.get("signature"):
        return f"the signature for {guarantor} (entry {sign['seq']}) names no key or carries no signature"
    registered = [e for e in entries if e["action"] == "key.register" and e["subject"] == name]
    if not registered or registered[0]["seq"] > sign["seq"]:
        return f"key {name!r} (signature for {guarantor}) has no key.register entry before it in the bundle"
    if registered[0]["payload"].get("guarantor") != guarantor:
        return f"key {name!r} is registered for {registered[0]['payload'].get('guarantor')}, not {guarantor}"
    if any(e["action"] == "key.revoke" and e["subject"] == name and e["seq"] < sign["seq"] for e in entries):
        return f"key {name!r} was revoked before it signed (entry {sign['seq']})"
    try:
        key = base64.b64decode(registered[0]["payload"]["public_key"], validate=True)
        signature = base64.b64decode(payload["signature"], validate=True)
    except (KeyError, ValueError):
        return f"key {name!r} or its signature is not base64"
    if not ed25519_verify(key, signed_message(payload["content_hash"]), signature):
        return f"the signature for {guarantor} by key {name!r} (entry {sign['seq']}) does not verify"
    if trusted is not None and (guarantor, name, key) not in trusted:
        return f"key {name!r} of {guarantor} is not in the trusted keys file"
    return None


def check_signatures(finding, digest, entries, trusted, problems):
    """The guarantors whose monitors' signatures over finding.json verify; whether it was published."""
    signed, published = set(), False
    ordered = [entries[seq] for seq in sorted(entries)]
    for entry in ordered:
        if entry["subject"] != finding["finding_id"] or entry["payload"].get("content_hash") != digest:
            continue
        published = published or entry["action"] == "finding.publish"
        if entry["action"] == "finding.sign":
            problem = signature_problem(entry, ordered, trusted)
            if problem is None:
                signed.add(entry["payload"]["guarantor"])
            else:
                print("not counted:", problem)
    if not GUARANTORS <= signed:
        problems.append(f"finding.json (SHA-256 {digest}) is not signed by a monitor of each guarantor with a valid "
                        f"signature: signed for {sorted(signed) or 'none'}")
    return signed, published


def main(argv):
    problems: list[str] = []
    trusted = None
    if argv[:1] == ["--keys"] and len(argv) == 2:
        trusted = trusted_keys(argv[1], problems)
    elif argv:
        print("usage: python3 verify_bundle.py [--keys FILE]   (FILE: lines 'GUARANTOR verifier-key')")
        return 2
    finding_bytes = read("finding.json")
    finding, digest = json.loads(finding_bytes), hashlib.sha256(finding_bytes).hexdigest()
    present, withheld = check_evidence(finding, problems)
    proofs = json.loads(read("audit-proofs.json"))
    if os.path.exists("checkpoint.txt"):
        note = read("checkpoint.txt").decode("utf-8").split("\n")
        if (int(note[1]), base64.b64decode(note[2]).hex()) != (proofs["tree_size"], proofs["root_hash"]):
            problems.append("the proofs are not against the checkpoint's tree (its size and root hash)")
    else:
        print("no checkpoint.txt: the proofs are against the log as exported, which no guarantor has signed yet")
    entries = entries_in_tree(proofs, problems)
    signed, published = check_signatures(finding, digest, entries, trusted, problems)
    for problem in problems:
        print("FAILED:", problem)
    if not problems:
        print(f"verified: finding {finding['finding_id']} version {finding['version']}, SHA-256 {digest}, signed "
              f"for {' and '.join(sorted(signed))}, {'published' if published else 'not published'}; Ed25519 "
              f"signatures by keys registered in the log{' and listed in ' + argv[1] if trusted is not None else ''}"
              f"; {present} evidence files here, {withheld} "
              f"withheld (their SHA-256 in finding.json); {len(proofs['entries'])} audit entries in the tree of "
              f"{proofs['tree_size']} (root {proofs['root_hash']})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
