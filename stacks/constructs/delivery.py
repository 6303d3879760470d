"""Delivery: ECR repositories for the images, and the role GitHub Actions assumes (OIDC) to push them.

No long-lived AWS keys in GitHub: a workflow run of the configured repository (on the release branch, or in the
protected environment for prod) exchanges its OIDC token for the release role, which may push and pull these
repositories and nothing else. The OIDC provider itself is an account singleton owned by ``AccountStack``. Without a
configured ``github_owner`` no role is made at all: nothing trusts a GitHub owner that someone could register.

The subject is matched exactly. A job that references an environment gets ``repo:<owner>/<repo>:environment:<name>``
and one that does not gets ``repo:<owner>/<repo>:ref:refs/heads/<branch>`` (GitHub docs, OpenID Connect reference,
"Example subject claims": https://docs.github.com/en/actions/reference/security/oidc). So prod's role answers only
jobs of the ``production`` environment, which wait for its required reviewers (release.yml ``promote-prod``,
rollback.yml ``rollback-prod``), and dev's only jobs without an environment on ``main`` (release.yml ``build``,
rollback.yml ``rollback-dev``); tests/unit/workflows/test_workflows.py holds the workflows to that.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from stacks.account_stack import GITHUB_OIDC_HOST, github_oidc_provider_arn
from stacks.config import DeliveryConfig
from stacks.constructs.grantable_role import GrantableRole
from stacks.constructs.removal import removal_policy

IMAGES = ("login", "order", "loadgen")  # repository <prefix>-<image>
PULL_ACTIONS = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability")


class Delivery(Construct):
    """``repositories`` by image name, and ``release_role`` for GitHub Actions (None until an owner is configured)."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: DeliveryConfig,
        prefix: str,
        role_name: str,
        key: kms.IKey,
        retain: bool,
    ) -> None:
        super().__init__(scope, id_)
        self.repositories = {
            image: self._repository(image, config=config, prefix=prefix, key=key, retain=retain) for image in IMAGES
        }
        self.release_role: GrantableRole | None = None
        if config.release_subject is not None:
            self.release_role = self._release_role(config, config.release_subject, role_name)

    def _release_role(self, config: DeliveryConfig, subject: str, role_name: str) -> GrantableRole:
        provider = iam.OidcProviderNative.from_oidc_provider_arn(
            self, "GitHubOidcProvider", github_oidc_provider_arn(cdk.Stack.of(self))
        )
        role = GrantableRole(
            self,
            "ReleaseRole",
            role_name=role_name,
            description=f"GitHub Actions runs of {subject} pushing images",
            assumed_by=iam.WebIdentityPrincipal(
                provider.oidc_provider_arn,
                conditions={
                    "StringEquals": {f"{GITHUB_OIDC_HOST}:aud": "sts.amazonaws.com", f"{GITHUB_OIDC_HOST}:sub": subject}
                },
            ),
        )
        for repository in self.repositories.values():
            repository.grant_pull_push(role)  # + ecr:GetAuthorizationToken, which has no resource
            # CI waits for the push scan and reads its findings before it bumps a tag in Git.
            repository.grant(role, "ecr:DescribeImages", "ecr:DescribeImageScanFindings")
        if config.promotion_source_prefix:
            # Promotion copies the digests that ran in dev: read-only on those repositories of the same account.
            stack = cdk.Stack.of(self)
            sources = [
                stack.format_arn(
                    service="ecr", resource="repository", resource_name=f"{config.promotion_source_prefix}-{i}"
                )
                for i in IMAGES
            ]
            role.grant_principal.add_to_principal_policy(
                iam.PolicyStatement(actions=[*PULL_ACTIONS, "ecr:DescribeImages"], resources=sources)
            )
        return role

    def _repository(
        self, image: str, *, config: DeliveryConfig, prefix: str, key: kms.IKey, retain: bool
    ) -> ecr.Repository:
        logical_id = f"{image.title()}Repository"
        repository = ecr.Repository(
            self,
            logical_id,
            repository_name=f"{prefix}-{image}",
            image_scan_on_push=True,
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,  # a tag names one build forever: Git pins it
            encryption=ecr.RepositoryEncryption.KMS,
            encryption_key=key,
            lifecycle_rules=[
                ecr.LifecycleRule(
                    rule_priority=1,
                    description="Untagged layers of interrupted or replaced pushes",
                    tag_status=ecr.TagStatus.UNTAGGED,
                    max_image_age=cdk.Duration.days(config.untagged_image_expiry_days),
                ),
                ecr.LifecycleRule(
                    rule_priority=2,
                    description=f"Keep the newest {config.image_retention_count} images (rollback range)",
                    tag_status=ecr.TagStatus.ANY,
                    max_image_count=config.image_retention_count,
                ),
            ],
            removal_policy=removal_policy(retain),
            empty_on_delete=not retain,
        )
        cfn_repository = repository.node.default_child
        assert isinstance(cfn_repository, ecr.CfnRepository)
        cfn_repository.override_logical_id(logical_id)
        return repository
