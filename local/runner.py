"""``Platform``: start, health-check, bootstrap and stop the local platform's components.

The CLI (``python -m local.platform``) and the e2e fixture (``tests/e2e/conftest.py``) both drive this class.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TextIO

import httpx

from local import pidfiles, processes
from local.bootstrap import bootstrap, session
from local.components import Component, build_components, child_env, table_names
from local.health import HealthError, is_healthy, wait_healthy
from local.settings import REPO_ROOT, TABLE_PREFIX, LocalSettings

LOG_TAIL_LINES = 30


class PlatformError(Exception):
    """The platform could not be brought to the requested state; the message says why (with a log tail)."""


@dataclass(frozen=True, kw_only=True)
class ComponentStatus:
    name: str
    state: Literal["running", "stopped", "stale"]
    pid: int | None
    url: str
    healthy: bool


class Platform:
    """The local platform described by ``settings`` (ports, run directory) and its component list."""

    def __init__(
        self,
        settings: LocalSettings | None = None,
        *,
        components: Sequence[Component] | None = None,
        out: TextIO | None = None,
    ) -> None:
        self.settings = settings or LocalSettings()
        self.components = tuple(components) if components is not None else build_components(self.settings)
        self._out = out if out is not None else sys.stdout
        self._children: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def aws_url(self) -> str:
        return self.settings.aws_url

    @property
    def login_url(self) -> str:
        return self.settings.login_url

    @property
    def order_url(self) -> str:
        return self.settings.order_url

    @property
    def reco_url(self) -> str:
        return self.settings.reco_url

    @property
    def login_metrics_url(self) -> str:
        return self.settings.login_metrics_url

    @property
    def order_metrics_url(self) -> str:
        return self.settings.order_metrics_url

    @property
    def prometheus_url(self) -> str:
        return self.settings.prometheus_url

    def table_name(self, key: str) -> str:
        """Physical name of a table by spec key (``customers``, ``catalog``, ``orders``)."""
        return table_names(TABLE_PREFIX)[key]

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` in the emulator, with fake credentials."""
        return session().client(service, endpoint_url=self.aws_url)

    def resource(self, service: str) -> Any:
        """A boto3 resource for ``service`` in the emulator, with fake credentials."""
        return session().resource(service, endpoint_url=self.aws_url)

    def up(self) -> None:
        """Start what is not running, bootstrap the emulator, wait until all are healthy, print the URLs.

        On failure everything this call started is stopped again and ``PlatformError`` is raised.
        """
        deadline = time.monotonic() + self.settings.up_timeout
        self.settings.run_dir.mkdir(parents=True, exist_ok=True)
        running = {c.name for c in self.components if self._live(c) is not None}
        self._check_commands([c for c in self.components if c.name not in running])
        self._check_ports([c for c in self.components if c.name not in running])
        started: list[Component] = []
        try:
            for kind in ("emulator", "service"):
                group = [c for c in self.components if c.kind == kind]
                for component in group:
                    if component.name not in running:
                        self._spawn(component)
                        started.append(component)
                self._wait(group, deadline)
                for component in group:
                    if component.kind == "emulator":
                        self._bootstrap(component)
        except BaseException:
            for component in reversed(started):
                self._stop(component)
            raise
        for component in self.components:
            verb = "already running" if component.name in running else "started"
            metrics = f"  metrics {component.metrics_url}" if component.metrics_url else ""
            notes = f"  {component.notes}" if component.notes else ""
            self._print(f"{component.name:<10} {verb:<15} {component.url}{metrics}{notes}")

    def down(self) -> None:
        """Stop every component (services first, emulator last) and clean PID files; nothing running is fine."""
        known = {c.name for c in self.components}
        leftovers = sorted(p.stem for p in self.settings.run_dir.glob("*.pid") if p.stem not in known)
        for name in leftovers:
            self._stop_by_name(name)
        for component in reversed(self.components):
            self._stop_by_name(component.name)

    def start(self, name: str) -> None:
        """Start one component (no-op when running) and wait until it is healthy; bootstraps an emulator."""
        component = self._component(name)
        if self._live(component) is not None:
            return
        self._check_commands([component])
        self._check_ports([component])
        self._spawn(component)
        try:
            self._wait([component], time.monotonic() + self.settings.up_timeout)
            if component.kind == "emulator":
                self._bootstrap(component)
        except BaseException:
            self._stop(component)
            raise

    def stop(self, name: str) -> None:
        """Stop one component; stopping a component that is not running is fine."""
        self._stop(self._component(name))

    def is_running(self, name: str) -> bool:
        return self._live(self._component(name)) is not None

    def status(self) -> list[ComponentStatus]:
        """What runs, without changing anything (stale PID files are reported, not removed)."""
        result = []
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            for component in self.components:
                path = pidfiles.pid_path(self.settings.run_dir, component.name)
                record = pidfiles.read(path)
                alive = record is not None and pidfiles.is_alive(record.pid, record.start_time)
                state: Literal["running", "stopped", "stale"] = (
                    "running" if alive else ("stale" if path.exists() else "stopped")
                )
                result.append(
                    ComponentStatus(
                        name=component.name,
                        state=state,
                        pid=record.pid if record and alive else None,
                        url=component.url,
                        healthy=alive and is_healthy(client, component.health_url),
                    )
                )
        return result

    def _component(self, name: str) -> Component:
        for component in self.components:
            if component.name == name:
                return component
        raise KeyError(f"unknown component {name!r}; known: {', '.join(c.name for c in self.components)}")

    def _live(self, component: Component) -> pidfiles.PidRecord | None:
        record = pidfiles.read_live(pidfiles.pid_path(self.settings.run_dir, component.name))
        if record is not None and record.command != component.command:
            raise PlatformError(
                f"{component.name} is running (pid {record.pid}) with another command: {' '.join(record.command)}; "
                "run `python -m local.platform down` first"
            )
        return record

    def _check_commands(self, components: Sequence[Component]) -> None:
        """Fail before starting anything when a component's program is missing (e.g. no Prometheus server)."""
        missing = [c for c in components if shutil.which(c.command[0]) is None]
        if missing:
            raise PlatformError(
                "\n".join(f"{c.name}: cannot run {c.command[0]}. {c.install_hint}".rstrip() for c in missing)
            )

    def _check_ports(self, components: Sequence[Component]) -> None:
        taken = [(port, c.name) for c in components for port in c.ports if processes.port_in_use(port)]
        if taken:
            detail = ", ".join(f"{port} ({name})" for port, name in taken)
            raise PlatformError(
                f"port(s) already in use by another process: {detail}. Stop that process or choose other ports "
                "with AWS_PORT, LOGIN_PORT, ORDER_PORT, RECO_PORT, LOGIN_METRICS_PORT, ORDER_METRICS_PORT, "
                "PROMETHEUS_PORT."
            )

    def _spawn(self, component: Component) -> None:
        run_dir = self.settings.run_dir
        if component.prepare is not None:
            try:
                component.prepare()
            except Exception as error:  # e.g. an unreadable rule file: say which component and why
                raise PlatformError(f"{component.name} failed: preparing its start: {error}") from error
        process = processes.spawn(
            component.command,
            env=child_env(component, os.environ),
            cwd=REPO_ROOT,
            log=pidfiles.log_path(run_dir, component.name),
        )
        self._children[component.name] = process
        record = pidfiles.PidRecord(
            pid=process.pid, start_time=pidfiles.start_time(process.pid), command=component.command
        )
        pidfiles.write(pidfiles.pid_path(run_dir, component.name), record)

    def _wait(self, components: Sequence[Component], deadline: float) -> None:
        urls = {c.name: c.health_url for c in components}
        try:
            wait_healthy(urls, alive=lambda name: self._live(self._component(name)) is not None, deadline=deadline)
        except HealthError as error:
            raise PlatformError(self._failure(error.name, error.reason)) from None

    def _bootstrap(self, emulator: Component) -> None:
        try:
            tables, count = bootstrap(emulator.url, TABLE_PREFIX)
        except Exception as error:  # any botocore failure: report it as a platform failure
            raise PlatformError(self._failure(emulator.name, f"bootstrap failed: {error}")) from error
        self._print(f"{emulator.name:<10} tables {', '.join(tables)}; {count} menu items seeded")

    def _failure(self, name: str, reason: str) -> str:
        log = pidfiles.log_path(self.settings.run_dir, name)
        lines = processes.tail(log, LOG_TAIL_LINES).rstrip() or "(empty)"
        return f"{name} failed: {reason}\n--- last {LOG_TAIL_LINES} lines of {log} ---\n{lines}"

    def _stop(self, component: Component) -> None:
        self._stop_by_name(component.name)

    def _stop_by_name(self, name: str) -> None:
        path = pidfiles.pid_path(self.settings.run_dir, name)
        record = pidfiles.read_live(path)  # removes a stale file
        if record is not None:
            killed = processes.stop(record.pid)
            self._print(f"{name:<10} stopped (pid {record.pid}{', killed' if killed else ''})")
        path.unlink(missing_ok=True)
        child = self._children.pop(name, None)
        if child is not None and record is None and child.poll() is None:
            processes.stop(child.pid)  # spawned but interrupted before its PID file was written
        if child is not None:
            child.poll()  # reap, so no zombie is left behind in a long-lived caller such as pytest

    def _print(self, message: str) -> None:
        print(message, file=self._out, flush=True)
