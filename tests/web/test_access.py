"""The rules themselves, without HTTP: every rule x every role x own party / other party / published / unpublished
objects, against an explicit table; deny by default; bindings."""
from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI

from trucewatch.casework.access import (
    PUBLIC,
    RULES,
    Identity,
    Resource,
    binding_problem,
    decide,
    visible_parties,
)
from trucewatch.web.app import check_routes
from trucewatch.web.guard import GuardedRoute, guard

IDENTITIES = {
    "admin": Identity("admin", "root"),
    "monitor QAT": Identity("monitor", "mq", guarantor="QAT"),
    "monitor TUR": Identity("monitor", "mt", guarantor="TUR"),
    "liaison PAK": Identity("liaison", "lp", party="PAK"),
    "liaison AFG": Identity("liaison", "la", party="AFG"),
    "analyst": Identity("analyst", "an"),
    "public": PUBLIC,
}
ALL = set(IDENTITIES)
STAFF = {"admin", "monitor QAT", "monitor TUR"}
MONITORS = {"monitor QAT", "monitor TUR"}
SIGNED_IN = ALL - {"public"}
# the objects a rule is asked about, seen from the liaison officer of PAK: own party, other party, published, not
OBJECTS = {
    "own party (PAK)": {"party": "PAK"},
    "other party (AFG)": {"party": "AFG"},
    "published": {"published": True},
    "unpublished": {"published": False},
}
# (kind, action) -> {object: roles allowed}; every object not named allows the same roles as "published"
RECORD = {"published": ALL, "unpublished": STAFF, "own party (PAK)": ALL, "other party (AFG)": ALL}
EXPECTED: dict[tuple[str, str], dict[str, set[str]]] = {
    **{(kind, action): RECORD for kind in ("report", "event", "incident", "agreement")
       for action in ("list", "read")},
    ("compliance", "read"): RECORD,
    ("events_export", "read"): RECORD,
    ("report_text", "read"): {"published": SIGNED_IN, "unpublished": STAFF, "own party (PAK)": SIGNED_IN,
                              "other party (AFG)": SIGNED_IN},
    ("override", "create"): dict.fromkeys(OBJECTS, STAFF),
    ("complaint", "create"): {"own party (PAK)": {"liaison PAK"}, "other party (AFG)": {"liaison AFG"},
                              "published": {"liaison PAK", "liaison AFG"},
                              "unpublished": {"liaison PAK", "liaison AFG"}},
    ("complaint", "list"): {"own party (PAK)": STAFF | {"liaison PAK"}, "other party (AFG)": STAFF | {"liaison AFG"},
                            "published": STAFF | {"liaison PAK", "liaison AFG"},
                            "unpublished": STAFF | {"liaison PAK", "liaison AFG"}},
    **{(kind, "read"): {"own party (PAK)": STAFF | {"liaison PAK"}, "other party (AFG)": STAFF | {"liaison AFG"},
                        "published": STAFF, "unpublished": STAFF} for kind in ("complaint", "evidence")},
    ("page", "read"): dict.fromkeys(OBJECTS, ALL),
    ("asset", "read"): dict.fromkeys(OBJECTS, ALL),
    ("api_description", "read"): dict.fromkeys(OBJECTS, ALL),
    ("session", "create"): dict.fromkeys(OBJECTS, ALL),
    ("session", "delete"): dict.fromkeys(OBJECTS, SIGNED_IN),
    ("me", "read"): dict.fromkeys(OBJECTS, SIGNED_IN),
    ("alert_rule", "create"): dict.fromkeys(OBJECTS, SIGNED_IN),
    ("alert_rule", "delete"): dict.fromkeys(OBJECTS, SIGNED_IN),
    **{("source", action): dict.fromkeys(OBJECTS, {"admin"}) for action in ("list", "create", "update")},
    # verification (docs/findings.md)
    ("finding", "list"): dict.fromkeys(OBJECTS, ALL),
    ("finding", "read"): RECORD,
    **{rule: dict.fromkeys(OBJECTS, MONITORS) for rule in (
        ("finding", "create"), ("finding", "update"), ("finding_signature", "create"),
        ("finding_publication", "create"), ("complaint_opening", "create"), ("evidence_annotation", "create"))},
    ("evidence_annotation", "read"): dict.fromkeys(OBJECTS, STAFF),
    **{(kind, "create"): {"own party (PAK)": MONITORS | {"liaison PAK"},
                          "other party (AFG)": MONITORS | {"liaison AFG"},
                          "published": MONITORS | {"liaison PAK", "liaison AFG"},
                          "unpublished": MONITORS | {"liaison PAK", "liaison AFG"}}
       for kind in ("complaint_transition", "evidence_withdrawal", "complaint_answer")},
    ("finding_bundle_full", "read"): dict.fromkeys(OBJECTS, STAFF),
    # monitors' signing keys: public to read; a monitor registers their own; its holder (or an admin) revokes it
    ("monitor_key", "list"): dict.fromkeys(OBJECTS, ALL),
    ("monitor_key", "read"): dict.fromkeys(OBJECTS, ALL),
    ("monitor_key", "create"): dict.fromkeys(OBJECTS, MONITORS),
    ("monitor_key", "delete"): dict.fromkeys(OBJECTS, STAFF),
    ("account_key", "list"): dict.fromkeys(OBJECTS, SIGNED_IN),
}


