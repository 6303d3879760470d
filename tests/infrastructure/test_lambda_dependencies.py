"""Every third-party module the deployed Lambda code imports is provided in the cloud: by the runtime, the
Powertools layer, or our dependency layer (``lambdas/requirements.txt``). A missing one fails at cold start."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# boto3/botocore come with the Lambda Python runtime; the Powertools layer ships these with all its extras.
# urllib3 comes with botocore, which the runtime ships with boto3 (lambdas/grafana_provisioner uses it for HTTP).
RUNTIME_AND_POWERTOOLS = {
    "boto3",
    "botocore",
    "urllib3",
    "aws_lambda_powertools",
    "pydantic",
    "pydantic_core",
    "aws_xray_sdk",
}
# Developer tools inside lambdas/ that run on a laptop, never in a function.
LOCAL_ONLY = {"simulate.py", "evaluate.py", "ingest.py", "datagen.py", "validate_flow.py"}
DISTRIBUTION_MODULES = {
    "phonenumbers": "phonenumbers",
    "pydantic-settings": "pydantic_settings",
    "python-dotenv": "dotenv",
    "typing-inspection": "typing_inspection",
}


def imported_top_level_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def layer_modules() -> set[str]:
    lines = (ROOT / "lambdas/requirements.txt").read_text().splitlines()
    distributions = [line.split("==")[0].strip() for line in lines if line.strip() and not line.startswith("#")]
    return {DISTRIBUTION_MODULES[d] for d in distributions}


def test_given_the_deployed_lambda_code_then_every_third_party_import_is_provided_in_the_cloud() -> None:
    provided = RUNTIME_AND_POWERTOOLS | layer_modules() | set(sys.stdlib_module_names) | {"lambdas", "__future__"}
    missing: dict[str, set[str]] = {}
    for path in (ROOT / "lambdas").rglob("*.py"):
        if path.name in LOCAL_ONLY:
            continue
        unprovided = imported_top_level_modules(path) - provided
        if unprovided:
            missing[str(path.relative_to(ROOT))] = unprovided
    assert missing == {}


def test_given_the_dependency_layer_then_every_pinned_distribution_is_mapped_to_its_module() -> None:
    assert layer_modules() >= {"phonenumbers", "pydantic_settings"}


def test_given_a_synthesized_stack_then_every_platform_function_carries_the_dependency_layer() -> None:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from stacks.config import DEV
    from stacks.platform_stack import PlatformStack

    template = Template.from_stack(PlatformStack(cdk.App(), "DevStack", config=DEV))
    layers = template.find_resources("AWS::Lambda::LayerVersion")
    (layer_id,) = [logical_id for logical_id in layers if logical_id.startswith("LambdaDependencies")]
    functions = template.find_resources("AWS::Lambda::Function")
    ours = {k: f for k, f in functions.items() if "lambdas." in str(f["Properties"].get("Handler", ""))}
    assert len(ours) >= 3  # recommendation API, indexer, call center
    for logical_id, function in ours.items():
        assert {"Ref": layer_id} in function["Properties"]["Layers"], logical_id
