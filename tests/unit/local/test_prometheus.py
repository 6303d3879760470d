"""The local Prometheus: scrape config from the settings' ports, AMP's rules with a local interval, its command."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
import yaml

from local import prometheus
from local.components import build_components
from local.runner import Platform, PlatformError
from local.settings import REPO_ROOT, LocalSettings

RULES = """\
groups:
  - name: red
    interval: 1m
    rules:
      - record: namespace_app_handler:http_requests:rate5m
        expr: sum by (namespace, app, handler) (rate(http_requests_total[5m]))
  - name: alerts
    rules:
      - alert: Down
        expr: up == 0
        for: 5m
        labels: {severity: warning}
        annotations: {summary: "{{ $labels.pod }} down"}
"""


@pytest.fixture
def settings(tmp_path: Path) -> LocalSettings:
    return LocalSettings(login_metrics_port=19180, order_metrics_port=19181, prometheus_port=19090, run_dir=tmp_path)


def executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_given_the_settings_ports_then_both_metrics_ports_are_scraped_with_the_clusters_labels(
    settings: LocalSettings,
) -> None:
    # Given metrics ports 19180 (login) and 19181 (order)
    # When the scrape config is rendered
    config = prometheus.render_config(settings, rule_file=Path("/run/rules.yml"))
    # Then one job named as the cluster's scrapes both, each with the labels the cluster's relabelling gives
    (job,) = config["scrape_configs"]
    assert job["job_name"] == "tlj-pods"
    assert job["static_configs"] == [
        {"targets": ["127.0.0.1:19180"], "labels": {"namespace": "tlj", "app": "login", "pod": "local-login"}},
        {"targets": ["127.0.0.1:19181"], "labels": {"namespace": "tlj", "app": "order", "pod": "local-order"}},
    ]
    # And it loads the given rule file, scraping and evaluating every 5 s
    assert config["rule_files"] == ["/run/rules.yml"]
    assert (config["global"]["scrape_interval"], config["global"]["evaluation_interval"]) == ("5s", "5s")


def test_given_a_rule_file_then_the_local_copy_changes_only_each_groups_interval(tmp_path: Path) -> None:
    # Given a rule file with a 1m group and a group without an interval
    source = tmp_path / "rules.yml"
    source.write_text(RULES, encoding="utf-8")
    original = yaml.safe_load(RULES)
    # When it is rendered for the local platform
    rendered = prometheus.render_rules(source, interval="5s")
    # Then every group is evaluated every 5 s, and its name, rules, expressions, `for` and annotations are untouched
    assert [group["interval"] for group in rendered["groups"]] == ["5s", "5s"]
    assert [{k: v for k, v in g.items() if k != "interval"} for g in rendered["groups"]] == [
        {k: v for k, v in g.items() if k != "interval"} for g in original["groups"]
    ]


def test_given_amps_rule_file_then_the_local_copy_has_all_of_its_groups_and_rules() -> None:
    # Given the file AMP gets, as it is now
    source = yaml.safe_load(prometheus.RULES_SOURCE.read_text(encoding="utf-8"))
    # When it is rendered
    rendered = prometheus.render_rules()
    # Then the same groups with the same rules come out
    assert [(g["name"], g["rules"]) for g in rendered["groups"]] == [(g["name"], g["rules"]) for g in source["groups"]]
    assert prometheus.RULES_SOURCE == REPO_ROOT / "stacks" / "assets" / "prometheus" / "rules.yml"


def test_given_a_file_without_groups_then_rendering_fails_clearly(tmp_path: Path) -> None:
    source = tmp_path / "rules.yml"
    source.write_text("rules: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no rule groups"):
        prometheus.render_rules(source)


def test_given_a_start_then_the_rules_and_config_are_written_under_the_run_directory(settings: LocalSettings) -> None:
    # Given the prometheus component
    component = {c.name: c for c in build_components(settings)}["prometheus"]
    assert component.prepare is not None
    # When it is prepared for a start
    component.prepare()
    # Then its config points at the rendered rules beside it, and the rules say where they come from
    config = yaml.safe_load((settings.run_dir / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    rules = settings.run_dir / "prometheus" / "rules.yml"
    assert config["rule_files"] == [str(rules)]
    assert "stacks/assets/prometheus/rules.yml" in rules.read_text(encoding="utf-8").splitlines()[0]
    assert (settings.run_dir / "prometheus" / "data").is_dir()


def test_given_the_settings_then_prometheus_listens_on_loopback_with_its_data_in_the_run_directory(
    settings: LocalSettings,
) -> None:
    # Given PROMETHEUS_PORT 19090
    component = {c.name: c for c in build_components(settings)}["prometheus"]
    # When / Then it binds 127.0.0.1 only, keeps a small TSDB under the run directory and is ready on /-/ready
    flags = component.command[1:]
    assert "--web.listen-address=127.0.0.1:19090" in flags
    assert f"--storage.tsdb.path={settings.run_dir / 'prometheus' / 'data'}" in flags
    assert f"--config.file={settings.run_dir / 'prometheus' / 'prometheus.yml'}" in flags
    assert "--storage.tsdb.retention.time=1d" in flags
    assert not any(flag.startswith(("--web.enable-admin-api", "--web.enable-remote-write")) for flag in flags)
    assert component.health_url == "http://127.0.0.1:19090/-/ready"
    assert component.ports == (19090,)
    assert "http://127.0.0.1:19090/alerts" in component.notes


def test_given_a_bare_prometheus_name_then_it_is_found_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given PROMETHEUS=prometheus and a prometheus on PATH (e.g. from Homebrew)
    binary = executable(tmp_path / "prometheus")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PROMETHEUS", "prometheus")
    # When the settings are read
    settings = LocalSettings(run_dir=tmp_path)
    # Then the command runs that binary by its absolute path
    assert settings.prometheus_binary == binary
    assert prometheus.command(settings)[0] == str(binary)


def test_given_a_missing_prometheus_then_up_fails_clearly_before_starting_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given PROMETHEUS pointing at nothing
    monkeypatch.setenv("PROMETHEUS", str(tmp_path / "no-such-prometheus"))
    out = io.StringIO()
    platform = Platform(LocalSettings(run_dir=tmp_path / "run"), out=out)
    # When the platform is brought up
    with pytest.raises(PlatformError) as raised:
        platform.up()
    # Then the error names the setting and how to get a server, and no component was started
    message = str(raised.value)
    assert f"PROMETHEUS={tmp_path / 'no-such-prometheus'} is not an executable" in message
    assert "brew install prometheus" in message
    assert list((tmp_path / "run").glob("*.pid")) == []
    assert out.getvalue() == ""
