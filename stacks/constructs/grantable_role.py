"""An IAM role whose ``grant_*`` results land in one customer-managed policy instead of an inline policy.

``table.grant_read_write_data(role)`` normally writes an inline ``DefaultPolicy`` (NIST 800-53
IAMNoInlinePolicy). Passing a :class:`GrantableRole` instead sends the same statements to a managed policy
attached to the role, so the composition root keeps using the resources' own ``grant_*`` methods.
"""

from __future__ import annotations

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from constructs import Construct


@jsii.implements(iam.IPrincipal)
class _ManagedPolicyPrincipal:
    """The role as a principal, except that statements granted to it go to ``policy``."""

    def __init__(self, role: iam.Role, policy: iam.ManagedPolicy) -> None:
        self._role = role
        self._policy = policy

    @property
    def grant_principal(self) -> iam.IPrincipal:
        return self

    @property
    def assume_role_action(self) -> str:
        return self._role.assume_role_action

    @property
    def policy_fragment(self) -> iam.PrincipalPolicyFragment:
        return self._role.policy_fragment

    @property
    def principal_account(self) -> str | None:
        return self._role.principal_account

    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        self._policy.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=self._policy)

    def add_to_policy(self, statement: iam.PolicyStatement) -> bool:
        self._policy.add_statements(statement)
        return True


@jsii.implements(iam.IGrantable)
class GrantableRole(Construct):
    """A role and its customer-managed policy; grant to this construct, not to ``.role``."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        assumed_by: iam.IPrincipal,
        description: str,
        role_name: str | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=assumed_by,
            role_name=role_name,
            description=description,
            max_session_duration=cdk.Duration.hours(1),
        )
        # A managed policy without statements fails synth: a role that nothing was granted to is a wiring bug.
        self.policy = iam.ManagedPolicy(self, "Policy", roles=[self.role], description=f"Grants of {description}")
        self._principal = _ManagedPolicyPrincipal(self.role, self.policy)

    @property
    def grant_principal(self) -> iam.IPrincipal:
        return self._principal

    @property
    def role_arn(self) -> str:
        return self.role.role_arn
