"""The images of one environment's overlays: set them for a release, or put older ones back for a rollback.

An environment's images live under ``images:`` in two kustomizations: ``k8s/overlays/<env>`` (what Argo CD syncs:
login, order, and the loadgen image the order Rollout's analysis Job runs) and ``k8s/loadtest/overlays/<env>`` (the
load test a person applies by hand). An overlay lists what it deploys; this script changes the entries it finds and
never adds one. Each reference is ``<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<git sha>@sha256:<digest>``.

Commands (run from the repository root; the workflows call them, tests run them against a temporary git repository):

``names --env ENV``
    The image names the environment's overlays list, one a line.
``set --env ENV --images DIR --commit SHA [--pending REF]``
    Set every listed image from ``DIR/<name>`` (one reference per file, tagged ``SHA``). Never moves the environment
    backwards: if the overlays (or those on REF, a pending bump's branch) already run a descendant of ``SHA``, it
    changes nothing and says so (exit 0; the caller sees no diff).
``rollback --env ENV --main REF (--revision SHA | --images "name=ref ...") [--plan FILE] [--summary FILE]``
    Put back the images that the overlays held at ``--revision`` (a full SHA on REF's history), or the given images,
    each of which must have been committed to that environment's overlays on REF's history: a full reference, or
    ``name=sha256:<digest>``. Refuses a no-op. ``--plan`` gets ``<name> <repository> <digest>`` lines of what
    changes (the workflow checks each digest is still in ECR), ``--summary`` a Markdown table for the pull request.

Every command that writes renders both overlays with ``kubectl kustomize`` afterwards and fails unless each image it
set appears in the rendered containers. Exit status: 0 done, 1 refused (the reason on stderr), 2 bad usage.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

ENVIRONMENTS = ("dev", "prod")
SHA = re.compile(r"^[0-9a-f]{40}$")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
REFERENCE = re.compile(
    r"^(?P<registry>[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com)/(?P<repository>[a-z0-9][a-z0-9._/-]{0,255})"
    r":(?P<tag>[0-9a-f]{40})@(?P<digest>sha256:[0-9a-f]{64})$"
)
NAME = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
PLACEHOLDER_DIGEST = "sha256:" + "0" * 64


class Refused(Exception):
    """An input or a state this script will not act on; the message says why."""


@dataclass(frozen=True, order=True)
class ImageRef:
    registry: str
    repository: str
    tag: str
    digest: str

    @classmethod
    def parse(cls, text: str, *, what: str) -> ImageRef:
        match = REFERENCE.fullmatch(text.strip())
        if match is None:
            form = "<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<sha>@sha256:<digest>"
            raise Refused(f"{what}: {text.strip()!r} is not {form}")
        return cls(**match.groupdict())

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any], *, what: str) -> ImageRef:
        text = f"{entry.get('newName', '')}:{entry.get('newTag', '')}@{entry.get('digest', '')}"
        return cls.parse(text, what=what)

    @property
    def placeholder(self) -> bool:
        return self.digest == PLACEHOLDER_DIGEST

    def __str__(self) -> str:
        return f"{self.registry}/{self.repository}:{self.tag}@{self.digest}"


# --- the overlays ------------------------------------------------------------------------------------------------


def overlay_files(env: str) -> tuple[Path, ...]:
    return (Path("k8s/overlays", env, "kustomization.yaml"), Path("k8s/loadtest/overlays", env, "kustomization.yaml"))


def round_trip() -> YAML:
    """kustomize's own layout (``- name`` at the key's indent), comments kept: `kustomize edit` keeps them too."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=2, offset=0)
    yaml.width = 4096
    return yaml


def entries(text: str, *, what: str) -> dict[str, ImageRef]:
    document = YAML(typ="safe").load(text) or {}
    found: dict[str, ImageRef] = {}
    for entry in document.get("images") or []:
        name = str(entry.get("name", ""))
        if name in found:
            raise Refused(f"{what} lists image {name!r} twice")
        found[name] = ImageRef.from_entry(entry, what=f"{what} image {name!r}")
    return found


