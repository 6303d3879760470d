"""The GitHub workflows: pinned actions, the right identity for each job, no untrusted text in shell source."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks.config import DEV, PROD
from tests.unit.workflows.conftest import REPO_ROOT, SCRIPTS

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
RELEASE_WORKFLOWS = ("release.yml", "rollback.yml")  # the ones that write to Git and to ECR
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<target>\S+)(?P<rest>.*)$")
PINNED = re.compile(r"^(?P<action>[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+)@(?P<sha>[0-9a-f]{40})$")
VERSION_COMMENT = re.compile(r"^\s+# (?P<version>v\d+\.\d+\.\d+)$")
APP_TOKEN = "actions/create-github-app-token"


def load(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    if True in document:
        document["on"] = document.pop(True)
    return dict(document)


def jobs(name: str) -> dict[str, dict[str, Any]]:
    return dict(load(REPO_ROOT / ".github" / "workflows" / name)["jobs"])


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job.get("steps", []) if str(step.get("uses", "")).split("@")[0] == action]


def all_uses(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "uses":
                yield str(value)
            yield from all_uses(value)
    elif isinstance(node, list):
        for item in node:
            yield from all_uses(item)


def test_there_are_the_three_workflows() -> None:
    assert {path.name for path in WORKFLOWS} == {"ci.yml", "release.yml", "rollback.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_full_commit_sha_with_its_release_beside_it(path: Path) -> None:
    lines = [line for line in path.read_text().splitlines() if USES_LINE.match(line)]
    # Every `uses` the YAML holds is on a line of its own (none in a flow mapping the line check would miss).
    assert len(lines) == len(list(all_uses(load(path)))) > 0
    for line in lines:
        match = USES_LINE.match(line)
        assert match is not None
        target, rest = match["target"], match["rest"]
        if target.startswith("./"):
            continue  # an action of this repository: the commit itself pins it
        assert not target.startswith("docker://") or "@sha256:" in target, line
        assert PINNED.match(target), f"{path.name}: {line.strip()} is not pinned to a 40-hex commit SHA"
        assert VERSION_COMMENT.match(rest), f"{path.name}: {line.strip()} has no `# vX.Y.Z` comment"


def test_each_action_is_pinned_to_one_commit_and_one_version_everywhere() -> None:
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in WORKFLOWS:
        for line in path.read_text().splitlines():
            if (match := USES_LINE.match(line)) and (pinned := PINNED.match(match["target"])):
                version = VERSION_COMMENT.match(match["rest"])
                assert version is not None
                pins.setdefault(pinned["action"], set()).add((pinned["sha"], version["version"]))
    assert {action: len(found) for action, found in pins.items()} == dict.fromkeys(pins, 1)
    assert APP_TOKEN in pins


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_is_spliced_into_shell_source(path: Path) -> None:
    # Inputs, branch names and step outputs reach scripts through env only: ${{ }} inside `run` is script injection.
    for name, job in load(path)["jobs"].items():
        for step in job.get("steps", []):
            assert "${{" not in str(step.get("run", "")), f"{path.name} {name}: {step.get('name', step.get('run'))}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_has_a_timeout_and_its_own_permissions_under_an_empty_or_read_only_default(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] in ({}, {"contents": "read"})
    for name, job in workflow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), name
        assert "permissions" in job or workflow["permissions"] == {"contents": "read"}, name


@pytest.mark.parametrize("name", RELEASE_WORKFLOWS)
def test_git_writes_use_the_apps_token_and_the_workflow_token_may_only_read(name: str) -> None:
    text = (REPO_ROOT / ".github" / "workflows" / name).read_text()
    assert "github.token" not in text
    assert "secrets.GITHUB_TOKEN" not in text
    for job_name, job in jobs(name).items():
        permissions = job.get("permissions", {})
        assert permissions.get("contents", "read") == "read", job_name
        assert "pull-requests" not in permissions, job_name
        runs = "\n".join(str(step.get("run", "")) for step in job.get("steps", []))
        if "deliver.py" not in runs:
            continue
        # The App's token: what it pushes or opens starts workflow runs, so CI runs on its pull requests.
        (app,) = steps_using(job, APP_TOKEN)
        assert app["with"]["client-id"] == "${{ vars.RELEASE_APP_CLIENT_ID }}"
        assert app["with"]["private-key"] == "${{ secrets.RELEASE_APP_PRIVATE_KEY }}"
        granted = {key: value for key, value in app["with"].items() if key.startswith("permission-")}
        assert granted == {"permission-contents": "write", "permission-pull-requests": "write"}, job_name
        (checkout,) = steps_using(job, "actions/checkout")
        assert checkout["with"]["token"] == f"${{{{ steps.{app['id']}.outputs.token }}}}"
        assert checkout["with"]["fetch-depth"] == 0  # "never backwards" and "on main" need the history
        for step in job["steps"]:
            if "deliver.py" in str(step.get("run", "")):
                assert step["env"]["GH_TOKEN"] == f"${{{{ steps.{app['id']}.outputs.token }}}}"
        steps = job["steps"]
        assert steps.index(app) < steps.index(checkout)


def aws_jobs() -> Iterator[tuple[str, str, dict[str, Any], str]]:
    for name in RELEASE_WORKFLOWS:
        workflow = load(REPO_ROOT / ".github" / "workflows" / name)
        for job_name, job in workflow["jobs"].items():
            for step in steps_using(job, "aws-actions/configure-aws-credentials"):
                yield name, job_name, job, step["with"]["role-to-assume"]


def test_the_prod_release_role_is_assumed_only_by_jobs_of_the_environment_it_trusts() -> None:
    # The prod role trusts exactly repo:<owner>/<repo>:environment:production (stacks/constructs/delivery.py), the
    # subject of a job that references that environment (GitHub docs, OpenID Connect reference).
    prod = [(w, j, job) for w, j, job, role in aws_jobs() if "/tlj-prod-github-release-" in role]
    assert {(w, j) for w, j, _ in prod} == {("release.yml", "promote-prod"), ("rollback.yml", "rollback-prod")}
    assert PROD.delivery.github_environment == "production"
    for _, _, job in prod:
        assert job["environment"] == PROD.delivery.github_environment
        assert job["permissions"]["id-token"] == "write"


def test_the_dev_release_role_is_assumed_only_by_jobs_on_main_without_an_environment() -> None:
    # The dev role trusts repo:<owner>/<repo>:ref:refs/heads/main; a job with an environment would carry that
    # environment in its subject instead, and a run on another branch that branch.
    assert DEV.delivery.github_environment is None
    dev = [(w, j, job) for w, j, job, role in aws_jobs() if "/tlj-dev-github-release-" in role]
    assert {(w, j) for w, j, _ in dev} == {("release.yml", "build"), ("rollback.yml", "rollback-dev")}
    release_on = load(REPO_ROOT / ".github" / "workflows" / "release.yml")["on"]
    assert release_on["push"]["branches"] == ["main"]
    for workflow, name, job in dev:
        assert "environment" not in job, name
        condition = job["if"]
        assert (
            condition == "github.event_name == 'push'"
            if workflow == "release.yml"
            else "github.ref == 'refs/heads/main'" in condition
        )


def test_the_dev_bump_defaults_to_a_pull_request_that_auto_merges_and_keeps_the_loop_safe() -> None:
    release = load(REPO_ROOT / ".github" / "workflows" / "release.yml")
    bump = release["jobs"]["bump-dev"]
    assert bump["env"]["BUMP_MODE"] == "${{ vars.DEV_BUMP_MODE || 'pull-request' }}"
    runs = "\n".join(str(step.get("run", "")) for step in bump["steps"])
    assert '--mode "$BUMP_MODE"' in runs
    assert "--auto-merge" in runs
    assert '--pending "origin/$BUMP_BRANCH"' in runs  # never backwards, also against the pending pull request
    # The bump touches k8s/ only, and this workflow runs for containers/** only: the App's push cannot loop.
    assert release["on"]["push"]["paths"] == ["containers/**"]
    paths = runs.split("--paths", 1)[1].split()
    assert paths == ["k8s/overlays/dev/kustomization.yaml", "k8s/loadtest/overlays/dev/kustomization.yaml"]
    assert "--env dev --images images" in runs


def test_the_prod_promotion_opens_a_pull_request_for_review_and_never_auto_merges() -> None:
    promote = jobs("release.yml")["promote-prod"]
    runs = "\n".join(str(step.get("run", "")) for step in promote["steps"])
    deliver = runs[runs.index("deliver.py") :]
    assert "--mode pull-request" in deliver
    assert "--auto-merge" not in deliver
    assert "overlay_images.py set --env prod" in runs
    # The body tells the person what to do next for both Rollouts.
    assert "kubectl argo rollouts promote order -n tlj" in runs
    assert "kubectl argo rollouts promote login -n tlj" in runs


def test_the_rollback_workflow_takes_an_environment_choice_and_a_revision_or_images() -> None:
    rollback = load(REPO_ROOT / ".github" / "workflows" / "rollback.yml")
    inputs = rollback["on"]["workflow_dispatch"]["inputs"]
    assert inputs["environment"]["type"] == "choice"
    assert inputs["environment"]["options"] == ["dev", "prod"]
    assert {"revision", "images", "reason"} <= set(inputs)
    assert rollback["concurrency"]["group"] == "rollback-${{ inputs.environment }}"
    for env, job_name in (("dev", "rollback-dev"), ("prod", "rollback-prod")):
        job = rollback["jobs"][job_name]
        assert f"inputs.environment == '{env}'" in job["if"]
        assert job["env"]["TARGET_ENV"] == env
        runs = "\n".join(str(step.get("run", "")) for step in job["steps"])
        assert "overlay_images.py rollback" in runs
        assert "--main origin/main" in runs
        assert "aws ecr describe-images" in runs  # each digest still exists (ECR keeps only the newest images)
        deliver = runs[runs.index("deliver.py") :]
        assert "--mode pull-request" in deliver
        assert ("--auto-merge" in deliver) == (env == "dev")
        # The overlays are rewritten and rendered (overlay_images.py) before ECR is asked and before the pull request.
        names = [step.get("name", step.get("uses", "")) for step in job["steps"]]
        assert names.index("Put the images back in the overlays (validated, no no-op), check they render") < next(
            i for i, n in enumerate(names) if "Open the pull request" in n
        )


def test_the_scripts_dependency_is_installed_by_hash_at_the_version_the_project_pins() -> None:
    requirements = (SCRIPTS / "requirements.txt").read_text()
    pinned = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", requirements, re.MULTILINE)
    hashes = re.findall(r"--hash=sha256:[0-9a-f]{64}", requirements)
    assert pinned
    assert len(hashes) >= len(pinned)
    constraints = (REPO_ROOT / "constraints.txt").read_text()
    for name, version in pinned:
        assert f"{name}=={version}" in constraints
    for name in RELEASE_WORKFLOWS:
        text = (REPO_ROOT / ".github" / "workflows" / name).read_text()
        installs = [line for line in text.splitlines() if "pip install" in line]
        assert installs
        assert all("--require-hashes" in line for line in installs)


def run_step(job: dict[str, Any], name: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A step's script as the runner runs it (`shell: bash` is bash -e -o pipefail), with only the given env."""
    (step,) = [step for step in job["steps"] if step.get("name") == name]
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], **env},
        check=False,
    )


