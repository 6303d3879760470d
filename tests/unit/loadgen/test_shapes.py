"""Load profiles as tick sequences: stages, then a drain that waits for every user, then a settle, then stop."""

from __future__ import annotations

import pytest

from loadgen.shapes import DRAIN_RATE, PROFILES, SETTLE_S, STOP_TIMEOUT_S, Schedule, profile_named

# What `python -m local.load` spends around the shape, measured on a 2-CPU VM: ~3 s for Locust's processes to
# start and connect, ~2 s for the report files and the reconciliation. Generous: the budget is 90 s in all.
LOCUST_OVERHEAD_S = 15.0


def run_ticks(schedule: Schedule, *, stop_lag_s: float = 1.0, limit_s: float = 1000.0) -> list[tuple[float, object]]:
    """Tick once a second like Locust's shape worker; users follow the target, reaching 0 ``stop_lag_s`` late."""
    ticks: list[tuple[float, object]] = []
    users, drain_started = 0, None
    t = 0.0
    while t < limit_s:
        tick = schedule.tick(t, users)
        ticks.append((t, tick))
        if tick is None:
            return ticks
        target = tick[0]
        if target == 0:
            drain_started = t if drain_started is None else drain_started
            users = 0 if t - drain_started >= stop_lag_s else users
        else:
            users = target
        t += 1.0
    raise AssertionError(f"the profile did not stop within {limit_s} s")


def test_given_smoke_when_run_then_it_holds_its_users_drains_settles_and_stops_well_under_90_s() -> None:
    # Given the smoke profile
    schedule = Schedule(profile=PROFILES["smoke"])
    # When Locust ticks it once a second
    ticks = run_ticks(schedule)
    # Then it asks for its users until the load ends, then for zero users, then stops
    load = [tick for t, tick in ticks if t < PROFILES["smoke"].load_s]
    assert set(load) == {(10, 2)}
    end, final = ticks[-1]
    assert final is None
    assert all(tick == (0, DRAIN_RATE) for t, tick in ticks if PROFILES["smoke"].load_s <= t < end)
    # And the whole run, with Locust's start and the reconciliation, fits the CI budget
    assert end + LOCUST_OVERHEAD_S < 90
    assert schedule.peak_users == 10


def test_given_users_still_busy_when_the_load_ends_then_the_profile_waits_for_them_before_stopping() -> None:
    # Given users that take 12 s to finish their tasks after being asked to stop
    schedule = Schedule(profile=PROFILES["smoke"])
    ticks = run_ticks(schedule, stop_lag_s=12)
    # Then the stop comes only after they are gone, plus the settle
    end = ticks[-1][0]
    assert end >= PROFILES["smoke"].load_s + 12 + SETTLE_S


def test_given_a_user_that_never_stops_then_the_profile_still_ends_after_the_stop_timeout() -> None:
    schedule = Schedule(profile=PROFILES["smoke"])
    profile = PROFILES["smoke"]
    # When a user stays active forever
    assert schedule.tick(profile.load_s + 1, 3) == (0, DRAIN_RATE)
    assert schedule.tick(profile.load_s + STOP_TIMEOUT_S, 3) == (0, DRAIN_RATE)
    # Then the shape gives up once the longest a task may take is over
    assert schedule.tick(profile.max_duration_s, 3) is None


def test_given_zero_users_only_briefly_then_the_settle_counts_from_the_first_zero() -> None:
    schedule = Schedule(profile=PROFILES["smoke"])
    load = PROFILES["smoke"].load_s
    assert schedule.tick(load, 0) == (0, DRAIN_RATE)
    assert schedule.tick(load + SETTLE_S - 0.1, 0) == (0, DRAIN_RATE)
    assert schedule.tick(load + SETTLE_S, 0) is None


def test_given_spike_then_it_ramps_to_its_peak_within_seconds_holds_and_drops() -> None:
    profile = PROFILES["spike"]
    before, peak, after = profile.stages
    # Then the launch brings many more users than the baseline, all of them within 5 s
    assert peak.users >= 10 * before.users
    assert (peak.users - before.users) / peak.spawn_rate <= 5
    # And they stay for a while, then most of them leave as fast
    assert peak.until_s - before.until_s >= 30
    assert after.users <= before.users
    assert (peak.users - after.users) / after.spawn_rate <= 5
    ticks = dict(run_ticks(Schedule(profile=profile)))
    assert ticks[before.until_s - 1] == (before.users, before.spawn_rate)
    assert ticks[before.until_s] == (peak.users, peak.spawn_rate)
    assert ticks[peak.until_s] == (after.users, after.spawn_rate)


def test_given_steady_then_it_is_one_long_plateau() -> None:
    (stage,) = PROFILES["steady"].stages
    assert stage.until_s >= 300
    assert stage.users >= 4 * PROFILES["smoke"].peak_users


def test_given_a_peak_override_then_every_stage_scales_and_keeps_its_timing() -> None:
    # When the spike is scaled to 300 users at its peak
    scaled = profile_named("spike", 300)
    # Then the peak is 300, the ramp still takes the same seconds, and no stage has fewer than one user
    assert scaled.peak_users == 300
    assert [stage.until_s for stage in scaled.stages] == [stage.until_s for stage in PROFILES["spike"].stages]
    assert scaled.stages[1].users / scaled.stages[1].spawn_rate == pytest.approx(
        PROFILES["spike"].stages[1].users / PROFILES["spike"].stages[1].spawn_rate, rel=0.05
    )
    assert profile_named("smoke", 1).stages[0].users == 1


def test_given_an_unknown_profile_or_no_users_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown load profile 'soak'"):
        profile_named("soak")
    with pytest.raises(ValueError, match="at least 1"):
        PROFILES["smoke"].with_peak(0)
