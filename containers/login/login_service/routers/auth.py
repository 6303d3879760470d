from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from login_service.dependencies import AuthServiceDep, SigningKeyDep
from login_service.models import LoginRequest, SignupRequest, SignupResponse, TokenResponse

router = APIRouter(tags=["auth"])


@router.post("/auth/signup", status_code=201, responses={409: {"description": "email already registered"}})
def signup(body: Annotated[SignupRequest, Body()], service: AuthServiceDep) -> SignupResponse:
    return SignupResponse(customer_id=service.signup(body))


@router.post("/auth/login", responses={401: {"description": "invalid email or password"}})
def login(body: Annotated[LoginRequest, Body()], service: AuthServiceDep) -> TokenResponse:
    return service.login(body)


@router.get("/.well-known/jwks.json", tags=["keys"])
def jwks(key: SigningKeyDep, response: Response) -> dict[str, list[dict[str, str]]]:
    response.headers["Cache-Control"] = "public, max-age=300"
    return {"keys": [key.public_jwk()]}
