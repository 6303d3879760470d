"""AWS Backup for the stateful tables: daily recovery points in an encrypted vault, on top of PITR."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from constructs import Construct

from stacks.constructs.removal import removal_policy


class Backup(Construct):
    """A vault and a daily plan; PITR covers the last 35 days to the second, this keeps older days too."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        retention_days: int,
        retain: bool,
        prefix: str,
        key: kms.IKey,
        tables: Sequence[dynamodb.ITable],
    ) -> None:
        super().__init__(scope, id_)
        removal = removal_policy(retain)
        self.vault = backup.BackupVault(
            self, "Vault", backup_vault_name=f"{prefix}-vault", encryption_key=key, removal_policy=removal
        )
        self.plan = backup.BackupPlan(self, "Plan", backup_plan_name=f"{prefix}-tables", backup_vault=self.vault)
        self.plan.add_rule(
            backup.BackupPlanRule(
                rule_name="daily",
                schedule_expression=events.Schedule.cron(hour="18", minute="0"),  # 03:00 in Seoul
                delete_after=cdk.Duration.days(retention_days),
            )
        )
        self.plan.add_selection(
            "Tables", resources=[backup.BackupResource.from_dynamo_db_table(table) for table in tables]
        )
