"""``/.well-known/jwks.json``: every public key a valid token may carry (the current key and the previous one)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from login_service.dependencies import SigningKeysDep

router = APIRouter(tags=["keys"])


@router.get("/.well-known/jwks.json")
def json_web_key_set(keys: SigningKeysDep, response: Response) -> dict[str, list[dict[str, str]]]:
    response.headers["Cache-Control"] = "public, max-age=300"
    return keys.ring.public_jwks()
