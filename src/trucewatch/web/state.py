"""What the app keeps for its life (`WebContext`, on `app.state.web`) and how a handler reaches the database.

`create_app` opens one `Database` at startup and closes it when the app stops (its lifespan). A handler asks for it
with a parameter `db: DB` (or for the casework desk over it with `desk: CaseDesk`): FastAPI dependencies with `yield`,
so a request never opens a database, builds an engine or makes a store from a URL (STYLE.md, habit 13).

    @router.get("/incidents/{incident_id}", openapi_extra=guard("incident", "list"))
    def get_incident(request: Request, db: DB, incident_id: str) -> dict[str, Any]:
        return {"data": incident_json(jobs.incidents.get_incident(db, incident_id))}
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from trucewatch.conflict import Conflict
from trucewatch.jobs.casework import Desk
from trucewatch.jobs.map_clusters import MapIndexCache
from trucewatch.jobs.record_views import AssessmentCache
from trucewatch.settings import Settings
from trucewatch.storage import Database


@dataclass(frozen=True)
class WebContext:
    """What every request needs, on `app.state.web`: the settings, the one database the app opened, the conflict
    watched (the settings' data folder: its sides, parties, places and map) and the casework desk over the database."""

    settings: Settings
    db: Database
    secret_key: str
    conflict: Conflict
    desk: Desk
    assessments: AssessmentCache = field(default_factory=AssessmentCache)  # kept until the record changes
    map_indexes: MapIndexCache = field(default_factory=MapIndexCache)  # the map's clusters, the same

    @classmethod
    def over(cls, settings: Settings, db: Database, conflict: Conflict) -> WebContext:
        desk = Desk(db, settings.evidence_path, settings.max_upload_bytes, conflict.party_codes)
        return cls(settings, db, settings.secret_key or "", conflict, desk)


def web_of(request: Request) -> WebContext:
    web: WebContext = request.app.state.web
    return web


async def database(request: Request) -> AsyncIterator[Database]:
    """The app's database, for the request (the app opened it at startup and closes it when it stops)."""
    yield web_of(request).db


async def casework_desk(request: Request) -> AsyncIterator[Desk]:
    """The casework desk over the app's database, with the settings' evidence folder and the conflict's parties."""
    yield web_of(request).desk


DB = Annotated[Database, Depends(database)]
CaseDesk = Annotated[Desk, Depends(casework_desk)]
