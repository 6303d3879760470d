"""Verification of the platform's access tokens (EdDSA JWTs), shared by the gateway and the order service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt
from fastapi import HTTPException

ALGORITHMS = ["EdDSA"]
REQUIRED_CLAIMS = ["sub", "iss", "aud", "iat", "nbf", "exp"]
LEEWAY_SECONDS = 5
ROLES = frozenset({"customer", "staff"})


@dataclass(frozen=True, kw_only=True)
class Principal:
    """Who is calling, as stated by a verified token."""

    subject: str
    role: str
    name: str
    phone: str

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"


class InvalidTokenError(HTTPException):
    """401 with ``WWW-Authenticate: Bearer`` (RFC 6750)."""

    def __init__(self, detail: str = "invalid or missing bearer token") -> None:
        super().__init__(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header."""
    if not authorization:
        raise InvalidTokenError("missing bearer token")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise InvalidTokenError("authorization header must be 'Bearer <token>'")
    return token


def unverified_kid(token: str) -> str:
    """The header's ``kid``; refuses tokens not claiming EdDSA before any key is looked up."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidTokenError("malformed token") from exc
    if header.get("alg") not in ALGORITHMS:
        raise InvalidTokenError("unsupported token algorithm")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidTokenError("token has no key id")
    return kid


def verify_token(token: str, key: Any, *, issuer: str, audience: str) -> Principal:
    """Checks signature (EdDSA only), expiry, not-before, issuer and audience; returns the caller."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=ALGORITHMS,
            issuer=issuer,
            audience=audience,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(f"invalid token: {exc}") from exc
    return principal_from_claims(claims)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    subject = claims.get("sub")
    role = claims.get("role", "customer")
    name = claims.get("name", "")
    phone = claims.get("phone", "")
    if not isinstance(subject, str) or not subject:
        raise InvalidTokenError("token has no subject")
    if role not in ROLES or not isinstance(name, str) or not isinstance(phone, str):
        raise InvalidTokenError("token has malformed claims")
    return Principal(subject=subject, role=role, name=name, phone=phone)
