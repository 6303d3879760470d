"""``/healthz`` (the process answers; touches nothing) and ``/readyz`` (its DynamoDB tables are reachable)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

_log = logging.getLogger("tlj.health")


@dataclass(frozen=True, kw_only=True)
class DynamoReadiness:
    """Ready when ``DescribeTable`` succeeds for every table the service uses."""

    client: Any
    tables: Sequence[str]

    def unreachable(self) -> list[str]:
        failed = []
        for table in self.tables:
            try:
                self.client.describe_table(TableName=table)
            except (BotoCoreError, ClientError) as exc:
                _log.warning("table not reachable", extra={"table": table, "error": str(exc)})
                failed.append(table)
        return failed


def _app_readiness(request: Request) -> DynamoReadiness:
    readiness = request.app.state.readiness
    assert isinstance(readiness, DynamoReadiness)
    return readiness


def health_router(readiness: Callable[[Request], DynamoReadiness] = _app_readiness) -> APIRouter:
    """Health endpoints; by default the readiness probe is ``app.state.readiness`` (set in the lifespan)."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", responses={503: {"description": "a table is unreachable"}})
    async def readyz(request: Request) -> JSONResponse:
        failed = await run_in_threadpool(readiness(request).unreachable)
        if failed:
            return JSONResponse({"detail": f"not ready: unreachable tables {', '.join(failed)}"}, status_code=503)
        return JSONResponse({"status": "ready"})

    return router
