"""Validate everything Argo CD would apply from k8s/, and the load test a person applies by hand, offline.

For each target (``k8s/overlays/<env>`` and ``k8s/platform/<env>``, which Argo CD syncs, and
``k8s/loadtest/overlays/<env>``, which it never does): render it with ``kubectl kustomize``, then
check every document

- built-in kinds against kubernetes-validate's schemas for the clusters' Kubernetes version (strict: unknown
  fields fail);
- Argo CRs (Rollout, AnalysisTemplate, Application) and EKS IngressClassParams against ``k8s/schemas/``;
- for placement (cluster-scoped kinds carry no namespace, namespaced ones always name theirs) and for values
  an overlay failed to fill in (``from-settings``, ``ENVIRONMENT``, the 192.0.2.0/24 fail-closed CIDR).

With ``--checkov PATH``, the rendered documents are also written to a temporary directory and scanned by
checkov's kubernetes framework: any failed check that is not skipped (with a reason) on its resource fails.

Usage: ``python -m k8s.validate [--checkov .venv-checkov/bin/checkov]``. Exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml
from referencing import Registry, Resource

from k8s.manifests import K8S_DIR, MANUAL_TARGETS, TARGETS, Manifest, RenderError, describe, render
from stacks.config import ENVIRONMENTS

SCHEMA_DIR = K8S_DIR / "schemas"
CUSTOM_SCHEMAS: dict[tuple[str, str], str] = {
    ("argoproj.io/v1alpha1", "Rollout"): "rollout.json",
    ("argoproj.io/v1alpha1", "AnalysisTemplate"): "analysistemplate.json",
    ("argoproj.io/v1alpha1", "Application"): "application.json",
    ("eks.amazonaws.com/v1", "IngressClassParams"): "ingressclassparams.json",
}
CLUSTER_SCOPED_KINDS = frozenset(
    {"Namespace", "IngressClass", "IngressClassParams", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}
)
# Strings that only appear when an overlay did not fill in a base value (see k8s/base and k8s/platform/base).
UNFILLED_MARKERS = ("from-settings", "k8s/overlays/ENVIRONMENT", "192.0.2.")


def cluster_kubernetes_version() -> str:
    """The clusters' Kubernetes minor (stacks/config.py); every environment must run the same one."""
    versions = {config.cluster.kubernetes_version for config in ENVIRONMENTS}
    if len(versions) != 1:
        raise SystemExit(f"environments run different Kubernetes versions {sorted(versions)}: validate each apart")
    return versions.pop()


def kubernetes_definitions(version: str) -> Resource[Any]:
    """kubernetes-validate's strict definitions for ``version``, which the repo schemas ``$ref``."""
    path = resources.files(kubernetes_validate) / "kubernetes-json-schema" / f"v{version}.0-local-strict"
    definitions = path / "_definitions.json"
    if not definitions.is_file():
        raise SystemExit(f"kubernetes-validate {kubernetes_validate.__version__} has no schemas for {version}")
    return Resource.from_contents(json.loads(definitions.read_text()))


