"""The load generator: a Locust locustfile (``locustfile.py``) and the pure logic around it.

Only ``locustfile.py`` imports Locust (which monkey-patches the process with gevent); every other module here is
plain Python, so the profiles, thresholds, reconciliation and summary are unit-tested without it.
"""
