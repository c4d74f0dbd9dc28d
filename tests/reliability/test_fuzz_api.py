"""The longer fuzz run: schemathesis against a live uvicorn server on 127.0.0.1, every operation of /openapi.json, for
every identity (an admin, a monitor of each guarantor, a liaison officer of each party, an analyst, the public), valid
and invalid requests (every query parameter, path parameter and body generated and broken), in rounds of fresh
examples (another seed each round) until BUDGET_SECONDS have passed; at least one whole round (about 50 s on 2 cores).

Invariants: no 5xx, every answer as described (status, content type; valid requests: body schema too), and no
liaison officer reads anything of the other party's complaints. Prints the rounds, requests and statuses.
"""
from __future__ import annotations

import json
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

from web.conftest import ROLES, World, world  # noqa: F401  (the fixture `world`, built once per session)
from web.live import live_server
from web.test_schemathesis import CHECKS, NEGATIVE_CHECKS, cross_party_problem, strategy, with_known_ids

BUDGET_SECONDS = 60
POSITIVE, NEGATIVE = 2, 2  # requests per operation, identity and mode, each round


@pytest.fixture(scope="module")
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    own = request.getfixturevalue("world").copy(tmp_path_factory.mktemp("fuzz"))
    with live_server(own.settings) as url:
        yield own, url


def fuzz(operation: Any, mode: GenerationMode, role: str, round_no: int, url: str, own: World, tally: Counter,
         failures: list[str]) -> None:
    headers = own.auth(role)
    count = POSITIVE if mode == GenerationMode.POSITIVE else NEGATIVE

    @seed(round_no)
    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=strategy(operation, mode))
    def send(case: Any) -> None:
        response = case.call(base_url=url, headers=headers)
        tally["requests"] += 1
        tally[f"{response.status_code // 100}xx"] += 1
        try:
            case.validate_response(response, checks=CHECKS if mode == GenerationMode.POSITIVE else NEGATIVE_CHECKS,
                                   headers=headers)
        except (AssertionError, FailureGroup) as err:
            failures.append(f"{role} {operation.label} ({mode.value}, round {round_no}): {str(err).strip()[:1500]}")
        leak = cross_party_problem(role, case, response, own)
        if leak:
            failures.append(f"{operation.label}: {leak}")

    try:
        send()
    except Unsatisfiable:  # no invalid request can be made of an operation whose only parameters are any strings
        assert mode == GenerationMode.NEGATIVE, operation.label


def test_fuzzing_every_parameter_and_body_for_every_role_gives_no_server_error(live, capsys):
    own, url = live
    with urllib.request.urlopen(f"{url}/openapi.json", timeout=10) as answer:
        schema = schemathesis.openapi.from_dict(with_known_ids(json.load(answer), own))
    operations = [result.ok() for result in schema.get_all_operations()]
    tally: Counter[str] = Counter()
    failures: list[str] = []
    started, rounds = time.monotonic(), 0
    while rounds == 0 or time.monotonic() - started < BUDGET_SECONDS:
        rounds += 1
        for role in ROLES:
            if rounds > 1 and time.monotonic() - started > BUDGET_SECONDS:
                break  # a later round stops where the budget ends; the first is always whole
            for operation in operations:
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    fuzz(operation, mode, role, rounds, url, own, tally, failures)
    with capsys.disabled():
        print(f"\nfuzz: {len(operations)} operations x {len(ROLES)} identities x 2 modes, {rounds} rounds in "
              f"{time.monotonic() - started:.0f} s, {tally['requests']} requests "
              f"({', '.join(f'{k} {v}' for k, v in sorted(tally.items()) if k != 'requests')}), "
              f"{len(failures)} failures")
    assert tally["5xx"] == 0 and not failures, "\n\n".join(failures[:20])
