"""The same customers with the gateway taken out of their storefront calls: the baseline of ``benchmarks.capacity``.

Chosen with ``LOAD_TARGET=direct`` (``python -m local.load --target direct``), which ``loadgen.customer.Customer``
reads when a user starts. Signup and login still go through the gateway (the host), once per user as always, since
only the gateway issues tokens; every other call goes where the gateway would have sent it:

- the order service's calls to ``LOAD_ORDER_URL``, on its own paths (the gateway's without ``/api``, shared
  ARCHITECTURE.md "Order service"), with the gateway's token, which the order service verifies against the JWKS;
- recommendations to the recommendation API at ``LOAD_RECO_URL`` (the local adapter, no SigV4 on the laptop), with
  the token's customer as ``customer_id``, as the gateway asks it (login_service/recommendations.py).

Tasks, weights, think time, retries and records stay the customer's, so the reconciliation holds as it does through
the gateway. Labels are the paths called (``POST /orders``, ``GET /recommendations``), so a direct run's statistics
never pass for the gateway's; each gets the p95 limit of its gateway label (``p95_without_gateway``). Local tooling
only: in the cluster the order service admits only the gateway (and the release check below).

``LOAD_TARGET=preview`` is the release check's (the ``release-smoke`` AnalysisTemplate, k8s/base/order): only the
order service's calls go to ``LOAD_ORDER_URL`` (the ``order-preview`` Service, i.e. the new version before
promotion), while signup, login and recommendations keep going through the gateway, which is the only way a pod in
the cluster gets a token and reaches the recommendation API (SigV4, the gateway's role). No secret is involved: the
check signs up fresh customers and logs them in like any other client.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from loadgen.thresholds import Thresholds

TARGET_ENV, ORDER_URL_ENV, RECO_URL_ENV = "LOAD_TARGET", "LOAD_ORDER_URL", "LOAD_RECO_URL"
TARGETS = ("gateway", "direct")  # what ``python -m local.load --target`` offers
ENV_TARGETS = (*TARGETS, "preview")  # what LOAD_TARGET accepts: ``preview`` is the in-cluster release check
API_PREFIX = "/api"
RECOMMENDATIONS = "/api/recommendations"


@dataclass(frozen=True, kw_only=True)
class DirectRoutes:
    order_url: str
    reco_url: str | None  # None: recommendations through the gateway (the preview target)

    def route(self, path: str, name: str, customer_id: str | None) -> tuple[str, str]:
        """The URL and label of a storefront call (a gateway path and its label) without the gateway."""
        if path.startswith(RECOMMENDATIONS):
            if self.reco_url is None:
                return path, name  # through the gateway, which signs the call to the recommendation API
            if customer_id is None:
                raise ValueError("a recommendation without the gateway needs the customer's id")
            query = urlsplit(path).query
            customer = f"customer_id={quote(customer_id, safe='')}"
            return f"{self.reco_url}/recommendations?{customer}{'&' + query if query else ''}", "GET /recommendations"
        if path.startswith(API_PREFIX + "/"):
            return self.order_url + path.removeprefix(API_PREFIX), label_without_gateway(name)
        return path, name  # /auth/...: the gateway, the only one that signs up, logs in and issues tokens


def label_without_gateway(name: str) -> str:
    """``POST /api/orders`` -> ``POST /orders``: the label of the same call made without the gateway."""
    method, _, path = name.partition(" ")
    return f"{method} {path.removeprefix(API_PREFIX)}"


def p95_without_gateway(limits: Thresholds) -> str:
    """``LOAD_P95_MS`` for a direct run: ``limits`` as they are, each endpoint's also under its direct label, so that
    both paths are judged alike (recommendations get their 2 s whichever way they are asked)."""
    endpoints = dict(limits.endpoint_p95_ms)
    endpoints.update({label_without_gateway(label): ms for label, ms in limits.endpoint_p95_ms.items()})
    return ",".join([f"{limits.default_p95_ms:g}", *(f"{label}={ms:g}" for label, ms in sorted(endpoints.items()))])


def from_env(env: Mapping[str, str]) -> DirectRoutes | None:
    """None for the gateway (the default); the routes for ``LOAD_TARGET=direct`` or ``preview``; ValueError for
    anything else or a missing URL."""
    target = env.get(TARGET_ENV) or "gateway"
    if target not in ENV_TARGETS:
        raise ValueError(f"{TARGET_ENV} must be one of {', '.join(ENV_TARGETS)}, not {target!r}")
    if target == "gateway":
        return None
    needed = (ORDER_URL_ENV, RECO_URL_ENV) if target == "direct" else (ORDER_URL_ENV,)
    missing = [name for name in needed if not env.get(name)]
    if missing:
        hint = "python -m local.load sets them" if target == "direct" else "the release-smoke AnalysisTemplate sets it"
        raise ValueError(f"{TARGET_ENV}={target} needs {' and '.join(missing)} ({hint})")
    order_url = _base_url(env[ORDER_URL_ENV], ORDER_URL_ENV)
    reco_url = _base_url(env[RECO_URL_ENV], RECO_URL_ENV) if target == "direct" else None
    return DirectRoutes(order_url=order_url, reco_url=reco_url)


def _base_url(raw: str, name: str) -> str:
    """An absolute http(s) URL without a trailing slash; a relative or other-scheme value is refused, since Locust
    would otherwise send it to the gateway (a relative path joins the host) and the check would test the wrong pods."""
    url = raw.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{name} must be an absolute http(s) base URL, not {raw!r}")
    return url
