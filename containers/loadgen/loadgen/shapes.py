"""Load profiles: stages of (users, spawn rate) over time, then a drain to zero users and a short settle.

A profile never stops the test while users are still active. Locust's headless master quits as soon as a shape's
``tick`` returns None and waits only half a second for the workers (runners.py ``MasterRunner.quit``), so a stop with
orders in flight would lose what their clients were told. Instead the last phase asks for zero users: a worker then
stops each user after its current task (up to ``--stop-timeout``) and only afterwards reports its new user count
(runners.py ``WorkerRunner.start_worker``), so every record a user shipped reaches the master before that report.
Then the profile holds at zero for one worker stats interval, so the master has every request in its statistics.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

Tick = tuple[int, float]

# WORKER_REPORT_INTERVAL in locust/runners.py: a worker sends its statistics to the master every 3 s.
WORKER_REPORT_INTERVAL_S = 3.0
SETTLE_S = WORKER_REPORT_INTERVAL_S + 0.5
# Longer than the slowest task (an order tried 3 times, see customer.ORDER_TRIES): local.load passes it to Locust
# as --stop-timeout, so a user asked to stop finishes its task instead of being killed mid-request.
STOP_TIMEOUT_S = 30.0
# Users stopped per second once the stages are over; Locust warns above 100 per worker (runners.py MasterRunner.start).
DRAIN_RATE = 100.0


@dataclass(frozen=True, kw_only=True)
class Stage:
    """Until ``until_s`` seconds into the test, run ``users`` users, starting (or stopping) ``spawn_rate`` a second."""

    until_s: float
    users: int
    spawn_rate: float


@dataclass(frozen=True, kw_only=True)
class Profile:
    name: str
    stages: tuple[Stage, ...]
    description: str

    @property
    def load_s(self) -> float:
        """Seconds of load before the drain."""
        return self.stages[-1].until_s

    @property
    def peak_users(self) -> int:
        return max(stage.users for stage in self.stages)

    @property
    def max_duration_s(self) -> float:
        """The longest the shape can run: the stages, a drain that waits for the slowest task, and the settle."""
        return self.load_s + STOP_TIMEOUT_S + SETTLE_S + 2.0

    def with_peak(self, users: int) -> Profile:
        """The same profile scaled so that its busiest stage runs ``users`` users (at least 1 user per stage)."""
        if users < 1:
            raise ValueError("peak users must be at least 1")
        factor = users / self.peak_users
        stages = tuple(
            replace(stage, users=max(1, round(stage.users * factor)), spawn_rate=max(1.0, stage.spawn_rate * factor))
            for stage in self.stages
        )
        return replace(self, stages=stages)


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            name="smoke",
            description="CI-sized: 10 customers arriving over 5 s, held until 30 s; the whole run stays under 90 s",
            stages=(Stage(until_s=30, users=10, spawn_rate=2),),
        ),
        Profile(
            name="probe",
            description="a few seconds of 4 customers: checks that the tooling works end to end (tests use it)",
            stages=(Stage(until_s=6, users=4, spawn_rate=4),),
        ),
        Profile(
            name="steady",
            description="an ordinary busy morning: 40 customers over 20 s, held for 5 minutes",
            stages=(Stage(until_s=300, users=40, spawn_rate=2),),
        ),
        Profile(
            name="spike",
            description="a launch: 10 browsing, then 150 arrive within 3 s, stay a minute, then most leave",
            stages=(
                Stage(until_s=20, users=10, spawn_rate=5),
                Stage(until_s=80, users=150, spawn_rate=50),
                Stage(until_s=100, users=10, spawn_rate=50),
            ),
        ),
    )
}


@dataclass(kw_only=True)
class Schedule:
    """One run of a profile: ``tick(run_time, current_users)`` is what a ``LoadTestShape.tick`` returns."""

    profile: Profile
    peak_users: int = 0
    _drained_at: float | None = field(default=None, repr=False)

    def tick(self, run_time: float, current_users: int) -> Tick | None:
        self.peak_users = max(self.peak_users, current_users)
        for stage in self.profile.stages:
            if run_time < stage.until_s:
                return (stage.users, stage.spawn_rate)
        if self._drained_at is None and current_users == 0:
            self._drained_at = run_time
        if self._drained_at is not None and run_time - self._drained_at >= SETTLE_S:
            return None
        if run_time >= self.profile.max_duration_s:
            return None  # a user stuck past --stop-timeout: stop anyway, reconciliation will show what it cost
        return (0, DRAIN_RATE)


def profile_named(name: str, peak_users: int | None = None) -> Profile:
    try:
        profile = PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown load profile {name!r}; known: {', '.join(PROFILES)}") from None
    return profile.with_peak(peak_users) if peak_users else profile


def held_until(profile: Profile, seconds: float) -> Profile:
    """The same profile whose last stage lasts until ``seconds`` into the run (when that is later than it did).

    ``LOAD_HOLD_S``. Unlike ``--load-duration`` (``run_hooks.played_in``) nothing is stretched: the ramp keeps its
    spawn rate, so the users are there within seconds and stay for the whole window the release analysis measures
    (initialDelay + count x interval of order-health, k8s/base/order/analysis-template.yaml).
    """
    if seconds <= 0:
        raise ValueError("a hold must be positive")
    last = profile.stages[-1]
    if seconds <= last.until_s:
        return profile
    return replace(profile, stages=(*profile.stages[:-1], replace(last, until_s=seconds)))
