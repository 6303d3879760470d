"""Tables follow the shared definitions; data is encrypted, recoverable, and kept in prod."""

from __future__ import annotations

import json

from aws_cdk.assertions import Template

from stacks.config import PROD, EnvironmentConfig
from stacks.table_specs import load_tables
from tests.infrastructure.conftest import resources

TABLE_IDS = {"CustomersTable", "CatalogTable", "OrdersTable", "ThrottleTable", "RecommendationsTable"}


def tables(template: Template) -> dict[str, dict]:
    return resources(template, "AWS::DynamoDB::Table")


def test_given_an_environment_then_the_five_tables_exist_with_stable_logical_ids(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    found = tables(template)
    assert set(found) == TABLE_IDS
    names = {t["Properties"]["TableName"] for t in found.values()}
    keys = ("customers", "catalog", "orders", "throttle", "recommendations")
    assert names == {f"tlj-{config.name}-{key}" for key in keys}


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


def test_given_prod_then_tables_are_kept_except_when_their_first_create_rolls_back(prod: Template) -> None:
    for table_id, table in tables(prod).items():
        assert table["DeletionPolicy"] == "RetainExceptOnCreate", table_id
        assert table["UpdateReplacePolicy"] == "Retain", table_id
        # Protection comes from TableProtection once the stack exists; the template never sets it (so a rollback
        # of the first create can delete the table, and CloudFormation never switches protection back off).
        assert "DeletionProtectionEnabled" not in table["Properties"], table_id


def test_given_prod_then_every_table_is_protected_by_a_custom_resource_that_runs_after_everything_else(
    prod: Template,
) -> None:
    protections = resources(prod, "Custom::TableDeletionProtection")
    protected = set()
    everything = set(prod.to_json()["Resources"])
    for logical_id, protection in protections.items():
        # The SDK call is a JSON string joined with the table's Ref.
        text = json.dumps(protection["Properties"]["Create"]).replace("\\", "")
        assert '"action":"UpdateTable"' in text, logical_id
        assert '"DeletionProtectionEnabled":true' in text, logical_id
        protected |= {table_id for table_id in TABLE_IDS if f'{{"Ref": "{table_id}"}}' in text}
        # Every resource but the custom-resource machinery (the provider function, its role and policy, and the
        # other protections) is created first, so a failed first create never protects a table.
        waits_for = set(protection.get("DependsOn", []))
        machinery = {r for r in everything if r.startswith(("AWS679f53fac002430cb0da5b7982bd2287", "AwsApiCalls"))}
        missing = everything - waits_for - machinery - set(protections) - {logical_id}
        assert missing == set(), f"{logical_id} does not wait for {sorted(missing)[:5]}"
    assert protected == TABLE_IDS
    assert "Delete" not in json.dumps([p["Properties"].get("Delete") for p in protections.values()])


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


def test_given_prod_then_aws_backup_covers_every_table(prod: Template) -> None:
    template, config = prod, PROD
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
    config, template = env_template
    keys = resources(template, "AWS::KMS::Key")
    # data, EKS secrets, logs, the alarm topic's (its policy admits CloudWatch), and with Contact Lens the recordings'
    assert len(keys) == 4 + config.call_center.contact_lens
    assert all(k["Properties"]["EnableKeyRotation"] is True for k in keys.values())


def test_given_dev_then_there_is_no_backup_vault_so_destroy_can_delete_everything(dev: Template) -> None:
    # A vault with recovery points cannot be deleted (AWS Backup DeleteBackupVault); PITR covers dev.
    for kind in ("AWS::Backup::BackupVault", "AWS::Backup::BackupPlan", "AWS::Backup::BackupSelection"):
        assert resources(dev, kind) == {}, kind
    assert resources(dev, "Custom::TableDeletionProtection") == {}
    assert all(
        t["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] for t in tables(dev).values()
    )


def test_given_the_throttle_table_then_its_counters_expire_through_ttl(prod: Template) -> None:
    props = tables(prod)["ThrottleTable"]["Properties"]
    assert [k["AttributeName"] for k in props["KeySchema"]] == ["pk"]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert "StreamSpecification" not in props
