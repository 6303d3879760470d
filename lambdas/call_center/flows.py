"""The contact flows in ``stacks/assets/contact_flows/``, rendered for one environment.

A flow file is Flow-language JSON with ``${Name}`` placeholders. :func:`render` fills everything known at synth
(voice, language, timeouts, prompts from ``prompts.json``) and leaves the ARN placeholders, which the CallCenter
construct hands to ``Fn::Sub`` with the resources' ARNs and the simulator fills with :func:`fill`. Both use this
one function, so the simulator plays exactly what is deployed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from lambdas.call_center import speech
from lambdas.call_center.hours import HoursTriple, WeeklyHours

FLOWS_DIR = Path(__file__).resolve().parents[2] / "stacks" / "assets" / "contact_flows"
PROMPTS_FILE = "prompts.json"
ARN_PLACEHOLDERS = frozenset({"CallCenterLambdaArn", "QueueArn", "HoursOfOperationArn", "CustomerQueueFlowArn"})
# The Connect ContactFlow Type of each flow file (boto3 create_contact_flow: CONTACT_FLOW, CUSTOMER_QUEUE, ...).
FLOW_TYPES = {"inbound": "CONTACT_FLOW", "customer_queue": "CUSTOMER_QUEUE"}
# Contact Lens post-call analytics language per call language (Connect: "Use the format xx-XX", see
# https://docs.aws.amazon.com/connect/latest/APIReference/contact-actions-updatecontactrecordingbehavior.html).
ANALYTICS_LANGUAGES = {"ko": "ko-KR", "en": "en-US"}
# A block may carry "_when": an option name (or "!name"); render() drops it when the option is off and sends every
# transition to it on to its "_else" (default: its NextAction). "_when"/"_else" never reach Connect.
WHEN, ELSE = "_when", "_else"
XML_SPECIAL = re.compile(r"[<>&]")
QUEUE_METRIC = re.compile(r"\$\.Metrics\.[A-Za-z.]*[A-Za-z]")  # the one reference a prompt may hold (queue size)
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

    @property
    def queue_max_wait_seconds(self) -> int: ...

    @property
    def queue_long_wait_seconds(self) -> int: ...

    @property
    def queue_comfort_seconds(self) -> int: ...

    @property
    def callback_enabled(self) -> bool: ...

    @property
    def flow_logs_during_lookup(self) -> bool: ...

    @property
    def contact_lens(self) -> bool: ...


@dataclass(frozen=True, kw_only=True)
class FlowOptions:
    lang: speech.Lang
    voice: str
    voice_engine: str
    hours: WeeklyHours
    lambda_block_timeout_seconds: int
    input_timeout_seconds: int
    menu_retries: int
    queue_max_wait_seconds: int = 600
    queue_long_wait_seconds: int = 120
    queue_comfort_seconds: int = 30
    callback_enabled: bool = True
    flow_logs_during_lookup: bool = True
    contact_lens: bool = False

    def enabled(self, option: str) -> bool:
        """A boolean option by name, for a block's ``_when`` ("!name" negates)."""
        name = option.removeprefix("!")
        if name not in ("callback_enabled", "flow_logs_during_lookup", "contact_lens"):
            raise FlowError(f"unknown _when option {option!r}")
        return bool(getattr(self, name)) != option.startswith("!")

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
            queue_max_wait_seconds=config.queue_max_wait_seconds,
            queue_long_wait_seconds=config.queue_long_wait_seconds,
            queue_comfort_seconds=config.queue_comfort_seconds,
            callback_enabled=config.callback_enabled,
            flow_logs_during_lookup=config.flow_logs_during_lookup,
            contact_lens=config.contact_lens,
        )


def flow_type(name: str) -> str:
    """The Connect ContactFlow ``Type`` of a flow file (its stem, e.g. "customer_queue")."""
    try:
        return FLOW_TYPES[Path(name).stem]
    except KeyError:
        raise FlowError(f"no Connect flow type known for flow {name!r}; known: {sorted(FLOW_TYPES)}") from None


def flow_names(directory: Path = FLOWS_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.json") if p.name != PROMPTS_FILE)


def render(name: str, options: FlowOptions, directory: Path = FLOWS_DIR) -> str:
    """Flow ``name`` as compact JSON text; only the ARN placeholders are left in it. Prompts come from the flow's
    directory, or from ``stacks/assets/contact_flows/prompts.json`` when that directory has none."""
    flow = _prune(json.loads((directory / f"{name}.json").read_text(encoding="utf-8")), options)
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
        if "${" in text or "$." in QUEUE_METRIC.sub("", text) or XML_SPECIAL.search(text):
            raise FlowError(
                f"{key} must be plain text (no '${{', '$.', '<', '>' or '&': it is used in SSML), got {text!r}"
            )
    if not 0 < options.queue_comfort_seconds <= options.queue_max_wait_seconds:
        raise FlowError("queue_comfort_seconds must be above 0 and at most queue_max_wait_seconds")
    return values | {
        "Voice": options.voice,
        "VoiceEngine": options.voice_engine,
        "Language": options.lang,
        "LambdaBlockTimeoutSeconds": str(options.lambda_block_timeout_seconds),
        "InputTimeoutSeconds": str(options.input_timeout_seconds),
        "MenuRetries": str(options.menu_retries),
        "LookupFlowLogging": "Enabled" if options.flow_logs_during_lookup else "Disabled",
        "QueueLongWaitSeconds": str(options.queue_long_wait_seconds),
        "QueueComfortSeconds": str(options.queue_comfort_seconds),
        # The queue flow plays one comfort message per pass of a Loop: max wait = passes x comfort interval.
        "QueueComfortPasses": str(math.ceil(options.queue_max_wait_seconds / options.queue_comfort_seconds)),
        "AnalyticsLanguage": ANALYTICS_LANGUAGES[options.lang],
    }


def _prune(flow: Any, options: FlowOptions) -> Any:
    """The flow without the blocks whose ``_when`` option is off; transitions to them go to their ``_else``."""
    if not isinstance(flow, dict) or not isinstance(flow.get("Actions"), list):
        return flow
    bypass: dict[str, str] = {}
    kept = []
    for action in flow["Actions"]:
        condition = action.pop(WHEN, None) if isinstance(action, dict) else None
        fallback = action.pop(ELSE, None) if isinstance(action, dict) else None
        if condition is None or options.enabled(str(condition)):
            kept.append(action)
            continue
        bypass[action["Identifier"]] = fallback or action.get("Transitions", {}).get("NextAction", "")

    def target(identifier: str) -> str:
        seen = set()
        while identifier in bypass and identifier not in seen:
            seen.add(identifier)
            identifier = bypass[identifier]
        return identifier

    for action in kept:
        transitions = action.get("Transitions", {})
        if transitions.get("NextAction"):
            transitions["NextAction"] = target(transitions["NextAction"])
        for branch in [*transitions.get("Conditions", []), *transitions.get("Errors", [])]:
            branch["NextAction"] = target(branch["NextAction"])
    start = target(flow.get("StartAction", ""))
    return {**flow, "StartAction": start, "Actions": kept}


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
