"""The client's address as the platform sees it: the socket peer, or what the trusted proxies recorded.

Behind the ALB, the right-most ``X-Forwarded-For`` entry is the one the ALB appended (the address it accepted
the connection from); entries to its left were sent by the client and can be anything ("X-Forwarded-For",
Elastic Load Balancing user guide). ``trusted_hops`` is the number of proxies in front of us: 1 behind the
ALB, 0 on the laptop (the socket peer is used and the header ignored).
"""

from __future__ import annotations

import ipaddress

from starlette.requests import Request


def client_address(request: Request, trusted_hops: int) -> str:
    peer = request.client.host if request.client else "unknown"
    if trusted_hops <= 0:
        return peer
    forwarded = [part.strip() for value in request.headers.getlist("x-forwarded-for") for part in value.split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < trusted_hops:
        return peer
    try:
        return str(ipaddress.ip_address(forwarded[-trusted_hops]))
    except ValueError:
        return peer
