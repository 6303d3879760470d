"""identity_center_instance on moto's sso-admin (which starts with one ACTIVE instance) and on a Stubber for an account
without one; grafana_version on a Stubber with the real service model (moto has no Managed Grafana)."""

from __future__ import annotations

from stacks.preflight.checks.grafana import grafana_version, identity_center_instance
from tests.integration.preflight.conftest import ContextFactory, client, stub
from tests.integration.preflight.templates import resource, template

SSO_WORKSPACE = template(
    resource("GrafanaWorkspace", "AWS::Grafana::Workspace", AuthenticationProviders=["AWS_SSO"], GrafanaVersion="10.4")
)
SAML_WORKSPACE = template(
    resource("GrafanaWorkspace", "AWS::Grafana::Workspace", AuthenticationProviders=["SAML"], GrafanaVersion="10.4")
)


def with_capability(instance_arn: str, region: str = "ap-northeast-2") -> dict:
    argo = {"AwsIdc": {"IdcInstanceArn": instance_arn, "IdcRegion": region}}
    capability = resource("GitOpsArgoCd", "AWS::EKS::Capability", Configuration={"ArgoCd": argo})
    return template(*SSO_WORKSPACE["Resources"].items(), capability)


def moto_instance_arn() -> str:
    (instance,) = client("sso-admin").list_instances()["Instances"]
    return str(instance["InstanceArn"])


def test_given_an_identity_center_instance_then_the_sso_workspace_passes(make_context: ContextFactory) -> None:
    ctx = make_context(SSO_WORKSPACE, stack_name="DevStack")
    arn = moto_instance_arn()
    outcome = identity_center_instance(ctx)
    assert outcome.ok, outcome.detail
    assert arn in outcome.detail


def test_given_the_configured_instance_arn_is_not_this_accounts_then_it_fails(make_context: ContextFactory) -> None:
    ctx = make_context(with_capability("arn:aws:sso:::instance/ssoins-0000000000000000"))
    moto_instance_arn()
    outcome = identity_center_instance(ctx)
    assert not outcome.ok
    assert "ssoins-0000000000000000 is not one of this account's instances" in outcome.detail


def test_given_the_configured_instance_arn_exists_then_it_passes(make_context: ContextFactory) -> None:
    make_context(template())  # moto's session first
    arn = moto_instance_arn()
    assert identity_center_instance(make_context(with_capability(arn))).ok


def test_given_no_identity_center_then_it_fails_and_names_the_prerequisite_and_the_saml_alternative(
    make_context: ContextFactory,
) -> None:
    sso, stubber = stub("sso-admin")
    stubber.add_response("list_instances", {"Instances": []})
    stubber.activate()
    outcome = identity_center_instance(make_context(SSO_WORKSPACE, stubbed={"sso-admin": sso}))
    assert not outcome.ok
    assert "enable IAM Identity Center" in outcome.detail
    assert "-c prod:grafana_saml_metadata_url=" in outcome.detail
    stubber.assert_no_pending_responses()


def test_given_a_saml_workspace_and_no_identity_center_use_then_nothing_is_asked(make_context: ContextFactory) -> None:
    sso, stubber = stub("sso-admin")
    stubber.activate()  # any call would fail: nothing is queued
    outcome = identity_center_instance(make_context(SAML_WORKSPACE, stubbed={"sso-admin": sso}))
    assert outcome.ok
    assert "nothing in the template signs in through IAM Identity Center" in outcome.detail


def grafana_offering(*versions: str) -> object:
    amg, stubber = stub("grafana")
    stubber.add_response("list_versions", {"grafanaVersions": list(versions)})
    stubber.activate()
    return amg


def test_given_amg_offers_the_pinned_version_then_it_passes(make_context: ContextFactory) -> None:
    outcome = grafana_version(make_context(SSO_WORKSPACE, stubbed={"grafana": grafana_offering("9.4", "10.4")}))
    assert outcome.ok, outcome.detail
    assert "offers Grafana 10.4" in outcome.detail


def test_given_amg_no_longer_offers_the_pinned_version_then_it_fails_naming_both_pins(
    make_context: ContextFactory,
) -> None:
    outcome = grafana_version(make_context(SSO_WORKSPACE, stubbed={"grafana": grafana_offering("11.0", "12.4")}))
    assert not outcome.ok
    assert "does not offer Grafana 10.4 (offers: 11.0, 12.4)" in outcome.detail
    assert "grafana-foundation-sdk" in outcome.detail


def test_given_no_workspace_then_grafana_is_not_asked(make_context: ContextFactory) -> None:
    amg, stubber = stub("grafana")
    stubber.activate()
    assert grafana_version(make_context(template(), stubbed={"grafana": amg})).ok
