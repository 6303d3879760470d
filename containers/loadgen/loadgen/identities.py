"""Unique customers for one load run: email, password, name and a Korean mobile number per simulated user.

The gateway accepts Korean numbers without a country code and stores them in E.164 (login_service/phones.py, with
``phonenumbers``): ``010-WWNN-NNNN`` is a valid mobile number for any digits, so two digits of worker index and
six of a per-worker counter give each user of a run its own number (up to 100 workers of a million users each).
The email carries a random run tag as well, so reruns against the same tables never collide (409).

The email's first word says who made the customer: ``customer`` for load tests, ``release-check`` for the release
analysis's synthetic customers (``LOAD_EMAIL_PREFIX``, set by the release-smoke AnalysisTemplate), so either kind is
found in the Customers table by its email, e.g. ``release-check-*@load.example.com``.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from dataclasses import dataclass
from itertools import count

NAMES = ("김지우", "이서연", "박민준", "최하은", "정도윤", "강서준", "윤지아", "임예준", "한수아", "오시우")
EMAIL_DOMAIN = "load.example.com"  # example.com is reserved for documentation (RFC 2606): no mail ever leaves
EMAIL_PREFIX_ENV = "LOAD_EMAIL_PREFIX"
DEFAULT_EMAIL_PREFIX = "customer"
_PREFIX = re.compile(r"[a-z][a-z0-9-]{0,31}")


@dataclass(frozen=True, kw_only=True)
class Identity:
    email: str
    password: str
    name: str
    phone: str

    def signup_body(self) -> dict[str, str]:
        return {"email": self.email, "password": self.password, "name": self.name, "phone": self.phone}

    def login_body(self) -> dict[str, str]:
        return {"email": self.email, "password": self.password}


class Identities:
    """Hands out a new identity per call; one instance per worker process."""

    def __init__(self, worker_index: int, run_tag: str | None = None, prefix: str = DEFAULT_EMAIL_PREFIX) -> None:
        if worker_index < 0:
            raise ValueError("worker index must not be negative")
        self._prefix = check_prefix(prefix)
        self._worker = worker_index % 100
        self._tag = run_tag or secrets.token_hex(4)
        self._counter = count()

    def next(self) -> Identity:
        serial = next(self._counter)
        if serial >= 1_000_000:
            raise RuntimeError("more than a million customers on one worker: phone numbers would repeat")
        number = self._worker * 1_000_000 + serial
        return Identity(
            email=f"{self._prefix}-{self._tag}-w{self._worker}-{serial}@{EMAIL_DOMAIN}",
            password="load-" + secrets.token_urlsafe(12),
            name=NAMES[serial % len(NAMES)],
            phone=f"010-{number // 10_000:04d}-{number % 10_000:04d}",
        )


def check_prefix(prefix: str) -> str:
    """The prefix when it is 1-32 lowercase letters, digits or '-' starting with a letter; else ValueError."""
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"{EMAIL_PREFIX_ENV} must be 1-32 lowercase letters, digits or '-', not {prefix!r}")
    return prefix


def token_subject(token: str) -> str:
    """The ``sub`` claim (the customer id) of the gateway's access token, read, not verified.

    A signup whose answer was lost leaves the client without its customer id; its token names it. Nothing is
    trusted on the strength of this: the services verify every token against the JWKS. Locust's dependency tree,
    which is the image's, has no JWT library, and a claim is one base64url segment of JSON (RFC 7519, section 3).
    """
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims["sub"])
    except (IndexError, KeyError, TypeError, ValueError) as error:
        raise ValueError("not a JWT with a subject") from error
