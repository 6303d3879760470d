from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator

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
    # The key source is re-read this often (and on SIGHUP), so a rotation needs no restart.
    signing_key_refresh_seconds: float = Field(default=300, gt=0)
    # Whole budget of one downstream call (connect + send + wait + read); the contract is "under 3 s".
    downstream_timeout_seconds: float = Field(default=2.5, gt=0, lt=3)
    # Password hashing (login_service/passwords.py): concurrent argon2id hashes per process, and how long a
    # request waits for one before a 503 + Retry-After. 2 x 19 MiB fits the pod's memory with room to spare.
    password_hash_concurrency: int = Field(default=2, ge=1, le=8)
    password_hash_wait_seconds: float = Field(default=5.0, gt=0, le=10)
    # Brute force (login_service/throttle.py), counted in the shared throttle table. Per account it is on
    # everywhere (429 by the 10th failure at the latest); the per-address defaults are loose enough for many
    # users behind one address (make load, the e2e suites on loopback): the login Deployment sets the cloud's.
    throttle_table: str = "tlj-local-throttle"
    account_failures_before_backoff: int = Field(default=5, ge=1, le=9)
    address_failures_before_backoff: int = Field(default=100_000, ge=1)
    backoff_base_seconds: float = Field(default=1.0, gt=0, le=60)
    backoff_max_seconds: int = Field(default=900, ge=1, le=3600)
    failure_window_seconds: int = Field(default=900, ge=60, le=24 * 3600)
    signups_per_address: int = Field(default=100_000, ge=1)
    signup_window_seconds: int = Field(default=3600, ge=60, le=24 * 3600)
    # Proxies in front of the gateway whose X-Forwarded-For entries are trusted: 1 behind the ALB, 0 locally.
    trusted_proxy_hops: int = Field(default=0, ge=0, le=5)
    # Key of the keyed email digest in failed-login logs, so that one account's failures correlate across pods:
    # EMAIL_HASH_KEY itself, or the Secrets Manager secret holding it (the CDK app generates one per environment).
    # Neither: a random key per process (digests then match only within one pod, as on the laptop).
    email_hash_key: SecretStr | None = None
    email_hash_key_secret_id: str | None = None

    @field_validator("recommendation_api_url", "signing_key_secret_id", "email_hash_key_secret_id", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("order_service_url", "recommendation_api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value
