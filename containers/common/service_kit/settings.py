"""Settings every service reads; each service's own settings class extends this one."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class ServiceSettings(BaseSettings):
    """Environment variables shared by both services (names are a contract with the local platform runner).

    ``AWS_ENDPOINT_URL`` is not a field: boto3 reads it (and ``AWS_ENDPOINT_URL_DYNAMODB``) by itself.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    aws_default_region: str = "ap-northeast-2"
    customers_table: str = "tlj-local-customers"
    orders_table: str = "tlj-local-orders"
    catalog_table: str = "tlj-local-catalog"
    log_level: LogLevel = "INFO"
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, le=10 * 1024 * 1024)
    # Prometheus metrics listen on a port of their own (None: not served, e.g. in-process tests). The images
    # set METRICS_PORT=9090 and METRICS_HOST=0.0.0.0; the local platform 127.0.0.1 and 9180/9181.
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"
    # Strict-Transport-Security on every answer: on in the cloud (TLS at the load balancer), off on plain HTTP.
    hsts_enabled: bool = False
    # /docs, /redoc and /openapi.json: development only.
    docs_enabled: bool = False

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value
