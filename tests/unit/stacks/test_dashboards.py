"""The Grafana dashboards under stacks/assets/grafana: fresh, complete, on the right data sources, and parseable."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks.config import GrafanaConfig
from stacks.dashboards import generate, load, stale
from stacks.dashboards.__main__ import main
from stacks.dashboards.overview import AVAILABILITY
from stacks.dashboards.promql import Expr, expressions, parse_errors, promtool_errors, substitute

ROOT = Path(__file__).resolve().parents[3]
PROMTOOL = os.environ.get("PROMTOOL") or str(ROOT / ".tools" / "usr" / "bin" / "promtool")
UIDS = {"tlj-overview", "tlj-releases", "tlj-capacity", "tlj-business", "tlj-call-center"}
BROKEN = Expr("test panel 1 target A", 'sum(rate(http_requests_total{app="order"}[5m])')


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def _data_panels() -> Iterator[tuple[str, dict[str, Any]]]:
    for uid, board in load().items():
        for panel in _panels(board["panels"]):
            if panel["type"] != "row":
                yield uid, panel


def _all_exprs() -> list[Expr]:
    return [expr for uid, board in load().items() for expr in expressions(uid, board)]


def test_the_sdk_build_is_the_one_for_the_workspace_grafana_version() -> None:
    # grafana-foundation-sdk's PyPI versions are <build timestamp>!<Grafana version>: the epoch is the build.
    _, grafana = version("grafana-foundation-sdk").split("!")
    assert grafana.startswith(f"{GrafanaConfig().grafana_version}.")


def test_committed_json_is_what_the_code_generates() -> None:
    # Given the committed dashboards, When they are compared with a fresh generation
    problems = stale()
    # Then nothing is stale, missing or extra
    assert problems == [], "run `make dashboards`"


def test_generation_is_deterministic_and_ends_with_a_newline() -> None:
    # When the dashboards are generated twice
    first, second = generate(), generate()
    # Then the text is identical and every file ends with one newline
    assert first == second
    assert all(text.endswith("}\n") for text in first.values())


def test_the_check_names_every_stale_missing_and_extra_file(tmp_path: Path) -> None:
    # Given freshly written dashboards, then one edited, one removed and one unknown file added
    assert main(["--out", str(tmp_path)]) == 0
    edited = tmp_path / "tlj-overview.json"
    edited.write_text(edited.read_text().replace("TLJ platform overview", "Hand-edited"))
    (tmp_path / "tlj-business.json").unlink()
    (tmp_path / "hand-made.json").write_text("{}\n")
    # When the check runs
    problems = stale(tmp_path)
    # Then it names each of them, and the command fails
    assert sorted(problems) == [
        "extra: hand-made.json (no dashboard generates it)",
        "missing: tlj-business.json",
        "stale: tlj-overview.json",
    ]
    assert main(["--check", "--out", str(tmp_path)]) == 1


def test_writing_regenerates_and_removes_files_no_dashboard_makes(tmp_path: Path) -> None:
    # Given a directory with a leftover file
    (tmp_path / "old-dashboard.json").write_text("{}\n")
    # When the dashboards are written there, Then the check passes on it
    assert main(["--out", str(tmp_path)]) == 0
    assert sorted(path.stem for path in tmp_path.glob("*.json")) == sorted(UIDS)
    assert main(["--check", "--out", str(tmp_path)]) == 0


def test_each_dashboard_has_its_stable_uid_tags_refresh_and_time_range() -> None:
    boards = load()
    assert set(boards) == UIDS
    for uid, board in boards.items():
        assert board["uid"] == uid
        assert "tlj" in board["tags"]
        assert len(board["tags"]) > 1
        assert board["refresh"] == "1m"
        assert board["time"] == {"from": "now-6h", "to": "now"}
        assert board["description"]


def test_every_panel_has_a_unit_a_description_and_a_unique_id_on_the_grid() -> None:
    ids: dict[str, set[int]] = {}
    for uid, panel in _data_panels():
        assert panel["fieldConfig"]["defaults"].get("unit", "").strip(), f"{uid} {panel['title']}: no unit"
        assert panel.get("description", "").strip(), f"{uid} {panel['title']}: no description"
        assert panel["targets"], f"{uid} {panel['title']}: no query"
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, f"{uid} {panel['title']} runs off the 24-column grid"
        assert panel["id"] not in ids.setdefault(uid, set()), f"{uid}: panel id {panel['id']} twice"
        ids[uid].add(panel["id"])


def test_prometheus_targets_use_amp_and_cloudwatch_targets_use_cloudwatch() -> None:
    seen = set()
    for uid, panel in _data_panels():
        for target in panel["targets"]:
            kind = "prometheus" if "expr" in target else "cloudwatch"
            expected = {"prometheus": "tlj-amp", "cloudwatch": "tlj-cloudwatch"}[kind]
            assert target["datasource"] == {"type": kind, "uid": expected}, f"{uid} {panel['title']}"
            assert panel["datasource"] == target["datasource"], f"{uid} {panel['title']}: mixed data sources"
            seen.add(kind)
    assert seen == {"prometheus", "cloudwatch"}


def test_call_center_reads_connect_for_the_instance_variable_without_a_click() -> None:
    board = load()["tlj-call-center"]
    (variable,) = board["templating"]["list"]
    # The instance ids come from CloudWatch when the dashboard loads, and All (the * wildcard) is preselected.
    assert variable["name"] == "connect_instance"
    assert variable["datasource"]["uid"] == "tlj-cloudwatch"
    assert variable["query"]["queryType"] == "dimensionValues"
    assert variable["query"]["dimensionKey"] == "InstanceId"
    assert variable["refresh"] == 1
    assert variable["current"]["value"] == ["$__all"]
    assert variable["allValue"] == "*"
    targets = [target for panel in _panels(board["panels"]) for target in panel.get("targets", [])]
    assert targets
    for target in targets:
        assert target["namespace"] == "AWS/Connect"
        assert target["dimensions"]["InstanceId"] == "$connect_instance"
        assert target["dimensions"]["MetricGroup"] in {"VoiceCalls", "ContactFlow", "Queue"}


def test_error_budget_is_computed_from_the_stated_slo() -> None:
    # Given the SLO in code: 99.5% of non-health requests without a 5xx over 30 days
    assert (AVAILABILITY.objective, AVAILABILITY.window, AVAILABILITY.budget) == (0.995, "30d", 0.005)
    panels = {panel["title"]: panel for panel in _panels(load()["tlj-overview"]["panels"])}
    remaining = panels["Error budget remaining (30d)"]["targets"][0]["expr"]
    # Then the remaining budget divides the 30-day 5xx ratio by the 0.5% budget, health routes left out
    assert "[30d]" in remaining
    assert remaining.endswith("/ 0.005")
    assert 'handler!~"/healthz|/readyz"' in remaining
    assert 'status=~"5.."' in remaining


def test_prometheus_computes_the_budget_panels_as_stated(tmp_path: Path) -> None:
    assert Path(PROMTOOL).is_file() or shutil.which(PROMTOOL), f"no promtool at {PROMTOOL} (set PROMTOOL)"
    exprs = {expr.where: expr.promql for expr in expressions("tlj-overview", load()["tlj-overview"])}
    panels = {panel["title"]: panel["id"] for panel in _panels(load()["tlj-overview"]["panels"])}

    def expr(title: str) -> str:
        return exprs[f"tlj-overview panel {panels[title]} target A"]

    # Given 30 days in which order answered 1 request in 400 with a 500 (and a health probe failing, which does
    # not count) and login never failed, so login has no 5xx series at all
    series = {
        '{app="order", handler="/orders", status="200"}': "0+399x720",
        '{app="order", handler="/orders", status="500"}': "0+1x720",
        '{app="order", handler="/healthz", status="503"}': "0+50x720",
        '{app="login", handler="/auth/login", status="200"}': "0+100x720",
    }
    tests = {
        "rule_files": [],
        "tests": [
            {
                "interval": "1h",
                "input_series": [
                    {"series": "http_requests_total" + labels.replace("{", '{namespace="tlj", '), "values": values}
                    for labels, values in series.items()
                ],
                # When Prometheus evaluates the panels' expressions, Then availability is 99.75% for order and
                # 100% for login, and half of order's 0.5% budget is left
                "promql_expr_test": [
                    {
                        "expr": expr(title),
                        "eval_time": "30d",
                        "exp_samples": [{"labels": f'{{app="{app}"}}', "value": value} for app, value in values],
                    }
                    for title, values in (
                        ("Availability (30d)", (("login", 1), ("order", 0.9975))),
                        ("Error budget remaining (30d)", (("login", 1), ("order", 0.5))),
                    )
                ],
            }
        ],
    }
    path = tmp_path / "budget_test.yml"
    path.write_text(yaml.safe_dump(tests, sort_keys=False))
    result = subprocess.run([PROMTOOL, "test", "rules", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_promql_expression_parses_with_promql_parser() -> None:
    exprs = _all_exprs()
    assert len(exprs) > 30
    assert all("$" not in expr.promql for expr in exprs), "a Grafana variable was left unsubstituted"
    assert parse_errors(exprs) == []


def test_promtool_parses_every_promql_expression() -> None:
    # promtool is installed by `make install`: missing it is a failure, not a skip.
    assert Path(PROMTOOL).is_file() or shutil.which(PROMTOOL), f"no promtool at {PROMTOOL} (set PROMTOOL)"
    assert promtool_errors(_all_exprs(), PROMTOOL) == []


def test_both_parsers_reject_a_broken_expression_and_name_its_panel() -> None:
    assert Path(PROMTOOL).is_file() or shutil.which(PROMTOOL), f"no promtool at {PROMTOOL} (set PROMTOOL)"
    good = Expr("test panel 2 target A", "sum(up)")
    # When a broken expression is checked beside a good one
    parsed = parse_errors([good, BROKEN])
    checked = promtool_errors([good, BROKEN], PROMTOOL)
    # Then each parser reports exactly the broken one, by its panel
    assert len(parsed) == 1
    assert parsed[0].startswith("test panel 1 target A")
    assert any(line.startswith("test panel 1 target A") for line in checked)
    assert not any(line.startswith("test panel 2") for line in checked)


def test_substitution_uses_the_dashboard_variables_and_rejects_unknown_ones() -> None:
    variables = {"namespace": "tlj"}
    got = substitute('rate(x{namespace="$namespace"}[$__rate_interval]) + y{n="${namespace}"}', variables)
    assert got == 'rate(x{namespace="tlj"}[5m]) + y{n="tlj"}'
    with pytest.raises(KeyError, match=r"\$release"):
        substitute('x{name="$release"}', variables)
