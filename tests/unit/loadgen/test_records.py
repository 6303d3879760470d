"""Records travel as plain dicts (Locust messages, then JSON lines) and come back as the same records."""

from __future__ import annotations

import json

import pytest

from loadgen.records import CancelAttempt, CustomerRecord, OrderAttempt, from_dict, parse_all, to_dict


@pytest.mark.parametrize(
    "record",
    [
        CustomerRecord(customer_id="c1"),
        OrderAttempt(customer_id="c1", key="k1", statuses=(0, 201), order_ids=("01A",)),
        CancelAttempt(customer_id="c1", order_id="01A", statuses=(503, 200)),
    ],
)
def test_given_a_record_when_it_travels_as_json_then_it_comes_back_equal(record: object) -> None:
    assert from_dict(json.loads(json.dumps(to_dict(record)))) == record  # type: ignore[arg-type]


def test_given_cancel_statuses_then_confirmed_and_uncertain_follow_from_them() -> None:
    assert CancelAttempt(customer_id="c", order_id="o", statuses=(0, 200)).confirmed
    assert CancelAttempt(customer_id="c", order_id="o", statuses=(504,)).uncertain
    refused = CancelAttempt(customer_id="c", order_id="o", statuses=(409,))
    assert not refused.confirmed
    assert not refused.uncertain


def test_given_something_that_is_not_a_record_then_parsing_fails_loudly() -> None:
    with pytest.raises(ValueError, match="not a load record"):
        parse_all([{"kind": "customer", "customer_id": "c1"}, {"kind": "refund"}])
