"""Log groups with the project defaults: KMS-encrypted, retention from config, removal per environment."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.constructs.removal import removal_policy

# CloudWatch Logs accepts only these retention periods; config gives days and we map them to the enum.
_RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
}


def retention(days: int) -> logs.RetentionDays:
    try:
        return _RETENTION[days]
    except KeyError:
        allowed = sorted(_RETENTION)
        raise ValueError(f"log retention of {days} days is not one CloudWatch Logs offers: {allowed}") from None


def encrypted_log_group(
    scope: Construct,
    id_: str,
    *,
    key: kms.IKey,
    retention_days: int,
    retain: bool,
    name: str | None = None,
) -> logs.LogGroup:
    return logs.LogGroup(
        scope,
        id_,
        log_group_name=name,
        encryption_key=key,
        retention=retention(retention_days),
        removal_policy=removal_policy(retain),
    )
