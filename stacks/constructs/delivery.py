"""Delivery: ECR repositories for the images, and the role GitHub Actions assumes (OIDC) to push them.

No long-lived AWS keys in GitHub: a workflow run on the release branch of this repository exchanges its OIDC
token for the ``<prefix>-github-release`` role, which may push and pull these repositories and nothing else.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from stacks.config import DeliveryConfig
from stacks.constructs.grantable_role import GrantableRole
from stacks.constructs.removal import removal_policy

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
IMAGES = ("login", "order", "loadgen")  # repository <prefix>-<image>


class Delivery(Construct):
    """``repositories`` by image name, and ``release_role`` for GitHub Actions."""

    def __init__(
        self, scope: Construct, id_: str, *, config: DeliveryConfig, prefix: str, key: kms.IKey, retain: bool
    ) -> None:
        super().__init__(scope, id_)
        self.repositories = {
            image: self._repository(image, config=config, prefix=prefix, key=key, retain=retain) for image in IMAGES
        }
        provider = self._github_provider(create=config.create_github_oidc_provider)
        self.release_role = GrantableRole(
            self,
            "ReleaseRole",
            role_name=f"{prefix}-github-release",
            description=f"GitHub Actions runs of {config.release_subject} pushing images",
            assumed_by=iam.WebIdentityPrincipal(
                provider.oidc_provider_arn,
                conditions={
                    "StringEquals": {
                        f"{GITHUB_OIDC_HOST}:aud": "sts.amazonaws.com",
                        f"{GITHUB_OIDC_HOST}:sub": config.release_subject,
                    }
                },
            ),
        )
        for repository in self.repositories.values():
            repository.grant_pull_push(self.release_role)  # + ecr:GetAuthorizationToken, which has no resource
            # CI waits for the push scan and reads its findings before it bumps a tag in Git.
            repository.grant(self.release_role, "ecr:DescribeImages", "ecr:DescribeImageScanFindings")

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

    def _github_provider(self, *, create: bool) -> iam.IOidcProvider:
        """GitHub's OIDC issuer; IAM allows one per account, so a second stack there imports the first one's."""
        if create:
            return iam.OidcProviderNative(
                self, "GitHubOidcProvider", url=f"https://{GITHUB_OIDC_HOST}", client_ids=["sts.amazonaws.com"]
            )
        stack = cdk.Stack.of(self)
        arn = f"arn:{stack.partition}:iam::{stack.account}:oidc-provider/{GITHUB_OIDC_HOST}"
        return iam.OidcProviderNative.from_oidc_provider_arn(self, "GitHubOidcProvider", arn)
