"""A customer journey through the login gateway, printed as a readable transcript (``make demo``).

    python -m local.journey [--url http://127.0.0.1:8080] [--prometheus-url http://127.0.0.1:9090]

Open the storefront page, sign up, log in, browse the menu, order, list orders, cancel: every step over real HTTP,
as the storefront's script does it.
Then read back from the local Prometheus the request rate its recording rule (the same rule as AMP's) computed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

DEMO_PHONE = "010-1234-5678"  # the number the call-center demo later calls from
RATE_RULE = "namespace_app_handler:http_requests:rate5m"
APPS = ("login", "order")  # the `app` label of both services' series
PROMETHEUS_WAIT_SECONDS = 15.0  # scrape and evaluation run every 5 s locally; a rate needs two scrapes


def _show(step: str, response: httpx.Response, detail: str = "") -> None:
    print(
        f"  {step:<38} {response.request.method:<5} {response.request.url.path:<28} -> {response.status_code} {detail}"
    )


def _expect(response: httpx.Response, *statuses: int) -> Any:
    if response.status_code not in statuses:
        raise SystemExit(f"unexpected {response.status_code} from {response.request.url}: {response.text[:300]}")
    return response.json()


def _recommendations(http: httpx.Client, auth: dict[str, str], step: str) -> list[str]:
    response = http.get("/api/recommendations", params={"k": 3}, headers=auth)
    items = _expect(response, 200)["items"]
    _show(step, response, ", ".join(f"{i['name']} ({i['reason']})" for i in items) or "none")
    return [str(item["sku"]) for item in items]


def _recommendations_after(http: httpx.Client, auth: dict[str, str], before: list[str]) -> None:
    """The Orders stream feeds the model in the background: wait (bounded) until the new order shows."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        response = http.get("/api/recommendations", params={"k": 3}, headers=auth)
        items = _expect(response, 200)["items"]
        if [str(item["sku"]) for item in items] != before:
            _show("recommendations after the order", response, ", ".join(f"{i['name']} ({i['reason']})" for i in items))
            return
        time.sleep(0.5)
    print("  recommendations did not change within 15 s (is the Orders-stream poller running?)")


def run(base_url: str) -> dict[str, str]:
    """The journey; returns the customer's Authorization header."""
    email = f"jiwoo.kim+{uuid.uuid4().hex[:8]}@example.com"
    password = "croissant-" + uuid.uuid4().hex[:10]
    with httpx.Client(base_url=base_url, timeout=5.0) as http:
        print(f"Customer journey against {base_url}")
        page = http.get("/")
        if page.status_code != 200 or "text/html" not in page.headers.get("content-type", ""):
            raise SystemExit(f"the storefront did not load: {page.status_code} {page.headers.get('content-type')}")
        _show("open the storefront", page, f"{len(page.content):,} bytes of HTML; in a browser: {base_url}/")
        signup = http.post(
            "/auth/signup", json={"email": email, "password": password, "name": "김지우", "phone": DEMO_PHONE}
        )
        body = _expect(signup, 201)
        _show("sign up (phone 010-1234-5678)", signup, f"customer_id={body['customer_id']}")

        wrong = http.post("/auth/login", json={"email": email, "password": "not-my-password"})
        _expect(wrong, 401)
        _show("log in with a wrong password", wrong, "refused")

        login = http.post("/auth/login", json={"email": email, "password": password})
        token = _expect(login, 200)
        _show("log in", login, f"{token['token_type']} token, expires in {token['expires_in']} s")
        auth = {"Authorization": f"Bearer {token['access_token']}"}

        menu = http.get("/api/menu")
        items = _expect(menu, 200)
        items = items["items"] if isinstance(items, dict) else items
        available = [i for i in items if i.get("available", True)]
        _show("browse the menu", menu, f"{len(items)} items, {len(available)} available")
        for item in available[:5]:
            print(f"      {item['sku']:<8} {item.get('name_ko', ''):<10} {item['name']:<28} {item['price']:>7,} KRW")

        basket = [{"sku": available[0]["sku"], "quantity": 2}, {"sku": available[1]["sku"], "quantity": 1}]
        before = _recommendations(http, auth, "recommendations before ordering")
        key = {"Idempotency-Key": uuid.uuid4().hex}
        order = http.post("/api/orders", json={"items": basket}, headers=auth | key)
        placed = _expect(order, 201)
        _show("order 2 + 1 items", order, f"{placed['order_id']} {placed['status']} total {placed['total']:,} KRW")

        replay = http.post("/api/orders", json={"items": basket}, headers=auth | key)
        again = _expect(replay, 200, 201)
        _show("retry with the same Idempotency-Key", replay, f"same order: {again['order_id'] == placed['order_id']}")

        _recommendations_after(http, auth, before)

        anonymous = http.post("/api/orders", json={"items": basket})
        _expect(anonymous, 401)
        _show("order without signing in", anonymous, "refused")

        listing = http.get("/api/orders", headers=auth)
        orders = _expect(listing, 200)
        _show("list my orders", listing, f"{len(orders['items'])} order(s), newest first")

        cancel = http.post(f"/api/orders/{placed['order_id']}/cancel", headers=auth)
        cancelled = _expect(cancel, 200)
        _show("cancel it", cancel, cancelled["status"])

        second = http.post(f"/api/orders/{placed['order_id']}/cancel", headers=auth)
        _expect(second, 409)
        _show("cancel it again", second, "refused: already cancelled")
    return auth


def show_request_rates(prometheus_url: str, *, traffic: Callable[[], object] = lambda: None) -> None:
    """Print the recording rule's rate per service once both have one (bounded wait), calling ``traffic`` meanwhile.

    A counter's first scrape gives no rate (it needs two samples that differ), so the wait sends a little traffic.
    """
    expr = f'sum by (app) ({RATE_RULE}{{namespace="tlj"}})'
    print(f"Prometheus at {prometheus_url} (alerts at /alerts): {RATE_RULE}, summed by app")
    deadline = time.monotonic() + PROMETHEUS_WAIT_SECONDS
    with httpx.Client(base_url=prometheus_url, timeout=5.0, trust_env=False) as prometheus:
        while True:
            traffic()
            try:
                response = prometheus.get("/api/v1/query", params={"query": expr})
            except httpx.HTTPError as error:
                print(f"  Prometheus did not answer ({type(error).__name__}); is it running? (make status)")
                return
            result = _expect(response, 200)["data"]["result"]
            rates = {str(s["metric"].get("app")): float(s["value"][1]) for s in result}
            if all(rates.get(app, 0.0) > 0 for app in APPS) or time.monotonic() >= deadline:
                break
            time.sleep(1.0)
    for app, rate in sorted(rates.items()):
        print(f"  {app:<8} {rate:.3f} requests/s over the last 5 minutes")
    if not rates:
        print(f"  no value yet after {PROMETHEUS_WAIT_SECONDS:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('LOGIN_PORT', '8080')}")
    parser.add_argument("--prometheus-url", default=f"http://127.0.0.1:{os.environ.get('PROMETHEUS_PORT', '9090')}")
    args = parser.parse_args(argv)
    auth = run(args.url)
    with httpx.Client(base_url=args.url, timeout=5.0) as http:
        show_request_rates(args.prometheus_url, traffic=lambda: _expect(http.get("/api/orders", headers=auth), 200))
    return 0


if __name__ == "__main__":
    sys.exit(main())
