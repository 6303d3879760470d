"""Run each check on its own: an API that is denied or unreachable fails that check only, never the run."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from botocore.exceptions import BotoCoreError, ClientError

from stacks.preflight.context import CheckResult, Context, Outcome, error_code

Check = Callable[[Context], Outcome]

# The codes AWS services use for a missing IAM permission (EC2 says UnauthorizedOperation, SNS AuthorizationError).
ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}


def run(checks: Iterable[Check], context: Context) -> list[CheckResult]:
    return [_run_one(check, context) for check in checks]


def _run_one(check: Check, context: Context) -> CheckResult:
    try:
        outcome = check(context)
    except ClientError as error:
        outcome = Outcome(ok=False, detail=describe_error(error))
    except BotoCoreError as error:
        outcome = Outcome(ok=False, detail=f"could not ask AWS: {error}")
    return CheckResult(name=check.__name__, ok=outcome.ok, detail=outcome.detail)


def describe_error(error: ClientError) -> str:
    code = error_code(error)
    message = error.response.get("Error", {}).get("Message", "")
    if code in ACCESS_DENIED:
        return (
            f"access denied to {error.operation_name} ({code}): the operator's role needs this read permission "
            f"to run this check. {message}".strip()
        )
    if code.isdigit():  # no AWS error in the body: an endpoint (or emulator) without this API
        return f"{error.operation_name} failed: HTTP {code} from the endpoint, which may not offer this API"
    return f"{error.operation_name} failed ({code}): {message[:300]}"
