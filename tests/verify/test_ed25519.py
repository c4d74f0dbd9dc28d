"""verify_bundle.py's own Ed25519 verify (python3's standard library alone, as a bundle's reader has it) agrees with
RFC 8032's test vectors and with `cryptography`'s signatures: it accepts theirs and refuses a wrong message, a
flipped bit, a wrong key and a signature whose S is not reduced."""
from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from trucewatch.casework.verify_bundle import L, ed25519_verify, verifier_key

# RFC 8032, section 7.1, TEST 1 (empty message) and TEST 2 (one byte, 0x72)
VECTORS = (
    ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24"
     "655141438e7a100b"),
    ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb"
     "00d291612bb0c00"),
)


def raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


@pytest.mark.parametrize(("public", "message", "signature"), VECTORS)
def test_rfc_8032_vectors_verify_and_a_changed_one_does_not(public, message, signature):
    public_key, msg, sig = bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature)
    assert ed25519_verify(public_key, msg, sig)
    assert not ed25519_verify(public_key, msg + b"x", sig)
    assert not ed25519_verify(public_key, msg, sig[:10] + bytes([sig[10] ^ 1]) + sig[11:])


def test_it_agrees_with_cryptography():
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    message = b"trucewatch finding\n" + b"ab" * 32 + b"\n"
    signature = key.sign(message)
    assert ed25519_verify(raw(key), message, signature)
    assert not ed25519_verify(raw(key), message.replace(b"ab", b"ac", 1), signature)  # another finding's hash
    assert not ed25519_verify(raw(other), message, signature)  # another monitor's key
    for byte in (0, 31, 32, 63):  # a flipped bit in R and in S
        flipped = bytearray(signature)
        flipped[byte] ^= 0x01
        assert not ed25519_verify(raw(key), message, bytes(flipped))
    s = int.from_bytes(signature[32:], "little")
    assert not ed25519_verify(raw(key), message, signature[:32] + (s + L).to_bytes(32, "little"))  # not reduced
    assert not ed25519_verify(raw(key)[:31], message, signature) and not ed25519_verify(raw(key), message, b"")


def test_a_signed_note_verifier_key_is_read_with_its_key_id_checked():
    name = "doha.example/qat-2"
    for _ in range(30):  # keys whose base64 holds "+" and "/" among them
        key = raw(Ed25519PrivateKey.generate())
        keyid = hashlib.sha256(name.encode() + b"\n\x01" + key).hexdigest()[:8]
        encoded = base64.b64encode(b"\x01" + key).decode()
        line = f"QAT {name}+{keyid}+{encoded}"
        assert verifier_key(line) == ("QAT", name, key)
        assert verifier_key(f"QAT {name}+{'0' * 8 if keyid != '0' * 8 else '1' * 8}+{encoded}") is None
    assert verifier_key("QAT not-a-key") is None
