from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import pytest
from argon2 import PasswordHasher

from login_service.passwords import PasswordHashingBusyError, Passwords


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified.append(str(hash))
        return super().verify(hash, password)


def test_the_right_password_verifies_and_a_wrong_one_does_not():
    passwords = Passwords(CountingHasher())
    stored = passwords.hash("correct horse")
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "correct horse")
    assert not passwords.verify(stored, "wrong horse")


def test_an_unknown_account_still_costs_one_argon2_verification():
    hasher = CountingHasher()
    passwords = Passwords(hasher)
    assert not passwords.verify(None, "whatever")
    assert len(hasher.verified) == 1


def test_a_corrupt_stored_hash_is_a_failed_login_not_an_error():
    assert not Passwords(CountingHasher()).verify("not-a-hash", "whatever")


def test_given_no_hasher_then_hashes_use_owasps_argon2id_parameters():
    # Given the default hasher; When a password is hashed
    stored = Passwords().hash("correct horse")
    # Then it is argon2id with 19 MiB, 2 iterations, 1 lane (OWASP Password Storage Cheat Sheet)
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_given_a_hash_made_with_other_parameters_then_it_needs_rehashing_and_ours_do_not():
    passwords = Passwords()
    legacy = PasswordHasher().hash("correct horse")  # argon2-cffi's default profile: 64 MiB, t=3, p=4
    assert passwords.needs_rehash(legacy)
    assert passwords.verify(legacy, "correct horse")  # old hashes still verify
    assert not passwords.needs_rehash(passwords.hash("correct horse"))
    assert passwords.needs_rehash("not-a-hash")


class SlowHasher(CountingHasher):
    """Holds every verification until released, and records how many ran at once."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            self.release.wait(5)
            return super().verify(hash, password)
        finally:
            with self._lock:
                self.running -= 1


def test_given_more_logins_than_slots_then_at_most_that_many_hash_at_once_and_the_rest_queue():
    # Given two slots and six verifications at once
    hasher = SlowHasher()
    passwords = Passwords(hasher, concurrency=2, max_wait_seconds=5)
    stored = passwords.hash("pw")
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = [pool.submit(passwords.verify, stored, "pw") for _ in range(6)]
        time.sleep(0.2)
        # Then only two run while the rest wait their turn
        assert hasher.running == 2
        hasher.release.set()
        # And when released, all six succeed (queued, not refused)
        assert [r.result(timeout=5) for r in results] == [True] * 6
    assert hasher.most_at_once == 2


def test_given_every_slot_busy_beyond_the_bounded_wait_then_the_caller_gets_503_with_retry_after():
    hasher = SlowHasher()
    passwords = Passwords(hasher, concurrency=1, max_wait_seconds=0.1)
    stored = passwords.hash("pw")
    with ThreadPoolExecutor(max_workers=1) as pool:
        busy = pool.submit(passwords.verify, stored, "pw")
        time.sleep(0.05)
        started = time.perf_counter()
        with pytest.raises(PasswordHashingBusyError) as refused:
            passwords.verify(stored, "pw")
        assert time.perf_counter() - started < 1
        hasher.release.set()
        assert busy.result(timeout=5)
    assert refused.value.status_code == 503
    assert refused.value.headers == {"Retry-After": "1"}
