"""Read-only AWS checks before ``cdk deploy``: ``python -m stacks.preflight --env dev|prod [--json]``.

Everything checked is read from the synthesized templates in ``cdk.out`` (what will really be deployed), so no
configuration logic is repeated here. ``template`` reads templates, ``assembly`` finds them, ``checks`` asks AWS.
"""
