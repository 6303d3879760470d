"""What the simulated customers read from the environment besides the thresholds, checked in one place (pure: no
Locust import, so tests and the CLI can call it).

- ``LOAD_TARGET`` and its URLs (``loadgen.direct``);
- ``LOAD_EMAIL_PREFIX``: the first word of each customer's email (``loadgen.identities``);
- ``LOAD_CANCEL_AT_STOP``: whether a customer that is asked to stop cancels its orders still RECEIVED
  (``loadgen.customer``), as the release check's synthetic customers do.
"""

from __future__ import annotations

from collections.abc import Mapping

from loadgen import direct, identities

CANCEL_AT_STOP_ENV = "LOAD_CANCEL_AT_STOP"


def email_prefix(env: Mapping[str, str]) -> str:
    prefix = env.get(identities.EMAIL_PREFIX_ENV) or identities.DEFAULT_EMAIL_PREFIX
    identities.check_prefix(prefix)
    return prefix


def cancel_at_stop(env: Mapping[str, str]) -> bool:
    """``LOAD_CANCEL_AT_STOP``: true/1/yes or false/0/no (default false); anything else is refused."""
    raw = (env.get(CANCEL_AT_STOP_ENV) or "false").strip().lower()
    if raw in ("true", "1", "yes"):
        return True
    if raw in ("false", "0", "no"):
        return False
    raise ValueError(f"{CANCEL_AT_STOP_ENV} must be true or false, not {raw!r}")


def check(env: Mapping[str, str]) -> None:
    """ValueError when any of them is bad. The customers read them as they start, where an error only kills the
    user; the run hooks call this first so that the run's exit code says "misconfigured" (2)."""
    direct.from_env(env)
    email_prefix(env)
    cancel_at_stop(env)
