"""Hostile header bytes (non-ASCII, control characters) are a 4xx from either service, never a 500 or a traceback.

Sent over a real socket with http.client: httpx would refuse to encode them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from local import pidfiles
from local.platform import Platform
from tests.e2e.raw_http import raw_request

pytestmark = pytest.mark.e2e

# UTF-8 text, a lone high byte, a C0 control, DEL.
HOSTILE_VALUES = {"utf8": b"caf\xc3\xa9", "latin1": b"\xff\xfe", "control": b"a\x01b", "del": b"a\x7fb"}
HEADERS = ("Authorization", "Idempotency-Key", "X-Request-ID", "Accept-Language", "Content-Type", "Accept")
ORDER_BODY = b'{"items": [{"sku": "nope", "quantity": 1}]}'


@pytest.fixture(scope="module")
def token(platform: Platform) -> Iterator[str]:
    with httpx.Client(base_url=platform.login_url, timeout=10.0) as http:
        email, password = f"hostile-{uuid.uuid4().hex[:10]}@example.com", "rye-bread-" + uuid.uuid4().hex[:8]
        body = {"email": email, "password": password, "name": "Hostile", "phone": "+82 10-5555-0199"}
        assert http.post("/auth/signup", json=body).status_code == 201
        login = http.post("/auth/login", json={"email": email, "password": password})
        assert login.status_code == 200, login.text
        yield login.json()["access_token"]


def headers_with(token: str, name: str, value: bytes) -> list[tuple[str, bytes]]:
    """A valid request's headers, with ``name`` replaced by the hostile ``value``."""
    headers = {
        "Authorization": b"Bearer " + token.encode(),
        "Content-Type": b"application/json",
        "Accept": b"application/json",
    }
    headers[name] = b"Bearer " + value if name == "Authorization" else value
    return list(headers.items())


def assert_refused(answer_status: int, body: bytes, name: str, value_kind: str) -> None:
    assert 400 <= answer_status < 500, f"{name}={value_kind}: {answer_status} {body[:200]!r}"
    assert b"Traceback" not in body
    if value_kind in ("utf8", "latin1"):  # uvicorn's parser lets these through: our guard answers, in JSON
        assert answer_status == (401 if name == "Authorization" else 400)
        assert b"printable ASCII" in body


@pytest.mark.parametrize("value_kind", sorted(HOSTILE_VALUES))
@pytest.mark.parametrize("name", HEADERS)
@pytest.mark.parametrize(
    ("service", "method", "path"),
    [
        ("login", "POST", "/api/orders"),
        ("login", "GET", "/api/orders"),
        ("login", "POST", "/auth/login"),
        ("order", "POST", "/orders"),
        ("order", "GET", "/menu"),
    ],
)
def test_given_a_hostile_header_then_the_answer_is_4xx_without_a_traceback(
    platform: Platform, token: str, service: str, method: str, path: str, name: str, value_kind: str
) -> None:
    # Given a request otherwise valid, with one header carrying hostile bytes
    base = platform.login_url if service == "login" else platform.order_url
    body = ORDER_BODY if method == "POST" else b""
    # When it is sent over a raw socket
    answer = raw_request(base, method, path, headers_with(token, name, HOSTILE_VALUES[value_kind]), body)
    # Then it is refused with a 4xx, never a 500
    assert_refused(answer.status, answer.body, name, value_kind)


def test_given_hostile_headers_then_the_services_logged_no_traceback(platform: Platform, token: str) -> None:
    # Given the hostile requests above (run first in this module) and one more of each kind here
    for name in HEADERS:
        for value in HOSTILE_VALUES.values():
            raw_request(platform.login_url, "POST", "/api/orders", headers_with(token, name, value), ORDER_BODY)
    # Then neither service's log holds a traceback or an unhandled error
    for component in ("login", "order"):
        log = pidfiles.log_path(platform.settings.run_dir, component).read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in log, component
        assert "unhandled error" not in log, component


def test_given_printable_headers_then_the_same_request_goes_through(platform: Platform, token: str) -> None:
    # Given the same request with printable values: the guard does not refuse what is valid
    headers = headers_with(token, "Idempotency-Key", uuid.uuid4().hex.encode())
    headers += [("Accept-Language", b"ko-KR,ko;q=0.9"), ("X-Request-ID", b"e2e-printable-1")]
    answer = raw_request(platform.login_url, "POST", "/api/orders", headers, ORDER_BODY)
    # Then the order service decides (422: unknown sku), and the request id comes back
    assert answer.status == 422, answer.body
    assert answer.headers["X-Request-ID"] == "e2e-printable-1"
