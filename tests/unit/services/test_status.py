from __future__ import annotations

import pytest

from order_service.status import OrderStatus, can_transition

S = OrderStatus
ALLOWED = {
    (S.RECEIVED, S.BAKING),
    (S.BAKING, S.READY),
    (S.READY, S.PICKED_UP),
    (S.RECEIVED, S.CANCELLED),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_only_the_machines_edges_are_allowed(current: OrderStatus, target: OrderStatus):
    # Given any pair of statuses, then a transition is allowed exactly when it is an edge of the machine
    assert can_transition(current, target) is ((current, target) in ALLOWED)
