"""powertools_layer, eks_cluster_version, eks_addon_versions and availability_zones.

moto has neither the public Powertools parameters nor EKS's version catalogue, so those answers are stubbed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stacks.preflight.checks.pinned import availability_zones, eks_addon_versions, eks_cluster_version, powertools_layer
from tests.integration.preflight.conftest import ContextFactory, stub
from tests.integration.preflight.templates import resource, template

LAYER = "/aws/service/powertools/python/arm64/python3.14/3.37.0"
WITH_LAYER = template(resource("Api", "AWS::Lambda::Function", Layers=[f"{{{{resolve:ssm:{LAYER}}}}}"]))
CLUSTER = template(
    resource("Cluster", "AWS::EKS::Cluster", Name="tlj-prod-cluster", Version="1.34"),
    resource("Metrics", "AWS::EKS::Addon", AddonName="metrics-server", AddonVersion="v0.8.1-eksbuild.5"),
)


def test_given_an_unpublished_powertools_parameter_then_it_fails_naming_it(make_context: ContextFactory) -> None:
    outcome = powertools_layer(make_context(WITH_LAYER))  # moto: ParameterNotFound
    assert not outcome.ok
    assert LAYER in outcome.detail


def test_given_a_published_powertools_parameter_then_it_passes_with_the_layer_arn(make_context: ContextFactory) -> None:
    ssm, stubber = stub("ssm")
    arn = "arn:aws:lambda:ap-northeast-2:017000801446:layer:AWSLambdaPowertoolsPythonV3-python314-arm64:30"
    stubber.add_response("get_parameter", {"Parameter": {"Name": LAYER, "Value": arn}}, {"Name": LAYER})
    stubber.activate()
    outcome = powertools_layer(make_context(WITH_LAYER, stubbed={"ssm": ssm}))
    assert outcome.ok
    assert arn in outcome.detail


def test_given_no_powertools_reference_then_there_is_nothing_to_check(make_context: ContextFactory) -> None:
    assert powertools_layer(make_context(template())).ok


def eks_versions(*versions: dict[str, Any]) -> Any:
    eks, stubber = stub("eks")
    stubber.add_response(
        "describe_cluster_versions", {"clusterVersions": list(versions)}, {"clusterVersions": ["1.34"]}
    )
    stubber.activate()
    return eks


def test_given_a_kubernetes_version_in_standard_support_then_it_passes(make_context: ContextFactory) -> None:
    supported = {"clusterVersion": "1.34", "versionStatus": "STANDARD_SUPPORT",
                 "endOfStandardSupportDate": datetime(2026, 12, 2, tzinfo=UTC)}  # fmt: skip
    outcome = eks_cluster_version(make_context(CLUSTER, stubbed={"eks": eks_versions(supported)}))
    assert outcome.ok
    assert "STANDARD_SUPPORT, standard support until 2026-12-02" in outcome.detail


def test_given_a_version_eks_does_not_offer_then_it_fails(make_context: ContextFactory) -> None:
    assert not eks_cluster_version(make_context(CLUSTER, stubbed={"eks": eks_versions()})).ok
    unsupported = {"clusterVersion": "1.34", "versionStatus": "UNSUPPORTED"}
    assert not eks_cluster_version(make_context(CLUSTER, stubbed={"eks": eks_versions(unsupported)})).ok


def addon_pages(*pages: list[str]) -> Any:
    """describe_addon_versions answered in pages (nextToken between them), for metrics-server on 1.34."""
    eks, stubber = stub("eks")
    token: dict[str, str] = {}
    for number, versions in enumerate(pages):
        answer: dict[str, Any] = {
            "addons": [{"addonName": "metrics-server", "addonVersions": [{"addonVersion": v} for v in versions]}]
        }
        if number < len(pages) - 1:
            answer["nextToken"] = f"page-{number + 1}"
        stubber.add_response(
            "describe_addon_versions", answer, {"addonName": "metrics-server", "kubernetesVersion": "1.34", **token}
        )
        token = {"nextToken": f"page-{number + 1}"}
    stubber.activate()
    return eks


def test_given_the_pinned_addon_version_on_a_later_page_then_it_is_found(make_context: ContextFactory) -> None:
    eks = addon_pages(["v0.8.0-eksbuild.1"], ["v0.8.1-eksbuild.5"])
    outcome = eks_addon_versions(make_context(CLUSTER, stubbed={"eks": eks}))
    assert outcome.ok, outcome.detail
    assert "metrics-server v0.8.1-eksbuild.5" in outcome.detail


def test_given_a_pinned_addon_version_eks_does_not_offer_then_it_fails_listing_what_it_offers(
    make_context: ContextFactory,
) -> None:
    outcome = eks_addon_versions(make_context(CLUSTER, stubbed={"eks": addon_pages(["v0.8.0-eksbuild.1"])}))
    assert not outcome.ok
    assert "metrics-server v0.8.1-eksbuild.5 (offered: v0.8.0-eksbuild.1)" in outcome.detail
    assert "Kubernetes 1.34" in outcome.detail


def subnets(*zones: str) -> dict[str, Any]:
    return template(*(resource(f"Subnet{i}", "AWS::EC2::Subnet", AvailabilityZone=z) for i, z in enumerate(zones)))


def test_given_the_seoul_zones_then_they_are_available(make_context: ContextFactory) -> None:
    outcome = availability_zones(make_context(subnets("ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c")))
    assert outcome.ok
    assert "ap-northeast-2c" in outcome.detail


def test_given_a_zone_the_region_does_not_have_then_it_fails_naming_it(make_context: ContextFactory) -> None:
    outcome = availability_zones(make_context(subnets("ap-northeast-2a", "us-east-1a")))
    assert not outcome.ok
    assert "us-east-1a (not a zone of ap-northeast-2 for this account)" in outcome.detail
