"""The contact flows in ``stacks/assets/contact_flows/``, rendered for one environment.

A flow file is Flow-language JSON with ``${Name}`` placeholders. :func:`render` fills everything known at synth
(voice, language, timeouts, prompts from ``prompts.json``) and leaves the ARN placeholders, which the CallCenter
construct hands to ``Fn::Sub`` with the resources' ARNs and the simulator fills with :func:`fill`. Both use this
one function, so the simulator plays exactly what is deployed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from lambdas.call_center import speech
from lambdas.call_center.hours import HoursTriple, WeeklyHours

FLOWS_DIR = Path(__file__).resolve().parents[2] / "stacks" / "assets" / "contact_flows"
PROMPTS_FILE = "prompts.json"
ARN_PLACEHOLDERS = frozenset({"CallCenterLambdaArn", "QueueArn", "HoursOfOperationArn"})
PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_.]*)\}")
MAX_BLOCK_TIMEOUT_SECONDS = 8  # Connect's limit for InvokeLambdaFunction


class FlowError(ValueError):
    """A flow file or its values cannot be rendered."""


class CallCenterSettingsLike(Protocol):
    """What rendering needs from ``stacks.config.CallCenterConfig`` (read-only)."""

    @property
    def language(self) -> str: ...

    @property
    def voice(self) -> str: ...

    @property
    def voice_engine(self) -> str: ...

    @property
    def hours(self) -> tuple[HoursTriple, ...]: ...

    @property
    def time_zone(self) -> str: ...

    @property
    def lambda_block_timeout_seconds(self) -> int: ...

    @property
    def input_timeout_seconds(self) -> int: ...

    @property
    def menu_retries(self) -> int: ...


@dataclass(frozen=True, kw_only=True)
class FlowOptions:
    lang: speech.Lang
    voice: str
    voice_engine: str
    hours: WeeklyHours
    lambda_block_timeout_seconds: int
    input_timeout_seconds: int
    menu_retries: int

    @classmethod
    def of(cls, config: CallCenterSettingsLike) -> FlowOptions:
        if config.language not in speech.LANGS:
            raise FlowError(f"language must be one of {speech.LANGS}, got {config.language!r}")
        return cls(
            lang=speech.language(config.language),
            voice=config.voice,
            voice_engine=config.voice_engine,
            hours=WeeklyHours.of(config.hours, config.time_zone),
            lambda_block_timeout_seconds=config.lambda_block_timeout_seconds,
            input_timeout_seconds=config.input_timeout_seconds,
            menu_retries=config.menu_retries,
        )


def flow_names(directory: Path = FLOWS_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.json") if p.name != PROMPTS_FILE)


def render(name: str, options: FlowOptions, directory: Path = FLOWS_DIR) -> str:
    """Flow ``name`` as compact JSON text; only the ARN placeholders are left in it. Prompts come from the flow's
    directory, or from ``stacks/assets/contact_flows/prompts.json`` when that directory has none."""
    flow = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
    values = _values(options, directory)
    rendered = _walk(flow, lambda text: _substitute(text, values, keep=ARN_PLACEHOLDERS, flow=name))
    return json.dumps(rendered, ensure_ascii=False, separators=(",", ":"))


def fill(content: str, arns: Mapping[str, str]) -> str:
    """A rendered flow with its ARN placeholders replaced (what ``Fn::Sub`` does at deploy time)."""
    return _substitute(content, dict(arns), keep=frozenset(), flow="rendered flow")


def _values(options: FlowOptions, directory: Path) -> dict[str, str]:
    if not 0 < options.lambda_block_timeout_seconds <= MAX_BLOCK_TIMEOUT_SECONDS:
        raise FlowError(
            f"a Lambda block waits 1 to {MAX_BLOCK_TIMEOUT_SECONDS} s, not {options.lambda_block_timeout_seconds}"
        )
    prompts_file = directory / PROMPTS_FILE if (directory / PROMPTS_FILE).exists() else FLOWS_DIR / PROMPTS_FILE
    prompts = json.loads(prompts_file.read_text(encoding="utf-8"))[options.lang]
    hours = speech.hours_speech(options.hours, options.lang)
    values = {f"Prompt.{key}": str(text).replace("{hours}", hours) for key, text in prompts.items()}
    for key, text in values.items():
        if "${" in text or "$." in text:
            raise FlowError(f"{key} must be plain text (no '${{' or '$.'), got {text!r}")
    return values | {
        "Voice": options.voice,
        "VoiceEngine": options.voice_engine,
        "Language": options.lang,
        "LambdaBlockTimeoutSeconds": str(options.lambda_block_timeout_seconds),
        "InputTimeoutSeconds": str(options.input_timeout_seconds),
        "MenuRetries": str(options.menu_retries),
    }


def _substitute(text: str, values: Mapping[str, str], *, keep: frozenset[str], flow: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        if name in keep:
            return match.group(0)
        raise FlowError(f"{flow}: no value for placeholder ${{{name}}}")

    return PLACEHOLDER.sub(replace, text)


def _walk(node: Any, transform: Any) -> Any:
    if isinstance(node, str):
        return transform(node)
    if isinstance(node, list):
        return [_walk(item, transform) for item in node]
    if isinstance(node, dict):
        return {key: _walk(value, transform) for key, value in node.items()}
    return node
