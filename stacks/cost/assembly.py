"""The stacks of a cloud assembly (cdk.out): template, region and environment of each, from manifest.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stacks.cost.model import CostError

DEFAULT_REGION = "ap-northeast-2"


@dataclass(frozen=True, kw_only=True)
class SynthesizedStack:
    name: str
    environment: str  # the stack's `environment` tag (dev, prod), else the lower-cased name without "Stack"
    region: str
    template: dict[str, Any]


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as error:
        raise CostError(f"{path} not found: synthesize first with `make synth`") from error
    except (OSError, json.JSONDecodeError) as error:
        raise CostError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise CostError(f"{path} is not a JSON object")
    return data


def _environment_of(name: str, tags: dict[str, str]) -> str:
    return tags.get("environment") or name.removesuffix("Stack").lower()


def load(cdk_out: Path) -> list[SynthesizedStack]:
    """Every CloudFormation stack of the assembly, in manifest order (templates alone when there is no manifest)."""
    if not cdk_out.is_dir():
        raise CostError(f"{cdk_out} is not a directory: synthesize first with `make synth`")
    manifest_path = cdk_out / "manifest.json"
    entries: list[tuple[str, str, str, dict[str, str]]] = []
    if manifest_path.exists():
        for name, artifact in _json(manifest_path).get("artifacts", {}).items():
            if artifact.get("type") != "aws:cloudformation:stack":
                continue
            properties = artifact.get("properties", {})
            region = str(artifact.get("environment", "")).rsplit("/", 1)[-1]
            if not region or region.startswith("unknown"):
                region = DEFAULT_REGION
            entries.append(
                (name, properties.get("templateFile", f"{name}.template.json"), region, properties.get("tags") or {})
            )
    else:
        for path in sorted(cdk_out.glob("*.template.json")):
            entries.append((path.name.removesuffix(".template.json"), path.name, DEFAULT_REGION, {}))
    if not entries:
        raise CostError(f"no stack templates in {cdk_out}: synthesize first with `make synth`")
    stacks = []
    for name, template_file, region, tags in entries:
        template = _json(cdk_out / template_file)
        if not isinstance(template.get("Resources", {}), dict):
            raise CostError(f"{template_file}: Resources is not a mapping")
        stacks.append(
            SynthesizedStack(name=name, environment=_environment_of(name, tags), region=region, template=template)
        )
    return stacks
