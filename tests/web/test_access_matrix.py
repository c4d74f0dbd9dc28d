"""The access matrix: every role x every route of the app (found from its router) x the objects it can be asked
about, against an explicit table of what must happen.

Outcomes: "ok" (access granted: the route's own answer, which may still be a 422 for the deliberately invalid bodies
sent to routes that change things), "401" (sign in first, TW-E610), "403" (the role may not, TW-E613), "404" (an
object the caller may not see, TW-E616, exactly as if it did not exist). A route the table does not know fails the
test: a new route needs its row here, and a rule in trucewatch.casework.access.
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from trucewatch.web.app import create_app, route_table

from .conftest import ROLES, World

OK, UNAUTH, FORBIDDEN, HIDDEN = "ok", "401", "403", "404"
DENIALS = {"TW-E610": UNAUTH, "TW-E613": FORBIDDEN, "TW-E616": HIDDEN}
STAFF = ("admin", "monitor QAT", "monitor TUR")


def everyone() -> dict[str, str]:
    return dict.fromkeys(ROLES, OK)


def signed_in() -> dict[str, str]:
    return {**everyone(), "public": UNAUTH}


def staff_only() -> dict[str, str]:
    return {role: OK if role in STAFF else FORBIDDEN for role in ROLES} | {"public": UNAUTH}


def admins_only() -> dict[str, str]:
    return {role: OK if role == "admin" else FORBIDDEN for role in ROLES} | {"public": UNAUTH}


def liaisons_only() -> dict[str, str]:
    return {role: OK if role.startswith("liaison") else FORBIDDEN for role in ROLES} | {"public": UNAUTH}


def complaint_readers() -> dict[str, str]:
    """Who may reach complaints at all: staff and liaison officers (each then sees only what they may)."""
    return {role: OK if role in STAFF or role.startswith("liaison") else FORBIDDEN for role in ROLES} | \
        {"public": UNAUTH}


def party_object(owner: str) -> dict[str, str]:
    """One party's complaint or evidence: staff and that party's liaison officer; the other party's liaison officer
    is told it does not exist."""
    other = "AFG" if owner == "PAK" else "PAK"
    return {**complaint_readers(), f"liaison {other}": HIDDEN}


PUBLISHED = "published record object"
# (method, path) -> {object: {role: outcome}}
EXPECTED: dict[tuple[str, str], dict[str, dict[str, str]]] = {
    ("GET", "/"): {PUBLISHED: everyone()},
    ("GET", "/login"): {PUBLISHED: everyone()},
    ("POST", "/login"): {PUBLISHED: everyone()},
    ("POST", "/logout"): {PUBLISHED: signed_in()},
    ("GET", "/openapi.json"): {PUBLISHED: everyone()},
    ("GET", "/api/v1/me"): {PUBLISHED: signed_in()},
    ("GET", "/api/v1/reports"): {PUBLISHED: everyone()},
    ("GET", "/api/v1/reports/{report_id}"): {PUBLISHED: everyone()},
    ("GET", "/api/v1/events"): {PUBLISHED: everyone()},
    ("GET", "/api/v1/events/{event_id}"): {PUBLISHED: everyone()},
    ("GET", "/api/v1/incidents"): {PUBLISHED: everyone()},
    ("GET", "/api/v1/incidents/{incident_id}"): {PUBLISHED: everyone()},
    ("GET", "/api/v1/agreements"): {PUBLISHED: everyone()},
    ("GET", "/api/v1/agreements/{agreement_id}"): {PUBLISHED: everyone()},
    ("GET", "/api/v1/agreements/{agreement_id}/compliance"): {PUBLISHED: everyone()},
    ("GET", "/api/v1/export/events.{fmt}"): {PUBLISHED: everyone()},
    ("GET", "/api/v1/export/complaints.{fmt}"): {"complaints of both parties": complaint_readers()},
    ("POST", "/api/v1/complaints"): {"a new complaint of the caller's party": liaisons_only()},
    ("GET", "/api/v1/complaints"): {"complaints of both parties": complaint_readers()},
    ("GET", "/api/v1/complaints/{complaint_id}"): {"PAK complaint": party_object("PAK"),
                                                   "AFG complaint": party_object("AFG")},
    ("GET", "/api/v1/complaints/{complaint_id}/evidence/{sha256}"): {"PAK evidence": party_object("PAK"),
                                                                     "AFG evidence": party_object("AFG")},
    ("POST", "/api/v1/incidents/{incident_id}/merge"): {PUBLISHED: staff_only()},
    ("POST", "/api/v1/events/{event_id}/split"): {PUBLISHED: staff_only()},
    ("POST", "/api/v1/events/{event_id}/pin"): {PUBLISHED: staff_only()},
    ("GET", "/api/v1/map"): {PUBLISHED: everyone()},
    ("GET", "/api/v1/boundaries"): {PUBLISHED: everyone()},
    ("GET", "/api/v1/map/labels"): {PUBLISHED: everyone()},
    # the pages of the record, of complaints, and their forms
    ("GET", "/map"): {PUBLISHED: everyone()},
    ("GET", "/timeline"): {PUBLISHED: everyone()},
    ("GET", "/incidents/{incident_id}"): {PUBLISHED: everyone()},
    ("GET", "/reports/{report_id}"): {PUBLISHED: everyone()},
    ("POST", "/incidents/{incident_id}/merge"): {PUBLISHED: staff_only()},
    ("POST", "/events/{event_id}/split"): {PUBLISHED: staff_only()},
    ("POST", "/events/{event_id}/pin"): {PUBLISHED: staff_only()},
    ("GET", "/agreements"): {PUBLISHED: everyone()},
    ("GET", "/agreements/{agreement_id}"): {PUBLISHED: everyone()},
    ("GET", "/complaints"): {"complaints of both parties": complaint_readers()},
    ("POST", "/complaints"): {"a new complaint of the caller's party": liaisons_only()},
    ("GET", "/complaints/{complaint_id}"): {"PAK complaint": party_object("PAK"), "AFG complaint": party_object("AFG")},
    ("GET", "/static/{path:path}"): {PUBLISHED: everyone()},
}
# what a request may carry; POSTs that change things carry something invalid, so a granted request is a 422
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/login"): {"data": {}},
    ("POST", "/api/v1/complaints"): {"data": {"text": "   "}},
    ("POST", "/api/v1/incidents/{incident_id}/merge"): {"json": {}},
    ("POST", "/api/v1/events/{event_id}/split"): {"json": {"unknown": 1}},
    ("POST", "/api/v1/events/{event_id}/pin"): {"json": {}},
    ("POST", "/complaints"): {"data": {"text": "   "}},
    ("POST", "/incidents/{incident_id}/merge"): {"data": {"absorb": "x" * 201}},
    ("POST", "/events/{event_id}/split"): {"data": {"note": "x" * 2001}},
    ("POST", "/events/{event_id}/pin"): {"data": {"incident_id": "x" * 201}},
}



# verification (docs/findings.md): the world holds a published finding on PAK's complaint and a draft on AFG's
def monitors_only() -> dict[str, str]:
    return {role: OK if role.startswith("monitor") else FORBIDDEN for role in ROLES} | {"public": UNAUTH}


def movers(owner: str) -> dict[str, str]:
    """Who may move a party's complaint (or withdraw its files): monitors and that party's liaison officer; the
    other party's liaison officer is told it does not exist."""
    other = "AFG" if owner == "PAK" else "PAK"
    return {**monitors_only(), f"liaison {owner}": OK, f"liaison {other}": HIDDEN}


