"""The login service's public keys (JWKS), fetched over HTTP and cached per ``kid``.

The JWKS is refetched every ``cache_seconds``; a token with an unknown ``kid`` triggers one refetch, at most once
per ``min_refetch_seconds`` so that forged kids cannot flood the login service. Each key is held until
``key_retention_seconds`` after the last fetch that listed it: a fetch adds and renews keys but never drops one,
so a key rotated out of the JWKS keeps verifying its tokens until then (keep it at least the token lifetime).
When a refresh fails, the keys held keep serving; with none held, verification is unavailable (503), not 401.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import jwt

from service_kit.errors import UnavailableError
from service_kit.jwt_auth import InvalidTokenError, Principal, unverified_kid, verify_token

JwksFetcher = Callable[[], Awaitable[Any]]
_log = logging.getLogger(__name__)


class JwksUnavailableError(UnavailableError):
    def __init__(self) -> None:
        super().__init__("token verification unavailable: signing keys cannot be fetched")


def http_fetcher(client: httpx.AsyncClient, url: str) -> JwksFetcher:
    async def fetch() -> Any:
        response = await client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        return response.json()

    return fetch


def parse_jwks(document: Any) -> dict[str, jwt.PyJWK]:
    """Signing keys by kid: OKP (Ed25519) keys meant for signatures; anything else is ignored."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document")
    keys = {}
    for raw in document["keys"]:
        if not isinstance(raw, dict) or raw.get("kty") != "OKP" or raw.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK.from_dict(raw)
        except jwt.PyJWTError:
            continue
        if key.key_id:
            keys[key.key_id] = key
    return keys


class JwksCache:
    def __init__(
        self,
        fetch: JwksFetcher,
        *,
        cache_seconds: float,
        min_refetch_seconds: float,
        key_retention_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._cache_seconds = cache_seconds
        self._min_refetch_seconds = min_refetch_seconds
        self._key_retention_seconds = key_retention_seconds
        self._clock = clock
        self._keys: dict[str, tuple[jwt.PyJWK, float]] = {}  # kid -> (key, held until)
        self._refresh_at = float("-inf")  # when the held keys are due for a refresh
        self._attempted_at = float("-inf")
        self._generation = 0
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK:
        if self._clock() >= self._refresh_at:
            await self._refresh(self._generation)
        if self._held(kid) is None and self._clock() - self._attempted_at >= self._min_refetch_seconds:
            await self._refresh(self._generation)
        key = self._held(kid)
        if key is None:
            raise InvalidTokenError("token signed with an unknown key")
        return key

    def _held(self, kid: str) -> jwt.PyJWK | None:
        key, until = self._keys.get(kid, (None, 0.0))
        return key if self._clock() < until else None

    async def _refresh(self, seen_generation: int) -> None:
        async with self._lock:
            if self._generation == seen_generation:
                await self._fetch_keys()
            if not any(until > self._clock() for _, until in self._keys.values()):
                raise JwksUnavailableError()

    async def _fetch_keys(self) -> None:
        self._generation += 1
        self._attempted_at = self._clock()
        try:
            keys = parse_jwks(await self._fetch())
        except (httpx.HTTPError, ValueError) as exc:
            _log.warning("JWKS fetch failed", extra={"error": repr(exc)})
            # Keep serving the keys held, and try again soon rather than on every request.
            self._refresh_at = self._clock() + self._min_refetch_seconds
            return
        now = self._clock()
        self._keys = {kid: entry for kid, entry in self._keys.items() if entry[1] > now}
        self._keys.update({kid: (key, now + self._key_retention_seconds) for kid, key in keys.items()})
        self._refresh_at = now + self._cache_seconds


class TokenVerifier:
    def __init__(self, cache: JwksCache, *, issuer: str, audience: str) -> None:
        self._cache = cache
        self._issuer = issuer
        self._audience = audience

    async def verify(self, token: str) -> Principal:
        jwk = await self._cache.key(unverified_kid(token))
        return verify_token(token, jwk.key, issuer=self._issuer, audience=self._audience)
