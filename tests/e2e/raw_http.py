"""Requests with raw header bytes over a real socket (httpx refuses to encode non-ASCII header values)."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def raw_request(
    base_url: str, method: str, path: str, headers: list[tuple[str, bytes]], body: bytes = b""
) -> RawAnswer:
    """Sends ``headers`` exactly as given (bytes values, no encoding or validation) and reads the answer."""
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        connection.putrequest(method, path)
        for name, value in headers:
            connection.putheader(name, value)
        if body or method in ("POST", "PATCH"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return RawAnswer(response.status, response.headers, response.read())
    finally:
        connection.close()
