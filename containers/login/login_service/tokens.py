"""Issuing access tokens: EdDSA JWTs with the key id in the header, signed with the current key only."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import jwt

from login_service.customers_repository import Customer
from login_service.keys import SigningKey
from login_service.signing_keys import SigningKeys


@dataclass(frozen=True, kw_only=True)
class TokenIssuer:
    key: SigningKey | SigningKeys  # a live ring (the gateway) or one fixed key (tests)
    issuer: str
    audience: str
    ttl_seconds: int
    clock: Callable[[], float] = time.time

    def issue(self, customer: Customer) -> str:
        key = self.key.ring.current if isinstance(self.key, SigningKeys) else self.key
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
        return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