def current(root: Path, env: str) -> dict[Path, dict[str, ImageRef]]:
    return {path: entries((root / path).read_text(), what=str(path)) for path in overlay_files(env)}


def write(root: Path, path: Path, updates: Mapping[str, ImageRef]) -> None:
    """Set the listed entries of ``path`` (newName, newTag, digest), as `kustomize edit set image` would."""
    yaml = round_trip()
    document = yaml.load((root / path).read_text())
    seen = set()
    for entry in document.get("images") or []:
        ref = updates.get(str(entry.get("name")))
        if ref is None:
            continue
        entry["newName"] = f"{ref.registry}/{ref.repository}"
        entry["newTag"] = DoubleQuotedScalarString(ref.tag)  # a SHA of digits only would otherwise read as a number
        entry["digest"] = ref.digest
        seen.add(str(entry.get("name")))
    if missing := sorted(set(updates) - seen):
        raise Refused(f"{path} lists no image {', '.join(missing)}")
    out = io.StringIO()
    yaml.dump(document, out)
    (root / path).write_text(out.getvalue())


def names(overlays: Mapping[Path, Mapping[str, ImageRef]]) -> list[str]:
    return sorted({name for images in overlays.values() for name in images})


def same_repository(old: ImageRef, new: ImageRef, *, what: str) -> None:
    """A release or rollback changes the version, never which repository (or region) an overlay pulls from."""
    if new.repository != old.repository or new.registry.split(".", 1)[1] != old.registry.split(".", 1)[1]:
        raise Refused(f"{what}: {new} is not in {old.registry.split('.', 1)[1]}/{old.repository}")


