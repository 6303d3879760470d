"""JSON error answers: ``{"detail": ...}`` for every failure, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service_kit.log import request_id_var
from service_kit.request_context import REQUEST_ID_HEADER

_log = logging.getLogger("tlj.errors")


class DomainError(Exception):
    """A rule of the service was broken; ``status_code`` says how the client hears about it."""

    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequestError(DomainError):
    status_code = 400


class ForbiddenError(DomainError):
    status_code = 403


class NotFoundError(DomainError):
    status_code = 404


class ConflictError(DomainError):
    status_code = 409


class UnprocessableError(DomainError):
    status_code = 422


class UnavailableError(DomainError):
    status_code = 503


def validation_details(errors: Any) -> list[dict[str, Any]]:
    """FastAPI's error list without ``input``/``ctx`` (they may echo secrets such as passwords)."""
    details = []
    for error in errors:
        message = str(error.get("msg", "invalid value"))
        if error.get("type") == "json_invalid":
            message = f"{message}: {error.get('ctx', {}).get('error', 'malformed JSON')}"
        details.append({"loc": list(error.get("loc", ())), "msg": message, "type": str(error.get("type", ""))})
    return details


async def _http_exception(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": validation_details(exc.errors())}, status_code=422)


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)


async def _storage_error(_: Request, exc: Exception) -> JSONResponse:
    # DynamoDB unreachable or throttling after botocore's retries: the client may retry later.
    _log.error("storage error", extra={"error": repr(exc)})
    return JSONResponse({"detail": "storage temporarily unavailable"}, status_code=503, headers={"Retry-After": "1"})


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    _log.error("unhandled error", exc_info=exc)
    # This answer is sent from outside every middleware (Starlette's ServerErrorMiddleware), so the request id
    # and the security headers (app.state.security_headers, set by install_service_kit) are added here.
    # (asgi-correlation-id cannot add its header to these: snok/asgi-correlation-id#19)
    headers = dict(getattr(request.app.state, "security_headers", {}))
    request_id = request_id_var.get()
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    return JSONResponse({"detail": "internal server error"}, status_code=500, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(BotoCoreError, _storage_error)
    app.add_exception_handler(ClientError, _storage_error)
    app.add_exception_handler(Exception, _unexpected)
