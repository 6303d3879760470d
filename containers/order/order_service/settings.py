from __future__ import annotations

from pydantic import Field

from service_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    jwks_url: str = "http://127.0.0.1:8080/.well-known/jwks.json"
    jwt_issuer: str = "tlj-login"
    jwt_audience: str = "tlj-api"
    jwks_cache_seconds: float = Field(default=300, ge=0)
    # Unknown ``kid``s trigger at most one JWKS refetch per this many seconds (forged kids cannot flood it).
    jwks_min_refetch_seconds: float = Field(default=10, ge=0)
    # A key gone from the JWKS (rotated out) still verifies this long after it was last listed: at least the
    # gateway's TOKEN_TTL_SECONDS (900) plus leeway, so no token outlives its key.
    jwks_key_retention_seconds: float = Field(default=960, ge=0)
    # The menu (a whole-table Scan) is served from memory this long; prices of new orders are always read fresh.
    menu_cache_seconds: float = Field(default=30, ge=0)
    jwks_timeout_seconds: float = Field(default=2, gt=0, le=10)
