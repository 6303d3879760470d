"""Looking up rendered Kubernetes documents in the manifest tests."""

from __future__ import annotations

from k8s.manifests import Manifest


def one(documents: list[Manifest], kind: str, name: str) -> Manifest:
    """The single document of ``kind`` named ``name``; fails the test unless there is exactly one."""
    found = [d for d in documents if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]
