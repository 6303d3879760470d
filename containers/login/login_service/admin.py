"""Operator commands: ``python -m login_service.admin create-staff --email E --name N --phone P``.

The password comes from ``STAFF_PASSWORD`` (never the command line, which other users of the host can read).
Runs with the login service's settings (``CUSTOMERS_TABLE``, ``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL``):
``make staff`` on the local platform, or in a login pod in the cloud. Staff accounts are written exactly
like signups (same email lock), so nothing can shadow them and they shadow nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from login_service.auth_logic import create_account
from login_service.customers_repository import CustomersRepository, EmailTakenError
from login_service.models import SignupRequest
from login_service.passwords import Passwords
from login_service.settings import Settings
from service_kit.aws import dynamodb_client
from service_kit.errors import validation_details

PASSWORD_VARIABLE = "STAFF_PASSWORD"  # noqa: S105 - the variable's name, not a password


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m login_service.admin", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    staff = commands.add_parser("create-staff", help=f"create a staff account (password from ${PASSWORD_VARIABLE})")
    staff.add_argument("--email", required=True)
    staff.add_argument("--name", required=True)
    staff.add_argument("--phone", required=True)
    args = parser.parse_args(argv)

    password = os.environ.get(PASSWORD_VARIABLE, "")
    if not password:
        sys.stderr.write(f"error: set {PASSWORD_VARIABLE} to the new account's password\n")
        return 2
    try:
        request = SignupRequest(email=args.email, password=password, name=args.name, phone=args.phone)
    except ValidationError as error:
        for detail in validation_details(error.errors()):
            sys.stderr.write(f"error: {'.'.join(map(str, detail['loc']))}: {detail['msg']}\n")
        return 2
    settings = Settings()
    customers = CustomersRepository(dynamodb_client(settings.aws_default_region), settings.customers_table)
    try:
        customer_id = create_account(customers, Passwords(concurrency=1), request, role="staff", now=datetime.now(UTC))
    except EmailTakenError:
        sys.stderr.write(f"error: {request.email} is already registered\n")
        return 1
    except (BotoCoreError, ClientError) as error:
        sys.stderr.write(f"error: cannot write to {settings.customers_table} (is the platform running?): {error}\n")
        return 1
    sys.stdout.write(f"created staff account {customer_id} for {request.email} in {settings.customers_table}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
