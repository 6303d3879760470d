"""``make rehearse``: a blue-green release of the order service rehearsed on the laptop against a real Prometheus.

    python -m local.rehearse [--fault none|5xx=R|latency=S] [--no-traffic] [--time-scale 0.2] [--json]

Starts, on free ports and in a run directory of its own (``.run/rehearse/<stamp>``): the AWS emulator with the
tables, the login gateway, the stable order service, a preview order service (the same code; with ``--fault``, the
fault of ``local.faults`` inserted inside its metrics middleware) and a real Prometheus that scrapes both as the
cluster's collector would (``local.rehearsal_platform``). Kubelet-like probes call both pods (``local.probes``).
Then the pre-promotion AnalysisRun of the rendered dev overlay's ``order`` Rollout runs as Argo Rollouts v1.8.3
would run it (``local.analysis``, ``local.providers``): the templates' queries verbatim after ``{{args.*}}`` against
the local Prometheus, the conditions, ``count``, ``interval`` and ``initialDelay`` (multiplied by ``--time-scale``),
``failureLimit``, ``inconclusiveLimit``, ``consecutiveErrorLimit``; a ``job`` metric runs the loadgen as its Job
would (``local.rehearsal_job``). ``--no-traffic`` runs no job: the preview sees probes only.

The queries' range selectors (``rate(...[2m])``) are not scaled: they are sent verbatim, so the whole rehearsal
lives in a release's first two minutes of traffic. A window longer than the traffic is only partly filled: absolute
rates (the 0.5 requests/s floor) read low by the unfilled share, which is why the first measurement of a 0.2-scaled
run is Inconclusive. And ``rate`` takes a series' last sample minus its first (prometheus@v2.42.0:promql/functions.go
``extrapolatedRate`` 66-164): a series born inside the window would lose its first increase, which is why the
services create every route's 5xx series at 0 when they start (``service_kit.metrics.prime_error_series``), so the
first 5xx of a release is counted (``preview_counted`` in the report holds the service's own totals to compare).

The decision is the Rollout's (argo-rollouts@v1.8.3): rollout/analysis.go ``setPauseOrAbort`` (149-159) aborts on a
Failed or Error run and pauses on an Inconclusive one; a Successful run promotes when ``autoPromotionEnabled`` is not
false (rollout/service.go ``reconcileActiveService`` 108-110, rollout/pause.go ``completedPrePromotionAnalysis``
130-139), else the Rollout waits paused for ``kubectl argo rollouts promote`` (rollout/bluegreen.go
``reconcileBlueGreenPause`` 132-192).

Exit status: 0 promote, 1 abort, 3 paused, 2 when the rehearsal itself could not be made (bad ``--fault``, an
overlay it cannot run faithfully, a process that did not start, the time budget exceeded). The decision is the
verdict on the build, as a failing test is on code: ``make rehearse`` fails for a build that would be rolled back,
and a script can tell "rolled back" from "needs a person" from "could not rehearse".
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import httpx

from local import prometheus, rehearsal_job, rehearsal_platform, rehearsal_report
from local.analysis import (
    ERROR,
    FAILED,
    INCONCLUSIVE,
    SUCCESSFUL,
    AnalysisRun,
    AnalysisTimeout,
    Measurement,
    Metric,
    Provider,
    run_to_completion,
)
from local.conditions import ConditionError
from local.faults import Fault, parse_fault
from local.probes import Prober, probe_of
from local.providers import JobProvider, PrometheusProvider
from local.release import DEV_OVERLAY, Release, ReleaseError, argument_values, build_metrics, read_release, render
from local.runner import PlatformError
from local.settings import REPO_ROOT

EXIT_PROMOTE, EXIT_ABORT, EXIT_USAGE, EXIT_PAUSED = 0, 1, 2, 3
EXIT_CODES = {"promote": EXIT_PROMOTE, "abort": EXIT_ABORT, "paused": EXIT_PAUSED}
DEFAULT_TIME_SCALE = 0.2
DEFAULT_BUDGET_S = 150.0
STARTUP_ALLOWANCE_S = 25.0  # emulator, tables, four services and Prometheus healthy; then the stop at the end
GATEWAY_SERVICE = "login"  # k8s/base/login: the gateway's Service
PORT_ATTEMPTS = 3
POLL_S = 0.25  # how often an in-flight Job is looked at (the controller reacts to the Job's informer events)


class RehearsalError(Exception):
    """The rehearsal could not be made as asked; the message says why."""


@dataclass(frozen=True, kw_only=True)
class Options:
    fault: Fault
    traffic: bool
    time_scale: float
    budget_s: float
    overlay: Path
    run_dir: Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.rehearse", description=__doc__.splitlines()[0])
    parser.add_argument("--fault", default="none", help="none (default), 5xx=R (e.g. 5xx=0.03) or latency=S (e.g. 0.9)")
    parser.add_argument("--no-traffic", action="store_true", help="run no job: the preview gets kubelet probes only")
    parser.add_argument(
        "--time-scale",
        type=float,
        default=DEFAULT_TIME_SCALE,
        help=f"multiply the analysis' intervals, delays and probe periods (default {DEFAULT_TIME_SCALE})",
    )
    parser.add_argument("--budget", type=float, default=DEFAULT_BUDGET_S, help="seconds the whole run may take")
    parser.add_argument("--overlay", type=Path, default=DEV_OVERLAY, help="the kustomize overlay (default: dev)")
    parser.add_argument("--run-dir", type=Path, help="logs and Prometheus data (default .run/rehearse/<stamp>)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON (progress goes to stderr)")
    args = parser.parse_args(argv)
    try:
        fault = parse_fault(args.fault)
    except ValueError as error:
        parser.error(str(error))
    if not 0 < args.time_scale <= 1:
        parser.error("--time-scale must be > 0 and <= 1")
    if args.budget <= STARTUP_ALLOWANCE_S:
        parser.error(f"--budget must be more than {STARTUP_ALLOWANCE_S:g} s")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    options = Options(
        fault=fault,
        traffic=not args.no_traffic,
        time_scale=args.time_scale,
        budget_s=args.budget,
        overlay=args.overlay,
        run_dir=(args.run_dir or REPO_ROOT / ".run" / "rehearse" / stamp).expanduser().resolve(),
    )
    log = sys.stderr if args.json else sys.stdout
    # A TERM (a CI timeout, a test's teardown) unwinds like Ctrl-C, so every process started is stopped again.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        report = rehearse(options, log)
    except (ReleaseError, ConditionError, PlatformError, RehearsalError, httpx.HTTPError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception:  # noqa: BLE001 - exit 1 means "abort": anything unforeseen must not look like it
        traceback.print_exc()
        print("error: the rehearsal failed (traceback above)", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        rehearsal_report.print_summary(report, log)
    return EXIT_CODES[report["decision"]]


def rehearse(options: Options, log: TextIO) -> dict[str, Any]:
    started = time.monotonic()
    release = read_release(render(options.overlay))
    rehearsal = _build(release, options, log)
    args = argument_values(
        release, preview_hash=rehearsal.preview.template_hash, stable_hash=rehearsal.stable.template_hash
    )
    metrics = build_metrics(release.raw_metrics, args, scale=options.time_scale)
    needed = _analysis_seconds(metrics, options.time_scale)
    if needed + STARTUP_ALLOWANCE_S > options.budget_s:
        raise RehearsalError(
            f"the analysis needs {needed:.0f} s at --time-scale {options.time_scale:g}, more than the budget of "
            f"{options.budget_s:g} s allows; use a smaller --time-scale"
        )
    print(
        f"rehearse: fault {options.fault}, traffic {'job' if options.traffic else 'none (probes only)'}, "
        f"time scale {options.time_scale:g}, stable {rehearsal.stable.template_hash}, "
        f"preview {rehearsal.preview.template_hash}, templates {', '.join(release.templates)}, "
        f"run dir {options.run_dir}",
        file=log,
        flush=True,
    )
    rehearsal = _start(rehearsal, release, options, log)
    platform = rehearsal.platform
    services = {
        GATEWAY_SERVICE: rehearsal.settings.login_url,
        release.active_service: rehearsal.stable.url,
        release.preview_service: rehearsal.preview.url,
    }
    jobs = JobProvider(
        rehearsal_job.LoadJob(services, release.namespace, options.run_dir, scale=options.time_scale, out=log)
    )
    try:
        rehearsal_platform.deprioritize(platform)
        providers = _providers(
            metrics, rehearsal.settings.prometheus_url, jobs, traffic=options.traffic, scale=options.time_scale
        )
        probes = [
            probe
            for pod in (rehearsal.stable, rehearsal.preview)
            for spec in (release.readiness_probe, release.liveness_probe)
            if (probe := probe_of(spec, pod.url, scale=options.time_scale)) is not None
        ]
        t0 = time.monotonic()

        def show(metric: Metric, measurement: Measurement) -> None:
            value = measurement.value or measurement.message
            at = (measurement.finished_at or measurement.started_at) - t0
            print(f"  {at:6.1f} s  {metric.name:<24} {measurement.phase:<12} {value}", file=log, flush=True)

        run = AnalysisRun(metrics, providers, error_retry_interval_s=10.0 * options.time_scale, on_measurement=show)
        with Prober(probes) as prober:
            try:
                phase = run_to_completion(
                    run,
                    clock=time.monotonic,
                    sleep=time.sleep,
                    deadline=started + options.budget_s - STARTUP_ALLOWANCE_S / 2,
                    poll_s=POLL_S,
                )
            except AnalysisTimeout as error:
                raise RehearsalError(f"{error}; use a smaller --time-scale or a larger --budget") from None
        prometheus_url = rehearsal.settings.prometheus_url
        targets = rehearsal_report.scraped_targets(prometheus_url)
        counted = rehearsal_report.preview_counts(prometheus_url, release.namespace, rehearsal.preview.template_hash)
        ended = time.monotonic()
    finally:
        jobs.stop_all()
        platform.down()
        shutil.rmtree(prometheus.data_path(rehearsal.settings), ignore_errors=True)
    entries = rehearsal_report.metric_entries(release.raw_metrics, metrics, run, t0)
    timings = {"start_s": t0 - started, "analysis_s": ended - t0, "stop_s": time.monotonic() - ended}
    return {
        "decision": decide(phase, auto_promotion=release.auto_promotion),
        "metrics": entries["prometheus"],
        "jobs": entries["job"],
        "analysis_run": {"phase": run.phase, "message": run.message},
        "fault": str(options.fault),
        "traffic": "job" if options.traffic else "none",
        "time_scale": options.time_scale,
        "auto_promotion": release.auto_promotion,
        "templates": list(release.templates),
        "stable_hash": rehearsal.stable.template_hash,
        "preview_hash": rehearsal.preview.template_hash,
        "targets": targets,
        "preview_counted": counted,
        "probes": {url: {"calls": prober.calls[url], "failures": prober.failures[url]} for url in prober.calls},
        "duration_s": round(time.monotonic() - started, 1),
        "timings": {key: round(value, 1) for key, value in timings.items()},
        "run_dir": str(options.run_dir),
    }


def _build(release: Release, options: Options, log: TextIO) -> rehearsal_platform.RehearsalPlatform:
    """The rehearsal's processes on ports that were free a moment ago (none started yet)."""
    return rehearsal_platform.build(
        release, run_dir=options.run_dir, fault=options.fault, build_id=options.run_dir.name, out=log
    )


