"""Check a trucewatch finding bundle with python3 alone (no trucewatch): run `sha256sum -c MANIFEST`, then
`python3 verify_bundle.py` in the bundle's folder. See README.txt; docs/findings.md explains each step."""
import base64
import hashlib
import json
import os
import sys

GUARANTORS = {"QAT", "TUR"}


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


def main():
    finding_bytes = read("finding.json")
    finding, digest, problems = json.loads(finding_bytes), hashlib.sha256(finding_bytes).hexdigest(), []
    for e in finding["evidence"]:
        path = os.path.join("evidence", e)
        if not os.path.isfile(path) or hashlib.sha256(read(path)).hexdigest() != e:
            problems.append(f"evidence {e} is missing or not what the finding cites")
    proofs = json.loads(read("audit-proofs.json"))
    if os.path.exists("checkpoint.txt"):
        note = read("checkpoint.txt").decode("utf-8").split("\n")
        if (int(note[1]), base64.b64decode(note[2]).hex()) != (proofs["tree_size"], proofs["root_hash"]):
            problems.append("the proofs are not against the checkpoint's tree (its size and root hash)")
    else:
        print("no checkpoint.txt: the proofs are against the log as exported, which no guarantor has signed yet")
    signed, published = set(), False
    for p in proofs["entries"]:
        entry = json.loads(p["leaf_data"])
        if (p["tree_size"], p["root_hash"]) != (proofs["tree_size"], proofs["root_hash"]) or not included(p) \
                or entry["seq"] != p["leaf_index"] + 1:
            problems.append(f"audit entry {p['leaf_index'] + 1} is not in the tree")
        elif entry["subject"] == finding["finding_id"] and entry["payload"].get("content_hash") == digest:
            signed |= {entry["payload"]["guarantor"]} if entry["action"] == "finding.sign" else set()
            published = published or entry["action"] == "finding.publish"
    if not GUARANTORS <= signed:
        problems.append(f"finding.json (SHA-256 {digest}) is not signed by a monitor of each guarantor: "
                        f"signed for {sorted(signed) or 'none'}")
    for problem in problems:
        print("FAILED:", problem)
    if not problems:
        print(f"verified: finding {finding['finding_id']} version {finding['version']}, SHA-256 {digest}, signed "
              f"for {' and '.join(sorted(signed))}, {'published' if published else 'not published'}; "
              f"{len(finding['evidence'])} evidence files; {len(proofs['entries'])} audit entries in the tree of "
              f"{proofs['tree_size']} (root {proofs['root_hash']})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
