"""Findings in the web tests' world, made through the jobs (trucewatch.jobs.casework) by the world's monitors: a
published finding on the complaint of PAK (which is then 'published') and a draft on the complaint of AFG ('finding
drafted'). Each monitor holds the signing key `signing.known_key(their name)`."""
from __future__ import annotations

from typing import Any

from signing import known_key, monitor_key, sign_with
from trucewatch.jobs import casework
from trucewatch.jobs.casework import Desk, Draft
from trucewatch.storage import Database

AGREEMENT, COMMITMENT = "doha-2025-10-19", "no-cross-border-attacks"


def draft_of(complaint_id: str, **fields: Any) -> Draft:
    return Draft(**{"complaint_ids": (complaint_id,), "agreement_id": AGREEMENT, "commitment_id": COMMITMENT,
                    "grade": "fair", "attribution": "not attributable",
                    "reasoning": "Two outlets and the photo agree on shelling of the post; who fired is not "
                                 "established.", **fields})


def add_findings(settings: Any, monitors: tuple[str, str], complaints: dict[str, str],
                 evidence: dict[str, str]) -> dict[str, str]:
    """{"published": finding id, "draft": finding id}; `monitors`: the user names of a QAT and a TUR monitor."""
    made = {}
    with Database.open(settings.database_url) as db:
        desk = Desk.over(db, settings)
        qat, tur = (casework.acting_user(desk, name) for name in monitors)
        keys = {monitor.name: monitor_key(desk, monitor, known_key(monitor.name)) for monitor in (qat, tur)}
        for party, state in (("PAK", "published"), ("AFG", "draft")):
            casework.move_complaint(desk, qat, complaints[party], "under review")
            finding = casework.draft_finding(desk, qat, draft_of(complaints[party], evidence=(evidence[party],)))
            if state == "published":
                for monitor in (qat, tur):
                    finding = sign_with(desk, monitor, finding.finding_id, keys[monitor.name])
                casework.publish_finding(desk, tur, finding.finding_id)
            made[state] = finding.finding_id
    return made
