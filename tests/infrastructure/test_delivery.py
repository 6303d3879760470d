"""Delivery: ECR repositories that keep what was built, and a GitHub Actions role that can push there and only there."""

from __future__ import annotations

import json
from dataclasses import replace

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from stacks.config import DEV, PROD, EnvironmentConfig
from stacks.platform_stack import PlatformStack
from tests.infrastructure.conftest import OWNER, configured, resources
from tests.infrastructure.iam import allowed, inline_policies, trust

REPOSITORY_IDS = {"LoginRepository": "login", "OrderRepository": "order", "LoadgenRepository": "loadgen"}
PUSH_ACTIONS = {
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
}
WRITE_ACTIONS = PUSH_ACTIONS - {"ecr:BatchCheckLayerAvailability"}  # that one is a read, pulls use it too


def repositories(template: Template) -> dict[str, dict]:
    return resources(template, "AWS::ECR::Repository")


def github_providers(template: Template) -> dict[str, dict]:
    """OIDC providers for GitHub's issuer (the cluster's own provider, for IRSA, is another issuer)."""
    return {
        logical_id: provider
        for logical_id, provider in resources(template, "AWS::IAM::OIDCProvider").items()
        if "token.actions.githubusercontent.com" in json.dumps(provider["Properties"].get("Url"))
    }


