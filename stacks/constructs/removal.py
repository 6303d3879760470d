"""What happens to a stateful resource when its stack is deleted or the resource is replaced."""

from __future__ import annotations

import aws_cdk as cdk


def removal_policy(retain: bool) -> cdk.RemovalPolicy:
    """RETAIN for environments that keep their data (prod), DESTROY for disposable ones (dev)."""
    return cdk.RemovalPolicy.RETAIN if retain else cdk.RemovalPolicy.DESTROY
