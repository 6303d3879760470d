"""``make load``: the load test on the laptop, distributed, with thresholds and a reconciliation of the orders.

    python -m local.load --profile smoke|steady|spike [--workers 2] [--users N] [--duration S] [--target T] [--json]
    python -m local.load --reconcile-only [--json]   # the last run again, against the table as it is now

Starts the local platform when it is not running (the same ``Platform.up`` as ``make up``), then one Locust master
and ``--workers`` worker processes over loopback, headless, against the login gateway. Locust writes
``<run dir>/load/report.html`` and ``stats_*.csv``. When it quits, the master checks the thresholds
(``LOAD_MAX_FAIL_RATIO``, ``LOAD_P95_MS``, ``LOAD_P95_MIN_SAMPLES``: see ``loadgen.thresholds``) and writes what its
clients were told; then the Orders table is read for this run's customers and reconciled with that, and
``summary.json`` has both. Exit status: 0 when the thresholds held and nothing was lost or doubled, 1 when not,
2 when the run itself could not be made. ``--profile probe`` is a few seconds long, for checking the tooling.
``--duration`` plays the profile in that many seconds of load (stages and ramps keep their share); ``--target direct``
sends the customers' storefront calls straight to the order service and the recommendation API instead of through the
gateway (``loadgen.direct``, the baseline of ``benchmarks.capacity``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from local.bootstrap import dynamodb_client
from local.components import table_names
from local.processes import free_ports, tail
from local.runner import Platform, PlatformError
from local.settings import HOST, REPO_ROOT, LocalSettings

LOADGEN = REPO_ROOT / "containers" / "loadgen"
if str(LOADGEN) not in sys.path:
    sys.path.insert(0, str(LOADGEN))  # the loadgen package is not installed: its image copies it, the master imports it

from loadgen import direct, orders_table, reconcile, records, shapes, summary, thresholds  # noqa: E402

LOCUSTFILE = LOADGEN / "loadgen" / "locustfile.py"
MIN_WORKERS = 2
WORKER_CONNECT_S = 30  # --expect-workers-max-wait: give up when the workers have not connected by then
GRACE_S = 60  # on top of the profile's longest duration, for Locust's start and its report files
OUTPUTS = (summary.RESULT_FILE, summary.RECORDS_FILE, summary.SUMMARY_FILE, "report.html")


class LoadError(Exception):
    """The run could not be made (Locust did not start, crashed or hung); the message says why."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.load", description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=sorted(shapes.PROFILES), default=os.environ.get("LOAD_PROFILE", "smoke"))
    parser.add_argument("--workers", type=int, default=MIN_WORKERS, help=f"Locust worker processes (>= {MIN_WORKERS})")
    parser.add_argument("--users", type=int, default=0, help="scale the profile's busiest stage to this many users")
    parser.add_argument("--duration", type=float, default=0.0, help="play the profile in this many seconds of load")
    parser.add_argument(
        "--target",
        choices=direct.TARGETS,
        default=os.environ.get("LOAD_TARGET") or "gateway",
        help="gateway (default), or direct: straight to the order service and the recommendation API",
    )
    parser.add_argument("--json", action="store_true", help="print summary.json (everything else goes to stderr)")
    parser.add_argument(
        "--reconcile-only",
        action="store_true",
        help="no new run: reconcile the last run's records with the Orders table again and rewrite summary.json",
    )
    args = parser.parse_args(argv)
    if args.workers < MIN_WORKERS:
        parser.error(f"--workers must be at least {MIN_WORKERS}")
    if args.duration < 0:
        parser.error("--duration must not be negative")
    if args.target not in direct.TARGETS:  # argparse checks choices on the command line, not a default from LOAD_TARGET
        parser.error(f"LOAD_TARGET must be one of {', '.join(direct.TARGETS)}, not {args.target!r}")
    try:
        thresholds.from_env(os.environ)  # refuse a bad LOAD_P95_MS before starting anything
        shapes.profile_named(args.profile, args.users or None)
    except ValueError as error:
        parser.error(str(error))
    log = sys.stderr if args.json else sys.stdout
    settings = LocalSettings()
    try:
        if args.reconcile_only:
            result = reconcile_run(settings)
        else:
            Platform(settings, out=log).up()
            result = run(
                settings,
                profile=args.profile,
                workers=args.workers,
                users=args.users,
                duration_s=args.duration,
                target=args.target,
                log=log,
            )
    except (PlatformError, LoadError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        _print_summary(result, settings.run_dir / "load", log)
    return 0 if result["passed"] else 1


def run(
    settings: LocalSettings,
    *,
    profile: str,
    workers: int,
    users: int = 0,
    duration_s: float = 0.0,
    target: str = "gateway",
    log: TextIO,
) -> dict[str, Any]:
    """One load run against the running platform of ``settings``; returns (and writes) the summary."""
    directory = settings.run_dir / "load"
    directory.mkdir(parents=True, exist_ok=True)
    for name in OUTPUTS:
        (directory / name).unlink(missing_ok=True)
    for stale in directory.glob("stats_*.csv"):
        stale.unlink()
    code = run_locust(
        settings,
        directory,
        profile=profile,
        workers=workers,
        users=users,
        duration_s=duration_s,
        target=target,
        log=log,
    )
    if code not in (0, 1):
        raise LoadError(f"the Locust master exited with {code}{_tails(directory)}")
    return reconcile_run(settings)


def reconcile_run(settings: LocalSettings) -> dict[str, Any]:
    """The last run's result and records (in ``<run dir>/load``) against the Orders table now; writes summary.json."""
    directory = settings.run_dir / "load"
    if not (directory / summary.RESULT_FILE).exists():
        raise LoadError(f"no load run to reconcile in {directory}")
    result = _read_json(directory / summary.RESULT_FILE)
    rows = [json.loads(line) for line in (directory / summary.RECORDS_FILE).read_text(encoding="utf-8").splitlines()]
    journal = records.parse_all(rows)
    client = dynamodb_client(settings.aws_url)
    tables = orders_table.read_states(client, table_names()["orders"], reconcile.customers_of(journal))
    final = summary.final_summary(result, reconcile.reconcile(journal, tables))
    (directory / summary.SUMMARY_FILE).write_text(json.dumps(final, indent=2, ensure_ascii=False), encoding="utf-8")
    return final


def run_locust(
    settings: LocalSettings,
    directory: Path,
    *,
    profile: str,
    workers: int,
    users: int,
    duration_s: float = 0.0,
    target: str = "gateway",
    log: TextIO,
) -> int:
    """Master and workers until the master exits; returns its exit code (the thresholds' verdict)."""
    (port,) = free_ports(1)
    env = locust_env(os.environ, profile=profile, users=users, directory=directory, duration_s=duration_s)
    if target == "direct":
        env.update(direct_env(settings, os.environ))
    common = [sys.executable, "-m", "locust", "--locustfile", str(LOCUSTFILE)]
    # --stop-timeout lets a stopping user finish its task (docs/running-without-web-ui.rst, "Allow tasks to finish")
    master_command = [
        *common,
        "--master",
        "--master-bind-host",
        HOST,
        "--master-bind-port",
        str(port),
        # a headless master waits for this many workers before starting (docs/running-distributed.rst)
        "--expect-workers",
        str(workers),
        "--expect-workers-max-wait",
        str(WORKER_CONNECT_S),
        "--headless",
        "--host",
        settings.login_url,
        "--stop-timeout",
        f"{shapes.STOP_TIMEOUT_S:.0f}s",
        "--html",
        str(directory / "report.html"),
        # stats_stats.csv, stats_failures.csv, stats_exceptions.csv, stats_stats_history.csv (docs/configuration.rst)
        "--csv",
        str(directory / "stats"),
        "--only-summary",
    ]
    worker_command = [*common, "--worker", "--master-host", HOST, "--master-port", str(port)]
    shape = shapes.profile_named(profile, users or None)
    # --duration replaces the seconds of load; the drain and settle after it stay (loadgen.run_hooks.played_in)
    limit = shape.max_duration_s - shape.load_s + (duration_s or shape.load_s) + WORKER_CONNECT_S + GRACE_S
    print(
        f"load: profile {profile} via {target}, {workers} workers, master on {HOST}:{port}, report in {directory}",
        file=log,
    )
    worker_logs = [directory / f"worker-{index}.log" for index in range(workers)]
    master = _start(master_command, env, directory / "master.log")
    children = [master] + [_start(worker_command, env, path) for path in worker_logs]
    try:
        code = master.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        raise LoadError(f"the Locust master did not finish within {limit:.0f} s{_tails(directory)}") from None
    finally:
        _stop(children)
    if not (directory / summary.RESULT_FILE).exists():
        raise LoadError(f"the Locust master exited with {code} without writing its result{_tails(directory)}")
    return code


def locust_env(
    base: Mapping[str, str], *, profile: str, users: int, directory: Path, duration_s: float = 0.0
) -> dict[str, str]:
    """The Locust processes' environment: ours, the loadgen package importable, the run's options as variables."""
    env = {name: value for name, value in base.items() if name not in ("PYTHONPATH", "PYTHONHOME")}
    no_proxy = ",".join(filter(None, [base.get("NO_PROXY") or base.get("no_proxy"), HOST, "localhost"]))
    env.update(
        {
            "PYTHONPATH": str(LOADGEN),
            "PYTHONUNBUFFERED": "1",
            "NO_PROXY": no_proxy,
            "no_proxy": no_proxy,
            "LOAD_PROFILE": profile,
            "LOAD_USERS": str(users),
            "LOAD_DIR": str(directory),
            "LOAD_DURATION_S": f"{duration_s:g}",
            direct.TARGET_ENV: "gateway",
        }
    )
    return env


def direct_env(settings: LocalSettings, base: Mapping[str, str]) -> dict[str, str]:
    """What ``loadgen.direct`` needs to skip the gateway: where the gateway's downstreams listen, and the thresholds
    of ``base`` (``LOAD_P95_MS``) with each endpoint's limit under its direct label as well."""
    return {
        direct.TARGET_ENV: "direct",
        direct.ORDER_URL_ENV: settings.order_url,
        direct.RECO_URL_ENV: settings.reco_url,
        "LOAD_P95_MS": direct.p95_without_gateway(thresholds.from_env(base)),
    }


def _start(command: list[str], env: Mapping[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as sink:
        return subprocess.Popen(
            command, env=dict(env), cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT
        )


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    """Workers quit when their master does; whatever still runs after a while is terminated, then killed."""
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.terminate()
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _tails(directory: Path) -> str:
    parts = [f"\n--- {path.name} ---\n{tail(path, 15).rstrip()}" for path in sorted(directory.glob("*.log"))]
    return "".join(parts)


def _read_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _print_summary(result: Mapping[str, Any], directory: Path, out: TextIO) -> None:
    print(
        f"profile {result['profile']}: {result['users']} users on {result['workers']} workers, "
        f"{result['duration_s']} s, {result['requests']} requests ({result['rps']}/s), "
        f"{result['failures']} failed (ratio {result['fail_ratio']})",
        file=out,
    )
    for endpoint, p95 in result["p95_ms"].items():
        print(f"  p95 {p95:>6} ms  {endpoint}", file=out)
    print(
        f"orders: {result['orders_created']} confirmed, {result['orders_found']} found, {result['orders_lost']} lost, "
        f"{result['orders_duplicated']} duplicated, {result['orders_unconfirmed']} unconfirmed; "
        f"cancellations: {result['cancellations_confirmed']} matched, {result['cancellations_mismatched']} mismatched",
        file=out,
    )
    for line in [*result["violations"], *result["reconciliation_problems"]]:
        print(f"  FAILED: {line}", file=out)
    verdict = "passed" if result["passed"] else "FAILED"
    print(f"{verdict}; report {directory / 'report.html'}, summary {directory / summary.SUMMARY_FILE}", file=out)


if __name__ == "__main__":
    sys.exit(main())
