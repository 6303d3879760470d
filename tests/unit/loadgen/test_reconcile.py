"""Reconciliation: lost, doubled, replayed, unconfirmed orders and cancellations, against a given table state."""

from __future__ import annotations

from loadgen.reconcile import TableState, reconcile
from loadgen.records import CancelAttempt, CustomerRecord, OrderAttempt, Record

ANN, BO = "customer-ann", "customer-bo"


def placed(customer: str, key: str, *order_ids: str, statuses: tuple[int, ...] = (201,)) -> OrderAttempt:
    return OrderAttempt(customer_id=customer, key=key, statuses=statuses, order_ids=order_ids)


def journal(*extra: Record) -> list[Record]:
    return [
        CustomerRecord(customer_id=ANN),
        CustomerRecord(customer_id=BO),
        placed(ANN, "k1", "01A"),
        placed(BO, "k2", "01B"),
        *extra,
    ]


def table(orders: dict[str, str], keys: dict[str, str] | None = None) -> TableState:
    return TableState(orders=orders, keys=keys or {})


GOOD = {ANN: table({"01A": "RECEIVED"}, {"k1": "01A"}), BO: table({"01B": "RECEIVED"}, {"k2": "01B"})}


def test_given_every_confirmed_order_stored_once_then_the_run_reconciles() -> None:
    result = reconcile(journal(), GOOD)
    assert result.ok
    assert (result.customers, result.orders_created, result.orders_found) == (2, 2, 2)
    assert (result.orders_lost, result.orders_duplicated, result.orders_unconfirmed) == (0, 0, 0)


def test_given_a_confirmed_order_missing_from_the_table_then_it_is_lost() -> None:
    # Given Bo was told 01B was placed, but the table does not hold it
    tables = {**GOOD, BO: table({}, {})}
    result = reconcile(journal(), tables)
    # Then the order is lost and the run does not reconcile
    assert not result.ok
    assert (result.orders_created, result.orders_found, result.orders_lost) == (2, 1, 1)
    assert result.problems == ("order 01B of customer customer-bo was confirmed to its client but is not in the table",)


def test_given_a_second_order_nobody_was_told_about_then_it_is_duplicated() -> None:
    # Given a retry that created a new order instead of replaying the first (its key now points at the new one)
    tables = {**GOOD, ANN: table({"01A": "RECEIVED", "01C": "RECEIVED"}, {"k1": "01C"})}
    result = reconcile(journal(), tables)
    # Then the extra order is a duplicate
    assert not result.ok
    assert result.orders_duplicated == 1
    assert result.orders_lost == 0
    assert "01C" in result.problems[0]


def test_given_a_timed_out_order_retried_with_its_key_then_the_replay_is_not_a_duplicate() -> None:
    # Given the first try got no answer (status 0) and the retry with the same key was answered with 01A
    retried: list[Record] = [CustomerRecord(customer_id=ANN), placed(ANN, "k1", "01A", statuses=(0, 201))]
    result = reconcile(retried, {ANN: table({"01A": "RECEIVED"}, {"k1": "01A"})})
    # Then one order was made and found, nothing doubled
    assert result.ok
    assert (result.orders_created, result.orders_found, result.orders_duplicated) == (1, 1, 0)


def test_given_a_double_submit_answered_with_the_same_order_then_it_counts_once() -> None:
    twice: list[Record] = [CustomerRecord(customer_id=ANN), placed(ANN, "k1", "01A", "01A", statuses=(201, 201))]
    result = reconcile(twice, {ANN: table({"01A": "RECEIVED"}, {"k1": "01A"})})
    assert result.ok
    assert result.orders_created == 1


def test_given_one_key_answered_with_two_different_orders_then_it_is_duplicated() -> None:
    # Given a replay that answered with another order id than the first answer
    twice: list[Record] = [CustomerRecord(customer_id=ANN), placed(ANN, "k1", "01A", "01D", statuses=(201, 201))]
    result = reconcile(twice, {ANN: table({"01A": "RECEIVED", "01D": "RECEIVED"}, {"k1": "01D"})})
    # Then the second order is a duplicate even though the client heard of both
    assert not result.ok
    assert result.orders_duplicated == 1
    assert "k1" in result.problems[0]


def test_given_an_order_never_answered_but_stored_under_its_key_then_it_is_unconfirmed_not_duplicated() -> None:
    # Given every try of k3 went unanswered, and the table's k3 record names the order it created
    unanswered = journal(placed(ANN, "k3", statuses=(0, 0, 0)))
    tables = {**GOOD, ANN: table({"01A": "RECEIVED", "01E": "RECEIVED"}, {"k1": "01A", "k3": "01E"})}
    result = reconcile(unanswered, tables)
    # Then the order is accounted for as sent but unconfirmed
    assert result.ok
    assert (result.orders_unconfirmed, result.orders_duplicated) == (1, 0)


def test_given_confirmed_cancellations_that_the_table_shows_then_they_match() -> None:
    cancelled = journal(CancelAttempt(customer_id=ANN, order_id="01A", statuses=(200,)))
    tables = {**GOOD, ANN: table({"01A": "CANCELLED"}, {"k1": "01A"})}
    result = reconcile(cancelled, tables)
    assert result.ok
    assert (result.cancellations_confirmed, result.cancellations_mismatched) == (1, 0)


def test_given_a_confirmed_cancellation_the_table_does_not_show_then_it_is_a_mismatch() -> None:
    # Given Ann was told 01A is cancelled, and the table still says RECEIVED
    cancelled = journal(CancelAttempt(customer_id=ANN, order_id="01A", statuses=(200,)))
    result = reconcile(cancelled, GOOD)
    # Then the run does not reconcile
    assert not result.ok
    assert result.cancellations_mismatched == 1
    assert result.problems == ("order 01A was confirmed cancelled to its client but is RECEIVED",)


def test_given_a_cancelled_order_nobody_asked_to_cancel_then_it_is_a_mismatch() -> None:
    tables = {**GOOD, BO: table({"01B": "CANCELLED"}, {"k2": "01B"})}
    result = reconcile(journal(), tables)
    assert not result.ok
    assert result.cancellations_mismatched == 1


def test_given_a_cancel_retried_after_no_answer_then_a_cancelled_order_is_accepted() -> None:
    # Given the first cancel try got no answer, and the retry was refused because the first had applied
    retried = journal(CancelAttempt(customer_id=BO, order_id="01B", statuses=(0, 409)))
    tables = {**GOOD, BO: table({"01B": "CANCELLED"}, {"k2": "01B"})}
    result = reconcile(retried, tables)
    assert result.ok
    assert result.cancellations_mismatched == 0


def test_given_many_problems_then_only_the_first_twenty_are_listed_but_all_are_counted() -> None:
    extra = {f"01X{index:02d}": "RECEIVED" for index in range(30)}
    result = reconcile(journal(), {**GOOD, ANN: table({"01A": "RECEIVED", **extra}, {"k1": "01A"})})
    assert result.orders_duplicated == 30
    assert len(result.problems) == 20