def lifecycle_rules(repository: dict) -> list[dict]:
    return list(json.loads(repository["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])["rules"])


def test_given_an_environment_then_login_order_and_loadgen_have_repositories_with_stable_ids(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    found = repositories(template)
    assert set(found) == set(REPOSITORY_IDS)
    for logical_id, image in REPOSITORY_IDS.items():
        assert found[logical_id]["Properties"]["RepositoryName"] == f"tlj-{config.name}-{image}"


def test_given_a_repository_then_tags_are_immutable_pushes_are_scanned_and_images_sit_under_our_cmk(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    for logical_id, repository in repositories(template).items():
        props = repository["Properties"]
        assert props["ImageTagMutability"] == "IMMUTABLE", logical_id
        assert props["ImageScanningConfiguration"] == {"ScanOnPush": True}, logical_id
        assert props["EncryptionConfiguration"]["EncryptionType"] == "KMS", logical_id
        assert props["EncryptionConfiguration"]["KmsKey"]["Fn::GetAtt"][0].startswith("EncryptionDataKey"), logical_id


def test_given_a_repository_then_untagged_images_expire_and_only_the_newest_images_are_kept(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    for logical_id, repository in repositories(template).items():
        untagged, keep = sorted(lifecycle_rules(repository), key=lambda rule: rule["rulePriority"])
        assert untagged["selection"]["tagStatus"] == "untagged", logical_id
        assert untagged["selection"]["countType"] == "sinceImagePushed"
        assert untagged["selection"]["countNumber"] == config.delivery.untagged_image_expiry_days
        assert keep["selection"] == {
            "tagStatus": "any",
            "countType": "imageCountMoreThan",
            "countNumber": config.delivery.image_retention_count,
        }
        assert all(rule["action"] == {"type": "expire"} for rule in (untagged, keep))


def test_given_prod_then_repositories_are_retained_and_dev_empties_and_deletes_them(
    dev: Template, prod: Template
) -> None:
    for repository in repositories(prod).values():
        assert repository["DeletionPolicy"] == "RetainExceptOnCreate"
        assert repository["Properties"].get("EmptyOnDelete", False) is False
    for repository in repositories(dev).values():
        assert repository["DeletionPolicy"] == "Delete"
        assert repository["Properties"]["EmptyOnDelete"] is True
    assert PROD.delivery.image_retention_count > DEV.delivery.image_retention_count


def test_given_no_github_owner_then_no_role_trusts_github_at_all(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    # A placeholder owner is a name anyone could register: until one is configured, nothing trusts GitHub.
    _, template = env_template
    text = json.dumps(template.to_json())
    assert "token.actions.githubusercontent.com" not in text
    assert github_providers(template) == {}
    assert "GitHubReleaseRoleArn" not in template.to_json()["Outputs"]


@pytest.mark.parametrize(
    ("env", "subject"),
    [
        ("dev", f"repo:{OWNER}/tlj-platform:ref:refs/heads/main"),
        # prod: only jobs of the protected `production` environment (required reviewers approve each run)
        ("prod", f"repo:{OWNER}/tlj-platform:environment:production"),
    ],
)
def test_given_an_owner_then_the_release_role_trusts_exactly_its_subject_through_the_account_provider(
    env: str, subject: str, configured_dev: Template, configured_prod: Template
) -> None:
    config, template = (configured(DEV), configured_dev) if env == "dev" else (configured(PROD), configured_prod)
    (statement,) = trust(template, config.role_name("github-release"))
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    # The provider is AccountStack's (one per account): referenced by its ARN, never created here.
    assert github_providers(template) == {}
    federated = json.dumps(statement["Principal"]["Federated"])
    assert ":oidc-provider/token.actions.githubusercontent.com" in federated
    # Exact matches only: a StringLike or a wildcard would let other branches, forks or repositories in.
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": subject,
        }
    }


def test_given_the_release_role_then_it_may_push_and_pull_its_repositories_and_nothing_else(
    configured_env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = configured_env_template
    role = config.role_name("github-release")
    grants = allowed(template, role)
    # The token call has no resource type; it is the only action on "*".
    assert {action for action, where in grants.items() if '"*"' in where} == {"ecr:GetAuthorizationToken"}
    assert grants["ecr:GetAuthorizationToken"] == {'"*"'}
    repository_arns = {json.dumps({"Fn::GetAtt": [logical_id, "Arn"]}) for logical_id in REPOSITORY_IDS}
    for action in WRITE_ACTIONS:
        assert grants[action] == repository_arns, action
    for action in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"):
        assert repository_arns <= grants[action], action
    assert all(action.startswith("ecr:") for action in grants)
    assert inline_policies(template, role) == []


def test_given_prod_then_its_release_role_may_read_but_never_push_the_dev_images_it_promotes(
    configured_prod: Template,
) -> None:
    grants = allowed(configured_prod, configured(PROD).role_name("github-release"))
    dev_repositories = {
        json.dumps(
            {
                "Fn::Join": [
                    "",
                    [
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        ":ecr:ap-northeast-2:",
                        {"Ref": "AWS::AccountId"},
                        f":repository/tlj-dev-{image}",
                    ],
                ]
            }
        )
        for image in REPOSITORY_IDS.values()
    }
    for action in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages"):
        assert dev_repositories <= grants[action], action
    for action in WRITE_ACTIONS:
        assert not dev_repositories & grants[action], action


def test_given_dev_then_its_release_role_reads_no_other_environment(configured_dev: Template) -> None:
    grants = allowed(configured_dev, configured(DEV).role_name("github-release"))
    assert "tlj-prod" not in json.dumps(sorted(map(sorted, grants.values())))
    assert all("repository/" not in where for wheres in grants.values() for where in wheres)


def test_given_context_overrides_then_the_release_role_trusts_that_repository() -> None:
    # Given the owner and repository from -c github_owner=... -c github_repo=...
    config = DEV.with_overrides({"github_owner": "tlj-bakery", "github_repo": "platform"})
    # When the stack is synthesized
    template = Template.from_stack(PlatformStack(cdk.App(), "DevStack", config=config))
    # Then the role's subject names it, and Argo CD follows the same repository
    (statement,) = trust(template, config.role_name("github-release"))
    subject = statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"]
    assert subject == "repo:tlj-bakery/platform:ref:refs/heads/main"
    assert config.delivery.repo_url == "https://github.com/tlj-bakery/platform.git"


def test_given_an_empty_owner_in_context_then_github_stays_unconfigured() -> None:
    assert DEV.with_overrides({"github_owner": ""}).delivery.repo_url is None


@pytest.mark.parametrize("owner", ["*", "org/other", "", "a:b", "a b"])
def test_a_wildcard_or_malformed_github_owner_is_refused(owner: str) -> None:
    with pytest.raises(ValueError, match="one exact name"):
        replace(DEV.delivery, github_owner=owner)


def test_given_an_environment_then_the_repository_uris_and_the_role_arn_are_outputs(
    configured_env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = configured_env_template
    outputs = template.to_json()["Outputs"]
    for name in ("LoginRepositoryUri", "OrderRepositoryUri", "LoadgenRepositoryUri", "GitHubReleaseRoleArn"):
        assert name in outputs, name
    assert "LoginRepository" in json.dumps(outputs["LoginRepositoryUri"])
