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

import pytest
import schemathesis
from schemathesis import GenerationMode

from web.conftest import ROLES, World, backend, world  # noqa: F401  (the fixture `world` and its back end)
from web.live import live_server
from web.test_schemathesis import run_operation, with_known_ids

BUDGET_SECONDS = 60
POSITIVE, NEGATIVE = 2, 2  # requests per operation, identity and mode, each round


@pytest.fixture(scope="module")
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    own = request.getfixturevalue("world").copy(tmp_path_factory.mktemp("fuzz"))
    with live_server(own.settings) as url:
        yield own, url


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
                    count = POSITIVE if mode == GenerationMode.POSITIVE else NEGATIVE
                    run_operation(operation, mode, count, role, url, own, tally, failures, round_no=rounds)
    with capsys.disabled():
        print(f"\nfuzz: {len(operations)} operations x {len(ROLES)} identities x 2 modes, {rounds} rounds in "
              f"{time.monotonic() - started:.0f} s, {tally['requests']} requests "
              f"({', '.join(f'{k} {v}' for k, v in sorted(tally.items()) if k != 'requests')}), "
              f"{len(failures)} failures")
    assert tally["5xx"] == 0 and not failures, "\n\n".join(failures[:20])
