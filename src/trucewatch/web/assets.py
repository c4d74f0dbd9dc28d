"""Static files the pages use, served from the package (web/static/): the map's script and style, and the vendored
Leaflet and Leaflet.markercluster with their licences (static/vendor/README.md). Nothing is fetched from elsewhere
at run time: no CDN, no tile server.

Only files under web/static/ with a known suffix are served, each with its own media type; anything else, and any
path that leaves the folder, is "not found".
"""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from trucewatch.conflict import Conflict
from trucewatch.web.guard import GuardedRoute, guard, not_found

router = APIRouter(route_class=GuardedRoute, include_in_schema=False)
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png",
               ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8", ".md": "text/plain; charset=utf-8",
               "": "text/plain; charset=utf-8"}  # "": LICENSE
CACHE = "public, max-age=3600"


@lru_cache(maxsize=1)
def static_root() -> Path:
    return Path(str(files("trucewatch.web") / "static")).resolve()


def static_file(path: str) -> Path | None:
    """The file under web/static/ that `path` names, if it is one that is served."""
    root = static_root()
    try:
        found = (root / path).resolve()
    except (OSError, ValueError):
        return None
    if not found.is_relative_to(root) or not found.is_file() or found.suffix not in MEDIA_TYPES:
        return None
    return found


@router.get("/static/{path:path}", openapi_extra=guard("asset", "read"))
def static(request: Request, path: str) -> FileResponse:
    """A static file of the pages."""
    found = static_file(path)
    if found is None:
        raise not_found(f"file {path[:200]!r}")
    return FileResponse(found, media_type=MEDIA_TYPES[found.suffix], headers={"Cache-Control": CACHE})



@lru_cache(maxsize=4)
def boundaries_geojson(conflict: Conflict) -> bytes:
    """The conflict's outlines (its map.toml's boundary files) as one GeoJSON FeatureCollection."""
    return conflict.map.geojson()
