"""The local Prometheus server: its scrape config and a rendering of AMP's rule file, both under the run directory.

The rules are ``stacks/assets/prometheus/rules.yml``, the very file AMP gets, read when Prometheus is started.
The local copy keeps every group, rule name, expression, ``for``, label and annotation; it changes one thing,
each group's ``interval`` (AMP: 1m), to ``EVALUATION_INTERVAL`` so that a developer or an e2e test sees a
recording rule's value seconds after traffic instead of minutes. The scrape attaches the labels the cluster's
relabelling gives (``stacks/assets/prometheus/scrape.yml``: ``namespace``, ``app``, ``pod``; ``job`` from the job
name), so the same rules produce the same series. There is no Alertmanager locally: alerts show at ``/alerts``
and ``/api/v1/alerts``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from local.settings import HOST, REPO_ROOT, LocalSettings
from stacks.config import DEV

RULES_SOURCE = REPO_ROOT / "stacks" / "assets" / "prometheus" / "rules.yml"
NAMESPACE = DEV.metrics.workload_namespace  # the services' namespace in the cluster, "tlj" in dev and prod
JOB = f"{NAMESPACE}-pods"  # the cluster scrape's job_name (scrape.yml: ${NAMESPACE}-pods)
SCRAPE_INTERVAL = "5s"  # AMP's managed scraper cannot go below 30 s; locally a short one keeps feedback fast
EVALUATION_INTERVAL = "5s"
RETENTION = "1d"
RETENTION_SIZE = "256MB"
_RULES_HEADER = (
    "# Rendered by local/prometheus.py from stacks/assets/prometheus/rules.yml at `make up`: do not edit.\n"
    f"# Same groups, rule names and expressions as AMP; only each group's interval is {EVALUATION_INTERVAL}.\n"
)


def directory(settings: LocalSettings) -> Path:
    return settings.run_dir / "prometheus"


def config_path(settings: LocalSettings) -> Path:
    return directory(settings) / "prometheus.yml"


def rules_path(settings: LocalSettings) -> Path:
    return directory(settings) / "rules.yml"


def data_path(settings: LocalSettings) -> Path:
    return directory(settings) / "data"


def render_rules(source: Path = RULES_SOURCE, *, interval: str = EVALUATION_INTERVAL) -> dict[str, Any]:
    """``source``'s rule groups with every group's ``interval`` set to ``interval``; nothing else changes."""
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    groups = document.get("groups") if isinstance(document, dict) else None
    if not isinstance(groups, list):
        raise ValueError(f"{source}: no rule groups (expected a top-level `groups:` list)")
    # A group's interval defaults to global.evaluation_interval, but an explicit one wins (Prometheus docs,
    # configuration/recording_rules#rule_group), so the 1m of AMP's file is overridden in the copy.
    return {**document, "groups": [{**group, "interval": interval} for group in groups]}


def render_config(settings: LocalSettings, *, rule_file: Path) -> dict[str, Any]:
    """Scrape both services' metrics ports every ``SCRAPE_INTERVAL``, labelled as the cluster labels them."""
    targets = {"login": settings.login_metrics_port, "order": settings.order_metrics_port}
    return {
        "global": {
            "scrape_interval": SCRAPE_INTERVAL,
            "evaluation_interval": EVALUATION_INTERVAL,
            "external_labels": {"cluster": "local"},  # scrape.yml sets `cluster` to the EKS cluster's name
        },
        "rule_files": [str(rule_file)],
        "scrape_configs": [
            {
                "job_name": JOB,
                "static_configs": [
                    {
                        "targets": [f"{HOST}:{port}"],
                        "labels": {"namespace": NAMESPACE, "app": app, "pod": f"local-{app}"},
                    }
                    for app, port in targets.items()
                ],
            }
        ],
    }


def write_files(settings: LocalSettings, source: Path = RULES_SOURCE) -> Path:
    """Render the rules and the config into the run directory (fresh on every start); returns the config path."""
    rules = rules_path(settings)
    rules.parent.mkdir(parents=True, exist_ok=True)
    data_path(settings).mkdir(exist_ok=True)
    rules.write_text(_RULES_HEADER + yaml.safe_dump(render_rules(source), sort_keys=False, width=120), encoding="utf-8")
    config = config_path(settings)
    config.write_text(yaml.safe_dump(render_config(settings, rule_file=rules), sort_keys=False), encoding="utf-8")
    return config


def command(settings: LocalSettings) -> tuple[str, ...]:
    """The server on loopback only (no remote access), its data under the run directory, a small retention."""
    binary = settings.prometheus_binary
    return (
        str(binary) if binary else settings.prometheus,
        f"--config.file={config_path(settings)}",
        f"--storage.tsdb.path={data_path(settings)}",
        f"--storage.tsdb.retention.time={RETENTION}",
        f"--storage.tsdb.retention.size={RETENTION_SIZE}",
        f"--web.listen-address={HOST}:{settings.prometheus_port}",
    )


def install_hint(settings: LocalSettings) -> str:
    return (
        f"PROMETHEUS={settings.prometheus} is not an executable Prometheus server. `make install` unpacks Debian's "
        "prometheus package into .tools/usr/bin/; elsewhere install Prometheus 2.x (macOS: brew install prometheus) "
        "and set PROMETHEUS=prometheus (or a path)."
    )
