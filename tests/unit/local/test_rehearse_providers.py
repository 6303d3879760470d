"""The rehearsal's Prometheus provider (prometheus.go: processResponse, errors) against a fake HTTP API, and the
Job provider's outcome from a process's exit code."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

import httpx
import pytest

from local.analysis import ERROR, FAILED, INCONCLUSIVE, RUNNING, SUCCESSFUL, Metric
from local.providers import JobProvider, PrometheusProvider, go_float, result_of

METRIC = Metric(
    name="success-rate",
    provider="prometheus",
    spec={"query": "1 - x", "timeout": 10},
    success_condition="len(result) > 0 && result[0] >= 0.99",
    failure_condition="len(result) > 0 && result[0] < 0.99",
)


def provider(body: Any, status: int = 200, seen: list[httpx.Request] | None = None) -> PrometheusProvider:
    def answer(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, content=json.dumps(body).encode(), headers={"content-type": "application/json"})

    return PrometheusProvider("http://prom", client=httpx.Client(transport=httpx.MockTransport(answer)))


def vector(*values: str) -> dict[str, Any]:
    result = [{"metric": {}, "value": [1700000000.0, v]} for v in values]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


@pytest.mark.parametrize(
    ("body", "phase", "value"),
    [
        (vector("0.995"), SUCCESSFUL, "[0.995]"),
        (vector("0.97"), FAILED, "[0.97]"),
        (vector(), INCONCLUSIVE, "[]"),  # below the floor: an empty vector
        (vector("NaN"), INCONCLUSIVE, "[NaN]"),  # 0/0
        ({"status": "success", "data": {"resultType": "scalar", "result": [1, "0.5"]}}, ERROR, ""),  # len(scalar)
        ({"status": "success", "data": {"resultType": "string", "result": [1, "x"]}}, ERROR, ""),
        ({"status": "error", "errorType": "bad_data", "error": "parse error"}, ERROR, ""),
    ],
)
def test_given_a_prometheus_answer_then_the_measurement_is_what_argo_records(body: Any, phase: str, value: str) -> None:
    measurement = provider(body).run(METRIC, now=5.0)
    assert (measurement.phase, measurement.value) == (phase, value)
    assert measurement.finished_at == 5.0


def test_given_a_query_then_it_is_posted_verbatim_to_the_instant_query_api() -> None:
    seen: list[httpx.Request] = []
    provider(vector("1"), seen=seen).run(METRIC, now=0.0)
    (request,) = seen
    assert (request.method, request.url.path) == ("POST", "/api/v1/query")
    form = dict(httpx.QueryParams(request.content.decode()))
    assert form["query"] == "1 - x"
    assert float(form["time"]) > 1.7e9  # "now" on the wall clock, as Query(ctx, q, time.Now())


def test_given_an_unreachable_prometheus_then_the_measurement_is_an_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    unreachable = PrometheusProvider("http://prom", client=httpx.Client(transport=httpx.MockTransport(refuse)))
    measurement = unreachable.run(METRIC, now=1.0)
    assert measurement.phase == ERROR
    assert "ConnectError" in measurement.message


def test_given_a_negative_timeout_then_the_measurement_is_an_error() -> None:
    metric = Metric(name="m", provider="prometheus", spec={"query": "1", "timeout": -1})
    assert provider(vector("1")).run(metric, now=0).message == "prometheus timeout should not be negative"


@pytest.mark.parametrize(
    ("number", "text"),
    [(1.0, "1"), (0.5, "0.5"), (1e-05, "0.00001"), (123456789.0, "123456789"), (math.nan, "NaN"), (math.inf, "+Inf"),
     (-math.inf, "-Inf"), (0.9903329671303444, "0.9903329671303444"), (-0.0, "0")],
)  # fmt: skip
def test_given_floats_then_they_print_as_go_formats_sample_values(number: float, text: str) -> None:
    assert go_float(number) == text


def test_given_a_matrix_then_every_sample_of_every_series_is_in_the_result() -> None:
    data = {"resultType": "matrix", "result": [{"values": [[1, "1"], [2, "2"]]}, {"values": [[1, "3"]]}]}
    assert result_of(data) == ([1.0, 2.0, 3.0], "[1,2,3]")


class Command:
    def __init__(self, code: int, seconds: float = 0.0) -> None:
        self.code, self.seconds = code, seconds

    def start(self, metric: Metric) -> subprocess.Popen[bytes]:
        script = f"import time, sys; time.sleep({self.seconds}); sys.exit({self.code})"
        return subprocess.Popen([sys.executable, "-c", script], start_new_session=True)

    def deadline_s(self, metric: Metric) -> float | None:
        return 1.0


@pytest.mark.parametrize(("code", "phase"), [(0, SUCCESSFUL), (1, FAILED), (2, FAILED)])
def test_given_a_job_process_then_its_exit_code_is_the_measurement(code: int, phase: str) -> None:
    jobs = JobProvider(Command(code))
    job = Metric(name="smoke", provider="job")
    measurement = jobs.run(job, now=0.0)
    assert measurement.phase == RUNNING
    jobs.jobs[measurement.metadata["job-name"]].wait(timeout=10)
    assert jobs.resume(job, measurement, now=0.5).phase == phase


def test_given_a_job_past_its_deadline_then_it_is_killed_and_failed() -> None:
    jobs = JobProvider(Command(0, seconds=30))
    job = Metric(name="smoke", provider="job")
    measurement = jobs.run(job, now=0.0)
    assert jobs.resume(job, measurement, now=0.5).phase == RUNNING
    measurement = jobs.resume(job, measurement, now=1.5)
    assert (measurement.phase, measurement.message) == (FAILED, "DeadlineExceeded: still running after 1 s")
    assert jobs.jobs[measurement.metadata["job-name"]].poll() is not None


def test_given_a_run_that_terminates_then_the_job_is_stopped_and_recorded_successful() -> None:
    jobs = JobProvider(Command(0, seconds=30))
    job = Metric(name="smoke", provider="job")
    measurement = jobs.terminate(job, jobs.run(job, now=0.0), now=2.0)
    assert measurement.phase == SUCCESSFUL
    assert jobs.jobs[measurement.metadata["job-name"]].poll() is not None
