"""Small hand-made CloudFormation templates (JSON dicts) in the shape `cdk synth` writes, for preflight tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# CDK's bootstrap rule, exactly as synthesized: "BootstrapVersion is not one of 1..5", i.e. 6 or later.
BOOTSTRAP = {
    "Parameters": {
        "BootstrapVersion": {
            "Type": "AWS::SSM::Parameter::Value<String>",
            "Default": "/cdk-bootstrap/hnb659fds/version",
        }
    },
    "Rules": {
        "CheckBootstrapVersion": {
            "Assertions": [
                {
                    "Assert": {"Fn::Not": [{"Fn::Contains": [["1", "2", "3", "4", "5"], {"Ref": "BootstrapVersion"}]}]},
                    "AssertDescription": "CDK bootstrap stack version 6 required.",
                }
            ]
        }
    },
}


def resource(logical_id: str, type_: str, **properties: Any) -> tuple[str, dict[str, Any]]:
    return logical_id, {"Type": type_, "Properties": properties}


def template(*resources: tuple[str, dict[str, Any]], **sections: Any) -> dict[str, Any]:
    return {"Resources": dict(resources), **sections}


def function(logical_id: str, name: str | None, reserved: int | None = None) -> tuple[str, dict[str, Any]]:
    props: dict[str, Any] = {"Runtime": "python3.14", "Handler": "handler.handler"}
    if name:
        props["FunctionName"] = name
    if reserved is not None:
        props["ReservedConcurrentExecutions"] = reserved
    return resource(logical_id, "AWS::Lambda::Function", **props)


def write_assembly(directory: Path, stack_name: str, body: dict[str, Any], *, account: str = "unknown-account") -> Path:
    """A minimal cloud assembly: the stack's template and a manifest naming its environment."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{stack_name}.template.json").write_text(json.dumps(body))
    manifest = {
        "artifacts": {
            stack_name: {
                "type": "aws:cloudformation:stack",
                "environment": f"aws://{account}/ap-northeast-2",
                "properties": {"templateFile": f"{stack_name}.template.json"},
            }
        }
    }
    (directory / "manifest.json").write_text(json.dumps(manifest))
    return directory
