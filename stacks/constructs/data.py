"""The platform's DynamoDB tables, built from the shared definitions in ``stacks/assets/tables.json``."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

from stacks.config import DataConfig
from stacks.constructs.removal import removal_policy
from stacks.table_specs import Key, TableSpec, load_tables

_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}


def _attribute(key: Key | None) -> dynamodb.Attribute | None:
    return dynamodb.Attribute(name=key.name, type=_ATTRIBUTE_TYPES[key.type]) if key else None


class Data(Construct):
    """Customers, Catalog, Orders and Throttle (login counters): on-demand, KMS-encrypted, PITR on; retained (and
    protected by :class:`TableProtection`) in prod."""

    def __init__(self, scope: Construct, id_: str, *, config: DataConfig, prefix: str, key: kms.IKey) -> None:
        super().__init__(scope, id_)
        self.tables: dict[str, dynamodb.Table] = {
            spec.key: table_from_spec(self, spec, config=config, prefix=prefix, key=key)
            for spec in load_tables().values()
            if spec.owner == "data"  # other tables belong to their capability's construct (e.g. Recommendation)
        }

    @property
    def customers(self) -> dynamodb.Table:
        return self.tables["customers"]

    @property
    def catalog(self) -> dynamodb.Table:
        return self.tables["catalog"]

    @property
    def orders(self) -> dynamodb.Table:
        return self.tables["orders"]

    @property
    def throttle(self) -> dynamodb.Table:
        return self.tables["throttle"]


def table_from_spec(
    scope: Construct, spec: TableSpec, *, config: DataConfig, prefix: str, key: kms.IKey
) -> dynamodb.Table:
    """A table from its shared definition with the platform's defaults; the one way any construct builds a table."""
    table = dynamodb.Table(
        scope,
        spec.logical_id,
        table_name=spec.table_name(prefix),
        partition_key=_attribute(spec.partition_key),
        sort_key=_attribute(spec.sort_key),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryption_key=key,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        # Kept tables get deletion protection from TableProtection once the stack exists (see its docstring).
        deletion_protection=None,
        removal_policy=removal_policy(config.retain),
        stream=dynamodb.StreamViewType[spec.stream] if spec.stream else None,
        time_to_live_attribute=spec.ttl_attribute,
    )
    for index in spec.indexes:
        table.add_global_secondary_index(
            index_name=index.name,
            partition_key=_attribute(index.partition_key),
            sort_key=_attribute(index.sort_key),
            projection_type=dynamodb.ProjectionType.ALL,
        )
    # Stable, readable logical IDs: refactoring the construct tree must never replace a table.
    cfn_table = table.node.default_child
    assert isinstance(cfn_table, dynamodb.CfnTable)
    cfn_table.override_logical_id(spec.logical_id)
    return table
