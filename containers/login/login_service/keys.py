"""The gateway's Ed25519 signing keys: from Secrets Manager (cloud) or a local PEM file made once if missing.

Both sources hold the same value: a bare PEM (the current key only), or JSON
``{"current": PEM, "previous": PEM | null}``. Tokens are signed with the current key; the JWKS publishes both, so
tokens signed with the previous key keep verifying after a rotation until they expire.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc.jwk import OKPKey
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
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of an OKP public key, computed by joserfc."""
    return OKPKey.import_key({name: jwk[name] for name in ("crv", "kty", "x")}).thumbprint()


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


@dataclass(frozen=True, kw_only=True)
class KeyRing:
    """The key that signs (``current``) and the one it replaced (``previous``), both published in the JWKS."""

    current: SigningKey
    previous: SigningKey | None = None

    @property
    def keys(self) -> tuple[SigningKey, ...]:
        return (self.current,) if self.previous is None else (self.current, self.previous)

    def by_kid(self, kid: str) -> SigningKey | None:
        return next((key for key in self.keys if key.kid == kid), None)

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [key.public_jwk() for key in self.keys]}


_FORMAT = 'a PEM, or JSON {"current": PEM, "previous": PEM or null}, of Ed25519 private keys'


def key_ring_from_secret(value: bytes) -> KeyRing:
    """A bare PEM (current key only) or JSON ``{"current": PEM, "previous": PEM | null}``; ValueError otherwise."""
    try:
        return _key_ring(value.decode("utf-8").strip())
    except (ValueError, TypeError) as exc:  # the message never quotes the value: it holds private keys
        raise ValueError(f"unreadable signing key secret ({type(exc).__name__}): {_FORMAT}") from None


def _key_ring(text: str) -> KeyRing:
    if not text.startswith("{"):
        return KeyRing(current=signing_key_from_pem(text.encode()))
    document = json.loads(text)
    if not isinstance(document, dict):
        raise TypeError("not a JSON object")
    current, previous = document.get("current"), document.get("previous")
    if not isinstance(current, str) or not (previous is None or isinstance(previous, str)):
        raise TypeError("current must be a PEM string, previous a PEM string or null")
    ring = KeyRing(
        current=signing_key_from_pem(current.encode()),
        previous=signing_key_from_pem(previous.encode()) if previous else None,
    )
    if ring.previous is not None and ring.previous.kid == ring.current.kid:
        return KeyRing(current=ring.current)
    return ring


def load_key_ring(*, secret_id: str | None, key_file: Path, secrets_client: Any = None) -> KeyRing:
    """Secrets Manager takes precedence when ``secret_id`` is set; otherwise the local key file."""
    if secret_id:
        return key_ring_from_secret(fetch_secret_bytes(secrets_client, secret_id))
    return key_ring_from_secret(read_or_create_pem(key_file))
