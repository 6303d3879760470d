"""What CloudFormation already holds: a stack's status and the physical ID of each of its resources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError


@dataclass(frozen=True, kw_only=True)
class StackResource:
    type: str
    physical_id: str


@dataclass(frozen=True, kw_only=True)
class DeployedStack:
    name: str
    status: str
    resources: dict[str, StackResource]  # by logical ID

    def physical_id(self, logical_id: str) -> str | None:
        resource = self.resources.get(logical_id)
        return resource.physical_id if resource else None

    def physical_ids(self, type_: str) -> set[str]:
        return {r.physical_id for r in self.resources.values() if r.type == type_}


def describe(cloudformation: Any, name: str) -> DeployedStack | None:
    """The live stack, or None when no stack of that name exists (deleted stacks are not found by name)."""
    try:
        (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        # DescribeStacks answers ValidationError "Stack with id NAME does not exist" for an absent stack.
        if error.response["Error"]["Code"] == "ValidationError" and "does not exist" in str(error):
            return None
        raise
    # ListStackResources, not DescribeStackResources: the latter returns only the first 100 resources.
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResources.html
    resources = {}
    for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=name):
        for summary in page["StackResourceSummaries"]:
            resources[summary["LogicalResourceId"]] = StackResource(
                type=summary["ResourceType"], physical_id=summary.get("PhysicalResourceId", "")
            )
    return DeployedStack(name=name, status=stack["StackStatus"], resources=resources)
