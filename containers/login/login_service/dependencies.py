"""FastAPI dependencies of the gateway."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from login_service.auth_logic import AuthService
from login_service.downstream import Downstream
from login_service.keys import SigningKey
from login_service.settings import Settings
from service_kit.jwt_auth import InvalidTokenError, Principal, unverified_kid, verify_token

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /auth/login")


def settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


def auth_service(request: Request) -> AuthService:
    value: AuthService = request.app.state.auth_service
    return value


def downstream(request: Request) -> Downstream:
    value: Downstream = request.app.state.downstream
    return value


def signing_key(request: Request) -> SigningKey:
    value: SigningKey = request.app.state.signing_key
    return value


def local_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The caller, from a token verified with this gateway's own public key."""
    if credentials is None or not credentials.credentials:
        raise InvalidTokenError("missing bearer token")
    token = credentials.credentials
    key = signing_key(request)
    if unverified_kid(token) != key.kid:
        raise InvalidTokenError("token signed with an unknown key")
    config = settings(request)
    return verify_token(token, key.public_key, issuer=config.jwt_issuer, audience=config.jwt_audience)


SettingsDep = Annotated[Settings, Depends(settings)]
AuthServiceDep = Annotated[AuthService, Depends(auth_service)]
DownstreamDep = Annotated[Downstream, Depends(downstream)]
SigningKeyDep = Annotated[SigningKey, Depends(signing_key)]
LocalPrincipalDep = Annotated[Principal, Depends(local_principal)]
