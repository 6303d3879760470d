"""Response headers browsers act on, set with the ``secure`` library on every answer of a service.

``X-Content-Type-Options: nosniff``, a restrictive ``Content-Security-Policy`` (same-origin only, no inline
script: the storefront the gateway serves loads its scripts from files; Trusted Types enforced),
``Referrer-Policy``, ``Cross-Origin-Opener-Policy``, a ``Permissions-Policy`` denying camera, microphone,
geolocation and payment, framing refused,
and ``Strict-Transport-Security`` when ``hsts_enabled`` (in the cloud, behind TLS; off on the laptop's plain
HTTP). ``Cache-Control: no-store`` is added on the paths in ``no_store_prefixes`` (the gateway's ``/auth``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from secure import (
    CacheControl,
    ContentSecurityPolicy,
    CrossOriginOpenerPolicy,
    PermissionsPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)
from secure.middleware.asgi import SecureASGIMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

HSTS_MAX_AGE_SECONDS = 365 * 24 * 3600


def content_security_policy() -> ContentSecurityPolicy:
    """Same origin for everything, scripts from files only (no ``'unsafe-inline'``), no plugins, no framing.

    ``require-trusted-types-for 'script'`` with no policy allowed (``trusted-types 'none'``) makes Chromium refuse
    every string-to-HTML sink (``innerHTML``, ``outerHTML``, ``insertAdjacentHTML``, ``document.write``): the
    storefront builds its DOM with ``textContent`` only, so a product or customer name holding markup stays text,
    and a regression throws instead of rendering (W3C Trusted Types, "Enforcement in injection sinks").
    """
    return (
        ContentSecurityPolicy()
        .default_src("'self'")
        .script_src("'self'")
        .style_src("'self'")
        .img_src("'self'")
        .object_src("'none'")
        .base_uri("'self'")
        .form_action("'self'")
        .frame_ancestors("'none'")
        .require_trusted_types_for("'script'")
        .trusted_types("'none'")
    )


def security_policy(*, hsts: bool) -> Secure:
    """The headers every answer carries."""
    return Secure(
        csp=content_security_policy(),
        hsts=StrictTransportSecurity().max_age(HSTS_MAX_AGE_SECONDS).include_subdomains() if hsts else None,
        coop=CrossOriginOpenerPolicy().same_origin(),
        permissions=PermissionsPolicy().camera().microphone().geolocation().payment(),
        referrer=ReferrerPolicy().no_referrer(),
        xcto=XContentTypeOptions().nosniff(),
        xfo=XFrameOptions().deny(),
    )


def no_store_policy() -> Secure:
    return Secure(cache=CacheControl().no_store())


class SecurityHeadersMiddleware:
    """``secure``'s ASGI middleware for every answer, plus ``no-store`` on answers under ``no_store_prefixes``."""

    def __init__(self, app: ASGIApp, *, hsts: bool, no_store_prefixes: Sequence[str] = ()) -> None:
        self._no_store_prefixes = tuple(no_store_prefixes)
        self._no_store = SecureASGIMiddleware(app, secure=no_store_policy())
        self._everywhere = SecureASGIMiddleware(self._route_no_store, secure=security_policy(hsts=hsts))
        self._app = app

    async def _route_no_store(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and self._no_store_prefixes and path.startswith(self._no_store_prefixes):
            await self._no_store(scope, receive, cast(Any, send))
        else:
            await self._app(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._everywhere(scope, receive, cast(Any, send))