@dataclass
class Validator:
    kubernetes_version: str
    _registry: Registry[Any] = field(init=False)
    _custom: dict[tuple[str, str], jsonschema.protocols.Validator] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._registry = kubernetes_definitions(self.kubernetes_version) @ Registry()
        for key, filename in CUSTOM_SCHEMAS.items():
            schema = json.loads((SCHEMA_DIR / filename).read_text())
            jsonschema.Draft202012Validator.check_schema(schema)
            self._custom[key] = jsonschema.Draft202012Validator(schema, registry=self._registry)

    def errors(self, document: Manifest) -> Iterator[str]:
        yield from self._schema_errors(document)
        yield from _placement_errors(document)
        text = yaml.safe_dump(document)
        for marker in UNFILLED_MARKERS:
            if marker in text:
                yield f"still contains {marker!r}: the overlay did not fill in this value"

    def _schema_errors(self, document: Manifest) -> Iterator[str]:
        custom = self._custom.get((str(document.get("apiVersion")), str(document.get("kind"))))
        if custom is not None:
            for error in sorted(custom.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
                yield f"{_path(error.absolute_path)}: {_shorten(error.message)}"
            return
        try:
            kubernetes_validate.validate(document, self.kubernetes_version, strict=True)
        except kubernetes_validate.ValidationError as error:
            yield f"{_path(error.absolute_path)}: {_shorten(error.message)} (Kubernetes {self.kubernetes_version})"
        except kubernetes_validate.SchemaNotFoundError as error:
            yield f"no schema: {error.message}; add one to k8s/schemas/ and CUSTOM_SCHEMAS"


def _placement_errors(document: Manifest) -> Iterator[str]:
    namespace = (document.get("metadata") or {}).get("namespace")
    if document.get("kind") in CLUSTER_SCOPED_KINDS and namespace:
        yield f"is cluster-scoped but has metadata.namespace {namespace!r}"
    if document.get("kind") not in CLUSTER_SCOPED_KINDS and not namespace:
        yield "has no metadata.namespace (nothing may depend on a default namespace)"


def _shorten(message: str, limit: int = 300) -> str:
    """jsonschema quotes whole instances in some messages; keep each report line readable."""
    return message if len(message) <= limit else message[: limit - 3] + "..."


def _path(parts: Sequence[Any]) -> str:
    return ".".join(str(part) for part in parts) or "<document>"


def validate_targets(targets: Sequence[str], validator: Validator) -> tuple[dict[str, list[Manifest]], list[str]]:
    rendered: dict[str, list[Manifest]] = {}
    failures: list[str] = []
    for target in targets:
        try:
            documents = render(target)
        except RenderError as error:
            failures.append(str(error))
            continue
        rendered[target] = documents
        problems = [f"k8s/{target}: {describe(doc)}: {msg}" for doc in documents for msg in validator.errors(doc)]
        failures.extend(problems)
        custom = sum((str(d.get("apiVersion")), str(d.get("kind"))) in CUSTOM_SCHEMAS for d in documents)
        verdict = "FAILED" if problems else "valid"
        print(  # noqa: T201 - command-line report
            f"k8s/{target}: {len(documents)} documents {verdict} "
            f"(Kubernetes {validator.kubernetes_version} strict: {len(documents) - custom}, k8s/schemas: {custom})"
        )
    return rendered, failures


def checkov_view(documents: Sequence[Manifest]) -> list[Manifest]:
    """The documents, plus each Rollout's pod template as a Deployment of the same name and annotations.

    checkov has no Rollout support, so without this the services' pod specs (both are Rollouts) would escape its
    pod checks.
    """
    extra = [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": document["metadata"],
            "spec": {"selector": document["spec"]["selector"], "template": document["spec"]["template"]},
        }
        for document in documents
        if document.get("kind") == "Rollout"
    ]
    # Likewise each `job` metric of an AnalysisTemplate as the Job Argo Rollouts creates from it, in the template's
    # namespace (metricproviders/job/job.go, v1.8.3), so the release check's pod spec gets the same pod checks.
    extra += [
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {
                "name": f"{document['metadata']['name']}-{metric['name']}",
                "namespace": document["metadata"].get("namespace"),
                **metric["provider"]["job"].get("metadata", {}),
            },
            "spec": metric["provider"]["job"]["spec"],
        }
        for document in documents
        if document.get("kind") == "AnalysisTemplate"
        for metric in document["spec"]["metrics"]
        if "job" in metric.get("provider", {})
    ]
    return [*documents, *extra]


def run_checkov(checkov: Path, rendered: dict[str, list[Manifest]]) -> bool:
    """checkov's kubernetes framework on the rendered documents; True when it reports no failed check."""
    with tempfile.TemporaryDirectory(prefix="k8s-rendered-") as directory:
        for target, documents in rendered.items():
            text = yaml.safe_dump_all(checkov_view(documents))
            (Path(directory) / f"{target.replace('/', '-')}.yaml").write_text(text)
        # No network in CI: checkov must not fetch its guideline mappings.
        env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}
        argv = [str(checkov), "-d", directory, "--framework", "kubernetes", "--quiet", "--compact", "--skip-download"]
        print(f"checkov on the rendered manifests of {', '.join(rendered)}", flush=True)  # noqa: T201
        return subprocess.run(argv, env=env, check=False).returncode == 0  # noqa: S603 - fixed argv


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m k8s.validate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkov", type=Path, help="checkov executable; scan the rendered manifests too")
    parser.add_argument(
        "targets", nargs="*", default=[*TARGETS, *MANUAL_TARGETS], help="kustomizations under k8s/ (default: all)"
    )
    args = parser.parse_args(argv)

    validator = Validator(kubernetes_version=cluster_kubernetes_version())
    rendered, failures = validate_targets(args.targets, validator)
    for failure in failures:
        print(f"ERROR {failure}", file=sys.stderr)  # noqa: T201
    checkov_ok = run_checkov(args.checkov, rendered) if args.checkov else True
    if failures or not checkov_ok:
        print(f"k8s validation failed: {len(failures)} schema/placement errors, checkov ok: {checkov_ok}")  # noqa: T201
        return 1
    print("k8s validation passed")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