# --- git and kubectl ---------------------------------------------------------------------------------------------


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)  # noqa: S603, S607
    if check and result.returncode != 0:
        raise Refused(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result


def is_commit(root: Path, revision: str) -> bool:
    return git(root, "cat-file", "-e", f"{revision}^{{commit}}", check=False).returncode == 0


def is_ancestor(root: Path, ancestor: str, descendant: str) -> bool:
    return git(root, "merge-base", "--is-ancestor", ancestor, descendant, check=False).returncode == 0


def at_revision(root: Path, revision: str, env: str) -> dict[Path, dict[str, ImageRef]]:
    """The overlays' images as committed at ``revision`` (an overlay that did not exist yet is left out)."""
    found = {}
    for path in overlay_files(env):
        shown = git(root, "show", f"{revision}:{path.as_posix()}", check=False)
        if shown.returncode == 0:
            found[path] = entries(shown.stdout, what=f"{path} at {revision[:12]}")
    return found


def kubectl() -> str:
    """$KUBECTL, else the kubectl beside this interpreter (the project's .venv), else the one on PATH (runners)."""
    if configured := os.environ.get("KUBECTL"):
        return configured
    beside = Path(sys.executable).parent / "kubectl"
    if beside.is_file():
        return str(beside)
    found = shutil.which("kubectl")
    if found is None:
        raise Refused("kubectl not found (set KUBECTL): the overlays must render before anything is committed")
    return found


def container_images(node: Any) -> Iterator[str]:
    """Every ``image`` of a ``containers``/``initContainers`` list anywhere in a document (pods, Jobs in templates)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                yield from (str(c["image"]) for c in value if isinstance(c, dict) and "image" in c)
            yield from container_images(value)
    elif isinstance(node, list):
        for item in node:
            yield from container_images(item)


def check_renders(root: Path, path: Path, expected: Sequence[ImageRef]) -> None:
    directory = root / path.parent
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [kubectl(), "kustomize", str(directory)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise Refused(f"kubectl kustomize {path.parent} failed: {result.stderr.strip()}")
    rendered = {image for doc in YAML(typ="safe").load_all(result.stdout) for image in container_images(doc)}
    if unused := sorted(str(ref) for ref in expected if str(ref) not in rendered):
        raise Refused(f"{path.parent} renders no container with {', '.join(unused)}: its images entry changes nothing")
    print(f"{path.parent}: renders, {len(expected)} image(s) in its containers")  # noqa: T201 - workflow log


def apply(root: Path, overlays: Mapping[Path, Mapping[str, ImageRef]], targets: Mapping[str, ImageRef]) -> None:
    for path, images in overlays.items():
        updates = {name: targets[name] for name in images if name in targets}
        for name, ref in updates.items():
            same_repository(images[name], ref, what=f"{path} image {name!r}")
        write(root, path, updates)
    for path, images in overlays.items():
        check_renders(root, path, [targets[name] for name in images if name in targets])


# --- commands ----------------------------------------------------------------------------------------------------


def command_names(root: Path, env: str) -> int:
    print("\n".join(names(current(root, env))))  # noqa: T201 - output for the workflow
    return 0


def command_set(root: Path, env: str, images_dir: Path, commit: str, pending: str | None) -> int:
    if not SHA.fullmatch(commit):
        raise Refused(f"--commit must be a full 40-character SHA, not {commit!r}")
    overlays = current(root, env)
    targets = {}
    for name in names(overlays):
        source = images_dir / name
        if not source.is_file():
            raise Refused(f"no image was built for {name!r} ({source} is missing), which an overlay of {env} lists")
        ref = ImageRef.parse(source.read_text(), what=str(source))
        if ref.tag != commit:
            raise Refused(f"{source}: {ref} is not tagged {commit}")
        targets[name] = ref
    # Never move the environment backwards: a re-run of an older release, or an older push finishing late.
    running = [ref for images in overlays.values() for ref in images.values()]
    if pending and is_commit(root, pending):
        running += [ref for images in at_revision(root, pending, env).values() for ref in images.values()]
    for ref in running:
        if ref.tag != commit and is_commit(root, ref.tag) and is_ancestor(root, commit, ref.tag):
            print(f"{env} already runs {ref.tag}, a descendant of {commit}: nothing to do")  # noqa: T201
            return 0
    apply(root, overlays, targets)
    return 0


def parse_images(text: str, known: Sequence[str]) -> dict[str, str]:
    """``name=ref`` or ``name=sha256:<digest>`` items, separated by spaces, commas or new lines."""
    wanted: dict[str, str] = {}
    for item in re.split(r"[\s,]+", text.strip()):
        name, sep, value = item.partition("=")
        if not sep or not NAME.fullmatch(name):
            raise Refused(f"images: {item!r} is not name=<reference> or name=sha256:<digest>")
        if name not in known:
            raise Refused(f"images: {name!r} is not an image of these overlays ({', '.join(known)})")
        if name in wanted:
            raise Refused(f"images: {name!r} is given twice")
        if not DIGEST.fullmatch(value) and not REFERENCE.fullmatch(value):
            raise Refused(f"images: {name}={value!r} is neither sha256:<64 hex> nor a full ECR reference")
        wanted[name] = value
    if not wanted:
        raise Refused("images: nothing given")
    return wanted


def history(root: Path, main: str, env: str) -> dict[str, set[ImageRef]]:
    """Every reference each image had in the environment's overlays on ``main``'s history (first parents and merges)."""
    paths = [path.as_posix() for path in overlay_files(env)]
    commits = git(root, "log", "--format=%H", main, "--", *paths).stdout.split()
    seen: dict[str, set[ImageRef]] = {}
    for commit in commits:
        for images in at_revision(root, commit, env).values():
            for name, ref in images.items():
                seen.setdefault(name, set()).add(ref)
    return seen


def resolve(name: str, value: str, known: set[ImageRef], env: str) -> ImageRef:
    if DIGEST.fullmatch(value):
        matches = sorted(ref for ref in known if ref.digest == value)
        if len(matches) > 1:
            raise Refused(
                f"images: {name}@{value} was committed as {', '.join(map(str, matches))}: give the full reference"
            )
    else:
        matches = [ref for ref in known if str(ref) == value]
    if not matches:
        raise Refused(f"images: {name}={value} never ran in {env}: it is in no commit of the {env} overlays on main")
    return matches[0]


def short(ref: ImageRef) -> str:
    return f"`{ref.tag[:12]}` `{ref.digest[:19]}`"


def command_rollback(
    root: Path, env: str, main: str, revision: str | None, images: str | None, plan: Path | None, summary: Path | None
) -> int:
    if (revision is None) == (images is None):
        raise Refused("give exactly one target: a revision, or images")
    if not is_commit(root, main):
        raise Refused(f"{main!r} is not a commit here")
    overlays = current(root, env)
    known = names(overlays)
    targets: dict[str, ImageRef] = {}
    if revision is not None:
        if not SHA.fullmatch(revision):
            raise Refused(f"revision must be a full 40-character commit SHA, not {revision!r}")
        if not is_commit(root, revision) or not is_ancestor(root, revision, main):
            raise Refused(f"revision {revision} is not on main's history")
        then = at_revision(root, revision, env)
        for path, images_now in overlays.items():
            for name in images_now:
                # The same overlay at that revision, else the other one (loadgen moved between them over time).
                ref = then.get(path, {}).get(name) or next((i[name] for i in then.values() if name in i), None)
                if ref is None:
                    print(f"{name}: not in the {env} overlays at {revision[:12]}, left as it is")  # noqa: T201
                    continue
                if ref.placeholder:
                    raise Refused(
                        f"{name} had no release yet at {revision[:12]} (placeholder digest): nothing to restore"
                    )
                targets.setdefault(name, ref)
        source = f"the {env} overlays at `{revision}`"
    else:
        assert images is not None
        committed = history(root, main, env)
        for name, value in parse_images(images, known).items():
            targets[name] = resolve(name, value, committed.get(name, set()), env)
        source = "images committed to the " + env + " overlays earlier"
    before = {name: ref for imgs in overlays.values() for name, ref in imgs.items()}
    changes = {
        name: ref
        for name, ref in targets.items()
        if any(imgs.get(name) not in (None, ref) for imgs in overlays.values())
    }
    if not changes:
        raise Refused(f"{env} already runs these images: nothing to roll back")
    apply(root, overlays, targets)
    if plan is not None:
        plan.write_text("".join(f"{name} {ref.repository} {ref.digest}\n" for name, ref in sorted(changes.items())))
    if summary is not None:
        rows = [f"| {name} | {short(before[name])} | {short(ref)} |" for name, ref in sorted(changes.items())]
        summary.write_text(
            f"Restores {source}.\n\n| image | now | after this pull request |\n| --- | --- | --- |\n"
            + "\n".join(rows)
            + "\n"
        )
    for name, ref in sorted(changes.items()):
        print(f"{name}: {before[name]} -> {ref}")  # noqa: T201 - workflow log
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("names", "set", "rollback"):
        sub = commands.add_parser(name)
        sub.add_argument("--env", required=True, choices=ENVIRONMENTS)
        sub.add_argument(
            "--root", type=Path, default=Path.cwd(), help="repository root (default: the current directory)"
        )
        if name == "set":
            sub.add_argument("--images", type=Path, required=True, help="directory with one reference file per image")
            sub.add_argument("--commit", required=True)
            sub.add_argument("--pending", help="a ref whose overlays also count as running (a pending bump's branch)")
        if name == "rollback":
            sub.add_argument("--main", required=True, help="the branch whose history bounds what may be restored")
            target = sub.add_mutually_exclusive_group(required=True)
            target.add_argument("--revision")
            target.add_argument("--images", dest="image_list")
            sub.add_argument("--plan", type=Path)
            sub.add_argument("--summary", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "names":
            return command_names(args.root, args.env)
        if args.command == "set":
            return command_set(args.root, args.env, args.images, args.commit, args.pending)
        return command_rollback(args.root, args.env, args.main, args.revision, args.image_list, args.plan, args.summary)
    except Refused as refused:
        prefix = "::error::" if os.environ.get("GITHUB_ACTIONS") == "true" else "refused: "
        print(f"{prefix}{refused}", file=sys.stderr)  # noqa: T201
        return 1


if __name__ == "__main__":
    sys.exit(main())
