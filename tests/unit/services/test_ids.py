from __future__ import annotations

import itertools

from order_service.ids import CROCKFORD, UlidGenerator, encode, is_ulid, timestamp_ms
from order_service.orders_repository import IDEMPOTENCY_PREFIX, ORDERS_UPPER_BOUND


def fixed_random(value: int = 5):
    return lambda bits: value


def test_ids_are_26_uppercase_crockford_chars_with_the_time_in_front():
    # Given a generator at a known millisecond
    generator = UlidGenerator(clock_ms=lambda: 1_700_000_000_123, random_bits=fixed_random())
    # When an id is made
    ulid = generator.new()
    # Then it is a ULID whose prefix decodes to that millisecond
    assert len(ulid) == 26
    assert set(ulid) <= set(CROCKFORD)
    assert is_ulid(ulid)
    assert timestamp_ms(ulid) == 1_700_000_000_123


def test_later_ids_sort_after_earlier_ones():
    # Given a clock that moves forward
    clock = itertools.count(1_700_000_000_000, 7)
    generator = UlidGenerator(clock_ms=lambda: next(clock))
    # When several ids are made
    ids = [generator.new() for _ in range(50)]
    # Then their string order is their creation order
    assert ids == sorted(ids)
    assert len(set(ids)) == 50


def test_ids_within_one_millisecond_or_after_a_clock_step_back_still_increase():
    # Given a clock stuck on one millisecond, then going back
    times = iter([1000, 1000, 1000, 999])
    generator = UlidGenerator(clock_ms=lambda: next(times), random_bits=fixed_random(2**80 - 2))
    # When four ids are made (the random part overflows on the third)
    ids = [generator.new() for _ in range(4)]
    # Then each is strictly greater than the one before
    assert all(earlier < later for earlier, later in itertools.pairwise(ids))
    assert timestamp_ms(ids[2]) == 1001


def test_every_order_id_sorts_before_the_idempotency_records_and_the_listing_bound():
    # Given the largest possible ULID
    largest = encode(2**128 - 1)
    # Then it sorts below the listing's upper bound, and idempotency records sort above it
    assert largest < ORDERS_UPPER_BOUND < IDEMPOTENCY_PREFIX + "0"


def test_malformed_ids_are_not_ulids():
    for text in (
        "",
        "01ARZ3NDEKTSV4RRFFQ69G5FA",
        "01arz3ndektsv4rrffq69g5fav",
        "01ARZ3NDEKTSV4RRFFQ69G5FAU",
        "idem#key",
    ):
        assert not is_ulid(text), text
    assert not is_ulid("81ARZ3NDEKTSV4RRFFQ69G5FAV")  # more than 128 bits
