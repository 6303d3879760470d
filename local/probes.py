"""Kubelet-like probes of the rehearsal's order pods: the Rollout's readiness and liveness probes, time-scaled.

On EKS the kubelet calls each container's ``httpGet`` probes every ``periodSeconds`` with ``timeoutSeconds``
(Kubernetes docs, "Configure Liveness, Readiness and Startup Probes"), whether or not anyone else talks to the
pod. Before promotion that is all the traffic a preview gets, so a rehearsal without a load Job must see exactly
that: probes, and nothing the analysis may count as orders.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

DEFAULT_PERIOD_S = 10.0  # Kubernetes' default periodSeconds
DEFAULT_TIMEOUT_S = 1.0  # and timeoutSeconds


@dataclass(frozen=True, kw_only=True)
class Probe:
    url: str
    period_s: float
    timeout_s: float


def probe_of(spec: Mapping[str, Any], base_url: str, *, scale: float) -> Probe | None:
    """An ``httpGet`` probe of the pod at ``base_url``; the period scaled like the analysis' intervals."""
    http_get = spec.get("httpGet")
    if not http_get:
        return None
    return Probe(
        url=f"{base_url}{http_get.get('path', '/')}",
        period_s=float(spec.get("periodSeconds", DEFAULT_PERIOD_S)) * scale,
        timeout_s=float(spec.get("timeoutSeconds", DEFAULT_TIMEOUT_S)),
    )


class Prober:
    """Calls every probe on its own period in a background thread until ``stop``; counts the answers."""

    def __init__(self, probes: Sequence[Probe]) -> None:
        self.probes = tuple(probes)
        self.calls: dict[str, int] = {probe.url: 0 for probe in self.probes}
        self.failures: dict[str, int] = {probe.url: 0 for probe in self.probes}
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, args=(p,), daemon=True) for p in self.probes]

    def __enter__(self) -> Prober:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _loop(self, probe: Probe) -> None:
        with httpx.Client(timeout=probe.timeout_s, trust_env=False) as client:
            while not self._stop.wait(probe.period_s):
                self.calls[probe.url] += 1
                try:
                    # the kubelet: 200 <= code < 400 is a success (k8s.io/kubernetes/pkg/probe/http DoHTTPProbe)
                    ok = 200 <= client.get(probe.url).status_code < 400
                except httpx.HTTPError:
                    ok = False
                if not ok:
                    self.failures[probe.url] += 1