def _start(
    rehearsal: rehearsal_platform.RehearsalPlatform, release: Release, options: Options, log: TextIO
) -> rehearsal_platform.RehearsalPlatform:
    """Start the platform; when a port picked as free was taken before its process bound it (another rehearsal, or
    an outgoing connection's ephemeral port: the kernel hands out both from the same range), try fresh ports."""
    for attempt in range(1, PORT_ATTEMPTS + 1):
        try:
            rehearsal.platform.up()  # on failure it stops what it started
            return rehearsal
        except PlatformError as error:
            if attempt == PORT_ATTEMPTS or "already in use" not in str(error).lower():
                raise
            print(f"rehearse: a port was taken before its process bound it; new ports ({attempt})", file=log)
            rehearsal = _build(release, options, log)
    raise AssertionError("unreachable")


def decide(phase: str, *, auto_promotion: bool) -> str:
    if phase in (FAILED, ERROR):
        return "abort"
    if phase == INCONCLUSIVE:
        return "paused"
    if phase == SUCCESSFUL:
        return "promote" if auto_promotion else "paused"
    raise RehearsalError(f"the analysis ended in phase {phase}")


def _providers(
    metrics: Sequence[Metric], prometheus_url: str, jobs: JobProvider, *, traffic: bool, scale: float
) -> dict[str, Provider]:
    query = PrometheusProvider(prometheus_url)
    providers: dict[str, Provider] = {}
    for metric in metrics:
        if metric.provider == "job":
            providers[metric.name] = jobs if traffic else rehearsal_job.NoTraffic(scale)
        else:
            providers[metric.name] = query
    return providers


def _analysis_seconds(metrics: Sequence[Metric], scale: float) -> float:
    """The longest a metric needs when every measurement is taken on time (jobs: their scaled window)."""
    longest = 0.0
    for metric in metrics:
        count = metric.effective_count
        if count is None:
            raise RehearsalError(f"metric {metric.name} has an interval but no count: it would run until it fails")
        span = (metric.initial_delay_s or 0.0) + (count - 1) * (metric.interval_s or 0.0)
        if metric.provider == "job":
            span += rehearsal_job.window_s(metric, scale) * count
        longest = max(longest, span)
    return longest


if __name__ == "__main__":
    sys.exit(main())
