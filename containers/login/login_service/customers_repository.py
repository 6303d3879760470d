"""All DynamoDB access to the Customers table.

Email uniqueness: a customer is written together with a lock item ``{customer_id: "email#<email>", owner}``
in one transaction, both conditional on not existing. The lock has no email or phone attribute, so it
never shows up in the ``by-email``/``by-phone`` indexes. Accounts written before locks existed (or by hand)
have no lock: ``create`` also refuses an email the ``by-email`` index already holds, so a signup can never
shadow such an account (e.g. a staff account) with a lock of its own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import ClientError

from service_kit.aws import cancellation_codes, from_item, to_item
from service_kit.errors import ConflictError

EMAIL_LOCK_PREFIX = "email#"
EMAIL_INDEX = "by-email"


@dataclass(frozen=True, kw_only=True)
class Customer:
    customer_id: str
    email: str
    password_hash: str
    name: str
    phone: str
    role: str
    created_at: str


class EmailTakenError(ConflictError):
    def __init__(self) -> None:
        super().__init__("email already registered")


class CustomersRepository:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def create(self, customer: Customer) -> None:
        if self._find_in_index(customer.email) is not None:
            raise EmailTakenError()
        lock = {"customer_id": EMAIL_LOCK_PREFIX + customer.email, "owner": customer.customer_id}
        condition = "attribute_not_exists(customer_id)"
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": to_item(asdict(customer)),
                            "ConditionExpression": condition,
                        }
                    },
                    {"Put": {"TableName": self._table, "Item": to_item(lock), "ConditionExpression": condition}},
                ]
            )
        except ClientError as exc:
            codes = cancellation_codes(exc)
            # The lock exists, or a concurrent signup with the same email is writing it right now.
            if len(codes) > 1 and codes[1] in ("ConditionalCheckFailed", "TransactionConflict"):
                if self._locked_by(customer):
                    # Our own write, landed by an earlier attempt of this very call: botocore resends a request
                    # whose answer timed out (BOTO_CONFIG's read_timeout; boto3 guide, "Retries": standard mode
                    # retries socket timeouts), and the resend then fails its own conditions. It is a success.
                    return
                raise EmailTakenError() from exc
            raise

    def _locked_by(self, customer: Customer) -> bool:
        lock = self._get(EMAIL_LOCK_PREFIX + customer.email)
        return lock is not None and lock.get("owner") == customer.customer_id

    def find_by_email(self, email: str) -> Customer | None:
        """Through the email lock (strongly consistent); customers written without one, through the index."""
        lock = self._get(EMAIL_LOCK_PREFIX + email)
        if lock is not None:
            return self.get(str(lock["owner"]))
        return self._find_in_index(email)

    def replace_password_hash(self, customer_id: str, *, old: str, new: str) -> bool:
        """Swaps the stored hash if it is still ``old`` (a concurrent change wins); True when replaced."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_item({"customer_id": customer_id}),
                UpdateExpression="SET password_hash = :new",
                ConditionExpression="password_hash = :old",
                ExpressionAttributeValues=to_item({":new": new, ":old": old}),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _find_in_index(self, email: str) -> Customer | None:
        response = self._client.query(
            TableName=self._table,
            IndexName=EMAIL_INDEX,
            KeyConditionExpression="email = :email",
            ExpressionAttributeValues=to_item({":email": email}),
            Limit=10,
        )
        for raw in response.get("Items", []):
            customer = customer_from_values(from_item(raw))
            if customer is not None:
                return customer
        return None

    def get(self, customer_id: str) -> Customer | None:
        values = self._get(customer_id)
        return customer_from_values(values) if values else None

    def _get(self, customer_id: str) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self._table, Key=to_item({"customer_id": customer_id}), ConsistentRead=True
        )
        item = response.get("Item")
        return from_item(item) if item else None


def customer_from_values(values: dict[str, Any]) -> Customer | None:
    """A customer item, or ``None`` for items that are not complete customers (e.g. locks)."""
    if not isinstance(values.get("password_hash"), str) or not isinstance(values.get("email"), str):
        return None
    return Customer(
        customer_id=str(values["customer_id"]),
        email=str(values["email"]),
        password_hash=str(values["password_hash"]),
        name=str(values.get("name", "")),
        phone=str(values.get("phone", "")),
        role="staff" if values.get("role") == "staff" else "customer",
        created_at=str(values.get("created_at", "")),
    )
