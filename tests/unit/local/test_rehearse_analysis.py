"""The rehearsal's AnalysisRun against Argo Rollouts v1.8.3's analysis semantics (analysis/analysis.go), on a fake
clock with providers that answer scripted phases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pytest

from local.analysis import (
    ERROR,
    FAILED,
    INCONCLUSIVE,
    RUNNING,
    SUCCESSFUL,
    AnalysisRun,
    AnalysisTimeout,
    Measurement,
    Metric,
    parse_duration,
    run_to_completion,
)

S, F, N, E = SUCCESSFUL, FAILED, INCONCLUSIVE, ERROR  # N: iNconclusive
# The order-health shape: measured five times a minute apart after a minute, one failure and two
# inconclusive measurements tolerated, three errors in a row tolerated.
HEALTH = Metric(
    name="success-rate",
    provider="prometheus",
    initial_delay_s=60,
    interval_s=60,
    count=5,
    failure_limit=1,
    inconclusive_limit=2,
    consecutive_error_limit=3,
)


@dataclass
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Scripted:
    """Answers each Run with the next phase; a Job-like script answers Running until ``job_s`` have passed."""

    phases: list[str]
    job_s: float | None = None
    clock: Clock | None = None
    runs: list[float] = field(default_factory=list)
    terminated: int = 0

    def run(self, metric: Metric, now: float) -> Measurement:
        self.runs.append(now)
        phase = self.phases.pop(0)
        if self.job_s is not None:
            return Measurement(phase=RUNNING, started_at=now, metadata={"phase": phase})
        return Measurement(phase=phase, started_at=now, finished_at=now, value=f"[{phase}]")

    def resume(self, metric: Metric, measurement: Measurement, now: float) -> Measurement:
        assert self.job_s is not None
        if now - measurement.started_at >= self.job_s:
            measurement.phase, measurement.finished_at = measurement.metadata["phase"], now
        return measurement

    def terminate(self, metric: Metric, measurement: Measurement, now: float) -> Measurement:
        self.terminated += 1
        measurement.phase, measurement.finished_at = SUCCESSFUL, now
        return measurement


def run_all(metrics: Sequence[Metric], providers: dict[str, Scripted], clock: Clock) -> AnalysisRun:
    run = AnalysisRun(metrics, providers)
    run_to_completion(run, clock=clock, sleep=clock.sleep, deadline=10_000, poll_s=1.0)
    return run


@pytest.mark.parametrize(
    ("phases", "metric_phase", "measured", "why"),
    [
        ([S, S, S, S, S], S, 5, "count reached with no limit passed"),
        ([S, F, S, S, S], S, 5, "one failure is within failureLimit 1"),
        ([F, S, F, S, S], F, 3, "a second failure passes failureLimit 1: stops at once"),
        ([N, N, N, S, S], N, 3, "a third inconclusive passes inconclusiveLimit 2: stops at once"),
        ([N, F, N, S, S], S, 5, "within both limits: Successful, whatever the mix"),
        ([N, F, N, F, S], F, 4, "failure limit passed on the 4th"),
        ([E, E, E, E], E, 4, "four errors in a row pass consecutiveErrorLimit 3"),
        ([E, E, E, S, E, E, E, S, S, S, S], S, 11, "errors never count towards count, a success resets them"),
    ],
)
def test_given_scripted_measurements_then_the_metric_ends_as_argo_would(
    phases: list[str], metric_phase: str, measured: int, why: str
) -> None:
    # Given the order-health metric and a provider answering the scripted phases
    clock, provider = Clock(), Scripted(list(phases))
    # When the run goes to completion
    run = run_all([HEALTH], {HEALTH.name: provider}, clock)
    # Then the metric and the run end in the expected phase after the expected number of measurements
    result = run.results[HEALTH.name]
    assert (result.phase, len(result.measurements), run.phase) == (metric_phase, measured, metric_phase), why


def test_given_an_initial_delay_then_the_first_measurement_waits_for_it_and_the_next_ones_for_the_interval() -> None:
    # Given the order-health metric (initialDelay 60 s, interval 60 s) that always succeeds
    clock, provider = Clock(), Scripted([S] * 5)
    # When the run goes to completion
    run_all([HEALTH], {HEALTH.name: provider}, clock)
    # Then the measurements are taken just after 60, 120, ... 300 s (analysis.go uses After: strictly later)
    assert [round(t) for t in provider.runs] == [60, 120, 180, 240, 300]
    assert all(t > due for t, due in zip(provider.runs, (60, 120, 180, 240, 300), strict=True))


def test_given_an_error_then_the_next_try_comes_after_the_error_retry_interval_not_the_metric_interval() -> None:
    clock, provider = Clock(), Scripted([E, S, S, S, S, S])
    run_all([HEALTH], {HEALTH.name: provider}, clock)
    # the error at ~60 s is retried ~10 s later (DefaultErrorRetryInterval), then every 60 s
    assert [round(t) for t in provider.runs] == [60, 70, 130, 190, 250, 310]


def test_given_no_initial_delay_then_the_first_reconcile_measures_and_a_delayed_metric_waits_for_started_at() -> None:
    # Given one metric without a delay and one with 30 s
    once = Metric(name="now", provider="prometheus")
    now_metric, later = once, replace(once, name="later", initial_delay_s=30)
    clock = Clock(now=5)
    providers = {"now": Scripted([S]), "later": Scripted([S])}
    run_all([now_metric, later], providers, clock)
    # Then the first is measured on the first reconcile, the second 30 s after the run's startedAt (that reconcile)
    assert providers["now"].runs == [5]
    assert round(providers["later"].runs[0]) == 35


def test_given_no_count_and_no_interval_then_one_measurement_decides() -> None:
    metric = Metric(name="once", provider="prometheus")
    run = run_all([metric], {"once": Scripted([F])}, Clock())
    assert (run.phase, len(run.results["once"].measurements)) == (FAILED, 1)  # failureLimit defaults to 0


def test_given_one_metric_fails_then_the_run_stops_early_and_the_others_end_successful() -> None:
    # Given a failing metric and a healthy one measured on the same schedule
    bad, good = replace(HEALTH, name="bad", failure_limit=0), replace(HEALTH, name="good")
    providers = {"bad": Scripted([F] + [S] * 4), "good": Scripted([S] * 5)}
    run = run_all([bad, good], providers, Clock())
    # Then the run is Failed after the first round, the healthy metric stops early and is Successful
    assert run.phase == FAILED
    assert run.results["bad"].phase == FAILED
    assert (run.results["good"].phase, len(run.results["good"].measurements)) == (SUCCESSFUL, 1)
    assert 'Metric "bad" assessed Failed due to failed (1) > failureLimit (0)' in run.message


def test_given_a_job_in_flight_when_another_metric_fails_then_the_job_is_terminated_and_counted_successful() -> None:
    # Given a Job metric that would run for 100 s and a query metric failing at 10 s
    clock = Clock()
    job = Metric(name="smoke", provider="job")
    query = Metric(name="rate", provider="prometheus", initial_delay_s=10)
    providers = {"smoke": Scripted([S], job_s=100, clock=clock), "rate": Scripted([F])}
    run = run_all([job, query], providers, clock)
    # Then the Job is terminated (Argo deletes it and records Successful) and the run is Failed well before 100 s
    assert run.phase == FAILED
    assert providers["smoke"].terminated == 1
    smoke = run.results["smoke"]
    assert (smoke.phase, smoke.measurements[0].phase, smoke.measurements[0].message) == (S, S, "Metric Terminated")
    assert clock.now < 20


def test_given_a_job_then_it_is_resumed_until_it_finishes_and_its_outcome_is_the_metric_phase() -> None:
    clock = Clock()
    job = Metric(name="smoke", provider="job")
    run = run_all([job], {"smoke": Scripted([F], job_s=40, clock=clock)}, clock)
    assert run.phase == FAILED
    assert 40 <= clock.now < 42  # looked at every poll (1 s here) while in flight


@pytest.mark.parametrize(
    ("phases", "expected", "measured"),
    [
        ([S, S, F, S, S], S, 2),  # consecutiveSuccessLimit 2 reached at the 2nd
        ([S, F, S, F, S], N, 5),  # count reached, limit never reached, failureLimit still applies: Inconclusive
    ],
)
def test_given_a_consecutive_success_limit_then_it_decides_as_argo_does(
    phases: list[str], expected: str, measured: int
) -> None:
    metric = replace(HEALTH, consecutive_success_limit=2, failure_limit=3, inconclusive_limit=None)
    run = run_all([metric], {metric.name: Scripted(list(phases))}, Clock())
    assert (run.phase, len(run.results[metric.name].measurements)) == (expected, measured)


def test_given_an_inconclusive_and_a_failed_metric_then_the_run_takes_the_worst_failed() -> None:
    unsure = Metric(name="unsure", provider="prometheus")
    bad = Metric(name="bad", provider="prometheus")
    run = run_all([unsure, bad], {"unsure": Scripted([N]), "bad": Scripted([F])}, Clock())
    assert run.phase == FAILED


def test_given_an_invalid_spec_then_the_run_is_in_error_without_measuring() -> None:
    # Given count 3 without an interval (factory.go ValidateMetric: interval must be specified when count > 1)
    metric = Metric(name="bad", provider="prometheus", count=3)
    provider = Scripted([S, S, S])
    run = run_all([metric], {"bad": provider}, Clock())
    assert run.phase == ERROR
    assert "interval must be specified when count > 1" in run.message
    assert provider.runs == []


def test_given_a_run_that_cannot_finish_before_the_deadline_then_it_times_out() -> None:
    clock = Clock()
    run = AnalysisRun([HEALTH], {HEALTH.name: Scripted([S] * 5)})
    with pytest.raises(AnalysisTimeout):
        run_to_completion(run, clock=clock, sleep=clock.sleep, deadline=100)


@pytest.mark.parametrize(
    ("text", "seconds"), [("60s", 60), ("1m30s", 90), ("500ms", 0.5), ("2h", 7200), ("1.5m", 90), ("0", 0)]
)
def test_given_go_durations_then_they_parse_as_time_parse_duration_does(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "60", "-1s", "1d", "s", "1m 30s"])
def test_given_an_invalid_duration_then_it_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)
