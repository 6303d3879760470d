"""deliver.py: how an overlay change reaches main, against a real bare "origin" and a recording stand-in for gh."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.unit.workflows.conftest import SCRIPTS, git

# Answers like gh's: the bot user's id, the open pull requests of a branch (from a file the test writes).
FAKE_GH = """#!{python}
import json, os, sys
log = os.environ["GH_LOG"]
with open(log, "a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\\n")
args = sys.argv[1:]
if args[:1] == ["api"]:
    print("149130343")
elif args[:2] == ["pr", "list"]:
    print(open(os.environ["GH_OPEN"]).read().strip())
"""
OVERLAY = "k8s/overlays/dev/kustomization.yaml"


@dataclass
class Clone:
    root: Path
    origin: Path
    log: Path
    open_prs: Path

    def deliver(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "GH_LOG": str(self.log), "GH_OPEN": str(self.open_prs)}
        env["PATH"] = f"{self.root.parent / 'bin'}{os.pathsep}{env['PATH']}"
        return subprocess.run(
            [sys.executable, str(SCRIPTS / "deliver.py"), *args], cwd=self.root, capture_output=True, text=True, env=env
        )

    def gh_calls(self) -> list[list[str]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()] if self.log.exists() else []

    def change(self, text: str = "images: changed\n") -> None:
        (self.root / OVERLAY).write_text(text)


@pytest.fixture
def clone(tmp_path: Path) -> Clone:
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(origin))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "--quiet", str(origin), str(seed))
    git(seed, "config", "user.name", "seed")
    git(seed, "config", "user.email", "seed@example.com")
    (seed / OVERLAY).parent.mkdir(parents=True)
    (seed / OVERLAY).write_text("images: []\n")
    git(seed, "add", "-A")
    git(seed, "commit", "--quiet", "-m", "seed")
    git(seed, "push", "--quiet", "origin", "HEAD:main")
    work = tmp_path / "work"
    git(tmp_path, "clone", "--quiet", str(origin), str(work))
    git(work, "config", "commit.gpgsign", "false")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH.format(python=sys.executable))
    (bin_dir / "gh").chmod(0o755)
    open_prs = tmp_path / "open-prs"
    open_prs.write_text("")
    return Clone(work, origin, tmp_path / "gh.log", open_prs)


def origin_log(clone: Clone, ref: str) -> list[str]:
    return git(clone.origin, "log", "--format=%s|%an|%ae", ref).splitlines()


def test_given_push_mode_then_the_commit_reaches_main_as_the_bot_and_says_skip_ci(clone: Clone) -> None:
    clone.change()
    result = clone.deliver("--mode", "push", "--bot", "tlj-release", "--subject", "release(dev): x", "--paths", OVERLAY)
    assert result.returncode == 0, result.stderr
    top = origin_log(clone, "main")[0]
    assert top == "release(dev): x [skip ci]|tlj-release[bot]|149130343+tlj-release[bot]@users.noreply.github.com"
    assert [call[:2] for call in clone.gh_calls()] == [["api", "/users/tlj-release[bot]"]]


def test_given_main_moved_meanwhile_when_pushing_then_it_rebases_and_keeps_both(clone: Clone, tmp_path: Path) -> None:
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(clone.origin), str(other))
    (other / "README").write_text("someone else\n")
    git(other, "add", "-A")
    git(other, "-c", "user.name=o", "-c", "user.email=o@example.com", "commit", "--quiet", "-m", "meanwhile")
    git(other, "push", "--quiet", "origin", "HEAD:main")
    clone.change()
    result = clone.deliver("--mode", "push", "--subject", "release(dev): y", "--paths", OVERLAY)
    assert result.returncode == 0, result.stderr
    assert "rebasing" in result.stdout
    subjects = [line.split("|")[0] for line in origin_log(clone, "main")]
    assert subjects[:2] == ["release(dev): y [skip ci]", "meanwhile"]


def test_given_pull_request_mode_then_the_branch_has_no_skip_instruction_and_auto_merge_squashes_that_head(
    clone: Clone, tmp_path: Path
) -> None:
    clone.change()
    body = tmp_path / "body.md"
    body.write_text("why\n")
    result = clone.deliver(
        "--mode", "pull-request", "--bot", "tlj-release", "--subject", "release(dev): z", "--branch", "release/dev",
        "--body-file", str(body), "--auto-merge", "--paths", OVERLAY,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # main is untouched; the branch's head carries no [skip ci], so the pull request's required checks run
    assert [line.split("|")[0] for line in origin_log(clone, "main")] == ["seed"]
    assert origin_log(clone, "release/dev")[0].split("|")[0] == "release(dev): z"
    head = git(clone.origin, "rev-parse", "release/dev")
    calls = clone.gh_calls()
    assert calls[2][:8] == ["pr", "create", "--base", "main", "--head", "release/dev", "--title", "release(dev): z"]
    merge = calls[3]
    assert merge[:5] == ["pr", "merge", "release/dev", "--auto", "--squash"]
    assert merge[merge.index("--subject") + 1] == "release(dev): z [skip ci]"  # main's commit starts no CI run
    assert merge[merge.index("--match-head-commit") + 1] == head


def test_given_an_open_pull_request_for_the_branch_then_it_is_updated_not_duplicated(
    clone: Clone, tmp_path: Path
) -> None:
    clone.open_prs.write_text("42\n")
    clone.change()
    body = tmp_path / "body.md"
    body.write_text("newer\n")
    result = clone.deliver(
        "--mode", "pull-request", "--subject", "release(prod): a", "--branch", "release/prod-a",
        "--body-file", str(body), "--paths", OVERLAY,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    verbs = [call[:2] for call in clone.gh_calls()]
    assert ["pr", "edit"] in verbs
    assert ["pr", "create"] not in verbs
    assert ["pr", "merge"] not in verbs  # prod: a person reviews and merges


def test_given_no_change_then_nothing_is_committed_pushed_or_opened(clone: Clone) -> None:
    result = clone.deliver("--mode", "push", "--subject", "release(dev): none", "--paths", OVERLAY)
    assert result.returncode == 0, result.stderr
    assert "no change" in result.stdout
    assert clone.gh_calls() == []
    assert [line.split("|")[0] for line in origin_log(clone, "main")] == ["seed"]


@pytest.mark.parametrize(
    "args",
    [
        ["--mode", "push", "--subject", "release(dev): x [skip ci]", "--paths", OVERLAY],
        ["--mode", "pull-request", "--subject", "release(dev): x", "--paths", OVERLAY],
        ["--mode", "merge", "--subject", "release(dev): x", "--paths", OVERLAY],
    ],
)
def test_given_a_wrong_invocation_then_it_is_refused_before_touching_git(clone: Clone, args: list[str]) -> None:
    clone.change()
    result = clone.deliver(*args)
    assert result.returncode == 2
    assert git(clone.root, "diff", "--cached", "--name-only") == ""
