"""FastAPI dependencies: the caller (from a verified bearer token) and the order service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from order_service.jwks import TokenVerifier
from order_service.orders_logic import OrderService
from service_kit.jwt_auth import InvalidTokenError, Principal

_bearer = HTTPBearer(auto_error=False, description="Access token issued by the login gateway")


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise InvalidTokenError("missing bearer token")
    verifier: TokenVerifier = request.app.state.verifier
    return await verifier.verify(credentials.credentials)


def order_service(request: Request) -> OrderService:
    service: OrderService = request.app.state.order_service
    return service


PrincipalDep = Annotated[Principal, Depends(current_principal)]
OrderServiceDep = Annotated[OrderService, Depends(order_service)]
