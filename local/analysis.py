"""An AnalysisRun as Argo Rollouts v1.8.3's analysis controller runs one, on the laptop.

Every rule here is read from argo-rollouts@v1.8.3 (github.com/argoproj/argo-rollouts, tag v1.8.3); line ranges name
the file at that tag:

- which measurements to take on a reconcile: analysis/analysis.go ``generateMetricTasks`` (176-250): a completed
  metric takes none; an in-flight one (a Job) is resumed, or terminated once the run is terminating; a terminating
  run starts none; the first waits ``initialDelay`` from the run's ``startedAt`` (which the first reconcile only sets
  at its end, in ``assessRunStatus`` 442-445), the next ``interval`` after the last one finished (strictly after),
  or 10 s after an Error (``DefaultErrorRetryInterval``, 30); none once ``count`` is reached.
- counting a finished measurement: ``runMeasurements`` (378-407): Successful/Failed/Inconclusive count towards
  ``count`` and reset the consecutive-error counter; Error does not count, it increments ``consecutiveError``.
- a metric's phase: ``assessMetricStatus`` (579-656) and ``assessMetricFailureInconclusiveOrError`` (658-687):
  failed > failureLimit (default 0, -1 disables) is Failed, inconclusive > inconclusiveLimit (default 0) is
  Inconclusive, consecutiveError > consecutiveErrorLimit (default 4, utils/defaults/defaults.go 37) is Error, checked
  in that order with the later one winning; then consecutiveSuccessLimit; then ``count`` reached is Successful; a
  terminating run ends every unfinished metric as Successful.
- the run's phase: ``assessRunStatus`` (436-573): Running until every metric is complete, then the worst one
  (utils/analysis/helpers.go ``analysisStatusOrder`` 48-55: Successful < Running < Pending < Inconclusive < Error <
  Failed). A metric that completes Failed, Error or Inconclusive makes the run terminating (helpers.go
  ``IsTerminating`` 84-101): that is the early stop; the run then ends with the worst completed phase.
- when to look again: ``calculateNextReconcileTime`` (691-759). A Job's completion is an informer event, so an
  in-flight measurement is also looked at every ``poll_s``.
- a spec that fails ``ValidateMetrics`` (utils/analysis/factory.go 131-217) puts the run in Error at once (69-77).

Time is a float of seconds on any clock the caller passes (``time.monotonic`` in a rehearsal, a fake one in tests);
durations in ``Metric`` are already time-scaled by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

PENDING, RUNNING = "Pending", "Running"
SUCCESSFUL, FAILED, ERROR, INCONCLUSIVE = "Successful", "Failed", "Error", "Inconclusive"
COMPLETED = frozenset({SUCCESSFUL, FAILED, ERROR, INCONCLUSIVE})
_WORST_ORDER = (SUCCESSFUL, RUNNING, PENDING, INCONCLUSIVE, ERROR, FAILED)
DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4
DEFAULT_ERROR_RETRY_INTERVAL_S = 10.0
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_S = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Go's ``time.ParseDuration`` (what ``DurationString.Duration`` calls) for the non-negative forms: ``90s``,
    ``1m30s``, ``500ms``, ``0``. Returns seconds; raises ``ValueError`` for anything else."""
    if text == "0":
        return 0.0
    position, total = 0, 0.0
    while position < len(text):
        match = _DURATION_PART.match(text, position)
        if match is None:
            raise ValueError(f"time: invalid duration {text!r}")
        total += float(match.group(1)) * _UNIT_S[match.group(2)]
        position = match.end()
    if position == 0:
        raise ValueError(f"time: invalid duration {text!r}")
    return total


def is_worse(current: str, new: str) -> bool:
    """utils/analysis/helpers.go ``IsWorse`` (59-71)."""
    return _WORST_ORDER.index(new) > _WORST_ORDER.index(current)


