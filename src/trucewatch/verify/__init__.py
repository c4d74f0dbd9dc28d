"""Verification: the tamper-evident audit log (a Merkle tree after RFC 9162) and its signed checkpoints."""
