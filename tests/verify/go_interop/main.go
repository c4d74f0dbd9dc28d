// Command go_interop checks trucewatch's checkpoints and proofs with Go's reference packages for transparency logs,
// golang.org/x/mod/sumdb/note (C2SP signed notes) and golang.org/x/mod/sumdb/tlog (RFC 9162 Merkle trees), and
// nothing of trucewatch's own code.
//
// It reads one JSON document on stdin:
//
//	{"checkpoints":   [{"name": "...", "text": "<the checkpoint file>", "verifier_keys": ["name+hash+key", ...]}],
//	 "inclusions":    [{"name": "...", "leaf_index": 2, "tree_size": 8, "leaf_data": "<canonical JSON>",
//	                    "leaf_hash": "<hex>", "inclusion_proof": ["<hex>", ...], "root_hash": "<hex>"}],
//	 "consistencies": [{"name": "...", "old_size": 3, "old_root_hash": "<hex>", "tree_size": 8,
//	                    "root_hash": "<hex>", "consistency_proof": ["<hex>", ...]}]}
//
// (the inclusion and consistency objects are what `trucewatch audit proof SEQ` and `trucewatch audit proof
// --consistency M N --json` print, with a name added) and prints one line per check, in input order:
// "OK <name>: <what was verified>" or "FAILED <name>: <why>". It exits 0 when it could read its input, whatever the
// checks found; the test reads the lines. Build it in GOPATH mode with Debian's golang-golang-x-mod-dev (see
// docs/audit.md): GO111MODULE=off GOPATH=/usr/share/gocode go build -o go_interop main.go
package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type checkpointCheck struct {
	Name         string   `json:"name"`
	Text         string   `json:"text"`
	VerifierKeys []string `json:"verifier_keys"`
}

type inclusionCheck struct {
	Name           string   `json:"name"`
	Seq            int64    `json:"seq"` // trucewatch's entry number (leaf_index + 1), not used here
	LeafIndex      int64    `json:"leaf_index"`
	TreeSize       int64    `json:"tree_size"`
	LeafData       string   `json:"leaf_data"`
	LeafHash       string   `json:"leaf_hash"`
	InclusionProof []string `json:"inclusion_proof"`
	RootHash       string   `json:"root_hash"`
}

type consistencyCheck struct {
	Name             string   `json:"name"`
	OldSize          int64    `json:"old_size"`
	OldRootHash      string   `json:"old_root_hash"`
	TreeSize         int64    `json:"tree_size"`
	RootHash         string   `json:"root_hash"`
	ConsistencyProof []string `json:"consistency_proof"`
}

type input struct {
	Checkpoints   []checkpointCheck  `json:"checkpoints"`
	Inclusions    []inclusionCheck   `json:"inclusions"`
	Consistencies []consistencyCheck `json:"consistencies"`
}

func main() {
	var in input
	decoder := json.NewDecoder(os.Stdin)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&in); err != nil {
		fmt.Fprintf(os.Stderr, "go_interop: cannot read the checks on stdin: %v\n", err)
		os.Exit(2)
	}
	for _, c := range in.Checkpoints {
		what, err := checkCheckpoint(c)
		report(c.Name, what, err)
	}
	for _, c := range in.Inclusions {
		what, err := checkInclusion(c)
		report(c.Name, what, err)
	}
	for _, c := range in.Consistencies {
		what, err := checkConsistency(c)
		report(c.Name, what, err)
	}
}

func report(name string, what string, err error) {
	if err != nil {
		fmt.Printf("FAILED %s: %v\n", name, err)
		return
	}
	fmt.Printf("OK %s: %s\n", name, what)
}

// checkCheckpoint opens the signed note with a verifier for each key (note.Open ignores signatures by other keys,
// and fails on a signature by one of these keys that does not verify), and reads its size and root as a
// tlog-checkpoint: origin, decimal size, base64 root hash, then extension lines.
func checkCheckpoint(c checkpointCheck) (string, error) {
	var verifiers []note.Verifier
	for _, vkey := range c.VerifierKeys {
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return "", fmt.Errorf("verifier key %q: %v", vkey, err)
		}
		verifiers = append(verifiers, v)
	}
	n, err := note.Open([]byte(c.Text), note.VerifierList(verifiers...))
	if err != nil {
		return "", fmt.Errorf("note.Open: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 {
		return "", errors.New("the note has no origin, size and root lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return "", fmt.Errorf("the size line %q is not a decimal number", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return "", fmt.Errorf("the root line %q is not a base64 hash", lines[2])
	}
	var signers []string
	for _, s := range n.Sigs {
		signers = append(signers, s.Name)
	}
	sort.Strings(signers)
	return fmt.Sprintf("origin %s size %d root %x signed by %s (%d other signatures ignored)", lines[0], size, root,
		strings.Join(signers, ","), len(n.UnverifiedSigs)), nil
}

// checkInclusion hashes the leaf data itself (tlog.RecordHash: SHA-256(0x00 || data)) and checks the proof with
// tlog.CheckRecord.
func checkInclusion(c inclusionCheck) (string, error) {
	leaf := tlog.RecordHash([]byte(c.LeafData))
	if c.LeafHash != "" && c.LeafHash != hex.EncodeToString(leaf[:]) {
		return "", fmt.Errorf("the leaf data hashes to %x, not to the leaf hash %s", leaf[:], c.LeafHash)
	}
	proof, err := hashes(c.InclusionProof)
	if err != nil {
		return "", err
	}
	root, err := hash(c.RootHash)
	if err != nil {
		return "", err
	}
	if err := tlog.CheckRecord(tlog.RecordProof(proof), c.TreeSize, root, c.LeafIndex, leaf); err != nil {
		return "", fmt.Errorf("tlog.CheckRecord: %v", err)
	}
	return fmt.Sprintf("leaf %d is in the tree of %d with root %x", c.LeafIndex, c.TreeSize, root[:]), nil
}

// checkConsistency checks with tlog.CheckTree that the tree of old_size is a prefix of the tree of tree_size.
func checkConsistency(c consistencyCheck) (string, error) {
	proof, err := hashes(c.ConsistencyProof)
	if err != nil {
		return "", err
	}
	oldRoot, err := hash(c.OldRootHash)
	if err != nil {
		return "", err
	}
	root, err := hash(c.RootHash)
	if err != nil {
		return "", err
	}
	if err := tlog.CheckTree(tlog.TreeProof(proof), c.TreeSize, root, c.OldSize, oldRoot); err != nil {
		return "", fmt.Errorf("tlog.CheckTree: %v", err)
	}
	return fmt.Sprintf("the tree of %d (root %x) is a prefix of the tree of %d (root %x)", c.OldSize, oldRoot[:],
		c.TreeSize, root[:]), nil
}

func hash(text string) (tlog.Hash, error) {
	var h tlog.Hash
	raw, err := hex.DecodeString(text)
	if err != nil || len(raw) != tlog.HashSize {
		return h, fmt.Errorf("%q is not a hex SHA-256 hash", text)
	}
	copy(h[:], raw)
	return h, nil
}

func hashes(texts []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, 0, len(texts))
	for _, text := range texts {
		h, err := hash(text)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}