@dataclass(frozen=True, kw_only=True)
class Metric:
    """One metric of the run, arguments already substituted, durations in (scaled) seconds."""

    name: str
    provider: str  # "prometheus" or "job": the one key under the metric's `provider`
    spec: Mapping[str, Any] = field(default_factory=dict)  # that provider's spec
    interval_s: float | None = None
    initial_delay_s: float | None = None
    count: int | None = None
    failure_limit: int | None = None
    inconclusive_limit: int | None = None
    consecutive_error_limit: int | None = None
    consecutive_success_limit: int | None = None
    success_condition: str = ""
    failure_condition: str = ""

    @property
    def effective_count(self) -> int | None:
        """pkg/apis/rollouts/v1alpha1/analysis_types.go ``EffectiveCount`` (159-169): no count and no interval is one
        measurement; an interval without a count measures until something stops the run."""
        if not self.count:
            return 1 if self.interval_s is None else None
        return self.count


@dataclass(kw_only=True)
class Measurement:
    phase: str
    started_at: float
    finished_at: float | None = None
    value: str = ""
    message: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(kw_only=True)
class MetricResult:
    name: str
    phase: str = RUNNING
    measurements: list[Measurement] = field(default_factory=list)
    count: int = 0
    successful: int = 0
    failed: int = 0
    inconclusive: int = 0
    error: int = 0
    consecutive_error: int = 0
    consecutive_success: int = 0
    message: str = ""


class Provider(Protocol):
    """What analysis.go asks of a metric provider (metric/provider.go ``Provider``: Run, Resume, Terminate)."""

    def run(self, metric: Metric, now: float) -> Measurement: ...

    def resume(self, metric: Metric, measurement: Measurement, now: float) -> Measurement: ...

    def terminate(self, metric: Metric, measurement: Measurement, now: float) -> Measurement: ...


def validate_metrics(metrics: Sequence[Metric]) -> str | None:
    """utils/analysis/factory.go ``ValidateMetrics``/``ValidateMetric`` (131-217); None when valid."""
    if not metrics:
        return "no metrics specified"
    seen: set[str] = set()
    for index, metric in enumerate(metrics):
        if metric.name in seen:
            return f"metrics[{index}]: duplicate name '{metric.name}'"
        seen.add(metric.name)
        problem = _validate_metric(metric)
        if problem:
            return f"metrics[{index}]: {problem}"
    return None


def _validate_metric(metric: Metric) -> str | None:
    count = metric.count or 0
    failure_limit = metric.failure_limit if metric.failure_limit is not None else 0
    success_limit = metric.consecutive_success_limit or 0
    inconclusive_limit = metric.inconclusive_limit or 0
    if success_limit < 0:
        return "consecutiveSuccessLimit must be >= 0"
    if failure_limit < -1:
        return "failureLimit must be >= 0, or -1 to be disabled"
    if success_limit == 0 and failure_limit == -1:
        return "failureLimit and consecutiveSuccessLimit cannot both be disabled"
    if inconclusive_limit < 0:
        return "inconclusiveLimit must be >= 0"
    if metric.consecutive_error_limit is not None and metric.consecutive_error_limit < 0:
        return "consecutiveErrorLimit must be >= 0"
    if count > 0:
        if failure_limit >= 0 and count < failure_limit + success_limit:
            return (
                f"count ({count}) must be >= failureLimit + consecutiveSuccessLimit "
                f"({failure_limit} + {success_limit}) if both >= 0"
            )
        if failure_limit < 0 and count < success_limit:
            return "count must be >= consecutiveSuccessLimit"
        if count < inconclusive_limit:
            return "count must be >= inconclusiveLimit"
    if count > 1 and metric.interval_s is None:
        return "interval must be specified when count > 1"
    return None


def assess_metric(metric: Metric, result: MetricResult, terminating: bool) -> str:
    """analysis/analysis.go ``assessMetricStatus`` (579-656)."""
    if result.phase in COMPLETED:
        return result.phase
    if not result.measurements:
        return SUCCESSFUL if terminating else PENDING
    if result.measurements[-1].phase not in COMPLETED:
        return RUNNING
    phase, _ = limits_breached(metric, result)
    if phase:
        return phase
    success_limit = metric.consecutive_success_limit or 0
    if success_limit > 0 and result.consecutive_success >= success_limit:
        return SUCCESSFUL
    count = metric.effective_count
    if count is not None and result.count >= count:
        failure_applicable = metric.failure_limit is None or metric.failure_limit >= 0
        if success_limit > 0:
            # the limit was not reached above: Inconclusive when failures still count, else Failed (620-637)
            return INCONCLUSIVE if failure_applicable else FAILED
        return SUCCESSFUL
    return SUCCESSFUL if terminating else RUNNING


