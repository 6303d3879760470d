"""The estimator on small hand-written templates whose totals are computed by hand."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from stacks.cost import assembly, estimate
from stacks.cost.model import FIXED, USAGE, CostError
from stacks.cost.workloads import Pods, Workloads
from tests.unit.stacks.cost_fixtures import NETWORK, NO_TRAFFIC, price_table, subnet, usage, write_assembly


def run(tmp_path: Path, resources: dict, assumptions: dict, **kwargs: object) -> estimate.StackEstimate:
    prices = price_table(tmp_path / "prices")
    usage(prices, assumptions)
    cdk_out = write_assembly(tmp_path / "cdk.out", {"DevStack": resources})
    _, (result,) = estimate.estimate(assembly.load(cdk_out), k8s_dir=tmp_path / "k8s", prices_dir=prices, **kwargs)
    return result


def test_given_a_nat_two_interface_endpoints_in_two_subnets_and_a_key_then_the_total_is_hand_computed(
    tmp_path: Path,
) -> None:
    # Given 1 NAT (730 h x $0.05), 2 interface endpoints x 2 subnets (4 x 730 h x $0.01), 1 KMS key ($1), no traffic
    result = run(tmp_path, NETWORK, NO_TRAFFIC)
    # Then 36.50 + 29.20 + 1.00 = 66.70, all of it fixed; the gateway endpoint, subnets and role are free
    assert result.monthly_usd == pytest.approx(66.70)
    assert result.fixed_usd == pytest.approx(66.70)
    assert result.free == {"AWS::EC2::Subnet": 2, "AWS::EC2::VPCEndpoint": 1, "AWS::IAM::Role": 1}
    endpoint = next(line for line in result.lines if line.logical_id == "StsEndpoint" and line.kind == FIXED)
    assert (endpoint.monthly_usd, endpoint.basis) == (14.60, "2 AZs x 730 h x $0.01/h")


def test_given_assumed_traffic_then_it_is_usage_not_fixed(tmp_path: Path) -> None:
    traffic = {**NO_TRAFFIC, "network": {"nat_gb_per_gateway_month": 100, "interface_endpoint_gb_month": 10}}
    result = run(tmp_path, NETWORK, traffic)
    # NAT 100 GB x $0.05 = 5.00; two endpoints x 10 GB x $0.01 = 0.20
    assert result.usage_usd == pytest.approx(5.20)
    assert result.monthly_usd == pytest.approx(66.70 + 5.20)
    assert {line.kind for line in result.lines if line.name == "NAT data processed"} == {USAGE}


def test_given_a_metric_math_alarm_then_each_metric_it_reads_is_billed(tmp_path: Path) -> None:
    resources = {
        "Single": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "Errors", "Period": 300}},
        "Math": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "Metrics": [
                    {"Id": "e", "Expression": "a+b"},
                    {"Id": "a", "MetricStat": {"Period": 60}},
                    {"Id": "b", "MetricStat": {"Period": 10}},
                ]
            },
        },
    }
    result = run(tmp_path, resources, {})
    # 0.10 + (0.10 + 0.30 for the 10-second, high-resolution metric)
    assert result.monthly_usd == pytest.approx(0.50)


def test_given_log_groups_then_ingestion_and_retained_storage_follow_retention_and_vended_delivery(
    tmp_path: Path,
) -> None:
    resources = {
        "AppLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 73}},
        "FlowLogsGroup": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
        "FlowLog": {"Type": "AWS::EC2::FlowLog", "Properties": {"LogGroupName": {"Ref": "FlowLogsGroup"}}},
    }
    assumptions = {
        "log_groups": {"default": {"gb_month": 10}},
        "logs_months_kept_without_retention": 12,
    }
    result = run(tmp_path, resources, assumptions)
    by_id = {line.logical_id: line.monthly_usd for line in result.lines}
    # 10 GB x $0.50 + 10 GB x 73/(730/24) d = 24 GB x $0.03
    assert by_id["AppLogs"] == pytest.approx(5.72)
    # vended: 10 GB x $0.25 + never expires, 12 months kept = 120 GB x $0.03
    assert by_id["FlowLogsGroup"] == pytest.approx(6.10)


def test_given_a_web_acl_then_the_acl_each_rule_and_requests_are_priced(tmp_path: Path) -> None:
    rules = [{"Name": n, "Statement": {"ManagedRuleGroupStatement": {"Name": n}}} for n in ("A", "B", "C")]
    resources = {"Acl": {"Type": "AWS::WAFv2::WebACL", "Properties": {"Rules": rules}}}
    result = run(tmp_path, resources, {"waf_requests_per_day": 24_000 / (730 / 24) * 1000 / 1000})
    # $5 + 3 x $1 fixed; 24,000 requests x $0.60 per million
    assert result.fixed_usd == pytest.approx(8.00)
    assert result.monthly_usd == pytest.approx(8.01)


def test_given_grafana_users_in_the_usage_file_then_licences_are_counted(tmp_path: Path) -> None:
    resources = {"Grafana": {"Type": "AWS::Grafana::Workspace", "Properties": {}}}
    result = run(tmp_path, resources, {"grafana": {"editors": 2, "viewers": 3}})
    assert result.monthly_usd == pytest.approx(2 * 9 + 3 * 5)


def test_given_a_missing_usage_assumption_then_the_error_names_the_key_and_file(tmp_path: Path) -> None:
    with pytest.raises(
        CostError, match=r"usage assumption 'network.nat_gb_per_gateway_month' is missing from .*usage-dev"
    ):
        run(tmp_path, NETWORK, {"kms_requests_per_key_month": 0})


def test_given_an_interface_endpoint_without_subnets_then_it_is_refused_not_guessed(tmp_path: Path) -> None:
    resources = {"Endpoint": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Interface"}}}
    with pytest.raises(CostError, match="without SubnetIds"):
        run(tmp_path, resources, NO_TRAFFIC)


def test_given_an_unknown_type_then_it_is_unpriced_with_its_logical_ids(tmp_path: Path) -> None:
    resources = {**NETWORK, "Gizmo1": {"Type": "AWS::Made::Up"}, "Gizmo2": {"Type": "AWS::Made::Up"}}
    result = run(tmp_path, resources, NO_TRAFFIC)
    assert result.unpriced == {"AWS::Made::Up": ("Gizmo1", "Gizmo2")}


def test_given_a_scraper_blob_then_amp_ingestion_uses_its_scrape_interval(tmp_path: Path) -> None:
    config = base64.b64encode(b"global:\n  scrape_interval: 60s\n").decode()
    resources = {
        "Workspace": {"Type": "AWS::APS::Workspace", "Properties": {}},
        "Scraper": {
            "Type": "AWS::APS::Scraper",
            "Properties": {
                "ScrapeConfiguration": {"ConfigurationBlob": config},
                "Destination": {"AmpConfiguration": {"WorkspaceArn": {"Fn::GetAtt": ["Workspace", "Arn"]}}},
            },
        },
    }
    prices = with_prices(
        price_table(tmp_path / "prices"),
        "https://aws.amazon.com/prometheus/pricing/",
        {
            "amp_ingest_10m_samples": 1.0,
            "amp_storage_gb_month": 0.0,
            "amp_query_billion_samples": 0.0,
            "amp_collector_hour": 0.0,
        },
    )
    amp = {
        "active_series": 1000,
        "bytes_per_sample": 1,
        "retention_days": 150,
        "scrape_interval_seconds": 15,
        "query_samples_per_month": 0,
    }
    usage(prices, {"amp": amp})
    cdk_out = write_assembly(tmp_path / "cdk.out", {"DevStack": resources})
    _, (result,) = estimate.estimate(assembly.load(cdk_out), k8s_dir=tmp_path, prices_dir=prices)
    ingestion = next(line for line in result.lines if line.name == "AMP ingestion")
    # 1,000 series every 60 s (the blob's, not the usage file's 15 s) over 730 h = 43.8 M samples x $1 / 10 M
    assert ingestion.monthly_usd == pytest.approx(4.38)
    assert "scrape_interval 60s of Scraper" in ingestion.basis


def with_prices(prices: Path, source: str, rates: dict[str, float]) -> Path:
    """Adds confirmed rates (read from ``source``) to the test price table in ``prices``."""
    table = prices / "ap-northeast-2.yaml"
    extra = "".join(
        f"  {key}: {{usd: {usd}, unit: u, source: '{source}', read: x, confirmed: true}}\n"
        for key, usd in rates.items()
    )
    table.write_text(table.read_text().replace("prices:\n", "prices:\n" + extra, 1))
    return prices


def test_given_zone_spread_pods_then_auto_mode_runs_a_node_per_zone(tmp_path: Path) -> None:
    from stacks.cost.workloads import nodes_needed

    small = Workloads(source="test", pods=(Pods(name="a", replicas=3, cpu_m=100, memory_mi=100, spread_by_zone=True),))
    assert nodes_needed(small, allocatable_cpu_m=2000, allocatable_memory_mi=8000, zones=3) == 3
    packed = Workloads(source="test", pods=(Pods(name="a", replicas=5, cpu_m=500, memory_mi=100),))
    assert nodes_needed(packed, allocatable_cpu_m=2000, allocatable_memory_mi=8000, zones=3) == 2


def test_given_the_estimate_with_a_cluster_then_nodes_and_the_ingress_alb_are_lines_of_the_cluster(
    tmp_path: Path,
) -> None:
    resources = {
        "SubnetA": subnet("ap-northeast-2a")
        | {
            "Properties": {
                "AvailabilityZone": "ap-northeast-2a",
                "Tags": [{"Key": "kubernetes.io/role/elb", "Value": "1"}],
            }
        },
        "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {"ComputeConfig": {"Enabled": True}}},
    }
    prices = with_prices(
        price_table(tmp_path / "prices"),
        "https://aws.amazon.com/eks/pricing/",
        {
            "eks_cluster_hour": 0.1,
            "ec2_test_hour": 0.1,
            "auto_mode_test_hour": 0.01,
            "ebs_gp3_gb_month": 0.1,
            "alb_hour": 0.02,
            "alb_lcu_hour": 0.01,
        },
    )
    node = {
        "instance_type": "t.test",
        "instance_price": "ec2_test_hour",
        "auto_mode_price": "auto_mode_test_hour",
        "allocatable_cpu_m": 1000,
        "allocatable_memory_mi": 4000,
        "root_volume_gb": 10,
    }
    usage(prices, {"cluster": {"node": node, "alb_average_lcus": 1}})
    stack = assembly.SynthesizedStack(
        name="DevStack", environment="dev", region="ap-northeast-2", template={"Resources": resources}
    )
    from stacks.cost import tables

    pods = Workloads(
        source="k8s/overlays/dev",
        pods=(Pods(name="web", replicas=3, cpu_m=500, memory_mi=256),),
        load_balancers=("Ingress tlj/web",),
    )
    result = estimate.estimate_stack(
        stack, tables.load_prices("ap-northeast-2", prices), tables.load_usage("dev", prices), lambda: pods
    )
    by_name = {line.name: line.monthly_usd for line in result.lines}
    assert by_name["EKS control plane"] == pytest.approx(73.0)
    # 1,500m requested on 1,000m nodes: 2 nodes x 730 h x ($0.10 + $0.01); 2 x 10 GB x $0.10
    assert by_name["t.test nodes launched by EKS Auto Mode"] == pytest.approx(160.6)
    assert by_name["node root volumes"] == pytest.approx(2.0)
    # 730 h x $0.02 + one public address per elb-tagged subnet x 730 h x $0.005
    assert by_name["ALB hours, made by EKS Auto Mode for Ingress tlj/web"] == pytest.approx(14.6 + 3.65)


CONNECT = {
    "connect": {
        "inbound_minutes_per_month": 1000,
        "recorded_minutes_per_month": 400,
        "recording_mb_per_minute": 2,
        "callback_minutes_per_month": 100,
    }
}
ROUTE = {"Route": {"Type": "Custom::PhoneNumberContactFlow", "Properties": {}}}


def connect_instance(*, contact_lens: bool = True, outbound: bool = False) -> dict:
    attributes = {"ContactLens": contact_lens, "OutboundCalls": outbound}
    return {"Calls": {"Type": "AWS::Connect::Instance", "Properties": {"Attributes": attributes}}}


def test_given_no_number_claimed_or_routed_then_connect_costs_nothing_and_says_why(tmp_path: Path) -> None:
    result = run(tmp_path, connect_instance(), CONNECT)
    assert result.monthly_usd == 0
    assert any("none claimed or routed" in line.name for line in result.lines)


def test_given_an_existing_number_routed_to_the_flow_then_its_days_and_the_assumed_minutes_are_priced(
    tmp_path: Path,
) -> None:
    result = run(tmp_path, {**connect_instance(), **ROUTE}, CONNECT)
    by_kind = {line.kind: line.monthly_usd for line in result.lines}
    # 730/24 days x $0.10 fixed; 1,000 minutes x ($0.02 voice + $0.01 DID); Contact Lens on the 400 recorded minutes
    assert by_kind[FIXED] == pytest.approx(3.04)
    assert by_kind[USAGE] == pytest.approx(30.0 + 400 * 0.015)


def test_given_outbound_calls_for_callbacks_then_their_minutes_are_priced_and_without_them_not(tmp_path: Path) -> None:
    without = run(tmp_path / "without", {**connect_instance(contact_lens=False), **ROUTE}, CONNECT)
    with_callbacks = run(tmp_path / "with", {**connect_instance(contact_lens=False, outbound=True), **ROUTE}, CONNECT)
    # 100 callback minutes x ($0.02 voice + $0.05 outbound telephony)
    assert with_callbacks.usage_usd - without.usage_usd == pytest.approx(7.0)


def test_given_more_recorded_than_inbound_minutes_then_the_usage_file_is_refused(tmp_path: Path) -> None:
    wrong = {"connect": {**CONNECT["connect"], "recorded_minutes_per_month": 2000}}
    with pytest.raises(CostError, match="recorded_minutes_per_month"):
        run(tmp_path, {**connect_instance(), **ROUTE}, wrong)


def recording_bucket(expiry_days: int | None) -> dict:
    rules = [{"Status": "Enabled", "ExpirationInDays": expiry_days}] if expiry_days else []
    storage = {
        "ResourceType": "CALL_RECORDINGS",
        "StorageType": "S3",
        "S3Config": {"BucketName": {"Ref": "Recordings"}, "BucketPrefix": "recordings"},
    }
    return {
        "Recordings": {"Type": "AWS::S3::Bucket", "Properties": {"LifecycleConfiguration": {"Rules": rules}}},
        "Storage": {"Type": "AWS::Connect::InstanceStorageConfig", "Properties": storage},
    }


def test_given_a_recording_bucket_then_it_holds_the_recorded_minutes_for_its_expiry(tmp_path: Path) -> None:
    assumptions = {**CONNECT, "s3_buckets": {"default": {"storage_gb": 999}}}
    result = run(tmp_path, {**connect_instance(), **ROUTE, **recording_bucket(73)}, assumptions)
    (storage,) = [line for line in result.lines if line.logical_id == "Recordings"]
    # 400 min x 2 MB / 1024 = 0.78125 GB a month, kept 73 days (2.4 months of 30.42 days) = 1.875 GB x $0.025
    assert storage.monthly_usd == pytest.approx(round(400 * 2 / 1024 * 73 / (730 / 24) * 0.025, 2))
    assert "kept 73 days" in storage.basis


def test_given_a_recording_bucket_without_expiry_then_it_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CostError, match="without an expiry"):
        run(tmp_path, {**connect_instance(), **ROUTE, **recording_bucket(None)}, CONNECT)


def kinesis(properties: dict) -> dict:
    return {"Records": {"Type": "AWS::Kinesis::Stream", "Properties": properties}}


STREAM_USAGE = {"kinesis_streams": {"default": {"records_per_month": 1_000_000, "record_kb": 30}}}


def test_given_a_provisioned_stream_then_shard_hours_and_put_units_are_priced(tmp_path: Path) -> None:
    result = run(tmp_path, kinesis({"ShardCount": 2, "StreamModeDetails": {"StreamMode": "PROVISIONED"}}), STREAM_USAGE)
    by_kind = {line.kind: line.monthly_usd for line in result.lines}
    # 2 shards x 730 h x $0.02; a 30 KB record is 2 PUT units: 2 million x $0.02
    assert by_kind[FIXED] == pytest.approx(29.2)
    assert by_kind[USAGE] == pytest.approx(0.04)


def test_given_a_stream_kept_beyond_a_day_then_extended_retention_is_added(tmp_path: Path) -> None:
    result = run(tmp_path, kinesis({"ShardCount": 1, "RetentionPeriodHours": 48}), STREAM_USAGE)
    assert result.fixed_usd == pytest.approx(730 * (0.02 + 0.03))


def test_given_an_on_demand_stream_then_stream_hours_and_data_in_are_priced(tmp_path: Path) -> None:
    result = run(tmp_path, kinesis({"StreamModeDetails": {"StreamMode": "ON_DEMAND"}}), STREAM_USAGE)
    # 730 h x $0.05; 1 million x 30 KB = 28.61 GB x $0.10
    assert result.fixed_usd == pytest.approx(36.5)
    assert result.usage_usd == pytest.approx(round(1_000_000 * 30 / 1024 / 1024 * 0.10, 2))


def test_given_long_term_stream_retention_then_it_is_refused_not_guessed(tmp_path: Path) -> None:
    with pytest.raises(CostError, match="long-term"):
        run(tmp_path, kinesis({"RetentionPeriodHours": 720}), STREAM_USAGE)


def test_given_a_workspace_retention_then_amp_storage_follows_the_template_not_the_usage_file() -> None:
    from types import SimpleNamespace

    from stacks.cost.pricers.observability import retention_days

    usage = SimpleNamespace(number=lambda *path: {("amp", "retention_days"): 150.0}[path])
    ctx = SimpleNamespace(usage=usage)
    configured = {"Properties": {"WorkspaceConfiguration": {"RetentionPeriodInDays": 30}}}
    assert retention_days(ctx, configured) == 30  # type: ignore[arg-type]
    assert retention_days(ctx, {"Properties": {}}) == 150  # type: ignore[arg-type]
