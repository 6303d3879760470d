"""The local platform's CLI: ``python -m local.platform up|down|status``.

Ports come from ``AWS_PORT``, ``LOGIN_PORT``, ``ORDER_PORT``, ``RECO_PORT``, ``LOGIN_METRICS_PORT``,
``ORDER_METRICS_PORT`` and ``PROMETHEUS_PORT``; the Prometheus server from ``PROMETHEUS`` (default
``.tools/usr/bin/prometheus``); PID files and logs go to ``TLJ_RUN_DIR`` (default ``<repo>/.run``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from local.runner import ComponentStatus, Platform, PlatformError

__all__ = ["ComponentStatus", "Platform", "PlatformError", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.platform", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("up", "down", "status"))
    args = parser.parse_args(argv)
    platform = Platform()
    try:
        if args.command == "up":
            platform.up()
        elif args.command == "down":
            platform.down()
        else:
            return _print_status(platform.status())
    except PlatformError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _print_status(statuses: Sequence[ComponentStatus]) -> int:
    """Print one line per component; exit status 0 only when everything runs and is healthy."""
    for status in statuses:
        pid = str(status.pid) if status.pid else "-"
        health = "healthy" if status.healthy else "unhealthy" if status.state == "running" else ""
        print(f"{status.name:<10} {status.state:<8} pid {pid:<8} {status.url} {health}".rstrip())
    return 0 if all(s.state == "running" and s.healthy for s in statuses) else 3


if __name__ == "__main__":
    sys.exit(main())