def limits_breached(metric: Metric, result: MetricResult) -> tuple[str, str]:
    """analysis/analysis.go ``assessMetricFailureInconclusiveOrError`` (658-687): ("", "") when no limit is passed."""
    phase, message = "", ""
    failure_limit = metric.failure_limit if metric.failure_limit is not None else 0
    if failure_limit >= 0 and result.failed > failure_limit:
        phase, message = FAILED, f"failed ({result.failed}) > failureLimit ({failure_limit})"
    inconclusive_limit = metric.inconclusive_limit or 0
    if result.inconclusive > inconclusive_limit:
        phase = INCONCLUSIVE
        message = f"inconclusive ({result.inconclusive}) > inconclusiveLimit ({inconclusive_limit})"
    error_limit = (
        metric.consecutive_error_limit
        if metric.consecutive_error_limit is not None
        else DEFAULT_CONSECUTIVE_ERROR_LIMIT
    )
    if result.consecutive_error > error_limit:
        phase = ERROR
        message = f"consecutiveErrors ({result.consecutive_error}) > consecutiveErrorLimit ({error_limit})"
    return phase, message


class AnalysisRun:
    """``reconcile(now)`` is one pass of the analysis controller; ``phase`` is the run's phase after it."""

    def __init__(
        self,
        metrics: Sequence[Metric],
        providers: Mapping[str, Provider],
        *,
        error_retry_interval_s: float = DEFAULT_ERROR_RETRY_INTERVAL_S,
        on_measurement: Callable[[Metric, Measurement], None] | None = None,
    ) -> None:
        self.metrics = tuple(metrics)
        self.providers = providers
        self.error_retry_interval_s = error_retry_interval_s
        self.on_measurement = on_measurement
        self.phase = RUNNING
        self.message = ""
        self.started_at: float | None = None
        self.terminate = False  # spec.terminate
        self.results: dict[str, MetricResult] = {}
        problem = validate_metrics(self.metrics)
        if problem:
            self.phase, self.message = ERROR, f"Analysis spec invalid: {problem}"

    @property
    def completed(self) -> bool:
        return self.phase in COMPLETED

    def terminating(self) -> bool:
        return self.terminate or any(r.phase in (FAILED, ERROR, INCONCLUSIVE) for r in self.results.values())

    def reconcile(self, now: float) -> str:
        if self.completed:
            return self.phase
        for metric, in_flight in self._tasks(now):
            self._measure(metric, in_flight, now)
        self.phase, self.message = self._assess(now)
        return self.phase

    def _tasks(self, now: float) -> list[tuple[Metric, Measurement | None]]:
        """analysis.go ``generateMetricTasks`` (176-250)."""
        tasks: list[tuple[Metric, Measurement | None]] = []
        terminating = self.terminating()
        for metric in self.metrics:
            result = self.results.get(metric.name)
            if result is not None and result.phase in COMPLETED:
                continue
            last = result.measurements[-1] if result and result.measurements else None
            if last is not None and last.finished_at is None:
                tasks.append((metric, last))  # resume (or terminate) the in-flight measurement
                continue
            if terminating:
                continue
            if last is None:
                if metric.initial_delay_s is not None and (
                    self.started_at is None or self.started_at + metric.initial_delay_s > now
                ):
                    continue
                tasks.append((metric, None))
                continue
            assert result is not None
            assert last.finished_at is not None
            count = metric.effective_count
            if count is not None and result.count >= count:
                continue
            interval = self.error_retry_interval_s
            if last.phase != ERROR and metric.interval_s is not None:
                interval = metric.interval_s
            if now > last.finished_at + interval:
                tasks.append((metric, None))
        return tasks

    def _measure(self, metric: Metric, in_flight: Measurement | None, now: float) -> None:
        """analysis.go ``runMeasurements`` (312-431), one task at a time."""
        provider = self.providers[metric.name]
        if in_flight is None:
            measurement = provider.run(metric, now)
        elif self.terminating():
            measurement = provider.terminate(metric, in_flight, now)
            if measurement.phase == SUCCESSFUL:
                measurement.message = "Metric Terminated"
        else:
            measurement = provider.resume(metric, in_flight, now)
        result = self.results.setdefault(metric.name, MetricResult(name=metric.name))
        if measurement.phase in COMPLETED:
            if measurement.finished_at is None:
                measurement.finished_at = now
            _count(result, measurement.phase)
        if in_flight is None:
            result.measurements.append(measurement)
        else:
            result.measurements[-1] = measurement
        if measurement.phase in COMPLETED and self.on_measurement is not None:
            self.on_measurement(metric, measurement)

    def _assess(self, now: float) -> tuple[str, str]:
        """analysis.go ``assessRunStatus`` (436-573), without dry-run metrics."""
        terminating = self.terminating()
        if self.started_at is None:
            self.started_at = now
        worst, worst_message, everything_completed = "", "Run Terminated" if self.terminate else "", True
        for metric in self.metrics:
            result = self.results.get(metric.name)
            if result is None:
                everything_completed = False
                continue
            status = assess_metric(metric, result, terminating)
            if status != result.phase:
                if result.measurements:
                    result.message = result.measurements[-1].message
                result.phase = status
            if status not in COMPLETED:
                everything_completed = False
                continue
            _, message = limits_breached(metric, result)
            if not worst or is_worse(worst, status):
                worst = status
                if message:
                    worst_message = f'Metric "{metric.name}" assessed {status} due to {message}'
                    if result.message:
                        worst_message += f': "Error Message: {result.message}"'
        if terminating:
            return (worst or SUCCESSFUL), worst_message.strip()
        if not everything_completed or not worst:
            return RUNNING, ""
        return worst, worst_message.strip()

    def next_reconcile(self, now: float, *, poll_s: float) -> float | None:
        """analysis.go ``calculateNextReconcileTime`` (691-759); an in-flight measurement is polled every ``poll_s``."""
        if self.completed:
            return None
        times: list[float] = []
        for metric in self.metrics:
            result = self.results.get(metric.name)
            if result is not None and result.phase in COMPLETED:
                continue
            last = result.measurements[-1] if result and result.measurements else None
            if last is None:
                if metric.initial_delay_s is not None:
                    times.append((self.started_at if self.started_at is not None else now) + metric.initial_delay_s)
                continue
            if last.finished_at is None:
                times.append(now + poll_s)
                continue
            count = metric.effective_count
            if result is not None and count is not None and result.count >= count:
                continue
            if last.phase == ERROR:
                times.append(last.finished_at + self.error_retry_interval_s)
            elif metric.interval_s is not None:
                times.append(last.finished_at + metric.interval_s)
        if self.terminating():
            times.append(now)  # the next pass terminates what is in flight and ends the run
        return min(times) if times else None


