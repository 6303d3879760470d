"""The order service's blue-green release as the rendered dev overlay describes it, read for ``make rehearse``.

Rendered with the kubectl kustomize that ``k8s/manifests.py`` uses (what Argo CD builds), then:

- the ``order`` Rollout: ``strategy.blueGreen`` (``autoPromotionEnabled``, ``prePromotionAnalysis``), its pod
  template's labels (what the scrape's ``labelmap`` turns into series labels) and the order container's probes;
- the AnalysisTemplates that ``prePromotionAnalysis.templates`` names, flattened into one run as Argo Rollouts does
  (argo-rollouts@v1.8.3:utils/analysis/helpers.go ``FlattenTemplates``/``flattenArgs``/``flattenMetrics`` 330-414:
  metrics concatenated, names unique, args merged) and given the Rollout's args (``MergeArgs`` 236-253);
- each ``{{args.NAME}}`` substituted everywhere in a metric (utils/analysis/factory.go ``ResolveMetricArgs``
  112-128, utils/template/template.go ``ResolveArgs``: the tag is trimmed, an unknown one is an error).
  ``podTemplateHashValue: Latest`` is the preview's hash, ``Stable`` the stable one (utils/analysis/factory.go
  ``BuildArgumentsForRolloutAnalysisRun`` 18-54); ``fieldRef`` arguments are refused.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from k8s import manifests
from k8s.manifests import K8S_DIR, Manifest
from local.analysis import Metric, parse_duration
from local.conditions import compile_condition

DEV_OVERLAY = K8S_DIR / "overlays" / "dev"
ROLLOUT_NAME = "order"
SUPPORTED_PROVIDERS = ("prometheus", "job")
_ARG_TAG = re.compile(r"\{\{(.*?)\}\}")


class ReleaseError(Exception):
    """The overlay cannot be rendered, or describes something the rehearsal cannot run faithfully."""


@dataclass(frozen=True, kw_only=True)
class Release:
    namespace: str
    pod_labels: Mapping[str, str]
    pod_annotations: Mapping[str, str]
    auto_promotion: bool
    active_service: str
    preview_service: str
    readiness_probe: Mapping[str, Any]
    liveness_probe: Mapping[str, Any]
    templates: tuple[str, ...]
    raw_metrics: tuple[Mapping[str, Any], ...]  # flattened, arguments not yet substituted
    args: tuple[Mapping[str, Any], ...]  # merged template + Rollout args


def render(overlay: Path = DEV_OVERLAY) -> list[Manifest]:
    """``k8s.manifests.render`` of ``overlay`` (any directory: an absolute path replaces k8s/ as the base)."""
    try:
        return manifests.render(str(overlay.resolve()))
    except manifests.RenderError as error:
        raise ReleaseError(str(error)) from None


def read_release(documents: Sequence[Mapping[str, Any]], rollout_name: str = ROLLOUT_NAME) -> Release:
    rollouts = [d for d in documents if d.get("kind") == "Rollout" and d["metadata"].get("name") == rollout_name]
    if len(rollouts) != 1:
        raise ReleaseError(f"expected one Rollout {rollout_name!r} in the overlay, found {len(rollouts)}")
    rollout = rollouts[0]
    namespace = rollout["metadata"].get("namespace", "default")
    blue_green = (rollout["spec"].get("strategy") or {}).get("blueGreen")
    if not blue_green:
        raise ReleaseError(f"Rollout {rollout_name} is not blue-green")
    analysis = blue_green.get("prePromotionAnalysis")
    if not analysis or not analysis.get("templates"):
        raise ReleaseError(f"Rollout {rollout_name} has no prePromotionAnalysis templates: nothing to rehearse")
    for unsupported in ("dryRun", "measurementRetention"):
        if analysis.get(unsupported):
            raise ReleaseError(f"prePromotionAnalysis.{unsupported} is not supported by the rehearsal")
    templates = _templates(documents, namespace, analysis["templates"])
    raw_metrics, template_args = _flatten(templates)
    pod = rollout["spec"]["template"]
    container = pod["spec"]["containers"][0]
    return Release(
        namespace=namespace,
        pod_labels=dict((pod.get("metadata") or {}).get("labels") or {}),
        pod_annotations=dict((pod.get("metadata") or {}).get("annotations") or {}),
        # rollout/bluegreen.go needsBlueGreenControllerPause (195-202): only an explicit false pauses for a person
        auto_promotion=blue_green.get("autoPromotionEnabled", True) is not False,
        active_service=blue_green["activeService"],
        preview_service=blue_green.get("previewService", ""),
        readiness_probe=container.get("readinessProbe") or {},
        liveness_probe=container.get("livenessProbe") or {},
        templates=tuple(ref["templateName"] for ref in analysis["templates"]),
        raw_metrics=tuple(raw_metrics),
        args=tuple(_merge_args(analysis.get("args") or [], template_args)),
    )


def _templates(
    documents: Sequence[Mapping[str, Any]], namespace: str, refs: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    found = []
    for ref in refs:
        if ref.get("clusterScope"):
            raise ReleaseError(f"ClusterAnalysisTemplate {ref.get('templateName')} is not supported by the rehearsal")
        name = ref.get("templateName")
        matches = [
            d
            for d in documents
            if d.get("kind") == "AnalysisTemplate"
            and d["metadata"].get("name") == name
            and d["metadata"].get("namespace", namespace) == namespace
        ]
        if not matches:
            raise ReleaseError(f"AnalysisTemplate {name!r} (named by the Rollout) is not in the overlay")
        found.append(matches[0])
    return found


def _flatten(templates: Sequence[Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], list[dict[str, Any]]]:
    metrics: list[Mapping[str, Any]] = []
    args: list[dict[str, Any]] = []
    for template in templates:
        spec = template.get("spec") or {}
        for unsupported in ("dryRun", "measurementRetention"):
            if spec.get(unsupported):
                raise ReleaseError(f"AnalysisTemplate {template['metadata']['name']}: {unsupported} is not supported")
        metrics.extend(spec.get("metrics") or [])
        for arg in spec.get("args") or []:
            previous = next((a for a in args if a["name"] == arg["name"]), None)
            if previous is None:
                args.append(dict(arg))
            elif "value" in previous and "value" in arg and previous["value"] != arg["value"]:
                raise ReleaseError(f"Argument `{arg['name']}` specified multiple times with different values")
            elif "value" not in previous:
                previous.update(arg)
    names = [str(m.get("name")) for m in metrics]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ReleaseError(f"two metrics have the same name {duplicates[0]!r}")
    return metrics, args


def _merge_args(incoming: Sequence[Mapping[str, Any]], template_args: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged = copy.deepcopy(template_args)
    for arg in incoming:
        for target in merged:
            if target["name"] == arg["name"]:
                if "value" in arg:
                    target["value"] = arg["value"]
                elif "valueFrom" in arg:
                    target["valueFrom"] = arg["valueFrom"]
    unresolved = [a["name"] for a in merged if "value" not in a and "valueFrom" not in a]
    if unresolved:
        raise ReleaseError(f"args.{unresolved[0]} was not resolved (no value from the template or the Rollout)")
    return merged


def argument_values(release: Release, *, preview_hash: str, stable_hash: str) -> dict[str, str]:
    values = {}
    for arg in release.args:
        if "value" in arg:
            values[arg["name"]] = str(arg["value"])
            continue
        source = arg["valueFrom"]
        hash_of = source.get("podTemplateHashValue")
        if hash_of not in ("Latest", "Stable"):
            raise ReleaseError(f"args.{arg['name']}: valueFrom {source} is not supported by the rehearsal")
        values[arg["name"]] = preview_hash if hash_of == "Latest" else stable_hash
    return values


def substitute(value: Any, args: Mapping[str, str]) -> Any:
    """``{{args.NAME}}`` replaced in every string of ``value``; an unknown tag is a ``ReleaseError``."""
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            tag = match.group(1).strip()
            if tag.startswith("args.") and tag[5:] in args:
                return args[tag[5:]]
            raise ReleaseError(f"failed to resolve {{{{{match.group(1)}}}}}")

        return _ARG_TAG.sub(replace, value)
    if isinstance(value, Mapping):
        return {key: substitute(item, args) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, args) for item in value]
    return value


def build_metrics(raw_metrics: Sequence[Mapping[str, Any]], args: Mapping[str, str], *, scale: float) -> list[Metric]:
    """Analysis metrics with arguments substituted, durations multiplied by ``scale``, conditions translated."""
    return [_metric(substitute(raw, args), scale) for raw in raw_metrics]


def _metric(raw: Mapping[str, Any], scale: float) -> Metric:
    name = raw.get("name", "<unnamed>")
    providers = list((raw.get("provider") or {}).items())
    if len(providers) != 1 or providers[0][0] not in SUPPORTED_PROVIDERS:
        kinds = ", ".join(kind for kind, _ in providers) or "none"
        raise ReleaseError(f"metric {name}: provider {kinds} is not supported (the rehearsal runs prometheus, job)")
    kind, spec = providers[0]
    if kind == "prometheus" and spec.get("rangeQuery"):
        raise ReleaseError(f"metric {name}: prometheus rangeQuery is not supported by the rehearsal")
    for condition in ("successCondition", "failureCondition"):
        if raw.get(condition):
            compile_condition(raw[condition])  # refuse what cannot be translated before anything starts
    return Metric(
        name=name,
        provider=kind,
        spec=spec,
        interval_s=_duration(raw, "interval", scale),
        initial_delay_s=_duration(raw, "initialDelay", scale),
        count=_int_or_string(raw.get("count")),
        failure_limit=_int_or_string(raw.get("failureLimit")),
        inconclusive_limit=_int_or_string(raw.get("inconclusiveLimit")),
        consecutive_error_limit=_int_or_string(raw.get("consecutiveErrorLimit")),
        consecutive_success_limit=_int_or_string(raw.get("consecutiveSuccessLimit")),
        success_condition=raw.get("successCondition") or "",
        failure_condition=raw.get("failureCondition") or "",
    )


def _duration(raw: Mapping[str, Any], key: str, scale: float) -> float | None:
    text = raw.get(key)
    if not text:
        return None
    try:
        return parse_duration(str(text)) * scale
    except ValueError as error:
        raise ReleaseError(f"metric {raw.get('name')}: {key}: {error}") from None


def _int_or_string(value: Any) -> int | None:
    """intstr.IntOrString.IntValue: an int, or a string parsed as one (0 when it is not a number)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        return 0
