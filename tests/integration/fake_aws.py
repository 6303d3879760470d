"""The one way integration tests point boto3 at moto: fake credentials, and no endpoint, profile or region taken
from the developer's environment (so nothing can ever reach real AWS)."""

from __future__ import annotations

import pytest

REGION = "ap-northeast-2"
_FROM_ENVIRONMENT = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION")


def fake_credentials(monkeypatch: pytest.MonkeyPatch, *, unset: tuple[str, ...] = (), **env: str) -> None:
    """Fake keys and ``REGION`` for boto3, the variables in ``unset`` removed, and ``env`` set; start ``mock_aws``
    after this and before creating any client."""
    for name in (*_FROM_ENVIRONMENT, *unset):
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        **env,
    }.items():
        monkeypatch.setenv(name, value)
