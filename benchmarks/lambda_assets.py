"""Size of each Lambda function's code asset: all of ``lambdas/`` (what was shipped before issue 15) against only the
modules its handler imports (``stacks.constructs.lambda_assets.runtime_files``, what the factory ships now).

    .venv/bin/python -m benchmarks.lambda_assets

Builds the file lists itself (no synth): "before" is every file under ``lambdas/`` without caches, "after" the
handler's import closure. Prints files, bytes and deflated zip bytes per function (CDK zips assets with deflate).
"""

from __future__ import annotations

import io
import json
import sys
import zipfile

from stacks.constructs.lambda_assets import REPO_ROOT, runtime_files

HANDLERS = {
    "call-center": "lambdas.call_center.handler.handler",
    "recommendation-api": "lambdas.recommendation.handler.handler",
    "reco-indexer": "lambdas.reco_indexer.handler.handler",
    "grafana-provisioner": "lambdas.grafana_provisioner.handler.handler",
}
CACHE_PARTS = {"__pycache__", ".mypy_cache", ".pytest_cache"}


def everything() -> list[str]:
    """All of lambdas/ as the old ``["/*", "!/lambdas/", "__pycache__/", "*.pyc", ...]`` rules shipped it."""
    files = (REPO_ROOT / "lambdas").rglob("*")
    kept = [p for p in files if p.is_file() and p.suffix != ".pyc" and not CACHE_PARTS & set(p.parts)]
    return sorted(str(p.relative_to(REPO_ROOT)) for p in kept)


def measure(paths: list[str]) -> dict[str, int]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(REPO_ROOT / path, path)
    size = sum((REPO_ROOT / path).stat().st_size for path in paths)
    return {"files": len(paths), "bytes": size, "zip_bytes": len(buffer.getvalue())}


def main() -> int:
    before = measure(everything())
    report: dict[str, object] = {"before (all of lambdas/, every function)": before}
    for name, handler in HANDLERS.items():
        after = measure(list(runtime_files(handler)))
        report[name] = after | {"zip_vs_before": round(after["zip_bytes"] / before["zip_bytes"], 2)}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
