"""The web world one step further along the workflow, made through the jobs as the world's users would: the draft on
AFG's complaint signed by the QAT monitor (so it waits for TUR), and a complaint of PAK in 'needs information' with
the monitors' question. With the world's published finding (PAK) that is every place a page must lead someone to."""
from __future__ import annotations

from dataclasses import dataclass

from signing import known_key, sign_with
from trucewatch.jobs import casework
from trucewatch.jobs.casework import Desk
from trucewatch.storage import Database

from .conftest import USERS, World

QUESTION = "Send the original photo of the post with the time it was taken."


@dataclass(frozen=True)
class Workflow:
    world: World
    asked: str  # the PAK complaint the monitors asked about ('needs information')
    signed_draft: str  # the AFG draft, signed for QAT only


def further_along(world: World) -> Workflow:
    """`world` (a copy a test may change) with the QAT signature on its draft and a question to PAK."""
    qat_name = USERS["monitor QAT"][0]
    with Database.open(world.db_url) as db:
        desk = Desk.over(db, world.settings)
        qat = casework.acting_user(desk, qat_name)
        sign_with(desk, qat, world.findings["draft"], known_key(qat_name))
        asked = casework.open_complaint(desk, qat, world.incidents[-1], "PAK",
                                        "Mortar rounds landed near the Chaman crossing at dawn.")
        casework.move_complaint(desk, qat, asked.complaint_id, "under review")
        casework.move_complaint(desk, qat, asked.complaint_id, "needs information", QUESTION)
    return Workflow(world, asked.complaint_id, world.findings["draft"])