def draft_readers() -> dict[str, str]:
    return {role: OK if role in STAFF else HIDDEN for role in ROLES}


BOTH_FINDINGS = {"published finding": everyone(), "draft finding": draft_readers()}
BOTH_COMPLAINTS = {"PAK complaint": party_object("PAK"), "AFG complaint": party_object("AFG")}
EXPECTED.update({
    ("GET", "/api/v1/complaints/{complaint_id}/transitions"): BOTH_COMPLAINTS,
    ("POST", "/api/v1/complaints/{complaint_id}/transitions"): {"PAK complaint": movers("PAK"),
                                                                "AFG complaint": movers("AFG")},
    ("POST", "/api/v1/complaints/{complaint_id}/answers"): {"PAK complaint": movers("PAK"),
                                                            "AFG complaint": movers("AFG")},
    ("POST", "/api/v1/incidents/{incident_id}/complaints"): {PUBLISHED: monitors_only()},
    ("GET", "/api/v1/complaints/{complaint_id}/evidence"): BOTH_COMPLAINTS,
    ("POST", "/api/v1/complaints/{complaint_id}/evidence/{sha256}/annotations"): {
        "PAK evidence": monitors_only(), "AFG evidence": monitors_only()},
    ("POST", "/api/v1/complaints/{complaint_id}/evidence/{sha256}/withdrawal"): {
        "PAK evidence": movers("PAK"), "AFG evidence": movers("AFG")},
    ("GET", "/api/v1/findings"): {PUBLISHED: everyone()},
    ("POST", "/api/v1/findings"): {PUBLISHED: monitors_only()},
    ("GET", "/api/v1/findings/{finding_id}"): BOTH_FINDINGS,
    ("PATCH", "/api/v1/findings/{finding_id}"): dict.fromkeys(BOTH_FINDINGS, monitors_only()),
    ("POST", "/api/v1/findings/{finding_id}/signatures"): dict.fromkeys(BOTH_FINDINGS, monitors_only()),
    ("POST", "/api/v1/findings/{finding_id}/publish"): dict.fromkeys(BOTH_FINDINGS, monitors_only()),
    ("POST", "/api/v1/findings/{finding_id}/amend"): dict.fromkeys(BOTH_FINDINGS, monitors_only()),
    ("GET", "/api/v1/findings/{finding_id}/bundle"): BOTH_FINDINGS,
    ("GET", "/api/v1/keys"): {PUBLISHED: everyone()},
    ("GET", "/api/v1/account/keys"): {PUBLISHED: signed_in()},
    ("POST", "/api/v1/account/keys"): {PUBLISHED: monitors_only()},
    ("DELETE", "/api/v1/account/keys/{name}"): {PUBLISHED: staff_only()},
    ("GET", "/complaints/{complaint_id}/history"): BOTH_COMPLAINTS,
    ("POST", "/complaints/{complaint_id}/answer"): {"PAK complaint": movers("PAK"), "AFG complaint": movers("AFG")},
    ("GET", "/inbox"): {PUBLISHED: signed_in()},
    ("POST", "/complaints/{complaint_id}/history"): {"PAK complaint": movers("PAK"), "AFG complaint": movers("AFG")},
    ("POST", "/complaints/{complaint_id}/findings"): {"PAK complaint": monitors_only()},
    ("GET", "/findings"): {PUBLISHED: everyone()},
    ("GET", "/findings/{finding_id}"): BOTH_FINDINGS,
    ("POST", "/findings/{finding_id}/signatures"): dict.fromkeys(BOTH_FINDINGS, monitors_only()),
    ("POST", "/findings/{finding_id}/publish"): dict.fromkeys(BOTH_FINDINGS, monitors_only()),
    ("GET", "/findings/{finding_id}/publish"): dict.fromkeys(BOTH_FINDINGS, monitors_only()),
    ("GET", "/findings/{finding_id}/edit"): dict.fromkeys(BOTH_FINDINGS, monitors_only()),
    ("POST", "/findings/{finding_id}/edit"): dict.fromkeys(BOTH_FINDINGS, monitors_only()),
    ("POST", "/findings/{finding_id}/amend"): dict.fromkeys(BOTH_FINDINGS, monitors_only()),
    ("GET", "/account/keys"): {PUBLISHED: signed_in()},
    ("POST", "/account/keys"): {PUBLISHED: monitors_only()},
    ("POST", "/account/keys/{name}/revoke"): {PUBLISHED: staff_only()},
    # a user's alerts page and their own rules (docs/alerts.md)
    ("GET", "/alerts"): {PUBLISHED: signed_in()},
    ("POST", "/alerts/rules"): {PUBLISHED: signed_in()},
    ("POST", "/alerts/rules/{rule_id}/remove"): {PUBLISHED: signed_in()},
    # the watched sources (docs/live.md): admins only
    ("GET", "/admin/sources"): {PUBLISHED: admins_only()},
    ("POST", "/admin/sources"): {PUBLISHED: admins_only()},
    ("POST", "/admin/sources/{name}/pause"): {PUBLISHED: admins_only()},
    ("POST", "/admin/sources/{name}/resume"): {PUBLISHED: admins_only()},
})
# invalid, or refused by the workflow (a sealed finding, a state with no such transition): nothing changes
BODIES.update({
    ("POST", "/api/v1/complaints/{complaint_id}/transitions"): {"json": {}},
    ("POST", "/api/v1/complaints/{complaint_id}/answers"): {"data": {}},  # no request for information is open
    ("POST", "/api/v1/incidents/{incident_id}/complaints"): {"json": {}},
    ("POST", "/api/v1/complaints/{complaint_id}/evidence/{sha256}/annotations"): {"data": {}},
    ("POST", "/api/v1/complaints/{complaint_id}/evidence/{sha256}/withdrawal"): {"json": {}},
    ("POST", "/api/v1/findings"): {"json": {}},
    ("PATCH", "/api/v1/findings/{finding_id}"): {"json": {"grade": "bogus"}},
    ("POST", "/api/v1/findings/{finding_id}/signatures"): {"json": {}},
    ("POST", "/api/v1/account/keys"): {"json": {}},
    ("DELETE", "/api/v1/account/keys/{name}"): {"json": {}},
    ("POST", "/api/v1/findings/{finding_id}/amend"): {"json": {"grade": "bogus"}},
    ("POST", "/complaints/{complaint_id}/history"): {"data": {"to": "nowhere"}},
    ("POST", "/complaints/{complaint_id}/answer"): {"data": {"note": ""}},
    ("POST", "/complaints/{complaint_id}/findings"): {"data": {}},
    ("POST", "/findings/{finding_id}/signatures"): {"data": {}},
    ("POST", "/findings/{finding_id}/publish"): {"data": {}},  # without its confirmation: refused, 400
    ("POST", "/findings/{finding_id}/edit"): {"data": {}},
    ("POST", "/findings/{finding_id}/amend"): {"data": {}},
    ("POST", "/account/keys"): {"data": {}},
    ("POST", "/account/keys/{name}/revoke"): {"data": {}},
    ("POST", "/alerts/rules"): {"data": {}},  # no kind: refused (TW-E920)
    ("POST", "/admin/sources"): {"data": {}},  # no address: refused (TW-E900)
})


