"""Find existing resources by the physical names a template fixes, one finder per resource type.

Each finder takes the names of its type and returns, for each name that exists, the identifiers CloudFormation may
record as that resource's physical ID (name, ARN, ...), so that the caller can tell the stack's own resources apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from stacks.preflight.context import Context, error_code


@dataclass(frozen=True, kw_only=True)
class Existing:
    identifiers: frozenset[str]
    note: str = ""


Finder = Callable[[Context, list[str]], dict[str, Existing]]


def _each(names: list[str], describe: Callable[[str], Existing], *missing: str) -> dict[str, Existing]:
    """Describe names one by one; the error codes in ``missing`` mean "no such resource"."""
    found = {}
    for name in names:
        try:
            found[name] = describe(name)
        except ClientError as error:
            if error_code(error) not in missing:
                raise
    return found


def _ids(*values: Any) -> frozenset[str]:
    return frozenset(str(v) for v in values if v)


def dynamodb_tables(ctx: Context, names: list[str]) -> dict[str, Existing]:
    # https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html
    def describe(name: str) -> Existing:
        table = ctx.client("dynamodb").describe_table(TableName=name)["Table"]
        return Existing(identifiers=_ids(table["TableName"], table.get("TableArn")))

    return _each(names, describe, "ResourceNotFoundException")


def ecr_repositories(ctx: Context, names: list[str]) -> dict[str, Existing]:
    # https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeRepositories.html
    def describe(name: str) -> Existing:
        (repo,) = ctx.client("ecr").describe_repositories(repositoryNames=[name])["repositories"]
        return Existing(identifiers=_ids(repo["repositoryName"], repo.get("repositoryArn")))

    return _each(names, describe, "RepositoryNotFoundException")


def log_groups(ctx: Context, names: list[str]) -> dict[str, Existing]:
    # Prefix search, then exact match: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html
    paginator = ctx.client("logs").get_paginator("describe_log_groups")
    found = {}
    for name in names:
        for page in paginator.paginate(logGroupNamePrefix=name):
            for group in page["logGroups"]:
                if group["logGroupName"] == name:
                    found[name] = Existing(identifiers=_ids(name, group.get("arn"), group.get("logGroupArn")))
    return found


def secrets(ctx: Context, names: list[str]) -> dict[str, Existing]:
    # A secret scheduled for deletion keeps its name until the recovery window ends (DeletedDate is set):
    # https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html
    # https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html
    def describe(name: str) -> Existing:
        secret = ctx.client("secretsmanager").describe_secret(SecretId=name)
        note = ""
        if secret.get("DeletedDate"):
            note = (
                f" (scheduled for deletion on {secret['DeletedDate']:%Y-%m-%d}: its name stays reserved until then; "
                f"`aws secretsmanager restore-secret --secret-id {name}` and import it, or free the name with "
                f"`aws secretsmanager delete-secret --secret-id {name} --force-delete-without-recovery`)"
            )
        return Existing(identifiers=_ids(secret.get("ARN"), secret.get("Name")), note=note)

    return _each(names, describe, "ResourceNotFoundException")


def iam_roles(ctx: Context, names: list[str]) -> dict[str, Existing]:
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html
    def describe(name: str) -> Existing:
        role = ctx.client("iam").get_role(RoleName=name)["Role"]
        return Existing(identifiers=_ids(role["RoleName"], role.get("Arn"), role.get("RoleId")))

    return _each(names, describe, "NoSuchEntity")


def backup_vaults(ctx: Context, names: list[str]) -> dict[str, Existing]:
    # Listed rather than described: https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListBackupVaults.html
    pages = ctx.client("backup").get_paginator("list_backup_vaults").paginate()
    vaults = {v["BackupVaultName"]: v for page in pages for v in page["BackupVaultList"]}
    return {n: Existing(identifiers=_ids(n, vaults[n].get("BackupVaultArn"))) for n in names if n in vaults}


def lambda_functions(ctx: Context, names: list[str]) -> dict[str, Existing]:
    # https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html
    def describe(name: str) -> Existing:
        config = ctx.client("lambda").get_function(FunctionName=name)["Configuration"]
        return Existing(identifiers=_ids(config["FunctionName"], config.get("FunctionArn")))

    return _each(names, describe, "ResourceNotFoundException")


def kms_aliases(ctx: Context, names: list[str]) -> dict[str, Existing]:
    # https://docs.aws.amazon.com/kms/latest/APIReference/API_ListAliases.html
    pages = ctx.client("kms").get_paginator("list_aliases").paginate()
    aliases = {a["AliasName"]: a for page in pages for a in page["Aliases"]}
    return {n: Existing(identifiers=_ids(n, aliases[n].get("AliasArn"))) for n in names if n in aliases}


def eks_clusters(ctx: Context, names: list[str]) -> dict[str, Existing]:
    # https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeCluster.html
    def describe(name: str) -> Existing:
        cluster = ctx.client("eks").describe_cluster(name=name)["cluster"]
        return Existing(identifiers=_ids(cluster["name"], cluster.get("arn")))

    return _each(names, describe, "ResourceNotFoundException")


def regional_web_acls(ctx: Context, names: list[str]) -> dict[str, Existing]:
    # ListWebACLs pages with NextMarker; CloudFormation's physical ID of a web ACL is "Name|Id|Scope".
    # https://docs.aws.amazon.com/waf/latest/APIReference/API_ListWebACLs.html
    wafv2, acls, marker = ctx.client("wafv2"), {}, None
    while True:
        page = wafv2.list_web_acls(Scope="REGIONAL", Limit=100, **({"NextMarker": marker} if marker else {}))
        acls.update({acl["Name"]: acl for acl in page.get("WebACLs", [])})
        marker = page.get("NextMarker")
        if not marker or not page.get("WebACLs"):
            break
    return {
        n: Existing(identifiers=_ids(f"{n}|{acls[n]['Id']}|REGIONAL", acls[n].get("ARN"), acls[n]["Id"]))
        for n in names
        if n in acls
    }


FINDERS: dict[str, tuple[str, Finder]] = {
    "AWS::DynamoDB::Table": ("DynamoDB table", dynamodb_tables),
    "AWS::ECR::Repository": ("ECR repository", ecr_repositories),
    "AWS::Logs::LogGroup": ("log group", log_groups),
    "AWS::SecretsManager::Secret": ("secret", secrets),
    "AWS::IAM::Role": ("IAM role", iam_roles),
    "AWS::Backup::BackupVault": ("backup vault", backup_vaults),
    "AWS::Lambda::Function": ("Lambda function", lambda_functions),
    "AWS::KMS::Alias": ("KMS alias", kms_aliases),
    "AWS::EKS::Cluster": ("EKS cluster", eks_clusters),
    "AWS::WAFv2::WebACL": ("WAF web ACL", regional_web_acls),
}
