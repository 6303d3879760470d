"""Pass/fail limits of a load run: the failure ratio of all requests and the 95th percentile per endpoint.

Defaults live here, beside the locustfile; ``LOAD_MAX_FAIL_RATIO`` and ``LOAD_P95_MS`` override them:

    LOAD_MAX_FAIL_RATIO=0.05                      # up to 5 % of requests may fail
    LOAD_P95_MS=800                               # every endpoint's p95 at most 800 ms
    LOAD_P95_MS="800,POST /auth/login=3000"       # ... except the login, which may take 3 s
    LOAD_P95_MS="POST /api/orders=500"            # tighten one endpoint, keep the defaults for the others

A plain number replaces the default of every endpoint (the built-in per-endpoint values too); ``label=ms`` pairs
then set single endpoints. A run that made no request fails: a load test that did nothing proves nothing.

An endpoint's p95 is judged once it has ``LOAD_P95_MIN_SAMPLES`` requests (default 20): below that Locust's
95th percentile is simply the slowest request (one cold start, one scheduling hiccup on a busy laptop), not a
percentile. Every request counts towards the failure ratio whatever the endpoint's count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

DEFAULT_MAX_FAIL_RATIO = 0.01
DEFAULT_P95_MS = 1000.0
DEFAULT_P95_MIN_SAMPLES = 20
# Signup and login each run one argon2id hash (~45 ms of one core, login_service/passwords.py) and wait up to 5 s
# for one of the process's two hashing slots: deliberately slow, and queued rather than refused during a burst.
# Recommendations come from a Lambda behind API Gateway (cold starts in the cloud, the handler on the emulator here)
# and the storefront renders without them: they get twice the default, well inside the gateway's 2.5 s timeout.
DEFAULT_ENDPOINT_P95_MS: Mapping[str, float] = {
    "POST /auth/signup": 3000.0,
    "POST /auth/login": 3000.0,
    "GET /api/recommendations": 2000.0,
}


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    max_fail_ratio: float = DEFAULT_MAX_FAIL_RATIO
    default_p95_ms: float = DEFAULT_P95_MS
    endpoint_p95_ms: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_ENDPOINT_P95_MS))
    p95_min_samples: int = DEFAULT_P95_MIN_SAMPLES

    def p95_limit(self, endpoint: str) -> float:
        return self.endpoint_p95_ms.get(endpoint, self.default_p95_ms)

    def as_dict(self, endpoints: Iterable[str]) -> dict[str, object]:
        return {
            "max_fail_ratio": self.max_fail_ratio,
            "p95_ms": {endpoint: self.p95_limit(endpoint) for endpoint in sorted(endpoints)},
            "p95_min_samples": self.p95_min_samples,
        }


@dataclass(frozen=True, kw_only=True)
class EndpointStats:
    """What Locust measured for one request name (a stable label such as ``POST /api/orders``)."""

    name: str
    requests: int
    failures: int
    p95_ms: float


@dataclass(frozen=True, kw_only=True)
class Verdict:
    passed: bool
    violations: tuple[str, ...]


def from_env(env: Mapping[str, str]) -> Thresholds:
    """The defaults, overridden by ``LOAD_MAX_FAIL_RATIO``, ``LOAD_P95_MS`` and ``LOAD_P95_MIN_SAMPLES`` when set;
    bad values raise ValueError."""
    max_fail_ratio = DEFAULT_MAX_FAIL_RATIO
    if raw := env.get("LOAD_MAX_FAIL_RATIO", "").strip():
        max_fail_ratio = float(raw)
        if not 0.0 <= max_fail_ratio <= 1.0:
            raise ValueError(f"LOAD_MAX_FAIL_RATIO must be between 0 and 1, not {raw!r}")
    default_p95, endpoints = DEFAULT_P95_MS, dict(DEFAULT_ENDPOINT_P95_MS)
    if raw := env.get("LOAD_P95_MS", "").strip():
        default_p95, endpoints = _parse_p95(raw, default_p95, endpoints)
    min_samples = DEFAULT_P95_MIN_SAMPLES
    if raw := env.get("LOAD_P95_MIN_SAMPLES", "").strip():
        min_samples = int(raw)
        if min_samples < 1:
            raise ValueError(f"LOAD_P95_MIN_SAMPLES must be at least 1, not {raw!r}")
    return Thresholds(
        max_fail_ratio=max_fail_ratio,
        default_p95_ms=default_p95,
        endpoint_p95_ms=endpoints,
        p95_min_samples=min_samples,
    )


def _parse_p95(raw: str, default: float, endpoints: dict[str, float]) -> tuple[float, dict[str, float]]:
    pairs = {}
    for part in (piece.strip() for piece in raw.split(",")):
        if not part:
            continue
        label, sep, value = part.rpartition("=")
        if sep:
            pairs[label.strip()] = _milliseconds(value, part)
        else:
            default, endpoints = _milliseconds(value, part), {}
    return default, {**endpoints, **pairs}


def _milliseconds(value: str, part: str) -> float:
    try:
        milliseconds = float(value)
    except ValueError:
        raise ValueError(f"LOAD_P95_MS: {part!r} is neither a number nor 'endpoint=number'") from None
    if milliseconds <= 0:
        raise ValueError(f"LOAD_P95_MS: {part!r} must be a positive number of milliseconds")
    return milliseconds


def evaluate(thresholds: Thresholds, endpoints: Iterable[EndpointStats]) -> Verdict:
    """Every violated limit, in words; passed when there is none."""
    rows = sorted(endpoints, key=lambda row: row.name)
    requests = sum(row.requests for row in rows)
    failures = sum(row.failures for row in rows)
    violations = []
    if requests == 0:
        violations.append("no request was made")
    elif failures / requests > thresholds.max_fail_ratio:
        violations.append(
            f"failure ratio {failures / requests:.4f} ({failures} of {requests}) above {thresholds.max_fail_ratio}"
        )
    for row in rows:
        limit = thresholds.p95_limit(row.name)
        if row.requests >= thresholds.p95_min_samples and row.p95_ms > limit:
            violations.append(f"{row.name}: p95 {row.p95_ms:.0f} ms above {limit:.0f} ms")
    return Verdict(passed=not violations, violations=tuple(violations))
