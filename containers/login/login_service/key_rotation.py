"""Rotating the signing key without logging anyone out: the secret's value in, the next value out.

    python -m login_service.key_rotation stage|promote|retire < current-value > next-value

``stage`` adds a new key as ``previous``: published in the JWKS, not signing yet. Once every gateway has re-read
the secret (``SIGNING_KEY_REFRESH_SECONDS``), ``promote`` swaps the two: the new key signs, the old one is still
published so its tokens verify until they expire. ``retire`` drops ``previous`` (a key that must stop verifying).
The value is a bare PEM or ``{"current": PEM, "previous": PEM | null}`` (see ``keys``); key material only ever
passes through stdin and stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from cryptography.hazmat.primitives import serialization

from login_service.keys import KeyRing, SigningKey, key_ring_from_secret, new_pem, signing_key_from_pem


def stage(value: bytes, new_key_pem: bytes | None = None) -> str:
    """``new_key_pem`` (a fresh key if None) published as ``previous``; the current key keeps signing."""
    ring = key_ring_from_secret(value)
    return secret_value(KeyRing(current=ring.current, previous=signing_key_from_pem(new_key_pem or new_pem())))


def promote(value: bytes) -> str:
    """The staged key signs from now on; the key it replaces stays published as ``previous``."""
    ring = key_ring_from_secret(value)
    if ring.previous is None:
        raise ValueError("nothing to promote: stage a new key first")
    return secret_value(KeyRing(current=ring.previous, previous=ring.current))


def retire(value: bytes) -> str:
    """Only the current key remains; tokens signed with the other one stop verifying once caches expire."""
    return secret_value(KeyRing(current=key_ring_from_secret(value).current))


def secret_value(ring: KeyRing) -> str:
    return json.dumps({"current": _pem(ring.current), "previous": _pem(ring.previous) if ring.previous else None})


def _pem(key: SigningKey) -> str:
    return key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m login_service.key_rotation",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("step", choices=("stage", "promote", "retire"))
    args = parser.parse_args(argv)
    value = sys.stdin.buffer.read()
    try:
        result = {"stage": stage, "promote": promote, "retire": retire}[args.step](value)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)  # noqa: T201 - a CLI's output
        return 1
    sys.stdout.write(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
