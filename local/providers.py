"""The metric providers of a rehearsal's AnalysisRun: Prometheus (the local server) and Job (a local process).

Prometheus, as argo-rollouts@v1.8.3:metricproviders/prometheus/prometheus.go does it:
- ``Run`` (84-120): an instant query at "now" with the metric's ``timeout`` (seconds, default 30, negative is an
  error: ``NewPrometheusProvider`` 191-210); a transport or API error is a measurement in phase Error.
- ``processResponse`` (155-188): a scalar's value is ``result`` (a number); a vector's (or matrix's) sample values
  in order are ``result`` (a list, empty when nothing matched), and the measurement's value is printed as
  ``[v1,v2]`` with Go's shortest 'f' formatting (NaN stays NaN); any other result type is an Error.
- the phase from the conditions: utils/evaluate/evaluate.go ``EvaluateResult`` (18-58): neither set is Successful;
  only a success condition fails when it is false; only a failure condition succeeds when it is false; both set
  and neither true is Inconclusive; a failing evaluation is an Error.
The query goes verbatim (after ``{{args.*}}``) to the local Prometheus' HTTP API; the template's ``address`` (AMP)
and ``authentication`` are the only things not used.

Job: the Job provider (metricproviders/job/job.go 126-216) creates the Job and returns Running; each later reconcile
reads the Job's conditions: Complete is Successful, Failed is Failed; terminating deletes it and records the
measurement as Successful. Locally a Job is a process (``JobRunner``): exit 0 is Complete, anything else Failed.
"""

from __future__ import annotations

import math
import subprocess
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol

import httpx

from local import processes
from local.analysis import ERROR, FAILED, INCONCLUSIVE, RUNNING, SUCCESSFUL, Measurement, Metric
from local.conditions import EvaluationError, compile_condition

DEFAULT_TIMEOUT_S = 30.0


def go_float(value: float) -> str:
    """model.SampleValue.String: strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def evaluate_result(result: Any, metric: Metric) -> str:
    """evaluate.go ``EvaluateResult`` (18-58); ``EvaluationError`` when a condition cannot be evaluated."""
    success = failure = False
    if metric.success_condition:
        success = compile_condition(metric.success_condition).evaluate(result)
    if metric.failure_condition:
        failure = compile_condition(metric.failure_condition).evaluate(result)
    if not metric.success_condition and not metric.failure_condition:
        return SUCCESSFUL
    if not metric.failure_condition:
        failure = not success
    elif not metric.success_condition:
        success = not failure
    if failure:
        return FAILED
    if not success:
        return INCONCLUSIVE
    return SUCCESSFUL


def result_of(data: Mapping[str, Any]) -> tuple[Any, str]:
    """``result`` for the conditions and the measurement's value, from /api/v1/query's ``data``."""
    kind, payload = data.get("resultType"), data["result"]
    if kind == "scalar":
        value = float(payload[1])
        return value, go_float(value)
    if kind == "vector":
        values = [float(sample["value"][1]) for sample in payload]
    elif kind == "matrix":
        values = [float(point[1]) for series in payload for point in series["values"]]
    else:
        raise ValueError("Prometheus metric type not supported")
    return values, "[" + ",".join(go_float(v) for v in values) + "]"


class PrometheusProvider:
    def __init__(self, base_url: str, client: httpx.Client | None = None) -> None:
        self.base_url = base_url
        self.client = client or httpx.Client(trust_env=False)
        self.wall_clock: Callable[[], float] = time.time

    def run(self, metric: Metric, now: float) -> Measurement:
        measurement = Measurement(phase=RUNNING, started_at=now)
        timeout = float(metric.spec.get("timeout", DEFAULT_TIMEOUT_S))
        if timeout < 0:
            return _error(measurement, "prometheus timeout should not be negative", now)
        form = {"query": metric.spec["query"], "time": f"{self.wall_clock():.3f}"}
        try:
            # client_golang's API.Query posts the form to /api/v1/query (api/prometheus/v1/api.go DoGetFallback)
            response = self.client.post(f"{self.base_url}/api/v1/query", data=form, timeout=timeout or None)
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            return _error(measurement, f"{type(error).__name__}: {error}", now)
        if body.get("status") != "success":
            return _error(measurement, f"{body.get('errorType', 'error')}: {body.get('error', response.text)}", now)
        try:
            result, value = result_of(body["data"])
            phase = evaluate_result(result, metric)
        except (ValueError, KeyError, TypeError, IndexError, EvaluationError) as error:
            return _error(measurement, str(error), now)
        measurement.value, measurement.phase, measurement.finished_at = value, phase, now
        if body.get("warnings"):
            measurement.metadata["warnings"] = ", ".join(f'"{w}"' for w in body["warnings"])
        return measurement

    def resume(self, metric: Metric, measurement: Measurement, now: float) -> Measurement:
        return measurement  # prometheus.go Resume (122-126): all the work is in Run

    def terminate(self, metric: Metric, measurement: Measurement, now: float) -> Measurement:
        return measurement


def _error(measurement: Measurement, message: str, now: float) -> Measurement:
    measurement.phase, measurement.message, measurement.finished_at = ERROR, message, now
    return measurement


class JobRunner(Protocol):
    """Starts the local stand-in of the metric's Job; the process's exit code is the Job's outcome."""

    def start(self, metric: Metric) -> subprocess.Popen[bytes]: ...

    def deadline_s(self, metric: Metric) -> float | None:
        """The Job's (scaled) activeDeadlineSeconds: past it the process is killed and the Job has Failed."""
        ...


class JobProvider:
    def __init__(self, runner: JobRunner) -> None:
        self.runner = runner
        self.jobs: dict[str, subprocess.Popen[bytes]] = {}

    def run(self, metric: Metric, now: float) -> Measurement:
        measurement = Measurement(phase=RUNNING, started_at=now)
        try:
            process = self.runner.start(metric)
        except (OSError, ValueError) as error:
            return _error(measurement, f"job create failed: {error}", now)
        key = f"{metric.name}.{len(self.jobs) + 1}"
        self.jobs[key] = process
        measurement.metadata = {"job-name": key, "pid": str(process.pid)}
        return measurement

    def resume(self, metric: Metric, measurement: Measurement, now: float) -> Measurement:
        process = self.jobs.get(measurement.metadata.get("job-name", ""))
        if process is None:
            return _error(measurement, "job metadata reference missing", now)
        code = process.poll()
        deadline = self.runner.deadline_s(metric)
        if code is None and deadline is not None and now - measurement.started_at > deadline:
            stop_process(process)
            measurement.finished_at, measurement.phase = now, FAILED
            measurement.value = measurement.message = f"DeadlineExceeded: still running after {deadline:g} s"
        elif code is not None:
            measurement.finished_at = now
            measurement.phase = SUCCESSFUL if code == 0 else FAILED
            measurement.value = f"exit {code}"
        return measurement

    def terminate(self, metric: Metric, measurement: Measurement, now: float) -> Measurement:
        process = self.jobs.get(measurement.metadata.get("job-name", ""))
        if process is not None:
            stop_process(process)
        measurement.finished_at, measurement.phase = now, SUCCESSFUL
        return measurement

    def stop_all(self) -> None:
        for process in self.jobs.values():
            stop_process(process)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """TERM, then KILL, the process group the Job's process leads (it was started in a session of its own)."""
    if process.poll() is None:
        processes.stop(process.pid)
    process.poll()
