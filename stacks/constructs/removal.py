"""What happens to a stateful resource when its stack is deleted or the resource is replaced."""

from __future__ import annotations

import aws_cdk as cdk


def removal_policy(retain: bool) -> cdk.RemovalPolicy:
    """Kept on deletion and replacement for environments that keep their data (prod), DESTROY for dev.

    Kept means ``RetainExceptOnCreate``: "behaves like Retain for stack operations, except for the stack operation
    that initially created the resource. If the stack operation that created the resource is rolled back,
    CloudFormation deletes the resource" (CloudFormation reference, "DeletionPolicy attribute"). So a failed first
    create leaves no orphan with a fixed name behind to block the retry; UpdateReplacePolicy stays Retain.
    """
    return cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE if retain else cdk.RemovalPolicy.DESTROY