def concrete(path: str, thing: str, world: World) -> str:
    party = "AFG" if thing.startswith("AFG") else "PAK"
    values = {"report_id": "w-001", "event_id": "evt-w1", "incident_id": world.incidents[0],
              "agreement_id": "doha-2025-10-19", "fmt": "csv", "complaint_id": world.complaints[party],
              "sha256": world.evidence[party], "path": "map.js", "name": "no-such-key", "rule_id": "999",
              "finding_id": world.findings["draft" if thing.startswith("draft") else "published"]}
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)


def outcome(response: Any) -> str:
    if response.status_code == 303 and response.headers["location"].startswith("/login?next="):
        return UNAUTH  # a page the public must sign in for: to the sign-in form, and back after it
    if response.headers.get("content-type", "").startswith("application/json") and response.status_code >= 400:
        code = response.json()["error"]["code"]
    else:
        found = re.search(r"TW-E6\d\d", response.text) if response.status_code >= 400 else None
        code = found.group(0) if found else None
    assert code != "TW-E612", "a test token was refused"
    return DENIALS.get(code, OK) if response.status_code in (401, 403, 404) else OK


@pytest.fixture(scope="module")
def matrix_client(world: World, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    own = world.copy(tmp_path_factory.mktemp("matrix"))
    with TestClient(create_app(own.settings), follow_redirects=False) as client:
        yield client


def test_every_route_of_the_app_has_a_row_in_the_matrix(matrix_client):
    routes = {(r["method"], r["path"]) for r in route_table(matrix_client.app)}
    assert routes == set(EXPECTED), (f"routes without a row: {sorted(routes - set(EXPECTED))}; "
                                     f"rows without a route: {sorted(set(EXPECTED) - routes)}")


def test_access_matrix(matrix_client, world, capsys):
    cases, wrong = 0, []
    for (method, path), objects in EXPECTED.items():
        for thing, by_role in objects.items():
            assert set(by_role) == set(ROLES)
            url = concrete(path, thing, world)
            for role in ROLES:
                response = matrix_client.request(method, url, headers=world.auth(role),
                                                  **BODIES.get((method, path), {}))
                got = outcome(response)
                cases += 1
                if got != by_role[role]:
                    wrong.append(f"{role:<12} {method} {path} [{thing}]: expected {by_role[role]}, got {got} "
                                 f"({response.status_code} {response.text[:120]})")
    with capsys.disabled():
        print(f"\naccess matrix: {cases} cases ({len(EXPECTED)} routes x {len(ROLES)} roles x their objects), "
              f"{cases - len(wrong)} as expected")
    assert not wrong, "\n".join(wrong)
    assert cases == sum(len(objects) for objects in EXPECTED.values()) * len(ROLES)


def test_a_hidden_complaint_reads_exactly_like_one_that_does_not_exist(matrix_client, world):
    other = matrix_client.get(f"/api/v1/complaints/{world.complaints['PAK']}", headers=world.auth("liaison AFG"))
    missing = matrix_client.get(f"/api/v1/complaints/{world.complaints['PAK']}", headers=world.auth("admin"))
    assert missing.status_code == 200
    nothing = matrix_client.get("/api/v1/complaints/cmp-000000000000", headers=world.auth("liaison AFG"))
    assert other.status_code == nothing.status_code == 404
    assert other.json()["error"]["code"] == nothing.json()["error"]["code"] == "TW-E616"
    assert other.json()["error"]["message"].replace(world.complaints["PAK"], "ID") == \
        nothing.json()["error"]["message"].replace("cmp-000000000000", "ID")
