"""What the local platform runs: a declarative list of components, each with its command, env and health URL.

Adding a component (the recommendation API, the stream poller) is one more entry in ``build_components``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from local import prometheus
from local.settings import FAKE_CREDENTIALS, HOST, REGION, REPO_ROOT, TABLE_PREFIX, LocalSettings
from stacks.table_specs import load_tables

Kind = Literal["emulator", "service"]

# Inherited variables that could point a child at real AWS or at another interpreter's packages.
_SCRUBBED_PREFIXES = ("AWS_",)
_SCRUBBED_NAMES = frozenset({"PYTHONPATH", "PYTHONHOME"})


@dataclass(frozen=True, kw_only=True)
class Component:
    """One background process. ``emulator`` components start (and are bootstrapped) before ``service`` ones."""

    name: str
    kind: Kind
    command: tuple[str, ...]
    env: Mapping[str, str]
    port: int | None  # None: a background worker that serves nothing (its health URL is then a file:// URL)
    health_url: str
    metrics_port: int | None = None  # Prometheus metrics on a port of their own (the FastAPI services)
    prepare: Callable[[], object] | None = None  # run before each start, e.g. to render config files
    install_hint: str = ""  # what to do when the command's executable is missing
    notes: str = ""  # more for `make up` to print beside the URL

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}" if self.port is not None else "(background, no port)"

    @property
    def metrics_url(self) -> str | None:
        return f"http://{HOST}:{self.metrics_port}/metrics" if self.metrics_port is not None else None

    @property
    def ports(self) -> tuple[int, ...]:
        return tuple(port for port in (self.port, self.metrics_port) if port is not None)


def table_names(prefix: str = TABLE_PREFIX) -> dict[str, str]:
    """Physical table names by spec key, e.g. ``{"orders": "tlj-local-orders", ...}``."""
    return {key: spec.table_name(prefix) for key, spec in load_tables().items()}


def aws_env(settings: LocalSettings) -> dict[str, str]:
    """What any process needs to reach the emulator with fake credentials (never real AWS)."""
    return {
        "AWS_ENDPOINT_URL": settings.aws_url,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        **FAKE_CREDENTIALS,
    }


def service_env(settings: LocalSettings, *, packages: Iterable[Path], extra: Mapping[str, str]) -> dict[str, str]:
    """Env of a FastAPI service: emulator access, table names, its import path and its own settings."""
    tables = table_names()
    return {
        **aws_env(settings),
        "CUSTOMERS_TABLE": tables["customers"],
        "ORDERS_TABLE": tables["orders"],
        "CATALOG_TABLE": tables["catalog"],
        "PYTHONPATH": os.pathsep.join(str(path) for path in packages),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def child_env(component: Component, base: Mapping[str, str]) -> dict[str, str]:
    """The full environment of a child: ``base`` without AWS/Python path variables, then the component's env."""
    env = {
        name: value
        for name, value in base.items()
        if name not in _SCRUBBED_NAMES and not name.startswith(_SCRUBBED_PREFIXES)
    }
    no_proxy = ",".join(filter(None, [base.get("NO_PROXY") or base.get("no_proxy"), HOST, "localhost"]))
    env.update({"NO_PROXY": no_proxy, "no_proxy": no_proxy})
    env.update(component.env)
    return env


def _uvicorn(app: str, port: int) -> tuple[str, ...]:
    return (sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port))


def build_components(settings: LocalSettings) -> tuple[Component, ...]:
    """The platform in start order; ``down`` stops them in reverse (services first, emulator last)."""
    containers = REPO_ROOT / "containers"
    return (
        Component(
            name="aws",
            kind="emulator",
            command=(sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(settings.aws_port)),
            env={**aws_env(settings), "PYTHONUNBUFFERED": "1"},
            port=settings.aws_port,
            health_url=f"{settings.aws_url}/moto-api/",
        ),
        Component(
            name="order",
            kind="service",
            command=_uvicorn("order_service.main:app", settings.order_port),
            env=service_env(
                settings,
                packages=[containers / "order", containers / "common"],
                extra={
                    "JWKS_URL": f"{settings.login_url}/.well-known/jwks.json",
                    **metrics_env(settings.order_metrics_port),
                },
            ),
            port=settings.order_port,
            health_url=f"{settings.order_url}/readyz",
            metrics_port=settings.order_metrics_port,
        ),
        Component(
            name="login",
            kind="service",
            command=_uvicorn("login_service.main:app", settings.login_port),
            env=service_env(
                settings,
                packages=[containers / "login", containers / "common"],
                extra={
                    "ORDER_SERVICE_URL": settings.order_url,
                    "SIGNING_KEY_FILE": str(settings.signing_key_file),
                    "RECOMMENDATION_API_URL": settings.reco_url,
                    **metrics_env(settings.login_metrics_port),
                },
            ),
            port=settings.login_port,
            health_url=f"{settings.login_url}/readyz",
            metrics_port=settings.login_metrics_port,
            notes=f"storefront {settings.login_url}/ (English: {settings.login_url}/?lang=en)",
        ),
        Component(
            name="reco",
            kind="service",
            command=(sys.executable, "-m", "local.reco_api", "--port", str(settings.reco_port)),
            env=service_env(settings, packages=[REPO_ROOT], extra=recommendation_env()),
            port=settings.reco_port,
            health_url=f"{settings.reco_url}/healthz",
        ),
        Component(
            name="indexer",
            kind="service",
            command=(
                sys.executable,
                "-m",
                "local.stream_poller",
                "--ready-file",
                str(settings.run_dir / "indexer.ready"),
                "--checkpoint",
                str(settings.run_dir / "indexer.checkpoint.json"),
                "--failures",
                str(settings.run_dir / "indexer.failures.jsonl"),
            ),
            env=service_env(settings, packages=[REPO_ROOT], extra=recommendation_env()),
            port=None,
            health_url=(settings.run_dir / "indexer.ready").as_uri(),
        ),
        Component(
            name="prometheus",
            kind="service",
            command=prometheus.command(settings),
            env={},
            port=settings.prometheus_port,
            # 200 once it answers queries (Prometheus docs, management_api: readiness check)
            health_url=f"{settings.prometheus_url}/-/ready",
            prepare=lambda: prometheus.write_files(settings),
            install_hint=prometheus.install_hint(settings),
            notes=(
                f"alerts {settings.prometheus_url}/alerts and /api/v1/alerts (no Alertmanager locally), "
                f"rules {settings.prometheus_url}/rules"
            ),
        ),
    )


def metrics_env(port: int) -> dict[str, str]:
    """A FastAPI service's metrics listener (service_kit.settings: METRICS_PORT, METRICS_HOST), on loopback."""
    return {"METRICS_PORT": str(port), "METRICS_HOST": HOST}


def recommendation_env() -> dict[str, str]:
    """The recommendation Lambdas' settings on the laptop; Powertools tracing and metrics stay off."""
    return {
        "RECOMMENDATIONS_TABLE": table_names()["recommendations"],
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }


def select(components: Iterable[Component], names: Iterable[str]) -> tuple[Component, ...]:
    """The named components, in platform order; an unknown name is an error."""
    wanted = set(names)
    chosen = tuple(c for c in components if c.name in wanted)
    unknown = wanted - {c.name for c in chosen}
    if unknown:
        raise KeyError(f"unknown component(s): {', '.join(sorted(unknown))}")
    return chosen
