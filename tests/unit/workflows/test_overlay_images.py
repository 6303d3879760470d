"""overlay_images.py: what the release and rollback workflows write to the overlays, against a real git history."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.unit.workflows.conftest import REGISTRY, Repo, digest, ref_text


def images(repo: Repo, env: str, kind: str = "overlays") -> dict[str, str]:
    document = yaml.safe_load(repo.overlay(env, kind).read_text())
    return {e["name"]: f"{e['newName']}:{e['newTag']}@{e['digest']}" for e in document["images"]}


ref = ref_text


def rendered_images(repo: Repo, kind: str, env: str) -> str:
    kubectl = Path(sys.executable).parent / "kubectl"
    directory = repo.root / "k8s" / ("loadtest/overlays" if kind == "loadtest" else "overlays") / env
    return subprocess.run(
        [str(kubectl), "kustomize", str(directory)], capture_output=True, text=True, check=True
    ).stdout


# --- set: the dev bump and the prod promotion --------------------------------------------------------------------


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_given_built_images_when_set_then_every_listed_image_is_pinned_and_the_rest_of_the_file_is_untouched(
    repo: Repo, env: str
) -> None:
    before = {kind: repo.overlay(env, kind).read_text() for kind in ("overlays", "loadtest")}
    commit = repo.change_code("order: faster checkout")
    result = repo.run(
        "overlay_images.py", "set", "--env", env, "--images", str(repo.built(env, commit)), "--commit", commit
    )
    assert result.returncode == 0, result.stderr
    for kind in ("overlays", "loadtest"):
        listed = images(repo, env, kind)
        assert listed == {name: ref(env, name, commit) for name in listed}
        # Only image lines change: the comments `kustomize edit` keeps (and everything else) stay as they were.
        old, new = before[kind].splitlines(), repo.overlay(env, kind).read_text().splitlines()
        assert len(old) == len(new)
        changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
        assert changed
        assert all(b.strip().split(":")[0] in ("- digest", "digest", "newName", "newTag") for _, b in changed), changed
        # and the rendered manifests run exactly those references
        text = rendered_images(repo, kind, env)
        for value in listed.values():
            assert f"image: {value}" in text
    assert "loadgen" in images(repo, env, "loadtest")


def test_given_dev_runs_a_newer_commit_when_an_older_release_is_set_again_then_nothing_changes(repo: Repo) -> None:
    older = repo.change_code("login: new copy")
    repo.release("dev", "order: newer")
    before = repo.overlay("dev").read_text()
    # When the older push's bump runs late (or is re-run)
    result = repo.run(
        "overlay_images.py", "set", "--env", "dev", "--images", str(repo.built("dev", older)), "--commit", older
    )
    # Then dev is not moved backwards
    assert result.returncode == 0, result.stderr
    assert "nothing to do" in result.stdout
    assert repo.overlay("dev").read_text() == before


def test_given_a_pending_bump_branch_with_a_newer_commit_when_an_older_release_is_set_then_nothing_changes(
    repo: Repo,
) -> None:
    older = repo.change_code("login: new copy")
    repo.git("switch", "--quiet", "-c", "release/dev")
    repo.release("dev", "order: newer")  # the open bump pull request's branch
    repo.git("switch", "--quiet", "main")
    repo.git("reset", "--quiet", "--hard", older)  # main has not merged it yet
    result = repo.run(
        "overlay_images.py", "set", "--env", "dev", "--images", str(repo.built("dev", older)),
        "--commit", older, "--pending", "release/dev",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "nothing to do" in result.stdout
    assert repo.git("status", "--porcelain") == ""


def test_given_a_newer_commit_than_what_runs_when_set_then_dev_moves_forward(repo: Repo) -> None:
    first, _ = repo.release("dev", "first")
    second, _ = repo.release("dev", "second")
    assert images(repo, "dev")["order"] == ref("dev", "order", second)
    assert first != second


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing", "no image was built for 'order'"),
        ("other-tag", "is not tagged"),
        ("other-environment", "is not in dkr.ecr.ap-northeast-2.amazonaws.com/tlj-dev-order"),
        ("other-region", "is not in dkr.ecr.ap-northeast-2.amazonaws.com/tlj-dev-order"),
        ("malformed", "is not <account>.dkr.ecr.<region>.amazonaws.com"),
        ("mutable-tag", "is not <account>.dkr.ecr.<region>.amazonaws.com"),
    ],
)
def test_given_a_wrong_image_when_set_then_it_is_refused_and_nothing_is_written(
    repo: Repo, case: str, expected: str
) -> None:
    commit = repo.change_code("order: change")
    directory = repo.built("dev", commit)
    order = directory / "order"
    good = order.read_text().strip()
    bad = {
        "missing": None,
        "other-tag": good.replace(commit, "f" * 40),
        "other-environment": good.replace("tlj-dev-order", "tlj-prod-order"),
        "other-region": good.replace("ap-northeast-2", "us-east-1"),
        "malformed": good.replace("@sha256:", "@sha1:"),
        "mutable-tag": f"{REGISTRY}/tlj-dev-order:latest",
    }[case]
    if bad is None:
        order.unlink()
    else:
        order.write_text(bad)
    result = repo.run("overlay_images.py", "set", "--env", "dev", "--images", str(directory), "--commit", commit)
    assert result.returncode == 1
    assert expected in result.stderr
    assert repo.git("status", "--porcelain") == ""


def test_given_an_images_entry_that_no_container_uses_when_set_then_it_is_refused(repo: Repo) -> None:
    # An entry whose name matches no container renders the same manifests: the release would silently change nothing.
    overlay = repo.overlay("dev")
    overlay.write_text(
        overlay.read_text()
        + f'- digest: {digest("x")}\n  name: ghost\n  newName: {REGISTRY}/tlj-dev-ghost\n  newTag: "{"0" * 40}"\n'
    )
    repo.git("commit", "--quiet", "-am", "an entry for nothing")
    commit = repo.change_code("change")
    result = repo.run(
        "overlay_images.py", "set", "--env", "dev", "--images",
        str(repo.built("dev", commit, ("login", "order", "loadgen", "ghost"))), "--commit", commit,
    )  # fmt: skip
    assert result.returncode == 1
    assert "renders no container with" in result.stderr
    assert "tlj-dev-ghost" in result.stderr


def test_the_names_are_every_image_the_environments_overlays_list(repo: Repo) -> None:
    result = repo.run("overlay_images.py", "names", "--env", "prod")
    listed = set(images(repo, "prod")) | set(images(repo, "prod", "loadtest"))
    assert result.stdout.split() == sorted(listed)
    assert {"login", "order", "loadgen"} <= listed


# --- rollback ----------------------------------------------------------------------------------------------------


def rollback(repo: Repo, *args: str, env: str = "dev") -> tuple[int, str, str]:
    plan, summary = repo.root.parent / "plan.txt", repo.root.parent / "summary.md"
    result = repo.run(
        "overlay_images.py", "rollback", "--env", env, "--main", "main", "--plan", str(plan), "--summary", str(summary),
        *args,
    )  # fmt: skip
    out = (plan.read_text() if plan.exists() else "") + (summary.read_text() if summary.exists() else "")
    return result.returncode, result.stdout + result.stderr, out


def test_given_a_bad_build_when_rolled_back_to_the_previous_bump_then_every_image_returns_to_it(repo: Repo) -> None:
    good, good_bump = repo.release("dev", "good")
    bad, _ = repo.release("dev", "bad")
    code, log, out = rollback(repo, "--revision", good_bump)
    assert code == 0, log
    for kind in ("overlays", "loadtest"):
        assert set(images(repo, "dev", kind).values()) == {ref("dev", n, good) for n in images(repo, "dev", kind)}
        text = rendered_images(repo, kind, "dev")
        assert bad not in text
        assert good in text
    # The plan lists what the workflow looks up in ECR; the summary goes into the pull request.
    assert f"order tlj-dev-order {digest('dev', 'order', good)}" in out
    assert f"| order | `{bad[:12]}`" in out
    assert f"`{good[:12]}`" in out


def test_given_a_rollback_that_was_merged_when_rolled_back_to_the_bad_bump_again_then_that_build_returns(
    repo: Repo,
) -> None:
    # A rollback of a rollback: the revision is the bump the first rollback undid.
    _, good_bump = repo.release("dev", "good")
    bad, bad_bump = repo.release("dev", "bad (or so we thought)")
    assert rollback(repo, "--revision", good_bump)[0] == 0
    repo.git("commit", "--quiet", "-am", "rollback(dev)")
    code, log, _ = rollback(repo, "--revision", bad_bump)
    assert code == 0, log
    assert images(repo, "dev")["order"] == ref("dev", "order", bad)


def test_given_the_revision_that_runs_already_when_rolled_back_then_the_no_op_is_refused(repo: Repo) -> None:
    _, bump = repo.release("dev", "current")
    code, log, _ = rollback(repo, "--revision", bump)
    assert code == 1
    assert "already runs these images" in log
    assert repo.git("status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("revision", "expected"),
    [
        ("abc123", "full 40-character commit SHA"),
        ("main", "full 40-character commit SHA"),
        ("HEAD~1", "full 40-character commit SHA"),
        ("A" * 40, "full 40-character commit SHA"),
        ("1" * 40, "not on main's history"),
        ("$(touch pwned)", "full 40-character commit SHA"),
    ],
)
def test_given_a_revision_that_is_not_a_full_sha_on_main_when_rolled_back_then_it_is_refused(
    repo: Repo, revision: str, expected: str
) -> None:
    repo.release("dev", "current")
    code, log, _ = rollback(repo, "--revision", revision)
    assert code == 1
    assert expected in log
    assert repo.git("status", "--porcelain") == ""
    assert not (repo.root / "pwned").exists()


def test_given_a_commit_only_on_another_branch_when_rolled_back_to_then_it_is_refused(repo: Repo) -> None:
    repo.release("dev", "current")
    repo.git("switch", "--quiet", "-c", "someone/experiment")
    _, elsewhere = repo.release("dev", "never merged")
    repo.git("switch", "--quiet", "main")
    code, log, _ = rollback(repo, "--revision", elsewhere)
    assert code == 1
    assert "not on main's history" in log


def test_given_a_revision_before_the_first_release_when_rolled_back_then_it_is_refused(repo: Repo) -> None:
    first = repo.git("rev-parse", "HEAD")  # the placeholders: all-zero tags and digests
    repo.release("dev", "first release")
    code, log, _ = rollback(repo, "--revision", first)
    assert code == 1
    assert "no release yet" in log


def test_given_one_image_by_digest_when_rolled_back_then_only_it_changes(repo: Repo) -> None:
    good, _ = repo.release("dev", "good")
    bad, _ = repo.release("dev", "login is bad")
    code, log, out = rollback(repo, "--images", f"login={digest('dev', 'login', good)}")
    assert code == 0, log
    now = images(repo, "dev")
    assert now["login"] == ref("dev", "login", good)
    assert now["order"] == ref("dev", "order", bad)
    assert out.startswith(f"login tlj-dev-login {digest('dev', 'login', good)}\n")


def test_given_full_references_when_rolled_back_then_they_are_restored_in_both_overlays(repo: Repo) -> None:
    good, _ = repo.release("dev", "good")
    repo.release("dev", "bad")
    wanted = f"order={ref('dev', 'order', good)},loadgen={ref('dev', 'loadgen', good)}"
    code, log, _ = rollback(repo, "--images", wanted)
    assert code == 0, log
    assert images(repo, "dev")["order"] == ref("dev", "order", good)
    assert images(repo, "dev", "loadtest")["loadgen"] == ref("dev", "loadgen", good)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("order=sha256:" + "1" * 64, "never ran in dev"),
        (f"order={REGISTRY}/tlj-dev-order:{'2' * 40}@sha256:{'3' * 64}", "never ran in dev"),
        ("payments=sha256:" + "1" * 64, "is not an image of these overlays"),
        ("order=latest", "neither sha256:<64 hex> nor a full ECR reference"),
        ("order", "is not name=<reference>"),
        ("order=sha256:abc", "neither sha256:<64 hex>"),
        ("order=sha256:" + "1" * 64 + " order=sha256:" + "2" * 64, "given twice"),
        ("order=$(id)", "neither sha256:<64 hex>"),
    ],
)
def test_given_images_that_never_ran_in_the_environment_or_are_malformed_when_rolled_back_then_they_are_refused(
    repo: Repo, given: str, expected: str
) -> None:
    repo.release("dev", "good")
    repo.release("dev", "bad")
    code, log, _ = rollback(repo, "--images", given)
    assert code == 1
    assert expected in log
    assert repo.git("status", "--porcelain") == ""


def test_given_a_prod_image_when_dev_is_rolled_back_to_it_then_it_is_refused(repo: Repo) -> None:
    # Only what ran in that environment can come back: a prod digest is in no commit of the dev overlays.
    prod_commit, _ = repo.release("prod", "promoted")
    repo.release("dev", "dev moved on")
    code, log, _ = rollback(repo, "--images", f"order={digest('prod', 'order', prod_commit)}")
    assert code == 1
    assert "never ran in dev" in log


def test_given_no_target_or_both_when_rolled_back_then_usage_is_refused(repo: Repo) -> None:
    _, bump = repo.release("dev", "good")
    assert repo.run("overlay_images.py", "rollback", "--env", "dev", "--main", "main").returncode == 2
    both = repo.run(
        "overlay_images.py", "rollback", "--env", "dev", "--main", "main", "--revision", bump, "--images", "order=x"
    )
    assert both.returncode == 2
    assert (
        repo.run("overlay_images.py", "rollback", "--env", "staging", "--main", "main", "--revision", bump).returncode
        == 2
    )
