"""``make rehearse`` end to end: four rehearsals of the order service's release, each a real local platform with a
real Prometheus on its own free ports, run side by side to keep ``make test`` short. A good build promotes, 3 % of
5xx or 0.9 s of latency aborts, and a preview that gets no traffic (probes only) leaves the Rollout paused."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from local.rehearse import EXIT_ABORT, EXIT_PAUSED, EXIT_PROMOTE
from local.release import read_release, render
from local.settings import REPO_ROOT

pytestmark = pytest.mark.e2e

RUN_LIMIT_S = 150.0  # the contract: one run finishes within 150 s
CASES = {
    "good": ["--fault", "none"],
    "5xx": ["--fault", "5xx=0.03"],
    "latency": ["--fault", "latency=0.9"],
    "quiet": ["--fault", "none", "--no-traffic"],
}


@dataclass(frozen=True)
class Outcome:
    code: int
    wall_s: float
    report: dict[str, Any]
    log: str


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    root = tmp_path_factory.mktemp("rehearse")
    started: dict[str, tuple[subprocess.Popen[bytes], float, Path, Path]] = {}
    for name, args in CASES.items():
        out, err = root / f"{name}.json", root / f"{name}.log"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            command = [sys.executable, "-m", "local.rehearse", "--json", "--run-dir", str(root / name), *args]
            process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=stdout, stderr=stderr)
        started[name] = (process, time.monotonic(), out, err)
    results = {}
    try:
        for name, (process, began, out, err) in started.items():
            code = process.wait(timeout=RUN_LIMIT_S + 60)
            wall = time.monotonic() - began
            log = err.read_text(encoding="utf-8", errors="replace")
            text = out.read_text(encoding="utf-8")
            assert text, f"{name}: no JSON (exit {code})\n{log}"
            results[name] = Outcome(code=code, wall_s=wall, report=json.loads(text), log=log)
    finally:
        for process, *_ in started.values():
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
    return results


def phases(report: dict[str, Any], name: str) -> list[str]:
    (metric,) = [m for m in report["metrics"] + report["jobs"] if m["name"] == name]
    return [measurement["phase"] for measurement in metric["measurements"]]


def values(report: dict[str, Any], name: str) -> list[float]:
    (metric,) = [m for m in report["metrics"] if m["name"] == name]
    return [float(m["value"].strip("[]")) for m in metric["measurements"] if m["value"] not in ("", "[]")]


def test_given_a_good_build_then_the_release_promotes(outcomes: dict[str, Outcome]) -> None:
    good = outcomes["good"]
    assert (good.code, good.report["decision"]) == (EXIT_PROMOTE, "promote"), good.log
    assert good.report["analysis_run"]["phase"] == "Successful"
    assert phases(good.report, "release-smoke") == ["Successful"]  # the Job's Locust run held its thresholds
    for metric in good.report["metrics"]:
        assert metric["phase"] == "Successful", metric
        assert len(metric["measurements"]) == 5  # count 5 of order-health, none skipped
    assert max(values(good.report, "success-rate")) >= 0.99
    assert good.report["preview_counted"]["5xx"] == 0


def test_given_3_percent_of_5xx_then_the_release_aborts(outcomes: dict[str, Outcome]) -> None:
    bad = outcomes["5xx"]
    assert (bad.code, bad.report["decision"]) == (EXIT_ABORT, "abort"), bad.log
    assert bad.report["analysis_run"]["phase"] == "Failed"
    # the service's own counters hold every injected 503: 3 % of its non-probe requests, deterministically
    counted = bad.report["preview_counted"]
    assert counted["requests"] > 100
    assert abs(counted["5xx"] - int(counted["requests"] * 0.03)) <= 1
    # and the analysis saw them: the success rate below 0.99, or the Job's failure ratio above 1 %
    assert min(values(bad.report, "success-rate"), default=1.0) < 0.99 or phases(bad.report, "release-smoke") == [
        "Failed"
    ]


def test_given_0_9_s_of_latency_then_the_release_aborts_on_p99(outcomes: dict[str, Outcome]) -> None:
    slow = outcomes["latency"]
    assert (slow.code, slow.report["decision"]) == (EXIT_ABORT, "abort"), slow.log
    p99 = values(slow.report, "p99-latency-seconds")
    assert p99
    assert min(p99) >= 0.9  # every request took the injected 0.9 s at least
    assert phases(slow.report, "p99-latency-seconds").count("Failed") == 2  # failureLimit 1, then it stops


def test_given_no_traffic_then_the_release_stays_paused(outcomes: dict[str, Outcome]) -> None:
    quiet = outcomes["quiet"]
    assert (quiet.code, quiet.report["decision"]) == (EXIT_PAUSED, "paused"), quiet.log
    assert quiet.report["analysis_run"]["phase"] == "Inconclusive"
    for metric in quiet.report["metrics"]:
        assert set(phases(quiet.report, metric["name"])) == {"Inconclusive"}
    # the kubelet-like probes did reach the preview all along: probes alone never pass the floor
    hashes = {target["rollouts_pod_template_hash"] for target in quiet.report["targets"]}
    assert quiet.report["preview_hash"] in hashes
    assert all(probe["calls"] >= 5 for probe in quiet.report["probes"].values())


def test_given_any_rehearsal_then_it_queried_the_rendered_templates_verbatim_within_the_time_limit(
    outcomes: dict[str, Outcome],
) -> None:
    release = read_release(render())
    queries = {
        m["name"]: m["provider"]["prometheus"]["query"] for m in release.raw_metrics if "prometheus" in m["provider"]
    }
    for name, outcome in outcomes.items():
        report = outcome.report
        assert {m["name"]: m["query"] for m in report["metrics"]} == queries, name
        for metric in report["metrics"]:
            assert report["preview_hash"] in metric["resolved_query"]
            assert "{{" not in metric["resolved_query"]
        assert outcome.wall_s < RUN_LIMIT_S, f"{name} took {outcome.wall_s:.0f} s"


def test_given_a_rehearsal_then_prometheus_labelled_the_pods_as_the_cluster_scrape_does(
    outcomes: dict[str, Outcome],
) -> None:
    report = outcomes["good"].report
    by_hash = {target["rollouts_pod_template_hash"]: target for target in report["targets"]}
    assert set(by_hash) == {report["stable_hash"], report["preview_hash"]}
    preview = by_hash[report["preview_hash"]]
    assert preview["job"] == "tlj-pods"
    assert (preview["namespace"], preview["app"], preview["app_kubernetes_io_name"]) == ("tlj", "order", "order")
    assert preview["pod"].startswith(f"order-{report['preview_hash']}-")
    assert preview["up"] == "1"
