from __future__ import annotations

import base64
import json

import pytest

from order_service.cursor import InvalidCursorError, decode_cursor, encode_cursor

ORDER_ID = "01HZY3Q4V8W9X0A1B2C3D4E5F6"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def test_a_cursor_round_trips_to_its_order_id():
    # Given a cursor made from an order id, when it is decoded, then the id comes back
    assert decode_cursor(encode_cursor(ORDER_ID)) == ORDER_ID


def test_a_cursor_is_opaque_and_url_safe():
    cursor = encode_cursor(ORDER_ID)
    assert ORDER_ID not in cursor
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "not-base64-at-all",
        b64(b"not json"),
        b64(b"[1, 2]"),
        b64(json.dumps({"order_id": 5}).encode()),
        b64(json.dumps({"order_id": "idem#abc"}).encode()),
        b64(json.dumps({"other": ORDER_ID}).encode()),
        b64(b"\xff\xfe"),
        "한글",
    ],
)
def test_anything_else_is_an_invalid_cursor(cursor: str):
    # Given a cursor this service did not make, when it is decoded, then it is refused as a 400
    with pytest.raises(InvalidCursorError) as caught:
        decode_cursor(cursor)
    assert caught.value.status_code == 400
