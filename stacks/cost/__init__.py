"""Monthly cost of the synthesized stacks: ``python -m stacks.cost cdk.out [--json]`` and ``... diff BASE HEAD``.

Every resource of every template is priced from the committed, dated price table
(``stacks/assets/prices/<region>.yaml``) or declared free there; usage the templates cannot show comes from
``stacks/assets/prices/usage-<environment>.yaml``. A type that is neither makes the command exit non-zero.
"""
