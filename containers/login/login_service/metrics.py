"""The gateway's business metrics (prometheus-client), served with the request metrics (service_kit.metrics).

Defined at import, so registered once per process however many apps a process builds (tests build many). Label
values are fixed sets: nothing a client sends becomes a label.
"""

from __future__ import annotations

from typing import Literal, get_args

from prometheus_client import Counter

LoginResult = Literal["success", "invalid_credentials", "throttled", "busy"]
RecommendationOutcome = Literal["ok", "unavailable"]

LOGIN_ATTEMPTS = Counter(
    "tlj_login_attempts",
    "Login attempts by result: throttled = 429 backoff, busy = 503 with no password-hash slot free",
    ["result"],
)
SIGNUPS = Counter("tlj_signups", "Customer accounts created by signup")
RECOMMENDATIONS_SERVED = Counter(
    "tlj_recommendations_served",
    "Recommendation requests answered: ok = returned to the customer, unavailable = 5xx from a failed or slow API",
    ["outcome"],
)
for _result in get_args(LoginResult):
    LOGIN_ATTEMPTS.labels(_result)  # every result exported from the start (0), so rate() sees the first one
for _outcome in get_args(RecommendationOutcome):
    RECOMMENDATIONS_SERVED.labels(_outcome)


def login_attempt(result: LoginResult) -> None:
    LOGIN_ATTEMPTS.labels(result).inc()


def recommendations_served(status_code: int) -> None:
    """Counts an answer by the gateway's status: 2xx is ok, 5xx unavailable, anything else (4xx) neither."""
    if 200 <= status_code < 300:
        RECOMMENDATIONS_SERVED.labels("ok").inc()
    elif status_code >= 500:
        RECOMMENDATIONS_SERVED.labels("unavailable").inc()
