"""Secrets Manager access (the signing key's PEM in the cloud)."""

from __future__ import annotations

from typing import Any


def fetch_secret_bytes(client: Any, secret_id: str) -> bytes:
    response = client.get_secret_value(SecretId=secret_id)
    if "SecretString" in response:
        return str(response["SecretString"]).encode()
    return bytes(response["SecretBinary"])
