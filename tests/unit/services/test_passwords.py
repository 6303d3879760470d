from __future__ import annotations

from typing import Literal

from argon2 import PasswordHasher

from login_service.passwords import Passwords


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
