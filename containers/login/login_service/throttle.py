"""Brute-force, credential-stuffing and signup limits, counted in shared storage so they hold across pods.

Failed logins are counted per account and per client address. Up to ``failures_before_backoff`` failures are
free; from then on each failure closes the door for ``base x 2^(failures - threshold)`` seconds (capped), answered
as 429 + Retry-After. Nothing is permanent: a counter is forgotten ``window_seconds`` after its last failure, and
a successful login clears the account's counter. Signups are counted per client address in a fixed window.
No boto3 here: :class:`AttemptsRepository` owns the AWS calls.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException

from login_service.attempts_repository import AttemptsRepository, Counter
from login_service.settings import Settings


class TooManyAttemptsError(HTTPException):
    def __init__(self, retry_after: int, detail: str = "too many attempts, retry later") -> None:
        super().__init__(429, detail, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True, kw_only=True)
class Backoff:
    failures_before_backoff: int
    base_seconds: float
    max_seconds: int
    window_seconds: int

    def retry_after(self, counter: Counter | None, now: float) -> int | None:
        """Seconds until the next attempt is allowed, or ``None`` when it is allowed now."""
        if counter is None or counter.hits < self.failures_before_backoff:
            return None
        exponent = min(counter.hits - self.failures_before_backoff, 32)
        closed_until = counter.last_at + min(self.base_seconds * 2**exponent, self.max_seconds)
        return math.ceil(closed_until - now) if closed_until > now else None


@dataclass(frozen=True, kw_only=True)
class Limits:
    account: Backoff
    address: Backoff
    signups_per_address: int
    signup_window_seconds: int


def account_key(email: str) -> str:
    """The account's counter key: a digest, so the table holds no email addresses."""
    return "login-account#" + hashlib.sha256(email.encode()).hexdigest()


class LoginThrottle:
    def __init__(
        self,
        *,
        attempts: AttemptsRepository,
        limits: Limits,
        email_hash_key: bytes,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._attempts = attempts
        self._limits = limits
        self._email_hash_key = email_hash_key
        self._clock = clock

    def email_hash(self, email: str) -> str:
        """A keyed digest of the email for logs: correlates attempts without revealing (or guessing) the address."""
        return hmac.new(self._email_hash_key, email.encode(), hashlib.sha256).hexdigest()[:32]

    def check_login(self, email: str, address: str) -> bool:
        """``TooManyAttemptsError`` while the account or the client address is backing off; else whether the
        account has failures on record."""
        now = self._clock()
        account = self._attempts.get(account_key(email), now=now)
        waits = [
            self._limits.account.retry_after(account, now),
            self._limits.address.retry_after(self._attempts.get(_address_key(address), now=now), now),
        ]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            raise TooManyAttemptsError(wait)
        return account is not None

    def login_failed(self, email: str, address: str) -> None:
        now = self._clock()
        for key, backoff in ((account_key(email), self._limits.account), (_address_key(address), self._limits.address)):
            self._attempts.add(key, now=now, ttl_seconds=backoff.window_seconds, sliding=True)

    def login_succeeded(self, email: str) -> None:
        """The account's failures are forgiven; the address's are not (credential stuffing also succeeds at times)."""
        self._attempts.delete(account_key(email))

    def signup(self, address: str) -> None:
        """Counts a signup from ``address``; ``TooManyAttemptsError`` beyond the window's allowance."""
        now = self._clock()
        window = self._limits.signup_window_seconds
        counter = self._attempts.add("signup-address#" + address, now=now, ttl_seconds=window, sliding=False)
        if counter.hits > self._limits.signups_per_address:
            raise TooManyAttemptsError(math.ceil(counter.expires_at - now), "too many signups, retry later")


def _address_key(address: str) -> str:
    return "login-address#" + address


def email_hash_key(settings: Settings, secrets_client: Any | None) -> bytes:
    """The digest key: from the settings, else from its secret (``secrets_client``: boto3 Secrets Manager), else a
    random one for this process."""
    if settings.email_hash_key:
        return settings.email_hash_key.get_secret_value().encode()
    if settings.email_hash_key_secret_id and secrets_client is not None:
        value = secrets_client.get_secret_value(SecretId=settings.email_hash_key_secret_id)["SecretString"]
        return str(value).encode()
    return secrets.token_bytes(32)


def build_throttle(settings: Settings, dynamodb: Any, *, secrets_client: Any | None = None) -> LoginThrottle:
    """The throttle the settings describe, on the shared table through ``dynamodb`` (a boto3 client)."""
    window = settings.failure_window_seconds
    key = email_hash_key(settings, secrets_client)
    return LoginThrottle(
        attempts=AttemptsRepository(dynamodb, settings.throttle_table),
        limits=Limits(
            account=Backoff(
                failures_before_backoff=settings.account_failures_before_backoff,
                base_seconds=settings.backoff_base_seconds,
                max_seconds=settings.backoff_max_seconds,
                window_seconds=window,
            ),
            address=Backoff(
                failures_before_backoff=settings.address_failures_before_backoff,
                base_seconds=settings.backoff_base_seconds,
                max_seconds=settings.backoff_max_seconds,
                window_seconds=window,
            ),
            signups_per_address=settings.signups_per_address,
            signup_window_seconds=settings.signup_window_seconds,
        ),
        email_hash_key=key,
    )
