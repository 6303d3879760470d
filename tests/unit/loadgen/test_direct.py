"""loadgen.direct: where the customers' calls go when the gateway is taken out, and when it is not."""

from __future__ import annotations

import pytest

from loadgen.direct import DirectRoutes, from_env, p95_without_gateway
from loadgen.thresholds import Thresholds
from loadgen.thresholds import from_env as thresholds_from_env

ROUTES = DirectRoutes(order_url="http://127.0.0.1:9001", reco_url="http://127.0.0.1:9002")


@pytest.mark.parametrize(
    ("path", "name", "url", "label"),
    [
        ("/api/menu", "GET /api/menu", "http://127.0.0.1:9001/menu", "GET /menu"),
        ("/api/orders", "POST /api/orders", "http://127.0.0.1:9001/orders", "POST /orders"),
        ("/api/orders?limit=20", "GET /api/orders", "http://127.0.0.1:9001/orders?limit=20", "GET /orders"),
        (
            "/api/orders/01AB/cancel",
            "POST /api/orders/{id}/cancel",
            "http://127.0.0.1:9001/orders/01AB/cancel",
            "POST /orders/{id}/cancel",
        ),
    ],
)
def test_given_an_order_service_call_then_it_goes_to_the_order_service_without_the_api_prefix(
    path: str, name: str, url: str, label: str
) -> None:
    assert ROUTES.route(path, name, "c-1") == (url, label)


def test_given_a_recommendation_then_it_goes_to_the_recommendation_api_for_the_tokens_customer() -> None:
    url, label = ROUTES.route("/api/recommendations?k=3&items=S1,S2", "GET /api/recommendations", "c/1")
    assert url == "http://127.0.0.1:9002/recommendations?customer_id=c%2F1&k=3&items=S1,S2"
    assert label == "GET /recommendations"
    assert ROUTES.route("/api/recommendations", "GET /api/recommendations", "c1")[0].endswith("?customer_id=c1")


def test_given_a_recommendation_before_the_customer_is_known_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="customer"):
        ROUTES.route("/api/recommendations?k=3", "GET /api/recommendations", None)


@pytest.mark.parametrize("path", ["/auth/signup", "/auth/login"])
def test_given_signup_or_login_then_it_still_goes_to_the_gateway(path: str) -> None:
    # The gateway is the only one that issues tokens
    assert ROUTES.route(path, f"POST {path}", None) == (path, f"POST {path}")


def test_given_no_target_or_the_gateway_then_there_are_no_direct_routes() -> None:
    assert from_env({}) is None
    assert from_env({"LOAD_TARGET": "gateway", "LOAD_ORDER_URL": "http://x"}) is None


def test_given_the_direct_target_then_the_routes_come_from_the_environment() -> None:
    env = {
        "LOAD_TARGET": "direct",
        "LOAD_ORDER_URL": "http://127.0.0.1:9001/",
        "LOAD_RECO_URL": "http://127.0.0.1:9002",
    }
    assert from_env(env) == ROUTES


def test_given_the_direct_target_without_its_urls_then_the_message_names_them() -> None:
    with pytest.raises(ValueError, match="LOAD_ORDER_URL and LOAD_RECO_URL"):
        from_env({"LOAD_TARGET": "direct"})


def test_given_an_unknown_target_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="LOAD_TARGET"):
        from_env({"LOAD_TARGET": "sideways"})


def test_given_limits_then_the_direct_override_keeps_them_and_adds_each_endpoint_under_its_direct_label() -> None:
    limits = Thresholds(default_p95_ms=700.0, endpoint_p95_ms={"GET /api/recommendations": 1500.0})
    mirrored = thresholds_from_env({"LOAD_P95_MS": p95_without_gateway(limits)})
    assert mirrored.default_p95_ms == 700
    assert dict(mirrored.endpoint_p95_ms) == {"GET /api/recommendations": 1500, "GET /recommendations": 1500}
