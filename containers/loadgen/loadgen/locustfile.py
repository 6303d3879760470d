"""Customers of a bakery's launch event, as Locust users against the login gateway.

Each simulated user is one customer: it signs up once (its own email and Korean mobile number), logs in, and then
repeats what a storefront visitor does, with these weights:

- ``GET /api/menu`` 8: browsing is most of what anyone does; every visit to the page reads the menu, and a customer
  adds one to three available products to the basket while looking at it;
- ``GET /api/recommendations`` 4: the storefront asks for suggestions whenever the basket changes (half as often
  as the menu is read), with the current basket as ``items``; now and then the customer takes one;
- ``POST /api/orders`` 4: a launch is about buying, so about one visit in five ends in an order, sent with an
  ``Idempotency-Key``; a try without an answer (timeout, reset) or a 502/503/504 is retried with the same key and
  body, and one order in ten is sent twice on purpose (a double tap, an app retrying after a lost answer), which must
  replay the same order rather than create a second one;
- ``GET /api/orders`` 2 and ``GET /api/orders/{id}`` 1: checking "My orders" after ordering, less often than ordering;
  each listing must contain the customer's orders (read your writes) and each order its last known status;
- ``POST /api/orders/{id}/cancel`` 1: some customers change their mind; one cancel per four orders at most.

Think time is 1-4 s between tasks (2.5 s on average): the pace of someone tapping through a storefront they already
know during a launch, faster than casual browsing (which is why a spike of users is a spike of requests).

The user is ``loadgen.customer.Customer``; the profiles are ``loadgen.shapes``, run by ``ProfileShape``; the hooks
between master and workers are ``loadgen.run_hooks``. Locust picks the user and shape classes out of this module's
namespace, imported ones included (util/load_locustfile.py).

Every request is named by a stable endpoint label (``POST /api/orders/{id}/cancel``), never by a URL with ids, so
Locust's statistics, the thresholds and the summary group by endpoint. Each signup, order attempt and cancellation
is shipped to the master as a custom message (docs/running-distributed.rst, "Communicating across nodes"), which
writes them to ``records.jsonl`` for the reconciliation; thresholds are checked in the ``quitting`` hook, which sets
the exit code (docs/running-without-web-ui.rst, "Controlling the exit code of the Locust process").
"""

from __future__ import annotations

from loadgen.customer import Customer
from loadgen.run_hooks import ProfileShape

__all__ = ["Customer", "ProfileShape"]
