from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from login_service.dependencies import LocalPrincipalDep
from login_service.recommendations import RecommendationsClient
from service_kit.log import request_id_var

router = APIRouter(prefix="/api", tags=["recommendations"])
MAX_K = 20  # the recommendation API's own limit (lambdas/recommendation/models.py MAX_K): a larger k is its 422


@router.get(
    "/recommendations",
    responses={
        401: {"description": "invalid token"},
        503: {"description": "unavailable"},
        504: {"description": "slow"},
    },
)
async def recommendations(
    request: Request,
    principal: LocalPrincipalDep,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 5,
    items: Annotated[str | None, Query(max_length=2000, pattern=r"^[A-Za-z0-9_.,\-]*$")] = None,
    lang: Annotated[Literal["ko", "en"] | None, Query(description="language of names and reasons")] = None,
) -> Response:
    """Recommendations for the token's customer (a client-supplied customer id is never used)."""
    client: RecommendationsClient = request.app.state.recommendations
    return await client.recommend(
        customer_id=principal.subject, k=k, items=items, request_id=request_id_var.get() or "", lang=lang
    )