def test_every_rule_has_its_row_and_every_row_its_rule():
    assert set(EXPECTED) == set(RULES)


def test_rule_matrix(capsys):
    cases, wrong = 0, []
    for (kind, action), objects in EXPECTED.items():
        for thing, fields in OBJECTS.items():
            for label, identity in IDENTITIES.items():
                allowed = decide(identity, action, Resource(kind, **fields))
                cases += 1
                if allowed != (label in objects[thing]):
                    wrong.append(f"{label} {action} {kind} [{thing}]: expected {label in objects[thing]}")
    with capsys.disabled():
        print(f"\nrule matrix: {cases} cases ({len(EXPECTED)} rules x {len(OBJECTS)} objects x {len(IDENTITIES)} "
              f"identities), {cases - len(wrong)} as expected")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("kind, action", [("incident", "delete"), ("user", "read"), ("complaint", "update"),
                                          ("nothing", "list")])
def test_what_no_rule_names_is_denied_to_everyone(kind, action):
    assert not any(decide(i, action, Resource(kind)) for i in IDENTITIES.values())


@pytest.mark.parametrize("identity", [
    Identity("superuser", "x"), Identity("liaison", "x"), Identity("liaison", "x", party="IND"),
    Identity("monitor", "x"), Identity("analyst", "x", party="PAK"), Identity("admin", "x", guarantor="QAT"),
])
def test_an_identity_with_an_unknown_role_or_a_wrong_binding_may_do_nothing(identity):
    assert not decide(identity, "read", Resource("page"))
    assert not decide(identity, "read", Resource("incident"))


def test_visible_parties_follow_the_rules():
    assert visible_parties(IDENTITIES["admin"], "complaint") is None
    assert visible_parties(IDENTITIES["monitor TUR"], "complaint") is None
    assert visible_parties(IDENTITIES["liaison PAK"], "complaint") == {"PAK"}
    assert visible_parties(IDENTITIES["liaison AFG"], "evidence") == {"AFG"}
    assert visible_parties(IDENTITIES["analyst"], "complaint") == frozenset()
    assert visible_parties(PUBLIC, "complaint") == frozenset()


@pytest.mark.parametrize("role, party, guarantor, problem", [
    ("liaison", None, None, "--party"), ("monitor", None, None, "--guarantor"), ("analyst", "PAK", None, "only"),
    ("admin", None, "TUR", "only"), ("ruler", None, None, "unknown role"), ("liaison", "IND", None, "--party"),
])
def test_roles_need_their_binding_and_no_other(role, party, guarantor, problem):
    assert problem in (binding_problem(role, party, guarantor) or "")


def test_roles_with_their_binding_are_fine():
    assert binding_problem("liaison", "AFG", None) is None
    assert binding_problem("monitor", None, "QAT") is None
    assert binding_problem("analyst", None, None) is None


def test_an_app_with_a_route_that_declares_no_access_is_not_built():
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/unguarded")
    def unguarded() -> dict[str, str]:
        return {}

    with pytest.raises(RuntimeError, match="/unguarded"):
        check_routes(app)


def test_an_app_with_a_route_that_declares_an_unknown_rule_is_not_built():
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    router = APIRouter(route_class=GuardedRoute)

    @router.get("/typo", openapi_extra=guard("incidnet", "list"))
    def typo() -> dict[str, str]:
        return {}

    app.include_router(router)
    with pytest.raises(RuntimeError, match="/typo"):
        check_routes(app)
