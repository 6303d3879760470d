"""The images install the full tested tree: containers/<service>/constraints.txt is constraints.txt's slice."""

from __future__ import annotations

from pathlib import Path

import pytest

from containers import constraints

CONTAINERS = Path(constraints.__file__).parent
# A few packages each image gets only through its direct requirements (FastAPI's, boto3's; Locust's).
TRANSITIVE = {
    "login": {"starlette", "pydantic-core", "botocore"},
    "order": {"starlette", "pydantic-core", "botocore"},
    "loadgen": {"gevent", "pyzmq", "msgpack", "botocore"},
}


def test_given_the_repository_constraints_then_every_image_constraints_file_is_in_sync():
    # When the generator checks the committed per-image files; Then none is stale
    assert constraints.main(["--check"]) == 0, "run: .venv/bin/python containers/constraints.py"


def test_every_image_has_its_transitive_expectations() -> None:
    assert TRANSITIVE.keys() == set(constraints.SERVICES)


@pytest.mark.parametrize("service", constraints.SERVICES)
def test_given_an_image_then_every_direct_requirement_is_pinned_as_in_constraints_txt(service: str):
    # Given the repository's frozen tree and the image's generated file
    repository = constraints.read_pins(constraints.REPO_CONSTRAINTS)
    image = constraints.read_pins(CONTAINERS / service / "constraints.txt")
    # Then each direct requirement and each pin of the image equals the repository's
    for requirement in constraints.direct_requirements(CONTAINERS / service / "requirements.txt"):
        assert constraints.canonicalize_name(requirement.name) in image, requirement.name
    assert {name: repository[name] for name in image} == image
    # And the transitive tree is there too, not only the direct pins
    assert TRANSITIVE[service] <= set(image)


def test_given_a_dependency_missing_from_constraints_txt_then_generation_fails():
    pins = constraints.read_pins(constraints.REPO_CONSTRAINTS)
    del pins[constraints.canonicalize_name("starlette")]
    with pytest.raises(SystemExit, match="starlette"):
        constraints.render("order", pins)


@pytest.mark.parametrize("service", constraints.SERVICES)
def test_given_an_image_then_both_pip_steps_use_its_constraints(service: str):
    dockerfile = (CONTAINERS / service / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.count("-c constraints.txt") + dockerfile.count("-c /tmp/constraints.txt") == 2
    assert f"COPY {service}/requirements.txt {service}/constraints.txt" in dockerfile
