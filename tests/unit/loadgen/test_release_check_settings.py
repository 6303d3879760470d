"""What the release check (the release-smoke AnalysisTemplate's Job) asks of the loadgen: the ``preview`` target,
identifiable customers, orders cancelled at stop, and a hold that keeps the smoke customers going."""

from __future__ import annotations

import pytest

from loadgen import customer_settings
from loadgen.direct import ENV_TARGETS, TARGETS, DirectRoutes, from_env
from loadgen.identities import Identities
from loadgen.shapes import PROFILES, STOP_TIMEOUT_S, Schedule, held_until
from login_service.models import SignupRequest

PREVIEW = "http://order-preview.tlj.svc.cluster.local"


def test_given_the_preview_target_then_only_the_order_services_calls_leave_the_gateway() -> None:
    routes = from_env({"LOAD_TARGET": "preview", "LOAD_ORDER_URL": PREVIEW + "/"})
    assert routes == DirectRoutes(order_url=PREVIEW, reco_url=None)
    assert routes.route("/api/orders/01AB", "GET /api/orders/{id}", "c1") == (
        f"{PREVIEW}/orders/01AB",
        "GET /orders/{id}",
    )
    assert routes.route("/api/menu", "GET /api/menu", None) == (f"{PREVIEW}/menu", "GET /menu")
    # Recommendations and tokens stay the gateway's, before the customer is known too
    for path, name in [
        ("/api/recommendations?k=3", "GET /api/recommendations"),
        ("/auth/signup", "POST /auth/signup"),
        ("/auth/login", "POST /auth/login"),
    ]:
        assert routes.route(path, name, None) == (path, name)


def test_given_an_order_url_with_a_path_then_the_order_paths_are_appended_to_it() -> None:
    # The login canary's check sends the order paths through the gateway's /api
    routes = from_env({"LOAD_TARGET": "preview", "LOAD_ORDER_URL": "http://login.tlj.svc.cluster.local/api"})
    assert routes is not None
    assert routes.route("/api/orders", "POST /api/orders", "c1")[0] == "http://login.tlj.svc.cluster.local/api/orders"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOAD_TARGET": "preview"}, "LOAD_TARGET=preview needs LOAD_ORDER_URL"),
        ({"LOAD_TARGET": "preview", "LOAD_ORDER_URL": "order-preview"}, "absolute http"),
        ({"LOAD_TARGET": "preview", "LOAD_ORDER_URL": "/orders"}, "absolute http"),
        ({"LOAD_TARGET": "preview", "LOAD_ORDER_URL": "ftp://order-preview"}, "absolute http"),
        ({"LOAD_TARGET": "preview", "LOAD_ORDER_URL": "http://order-preview/?x=1"}, "absolute http"),
        ({"LOAD_TARGET": "direct", "LOAD_ORDER_URL": "http://o", "LOAD_RECO_URL": "r"}, "LOAD_RECO_URL"),
    ],
)
def test_given_a_missing_or_relative_order_url_then_it_is_refused_rather_than_sent_to_the_gateway(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        from_env(env)


def test_given_the_cli_then_it_keeps_offering_gateway_and_direct_while_the_variable_also_takes_preview() -> None:
    assert TARGETS == ("gateway", "direct")
    assert set(ENV_TARGETS) == {"gateway", "direct", "preview"}


def test_given_an_email_prefix_then_the_customers_are_found_by_it_and_the_gateway_accepts_them() -> None:
    identity = Identities(0, "run1", prefix="release-check").next()
    assert identity.email == "release-check-run1-w0-0@load.example.com"
    assert SignupRequest(**identity.signup_body()).email == identity.email
    assert Identities(0, "run1").next().email.startswith("customer-run1-")


@pytest.mark.parametrize("prefix", ["", "Release", "release check", "-x", "x" * 33, "a@b"])
def test_given_a_bad_email_prefix_then_it_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="LOAD_EMAIL_PREFIX"):
        Identities(0, prefix=prefix)
    if prefix:  # an empty variable means the default
        with pytest.raises(ValueError, match="LOAD_EMAIL_PREFIX"):
            customer_settings.check({"LOAD_EMAIL_PREFIX": prefix})


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("1", True), ("YES", True), ("false", False), ("0", False)]
)
def test_given_cancel_at_stop_then_it_reads_as_a_flag(raw: str, expected: bool) -> None:
    assert customer_settings.cancel_at_stop({"LOAD_CANCEL_AT_STOP": raw}) is expected


def test_given_no_cancel_at_stop_then_load_tests_keep_their_orders_and_a_bad_value_is_refused() -> None:
    assert customer_settings.cancel_at_stop({}) is False
    with pytest.raises(ValueError, match="LOAD_CANCEL_AT_STOP"):
        customer_settings.cancel_at_stop({"LOAD_CANCEL_AT_STOP": "maybe"})
    with pytest.raises(ValueError, match="LOAD_CANCEL_AT_STOP"):
        customer_settings.check({"LOAD_CANCEL_AT_STOP": "maybe"})


def test_given_the_release_checks_settings_then_they_are_accepted() -> None:
    customer_settings.check(
        {
            "LOAD_TARGET": "preview",
            "LOAD_ORDER_URL": PREVIEW,
            "LOAD_EMAIL_PREFIX": "release-check",
            "LOAD_CANCEL_AT_STOP": "true",
        }
    )


def test_given_a_hold_then_the_smoke_customers_arrive_as_fast_as_ever_and_stay_until_it_ends() -> None:
    smoke = PROFILES["smoke"]
    held = held_until(smoke, 420)
    assert held.load_s == 420
    assert held.stages[-1].spawn_rate == smoke.stages[-1].spawn_rate
    assert held.peak_users == smoke.peak_users
    assert held.max_duration_s == pytest.approx(420 + STOP_TIMEOUT_S + 3.5 + 2.0)
    schedule = Schedule(profile=held)
    assert schedule.tick(1, 0) == (10, 2)
    assert schedule.tick(419, 10) == (10, 2)
    assert schedule.tick(420, 10) == (0, 100.0)  # then the usual drain


def test_given_a_hold_shorter_than_the_profile_then_nothing_changes_and_a_non_positive_hold_is_refused() -> None:
    assert held_until(PROFILES["spike"], 10) == PROFILES["spike"]
    spike = held_until(PROFILES["spike"], 200)
    assert [stage.until_s for stage in spike.stages] == [20, 80, 200]  # only the last stage is held
    with pytest.raises(ValueError, match="positive"):
        held_until(PROFILES["smoke"], 0)
