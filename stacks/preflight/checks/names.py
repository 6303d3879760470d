"""Fixed physical names that already belong to something else: CloudFormation's create would fail on each."""

from __future__ import annotations

from collections import defaultdict

from stacks.preflight import template
from stacks.preflight.checks.finders import FINDERS
from stacks.preflight.context import Context, Outcome


def name_collisions(ctx: Context) -> Outcome:
    # A resource is the stack's own when CloudFormation lists it under the same logical ID (ListStackResources).
    # Tags alone do not prove it: a RETAIN resource keeps its aws:cloudformation:stack-name tag after its stack is
    # deleted, and a second create of that stack then fails on the name.
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
    fixed = template.fixed_names(ctx.target.template)
    if not fixed:
        return Outcome(ok=True, detail="the template fixes no physical name")
    by_type = defaultdict(list)
    for name in fixed:
        by_type[name.type].append(name)
    stack = ctx.stack()
    collisions = []
    for type_, names in by_type.items():
        label, finder = FINDERS[type_]
        found = finder(ctx, [n.name for n in names])
        for name in names:
            existing = found.get(name.name)
            if existing is None:
                continue
            if stack is not None and stack.physical_id(name.logical_id) in existing.identifiers:
                continue
            collisions.append(f"{label} {name.name}{existing.note}")
    if not collisions:
        return Outcome(ok=True, detail=f"none of the {len(fixed)} fixed names is taken by another resource")
    why = (
        f"{ctx.target.stack_name} does not exist, so these were left by a failed or deleted earlier create (retained "
        "resources) or belong to another project"
        if stack is None
        else f"{ctx.target.stack_name} does not own them"
    )
    return Outcome(
        ok=False,
        detail=f"{len(collisions)} name(s) taken: {'; '.join(collisions)}. {why}: delete them, import them into the "
        "stack (`npx cdk import`), or rename",
    )
