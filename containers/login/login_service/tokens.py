"""Issuing access tokens: EdDSA JWTs with the key id in the header."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import jwt

from login_service.customers_repository import Customer
from login_service.keys import SigningKey


@dataclass(frozen=True, kw_only=True)
class TokenIssuer:
    key: SigningKey
    issuer: str
    audience: str
    ttl_seconds: int
    clock: Callable[[], float] = time.time

    def issue(self, customer: Customer) -> str:
        now = int(self.clock())
        claims = {
            "sub": customer.customer_id,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + self.ttl_seconds,
            "jti": uuid.uuid4().hex,
            "role": customer.role,
            "name": customer.name,
            "phone": customer.phone,
        }
        return jwt.encode(claims, self.key.private_key, algorithm="EdDSA", headers={"kid": self.key.kid})
