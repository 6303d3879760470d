"""``/api/menu`` and ``/api/orders...``: forwarded to the order service (``/api`` stripped) with the caller's
token, ``Idempotency-Key``, request id and query string; the answer comes back as the order service gave it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from starlette.requests import ClientDisconnect

from login_service.dependencies import DownstreamDep, SettingsDep
from service_kit.log import request_id_var

FORWARDED_HEADERS = ("authorization", "idempotency-key", "content-type", "accept")
SERVICE = "order service"
_json_body: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
}
_unavailable: dict[int | str, dict[str, Any]] = {
    503: {"description": "order service unavailable"},
    504: {"description": "order service timed out"},
}
router = APIRouter(prefix="/api", tags=["proxy"], responses=_unavailable)
# Ids are checked here so a forwarded path can never be rewritten (``..``, ``/``) on its way down.
OrderId = Annotated[str, Path(pattern=r"^[0-9A-Za-z]{1,64}$")]


async def forward(request: Request, downstream: DownstreamDep, settings: SettingsDep, path: str) -> Response:
    headers = {name: request.headers[name] for name in FORWARDED_HEADERS if name in request.headers}
    headers["x-request-id"] = request_id_var.get() or ""
    try:
        body = await request.body() if request.method in ("POST", "PATCH") else None
    except ClientDisconnect:  # the caller left mid-body: nothing to forward, nobody to answer
        return Response(status_code=400)
    return await downstream.call(
        SERVICE,
        request.method,
        settings.order_service_url + path,
        headers=headers,
        params=request.query_params.multi_items(),
        content=body,
    )


@router.get("/menu")
async def menu(request: Request, downstream: DownstreamDep, settings: SettingsDep) -> Response:
    return await forward(request, downstream, settings, "/menu")


@router.post("/orders", openapi_extra=_json_body)
async def create_order(request: Request, downstream: DownstreamDep, settings: SettingsDep) -> Response:
    return await forward(request, downstream, settings, "/orders")


@router.get("/orders")
async def list_orders(request: Request, downstream: DownstreamDep, settings: SettingsDep) -> Response:
    return await forward(request, downstream, settings, "/orders")


@router.get("/orders/{order_id}")
async def get_order(order_id: OrderId, request: Request, downstream: DownstreamDep, settings: SettingsDep) -> Response:
    return await forward(request, downstream, settings, f"/orders/{order_id}")


@router.post("/orders/{order_id}/cancel")
async def cancel_order(
    order_id: OrderId, request: Request, downstream: DownstreamDep, settings: SettingsDep
) -> Response:
    return await forward(request, downstream, settings, f"/orders/{order_id}/cancel")


@router.patch("/orders/{order_id}/status", openapi_extra=_json_body)
async def set_order_status(
    order_id: OrderId, request: Request, downstream: DownstreamDep, settings: SettingsDep
) -> Response:
    return await forward(request, downstream, settings, f"/orders/{order_id}/status")
