"""Per-image constraints: the part of the repository's ``constraints.txt`` (the tested, frozen tree) that one
service's ``requirements.txt`` resolves to.

The images build with ``containers/`` as context, which cannot see ``../constraints.txt``, so each service keeps a
generated ``containers/<service>/constraints.txt`` beside its requirements and its Dockerfile installs with it.
The dependency closure is read from the installed distributions of the interpreter running this (``.venv``, made
by ``make install`` from constraints.txt; its Python is the images' 3.11), and every version is constraints.txt's.

    .venv/bin/python containers/constraints.py          # rewrite containers/*/constraints.txt
    .venv/bin/python containers/constraints.py --check  # exit 1 naming every stale file (tests run it too)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

CONTAINERS = Path(__file__).resolve().parent
REPO_CONSTRAINTS = CONTAINERS.parent / "constraints.txt"
SERVICES = ("login", "order", "loadgen")
HEADER = "# Generated from ../../constraints.txt by `python containers/constraints.py`; do not edit.\n"


def read_pins(path: Path) -> dict[NormalizedName, str]:
    """``name==version`` lines by normalized name (comments, blanks and ``-r``/``-c`` lines skipped)."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if not text or text.startswith("-"):
            continue
        requirement = Requirement(text)
        pins[canonicalize_name(requirement.name)] = str(requirement.specifier).removeprefix("==")
    return pins


def direct_requirements(path: Path) -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def closure(requirements: Iterable[Requirement]) -> set[NormalizedName]:
    """Every distribution the requirements pull in (extras and markers honoured), from installed metadata."""
    seen: set[NormalizedName] = set()
    pending = [(requirement, frozenset(requirement.extras)) for requirement in requirements]
    expanded: set[tuple[NormalizedName, frozenset[str]]] = set()
    while pending:
        requirement, extras = pending.pop()
        name = canonicalize_name(requirement.name)
        if (name, extras) in expanded:
            continue
        expanded.add((name, extras))
        seen.add(name)
        for text in metadata.requires(requirement.name) or []:
            child = Requirement(text)
            environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if child.marker is None or any(child.marker.evaluate(env) for env in environments):
                pending.append((child, frozenset(child.extras)))
    return seen


def render(service: str, pins: Mapping[NormalizedName, str]) -> str:
    names = closure(direct_requirements(CONTAINERS / service / "requirements.txt"))
    missing = sorted(name for name in names if name not in pins)
    if missing:
        raise SystemExit(f"{service}: not pinned in constraints.txt: {', '.join(missing)} (run make install)")
    return HEADER + "".join(f"{name}=={pins[name]}\n" for name in sorted(names))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail instead of rewriting when a file is stale")
    args = parser.parse_args(argv)
    pins = read_pins(REPO_CONSTRAINTS)
    stale = []
    for service in SERVICES:
        path = CONTAINERS / service / "constraints.txt"
        wanted = render(service, pins)
        if path.exists() and path.read_text(encoding="utf-8") == wanted:
            continue
        stale.append(str(path.relative_to(CONTAINERS.parent)))
        if not args.check:
            path.write_text(wanted, encoding="utf-8")
    if stale and args.check:
        sys.stderr.write(f"stale: {', '.join(stale)}; run `python containers/constraints.py`\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
