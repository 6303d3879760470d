from __future__ import annotations

import pytest

from login_service.keys import SigningKey, new_pem, signing_key_from_pem


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def signing_key() -> SigningKey:
    return signing_key_from_pem(new_pem())