def _count(result: MetricResult, phase: str) -> None:
    if phase == ERROR:
        result.error += 1
        result.consecutive_error += 1
        result.consecutive_success = 0
        return
    result.count += 1
    result.consecutive_error = 0
    if phase == SUCCESSFUL:
        result.successful += 1
        result.consecutive_success += 1
    elif phase == FAILED:
        result.failed += 1
        result.consecutive_success = 0
    else:
        result.inconclusive += 1
        result.consecutive_success = 0


class AnalysisTimeout(Exception):
    """The run did not complete before the caller's deadline (the rehearsal's time budget)."""


def run_to_completion(
    run: AnalysisRun,
    *,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    deadline: float,
    poll_s: float = 0.5,
) -> str:
    """Reconcile whenever the controller would, until the run completes; ``AnalysisTimeout`` past ``deadline``."""
    while True:
        now = clock()
        phase = run.reconcile(now)
        if run.completed:
            return phase
        wake = run.next_reconcile(now, poll_s=poll_s)
        if now >= deadline or (wake is not None and wake > deadline):
            raise AnalysisTimeout(f"the analysis would still be {phase} at the deadline (next look at {wake})")
        wait = poll_s if wake is None else max(0.0, wake - clock())
        # analysis.go compares with After (strictly later): wake a hair after the due time, never exactly on it
        sleep(wait + 1e-3)
