"""The account itself: the right credentials, a CDK bootstrap new enough, and a stack CloudFormation can deploy."""

from __future__ import annotations

from botocore.exceptions import ClientError

from stacks.preflight import template
from stacks.preflight.context import Context, Outcome, error_code


def credentials(ctx: Context) -> Outcome:
    # sts:GetCallerIdentity (called when the session opened) names the account the credentials belong to.
    # https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
    target = ctx.target
    if target.account and target.account != ctx.caller_account:
        return Outcome(
            ok=False,
            detail=f"the credentials ({ctx.caller_arn}) are for account {ctx.caller_account}, but "
            f"{target.stack_name} is synthesized for account {target.account}: use the other account's "
            "credentials, or synthesize again with `-c account=...`",
        )
    pinned = "" if target.account else "; the templates name no account (synthesize with `-c account=...` to pin it)"
    return Outcome(ok=True, detail=f"{ctx.caller_arn} in account {ctx.caller_account}, region {target.region}{pinned}")


def cdk_bootstrap(ctx: Context) -> Outcome:
    # The template's CheckBootstrapVersion rule reads this SSM parameter, which `cdk bootstrap` writes.
    # https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html
    # https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
    parameter, minimum = template.bootstrap_requirement(ctx.target.template)
    bootstrap = f"`npx cdk bootstrap aws://{ctx.caller_account}/{ctx.target.region}`"
    try:
        value = ctx.client("ssm").get_parameter(Name=parameter)["Parameter"]["Value"]
    except ClientError as error:
        if error_code(error) != "ParameterNotFound":
            raise
        return Outcome(ok=False, detail=f"{parameter} not found: this environment is not bootstrapped; run {bootstrap}")
    if not str(value).isdigit() or int(value) < minimum:
        return Outcome(
            ok=False,
            detail=f"bootstrap version {value} is older than the {minimum} the template requires: run {bootstrap} "
            "with this project's CDK CLI",
        )
    return Outcome(ok=True, detail=f"bootstrap version {value} (the template requires {minimum} or later)")


def stack_state(ctx: Context) -> Outcome:
    # Stack statuses: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html
    # A stack in ROLLBACK_COMPLETE cannot be updated, only deleted ("is in ROLLBACK_COMPLETE state and can not be
    # updated", awsdocs/aws-codepipeline-user-guide#5). The CDK CLI deletes a ROLLBACK_COMPLETE/ROLLBACK_FAILED stack
    # itself before creating it again (isCreationFailure in aws-cdk's deployStack), but what the failed create
    # retained survives that delete: delete first, then look at name_collisions, then deploy.
    # UPDATE_ROLLBACK_FAILED: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ContinueUpdateRollback.html
    name = ctx.target.stack_name
    stack = ctx.stack()
    if stack is None:
        return Outcome(ok=True, detail=f"{name} does not exist yet: the deploy is a first create")
    status = stack.status
    delete = f"`aws cloudformation delete-stack --stack-name {name}`"
    advice = {
        "ROLLBACK_COMPLETE": f"a failed first create that cannot be updated: delete it with {delete} (`cdk deploy` "
        "would delete it too), then run preflight again, since resources the failed create retained survive the "
        "delete and collide (name_collisions), fix the cause, deploy again",
        "ROLLBACK_FAILED": f"a failed create whose rollback failed too: delete it with {delete}, retaining or "
        "removing by hand the resources that could not be deleted",
        "DELETE_FAILED": f"a delete that failed: delete it again with {delete}, retaining or fixing the resources "
        "that failed",
        "UPDATE_ROLLBACK_FAILED": "an update whose rollback failed: fix the cause, then "
        f"`aws cloudformation continue-update-rollback --stack-name {name}`",
        "REVIEW_IN_PROGRESS": "holds a change set that was never executed: execute or delete it "
        f"(`aws cloudformation delete-change-set`), or delete the stack with {delete}",
    }
    if status in advice:
        return Outcome(ok=False, detail=f"{name} is {status}, {advice[status]}")
    if status.endswith("_IN_PROGRESS"):
        return Outcome(ok=False, detail=f"{name} is {status}: wait until the running operation finishes")
    if status.endswith("_FAILED"):
        return Outcome(ok=False, detail=f"{name} is {status}: roll it back or fix it in the console first")
    return Outcome(ok=True, detail=f"{name} is {status}: the deploy updates it")
