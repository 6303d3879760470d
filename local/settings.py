"""Ports and paths of the local platform, read from the environment once."""

from __future__ import annotations

import shutil
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
REGION = "ap-northeast-2"
TABLE_PREFIX = "tlj-local"
# Debian's prometheus package, unpacked by the Makefile's prom-tools target (beside promtool).
PROMETHEUS_DEFAULT = REPO_ROOT / ".tools" / "usr" / "bin" / "prometheus"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class LocalSettings(BaseSettings):
    """``AWS_PORT``, ``LOGIN_PORT``, ``ORDER_PORT``, ``RECO_PORT``, ``LOGIN_METRICS_PORT``, ``ORDER_METRICS_PORT``,
    ``PROMETHEUS_PORT``, ``PROMETHEUS`` (the server binary), ``TLJ_RUN_DIR`` and ``TLJ_UP_TIMEOUT``.

    Keyword arguments win over the environment, which is how tests run an isolated instance.
    """

    model_config = SettingsConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    aws_port: int = Field(default=4566, ge=1, le=65535)
    login_port: int = Field(default=8080, ge=1, le=65535)
    order_port: int = Field(default=8081, ge=1, le=65535)
    reco_port: int = Field(default=8082, ge=1, le=65535)
    login_metrics_port: int = Field(default=9180, ge=1, le=65535)
    order_metrics_port: int = Field(default=9181, ge=1, le=65535)
    prometheus_port: int = Field(default=9090, ge=1, le=65535)
    # A path, or a bare name looked up on PATH (e.g. PROMETHEUS=prometheus after `brew install prometheus`).
    prometheus: str = Field(default=str(PROMETHEUS_DEFAULT), min_length=1, validation_alias="PROMETHEUS")
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
    def prometheus_url(self) -> str:
        return f"http://{HOST}:{self.prometheus_port}"

    @property
    def prometheus_binary(self) -> Path | None:
        """The Prometheus server to run, as an absolute path; None when ``PROMETHEUS`` names nothing executable."""
        found = shutil.which(self.prometheus)
        return Path(found).absolute() if found else None

    @property
    def signing_key_file(self) -> Path:
        return self.run_dir / "signing-key.pem"
