from __future__ import annotations

import stat
import threading
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

from login_service.customers_repository import Customer
from login_service.keys import SigningKey, read_or_create_pem, signing_key_from_pem, thumbprint
from login_service.tokens import TokenIssuer


def test_the_kid_is_the_rfc7638_thumbprint():
    # Given the Ed25519 example key of RFC 8037 appendix A.3, then its thumbprint is the RFC's
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert thumbprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_the_public_jwk_is_an_okp_signing_key(signing_key: SigningKey):
    jwk = signing_key.public_jwk()
    assert jwk["kty"] == "OKP"
    assert jwk["crv"] == "Ed25519"
    assert (jwk["alg"], jwk["use"], jwk["kid"]) == ("EdDSA", "sig", signing_key.kid)
    assert "d" not in jwk


def test_a_missing_key_file_is_created_once_with_owner_only_permissions(tmp_path: Path):
    path = tmp_path / "run" / "signing-key.pem"
    first = read_or_create_pem(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_or_create_pem(path) == first
    assert signing_key_from_pem(first).kid == signing_key_from_pem(path.read_bytes()).kid
    assert [p.name for p in path.parent.iterdir()] == ["signing-key.pem"]


def test_workers_starting_together_end_up_with_one_key(tmp_path: Path):
    path = tmp_path / "signing-key.pem"
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(read_or_create_pem(path))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1


def test_a_non_ed25519_key_is_refused():
    pem = generate_private_key(SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError, match="Ed25519"):
        signing_key_from_pem(pem)


def test_issued_tokens_carry_the_contract_claims(signing_key: SigningKey):
    issuer = TokenIssuer(
        key=signing_key, issuer="tlj-login", audience="tlj-api", ttl_seconds=900, clock=lambda: 1_700_000_000
    )
    customer = Customer(
        customer_id="c-1",
        email="a@b.co",
        password_hash="h",
        name="Kim",
        phone="+821012345678",
        role="customer",
        created_at="",
    )
    token = issuer.issue(customer)
    assert jwt.get_unverified_header(token)["kid"] == signing_key.kid
    claims = jwt.decode(
        token, signing_key.public_key, algorithms=["EdDSA"], audience="tlj-api", options={"verify_exp": False}
    )
    assert claims["sub"] == "c-1"
    assert (claims["iss"], claims["aud"], claims["role"], claims["name"], claims["phone"]) == (
        "tlj-login",
        "tlj-api",
        "customer",
        "Kim",
        "+821012345678",
    )
    assert claims["iat"] == claims["nbf"] == 1_700_000_000
    assert claims["exp"] == 1_700_000_900
    assert len(claims["jti"]) == 32
    assert issuer.issue(customer) != token  # a fresh jti each time
