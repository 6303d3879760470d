"""What a rehearsal starts: the cluster's scrape job with discovery replaced by labelled static targets, the preview's
command, the Job as the cluster would run it, the probes, and the CLI's refusals."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from local import rehearse
from local.analysis import RUNNING, SUCCESSFUL, Metric
from local.faults import Fault
from local.probes import probe_of
from local.rehearsal_job import LoadJob, NoTraffic, local_url, window_s
from local.rehearsal_platform import HASH_LETTERS, SCRAPE_SOURCE, build, pod_template_hash, scrape_job
from local.release import Release, ReleaseError
from local.runner import PlatformError

RELEASE = Release(
    namespace="tlj",
    pod_labels={"app": "order", "app.kubernetes.io/name": "order"},
    pod_annotations={"prometheus.io/scrape": "true", "prometheus.io/port": "9090", "prometheus.io/path": "/metrics"},
    auto_promotion=True,
    active_service="order",
    preview_service="order-preview",
    readiness_probe={"httpGet": {"path": "/readyz", "port": "http"}, "periodSeconds": 10, "timeoutSeconds": 3},
    liveness_probe={"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10},
    templates=("order-health",),
    raw_metrics=(),
    args=(),
)


def test_given_the_cluster_scrape_config_then_the_rehearsal_keeps_its_relabelling_verbatim(tmp_path: Path) -> None:
    platform = build(RELEASE, run_dir=tmp_path, fault=Fault(kind="none"), build_id="b", out=io.StringIO())
    job = scrape_job(RELEASE, (platform.stable, platform.preview))
    cluster = yaml.safe_load(SCRAPE_SOURCE.read_text(encoding="utf-8").replace("${NAMESPACE}", "tlj"))
    (pods_job,) = [j for j in cluster["scrape_configs"] if j["job_name"] == "tlj-pods"]
    assert job["job_name"] == "tlj-pods"
    assert job["relabel_configs"] == pods_job["relabel_configs"]
    stable, preview = job["static_configs"]
    labels = preview["labels"]
    # what Kubernetes discovery would say about the preview pod, sanitized as Prometheus does
    assert labels["__meta_kubernetes_namespace"] == "tlj"
    assert labels["__meta_kubernetes_pod_label_app_kubernetes_io_name"] == "order"
    assert labels["__meta_kubernetes_pod_label_rollouts_pod_template_hash"] == platform.preview.template_hash
    assert labels["__meta_kubernetes_pod_annotation_prometheus_io_port"] == str(platform.preview.metrics_port)
    assert labels["__meta_kubernetes_pod_name"] == platform.preview.name
    assert platform.preview.name.startswith(f"order-{platform.preview.template_hash}-")
    assert stable["labels"]["__meta_kubernetes_pod_label_rollouts_pod_template_hash"] == platform.stable.template_hash
    assert platform.stable.template_hash != platform.preview.template_hash


def test_given_a_fault_then_only_the_preview_runs_the_fault_app_on_its_own_ports(tmp_path: Path) -> None:
    platform = build(RELEASE, run_dir=tmp_path, fault=Fault(kind="5xx", value=0.03), build_id="b", out=io.StringIO())
    components = {c.name: c for c in platform.platform.components}
    assert set(components) == {"aws", "order", "login", "reco", "order-preview", "prometheus"}
    preview, stable = components["order-preview"], components["order"]
    assert "local.fault_app:app" in preview.command
    assert "order_service.main:app" in stable.command
    assert preview.env["TLJ_FAULT"] == "5xx=0.03"
    assert (preview.port, preview.metrics_port) == (platform.preview.port, platform.preview.metrics_port)
    assert not {preview.port, preview.metrics_port} & {stable.port, stable.metrics_port}
    good = build(RELEASE, run_dir=tmp_path / "good", fault=Fault(kind="none"), build_id="b", out=io.StringIO())
    good_preview = {c.name: c for c in good.platform.components}["order-preview"]
    assert "order_service.main:app" in good_preview.command  # no fault: the very same app as the stable


def test_given_a_seed_then_the_hash_has_kubernetes_shape_and_is_stable() -> None:
    value = pod_template_hash("preview none")
    assert value == pod_template_hash("preview none")
    assert set(value) <= set(HASH_LETTERS)
    assert 1 <= len(value) <= 10


SERVICES = {"login": "http://127.0.0.1:1", "order": "http://127.0.0.1:2", "order-preview": "http://127.0.0.1:3"}


@pytest.mark.parametrize(
    ("value", "local"),
    [
        ("http://order-preview.tlj.svc.cluster.local", "http://127.0.0.1:3"),
        ("http://login.tlj.svc.cluster.local/x", "http://127.0.0.1:1/x"),
        ("http://order.tlj.svc.cluster.local:80", "http://127.0.0.1:2"),
        ("smoke", "smoke"),
        ("https://example.com", "https://example.com"),
    ],
)
def test_given_cluster_service_urls_then_they_become_the_local_processes(value: str, local: str) -> None:
    assert local_url(value, SERVICES, "tlj") == local


@pytest.mark.parametrize("value", ["http://reco.tlj.svc.cluster.local", "http://order.other.svc.cluster.local"])
def test_given_a_service_with_no_local_process_then_it_is_refused(value: str) -> None:
    with pytest.raises(ReleaseError, match="no local process"):
        local_url(value, SERVICES, "tlj")


def job_metric(image: str = "111122223333.dkr.ecr.ap-northeast-2.amazonaws.com/tlj-dev-loadgen:0@sha256:0") -> Metric:
    container = {
        "name": "release-smoke",
        "image": image,
        "args": ["--headless", "--stop-timeout", "30s"],
        "env": [
            {"name": "LOCUST_HOST", "value": "http://login.tlj.svc.cluster.local"},
            {"name": "LOAD_ORDER_URL", "value": "http://order-preview.tlj.svc.cluster.local"},
            {"name": "LOAD_HOLD_S", "value": "420"},
            {"name": "LOAD_DIR", "value": "/app/.run/load"},
        ],
    }
    spec = {"spec": {"activeDeadlineSeconds": 600, "template": {"spec": {"containers": [container]}}}}
    return Metric(name="release-smoke", provider="job", spec=spec)


def test_given_the_release_smoke_job_then_it_runs_as_the_image_would_with_local_addresses(tmp_path: Path) -> None:
    runner = LoadJob(SERVICES, "tlj", tmp_path, scale=0.2, out=io.StringIO())
    metric = job_metric()
    command = runner.command(metric)
    assert command[1:4] == ["-m", "locust", "--locustfile"]
    assert command[4].endswith("containers/loadgen/loadgen/locustfile.py")
    assert command[5:] == ["--headless", "--stop-timeout", "30s"]  # the container's args, verbatim
    env = runner.environment(metric, tmp_path / "job")
    assert (env["LOCUST_HOST"], env["LOAD_ORDER_URL"]) == ("http://127.0.0.1:1", "http://127.0.0.1:3")
    assert env["LOAD_HOLD_S"] == "84"  # 420 s scaled by 0.2
    assert env["LOAD_DIR"] == str(tmp_path / "job")
    assert env["PYTHONPATH"].endswith("containers/loadgen")
    assert runner.deadline_s(metric) == pytest.approx(120.0)
    assert window_s(metric, 0.2) > 84


@pytest.mark.parametrize("image", ["busybox", "registry/other:1", "curlimages/curl@sha256:0"])
def test_given_a_job_image_the_rehearsal_cannot_run_then_it_is_refused(tmp_path: Path, image: str) -> None:
    runner = LoadJob(SERVICES, "tlj", tmp_path, scale=0.2, out=io.StringIO())
    with pytest.raises(ReleaseError, match="not the loadgen image"):
        runner.command(job_metric(image))


def test_given_no_traffic_then_the_job_sends_nothing_and_ends_successful_after_its_hold() -> None:
    quiet, metric = NoTraffic(0.2), job_metric()
    measurement = quiet.run(metric, now=0.0)
    assert quiet.resume(metric, measurement, now=80.0).phase == RUNNING
    assert quiet.resume(metric, measurement, now=85.0).phase == SUCCESSFUL


def test_given_the_rollouts_probes_then_they_are_polled_on_the_scaled_period() -> None:
    probe = probe_of(RELEASE.readiness_probe, "http://127.0.0.1:3", scale=0.25)
    assert probe is not None
    assert (probe.url, probe.period_s, probe.timeout_s) == ("http://127.0.0.1:3/readyz", 2.5, 3.0)
    assert probe_of({"exec": {"command": ["true"]}}, "http://x", scale=1) is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fault", "5xx=3"], "the 5xx ratio must be > 0 and <= 1"),
        (["--fault", "latency"], "FAULT must be none, 5xx=R"),
        (["--fault", "boom"], "FAULT must be none, 5xx=R"),
        (["--time-scale", "0"], "--time-scale must be > 0 and <= 1"),
        (["--budget", "10"], "--budget must be more than"),
    ],
)
def test_given_bad_options_then_the_cli_exits_2_with_a_usage_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        rehearse.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_given_a_time_scale_too_large_for_the_budget_then_nothing_starts_and_it_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the dev overlay's analysis (minutes long) played at full time
    code = rehearse.main(["--time-scale", "1", "--run-dir", str(tmp_path)])
    # Then the rehearsal refuses before starting any process, and says what to change
    assert code == 2
    assert "use a smaller --time-scale" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.pid"))


class FlakyPlatform:
    """Fails to start with the given errors, then starts."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        self.starts = 0

    def up(self) -> None:
        self.starts += 1
        if self.errors:
            raise PlatformError(self.errors.pop(0))


def start_with(errors: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[int, Exception | None]:
    platform = FlakyPlatform(errors)
    fake = SimpleNamespace(platform=platform)
    monkeypatch.setattr(rehearse, "_build", lambda *_: fake)
    options = rehearse.Options(
        fault=Fault(kind="none"), traffic=True, time_scale=0.2, budget_s=150, overlay=tmp_path, run_dir=tmp_path
    )
    try:
        rehearse._start(fake, RELEASE, options, io.StringIO())  # type: ignore[arg-type]
    except PlatformError as error:
        return platform.starts, error
    return platform.starts, None


def test_given_a_port_taken_before_its_process_bound_it_then_the_start_is_retried_on_new_ports(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    taken = "order failed: the process exited\n[Errno 98] error while attempting to bind: address already in use"
    assert start_with([taken], monkeypatch, tmp_path) == (2, None)
    starts, error = start_with([taken, taken, taken], monkeypatch, tmp_path)
    assert (starts, str(error)) == (3, taken)  # three tries, then the error as it was


def test_given_any_other_start_failure_then_it_is_not_retried(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    starts, error = start_with(["prometheus: cannot run prometheus"], monkeypatch, tmp_path)
    assert (starts, str(error)) == (1, "prometheus: cannot run prometheus")
