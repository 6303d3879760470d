"""Commit an overlay change and deliver it to ``main``: a direct push, or a pull request (optionally auto-merged).

Run by .github/workflows/release.yml and rollback.yml after ``overlay_images.py`` changed the overlays, with the
GitHub App's installation token in ``GH_TOKEN`` and in the checkout's credentials: events caused by the workflow's
own GITHUB_TOKEN start no workflow run, so a pull request opened with it would get no CI
(https://docs.github.com/actions/concepts/security/github_token, "When GITHUB_TOKEN triggers workflow runs").

``--mode push``
    Commit ``<subject> [skip ci]`` and push it to main (three tries, rebasing when main moved). Only for a main that
    is unprotected or whose ruleset lets the App bypass it.
``--mode pull-request --branch B [--auto-merge]``
    Commit ``<subject>`` (no skip instruction: it would also skip the pull request's required checks, which then
    stay pending and block the merge: https://docs.github.com/en/actions/managing-workflow-runs/skipping-workflow-runs),
    force-push it to B, open the pull request from B (or update the open one: one pending change per branch, so an
    older change can never merge after a newer one) and, with ``--auto-merge``, let GitHub squash-merge it once the
    required checks pass, as ``<subject> [skip ci]`` and only if B's head is still this commit (``gh pr merge --auto
    --match-head-commit``; gh passes the subject and the head as commitHeadline and expectedHeadOid of
    enablePullRequestAutoMerge, and merges at once when nothing is pending: cli/cli@v2.60.0:pkg/cmd/pr/merge/http.go,
    merge.go isImmediatelyMergeable). GitHub keeps auto-merge on when someone with write access pushes to B
    (https://docs.github.com/en/pull-requests/collaborating-with-pull-requests/incorporating-changes-from-a-pull-request/automatically-merging-a-pull-request).

Nothing staged means nothing to deliver: it says so and exits 0.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

SKIP_CI = "[skip ci]"


class Failed(Exception):
    """A git or gh command failed; the message has its error output."""


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603 - fixed argv, no shell
    if check and result.returncode != 0:
        raise Failed(f"{' '.join(argv[:3])} ... failed ({result.returncode}): {result.stderr.strip()}")
    return result


def say(message: str) -> None:
    print(message)  # noqa: T201 - workflow log


def configure_bot(slug: str) -> None:
    """Commit as the App's bot user, ``<id>+<slug>[bot]@users.noreply.github.com`` (create-github-app-token README)."""
    user_id = run("gh", "api", f"/users/{slug}[bot]", "--jq", ".id").stdout.strip()
    if not user_id.isdigit():
        raise Failed(f"no user id for {slug}[bot]: {user_id!r}")
    run("git", "config", "user.name", f"{slug}[bot]")
    run("git", "config", "user.email", f"{user_id}+{slug}[bot]@users.noreply.github.com")


def push_to_main(subject: str) -> None:
    run("git", "commit", "--quiet", "-m", f"{subject} {SKIP_CI}")
    for attempt in (1, 2, 3):
        if run("git", "push", "origin", "HEAD:refs/heads/main", check=False).returncode == 0:
            say(f"pushed {subject} to main")
            return
        say(f"push rejected (attempt {attempt}): main moved, rebasing")
        run("git", "pull", "--rebase", "--quiet", "origin", "main")
    raise Failed("main kept moving: not pushed after three attempts")


def open_pull_request(subject: str, branch: str, body: Path, auto_merge: bool) -> None:
    run("git", "commit", "--quiet", "-m", subject)
    head = run("git", "rev-parse", "HEAD").stdout.strip()
    run("git", "push", "--force", "origin", f"HEAD:refs/heads/{branch}")
    found = run(
        "gh",
        "pr",
        "list",
        "--head",
        branch,
        "--base",
        "main",
        "--state",
        "open",
        "--json",
        "number",
        "--jq",
        ".[].number",
    ).stdout.split()
    if found:
        run("gh", "pr", "edit", found[0], "--title", subject, "--body-file", str(body))
        say(f"updated pull request #{found[0]} from {branch}")
    else:
        run("gh", "pr", "create", "--base", "main", "--head", branch, "--title", subject, "--body-file", str(body))
        say(f"opened a pull request from {branch}")
    if auto_merge:
        run(
            "gh", "pr", "merge", branch, "--auto", "--squash",
            "--subject", f"{subject} {SKIP_CI}", "--match-head-commit", head,
        )  # fmt: skip
        say(f"auto-merge: squash once the required checks pass, if {branch} is still {head[:12]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mode", required=True, choices=("push", "pull-request"))
    parser.add_argument("--subject", required=True)
    parser.add_argument("--paths", nargs="+", required=True, type=Path)
    parser.add_argument("--bot", help="the GitHub App's slug: commit as its bot user")
    parser.add_argument("--branch", help="pull-request mode: the branch the change is pushed to")
    parser.add_argument("--body-file", type=Path, help="pull-request mode: the pull request's description")
    parser.add_argument("--auto-merge", action="store_true", help="pull-request mode: squash-merge once checks pass")
    args = parser.parse_args(argv)
    if args.mode == "pull-request" and (not args.branch or args.body_file is None):
        parser.error("--mode pull-request needs --branch and --body-file")
    if SKIP_CI in args.subject:
        parser.error(f"--subject must not contain {SKIP_CI}: this script adds it where it belongs")
    try:
        run("git", "add", "--", *map(str, args.paths))
        if run("git", "diff", "--cached", "--quiet", check=False).returncode == 0:
            say("no change to deliver")
            return 0
        if args.bot:
            configure_bot(args.bot)
        if args.mode == "push":
            push_to_main(args.subject)
        else:
            open_pull_request(args.subject, args.branch, args.body_file, args.auto_merge)
    except Failed as failed:
        print(f"::error::{failed}", file=sys.stderr)  # noqa: T201
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
