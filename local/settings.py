"""Ports and paths of the local platform, read from the environment once."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
REGION = "ap-northeast-2"
TABLE_PREFIX = "tlj-local"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class LocalSettings(BaseSettings):
    """``AWS_PORT``, ``LOGIN_PORT``, ``ORDER_PORT``, ``RECO_PORT``, ``LOGIN_METRICS_PORT``, ``ORDER_METRICS_PORT``,
    ``TLJ_RUN_DIR`` and ``TLJ_UP_TIMEOUT``.

    Keyword arguments win over the environment, which is how tests run an isolated instance.
    """

    model_config = SettingsConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    aws_port: int = Field(default=4566, ge=1, le=65535)
    login_port: int = Field(default=8080, ge=1, le=65535)
    order_port: int = Field(default=8081, ge=1, le=65535)
    reco_port: int = Field(default=8082, ge=1, le=65535)
    login_metrics_port: int = Field(default=9180, ge=1, le=65535)
    order_metrics_port: int = Field(default=9181, ge=1, le=65535)
    run_dir: Path = Field(default=REPO_ROOT / ".run", validation_alias="TLJ_RUN_DIR")
    up_timeout: float = Field(default=60.0, gt=0, validation_alias="TLJ_UP_TIMEOUT")

    @field_validator("run_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        # Services run with the repository as working directory; a relative path would point elsewhere.
        return value.expanduser().resolve()

    @property
    def aws_url(self) -> str:
        return f"http://{HOST}:{self.aws_port}"

    @property
    def login_url(self) -> str:
        return f"http://{HOST}:{self.login_port}"

    @property
    def order_url(self) -> str:
        return f"http://{HOST}:{self.order_port}"

    @property
    def reco_url(self) -> str:
        return f"http://{HOST}:{self.reco_port}"

    @property
    def login_metrics_url(self) -> str:
        return f"http://{HOST}:{self.login_metrics_port}/metrics"

    @property
    def order_metrics_url(self) -> str:
        return f"http://{HOST}:{self.order_metrics_port}/metrics"

    @property
    def signing_key_file(self) -> Path:
        return self.run_dir / "signing-key.pem"
