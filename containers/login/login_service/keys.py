"""The gateway's Ed25519 signing key: from Secrets Manager (cloud) or a local PEM file made once if missing."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm

from login_service.secrets_repository import fetch_secret_bytes


@dataclass(frozen=True, kw_only=True)
class SigningKey:
    private_key: Ed25519PrivateKey
    kid: str

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    def public_jwk(self) -> dict[str, str]:
        return {**okp_jwk(self.public_key), "kid": self.kid, "alg": "EdDSA", "use": "sig"}


def okp_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    jwk: dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(public_key))
    return {"kty": jwk["kty"], "crv": jwk["crv"], "x": jwk["x"]}


def thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url): the required OKP members, sorted, no whitespace."""
    required = {name: jwk[name] for name in ("crv", "kty", "x")}
    digest = hashlib.sha256(json.dumps(required, sort_keys=True, separators=(",", ":")).encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def signing_key_from_pem(pem: bytes) -> SigningKey:
    private_key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ValueError("the signing key must be an Ed25519 private key")
    return SigningKey(private_key=private_key, kid=thumbprint(okp_jwk(private_key.public_key())))


def new_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def read_or_create_pem(path: Path) -> bytes:
    """The PEM at ``path``; if there is none, a new key written there once, mode 0600.

    The new file appears atomically (hard link of a finished temp file), so concurrent workers starting
    together all end up with the one key that won.
    """
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")  # created 0600
    try:
        with os.fdopen(descriptor, "wb") as temp:
            temp.write(new_pem())
            temp.flush()
            os.fsync(temp.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temp_name, path)
    finally:
        os.unlink(temp_name)
    return path.read_bytes()


def load_signing_key(*, secret_id: str | None, key_file: Path, secrets_client: Any = None) -> SigningKey:
    """Secrets Manager takes precedence when ``secret_id`` is set; otherwise the local key file."""
    if secret_id:
        return signing_key_from_pem(fetch_secret_bytes(secrets_client, secret_id))
    return signing_key_from_pem(read_or_create_pem(key_file))
