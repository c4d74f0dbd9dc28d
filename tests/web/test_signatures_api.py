"""Monitors' signing keys and signatures through the HTTP API: anyone reads the registered keys; a monitor registers
their own public key (never a private one) and revokes it; the server stores a signature only when it verifies with
the signer's own active key, so a token alone — or an admin — cannot sign for a guarantor."""
from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signing import key_name, known_key, raw_public, signature_body
from trucewatch.casework.findings import verifier_key
from trucewatch.jobs.auditing import verify_audit
from trucewatch.storage import Database

from .conftest import World


def call(client, world: World, role: str, method: str, path: str, **kwargs):
    return client.request(method, f"/api/v1{path}", headers=world.auth(role), **kwargs)


def error(answer) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def test_the_registered_keys_are_public(client, world: World):
    keys = call(client, world, "public", "GET", "/keys").json()["data"]
    qat = raw_public(known_key("mon-qat"))
    mine = next(k for k in keys if k["user"] == "mon-qat")
    assert mine["guarantor"] == "QAT" and base64.b64decode(mine["public_key"]) == qat and mine["active"]
    assert mine["verifier_key"] == verifier_key(key_name("mon-qat", known_key("mon-qat")), qat)
    assert call(client, world, "analyst", "GET", "/account/keys").json()["data"] == []
    assert [k["user"] for k in call(client, world, "monitor TUR", "GET", "/account/keys").json()["data"]] == \
        ["mon-tur"]


def test_a_monitor_replaces_their_key_and_signs_with_the_new_one(own_client, own_world: World):
    c, w = own_client, own_world
    fresh = Ed25519PrivateKey.generate()
    name = key_name("mon-qat", fresh)
    body = {"name": name, "public_key": verifier_key(name, raw_public(fresh))}
    assert error(call(c, w, "monitor QAT", "POST", "/account/keys", json=body)) == (409, "TW-E836")  # one active
    assert error(call(c, w, "liaison PAK", "POST", "/account/keys", json=body)) == (403, "TW-E613")
    old = key_name("mon-qat", known_key("mon-qat"))
    assert error(call(c, w, "monitor TUR", "DELETE", f"/account/keys/{old}", json={"reason": "not mine"})) == \
        (409, "TW-E837")
    revoked = call(c, w, "monitor QAT", "DELETE", f"/account/keys/{old}", json={"reason": "laptop lost"})
    assert revoked.status_code == 200 and revoked.json()["data"]["revoked_by"] == "mon-qat"
    fid = w.findings["draft"]
    content_hash = call(c, w, "monitor QAT", "GET", f"/findings/{fid}").json()["data"]["content_hash"]
    stale = call(c, w, "monitor QAT", "POST", f"/findings/{fid}/signatures",
                 json=signature_body("mon-qat", content_hash))
    assert error(stale) == (409, "TW-E832")  # the revoked key signs nothing more
    made = call(c, w, "monitor QAT", "POST", "/account/keys", json=body)
    assert made.status_code == 201 and made.json()["data"]["name"] == name
    forged = {**signature_body("mon-qat", content_hash, fresh),
              "signature": signature_body("x", content_hash, Ed25519PrivateKey.generate())["signature"]}
    assert error(call(c, w, "monitor QAT", "POST", f"/findings/{fid}/signatures", json=forged)) == (422, "TW-E833")
    admin = call(c, w, "admin", "POST", f"/findings/{fid}/signatures",
                 json=signature_body("mon-qat", content_hash, fresh))
    assert admin.status_code == 403  # an admin's token does not make a monitor's signature
    tur_with_qat_key = call(c, w, "monitor TUR", "POST", f"/findings/{fid}/signatures",
                            json=signature_body("mon-qat", content_hash, fresh))
    assert error(tur_with_qat_key) == (403, "TW-E834")
    signed = call(c, w, "monitor QAT", "POST", f"/findings/{fid}/signatures",
                  json=signature_body("mon-qat", content_hash, fresh))
    assert signed.status_code == 201, signed.text
    shown = signed.json()["data"]["signatures"]
    assert [(s["signer"], s["key_name"]) for s in shown] == [("mon-qat", name)]
    with Database.open(w.db_url) as db:
        assert verify_audit(db).content.problems == ()
