"""Synthesize both environments once per session; tests assert on the templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from k8s.manifests import ENVIRONMENT_NAMES, Manifest, render
from stacks.assembly import add_platform
from stacks.config import DEV, PROD, EnvironmentConfig
from stacks.nag import register_nag_packs
from stacks.platform_stack import PlatformStack


def synth(config: EnvironmentConfig) -> Template:
    app = cdk.App()
    return Template.from_stack(PlatformStack(app, config.stack_name, config=config))


@pytest.fixture(scope="session")
def dev() -> Template:
    return synth(DEV)


@pytest.fixture(scope="session")
def prod() -> Template:
    return synth(PROD)


@pytest.fixture(scope="session", params=["dev", "prod"])
def env_template(request: pytest.FixtureRequest, dev: Template, prod: Template) -> tuple[EnvironmentConfig, Template]:
    return (DEV, dev) if request.param == "dev" else (PROD, prod)


# A GitHub owner as an operator sets it (-c github_owner=...): only then do release roles and Argo CD sources exist.
OWNER = "acme-bakery"


def configured(config: EnvironmentConfig) -> EnvironmentConfig:
    return config.with_overrides({"github_owner": OWNER})


@pytest.fixture(scope="session")
def configured_dev() -> Template:
    return synth(configured(DEV))


@pytest.fixture(scope="session")
def configured_prod() -> Template:
    return synth(configured(PROD))


@pytest.fixture(scope="session", params=["dev", "prod"])
def configured_env_template(
    request: pytest.FixtureRequest, configured_dev: Template, configured_prod: Template
) -> tuple[EnvironmentConfig, Template]:
    """Each environment with a GitHub owner configured."""
    if request.param == "dev":
        return configured(DEV), configured_dev
    return configured(PROD), configured_prod


@pytest.fixture(scope="session")
def assembly_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both stacks synthesized as ``make synth`` does: every cdk-nag pack registered, so any finding raises."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir))
    register_nag_packs(app)
    add_platform(app, [DEV, PROD])
    app.synth()
    return outdir


def resources(template: Template, kind: str) -> dict[str, dict[str, Any]]:
    return template.find_resources(kind)


def only(template: Template, kind: str) -> tuple[str, dict[str, Any]]:
    found = resources(template, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.items()))


# The rendered manifests (kustomize, k8s/manifests.py), per environment: module-scoped like the tests that read them,
# so a test that changes a document cannot leak into another module.
@pytest.fixture(scope="module")
def overlays() -> dict[str, list[Manifest]]:
    return {env: render(f"overlays/{env}") for env in ENVIRONMENT_NAMES}


@pytest.fixture(scope="module")
def platforms() -> dict[str, list[Manifest]]:
    return {env: render(f"platform/{env}") for env in ENVIRONMENT_NAMES}


@pytest.fixture(params=ENVIRONMENT_NAMES)
def env(request: pytest.FixtureRequest) -> str:
    return str(request.param)
