"""Signup and login rules. No boto3 here: the repository owns the AWS calls."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from login_service.customers_repository import Customer, CustomersRepository
from login_service.models import LoginRequest, SignupRequest, TokenResponse, normalize_email
from login_service.passwords import Passwords
from login_service.tokens import TokenIssuer
from service_kit.errors import DomainError


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
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._customers = customers
        self._passwords = passwords
        self._tokens = tokens
        self._now = now

    def signup(self, request: SignupRequest) -> str:
        """Creates a ``customer`` (never staff); ``EmailTakenError`` (409) if the email is registered."""
        customer = Customer(
            customer_id=str(uuid.uuid4()),
            email=normalize_email(str(request.email)),
            password_hash=self._passwords.hash(request.password),
            name=request.name,
            phone=request.phone,
            role="customer",
            created_at=self._now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        )
        self._customers.create(customer)
        return customer.customer_id

    def login(self, request: LoginRequest) -> TokenResponse:
        """The same 401 (after the same argon2 work) for an unknown email and for a wrong password."""
        customer = self._customers.find_by_email(normalize_email(request.email))
        if not self._passwords.verify(customer.password_hash if customer else None, request.password):
            raise InvalidCredentialsError()
        assert customer is not None
        return TokenResponse(access_token=self._tokens.issue(customer), expires_in=self._tokens.ttl_seconds)
