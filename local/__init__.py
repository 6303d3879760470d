"""The local platform: an AWS emulator, table bootstrap and menu seed, the services, and a real Prometheus server
with AMP's recording and alert rules, all run by a small process runner.

Dev tooling only; nothing here is deployed. ``python -m local.platform up|down|status`` is the entry point.
Why a hand-written runner and not honcho, supervisord or circus: see local/README.md (keep the runner; a
supervisor's restart on crash would hide crashes a developer and the e2e tests should see).
"""
