"""How Argo CD applies the workloads, so that it never undoes what Argo Rollouts writes into Service selectors.

Argo Rollouts adds `rollouts-pod-template-hash` to the selectors of the Services a Rollout names (blue-green active
and preview, canary stable and canary). Under server-side apply a Service selector is an atomic map that every
sync resets (argoproj/argo-rollouts#3437), so the `tlj` Application applies client-side (k8s/platform/base/tlj.yaml).
Asserted on `kubectl kustomize` of k8s/platform/<env> and k8s/overlays/<env>, as Argo CD renders them.
"""

from __future__ import annotations

import json
from typing import Any

from k8s.manifests import Manifest

SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
HASH_LABEL = "rollouts-pod-template-hash"
# kubectl client-side apply stores the whole object in this annotation; annotations may total 256 KiB
# (Kubernetes API validation, TotalAnnotationSizeLimitB).
ANNOTATION_LIMIT_BYTES = 262144


def application(documents: list[Manifest], name: str) -> Manifest:
    (found,) = [d for d in documents if d["kind"] == "Application" and d["metadata"]["name"] == name]
    return found


def rollout_services(documents: list[Manifest]) -> set[str]:
    """Every Service whose selector Argo Rollouts rewrites: those a Rollout's strategy names."""
    names: set[str] = set()
    for rollout in (d for d in documents if d["kind"] == "Rollout"):
        strategy: dict[str, Any] = rollout["spec"]["strategy"]
        blue_green = strategy.get("blueGreen") or {}
        canary = strategy.get("canary") or {}
        for name in (
            blue_green.get("activeService"),
            blue_green.get("previewService"),
            canary.get("stableService"),
            canary.get("canaryService"),
        ):
            if name:
                names.add(name)
    return names


def sync_options(document: Manifest) -> set[str]:
    text = ((document.get("metadata") or {}).get("annotations") or {}).get(SYNC_OPTIONS, "")
    return {option.strip() for option in text.split(",") if option.strip()}


def test_given_the_order_rollout_then_argo_rollouts_rewrites_the_selectors_of_order_and_order_preview(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    # Given the rendered workloads, then the blue-green Services are the ones this file protects
    assert {"order", "order-preview"} <= rollout_services(overlays[env])


def test_given_the_tlj_application_then_it_applies_client_side(platforms: dict[str, list[Manifest]], env: str) -> None:
    # Given the Application that syncs the workloads
    options = set(application(platforms[env], "tlj")["spec"]["syncPolicy"]["syncOptions"])
    # Then it never applies server-side (any spelling of the option a later edit might add)
    assert not {option for option in options if option.replace(" ", "").lower().startswith("serversideapply=true")}
    # And the options the replicas and the first sync rely on stay
    assert {"RespectIgnoreDifferences=true", "SkipDryRunOnMissingResource=true", "CreateNamespace=false"} <= options


def test_given_the_services_argo_rollouts_rewrites_then_none_is_applied_server_side_or_names_the_hash(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    documents = overlays[env]
    protected = rollout_services(documents)
    services = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Service"}
    assert protected <= set(services), "a Rollout names a Service the overlay does not have"
    for name in protected:
        # A per-resource ServerSideApply=true would bring the atomic-selector reset back for that Service
        assert "ServerSideApply=true" not in sync_options(services[name]), name
        # Git's selector never carries the hash: client-side apply then never touches the key Rollouts owns
        assert HASH_LABEL not in services[name]["spec"]["selector"], name


def test_given_the_tlj_application_then_only_hpa_replicas_are_ignored_never_a_service_selector(
    platforms: dict[str, list[Manifest]], env: str
) -> None:
    # With RespectIgnoreDifferences an ignored field is copied from the live object into what is applied: for a
    # selector that would write back whatever hash a stale cache holds, so no Service may be listed here.
    ignored = application(platforms[env], "tlj")["spec"]["ignoreDifferences"]
    assert {(d["group"], d["kind"], d["name"]): d["jsonPointers"] for d in ignored} == {
        ("argoproj.io", "Rollout", "login"): ["/spec/replicas"],
        ("argoproj.io", "Rollout", "order"): ["/spec/replicas"],
    }
    assert all(d["namespace"] == "tlj" for d in ignored)


def test_given_the_hpas_then_the_ignored_replicas_belong_to_the_rollouts_they_scale(
    overlays: dict[str, list[Manifest]], platforms: dict[str, list[Manifest]], env: str
) -> None:
    # The ignoreDifferences entries name exactly what the HPAs scale (kind and name), so neither side can drift
    targets = {
        (hpa["spec"]["scaleTargetRef"]["kind"], hpa["spec"]["scaleTargetRef"]["name"])
        for hpa in overlays[env]
        if hpa["kind"] == "HorizontalPodAutoscaler"
    }
    ignored = {(d["kind"], d["name"]) for d in application(platforms[env], "tlj")["spec"]["ignoreDifferences"]}
    assert ignored == targets


def test_given_client_side_apply_then_every_workload_object_fits_the_last_applied_annotation(
    overlays: dict[str, list[Manifest]], env: str
) -> None:
    # Client-side apply keeps each object in kubectl.kubernetes.io/last-applied-configuration; an object past the
    # annotation limit would be the reason to apply server-side again (argo-cd docs, sync-options "Server-Side Apply")
    sizes = {f"{d['kind']}/{d['metadata']['name']}": len(json.dumps(d, separators=(",", ":"))) for d in overlays[env]}
    largest = max(sizes, key=sizes.__getitem__)
    assert sizes[largest] < ANNOTATION_LIMIT_BYTES // 4, (largest, sizes[largest])


def test_given_argo_rollouts_then_its_crds_still_apply_server_side(
    platforms: dict[str, list[Manifest]], env: str
) -> None:
    # The CRDs exceed the annotation limit: the controller's Application is the one that needs server-side apply
    assert "ServerSideApply=true" in application(platforms[env], "argo-rollouts")["spec"]["syncPolicy"]["syncOptions"]
