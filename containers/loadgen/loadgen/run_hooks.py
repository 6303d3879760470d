"""What the Locust processes do besides simulating customers: options, records, thresholds and the result.

On the master (or a run without workers): the records every worker ships (custom messages, docs/running-distributed.rst
"Communicating across nodes") are collected, and when Locust quits the thresholds are checked, the exit code set
(docs/running-without-web-ui.rst, "Controlling the exit code of the Locust process") and ``locust.json`` and
``records.jsonl`` written to ``--load-dir``. ``ProfileShape`` runs the chosen profile (``loadgen.shapes``).

Exit codes: 0 the thresholds held, 1 they did not, 2 the run was misconfigured (a bad threshold, target or
customer variable). In the cluster the exit code is the verdict: the release-smoke AnalysisTemplate's Job (a
``job`` metric: Job complete -> Successful, failed -> Failed) and the load test's master Job.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import gevent
from locust import LoadTestShape, events
from locust.env import Environment
from locust.runners import WorkerRunner

from loadgen import customer_settings, records, shapes, summary, thresholds

_log = logging.getLogger(__name__)
_journal: list[dict[str, Any]] = []  # on the master: every record the workers shipped
_workers: set[str] = set()  # on the master: every worker that reported statistics


@events.init_command_line_parser.add_listener
def _arguments(parser: Any, **_: Any) -> None:
    # Locust's parser is configargparse: env_var names the variable that sets the option (argument_parser.py).
    parser.add_argument("--load-profile", choices=sorted(shapes.PROFILES), default="smoke", env_var="LOAD_PROFILE")
    parser.add_argument("--load-users", type=int, default=0, env_var="LOAD_USERS", help="scale the busiest stage")
    parser.add_argument("--load-dir", default=".run/load", env_var="LOAD_DIR", help="locust.json and records.jsonl")
    parser.add_argument(
        "--load-duration", type=float, default=0.0, env_var="LOAD_DURATION_S", help="play the profile in this many s"
    )
    parser.add_argument(
        "--load-hold",
        type=float,
        default=0.0,
        env_var="LOAD_HOLD_S",
        help="keep the last stage's users until this many s into the run (the release analysis's window)",
    )


@events.init.add_listener
def _on_init(environment: Environment, **_: Any) -> None:
    if environment.runner is not None and not isinstance(environment.runner, WorkerRunner):
        # A LocalRunner handles its own messages, so a run without workers records the same (running-distributed.rst).
        environment.runner.register_message(records.MESSAGE_TYPE, _on_record)
        try:
            customer_settings.check(os.environ)
        except ValueError as error:
            # Quit at once rather than run the whole profile with users that die as they start; the quitting hook
            # finds the same error and exits with 2.
            _log.error("load settings: %s", error)
            gevent.spawn_later(0, environment.runner.quit)


def _on_record(environment: Environment, msg: Any, **_: Any) -> None:
    _journal.append(msg.data)


@events.worker_report.add_listener
def _on_worker_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    _workers.add(client_id)


@events.quitting.add_listener
def _on_quitting(environment: Environment, **_: Any) -> None:
    if isinstance(environment.runner, WorkerRunner):
        return
    options = environment.parsed_options
    shape = environment.shape_class
    try:
        limits = thresholds.from_env(os.environ)
        customer_settings.check(os.environ)
    except ValueError as error:
        _log.error("load settings: %s", error)
        environment.process_exit_code = 2
        return
    stats = environment.stats
    endpoints = [
        thresholds.EndpointStats(
            name=entry.name,
            requests=entry.num_requests,
            failures=entry.num_failures,
            p95_ms=entry.get_response_time_percentile(0.95) or 0.0,
        )
        for entry in stats.entries.values()
    ]
    result = summary.locust_result(
        profile=getattr(options, "load_profile", "smoke"),
        workers=len(_workers),
        users=shape.schedule.peak_users if isinstance(shape, ProfileShape) else 0,
        started_at=stats.total.start_time,
        last_request_at=stats.total.last_request_timestamp,
        endpoints=endpoints,
        thresholds=limits,
    )
    directory = Path(getattr(options, "load_dir", ".run/load"))
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / summary.RECORDS_FILE).open("w", encoding="utf-8") as sink:
        sink.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in _journal)
    (directory / summary.RESULT_FILE).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    for violation in result["violations"]:
        _log.error("threshold failed: %s", violation)
    environment.process_exit_code = 0 if result["thresholds_passed"] else 1


class ProfileShape(LoadTestShape):
    """The profile chosen with ``--load-profile`` / ``LOAD_PROFILE`` (see ``loadgen.shapes``); runs on the master."""

    def __init__(self) -> None:
        super().__init__()
        self._schedule: shapes.Schedule | None = None

    @property
    def schedule(self) -> shapes.Schedule:
        if self._schedule is None:
            options = self.runner.environment.parsed_options if self.runner else None
            name = getattr(options, "load_profile", None) or os.environ.get("LOAD_PROFILE", "smoke")
            peak = getattr(options, "load_users", 0) or None
            profile = shapes.profile_named(name, peak)
            if duration := getattr(options, "load_duration", 0.0):
                profile = played_in(profile, duration)
            if hold := getattr(options, "load_hold", 0.0):
                profile = shapes.held_until(profile, hold)
            self._schedule = shapes.Schedule(profile=profile)
        return self._schedule

    def tick(self) -> shapes.Tick | None:
        return self.schedule.tick(self.get_run_time(), self.get_current_user_count())


def played_in(profile: shapes.Profile, seconds: float) -> shapes.Profile:
    """The same profile, faster or slower: its load lasts ``seconds``, each stage and ramp keeps its share of it."""
    if seconds <= 0:
        raise ValueError("a profile's duration must be positive")
    factor = seconds / profile.load_s
    stages = tuple(
        replace(stage, until_s=stage.until_s * factor, spawn_rate=stage.spawn_rate / factor) for stage in profile.stages
    )
    return replace(profile, stages=stages)
