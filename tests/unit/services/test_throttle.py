"""Back-off rules of the login throttle, and where the client address comes from (no AWS: a fake counter store)."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from login_service.attempts_repository import Counter
from login_service.client_address import client_address
from login_service.settings import Settings
from login_service.throttle import Backoff, Limits, LoginThrottle, TooManyAttemptsError, account_key

BACKOFF = Backoff(failures_before_backoff=5, base_seconds=1, max_seconds=900, window_seconds=900)


class FakeAttempts:
    """The AttemptsRepository contract in memory: counters with a sliding or fixed expiry."""

    def __init__(self) -> None:
        self.items: dict[str, Counter] = {}

    def add(self, key: str, *, now: float, ttl_seconds: int, sliding: bool) -> Counter:
        current = self.get(key, now=now)
        expires = int(now + ttl_seconds) if sliding or current is None else current.expires_at
        self.items[key] = Counter(hits=(current.hits if current else 0) + 1, last_at=now, expires_at=expires)
        return self.items[key]

    def get(self, key: str, *, now: float) -> Counter | None:
        counter = self.items.get(key)
        return counter if counter and counter.expires_at > now else None

    def delete(self, key: str) -> None:
        self.items.pop(key, None)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def make_throttle(clock: Clock, *, per_address: int = 1000, signups: int = 3) -> tuple[LoginThrottle, FakeAttempts]:
    attempts = FakeAttempts()
    limits = Limits(
        account=BACKOFF,
        address=Backoff(failures_before_backoff=per_address, base_seconds=1, max_seconds=900, window_seconds=900),
        signups_per_address=signups,
        signup_window_seconds=3600,
    )
    return LoginThrottle(attempts=attempts, limits=limits, email_hash_key=b"k" * 32, clock=clock), attempts  # type: ignore[arg-type]


def attempt_refused(throttle: LoginThrottle, email: str = "kim@example.com", address: str = "10.0.0.1") -> int | None:
    """The Retry-After of a refused login attempt, or None when it may proceed."""
    refused: TooManyAttemptsError | None = None
    try:
        throttle.check_login(email, address)
    except TooManyAttemptsError as error:
        refused = error
    if refused is None:
        return None
    assert refused.status_code == 429
    assert refused.headers == {"Retry-After": str(refused.retry_after)}
    return refused.retry_after


def test_given_failures_below_the_threshold_then_nothing_is_refused() -> None:
    assert BACKOFF.retry_after(None, 0) is None
    assert BACKOFF.retry_after(Counter(hits=4, last_at=0, expires_at=900), 0) is None


def test_given_failures_beyond_the_threshold_then_the_wait_doubles_up_to_the_cap() -> None:
    waits = [BACKOFF.retry_after(Counter(hits=hits, last_at=0, expires_at=900), 0) for hits in (5, 6, 7, 8, 20, 99)]
    assert waits == [1, 2, 4, 8, 900, 900]


def test_given_a_back_off_window_that_has_passed_then_the_next_attempt_is_allowed() -> None:
    assert BACKOFF.retry_after(Counter(hits=7, last_at=0, expires_at=900), 4.01) is None
    assert BACKOFF.retry_after(Counter(hits=7, last_at=0, expires_at=900), 3.5) == 1


def test_given_five_wrong_passwords_then_the_sixth_attempt_is_429_until_the_window_passes() -> None:
    # Given five failed logins for one account
    clock = Clock()
    throttle, _ = make_throttle(clock)
    for _ in range(5):
        assert attempt_refused(throttle) is None
        throttle.login_failed("kim@example.com", "10.0.0.1")
    # When the sixth comes at once, then it is refused with Retry-After; from another address too
    assert attempt_refused(throttle) == 1
    assert attempt_refused(throttle, address="10.9.9.9") == 1
    # And another account is not affected
    assert attempt_refused(throttle, email="lee@example.com") is None
    # When the window has passed, then the attempt may proceed again
    clock.now += 1.01
    assert attempt_refused(throttle) is None


def test_given_a_successful_login_then_the_accounts_failures_are_forgiven_but_the_addresss_are_not() -> None:
    clock = Clock()
    throttle, attempts = make_throttle(clock)
    for _ in range(4):
        throttle.login_failed("kim@example.com", "10.0.0.1")
    throttle.login_succeeded("kim@example.com")
    assert attempts.get(account_key("kim@example.com"), now=clock.now) is None
    assert attempts.get("login-address#10.0.0.1", now=clock.now) == Counter(
        hits=4, last_at=clock.now, expires_at=int(clock.now + 900)
    )


def test_given_many_accounts_failing_from_one_address_then_that_address_backs_off() -> None:
    # Given credential stuffing: one failure each for many accounts, from one address
    clock = Clock()
    throttle, _ = make_throttle(clock, per_address=10)
    for n in range(10):
        throttle.login_failed(f"user{n}@example.com", "203.0.113.7")
    # Then a fresh account from that address is refused, and from elsewhere it is not
    assert attempt_refused(throttle, email="new@example.com", address="203.0.113.7") == 1
    assert attempt_refused(throttle, email="new@example.com", address="198.51.100.1") is None


def test_given_failures_then_quiet_for_the_whole_window_then_they_are_forgotten() -> None:
    clock = Clock()
    throttle, _ = make_throttle(clock)
    for _ in range(9):
        throttle.login_failed("kim@example.com", "10.0.0.1")
    assert attempt_refused(throttle) == 16
    clock.now += 901
    assert attempt_refused(throttle) is None


def test_given_signups_from_one_address_then_those_beyond_the_allowance_are_429_until_the_window_ends() -> None:
    clock = Clock()
    throttle, _ = make_throttle(clock, signups=3)
    for _ in range(3):
        throttle.signup("10.0.0.1")
    with pytest.raises(TooManyAttemptsError) as refused:
        throttle.signup("10.0.0.1")
    assert refused.value.retry_after == 3600
    throttle.signup("10.0.0.2")  # another address has its own allowance
    clock.now += 3600
    throttle.signup("10.0.0.1")


def test_the_email_digest_in_logs_is_keyed_and_the_counter_key_holds_no_email() -> None:
    clock = Clock()
    throttle, _ = make_throttle(clock)
    other = LoginThrottle(attempts=FakeAttempts(), limits=throttle._limits, email_hash_key=b"x" * 32)  # type: ignore[arg-type]
    digest = throttle.email_hash("kim@example.com")
    assert digest == throttle.email_hash("kim@example.com")
    assert digest != other.email_hash("kim@example.com")
    assert "kim" not in digest
    assert "kim" not in account_key("kim@example.com")


def request_from(peer: str, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "client": (peer, 5000), "headers": headers})


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, ["203.0.113.9"], "10.0.0.5"),  # locally the header is ignored: the socket peer
        (1, ["203.0.113.9"], "203.0.113.9"),  # behind the ALB: what it appended
        (1, ["6.6.6.6, 203.0.113.9"], "203.0.113.9"),  # a client-sent entry on the left is not trusted
        (1, ["6.6.6.6", "203.0.113.9"], "203.0.113.9"),  # the same, split over two header lines
        (2, ["6.6.6.6, 198.51.100.4, 203.0.113.9"], "198.51.100.4"),
        (1, [], "10.0.0.5"),  # no header: the peer
        (1, ["not-an-address"], "10.0.0.5"),
    ],
)
def test_the_client_address_trusts_only_the_configured_number_of_proxy_hops(
    hops: int, forwarded: list[str], expected: str
) -> None:
    assert client_address(request_from("10.0.0.5", *forwarded), hops) == expected


def test_given_the_default_settings_then_accounts_back_off_by_the_tenth_failure_and_addresses_stay_loose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("ACCOUNT_FAILURES_BEFORE_BACKOFF", "ADDRESS_FAILURES_BEFORE_BACKOFF", "TRUSTED_PROXY_HOPS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.account_failures_before_backoff < 10
    assert settings.address_failures_before_backoff >= 10_000  # make load and the e2e suites share 127.0.0.1
    assert settings.trusted_proxy_hops == 0
    with pytest.raises(ValueError, match="less than or equal to 9"):
        Settings(account_failures_before_backoff=10)


class _Secrets:
    """Secrets Manager as the login gateway sees it: one secret, read by id."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.read: list[str] = []

    def get_secret_value(self, *, SecretId: str) -> dict[str, str]:
        self.read.append(SecretId)
        return {"SecretString": self.values[SecretId]}


