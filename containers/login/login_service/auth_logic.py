"""Signup and login rules. No boto3 here: the repository owns the AWS calls."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from login_service.customers_repository import Customer, CustomersRepository
from login_service.metrics import SIGNUPS, login_attempt
from login_service.models import LoginRequest, SignupRequest, TokenResponse, normalize_email
from login_service.passwords import PasswordHashingBusyError, Passwords
from login_service.throttle import LoginThrottle, TooManyAttemptsError
from login_service.tokens import TokenIssuer
from service_kit.errors import DomainError

_log = logging.getLogger(__name__)


class InvalidCredentialsError(DomainError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("invalid email or password")


class AuthService:
    def __init__(
        self,
        *,
        customers: CustomersRepository,
        passwords: Passwords,
        tokens: TokenIssuer,
        throttle: LoginThrottle,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._customers = customers
        self._passwords = passwords
        self._tokens = tokens
        self._throttle = throttle
        self._now = now

    def signup(self, request: SignupRequest, *, client: str) -> str:
        """Creates a ``customer`` (never staff); ``EmailTakenError`` (409) if the email is registered.

        ``TooManyAttemptsError`` (429) when ``client`` (an address) has used up its signups for now.
        """
        self._throttle.signup(client)
        customer_id = self._create(request, role="customer")
        SIGNUPS.inc()  # after the write: a 409, 429 or 503 created nothing
        return customer_id

    def _create(self, request: SignupRequest, *, role: str) -> str:
        return create_account(self._customers, self._passwords, request, role=role, now=self._now())

    def login(self, request: LoginRequest, *, client: str) -> TokenResponse:
        """The same 401 (after the same argon2 work) for an unknown email and for a wrong password.

        ``TooManyAttemptsError`` (429) while the account or ``client`` (an address) is backing off after failures.
        Every attempt with one of these answers (200, 401, 429, 503 busy) is counted by result (login_service.metrics).
        """
        try:
            token = self._login(request, client=client)
        except TooManyAttemptsError:
            login_attempt("throttled")
            raise
        except PasswordHashingBusyError:
            login_attempt("busy")
            raise
        except InvalidCredentialsError:
            login_attempt("invalid_credentials")
            raise
        login_attempt("success")
        return token

    def _login(self, request: LoginRequest, *, client: str) -> TokenResponse:
        email = normalize_email(request.email)
        self._throttle.check_login(email, client)
        customer = self._customers.find_by_email(email)
        if not self._passwords.verify(customer.password_hash if customer else None, request.password):
            self._throttle.login_failed(email, client)
            _log.warning("login failed", extra={"email_hash": self._throttle.email_hash(email), "client": client})
            raise InvalidCredentialsError()
        assert customer is not None
        # Again after the hash: guesses sent in parallel all passed the first check before any failure counted.
        if self._throttle.check_login(email, client):
            self._throttle.login_succeeded(email)
        self._rehash_if_needed(customer, request.password)
        return TokenResponse(access_token=self._tokens.issue(customer), expires_in=self._tokens.ttl_seconds)

    def _rehash_if_needed(self, customer: Customer, password: str) -> None:
        """A hash made with older parameters is replaced by one with ours (the password is at hand only now)."""
        if self._passwords.needs_rehash(customer.password_hash):
            new_hash = self._passwords.hash(password)
            self._customers.replace_password_hash(customer.customer_id, old=customer.password_hash, new=new_hash)


def create_account(
    customers: CustomersRepository, passwords: Passwords, request: SignupRequest, *, role: str, now: datetime
) -> str:
    """Writes a new account with its email lock (signup, and staff provisioning by ``login_service.admin``).

    ``EmailTakenError`` (409) when the email is registered, with or without a lock.
    """
    customer = Customer(
        customer_id=str(uuid.uuid4()),
        email=normalize_email(str(request.email)),
        password_hash=passwords.hash(request.password),
        name=request.name,
        phone=request.phone,
        role=role,
        created_at=now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    )
    customers.create(customer)
    return customer.customer_id
