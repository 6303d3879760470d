"""Hypothesis feeds the real handler malformed Connect events: it always answers a flat map of strings."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdas.call_center.clock import FIXED_TIME_VARIABLE
from lambdas.call_center.context import FallbackContext
from lambdas.call_center.handler import handler
from lambdas.call_center.logic import KEYS
from tests.integration.call_center.conftest import IN_HOURS

ARN = "arn:aws:lambda:ap-northeast-2:123456789012:function:tlj-local-call-center"
CONTEXT = FallbackContext(function_name="tlj-local-call-center", invoked_function_arn=ARN)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
addresses = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=80),
    st.sampled_from(["+821012345678", "010-1234-5678", "anonymous", "+266696687", "", "+82", "+" + "9" * 40]),
    st.from_regex(r"\+82 ?10[0-9]{8}", fullmatch=True),
)


def connect_event(address: Any, parameters: Any, endpoint_type: Any, drop: Any) -> dict[str, Any]:
    contact = {"CustomerEndpoint": {"Address": address, "Type": endpoint_type}, "Attributes": {}, "Channel": "VOICE"}
    event: dict[str, Any] = {"Name": "ContactFlowEvent", "Details": {"ContactData": contact, "Parameters": parameters}}
    if drop == "endpoint":
        contact.pop("CustomerEndpoint")
    elif drop == "null-endpoint":
        contact["CustomerEndpoint"] = None
    elif drop == "contact":
        event["Details"].pop("ContactData")
    elif drop == "details":
        event.pop("Details")
    return event


def assert_answer(answer: Any) -> None:
    assert isinstance(answer, dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in answer.items()), answer
    assert set(KEYS) <= set(answer)
    assert answer["customer_found"] in ("true", "false")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    address=addresses,
    parameters=st.one_of(json_values, st.fixed_dictionaries({"lang": json_values})),
    endpoint_type=json_values,
    drop=st.sampled_from([None, "endpoint", "null-endpoint", "contact", "details"]),
)
def test_given_a_malformed_connect_event_then_the_answer_is_a_flat_map_of_strings(
    seeded: Any, address: Any, parameters: Any, endpoint_type: Any, drop: Any
) -> None:
    answer = handler(connect_event(address, parameters, endpoint_type, drop), CONTEXT)
    assert_answer(answer)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=json_values)
def test_given_any_json_as_event_then_the_answer_is_a_flat_map_of_strings(seeded: Any, event: Any) -> None:
    answer = handler(event, CONTEXT)
    assert_answer(answer)
    if not isinstance(event, dict) or "Details" not in event:
        assert answer["error"] == "invalid_event"


def test_given_a_valid_event_then_the_known_caller_is_answered(seeded: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv(FIXED_TIME_VARIABLE, IN_HOURS.isoformat())  # the seeded order is recent at that time
    answer = handler(connect_event("+821012345678", {"lang": "ko"}, "TELEPHONE_NUMBER", None), CONTEXT)
    assert_answer(answer)
    assert (answer["customer_found"], answer["has_order"], "error" in answer) == ("true", "true", False)


def test_given_invalid_store_hours_in_the_environment_then_the_handler_still_answers(
    seeded: Any, monkeypatch: Any
) -> None:
    from lambdas.shared.settings import load

    monkeypatch.setenv("STORE_HOURS", '[["FUNDAY", "07:00", "22:00"]]')
    load.cache_clear()
    answer = handler(connect_event("+821012345678", {}, "TELEPHONE_NUMBER", None), CONTEXT)
    assert_answer(answer)
    assert answer["error"] in ("invalid_event", "lookup_failed")


@pytest.mark.parametrize("context", [None, object(), "context", {"function_name": "f"}])
def test_given_no_real_lambda_context_then_the_handler_still_answers(seeded: Any, context: Any) -> None:
    answer = handler(connect_event("+821012345678", {"lang": "en"}, "TELEPHONE_NUMBER", None), context)
    assert_answer(answer)
    assert (answer["customer_found"], answer["lang"]) == ("true", "en")
