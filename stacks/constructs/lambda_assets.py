"""What a function's code asset holds: the repository files its handler imports, and nothing else.

The simulator, validator, data generator, evaluator and ingest tools live beside the runtime code in ``lambdas/`` (so
their documented ``python -m lambdas...`` commands work from the repository) but are never shipped: the asset is the
static import closure of the handler module, turned into CDK's git-ignore exclude rules.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHES_EXCLUDE = ["__pycache__/", "*.pyc", ".mypy_cache/", ".pytest_cache/"]


@cache
def runtime_files(handler: str) -> tuple[str, ...]:
    """The repository files (``lambdas/...``) that ``handler``'s module imports, directly or not, with their packages'
    ``__init__.py``: a static walk of the ``import`` statements (function-level ones too), so a tool module
    (simulator, ingest, evaluate...) is shipped only if runtime code imports it. No module is executed at synth."""
    pending, files = [handler.rpartition(".")[0]], set[str]()
    while pending:
        module = pending.pop()
        path = _module_path(module)
        if path is None or path in files:
            continue
        files.add(path)
        parts = module.split(".")
        pending += [".".join(parts[:i]) for i in range(1, len(parts))]  # the packages' __init__.py
        tree = ast.parse((REPO_ROOT / path).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                pending += [alias.name for alias in node.names if alias.name.startswith("lambdas")]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("lambdas"):
                pending += [node.module or ""] + [f"{node.module}.{alias.name}" for alias in node.names]
    return tuple(sorted(files))


def asset_exclude(handler: str) -> list[str]:
    """Git-ignore rules keeping only :func:`runtime_files`: exclude each directory's content, re-include what is
    needed (git cannot re-include a file below an excluded directory, so directories are re-included first)."""
    rules = ["/*"]
    files = runtime_files(handler)
    for directory in sorted({str(Path(f).parent) for f in files}):
        rules += [f"!/{directory}/", f"/{directory}/*"]
    return rules + [f"!/{f}" for f in files] + CACHES_EXCLUDE


def _module_path(module: str) -> str | None:
    base = REPO_ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return str(candidate.relative_to(REPO_ROOT))
    return None  # a name imported from a module (a class, a function), not a module itself
