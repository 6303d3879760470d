"""Opaque pagination cursors: base64url JSON holding the last order id of a page.

The customer id is never in the cursor (it comes from the token), so a cursor cannot reach another
customer's orders.
"""

from __future__ import annotations

import base64
import binascii
import json

from order_service.ids import is_ulid
from service_kit.errors import BadRequestError


class InvalidCursorError(BadRequestError):
    def __init__(self) -> None:
        super().__init__("invalid cursor")


def encode_cursor(order_id: str) -> str:
    raw = json.dumps({"order_id": order_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> str:
    """The order id the next page starts after; ``InvalidCursorError`` for anything this service did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeError) as exc:
        raise InvalidCursorError() from exc
    order_id = payload.get("order_id") if isinstance(payload, dict) else None
    if not isinstance(order_id, str) or not is_ulid(order_id):
        raise InvalidCursorError()
    return order_id
