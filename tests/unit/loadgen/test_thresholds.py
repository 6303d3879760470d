"""Thresholds: the failure ratio over all requests and the p95 per endpoint, with environment overrides."""

from __future__ import annotations

import pytest

from loadgen.thresholds import EndpointStats, Thresholds, evaluate, from_env


def row(name: str, requests: int = 100, failures: int = 0, p95_ms: float = 100.0) -> EndpointStats:
    return EndpointStats(name=name, requests=requests, failures=failures, p95_ms=p95_ms)


def test_given_a_clean_fast_run_then_the_defaults_pass() -> None:
    verdict = evaluate(Thresholds(), [row("GET /api/menu"), row("POST /auth/login", p95_ms=2500)])
    assert verdict.passed
    assert verdict.violations == ()


def test_given_too_many_failures_then_the_ratio_fails_the_run() -> None:
    # Given 2 failures in 100 requests, above the default 1 %
    verdict = evaluate(Thresholds(), [row("GET /api/menu", requests=60), row("POST /api/orders", 40, failures=2)])
    # Then the run fails, saying by how much
    assert not verdict.passed
    assert verdict.violations == ("failure ratio 0.0200 (2 of 100) above 0.01",)


def test_given_one_slow_endpoint_then_only_that_endpoint_is_named() -> None:
    verdict = evaluate(Thresholds(), [row("GET /api/menu", p95_ms=999), row("POST /api/orders", p95_ms=1200)])
    assert verdict.violations == ("POST /api/orders: p95 1200 ms above 1000 ms",)


def test_given_login_as_slow_as_argon2_under_load_then_its_own_default_applies() -> None:
    assert evaluate(Thresholds(), [row("POST /auth/login", p95_ms=2900)]).passed
    assert not evaluate(Thresholds(), [row("POST /auth/login", p95_ms=3100)]).passed


def test_given_no_request_at_all_then_the_run_fails() -> None:
    verdict = evaluate(Thresholds(), [])
    assert verdict.violations == ("no request was made",)


def test_given_an_endpoint_without_requests_then_its_p95_is_not_judged() -> None:
    assert evaluate(Thresholds(), [row("GET /api/menu"), row("GET /api/orders/{id}", requests=0, p95_ms=0)]).passed


def test_given_no_overrides_then_the_defaults_are_used() -> None:
    assert from_env({}) == Thresholds()


def test_given_a_looser_fail_ratio_from_the_environment_then_a_failing_run_passes() -> None:
    failing = [row("GET /api/menu", failures=10)]
    assert not evaluate(from_env({}), failing).passed
    assert evaluate(from_env({"LOAD_MAX_FAIL_RATIO": "0.2"}), failing).passed


def test_given_a_plain_p95_override_then_it_applies_to_every_endpoint_including_login() -> None:
    thresholds = from_env({"LOAD_P95_MS": "200"})
    assert thresholds.p95_limit("GET /api/menu") == 200
    assert thresholds.p95_limit("POST /auth/login") == 200
    assert not evaluate(thresholds, [row("GET /api/menu", p95_ms=250)]).passed


def test_given_endpoint_overrides_then_they_win_over_the_default() -> None:
    thresholds = from_env({"LOAD_P95_MS": "800, POST /auth/login=3500 ,GET /api/orders/{id}=50"})
    assert thresholds.p95_limit("GET /api/menu") == 800
    assert thresholds.p95_limit("POST /auth/login") == 3500
    assert thresholds.p95_limit("GET /api/orders/{id}") == 50
    assert thresholds.p95_limit("POST /auth/signup") == 800  # a plain number replaced the built-in auth defaults


def test_given_only_an_endpoint_override_then_the_other_defaults_stay() -> None:
    thresholds = from_env({"LOAD_P95_MS": "POST /api/orders=500"})
    assert thresholds.p95_limit("POST /api/orders") == 500
    assert thresholds.p95_limit("GET /api/menu") == 1000
    assert thresholds.p95_limit("POST /auth/login") == 3000


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LOAD_MAX_FAIL_RATIO", "1.5", "between 0 and 1"),
        ("LOAD_MAX_FAIL_RATIO", "lots", "could not convert"),
        ("LOAD_P95_MS", "fast", "neither a number"),
        ("LOAD_P95_MS", "GET /api/menu=-5", "positive"),
    ],
)
def test_given_a_bad_override_then_it_is_refused(name: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        from_env({name: value})


def test_given_too_few_samples_for_a_percentile_then_that_endpoint_p95_is_not_judged() -> None:
    # Given one slow request among 19 (Locust's p95 of 19 samples is the slowest of them)
    few = [row("GET /api/menu"), row("POST /api/orders", requests=19, p95_ms=1400)]
    # Then it does not fail the run, while the same p95 over 20 requests does
    assert evaluate(Thresholds(), few).passed
    assert not evaluate(Thresholds(), [row("GET /api/menu"), row("POST /api/orders", requests=20, p95_ms=1400)]).passed


def test_given_a_minimum_of_one_sample_from_the_environment_then_a_single_slow_request_fails_the_run() -> None:
    thresholds = from_env({"LOAD_P95_MIN_SAMPLES": "1"})
    assert not evaluate(thresholds, [row("GET /api/menu"), row("POST /api/orders", requests=1, p95_ms=1400)]).passed
    with pytest.raises(ValueError, match="at least 1"):
        from_env({"LOAD_P95_MIN_SAMPLES": "0"})


def test_given_recommendations_then_their_default_is_looser_than_the_order_path() -> None:
    thresholds = Thresholds()
    assert thresholds.p95_limit("GET /api/recommendations") == 2000
    assert thresholds.p95_limit("POST /api/orders") == 1000
