"""Every simulated customer of a run gets its own email and a Korean mobile number the gateway accepts."""

from __future__ import annotations

import pytest

from loadgen.identities import Identities, token_subject
from login_service.customers_repository import Customer
from login_service.keys import new_pem, signing_key_from_pem
from login_service.models import SignupRequest
from login_service.tokens import TokenIssuer


def test_given_two_workers_when_each_makes_many_customers_then_no_email_or_phone_repeats() -> None:
    first, second = Identities(0, "run1"), Identities(1, "run1")
    identities = [first.next() for _ in range(500)] + [second.next() for _ in range(500)]
    assert len({identity.email for identity in identities}) == 1000
    assert len({identity.phone for identity in identities}) == 1000


def test_given_a_generated_customer_then_the_gateway_signup_model_accepts_it_as_a_korean_number() -> None:
    identity = Identities(7).next()
    request = SignupRequest(**identity.signup_body())
    assert identity.phone.startswith("010-")
    assert request.phone.startswith("+8210")


def test_given_two_runs_then_their_emails_differ_even_for_the_same_worker_and_counter() -> None:
    assert Identities(0).next().email != Identities(0).next().email


def test_given_a_negative_worker_index_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        Identities(-1)


def test_given_a_token_issued_by_the_gateway_then_its_subject_is_the_customer_id() -> None:
    # Given a real access token of the login gateway for a customer
    customer = Customer(
        customer_id="3f2c-customer",
        email="",
        password_hash="",
        name="Kim",
        phone="+821012345678",
        role="customer",
        created_at="",
    )
    issuer = TokenIssuer(key=signing_key_from_pem(new_pem()), issuer="tlj-login", audience="tlj-api", ttl_seconds=900)
    # Then the load client reads the customer id from it
    assert token_subject(issuer.issue(customer)) == "3f2c-customer"


@pytest.mark.parametrize("token", ["opaque", "a.!!!.c", "a.eyJub3RzdWIiOiAxfQ.c"])
def test_given_something_that_is_not_a_token_with_a_subject_then_it_is_refused(token: str) -> None:
    with pytest.raises(ValueError, match="not a JWT"):
        token_subject(token)