SHA40 = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize("job_name", ["rollback-dev", "rollback-prod"])
@pytest.mark.parametrize(
    ("revision", "images", "reason", "ok"),
    [
        (SHA40, "", "bad prices in 4f2a", True),
        ("", "order=sha256:" + "a" * 64, "login 5xx", True),
        (SHA40, "order=sha256:" + "a" * 64, "both", False),
        ("", "", "neither", False),
        ("4f2a", "", "short sha", False),
        (SHA40 + "\n", "", "trailing newline", False),
        (SHA40, "", "", False),
        (SHA40, "", "two\nlines", False),
        (SHA40, "", "x" * 201, False),
    ],
)
def test_the_rollback_refuses_a_malformed_request_before_it_gets_any_token(
    job_name: str, revision: str, images: str, reason: str, ok: bool
) -> None:
    job = jobs("rollback.yml")[job_name]
    assert job["steps"][0]["name"] == "Check the inputs' shape"  # first: before the App's or AWS' credentials
    result = run_step(job, "Check the inputs' shape", {"REVISION": revision, "IMAGES": images, "REASON": reason})
    assert (result.returncode == 0) == ok, result.stdout + result.stderr


@pytest.mark.parametrize(("mode", "ok"), [("pull-request", True), ("push", True), ("merge", False), ("", False)])
def test_the_dev_bump_accepts_only_the_two_documented_modes(mode: str, ok: bool) -> None:
    result = run_step(jobs("release.yml")["bump-dev"], "Check the bump mode", {"BUMP_MODE": mode})
    assert (result.returncode == 0) == ok, result.stdout
