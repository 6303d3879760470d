"""expr-lang conditions as Argo Rollouts evaluates them (utils/evaluate/evaluate.go), and the ones the rehearsal
refuses rather than guess."""

from __future__ import annotations

import math
from typing import Any

import pytest

from local.analysis import FAILED, INCONCLUSIVE, SUCCESSFUL, Metric
from local.conditions import ConditionError, EvaluationError, compile_condition
from local.providers import evaluate_result

SUCCESS = "len(result) > 0 && result[0] >= 0.99"
FAILURE = "len(result) > 0 && result[0] < 0.99"


@pytest.mark.parametrize(
    ("condition", "result", "expected"),
    [
        (SUCCESS, [0.995], True),
        (SUCCESS, [0.98], False),
        (SUCCESS, [], False),  # && short-circuits: result[0] of an empty result is never read
        (SUCCESS, [math.nan], False),  # NaN compares false, as in Go
        (FAILURE, [math.nan], False),
        ("len(result) == 0 || result[0] < 0.5", [], True),
        ("!(len(result) > 0) or result[0] < 1", [2.0], False),
        ("!isNaN(result[0]) and result[0] < 0.5", [math.nan], False),
        ("not isInf(result[0])", [math.inf], False),
        ("result > 1", 2.0, True),  # a scalar is a number
        ("result[0] / 0 > 1", [1.0], True),  # float division: +Inf, not an error
        ("asInt(result[0]) == 2", [2.9], True),
        ("result[len(result) - 1] >= 3 && true", [1.0, 3.0], True),
        ("-result[0] ** 2 == -4", [2.0], True),
    ],
)
def test_given_a_condition_then_it_evaluates_as_expr_would(condition: str, result: Any, expected: bool) -> None:
    assert compile_condition(condition).evaluate(result) is expected


@pytest.mark.parametrize(
    ("condition", "result"),
    [
        ("result[0] >= 0.99", []),  # index out of range
        ("len(result) > 0", 0.5),  # len of a scalar
        ("result", [1.0]),  # not a bool
        ("result[0] && true", [1.0]),  # && of a number
        ("!result[0]", [1.0]),
        ("result < 1", [0.5]),  # ordering a list
    ],
)
def test_given_a_condition_that_fails_at_evaluation_then_it_is_an_evaluation_error(condition: str, result: Any) -> None:
    with pytest.raises(EvaluationError):
        compile_condition(condition).evaluate(result)


@pytest.mark.parametrize(
    ("condition", "why"),
    [
        ("result[0] < 1 < 2", "chained comparison"),
        ("result.x > 1", "unsupported syntax"),
        ("result[0] % 2 == 0", "unsupported syntax"),
        ('result[0] == "a"', "unsupported syntax"),
        ("!result[0] * 2 > 1", "binds them differently"),
        ("result[0] > 1 ? true : false", "unsupported syntax"),
        ("1 in result", "unknown name"),
        ("all(result, {# > 1})", "unsupported syntax"),
        ("result matches 'x'", "unsupported syntax"),
        ("result[0] contains 1", "unknown name"),
        ("x > 1", "unknown name"),
        ("True", "unknown name"),
        ("__import__('os')", "unsupported syntax"),
        ("result[0:1] == 1", "unsupported syntax"),
        ("len(result) > 0 &&", "not a valid expression"),
        ("(result[0] > 1", "not a valid expression"),
        ("", "empty"),
    ],
)
def test_given_expr_the_rehearsal_cannot_translate_safely_then_it_is_refused(condition: str, why: str) -> None:
    with pytest.raises(ConditionError, match=why):
        compile_condition(condition)


def metric(success: str = "", failure: str = "") -> Metric:
    return Metric(name="m", provider="prometheus", success_condition=success, failure_condition=failure)


@pytest.mark.parametrize(
    ("success", "failure", "result", "phase"),
    [
        ("", "", [0.1], SUCCESSFUL),  # neither set: always Successful
        (SUCCESS, "", [0.5], FAILED),  # only success: false is Failed
        (SUCCESS, "", [], FAILED),
        ("", FAILURE, [0.995], SUCCESSFUL),  # only failure: false is Successful
        ("", FAILURE, [], SUCCESSFUL),
        (SUCCESS, FAILURE, [0.995], SUCCESSFUL),
        (SUCCESS, FAILURE, [0.5], FAILED),
        (SUCCESS, FAILURE, [], INCONCLUSIVE),  # both set, neither true: no data is Inconclusive
        (SUCCESS, FAILURE, [math.nan], INCONCLUSIVE),
        ("result[0] > 0", "result[0] > 0", [1.0], FAILED),  # both true: the failure wins
    ],
)
def test_given_success_and_failure_conditions_then_the_phase_follows_evaluate_result(
    success: str, failure: str, result: Any, phase: str
) -> None:
    assert evaluate_result(result, metric(success, failure)) == phase
