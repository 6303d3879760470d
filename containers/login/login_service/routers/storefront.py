"""The storefront: ``GET /`` (its page) and ``/static/...`` (its scripts, styles and images), all same-origin.

Files come from the package's ``storefront/`` directory through Starlette's ``StaticFiles``, which refuses paths
outside it and answers ``If-None-Match`` / ``If-Modified-Since`` with 304. Every file is sent with
``Cache-Control: no-cache``: the browser keeps its copy but revalidates it (a 304 costs a few hundred bytes), so a
page and its scripts never come from two releases out of a stale cache (RFC 9111, section 5.2.2.4). Behind the
ALB the Ingress keeps one browser on one pod for a while (``stickiness``), so during the login canary a page and
its scripts come from the same version.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STOREFRONT_DIR = Path(__file__).resolve().parent.parent / "storefront"
STATIC_PREFIX = "/static"
REVALIDATE = "no-cache"


class StorefrontFiles(StaticFiles):
    """``StaticFiles`` whose answers (200 and 304 alike) say ``Cache-Control: no-cache``."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = REVALIDATE
        return response


router = APIRouter(include_in_schema=False)
_pages = StorefrontFiles(directory=STOREFRONT_DIR, check_dir=False)


@router.api_route("/", methods=["GET", "HEAD"])
async def storefront(request: Request) -> Response:
    """The page; ``?lang=en`` and the other query parameters are read by its script, not here."""
    return await _pages.get_response("index.html", request.scope)


def mount_storefront(app: FastAPI) -> None:
    """``GET /`` and ``/static``; only ``storefront/static/`` is reachable under ``/static``."""
    app.include_router(router)
    app.mount(STATIC_PREFIX, StorefrontFiles(directory=STOREFRONT_DIR / "static", check_dir=False), name="static")
