"""FastAPI dependencies of the gateway."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from login_service.auth_logic import AuthService
from login_service.downstream import Downstream
from login_service.settings import Settings
from login_service.signing_keys import SigningKeys
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


def signing_keys(request: Request) -> SigningKeys:
    value: SigningKeys = request.app.state.signing_keys
    return value


def local_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The caller, from a token verified with one of this gateway's own public keys (current or previous)."""
    if credentials is None or not credentials.credentials:
        raise InvalidTokenError("missing bearer token")
    token = credentials.credentials
    key = signing_keys(request).ring.by_kid(unverified_kid(token))
    if key is None:
        raise InvalidTokenError("token signed with an unknown key")
    config = settings(request)
    return verify_token(token, key.public_key, issuer=config.jwt_issuer, audience=config.jwt_audience)


SettingsDep = Annotated[Settings, Depends(settings)]
AuthServiceDep = Annotated[AuthService, Depends(auth_service)]
DownstreamDep = Annotated[Downstream, Depends(downstream)]
SigningKeysDep = Annotated[SigningKeys, Depends(signing_keys)]
LocalPrincipalDep = Annotated[Principal, Depends(local_principal)]
