from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from login_service.client_address import client_address
from login_service.dependencies import AuthServiceDep, SettingsDep
from login_service.models import LoginRequest, SignupRequest, SignupResponse, TokenResponse

router = APIRouter(tags=["auth"])


_TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {"description": "too many attempts from this client or for this account; see Retry-After"}
}
_BUSY: dict[int | str, dict[str, Any]] = {503: {"description": "every password-hashing slot is busy; see Retry-After"}}


@router.post(
    "/auth/signup",
    status_code=201,
    responses={409: {"description": "email already registered"}, **_TOO_MANY, **_BUSY},
)
def signup(
    body: Annotated[SignupRequest, Body()], service: AuthServiceDep, settings: SettingsDep, request: Request
) -> SignupResponse:
    return SignupResponse(customer_id=service.signup(body, client=client_address(request, settings.trusted_proxy_hops)))


@router.post("/auth/login", responses={401: {"description": "invalid email or password"}, **_TOO_MANY, **_BUSY})
def login(
    body: Annotated[LoginRequest, Body()], service: AuthServiceDep, settings: SettingsDep, request: Request
) -> TokenResponse:
    return service.login(body, client=client_address(request, settings.trusted_proxy_hops))
