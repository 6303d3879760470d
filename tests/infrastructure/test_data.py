"""Tables follow the shared definitions; data is encrypted, recoverable, and kept in prod."""

from __future__ import annotations

from aws_cdk.assertions import Template

from stacks.config import EnvironmentConfig
from stacks.table_specs import load_tables
from tests.infrastructure.conftest import resources

TABLE_IDS = {"CustomersTable", "CatalogTable", "OrdersTable", "RecommendationsTable"}


def tables(template: Template) -> dict[str, dict]:
    return resources(template, "AWS::DynamoDB::Table")


def test_given_an_environment_then_the_four_tables_exist_with_stable_logical_ids(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    found = tables(template)
    assert set(found) == TABLE_IDS
    names = {t["Properties"]["TableName"] for t in found.values()}
    assert names == {f"tlj-{config.name}-{key}" for key in ("customers", "catalog", "orders", "recommendations")}


def test_given_an_environment_then_every_table_is_on_demand_kms_encrypted_and_has_pitr(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    _, template = env_template
    for table_id, table in tables(template).items():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST", table_id
        assert props["SSESpecification"]["SSEEnabled"] is True, table_id
        assert props["SSESpecification"]["SSEType"] == "KMS", table_id
        assert "Fn::GetAtt" in props["SSESpecification"]["KMSMasterKeyId"], f"{table_id} must use our CMK"
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, table_id


def test_given_prod_then_tables_are_retained_and_protected(prod: Template) -> None:
    for table_id, table in tables(prod).items():
        assert table["DeletionPolicy"] == "Retain", table_id
        assert table["UpdateReplacePolicy"] == "Retain", table_id
        assert table["Properties"]["DeletionProtectionEnabled"] is True, table_id


def test_given_dev_then_tables_are_disposable(dev: Template) -> None:
    for table_id, table in tables(dev).items():
        assert table["DeletionPolicy"] == "Delete", table_id
        assert table["Properties"].get("DeletionProtectionEnabled", False) is False, table_id


def test_given_the_shared_definitions_then_keys_and_indexes_match_them(prod: Template) -> None:
    found = tables(prod)
    for spec in load_tables().values():
        props = found[spec.logical_id]["Properties"]
        key_schema = {k["AttributeName"]: k["KeyType"] for k in props["KeySchema"]}
        expected = {spec.partition_key.name: "HASH"} | ({spec.sort_key.name: "RANGE"} if spec.sort_key else {})
        assert key_schema == expected
        indexes = {i["IndexName"]: i for i in props.get("GlobalSecondaryIndexes", [])}
        assert set(indexes) == {i.name for i in spec.indexes}


def test_given_customers_then_they_can_be_found_by_email_and_by_phone(prod: Template) -> None:
    props = tables(prod)["CustomersTable"]["Properties"]
    keys = {i["IndexName"]: i["KeySchema"][0]["AttributeName"] for i in props["GlobalSecondaryIndexes"]}
    assert keys == {"by-email": "email", "by-phone": "phone"}


def test_given_orders_then_they_stream_new_and_old_images_and_are_indexed_by_phone(prod: Template) -> None:
    props = tables(prod)["OrdersTable"]["Properties"]
    assert props["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    (index,) = props["GlobalSecondaryIndexes"]
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["phone", "created_at"]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_given_an_environment_then_aws_backup_covers_every_table(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    covered = {
        r["Fn::GetAtt"][0]
        for selection in resources(template, "AWS::Backup::BackupSelection").values()
        for r in selection["Properties"]["BackupSelection"]["Resources"]
    }
    assert covered == TABLE_IDS
    (plan,) = resources(template, "AWS::Backup::BackupPlan").values()
    (rule,) = plan["Properties"]["BackupPlan"]["BackupPlanRule"]
    assert rule["Lifecycle"]["DeleteAfterDays"] == config.data.backup_retention_days


def test_given_an_environment_then_every_kms_key_rotates(env_template: tuple[EnvironmentConfig, Template]) -> None:
    _, template = env_template
    keys = resources(template, "AWS::KMS::Key")
    assert len(keys) == 3
    assert all(k["Properties"]["EnableKeyRotation"] is True for k in keys.values())
