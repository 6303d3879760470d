"""Deletion protection for the tables of an environment that keeps its data, switched on once the stack exists.

A table created with ``DeletionProtectionEnabled`` cannot be deleted by anyone, CloudFormation's rollback included
(DynamoDB developer guide, "Using deletion protection"; DeleteTable then fails). With a fixed table name, a first
``cdk deploy`` that fails after the tables were made would leave them behind, in DELETE_FAILED, and the retry would
fail with "already exists". So the tables are created unprotected, with ``RetainExceptOnCreate`` (a failed first
create deletes them), and this custom resource, which CloudFormation runs after every other resource of the stack,
turns protection on with UpdateTable. From then on no rollback, stack deletion or person can delete them without
first switching protection off on purpose. The template never mentions the property, so CloudFormation never
switches it back.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import custom_resources as cr
from constructs import Construct, IConstruct

from stacks.constructs.aws_api_call import AwsApiCalls


class TableProtection(Construct):
    """One ``Custom::TableDeletionProtection`` per table, each depending on everything else in the stack."""

    def __init__(self, scope: Construct, id_: str, *, tables: Sequence[dynamodb.ITable], calls: AwsApiCalls) -> None:
        super().__init__(scope, id_)
        self.resources: list[cr.AwsCustomResource] = []
        for table in tables:
            protect = cr.AwsSdkCall(
                service="DynamoDB",
                action="UpdateTable",
                parameters={"TableName": table.table_name, "DeletionProtectionEnabled": True},
                physical_resource_id=cr.PhysicalResourceId.of(f"{table.table_name}-deletion-protection"),
            )
            logical_id = cdk.Stack.of(self).get_logical_id(_cfn(table))
            self.resources.append(
                calls.call(
                    self,
                    logical_id,
                    resource_type="Custom::TableDeletionProtection",
                    on_create=protect,
                    on_update=protect,
                    # Removing this resource (or the stack) leaves protection on: the table is retained anyway.
                    statements=[iam.PolicyStatement(actions=["dynamodb:UpdateTable"], resources=[table.table_arn])],
                )
            )

    def after(self, constructs: Sequence[IConstruct]) -> None:
        """Run only once ``constructs`` (the rest of the stack) are created: last in the first deployment."""
        for resource in self.resources:
            for construct in constructs:
                if construct is not self:
                    resource.node.add_dependency(construct)


def _cfn(table: dynamodb.ITable) -> cdk.CfnElement:
    cfn_table = table.node.default_child
    assert isinstance(cfn_table, cdk.CfnElement)
    return cfn_table
