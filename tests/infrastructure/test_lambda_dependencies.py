"""What the deployed Lambda code needs and holds.

* Every third-party module the shipped code imports is provided in the cloud: by the runtime, the Powertools layer,
  or our dependency layer (``lambdas/requirements.txt``). A missing one fails at cold start.
* Each function's code asset holds exactly the modules its handler imports (``lambda_factory.runtime_files``): the
  real import closure of the handler is inside it, CDK's staging keeps exactly those files, and the tools (simulator,
  validator, datagen, evaluate, ingest...) are not shipped.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stacks.constructs.lambda_assets import CACHES_EXCLUDE, asset_exclude, runtime_files

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = (
    "lambdas.call_center.handler.handler",
    "lambdas.recommendation.handler.handler",
    "lambdas.reco_indexer.handler.handler",
    "lambdas.grafana_provisioner.handler.handler",
)
# Tools that run from the repository, never in a function (interfaces.md point 5).
TOOLS = {
    "lambdas/call_center/simulate.py",
    "lambdas/call_center/validate_flow.py",
    "lambdas/call_center/interpreter.py",
    "lambdas/call_center/flow_model.py",
    "lambdas/call_center/contact.py",
    "lambdas/call_center/invoker.py",
    "lambdas/call_center/transcript.py",
    "lambdas/call_center/template.py",
    "lambdas/call_center/flows.py",
    "lambdas/recommendation/datagen.py",
    "lambdas/recommendation/evaluate.py",
    "lambdas/recommendation/ingest.py",
    "lambdas/recommendation/transactions.py",
    "lambdas/recommendation/memory.py",
}
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
DISTRIBUTION_MODULES = {"phonenumbers": "phonenumbers"}
# What the Lambda runtime sets (fake credentials: the init makes clients but sends nothing).
LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "tlj-test",
    "LAMBDA_TASK_ROOT": str(ROOT),
    "AWS_DEFAULT_REGION": "ap-northeast-2",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "RECOMMENDATIONS_TABLE": "tlj-test-recommendations",
    "CATALOG_TABLE": "tlj-test-catalog",
    "DASHBOARDS_DIR": str(ROOT / "stacks" / "assets" / "grafana"),
}
PROBE = (
    "import importlib, json, sys; importlib.import_module(sys.argv[1]); "
    "print(json.dumps(sorted(m.__file__ for n, m in list(sys.modules.items()) "
    "if n.split('.')[0] == 'lambdas' and getattr(m, '__file__', None))))"
)


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


def imported_in_lambda(handler: str) -> set[str]:
    """The repository files under lambdas/ in ``sys.modules`` after Lambda's init imported ``handler``'s module."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))} | LAMBDA_ENV
    module = handler.rpartition(".")[0]
    out = subprocess.run(
        [sys.executable, "-c", PROBE, module], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return {str(Path(f).resolve().relative_to(ROOT)) for f in json.loads(out.strip().splitlines()[-1])}


def test_given_the_deployed_lambda_code_then_every_third_party_import_is_provided_in_the_cloud() -> None:
    provided = RUNTIME_AND_POWERTOOLS | layer_modules() | set(sys.stdlib_module_names) | {"lambdas", "__future__"}
    shipped = {path for handler in HANDLERS for path in runtime_files(handler)}
    missing = {path: imported_top_level_modules(ROOT / path) - provided for path in shipped}
    assert {path: names for path, names in missing.items() if names} == {}


def test_given_the_dependency_layer_then_every_pinned_distribution_is_mapped_to_its_module() -> None:
    assert layer_modules() >= {"phonenumbers"}


@pytest.mark.parametrize("handler", HANDLERS)
def test_given_a_handler_then_its_asset_holds_what_lambda_imports_and_no_tool(handler: str) -> None:
    # Given the files of the handler's asset, and the modules its module really loads in a fresh Lambda-like process
    shipped = set(runtime_files(handler))
    imported = imported_in_lambda(handler)
    # Then everything imported is shipped, nothing else from the repository is, and no tool is
    assert imported <= shipped
    assert all(path.startswith("lambdas/") for path in shipped)
    assert shipped & TOOLS == set()


def test_given_the_exclude_rules_then_cdk_stages_exactly_the_runtime_files(tmp_path: Path) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_

    handler = "lambdas.call_center.handler.handler"
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "AssetProbe")
    code = lambda_.Code.from_asset(str(ROOT), exclude=asset_exclude(handler), ignore_mode=cdk.IgnoreMode.GIT)
    lambda_.Function(stack, "Probe", runtime=lambda_.Runtime.PYTHON_3_12, handler=handler, code=code)
    app.synth()
    (staged,) = [p for p in tmp_path.iterdir() if p.is_dir() and p.name.startswith("asset.")]
    files = {str(p.relative_to(staged)) for p in staged.rglob("*") if p.is_file()}
    assert files == set(runtime_files(handler))
    assert "__pycache__/" in CACHES_EXCLUDE


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