def test_given_the_email_hash_key_secret_then_every_pod_derives_the_same_digest() -> None:
    # Given two pods configured with the environment's generated secret
    from login_service.settings import Settings
    from login_service.throttle import email_hash_key

    settings = Settings(email_hash_key_secret_id="tlj-dev/login/email-hash-key")
    secrets = _Secrets({"tlj-dev/login/email-hash-key": "k" * 64})
    # When each reads its key, then both have the secret's value, read by that id
    assert email_hash_key(settings, secrets) == email_hash_key(settings, secrets) == b"k" * 64
    assert secrets.read == ["tlj-dev/login/email-hash-key"] * 2


def test_given_no_key_and_no_secret_then_each_process_gets_a_random_key() -> None:
    from login_service.settings import Settings
    from login_service.throttle import email_hash_key

    settings = Settings()
    first, second = email_hash_key(settings, None), email_hash_key(settings, None)
    assert len(first) == 32
    assert first != second


def test_given_the_key_itself_then_it_wins_over_the_secret() -> None:
    from login_service.settings import Settings
    from login_service.throttle import email_hash_key

    settings = Settings(email_hash_key="direct", email_hash_key_secret_id="unused")  # type: ignore[arg-type]
    assert email_hash_key(settings, _Secrets({})) == b"direct"
