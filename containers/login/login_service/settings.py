from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from service_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    order_service_url: str = "http://127.0.0.1:8081"
    recommendation_api_url: str | None = None
    recommendation_api_sigv4: bool = False
    jwt_issuer: str = "tlj-login"
    jwt_audience: str = "tlj-api"
    token_ttl_seconds: int = Field(default=900, ge=60, le=24 * 3600)
    signing_key_file: Path = Path(".run/signing-key.pem")
    signing_key_secret_id: str | None = None
    # Whole budget of one downstream call (connect + send + wait + read); the contract is "under 3 s".
    downstream_timeout_seconds: float = Field(default=2.5, gt=0, lt=3)

    @field_validator("recommendation_api_url", "signing_key_secret_id", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("order_service_url", "recommendation_api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value
