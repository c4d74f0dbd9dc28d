"""The API against its own OpenAPI description, live: schemathesis generates requests for every operation of
/openapi.json and sends them to a real uvicorn server on 127.0.0.1, once for each identity (an admin, a monitor of
each guarantor, a liaison officer of each party, an analyst, the public).

Each response must not be a server error, and must conform to the description (status code, content type, body
schema). The path and query parameters that name objects may also take the ids of real ones, the other party's
complaints and evidence among them, so that one party reading another's objects is tried, and counts as a failure
(`cross_party_problem`). The run is bounded (EXAMPLES valid requests per operation and identity, NEGATIVE invalid
ones for NEGATIVE_ROLES) and derandomised, so it is the same run each time.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import urllib.request
from collections import Counter
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from .conftest import ROLES, World
from .live import live_server

EXAMPLES = 6  # valid requests per operation and identity
NEGATIVE = 3  # invalid requests per operation, for the identities that get past most routes' rules
NEGATIVE_ROLES = ("admin", "monitor QAT", "liaison PAK", "public")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
NEGATIVE_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def live(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    own = world.copy(tmp_path_factory.mktemp("schemathesis"))
    with live_server(own.settings) as url:
        yield own, url


def known_ids(world: World) -> dict[str, list[str]]:
    """Ids of real objects, by parameter name: generated requests sometimes use them."""
    return {"complaint_id": list(world.complaints.values()), "sha256": list(world.evidence.values()),
            "incident_id": list(world.incidents), "event_id": ["evt-w1", "evt-w3"], "report_id": ["w-001"],
            "agreement_id": ["doha-2025-10-19"], "absorb": list(world.incidents)}


def with_known_ids(raw: dict[str, Any], world: World) -> dict[str, Any]:
    """The description, with each id parameter's schema widened to "a string, or one of these real ids"."""
    described = copy.deepcopy(raw)
    ids = known_ids(world)
    for methods in described["paths"].values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] in ids:
                    parameter["schema"] = {"anyOf": [{"enum": ids[parameter["name"]]}, parameter["schema"]]}
    return described


def cross_party_problem(role: str, case: Any, response: Any, world: World) -> str | None:
    """What a liaison officer saw of the other party's complaints, if anything."""
    if not role.startswith("liaison") or response.status_code >= 300:
        return None
    party = role.split()[1]
    others = {cid for p, cid in world.complaints.items() if p != party}
    if "/evidence/" in case.path and case.path_parameters.get("complaint_id") in others:
        return f"{role} downloaded evidence of {case.path_parameters['complaint_id']}"
    text = response.text
    if case.path.endswith("complaints.{fmt}") and case.path_parameters.get("fmt") == "csv":
        parties = {row["party"] for row in csv.DictReader(io.StringIO(text))}
    elif case.path.endswith("complaints.{fmt}"):
        parties = {json.loads(line)["party"] for line in text.splitlines() if line.strip()}
    elif response.headers.get("content-type", [""])[0].startswith("application/json") and text.strip():
        parties = set(_complaint_parties(json.loads(text)))
    else:
        parties = set()
    return f"{role} read complaints of {sorted(parties - {party})}" if parties - {party} else None


def _complaint_parties(body: Any) -> Iterator[str]:
    if isinstance(body, dict):
        if "complaint_id" in body and "party" in body:
            yield body["party"]
        for value in body.values():
            yield from _complaint_parties(value)
    elif isinstance(body, list):
        for value in body:
            yield from _complaint_parties(value)


@cache
def strategy(operation: Any, mode: GenerationMode) -> Any:
    """The requests schemathesis generates for an operation (the same for every identity: each sends its own
    Authorization header)."""
    return operation.as_strategy(generation_mode=mode)


def run_operation(operation: Any, mode: GenerationMode, count: int, role: str, url: str, world: World,
                  tally: Counter, failures: list[str], round_no: int | None = None) -> bool:
    """Send `count` generated requests (valid or invalid: `mode`) as `role`, check each response; False when no
    request of that mode can be made of the operation. Without `round_no` the requests are the same on every run;
    with it, each round draws others (the reliability tier's longer fuzzing)."""
    headers = world.auth(role)
    draw = seed(round_no) if round_no is not None else (lambda f: f)

    @draw
    @settings(max_examples=count, deadline=None, database=None, derandomize=round_no is None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy(operation, mode))
    def send(case: Any) -> None:
        response = case.call(base_url=url, headers=headers)
        tally["requests"] += 1
        tally[f"{response.status_code // 100}xx"] += 1
        try:
            case.validate_response(response, checks=CHECKS if mode == GenerationMode.POSITIVE else NEGATIVE_CHECKS,
                                   headers=headers)
        except (AssertionError, FailureGroup) as err:
            where = f", round {round_no}" if round_no is not None else ""
            failures.append(f"{role} {operation.label} ({mode.value}{where}): {str(err).strip()[:1500]}")
        leak = cross_party_problem(role, case, response, world)
        if leak:
            failures.append(f"{operation.label}: {leak}")

    try:
        send()
    except Unsatisfiable:  # no invalid request can be made of an operation whose only parameters are any strings
        assert mode == GenerationMode.NEGATIVE, operation.label
        return False
    return True


def test_the_api_conforms_to_its_description_for_every_identity(live, capsys):
    world, url = live
    with urllib.request.urlopen(f"{url}/openapi.json", timeout=10) as answer:
        schema = schemathesis.openapi.from_dict(with_known_ids(json.load(answer), world))
    operations = [result.ok() for result in schema.get_all_operations()]
    tally: Counter[str] = Counter()
    failures: list[str] = []
    unsatisfiable: set[str] = set()  # operations of which no invalid request can be made (string path ids only)
    for role in ROLES:
        for operation in operations:
            run_operation(operation, GenerationMode.POSITIVE, EXAMPLES, role, url, world, tally, failures)
            if role in NEGATIVE_ROLES and operation.label not in unsatisfiable and not run_operation(
                    operation, GenerationMode.NEGATIVE, NEGATIVE, role, url, world, tally, failures):
                unsatisfiable.add(operation.label)
    with capsys.disabled():
        print(f"\nschemathesis: {len(operations)} operations x {len(ROLES)} identities, {tally['requests']} requests "
              f"({', '.join(f'{k} {v}' for k, v in sorted(tally.items()) if k != 'requests')}), "
              f"{len(failures)} failures")
    assert tally["5xx"] == 0 and not failures, "\n\n".join(failures[:20])
    assert len(operations) >= 20 and tally["2xx"] > 0


def test_a_liaison_asking_for_the_other_partys_complaints_is_told_they_do_not_exist(live):
    world, url = live
    for party, other in (("PAK", "AFG"), ("AFG", "PAK")):
        for path in (f"/api/v1/complaints/{world.complaints[other]}",
                     f"/api/v1/complaints/{world.complaints[other]}/evidence/{world.evidence[other]}"):
            request = urllib.request.Request(url + path, headers=world.auth(f"liaison {party}"))
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            assert refused.value.code == 404 and json.load(refused.value)["error"]["code"] == "TW-E616"
