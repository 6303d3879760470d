"""The simulated customer (see the weights and think time in ``loadgen.locustfile``'s docstring).

Signup and login are retried after no answer, a 429 or a 503 (every password-hashing slot busy) with Retry-After.
Signup is not idempotent: a 409 for an email new to this run means one of our own tries created the account (it is
expected after an unanswered try, and a failure otherwise); the customer then logs in with its password, and its id
comes from the token. Orders carry an ``Idempotency-Key`` and are retried with it. With ``LOAD_TARGET=direct`` the
storefront calls skip the gateway (``loadgen.direct``); with ``preview`` only the order service's calls do.

With ``LOAD_CANCEL_AT_STOP=true`` (the release check's synthetic customers, which run against the production
tables) a customer that is asked to stop first cancels every order it last saw RECEIVED: a cancelled order is
withdrawn from the co-purchase statistics that the Orders stream feeds (lambdas/recommendation/updates.py), and the
bakery's staff see it as cancelled rather than as one to bake. An order that moved on meanwhile answers 409 and stays.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from typing import Any

from locust import FastHttpUser, between, task
from locust.env import Environment
from locust.runners import WorkerRunner

from loadgen import customer_settings, direct, records
from loadgen.identities import Identities, token_subject

SIGNUP, LOGIN, MENU, RECOMMENDATIONS = (
    "POST /auth/signup",
    "POST /auth/login",
    "GET /api/menu",
    "GET /api/recommendations",
)
ORDER, ORDERS, ORDER_ONE, CANCEL = (
    "POST /api/orders",
    "GET /api/orders",
    "GET /api/orders/{id}",
    "POST /api/orders/{id}/cancel",
)
AUTH_TRIES = 3  # signup/login: 503 + Retry-After while every hashing slot is busy (login_service/passwords.py)
ORDER_TRIES = 3
RETRYABLE = frozenset({records.NO_ANSWER, 409, 502, 503, 504})  # 409: the same key is still being written
DOUBLE_SUBMIT_RATIO = 0.1
TAKE_SUGGESTION_RATIO = 0.3
LIST_LIMIT = 20
BASKET_LINES = 5  # a bakery basket: a few kinds of bread, a cake, a drink

_chance = random.Random()  # noqa: S311 - customers' choices in a simulation: nothing secret depends on it
_identities: Identities | None = None  # on each worker: built at its first user, once the master gave it an index


class Customer(FastHttpUser):
    wait_time = between(1, 4)
    # The gateway answers within 3 s even when a downstream hangs (503/504), and a login waits at most 5 s for a
    # hashing slot: a client that heard nothing after 8 s gives up on that try (FastHttpUser.network_timeout).
    network_timeout = 8.0
    connection_timeout = 3.0

    def on_start(self) -> None:
        self.routes = direct.from_env(os.environ)  # None: every call through the gateway
        self.identity = _identity_source(self.environment).next()
        self.signed_up = False
        self.customer_id: str | None = None
        self.token: str | None = None
        self.menu: list[str] = []
        self.basket: dict[str, int] = {}
        self.orders: dict[str, str] = {}  # order id -> the status this customer last saw
        self.cancel_at_stop = customer_settings.cancel_at_stop(os.environ)
        self._ready()

    def on_stop(self) -> None:
        """Locust calls this when the user stops (users.py ``User.run``), also after a forced stop."""
        if not self.cancel_at_stop:
            return
        for order_id in [order_id for order_id, status in self.orders.items() if status == "RECEIVED"]:
            if not self._ready():
                return
            status, _, _ = self._call("POST", f"/api/orders/{order_id}/cancel", CANCEL, expect={200, 409})
            self._ship(records.CancelAttempt(customer_id=self._id, order_id=order_id, statuses=(status,)))
            if status == 200:
                self.orders[order_id] = "CANCELLED"
            else:
                self.orders.pop(order_id)  # moved on (409) or unanswered: its status is unknown to this customer

    # --- tasks -------------------------------------------------------------------------------------------------

    @task(8)
    def browse_menu(self) -> None:
        status, body, _ = self._call("GET", "/api/menu", MENU, expect={200}, auth=False)
        if status != 200 or not isinstance(body, dict):
            return
        self.menu = [str(item["sku"]) for item in body.get("items", []) if item.get("available")]
        for sku in _chance.sample(self.menu, k=min(len(self.menu), _chance.randint(1, 3))):
            if sku in self.basket or len(self.basket) < BASKET_LINES:
                self.basket[sku] = min(self.basket.get(sku, 0) + 1, 3)

    @task(4)
    def recommendations(self) -> None:
        if not self._ready():
            return
        query = f"/api/recommendations?k=3&items={','.join(self.basket)}" if self.basket else "/api/recommendations?k=3"
        status, body, _ = self._call("GET", query, RECOMMENDATIONS, expect={200})
        if status == 200 and isinstance(body, dict) and _chance.random() < TAKE_SUGGESTION_RATIO:
            suggested = [str(item["sku"]) for item in body.get("items", []) if str(item.get("sku")) in self.menu]
            if suggested:
                self.basket.setdefault(suggested[0], 1)

    @task(4)
    def place_order(self) -> None:
        if not self._ready() or not self.basket:
            return
        order = {"items": [{"sku": sku, "quantity": quantity} for sku, quantity in self.basket.items()]}
        key = uuid.uuid4().hex
        statuses: list[int] = []
        told: list[str] = []
        for attempt in range(ORDER_TRIES):
            status, body, headers = self._call("POST", "/api/orders", ORDER, expect={201}, json=order, key=key)
            statuses.append(status)
            if status == 201 and isinstance(body, dict):
                told.append(str(body["order_id"]))
                break
            if status not in RETRYABLE or attempt == ORDER_TRIES - 1:
                break
            time.sleep(_backoff(headers, attempt))
        if told and _chance.random() < DOUBLE_SUBMIT_RATIO:
            status, body, _ = self._call("POST", "/api/orders", ORDER, expect={200, 201}, json=order, key=key)
            statuses.append(status)
            if status in (200, 201) and isinstance(body, dict):
                told.append(str(body["order_id"]))
        self._ship(records.OrderAttempt(customer_id=self._id, key=key, statuses=tuple(statuses), order_ids=tuple(told)))
        if told:
            self.orders[told[0]] = "RECEIVED"
            self.basket.clear()

    @task(2)
    def list_orders(self) -> None:
        if not self._ready():
            return
        with self._request("GET", f"/api/orders?limit={LIST_LIMIT}", ORDERS) as response:
            body = _json_of(response)
            if response.status_code != 200 or not isinstance(body, dict):
                response.failure(_describe(response))
                self._forget_token_after(response)
                return
            listed = {str(item["order_id"]) for item in body.get("items", [])}
            missing = sorted(set(self.orders) - listed) if len(self.orders) <= LIST_LIMIT else []
            if missing:
                response.failure(f"orders confirmed but not listed: {', '.join(missing)}")
            else:
                response.success()

    @task(1)
    def view_order(self) -> None:
        if not self._ready() or not self.orders:
            return
        order_id = _chance.choice(list(self.orders))
        with self._request("GET", f"/api/orders/{order_id}", ORDER_ONE) as response:
            body = _json_of(response)
            if response.status_code != 200 or not isinstance(body, dict):
                response.failure(_describe(response))
                self._forget_token_after(response)
            elif body.get("status") != self.orders[order_id]:
                response.failure(
                    f"order {order_id} is {body.get('status')}, its customer last saw {self.orders[order_id]}"
                )
            else:
                response.success()

    @task(1)
    def cancel_order(self) -> None:
        received = [order_id for order_id, status in self.orders.items() if status == "RECEIVED"]
        if not self._ready() or not received:
            return
        order_id = _chance.choice(received)
        statuses: list[int] = []
        for attempt in range(ORDER_TRIES):
            # A retried cancel that the first try already applied answers 409 (only RECEIVED can be cancelled).
            expect = {200, 409} if attempt else {200}
            status, _, headers = self._call("POST", f"/api/orders/{order_id}/cancel", CANCEL, expect=expect)
            statuses.append(status)
            if status not in RETRYABLE - {409} or attempt == ORDER_TRIES - 1:
                break
            time.sleep(_backoff(headers, attempt))
        self._ship(records.CancelAttempt(customer_id=self._id, order_id=order_id, statuses=tuple(statuses)))
        if 200 in statuses:
            self.orders[order_id] = "CANCELLED"
        else:
            self.orders.pop(order_id)  # refused or unanswered: its status is unknown to this customer from now on

    # --- sign-up and sign-in -------------------------------------------------------------------------------------

    def _ready(self) -> bool:
        """Signed up and holding a token; tries (again) when not, e.g. after a 503 during a burst of logins."""
        if not self.signed_up:
            self._sign_up()
        if self.signed_up and self.token is None:
            self._log_in()
        return self.token is not None and self.customer_id is not None

    def _sign_up(self) -> None:
        unanswered = False
        for attempt in range(AUTH_TRIES):
            # A signup is not idempotent: after a try that went unanswered, 409 means that try created the account.
            expect = {201, 409} if unanswered else {201}
            status, body, headers = self._call(
                "POST", "/auth/signup", SIGNUP, expect=expect, json=self.identity.signup_body(), auth=False
            )
            if status == 201 and isinstance(body, dict):
                self.signed_up = True
                self._known_as(str(body["customer_id"]))
                return
            if status == 409:
                # Taken although the email is new to this run: one of our tries created it (an unanswered one, or a
                # write the gateway retried after a timeout), and only we know the password; the login decides.
                self.signed_up = True  # the customer id comes with the token (_log_in)
                return
            unanswered = unanswered or status == records.NO_ANSWER
            if status not in (records.NO_ANSWER, 429, 503) or attempt == AUTH_TRIES - 1:
                return
            time.sleep(_backoff(headers, attempt))

    def _log_in(self) -> None:
        for attempt in range(AUTH_TRIES):
            status, body, headers = self._call(
                "POST", "/auth/login", LOGIN, expect={200}, json=self.identity.login_body(), auth=False
            )
            if status == 200 and isinstance(body, dict):
                self.token = str(body["access_token"])
                self._known_as(token_subject(self.token))
                return
            if status not in (records.NO_ANSWER, 429, 503) or attempt == AUTH_TRIES - 1:
                return
            time.sleep(_backoff(headers, attempt))

    def _known_as(self, customer_id: str) -> None:
        """The first time this customer learns its id, the master learns that the run created it."""
        if self.customer_id is None:
            self.customer_id = customer_id
            self._ship(records.CustomerRecord(customer_id=customer_id))

    # --- plumbing ------------------------------------------------------------------------------------------------

    @property
    def _id(self) -> str:
        assert self.customer_id is not None
        return self.customer_id

    def _route(self, path: str, name: str) -> tuple[str, str]:
        """The URL and label of a call: the gateway's path on the host, unless ``LOAD_TARGET=direct``."""
        return self.routes.route(path, name, self.customer_id) if self.routes else (path, name)

    def _request(self, method: str, path: str, name: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        url, name = self._route(path, name)
        return self.client.request(method, url, name=name, headers=headers, catch_response=True, **kwargs)

    def _call(
        self,
        method: str,
        path: str,
        name: str,
        *,
        expect: set[int],
        json: Any = None,
        key: str | None = None,
        auth: bool = True,
    ) -> tuple[int, Any, Any]:
        """One request, marked failed unless its status is expected; a 401 logs in again and retries once."""
        url, name = self._route(path, name)
        for _ in range(2):
            headers = {"Authorization": f"Bearer {self.token}"} if auth else {}
            if key:
                headers["Idempotency-Key"] = key
            with self.client.request(
                method, url, name=name, json=json, headers=headers, catch_response=True
            ) as response:
                status = response.status_code or records.NO_ANSWER
                body = _json_of(response)
                if status in expect:
                    response.success()
                else:
                    response.failure(_describe(response))
                answer = (status, body, response.headers)
            if status != 401 or not auth:
                return answer
            self.token = None
            self._log_in()
            if self.token is None:
                return answer
        return answer

    def _forget_token_after(self, response: Any) -> None:
        """A 401 (e.g. an expired token): the next task logs in again."""
        if response.status_code == 401:
            self.token = None

    def _ship(self, record: records.Record) -> None:
        runner = self.environment.runner
        assert runner is not None
        runner.send_message(records.MESSAGE_TYPE, records.to_dict(record))


def _identity_source(environment: Environment) -> Identities:
    global _identities
    if _identities is None:
        runner = environment.runner
        prefix = customer_settings.email_prefix(os.environ)
        _identities = Identities(runner.worker_index if isinstance(runner, WorkerRunner) else 0, prefix=prefix)
    return _identities


def _json_of(response: Any) -> Any:
    try:
        return response.json() if response.text else None
    except ValueError:
        return None


def _describe(response: Any) -> str:
    status = response.status_code or records.NO_ANSWER
    if status == records.NO_ANSWER:
        return f"no answer: {getattr(response, 'error', None)!r}"
    return f"HTTP {status}: {(response.text or '')[:160]}"


def _backoff(headers: Any, attempt: int) -> float:
    """Retry-After when the service sent one (capped at 5 s), else 0.5 s doubling per try."""
    raw = headers.get("retry-after") if headers else None
    try:
        return min(float(raw), 5.0) if raw else 0.5 * 2**attempt
    except ValueError:
        return 0.5 * 2**attempt
