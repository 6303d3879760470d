"""The local platform: an AWS emulator, table bootstrap and menu seed, and a runner for the services.

Dev tooling only; nothing here is deployed. ``python -m local.platform up|down|status`` is the entry point.
"""
