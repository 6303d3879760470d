"""The minimum pods of an overlay: HPA minimums, requests, zone spread, Helm-installed controllers, Ingress ALBs."""

from __future__ import annotations

import pytest

from stacks.cost.workloads import cpu_millicores, from_manifests, load_balancers, memory_mebibytes

DEFAULT = {"cpu_m": 100.0, "memory_mi": 128.0}


def rollout(name: str, cpu: str, memory: str, *, spread: bool = False) -> dict:
    spec: dict = {"containers": [{"name": name, "resources": {"requests": {"cpu": cpu, "memory": memory}}}]}
    if spread:
        spec["topologySpreadConstraints"] = [{"topologyKey": "topology.kubernetes.io/zone", "maxSkew": 1}]
    return {"kind": "Rollout", "metadata": {"name": name}, "spec": {"replicas": 1, "template": {"spec": spec}}}


def hpa(name: str, minimum: int) -> dict:
    return {
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name},
        "spec": {"minReplicas": minimum, "scaleTargetRef": {"kind": "Rollout", "name": name}},
    }


def test_given_an_hpa_then_its_minimum_wins_over_spec_replicas() -> None:
    (pods,) = from_manifests([rollout("login", "500m", "256Mi", spread=True), hpa("login", 3)], default=DEFAULT)
    assert (pods.replicas, pods.cpu_m, pods.memory_mi, pods.spread_by_zone) == (3, 500, 256, True)


def test_given_a_helm_application_then_its_controller_replicas_and_requests_count() -> None:
    app = {
        "kind": "Application",
        "metadata": {"name": "argo-rollouts"},
        "spec": {
            "source": {
                "helm": {"valuesObject": {"controller": {"replicas": 2, "resources": {"requests": {"cpu": "50m"}}}}}
            }
        },
    }
    root = {"kind": "Application", "metadata": {"name": "tlj"}, "spec": {"source": {"path": "k8s/overlays/dev"}}}
    (pods,) = from_manifests([app, root], default=DEFAULT)
    assert (pods.replicas, pods.cpu_m, pods.memory_mi) == (2, 50, 128)  # memory from the default


def test_given_ingresses_then_a_group_shares_one_alb() -> None:
    group = {"alb.ingress.kubernetes.io/group.name": "shop"}
    documents = [
        {"kind": "Ingress", "metadata": {"name": "a", "namespace": "tlj", "annotations": group}},
        {"kind": "Ingress", "metadata": {"name": "b", "namespace": "tlj", "annotations": group}},
        {"kind": "Ingress", "metadata": {"name": "c", "namespace": "tlj"}},
    ]
    assert load_balancers(documents) == ("group shop", "Ingress tlj/c")


@pytest.mark.parametrize(("text", "millicores"), [("500m", 500), ("2", 2000), ("0.25", 250)])
def test_cpu_quantities(text: str, millicores: float) -> None:
    assert cpu_millicores(text) == millicores


@pytest.mark.parametrize(("text", "mebibytes"), [("256Mi", 256), ("1Gi", 1024), ("512Ki", 0.5), ("1048576", 1)])
def test_memory_quantities(text: str, mebibytes: float) -> None:
    assert memory_mebibytes(text) == pytest.approx(mebibytes)
