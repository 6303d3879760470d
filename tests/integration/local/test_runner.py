"""``Platform`` with stand-in services: idempotent up, single-component stop/start, failures, stale state."""

from __future__ import annotations

import io
import json
import socket
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from local import pidfiles, processes
from local.components import Component
from local.runner import Platform, PlatformError
from local.settings import LocalSettings

FakeComponent = Callable[[str, str], Component]


MakePlatform = Callable[..., Platform]


@pytest.fixture
def make_platform(settings: LocalSettings) -> Iterator[MakePlatform]:
    """``make_platform(components, out=None, **setting_overrides)``; every platform made is brought down afterwards."""
    created: list[Platform] = []

    def make(components: list[Component], out: io.StringIO | None = None, **overrides: object) -> Platform:
        platform = Platform(settings.model_copy(update=overrides), components=components, out=out or io.StringIO())
        created.append(platform)
        return platform

    yield make
    for platform in created:
        platform.down()


def pid_of(settings: LocalSettings, name: str) -> int:
    record = pidfiles.read(pidfiles.pid_path(settings.run_dir, name))
    assert record is not None
    return record.pid


def ready(component: Component) -> bool:
    try:
        return httpx.get(component.health_url, timeout=2, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


def test_up_starts_services_and_a_second_up_keeps_them(
    make_platform: MakePlatform, fake_component: FakeComponent, settings: LocalSettings
) -> None:
    # Given two healthy services, brought up once
    first, second = fake_component("order", "healthy"), fake_component("login", "healthy")
    out = io.StringIO()
    platform = make_platform([first, second], out=out)
    platform.up()
    pids = {name: pid_of(settings, name) for name in ("order", "login")}
    # When up is run again
    platform.up()
    # Then both answer, and the same processes still serve (nothing was started twice)
    assert f"order      already running {first.url}" in out.getvalue().splitlines()
    assert f"login      already running {second.url}" in out.getvalue().splitlines()
    assert ready(first)
    assert ready(second)
    assert {name: pid_of(settings, name) for name in ("order", "login")} == pids
    assert (settings.run_dir / "order.log").exists()


def test_stop_and_start_a_single_component(
    make_platform: MakePlatform, fake_component: FakeComponent, settings: LocalSettings
) -> None:
    # Given a running platform of two services
    order, login = fake_component("order", "healthy"), fake_component("login", "healthy")
    platform = make_platform([order, login])
    platform.up()
    old_pid = pid_of(settings, "order")
    # When one is stopped
    platform.stop("order")
    # Then only that one is down and its port is free
    assert not platform.is_running("order")
    assert not ready(order)
    assert order.port is not None
    assert not processes.port_in_use(order.port)
    assert ready(login)
    # And when it is started again it serves from a new process
    platform.start("order")
    assert ready(order)
    assert pid_of(settings, "order") != old_pid


def test_a_crashing_service_fails_up_with_its_log_and_stops_what_was_started(
    make_platform: MakePlatform, fake_component: FakeComponent, settings: LocalSettings
) -> None:
    # Given a healthy service and one that crashes on start
    good, bad = fake_component("order", "healthy"), fake_component("login", "crash")
    platform = make_platform([good, bad])
    started = time.monotonic()
    # When the platform is brought up
    with pytest.raises(PlatformError) as raised:
        platform.up()
    # Then the error names the component and quotes its log, promptly
    message = str(raised.value)
    assert message.startswith("login failed: the process exited")
    assert "boom: the fake service refuses to start" in message
    assert time.monotonic() - started < 15
    # And the service it had started is stopped again
    assert not ready(good)
    assert list(settings.run_dir.glob("*.pid")) == []


def test_a_service_that_never_gets_healthy_fails_at_the_timeout(
    fake_component: FakeComponent, settings: LocalSettings, make_platform: MakePlatform
) -> None:
    # Given a service that answers 503 forever and a short timeout
    slow = fake_component("order", "unhealthy")
    platform = make_platform([slow], up_timeout=2.0)
    started = time.monotonic()
    # When / Then up gives up after the timeout with the last answer, and stops the process
    with pytest.raises(PlatformError, match=r"not healthy before the timeout .*HTTP 503"):
        platform.up()
    assert time.monotonic() - started < 10
    assert slow.port is not None
    assert not processes.port_in_use(slow.port)


def test_a_port_held_by_another_program_is_an_error_before_anything_starts(
    make_platform: MakePlatform, fake_component: FakeComponent, settings: LocalSettings
) -> None:
    # Given another program listening on the second service's port
    first, second = fake_component("order", "healthy"), fake_component("login", "healthy")
    platform = make_platform([first, second])
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", second.port))
        squatter.listen()
        # When / Then up refuses at once, naming the port, and starts nothing
        with pytest.raises(PlatformError, match=f"{second.port} \\(login\\)"):
            platform.up()
    assert not ready(first)
    assert list(settings.run_dir.glob("*.pid")) == []


def test_down_stops_a_leftover_component_and_cleans_stale_files(
    make_platform: MakePlatform, fake_component: FakeComponent, settings: LocalSettings
) -> None:
    # Given a service started by an earlier platform that knew one more component, and a stale PID file
    extra, order = fake_component("reco", "healthy"), fake_component("order", "healthy")
    make_platform([extra]).up()
    settings.run_dir.joinpath("order.pid").write_text(
        json.dumps({"pid": 999_999_999, "start_time": None, "command": list(order.command)}), encoding="utf-8"
    )
    # When today's platform (without it) is brought down
    make_platform([order]).down()
    # Then the leftover is stopped and no PID file remains
    assert not ready(extra)
    assert list(settings.run_dir.glob("*.pid")) == []


def test_a_component_running_with_another_command_is_reported(
    make_platform: MakePlatform, fake_component: FakeComponent
) -> None:
    # Given a service running from an earlier up with other settings (another port)
    first = fake_component("order", "healthy")
    make_platform([first]).up()
    # When up runs with a different command for the same component
    platform = make_platform([fake_component("order", "healthy")])
    # Then it says so instead of starting a second copy, and leaves the first one serving
    with pytest.raises(PlatformError, match=r"order is running .* with another command"):
        platform.up()
    assert ready(first)
