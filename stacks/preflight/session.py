"""Open the AWS session for the checks: credentials must exist and STS must accept them, or nothing runs."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError

from stacks.preflight.assembly import Target
from stacks.preflight.context import Context, error_code

# Few, quick retries (botocore's standard mode retries throttling and transient errors): a preflight must answer
# fast, also when an endpoint is unreachable. https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html
CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=30)


class SessionError(Exception):
    """No usable AWS credentials or no reachable AWS endpoint: the checks cannot run at all."""


def connect(target: Target) -> Context:
    """A context for ``target``; boto3 itself honours AWS_ENDPOINT_URL, AWS_PROFILE and the other variables."""
    try:
        session = boto3.Session(region_name=target.region)
        if session.get_credentials() is None:
            raise NoCredentialsError()
        # GetCallerIdentity needs no permission, so it only tests the credentials themselves.
        # https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
        identity = session.client("sts", config=CONFIG).get_caller_identity()
    except NoCredentialsError as error:
        raise SessionError(
            "no AWS credentials found: set AWS_PROFILE (e.g. after `aws sso login`) or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY for the account to deploy to"
        ) from error
    except EndpointConnectionError as error:
        raise SessionError(
            f"cannot reach AWS at {error.kwargs.get('endpoint_url')}: check the network (and AWS_ENDPOINT_URL, if set)"
        ) from error
    except ClientError as error:
        raise SessionError(f"AWS refused the credentials ({error_code(error)}): {error}") from error
    except BotoCoreError as error:
        raise SessionError(f"cannot use the AWS credentials: {error}") from error

    def client(service: str) -> Any:
        return session.client(service, config=CONFIG)

    return Context(target=target, caller_account=identity["Account"], caller_arn=identity["Arn"], client_factory=client)
